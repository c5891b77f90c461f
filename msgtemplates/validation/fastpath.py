"""The generated fast path: one straight-line Python function per schema, answering "clean?".

Two of them for the request: one over the dicts any parser gives, and one over msgspec Structs
made from the same schema (the struct path of a batch), which leaves types, lengths and members
to msgspec's decoder and asks only the rest.

Rule of the house: this module only ever answers ``True`` when the careful walk would find no
problem at all, not even a warning; it builds no problem and words no message. Its source can be
printed (:func:`source`), and an exception inside it on plain JSON data is a bug that surfaces
(:class:`FastPathBug`), never a silent detour through the slow path.
"""

from __future__ import annotations

import collections.abc as cabc
import dataclasses
import functools
import keyword
import typing as t

from ..errors import MsgTemplatesError
from ..locales import canonical_tag, is_known_tag
from ..rules import (
    LINK_PARAMETERS,
    PRINTABLE_IS_CLEAN,
    first_surrogate,
    is_clean_text,
    is_safe_link,
)
from .schema import MISSING, Node, compile_schema

__all__ = [
    "CLEAN_LANGUAGES",
    "SAFE_LINKS",
    "FastPathBug",
    "FastPathWriter",
    "SourceWriter",
    "StructPathWriter",
    "failed",
    "is_plain_json",
    "item_test",
    "learn_language",
    "learn_link",
    "request_test",
    "run",
    "source",
    "struct_source",
    "struct_test",
]

# Verdicts worth remembering: a few languages and links recur across most requests. Both sets
# hold only clean values and are emptied when full, so memory stays bounded.
#: Language tags known to have no problem at all (well-formed, canonical, known); bounded.
CLEAN_LANGUAGES: set[str] = set()
#: Links known to be safe (see :func:`msgtemplates.rules.is_safe_link`); bounded.
SAFE_LINKS: set[str] = set()
_CACHE_LIMIT = 4096
_CACHED_LENGTH = 2048


def learn_language(tag: object) -> bool:
    """Whether ``tag`` is a language tag with no problem at all; remembers a clean one.

    Clean: an exact ``str`` the request schema's language pattern accepts, in canonical case,
    naming a language with CLDR locale data.
    """
    node = compile_schema("request").properties["templates"].items
    pattern = node.properties["language"].pattern if node is not None else None
    clean = (
        type(tag) is str
        and len(tag) <= 64
        and (pattern is None or pattern.search(tag) is not None)
        and canonical_tag(tag) == tag
        and is_known_tag(tag)
    )
    if clean:
        if len(CLEAN_LANGUAGES) >= _CACHE_LIMIT:
            CLEAN_LANGUAGES.clear()
        CLEAN_LANGUAGES.add(t.cast("str", tag))
    return clean


def learn_link(link: object) -> bool:
    """Whether ``link`` is a safe link; remembers a short safe one."""
    clean = type(link) is str and is_safe_link(link)
    if clean and len(t.cast("str", link)) <= _CACHED_LENGTH:
        if len(SAFE_LINKS) >= _CACHE_LIMIT:
            SAFE_LINKS.clear()
        SAFE_LINKS.add(t.cast("str", link))
    return clean


# --- the fast path: one generated function ---------------------------------------------------


class SourceWriter:
    """What the generators of this package share: source lines, names and constants.

    :param namespace: the globals the generated code runs with; constants are added to it.
    """

    def __init__(self, namespace: dict[str, object]) -> None:
        self.lines: list[str] = []
        self.namespace = namespace
        self.counter = 0

    def name(self, prefix: str) -> str:
        self.counter += 1
        return f"{prefix}{self.counter}"

    def constant(self, value: object) -> str:
        name = self.name("_c")
        self.namespace[name] = value
        return name

    def emit(self, indent: int, line: str) -> None:
        self.lines.append("    " * indent + line)


class FastPathWriter(SourceWriter):
    """Writes the Python source of ``clean(payload) -> bool`` for a compiled schema.

    ``True`` means the payload has no problem at all, not even a warning; ``False`` means "walk
    it properly". The function accepts only exact ``dict``, ``list`` and ``str`` instances, so a
    subclass with surprising methods always takes the careful path, and on such JSON data it
    never raises: an exception from it is a bug, which :func:`run` lets through.
    """

    def __init__(self) -> None:
        super().__init__(
            {
                "_M": MISSING,
                "_surrogate": first_surrogate,
                "_clean_text": is_clean_text,
                "_LANGUAGES": CLEAN_LANGUAGES,
                "_learn_language": learn_language,
                "_LINKS": SAFE_LINKS,
                "_learn_link": learn_link,
            }
        )
        self.uses_languages = False
        self.uses_keys = False

    def write(self, root: Node) -> cabc.Callable[[object], bool]:
        body: list[str] = []
        self.lines, outer = body, self.lines
        texts: list[tuple[str, int | None]] = []
        self.value(root, "payload", 1, texts)
        self.flush_texts(texts, 1)
        self.lines = outer
        self.emit(0, "def clean(payload):")
        if self.uses_languages:
            self.emit(1, "languages = []")
        if self.uses_keys:
            self.emit(1, "keys = []")
        self.lines.extend(body)
        if self.uses_keys:
            self.emit(1, 'keys = "".join(keys)')
            self.emit(1, "if _surrogate(keys) is not None: return False")
        self.emit(1, "return True")
        code = compile(self.source(), "<msgtemplates fast path>", "exec")
        exec(code, self.namespace)
        return t.cast("cabc.Callable[[object], bool]", self.namespace["clean"])

    def source(self) -> str:
        """The generated source, once :meth:`write` has run."""
        return "\n".join(self.lines) + "\n"

    def flush_texts(self, texts: list[tuple[str, int | None]], indent: int) -> None:
        """Check the strings of one scope together: all ASCII, or each one looked at closely."""
        if not texts:
            return
        # Each string asked in turn: a concatenation would copy them all first.
        ascii = " and ".join(f"{name}.isascii()" for name, _ in texts)
        careful = " and ".join(f"_clean_text({name}, {limit})" for name, limit in texts)
        self.emit(indent, f"if not ({ascii}) and not ({careful}): return False")
        texts.clear()

    def value(self, node: Node, var: str, indent: int, texts: list[tuple[str, int | None]]) -> None:
        types = node.types
        if node.enum is not None:
            if not all(type(item) is str for item in node.enum):
                self.emit(indent, "return False")
                return
            members = self.constant(frozenset(t.cast("tuple[str, ...]", node.enum)))
            self.emit(indent, f"if type({var}) is not str or {var} not in {members}: return False")
        if types is None:
            if node.enum is None:
                self.emit(indent, "return False")
            return
        if types == ("object",):
            self.mapping(node, var, indent, texts)
        elif types == ("array",):
            self.array(node, var, indent)
        elif types == ("string",):
            self.string(node, var, indent, texts)
        else:
            # Types this library's schemas do not use are left to the careful walk.
            self.emit(indent, "return False")

    def string(
        self, node: Node, var: str, indent: int, texts: list[tuple[str, int | None]]
    ) -> None:
        low, high = node.min_length, node.max_length
        self.emit(indent, f"if type({var}) is not str{_length_test(var, low, high)}: return False")
        self.string_rules(node, var, indent, texts)

    def string_rules(
        self, node: Node, var: str, indent: int, texts: list[tuple[str, int | None]]
    ) -> None:
        """What is asked of an exact str within its lengths: its role's rules, its pattern."""
        if node.role == "language":
            # A remembered clean tag is well-formed, canonical and known, so no text check.
            self.uses_languages = True
            self.emit(
                indent,
                f"if {var} not in _LANGUAGES and not _learn_language({var}): return False",
            )
            # At most a handful of content templates: a list beats building a set.
            self.emit(indent, f"if {var} in languages: return False")
            self.emit(indent, f"languages.append({var})")
            return
        if node.pattern is not None:
            pattern = self.constant(node.pattern.search)
            self.emit(indent, f"if {pattern}({var}) is None: return False")
        texts.append((var, node.max_length))

    def array(self, node: Node, var: str, indent: int) -> None:
        low, high = node.min_items, node.max_items
        self.emit(indent, f"if type({var}) is not list{_length_test(var, low, high)}: return False")
        if node.items is None:
            return
        item = self.name("v")
        self.emit(indent, f"for {item} in {var}:")
        inner: list[tuple[str, int | None]] = []
        self.value(node.items, item, indent + 1, inner)
        self.flush_texts(inner, indent + 1)

    def mapping(
        self, node: Node, var: str, indent: int, texts: list[tuple[str, int | None]]
    ) -> None:
        self.emit(indent, f"if type({var}) is not dict: return False")
        required = [name for name in node.properties if name in node.required]
        optional = [name for name in node.properties if name not in node.required]
        for name in node.required:
            if name not in node.properties:
                self.emit(indent, f"if {name!r} not in {var}: return False")
        names: dict[str, str] = {}
        if required:
            # A subscript costs less than .get(); the try costs nothing until a member is missing.
            self.emit(indent, "try:")
            for name in required:
                names[name] = self.name("v")
                self.emit(indent + 1, f"{names[name]} = {var}[{name!r}]")
            self.emit(indent, "except KeyError:")
            self.emit(indent + 1, "return False")
        for name in optional:
            names[name] = self.name("v")
        if node.additional is False and optional:
            # No other member may be there, so the size says which optional ones are: none, or
            # all of them (read like the required ones); only sizes between ask each one.
            size = self.name("n")
            self.emit(indent, f"{size} = len({var})")
            self.emit(indent, f"if {size} == {len(required)}:")
            for name in optional:
                self.emit(indent + 1, f"{names[name]} = _M")
            self.emit(indent, f"elif {size} == {len(required) + len(optional)}:")
            self.emit(indent + 1, "try:")
            for name in optional:
                self.emit(indent + 2, f"{names[name]} = {var}[{name!r}]")
            self.emit(indent + 1, "except KeyError:")
            self.emit(indent + 2, "return False")
            self.emit(indent, "else:")
            if len(optional) == 1:
                self.emit(indent + 1, "return False")
            else:
                for name in optional:
                    self.emit(indent + 1, f"{names[name]} = {var}.get({name!r}, _M)")
                present = " + ".join(f"({names[n]} is not _M)" for n in optional)
                self.emit(indent + 1, f"if {size} != {len(required)} + {present}: return False")
        else:
            for name in optional:
                self.emit(indent, f"{names[name]} = {var}.get({name!r}, _M)")
            if node.additional is False:
                self.emit(indent, f"if len({var}) != {len(required)}: return False")
        for name in required:
            self.value(node.properties[name], names[name], indent, texts)
        for name in optional:
            self.emit(indent, f"if {names[name]} is not _M:")
            inner: list[tuple[str, int | None]] = []
            self.value(node.properties[name], names[name], indent + 1, inner)
            self.flush_texts(inner, indent + 1)
            self.emit(indent + 1, "pass")
        if isinstance(node.additional, Node):
            self.additional(node, var, indent)

    def additional(self, node: Node, var: str, indent: int) -> None:
        sub = t.cast("Node", node.additional)
        if node.properties:
            # Members with their own schema are not "additional"; leave such objects alone.
            self.emit(indent, "return False")
            return
        plain = sub.types == ("string",) and _is_plain(sub)
        if plain:
            # Exact str names and values only: a subclass's hash may differ from its text's,
            # and a membership test below would miss a link under such a name. For the few
            # members of a parameter object, this loop costs less than joining them all into
            # one string to look at once.
            key, item = self.name("k"), self.name("v")
            self.emit(indent, f"for {key}, {item} in {var}.items():")
            self.emit(
                indent + 1, f"if type({item}) is not str or type({key}) is not str: return False"
            )
            self.unlimited_texts((item, key), indent + 1)
        else:
            self.uses_keys = True
            key, item = self.name("k"), self.name("v")
            self.emit(indent, f"keys.extend({var})")
            self.emit(indent, f"for {key}, {item} in {var}.items():")
            inner: list[tuple[str, int | None]] = []
            self.value(sub, item, indent + 1, inner)
            self.flush_texts(inner, indent + 1)
        # An exact str only: a subclass could fake its hash and equality (the loop above has
        # seen to that where the parameters are plain text).
        self.links(node, var, indent, exact=plain)

    def unlimited_texts(self, texts: cabc.Iterable[str], indent: int) -> None:
        """Check exact strings without a length limit, each on its own."""
        for text in texts:
            # Without a length limit, printable text is clean: a C loop instead of a call.
            printable = f" or {text}.isprintable()" if PRINTABLE_IS_CLEAN else ""
            self.emit(
                indent, f"if not ({text}.isascii(){printable} or _clean_text({text})): return False"
            )

    def links(self, node: Node, var: str, indent: int, *, exact: bool) -> None:
        """Check the links of a parameter object; ``exact``: its values are exact str."""
        if node.role != "parameters":
            return
        for parameter in LINK_PARAMETERS:
            link = self.name("u")
            # A membership test and a subscript cost less than a .get() call.
            self.emit(indent, f"if {parameter!r} in {var}:")
            self.emit(indent + 1, f"{link} = {var}[{parameter!r}]")
            kind = "" if exact else f"type({link}) is not str or "
            self.emit(
                indent + 1,
                f"if {kind}({link} not in _LINKS and not _learn_link({link})): return False",
            )


# --- the struct path: msgspec checks types, lengths and members in C -------------------------


class _Unsupported(Exception):
    """A part of a schema the struct path does not cover: batches keep the dict path."""


class StructPathWriter(FastPathWriter):
    """Writes msgspec ``Struct`` types for a compiled schema, and ``clean(struct) -> bool``.

    Decoding a line into the Structs succeeds only where every member the schema names has its
    type and length, no other member is there (unknown fields are refused) and the required
    ones are present; msgspec checks all of that in C. The generated test then asks only what a
    Struct cannot say, as :class:`FastPathWriter` asks it: enums, patterns, the API's rules
    (languages, links, clean text, UTF-16 lengths). So ``True`` here means the dict path's test
    would answer ``True`` for the same line; whatever either refuses goes the careful way.
    A schema with a part this writer does not cover raises :class:`_Unsupported`.
    """

    def __init__(self) -> None:
        super().__init__()
        import msgspec

        self.msgspec = msgspec
        self.namespace["_U"] = msgspec.UNSET

    def struct_type(self, node: Node, name: str) -> t.Any:
        """The msgspec type that decodes exactly the values of ``node``'s types and limits."""
        ms = self.msgspec
        if node.enum is not None and (
            node.types != ("string",) or not all(type(item) is str for item in node.enum)
        ):
            raise _Unsupported
        if node.types == ("string",):
            return _limited(ms, str, node.min_length, node.max_length)
        if node.types == ("array",) and node.items is not None:
            item = self.struct_type(node.items, f"{name}Item")
            return _limited(ms, list[item], node.min_items, node.max_items)  # type: ignore[valid-type]
        if node.types != ("object",):
            raise _Unsupported
        if not node.properties:
            extra = node.additional
            if isinstance(extra, Node) and extra.types == ("string",) and _is_plain(extra):
                return dict[str, str]
            raise _Unsupported
        if node.additional is not False or not set(node.required) <= set(node.properties):
            raise _Unsupported
        fields: list[tuple[str, t.Any] | tuple[str, t.Any, t.Any]] = []
        for key, sub in node.properties.items():
            if not key.isidentifier() or keyword.iskeyword(key) or key.startswith("_"):
                raise _Unsupported
            kind = self.struct_type(sub, name + key[:1].upper() + key[1:])
            if key in node.required:
                fields.append((key, kind))
            else:
                fields.append((key, t.Union[kind, ms.UnsetType], ms.UNSET))  # noqa: UP007
        # Untracked by the garbage collector (cheaper to make and free): a decoded Struct
        # holds strings, lists and dicts of them and its own Structs, never a cycle.
        return ms.defstruct(name, fields, kw_only=True, forbid_unknown_fields=True, gc=False)

    def value(self, node: Node, var: str, indent: int, texts: list[tuple[str, int | None]]) -> None:
        if node.enum is not None:
            members = self.constant(frozenset(t.cast("tuple[str, ...]", node.enum)))
            self.emit(indent, f"if {var} not in {members}: return False")
        if node.types == ("object",):
            self.mapping(node, var, indent, texts)
        elif node.types == ("array",):
            self.array(node, var, indent)
        elif node.types == ("string",):
            self.string(node, var, indent, texts)
        else:
            raise _Unsupported

    def string(
        self, node: Node, var: str, indent: int, texts: list[tuple[str, int | None]]
    ) -> None:
        # An exact str within its lengths: the Struct saw to that.
        self.string_rules(node, var, indent, texts)

    def array(self, node: Node, var: str, indent: int) -> None:
        item = self.name("v")
        self.emit(indent, f"for {item} in {var}:")
        inner: list[tuple[str, int | None]] = []
        self.value(t.cast(Node, node.items), item, indent + 1, inner)
        self.flush_texts(inner, indent + 1)
        self.emit(indent + 1, "pass")

    def mapping(
        self, node: Node, var: str, indent: int, texts: list[tuple[str, int | None]]
    ) -> None:
        if not node.properties:
            self.additional(node, var, indent)
            return
        names = {key: self.name("v") for key in node.properties}
        for key, local in names.items():
            self.emit(indent, f"{local} = {var}.{key}")
        for key, sub in node.properties.items():
            if key in node.required:
                self.value(sub, names[key], indent, texts)
                continue
            self.emit(indent, f"if {names[key]} is not _U:")
            inner: list[tuple[str, int | None]] = []
            self.value(sub, names[key], indent + 1, inner)
            self.flush_texts(inner, indent + 1)
            self.emit(indent + 1, "pass")

    def additional(self, node: Node, var: str, indent: int) -> None:
        # A dict[str, str]: exact str names and values, from the decoder.
        key, item = self.name("k"), self.name("v")
        self.emit(indent, f"for {key}, {item} in {var}.items():")
        self.unlimited_texts((item, key), indent + 1)
        self.links(node, var, indent, exact=True)


def _limited(ms: t.Any, kind: t.Any, low: int | None, high: int | None) -> t.Any:
    """``kind`` with msgspec length limits, where there are any."""
    limits = {"min_length": low, "max_length": high}
    limits = {key: value for key, value in limits.items() if value is not None}
    return t.Annotated[kind, ms.Meta(**limits)] if limits else kind


@functools.cache
def _struct_writer() -> (
    tuple[StructPathWriter, cabc.Callable[[bytes], object], cabc.Callable[[object], bool]] | None
):
    try:
        writer = StructPathWriter()
    except ImportError:
        return None
    root = compile_schema("request")
    try:
        decoder = writer.msgspec.json.Decoder(writer.struct_type(root, "Request"))
        clean = writer.write(root)
    except _Unsupported:
        return None
    return writer, decoder.decode, clean


def struct_test() -> tuple[cabc.Callable[[bytes], object], cabc.Callable[[object], bool]] | None:
    """The struct path of the request schema: a decoder of JSON bytes and its clean test.

    ``decode(raw)`` raises a ``ValueError`` for a line that is not JSON or whose values the
    Structs refuse; ``clean(decoded)`` is then ``True`` only where the dict path's test would
    be. ``None`` where msgspec is not installed or the schema has a part the Structs do not
    cover; batches then take the dict path alone.
    """
    made = _struct_writer()
    return None if made is None else (made[1], made[2])


def struct_source() -> str | None:
    """The Python source of the struct path's clean test, for reading and debugging."""
    made = _struct_writer()
    return None if made is None else made[0].source()


def _length_test(var: str, low: int | None, high: int | None) -> str:
    """The source of `` or <length out of bounds>``, or nothing when there are no bounds."""
    if low is not None and high is not None:
        return f" or not {low} <= len({var}) <= {high}"
    if low is not None:
        return f" or len({var}) < {low}"
    if high is not None:
        return f" or len({var}) > {high}"
    return ""


def _is_plain(node: Node) -> bool:
    """Whether a node says nothing beyond its type."""
    bare = Node(types=node.types, classes=node.classes)
    return all(
        getattr(node, field.name) == getattr(bare, field.name) for field in dataclasses.fields(Node)
    )


@functools.cache
def item_test(node: Node) -> cabc.Callable[[object], bool]:
    """The generated test for one subschema: ``True`` when a value has no problem at all."""
    return FastPathWriter().write(node)


@functools.cache
def _request_writer() -> tuple[FastPathWriter, cabc.Callable[[object], bool]]:
    writer = FastPathWriter()
    return writer, writer.write(compile_schema("request"))


def request_test() -> cabc.Callable[[object], bool]:
    """The generated test of the request schema (compiled on first use).

    Call it through :func:`run`, or catch its exceptions and pass them to :func:`failed`.
    """
    return _request_writer()[1]


def source() -> str:
    """The Python source generated for the request schema, for reading and debugging.

    >>> print(source().splitlines()[0])
    def clean(payload):
    """
    return _request_writer()[0].source()


class FastPathBug(MsgTemplatesError, RuntimeError):
    """The generated fast path raised on plain JSON data: a bug in the generator."""


def run(test: cabc.Callable[[object], bool], value: object) -> bool:
    """Run a generated test; ``False`` sends the value to the careful walk.

    A value that is not plain JSON (a key whose ``__eq__`` raises, say) may make the test
    raise, and goes the careful way; on plain JSON data an exception is a bug and is raised as
    :class:`FastPathBug`, never hidden behind the slow path.
    """
    try:
        return test(value)
    except Exception as error:
        return failed(value, error)


def failed(value: object, error: Exception) -> bool:
    """What a generated test raising ``error`` on ``value`` means: ``False``, or a bug.

    :raises FastPathBug: ``value`` is plain JSON, which the generated code must never fail on.
    """
    if is_plain_json(value):
        raise FastPathBug(
            f"the generated fast path raised {type(error).__name__} on JSON data; "
            "this is a bug in msgtemplates"
        ) from error
    return False


_JSON_SCALARS = (str, int, float, bool, type(None))


def is_plain_json(value: object) -> bool:
    """Whether ``value`` is made only of exact JSON types (no subclass, no other object).

    Walks with an explicit stack, so depth costs no recursion.

    >>> is_plain_json({"a": [1, "b", None]}), is_plain_json({1: "a"}), is_plain_json(b"x")
    (True, False, False)
    """
    stack = [value]
    while stack:
        item = stack.pop()
        kind = type(item)
        if kind is dict:
            for key, member in dict.items(t.cast("dict[object, object]", item)):
                if type(key) is not str:
                    return False
                stack.append(member)
        elif kind is list:
            stack.extend(list.__iter__(t.cast("list[object]", item)))
        elif kind not in _JSON_SCALARS:
            return False
    return True
