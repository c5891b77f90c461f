"""The generated error walk: the careful walk of one schema, written out as straight-line Python.

Rule of the house: the generated walk finds exactly the problems :class:`.walk.Collector` finds,
in the same order, because it only inlines what the collector does on exact ``dict``, ``list``
and ``str`` values and hands every other value (a subclass, a mock, a non-string key, a type
problem) to the collector's own method for that node, sharing its problem list and its memory of
languages. It words no message: problems come from the :mod:`msgtemplates.problems` builders.
Its source can be printed (:func:`source`); an exception inside it on plain JSON data is a bug
(:class:`WalkBug`), never hidden behind the slow walk.
"""

from __future__ import annotations

import collections.abc as cabc
import functools
import typing as t

from ..errors import MsgTemplatesError
from ..problems import (
    Problem,
    duplicate_language,
    escape_pointer,
    invalid_character,
    max_items,
    max_length,
    min_items,
    min_length,
    pattern,
    required,
    unsafe_url,
)
from ..rules import (
    LINK_PARAMETERS,
    PRINTABLE_IS_CLEAN,
    first_surrogate,
    is_clean_text,
    language_key,
)
from . import fastpath
from .schema import Node, SchemaName, compile_schema
from .walk import Collector

__all__ = ["WalkBug", "WalkWriter", "request_walk", "source", "walk_problems"]

#: A generated walk: adds the problems of a payload to a collector made with ``track=False``.
Walk = cabc.Callable[[object, Collector], None]

# A pointer being built: constant text, or the source of an expression (a loop variable).
_Part = tuple[bool, str]


def _fixed(parts: tuple[_Part, ...]) -> str | None:
    """The pointer ``parts`` spell when it holds no expression, else ``None``."""
    if any(is_code for is_code, _ in parts):
        return None
    return "".join(text for _, text in parts)


def _pointer(parts: tuple[_Part, ...]) -> str:
    """The Python source of the pointer ``parts`` spell: a literal, or an f-string."""
    fixed = _fixed(parts)
    if fixed is not None:
        return repr(fixed)
    body = "".join(
        f"{{{text}}}" if is_code else text.replace("{", "{{").replace("}", "}}")
        for is_code, text in parts
    )
    # The expressions are plain names and calls, free of quotes and backslashes, so repr()
    # quotes the literal text and leaves them whole.
    return "f" + repr(body)


class WalkWriter(fastpath.SourceWriter):
    """Writes the Python source of ``walk(payload, c)`` for a compiled schema.

    ``c`` is a :class:`~msgtemplates.validation.walk.Collector` made with ``track=False``; the
    function appends to ``c.problems`` what ``c.value(root, payload, "")`` would append, in the
    same order. Pointers are built only where a problem needs one.

    :param semantic: also apply the API's semantic rules, as the collector's ``semantic``.
    """

    def __init__(self, *, semantic: bool) -> None:
        self.semantic = semantic
        namespace: dict[str, object] = {
            "_esc": escape_pointer,
            "_surrogate": first_surrogate,
            "_clean_text": is_clean_text,
            "_language_key": language_key,
            "_duplicate_language": duplicate_language,
            "_LANGUAGES": fastpath.CLEAN_LANGUAGES,
            "_learn_language": fastpath.learn_language,
            "_LINKS": fastpath.SAFE_LINKS,
            "_learn_link": fastpath.learn_link,
            "_min_length": min_length,
            "_max_length": max_length,
            "_min_items": min_items,
            "_max_items": max_items,
            "_pattern": pattern,
            "_required": required,
            "_unsafe_url": unsafe_url,
            "_invalid_character": invalid_character,
        }
        super().__init__(namespace)
        templates = compile_schema("request").properties["templates"].items
        # The one language node whose clean tags fastpath.CLEAN_LANGUAGES remembers.
        self.cached_language = templates.properties.get("language") if templates else None

    def write(self, root: Node) -> Walk:
        """Generate, compile and return the walk of ``root``."""
        self.emit(0, "def walk(payload, c):")
        self.emit(1, "add = c.problems.append")
        self.emit(1, "secret = c.secret")
        self.emit(1, "languages = c.languages")
        self.value(root, "payload", (), 1)
        code = compile(self.source(), "<msgtemplates error walk>", "exec")
        exec(code, self.namespace)
        return t.cast("Walk", self.namespace["walk"])

    def source(self) -> str:
        """The generated source, once :meth:`write` has run."""
        return "\n".join(self.lines) + "\n"

    def value(self, node: Node, var: str, path: tuple[_Part, ...], indent: int) -> None:
        """Check ``var`` against ``node``: inline for its exact class, else the collector's way."""
        kind = _inline_kind(node)
        where = _pointer(path)
        if kind is None:
            self.emit(indent, f"c.check({self.constant(node)}, {var}, {where})")
            return
        self.emit(indent, f"if type({var}) is {kind}:")
        if kind == "str":
            self.string(node, var, path, indent + 1)
        elif kind == "list":
            self.array(node, var, path, indent + 1)
        else:
            self.mapping(node, var, path, indent + 1)
        self.emit(indent, "else:")
        self.emit(indent + 1, f"c.check({self.constant(node)}, {var}, {where})")

    def string(self, node: Node, var: str, path: tuple[_Part, ...], indent: int) -> None:
        where = _pointer(path)
        low, high = node.min_length, node.max_length
        if low is not None and high is not None:
            # One test on the way of a value that fits, two only for one that does not.
            self.emit(indent, f"if not {low} <= len({var}) <= {high}:")
            indent += 1
        if low is not None:
            build = self.length_call(min_length, "_min_length", path, f"len({var}), {low}")
            self.emit(indent, f"if len({var}) < {low}: add({build})")
        if high is not None:
            build = self.length_call(max_length, "_max_length", path, f"len({var}), {high}")
            self.emit(indent, f"if len({var}) > {high}: add({build})")
        if low is not None and high is not None:
            indent -= 1
        search = self.constant(node.pattern.search) if node.pattern is not None else None
        fits = f"{search}({var}) is not None" if search is not None else "True"
        if node.role == "language":
            if node is self.cached_language:
                # A remembered clean tag is well-formed, canonical and known: only remembered.
                # A malformed tag goes straight to the collector; a well-formed one is learnt.
                self.emit(indent, f"if {var} not in _LANGUAGES and not ({fits}):")
                self.emit(indent + 1, f"c.language({var}, {where}, well_formed=False)")
                self.emit(indent, f"elif {var} in _LANGUAGES or _learn_language({var}):")
                self.remember(var, path, indent + 1)
                self.emit(indent, "else:")
                self.emit(indent + 1, f"c.language({var}, {where}, well_formed=True)")
            else:
                self.emit(indent, f"c.language({var}, {where}, well_formed={fits})")
        elif search is not None:
            self.emit(
                indent, f"if {search}({var}) is None: add(_pattern({where}, {var}, secret=secret))"
            )
        if self.semantic:
            invisible = node.role != "language"
            # Without a length limit, printable text is clean: a C loop instead of a call.
            printable = (
                f" and not {var}.isprintable()" if high is None and PRINTABLE_IS_CLEAN else ""
            )
            self.emit(
                indent,
                # is_clean_text() passing means Collector.text() would find nothing.
                f"if not {var}.isascii(){printable} and not _clean_text({var}, {high}):"
                f" c.text({var}, {where}, {high}, invisible={invisible})",
            )
        self.emit(indent, "pass")

    def length_call(
        self,
        builder: cabc.Callable[[str, int, int], Problem],
        name: str,
        path: tuple[_Part, ...],
        arguments: str,
    ) -> str:
        """The source of the call of ``builder`` (whose name here is ``name``) at ``path``.

        At a fixed pointer the problems are kept per length and limit (a batch repeats its
        mistakes): a length problem quotes no input, so it is the same for every request.
        """
        fixed = _fixed(path)
        if fixed is None:
            return f"{name}({_pointer(path)}, {arguments})"
        kept = functools.lru_cache(maxsize=64)(functools.partial(builder, fixed))
        return f"{self.constant(kept)}({arguments})"

    def array(self, node: Node, var: str, path: tuple[_Part, ...], indent: int) -> None:
        where = _pointer(path)
        low, high = node.min_items, node.max_items
        if low is not None:
            self.emit(indent, f"if len({var}) < {low}: add(_min_items({where}, len({var}), {low}))")
        if high is not None:
            self.emit(
                indent, f"if len({var}) > {high}: add(_max_items({where}, len({var}), {high}))"
            )
        if node.items is not None:
            index, item = self.name("i"), self.name("v")
            self.emit(indent, f"for {index}, {item} in enumerate({var}):")
            # No clean-test pruning here, unlike Collector.array: the inline walk of a clean
            # item costs less than the generated test (measured again after the test lost its
            # join: still 1.1x to 1.2x slower on a request with two templates, one broken),
            # and a broken item pays both.
            self.value(node.items, item, (*path, (False, "/"), (True, index)), indent + 1)
        self.emit(indent, "pass")

    def remember(self, tag: str, path: tuple[_Part, ...], indent: int) -> None:
        """:meth:`Collector.remember_language`, inline."""
        first, here = self.name("f"), self.name("p")
        self.emit(indent, f"{here} = {_pointer(path)}")
        self.emit(indent, f"{first} = languages.setdefault(_language_key({tag}), ({tag}, {here}))")
        self.emit(
            indent,
            f"if {first}[1] != {here}: add(_duplicate_language({here}, {tag},"
            f" {first}[0], {first}[1], secret=secret))",
        )

    def mapping(self, node: Node, var: str, path: tuple[_Part, ...], indent: int) -> None:
        where = _pointer(path)
        this = self.constant(node)
        flags = {name: self.name("h") for name in node.required}
        for flag in flags.values():
            self.emit(indent, f"{flag} = False")
        # Names of members whose key is not an exact str (a subclass): the collector's way.
        odd = self.name("o")
        self.emit(indent, f"{odd} = None")
        key, item = self.name("k"), self.name("v")
        self.emit(indent, f"for {key}, {item} in {var}.items():")
        self.emit(indent + 1, f"if type({key}) is not str:")
        self.emit(indent + 2, f"if {odd} is None: {odd} = set()")
        self.emit(indent + 2, f"c.member({this}, {key}, {item}, {where}, {odd})")
        self.emit(indent + 2, "continue")
        for name, sub in node.properties.items():
            self.emit(indent + 1, f"if {key} == {name!r}:")
            if name in flags:
                self.emit(indent + 2, f"{flags[name]} = True")
            member = (*path, (False, "/" + escape_pointer(name)))
            self.member(node, sub, item, member, indent + 2, name=name)
            self.emit(indent + 2, "continue")
        member = (*path, (False, "/"), (True, f"_esc({key})"))
        if isinstance(node.additional, Node):
            self.member(node, node.additional, item, member, indent + 1, key=key)
        elif node.additional is False:
            self.emit(indent + 1, f"add(c.unknown_member({_pointer(member)}, {key}, {this}))")
        self.emit(indent + 1, "pass")
        if not flags:
            return
        self.emit(indent, f"if {odd} is None:")
        for name, flag in flags.items():
            parts = (*path, (False, "/" + escape_pointer(name)))
            missing = _pointer(parts)
            build = f"_required({missing}, {name!r}, secret=secret)"
            fixed = _fixed(parts)
            if fixed is not None and "~" not in fixed:
                # A fixed pointer: the problem is made once. The builder masks nothing while
                # the token is in none of the name, the message and the pointer (which holds
                # no "~", so not the token's escaped form either): then the made one is its
                # answer, and else the builder is asked.
                made = required(fixed, name)
                build = (
                    f"{self.constant(made)} if not secret or secret not in"
                    f" {self.constant(chr(0).join((name, made.message, fixed)))} else {build}"
                )
            self.emit(indent + 1, f"if not {flag}: add({build})")
        self.emit(indent, "else:")
        for name, flag in flags.items():
            self.emit(indent + 1, f"if {flag}: {odd}.add({name!r})")
        self.emit(indent + 1, f"c.missing({this}, {odd}, {where})")

    def member(
        self,
        node: Node,
        sub: Node,
        item: str,
        path: tuple[_Part, ...],
        indent: int,
        *,
        name: str | None = None,
        key: str | None = None,
    ) -> None:
        """A member of ``node`` with schema ``sub``: named ``name``, or by the variable ``key``."""
        self.value(sub, item, path, indent)
        if not self.semantic:
            return
        where = _pointer(path)
        if key is not None or (name is not None and not name.isascii()):
            text = key if key is not None else repr(name)
            surrogate = self.name("s")
            self.emit(indent, f"if not {text}.isascii():")
            self.emit(indent + 1, f"{surrogate} = _surrogate({text})")
            self.emit(
                indent + 1,
                f"if {surrogate} is not None: add(_invalid_character({where}, {surrogate}[0],"
                ' None, what="member name"))',
            )
        if node.role != "parameters":
            return
        if key is not None:
            links = " or ".join(f"{key} == {link!r}" for link in LINK_PARAMETERS)
            self.emit(indent, f"if {links}:")
            self.link(item, where, indent + 1)
        elif name in LINK_PARAMETERS:
            self.link(item, where, indent)

    def link(self, item: str, where: str, indent: int) -> None:
        self.emit(indent, f"if type({item}) is str:")
        self.emit(
            indent + 1,
            f"if {item} not in _LINKS and not _learn_link({item}):"
            f" add(_unsafe_url({where}, {item}, secret=secret))",
        )
        self.emit(indent, f"else: c.link({item}, {where})")


_KINDS: dict[tuple[str, ...], str] = {("string",): "str", ("array",): "list", ("object",): "dict"}


def _inline_kind(node: Node) -> str | None:
    """The exact class whose values the walk checks inline, or ``None``: the collector's way."""
    if node.enum is not None or node.types is None:
        return None
    kind = _KINDS.get(node.types)
    if kind == "dict" and not set(node.required) <= set(node.properties):
        # A required name without a property schema: rare, and left to the collector.
        return None
    return kind


@functools.cache
def _writer(name: SchemaName, semantic: bool) -> tuple[WalkWriter, Walk]:
    writer = WalkWriter(semantic=semantic)
    return writer, writer.write(compile_schema(name))


_request_walk: Walk | None = None


def request_walk() -> Walk:
    """The generated error walk of the request schema, with the semantic rules (built once)."""
    global _request_walk
    walk = _request_walk
    if walk is None:
        walk = _request_walk = _writer("request", True)[1]
    return walk


def source() -> str:
    """The Python source generated for the request's error walk, for reading and debugging.

    >>> print(source().splitlines()[0])
    def walk(payload, c):
    """
    return _writer("request", True)[0].source()


class WalkBug(MsgTemplatesError, RuntimeError):
    """The generated error walk raised on plain JSON data: a bug in the generator."""


def walk_problems(payload: object, /, *, secret: str | None) -> list[Problem]:
    """Every problem of a request, found by the generated walk, token masked in paths.

    The same list as the careful walk (``Collector("request", semantic=True, track=False)``).
    A payload that is not plain JSON and makes the generated code raise is walked the careful
    way, which then finds what it finds (or raises the same way).

    :param payload: any value.
    :param secret: the access token, never quoted.
    :raises WalkBug: the generated code raised on plain JSON data.
    """
    collector = Collector("request", semantic=True, secret=secret, track=False)
    try:
        request_walk()(payload, collector)
    except Exception as error:
        if fastpath.is_plain_json(payload):
            raise WalkBug(
                f"the generated error walk raised {type(error).__name__} on JSON data; "
                "this is a bug in msgtemplates"
            ) from error
        collector = Collector("request", semantic=True, secret=secret, track=False)
        collector.value(compile_schema("request"), payload, "")
    return collector.result()
