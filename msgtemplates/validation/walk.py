"""The careful walk: every problem of a payload, with its pointer, in payload order.

Rule of the house: the walk decides which problems a payload has; the wording of each comes from
:mod:`msgtemplates.problems` (one builder per code) and the API's semantic rules from
:mod:`msgtemplates.rules`. Only a payload that the fast path does not call clean comes here.
"""

from __future__ import annotations

import json
import typing as t

from ..locales import canonical_tag, is_known_tag, suggest_tag
from ..problems import (
    Problem,
    additional_properties,
    duplicate_language,
    enum,
    escape_pointer,
    invalid_character,
    invisible_character,
    language_tag,
    masked,
    max_items,
    max_length,
    member_name_type,
    min_items,
    min_length,
    pattern,
    required,
    type_problem,
    unknown_language,
    unsafe_url,
    utf16_length,
)
from ..rules import (
    LINK_PARAMETERS,
    first_invisible,
    first_surrogate,
    invisible_count,
    is_dict,
    is_list,
    is_safe_link,
    is_str,
    language_key,
    utf16_units,
)
from .fastpath import item_test, run
from .schema import Node, SchemaName, compile_schema

__all__ = ["Collector", "OrderKey", "careful_problems", "schema_problems"]

# --- the careful walk ------------------------------------------------------------------------

_TYPE_WORDS = {
    "object": "an object",
    "array": "an array",
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "a boolean",
    "null": "null",
}

#: A position in payload order, for merging problems found elsewhere.
OrderKey = tuple[float, ...]


def _is_type(value: object, kind: str) -> bool:
    if kind == "string":
        return is_str(value)
    if kind == "object":
        return is_dict(value)
    if kind == "array":
        return is_list(value)
    if kind == "boolean":
        return issubclass(type(value), bool)
    if kind == "null":
        return value is None
    if issubclass(type(value), bool):
        return False
    if kind == "integer":
        return issubclass(type(value), int) or (
            issubclass(type(value), float) and float.is_integer(t.cast(float, value))
        )
    return kind == "number" and issubclass(type(value), int | float)


def _json_kind(value: object) -> str | None:
    if issubclass(type(value), bool):
        return "boolean"
    if is_str(value):
        return "string"
    if issubclass(type(value), int | float):
        return "number"
    return "null" if value is None else None


def _json_equal(left: object, right: object) -> bool:
    """JSON equality of scalars (``true`` is not ``1``), calling no method a payload overrides."""
    kind = _json_kind(left)
    if kind is None or kind != _json_kind(right):
        return False
    return _scalar(left) == _scalar(right)


def _scalar(value: object) -> object:
    number = t.cast(t.Any, value)
    if issubclass(type(value), bool):
        return bool(int.__index__(number))
    if is_str(value):
        return str.__str__(value)
    if issubclass(type(value), int):
        return int.__index__(number)
    if issubclass(type(value), float):
        return float.__float__(number)
    return value


def _member_token(key: object) -> str:
    """The pointer token of an object member, for keys JSON cannot even hold."""
    if is_str(key):
        return escape_pointer(str.__str__(key))
    if issubclass(type(key), bool) or key is None:
        return json.dumps(key)
    number = t.cast(t.Any, key)
    try:
        if issubclass(type(key), int):
            return str(int.__index__(number))
        if issubclass(type(key), float):
            return float.__repr__(number)
    except ValueError:
        pass
    return f"<{type(key).__name__}>"


class Collector:
    """Walks a payload against a compiled schema and collects every problem, in payload order.

    :param subject: what the root is called in messages (``"request"``, ``"response"``).
    :param semantic: also apply the API's semantic rules (languages, links, characters).
    :param secret: the access token, masked in every problem.
    :param track: give every visited pointer a sort key (:meth:`order_key`), so that problems
        found elsewhere (a catalog's) merge into payload order.
    """

    __slots__ = (
        "ends",
        "keys",
        "languages",
        "problems",
        "secret",
        "semantic",
        "sequence",
        "subject",
        "track",
    )

    def __init__(self, subject: str, *, semantic: bool, secret: str | None, track: bool):
        self.subject = subject
        self.semantic = semantic
        self.secret = secret
        self.problems: list[Problem] = []
        self.languages: dict[str, tuple[str, str]] = {}
        self.track = track
        self.sequence = 0
        self.keys: dict[str, OrderKey] = {}
        self.ends: dict[str, int] = {}

    def add(self, problem: Problem) -> None:
        # Paths stay unmasked until the end, so that they still find their place in order_key.
        self.problems.append(problem)

    def result(self, extra: list[Problem] | None = None) -> list[Problem]:
        """The problems, with ``extra`` ones merged into payload order, token masked in paths."""
        found = self.problems
        if extra is not None:
            # sorted() is stable: at an equal position the walk's problems stay first.
            found = sorted([*found, *extra], key=lambda p: self.order_key(p.path))
        secret = self.secret
        if secret:
            # mask_path leaves a path holding neither form of the token as it is: skip the call.
            # A token without "~" or "/" is its own escaped form (mask_path's first exit).
            escaped = escape_pointer(secret) if "~" in secret or "/" in secret else secret
            if escaped == secret:
                for problem in found:
                    if secret in problem.path:
                        break
                else:
                    return found
            return [
                masked(problem, secret)
                if secret in problem.path or escaped in problem.path
                else problem
                for problem in found
            ]
        return found

    def value(self, node: Node, value: object, path: str) -> None:
        """Check ``value`` at ``path`` against ``node`` and everything below it."""
        if self.track:
            self.keys[path] = (self.sequence, 0, 0, 0)
            self.sequence += 1
        self.check(node, value, path)
        if self.track:
            self.ends[path] = self.sequence

    def check(self, node: Node, value: object, path: str) -> None:
        if node.classes is not None:
            fits = issubclass(type(value), node.classes)
        else:
            fits = node.types is None or any(_is_type(value, kind) for kind in node.types)
        if not fits and node.types is not None:
            wanted = " or ".join(_TYPE_WORDS.get(kind, kind) for kind in node.types)
            self.add(type_problem(path, value, wanted, subject=self.subject))
            return
        if node.enum is not None and not any(_json_equal(value, item) for item in node.enum):
            allowed = [json.dumps(item) for item in node.enum]
            self.add(enum(path, value, allowed, secret=self.secret))
        if is_str(value):
            self.string(node, str.__str__(value), path)
        elif is_dict(value):
            self.mapping(node, value, path)
        elif is_list(value):
            self.array(node, value, path)

    def string(self, node: Node, value: str, path: str) -> None:
        length = len(value)
        if node.min_length is not None and length < node.min_length:
            self.add(min_length(path, length, node.min_length))
        if node.max_length is not None and length > node.max_length:
            self.add(max_length(path, length, node.max_length))
        pattern_ok = node.pattern is None or node.pattern.search(value) is not None
        if node.role == "language":
            self.language(value, path, well_formed=pattern_ok)
        elif not pattern_ok:
            self.add(pattern(path, value, secret=self.secret))
        if self.semantic:
            self.text(value, path, node.max_length, invisible=node.role != "language")

    def text(self, value: str, path: str, limit: int | None, *, invisible: bool) -> None:
        if value.isascii():
            return
        surrogate = first_surrogate(value)
        if surrogate is not None:
            self.add(invalid_character(path, *surrogate))
        if invisible:
            found = first_invisible(value)
            if found is not None:
                self.add(invisible_character(path, *found, invisible_count(value)))
        if limit is not None and len(value) <= limit < 2 * len(value):
            units = utf16_units(value)
            if units > limit:
                self.add(utf16_length(path, len(value), units, limit))

    def language(self, tag: str, path: str, *, well_formed: bool) -> None:
        canonical = canonical_tag(tag) if well_formed else None
        if canonical is None:
            self.add(
                language_tag(
                    path, tag, canonical=None, suggestion=suggest_tag(tag), secret=self.secret
                )
            )
            return
        if canonical != tag:
            self.add(
                language_tag(path, tag, canonical=canonical, suggestion=None, secret=self.secret)
            )
        if not is_known_tag(canonical):
            self.add(unknown_language(path, tag, secret=self.secret))
        self.remember_language(tag, path)

    def remember_language(self, tag: str, path: str) -> None:
        first = self.languages.setdefault(language_key(tag), (tag, path))
        if first[1] != path:
            self.add(duplicate_language(path, tag, first[0], first[1], secret=self.secret))

    def array(self, node: Node, value: list[object], path: str) -> None:
        count = list.__len__(value)
        if node.min_items is not None and count < node.min_items:
            self.add(min_items(path, count, node.min_items))
        if node.max_items is not None and count > node.max_items:
            self.add(max_items(path, count, node.max_items))
        if node.items is None:
            return
        # Items that pass the generated test need no walk; only their language is remembered,
        # for duplicates. Tracking positions for a catalog needs the full walk.
        clean = item_test(node.items) if self.semantic and not self.track else None
        languages = [name for name, sub in node.items.properties.items() if sub.role == "language"]
        for index, item in enumerate(list.__iter__(value)):
            where = f"{path}/{index}"
            if clean is not None and run(clean, item):
                for name in languages:
                    tag = t.cast("dict[str, str]", item).get(name)
                    if tag is not None:
                        self.remember_language(tag, f"{where}/{escape_pointer(name)}")
                continue
            self.value(node.items, item, where)

    def mapping(self, node: Node, value: dict[object, object], path: str) -> None:
        present: set[str] = set()
        for key, item in dict.items(value):
            self.member(node, key, item, path, present)
        self.missing(node, present, path)

    def member(self, node: Node, key: object, item: object, path: str, present: set[str]) -> None:
        """Check one member of the object at ``path``; a string name is added to ``present``."""
        member = f"{path}/{_member_token(key)}"
        if not is_str(key):
            self.note(member)
            self.add(member_name_type(member, key))
            return
        name = str.__str__(key)
        present.add(name)
        sub = node.properties.get(name)
        if sub is None and isinstance(node.additional, Node):
            sub = node.additional
        if sub is not None:
            self.value(sub, item, member)
            if self.semantic:
                surrogate = first_surrogate(name)
                if surrogate is not None:
                    self.add(invalid_character(member, surrogate[0], None, what="member name"))
                if node.role == "parameters" and name in LINK_PARAMETERS:
                    self.link(item, member)
        elif node.additional is False:
            self.note(member)
            self.add(self.unknown_member(member, name, node))

    def missing(self, node: Node, present: set[str], path: str) -> None:
        """Report the required members of the object at ``path`` that ``present`` lacks."""
        missing = [name for name in node.required if name not in present]
        for rank, name in enumerate(missing):
            member = f"{path}/{escape_pointer(name)}"
            if self.track:
                depth = path.count("/")
                self.keys[member] = (self.sequence, -1, -depth, rank)
            self.add(required(member, name, secret=self.secret))

    def note(self, path: str) -> None:
        if self.track:
            self.keys[path] = (self.sequence, 0, 0, 0)
            self.sequence += 1
            self.ends[path] = self.sequence

    def unknown_member(self, path: str, name: str, node: Node) -> Problem:
        suggestion = None
        # A close-match search costs time quadratic in the name's length: only for names that
        # could be a typo of a member (the longest is a dozen characters).
        if len(name) <= 64:
            import difflib

            close = difflib.get_close_matches(name, list(node.properties), n=1, cutoff=0.75)
            suggestion = close[0] if close else None
        return additional_properties(
            path, name, list(node.properties), suggestion=suggestion, secret=self.secret
        )

    def link(self, value: object, path: str) -> None:
        if is_str(value) and not is_safe_link(str.__str__(value)):
            self.add(unsafe_url(path, value, secret=self.secret))

    def order_key(self, path: str) -> OrderKey:
        """Where a pointer sits in payload order, also for a pointer the walk did not visit."""
        key = self.keys.get(path)
        if key is not None:
            return key
        parent = path
        while parent:
            parent = parent[: parent.rfind("/")]
            end = self.ends.get(parent)
            if end is not None:
                return (end, -1, -parent.count("/"), float("inf"))
        return (float("inf"),)


def schema_problems(name: SchemaName, payload: object, /) -> list[Problem]:
    """Every schema problem of a payload (``name`` picks the schema); no semantic checks.

    >>> [p.code for p in schema_problems("response", {"result": {"resultCode": "SUCCESS"}})]
    ['required']
    """
    collector = Collector(name, semantic=False, secret=None, track=False)
    collector.value(compile_schema(name), payload, "")
    return collector.result()


def careful_problems(payload: object, /, *, secret: str | None) -> list[Problem]:
    """Every problem of a request, found by the careful walk: the reference of the generated one.

    :func:`msgtemplates.check_request` finds the same list faster; this is what it is tested
    against.

    :param payload: any value.
    :param secret: the access token, masked in every problem.

    >>> [p.code for p in careful_problems({"appId": 5}, secret=None)][:2]
    ['type', 'required']
    """
    collector = Collector("request", semantic=True, secret=secret, track=False)
    collector.value(compile_schema("request"), payload, "")
    return collector.result()
