"""Request validation: the JSON Schemas compiled into fast checks, plus the semantic checks.

The files in ``schemas/`` are the single source of truth. At first use each schema is read and
compiled into a tree of :class:`_Node` values; the request schema is also turned into one
straight-line Python function that answers "is this request clean?" without building anything.
Only a request that fails that test is walked again by :class:`_Collector`, which reports every
problem with its JSON Pointer. ``jsonschema`` is never imported here: it is slow to import and
cannot walk deeply nested values.
"""

from __future__ import annotations

import collections.abc as cabc
import dataclasses
import functools
import json
import re
import typing as t
from pathlib import Path

from .errors import MsgTemplatesError, RequestInvalid
from .locales import canonical_tag, is_known_tag, suggest_tag
from .problems import Problem, Severity, describe, escape_pointer, quote, secret_of

if t.TYPE_CHECKING:
    from .catalog import Catalog

__all__ = ["SchemaName", "check_request", "schema_text", "validate_request"]

SchemaName = t.Literal["request", "response"]

_SCHEMA_FILES: dict[str, str] = {
    "request": "send-request.schema.json",
    "response": "send-response.schema.json",
}

# The wheel ships the schemas inside the package; a source checkout keeps them at the repo root.
_SCHEMA_DIRS = (Path(__file__).parent / "schemas", Path(__file__).parent.parent / "schemas")


def schema_text(name: SchemaName, /) -> str:
    """The JSON Schema (draft 2020-12) of a request or a response, as the shipped file's text.

    :param name: ``"request"`` or ``"response"``.
    :returns: the schema document, exactly as stored.
    :raises ValueError: for any other name.
    :raises MsgTemplatesError: when the installation lacks the schema files.

    >>> import json
    >>> json.loads(schema_text("request"))["title"]
    'sendByAccessToken request'
    """
    filename = _SCHEMA_FILES.get(name) if isinstance(name, str) else None
    if filename is None:
        raise ValueError(f"unknown schema {quote(name)}; use 'request' or 'response'")
    for directory in _SCHEMA_DIRS:
        path = directory / filename
        try:
            return path.read_text(encoding="utf-8")
        except FileNotFoundError:
            continue
        except OSError as err:
            raise MsgTemplatesError(f"cannot read the schema file {path}: {err.strerror}") from err
    searched = " and ".join(str(d) for d in _SCHEMA_DIRS)
    raise MsgTemplatesError(
        f"the schema file {filename} is in neither {searched}; reinstall msgtemplates"
    )


# --- the compiled schema ---------------------------------------------------------------------

_MISSING: t.Final = object()

#: Schema keywords the compiler understands; any other keyword in a schema is refused at load,
#: so that no constraint added to the JSON is silently ignored.
_ANNOTATIONS = frozenset({"$schema", "$id", "$comment", "$defs", "title", "description"})
_KEYWORDS = frozenset(
    {
        "type",
        "properties",
        "required",
        "additionalProperties",
        "items",
        "minItems",
        "maxItems",
        "minLength",
        "maxLength",
        "pattern",
        "enum",
        "$ref",
    }
)

Role = t.Literal["language", "parameters"]

#: Semantic checks attach to schema locations, named by the property path from the root.
_REQUEST_ROLES: dict[tuple[str, ...], Role] = {
    ("templates", "items", "language"): "language",
    ("templates", "items", "templateParameters"): "parameters",
}


@dataclasses.dataclass(frozen=True, slots=True, eq=False)
class _Node:
    """One compiled subschema; ``None`` for a keyword the subschema does not use."""

    types: tuple[str, ...] | None = None
    properties: dict[str, _Node] = dataclasses.field(default_factory=dict)
    required: tuple[str, ...] = ()
    # True: anything goes (and is not looked at); False: no other members; a node: their schema.
    additional: _Node | bool = True
    items: _Node | None = None
    min_items: int | None = None
    max_items: int | None = None
    min_length: int | None = None
    max_length: int | None = None
    pattern: re.Pattern[str] | None = None
    enum: tuple[object, ...] | None = None
    role: Role | None = None
    # The Python classes of ``types`` when one isinstance() call decides, else None.
    classes: tuple[type, ...] | None = None


_CLASSES: dict[str, type] = {"string": str, "object": dict, "array": list}


class _SchemaCompiler:
    """Turns a schema document into a tree of :class:`_Node`."""

    def __init__(self, document: dict[str, t.Any], roles: dict[tuple[str, ...], Role]):
        self.document = document
        self.roles = roles

    def compile(self, schema: object, where: tuple[str, ...]) -> _Node:
        if not isinstance(schema, dict):
            raise self.error(where, "a subschema is not an object")
        if "$ref" in schema:
            if set(schema) - _ANNOTATIONS - {"$ref"}:
                raise self.error(where, "$ref beside other keywords is not supported")
            return self.compile(self.resolve(schema["$ref"], where), where)
        unknown = set(schema) - _KEYWORDS - _ANNOTATIONS
        if unknown:
            raise self.error(where, f"unsupported keywords {sorted(unknown)}")
        kind = schema.get("type")
        types = (kind,) if isinstance(kind, str) else (tuple(kind) if kind is not None else None)
        additional = schema.get("additionalProperties", True)
        pattern = schema.get("pattern")
        enum = schema.get("enum")
        classes = (
            tuple(_CLASSES[kind] for kind in types)
            if types is not None and all(kind in _CLASSES for kind in types)
            else None
        )
        return _Node(
            types=types,
            classes=classes,
            properties={
                name: self.compile(sub, (*where, name))
                for name, sub in schema.get("properties", {}).items()
            },
            # Missing members are reported in the order the schema lists the properties.
            required=tuple(
                sorted(
                    schema.get("required", ()),
                    key=lambda n: (
                        list(schema.get("properties", {})).index(n)
                        if n in schema.get("properties", {})
                        else len(schema.get("properties", {}))
                    ),
                )
            ),
            additional=(
                additional
                if isinstance(additional, bool)
                else self.compile(additional, (*where, "additionalProperties"))
            ),
            items=self.compile(schema["items"], (*where, "items")) if "items" in schema else None,
            min_items=schema.get("minItems"),
            max_items=schema.get("maxItems"),
            min_length=schema.get("minLength"),
            max_length=schema.get("maxLength"),
            pattern=re.compile(pattern) if pattern is not None else None,
            enum=tuple(enum) if enum is not None else None,
            role=self.roles.get(where),
        )

    def resolve(self, ref: object, where: tuple[str, ...]) -> object:
        if not isinstance(ref, str) or not ref.startswith("#/"):
            raise self.error(where, f"only local references are supported, not {ref!r}")
        target: object = self.document
        for token in ref[2:].split("/"):
            token = token.replace("~1", "/").replace("~0", "~")
            if not isinstance(target, dict) or token not in target:
                raise self.error(where, f"the reference {ref} points nowhere")
            target = target[token]
        return target

    def error(self, where: tuple[str, ...], what: str) -> MsgTemplatesError:
        location = "/".join(where) or "(root)"
        return MsgTemplatesError(f"cannot compile the schema at {location}: {what}")


@functools.cache
def _schema_node(name: SchemaName) -> _Node:
    document = json.loads(schema_text(name))
    roles = _REQUEST_ROLES if name == "request" else {}
    return _SchemaCompiler(document, roles).compile(document, ())


# --- text, language and link checks ----------------------------------------------------------

_INVISIBLE = (
    "\u200b\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2060\u2066\u2067\u2068\u2069\u061c\ufeff"
)
_SURROGATES = "\ud800-\udfff"
# One search finds anything a string needs a closer look for: surrogates and invisibles.
_ODD_SEARCH = re.compile(f"[{_SURROGATES}{_INVISIBLE}]").search
# Surrogates and these invisibles are all unprintable, so text that str.isprintable() accepts
# (a C loop, faster than the search) has none of them; checked here so that a printable
# character added to _INVISIBLE turns the shortcut off instead of slipping through.
_PRINTABLE_IS_CLEAN: t.Final = not any(char.isprintable() for char in _INVISIBLE)
_SURROGATE_SEARCH = re.compile(f"[{_SURROGATES}]").search
_INVISIBLE_SEARCH = re.compile(f"[{_INVISIBLE}]").search

_URL_PARAMETERS = ("pushContentUrl", "redirectUrl")
# Whatever may follow a host or /pages/: no whitespace, control, backslash, bidi or zero-width
# character, any of which can make the link mean something other than what a reader sees.
_URL_REST = rf"[^\s\\\x00-\x1f\x7f-\x9f{_INVISIBLE}\u200c\u200d{_SURROGATES}]"
_SAFE_URL = re.compile(
    # Schemes are case-insensitive (RFC 3986), so HTTPS: is as safe as https:.
    r"(?:[Hh][Tt][Tt][Pp][Ss]?://"
    r"(?:[^\W_](?:[\w.-]*[^\W_])?|\[[0-9A-Fa-f:.]+\])"  # a host name or an IPv6 literal
    r"(?::[0-9]{1,5})?"
    rf"(?:[/?#]{_URL_REST}*)?"
    rf"|/pages/{_URL_REST}+)"
).fullmatch

# Verdicts worth remembering: a few languages and links recur across most requests. Both sets
# hold only clean values and are emptied when full, so memory stays bounded.
_CLEAN_LANGUAGES: set[str] = set()
_SAFE_LINKS: set[str] = set()
_CACHE_LIMIT = 4096
_CACHED_LENGTH = 2048


def _learn_language(tag: object) -> bool:
    """Whether ``tag`` is a language with no problem at all; remembers a clean one."""
    node = _schema_node("request").properties["templates"].items
    pattern = node.properties["language"].pattern if node is not None else None
    clean = (
        type(tag) is str
        and len(tag) <= 64
        and (pattern is None or pattern.search(tag) is not None)
        and canonical_tag(tag) == tag
        and is_known_tag(tag)
    )
    if clean:
        if len(_CLEAN_LANGUAGES) >= _CACHE_LIMIT:
            _CLEAN_LANGUAGES.clear()
        _CLEAN_LANGUAGES.add(t.cast("str", tag))
    return clean


def _learn_link(link: object) -> bool:
    """Whether ``link`` is a safe link; remembers a short safe one."""
    clean = type(link) is str and _SAFE_URL(link) is not None
    if clean and len(t.cast("str", link)) <= _CACHED_LENGTH:
        if len(_SAFE_LINKS) >= _CACHE_LIMIT:
            _SAFE_LINKS.clear()
        _SAFE_LINKS.add(t.cast("str", link))
    return clean


def _utf16_units(text: str) -> int:
    # surrogatepass: a lone surrogate still counts as one unit instead of failing.
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def _text_is_clean(text: str, max_length: int | None) -> bool:
    """Whether a non-ASCII string has no odd character and fits ``max_length`` in UTF-16."""
    if not (_PRINTABLE_IS_CLEAN and text.isprintable()) and _ODD_SEARCH(text) is not None:
        return False
    return max_length is None or 2 * len(text) <= max_length or _utf16_units(text) <= max_length


# --- the fast path: one generated function ---------------------------------------------------


class _FastPathWriter:
    """Writes the Python source of ``clean(payload) -> bool`` for a compiled schema.

    ``True`` means the payload has no problem at all, not even a warning; ``False`` (or any
    exception, which the caller treats as ``False``) means "walk it properly". The function
    accepts only exact ``dict``, ``list`` and ``str`` instances, so a subclass with surprising
    methods always takes the careful path.
    """

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.namespace: dict[str, object] = {
            "_M": _MISSING,
            "_ODD": _ODD_SEARCH,
            "_SURROGATE": _SURROGATE_SEARCH,
            "_clean_text": _text_is_clean,
            "_LANGUAGES": _CLEAN_LANGUAGES,
            "_learn_language": _learn_language,
            "_LINKS": _SAFE_LINKS,
            "_learn_link": _learn_link,
        }
        self.counter = 0
        self.uses_languages = False
        self.uses_keys = False

    def name(self, prefix: str) -> str:
        self.counter += 1
        return f"{prefix}{self.counter}"

    def constant(self, value: object) -> str:
        name = self.name("_c")
        self.namespace[name] = value
        return name

    def emit(self, indent: int, line: str) -> None:
        self.lines.append("    " * indent + line)

    def write(self, root: _Node) -> cabc.Callable[[object], bool]:
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
            self.emit(1, "if not keys.isascii() and _SURROGATE(keys): return False")
        self.emit(1, "return True")
        code = compile("\n".join(self.lines), "<msgtemplates fast path>", "exec")
        exec(code, self.namespace)
        return t.cast("cabc.Callable[[object], bool]", self.namespace["clean"])

    def flush_texts(self, texts: list[tuple[str, int | None]], indent: int) -> None:
        """Check the strings of one scope together: one join tells whether all are ASCII."""
        if not texts:
            return
        joined = " + ".join(name for name, _ in texts)
        careful = " and ".join(f"_clean_text({name}, {limit})" for name, limit in texts)
        self.emit(indent, f"if not ({joined}).isascii() and not ({careful}): return False")
        texts.clear()

    def value(
        self, node: _Node, var: str, indent: int, texts: list[tuple[str, int | None]]
    ) -> None:
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
        self, node: _Node, var: str, indent: int, texts: list[tuple[str, int | None]]
    ) -> None:
        low, high = node.min_length, node.max_length
        self.emit(indent, f"if type({var}) is not str{_length_test(var, low, high)}: return False")
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
        texts.append((var, high))

    def array(self, node: _Node, var: str, indent: int) -> None:
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
        self, node: _Node, var: str, indent: int, texts: list[tuple[str, int | None]]
    ) -> None:
        self.emit(indent, f"if type({var}) is not dict: return False")
        required = [name for name in node.properties if name in node.required]
        optional = [name for name in node.properties if name not in node.required]
        for name in node.required:
            if name not in node.properties:
                # A KeyError when it is missing sends the payload the careful way.
                self.emit(indent, f"{var}[{name!r}]")
        names: dict[str, str] = {}
        for name in required:
            names[name] = self.name("v")
            # Subscripting is the cheapest lookup; a KeyError sends the payload the careful way.
            self.emit(indent, f"{names[name]} = {var}[{name!r}]")
        for name in optional:
            names[name] = self.name("v")
            self.emit(indent, f"{names[name]} = {var}.get({name!r}, _M)")
        if node.additional is False:
            present = " + ".join(f"({names[n]} is not _M)" for n in optional)
            count = f"{len(required)} + {present}" if optional else str(len(required))
            self.emit(indent, f"if len({var}) != {count}: return False")
        for name in required:
            self.value(node.properties[name], names[name], indent, texts)
        for name in optional:
            self.emit(indent, f"if {names[name]} is not _M:")
            inner: list[tuple[str, int | None]] = []
            self.value(node.properties[name], names[name], indent + 1, inner)
            self.flush_texts(inner, indent + 1)
            self.emit(indent + 1, "pass")
        if isinstance(node.additional, _Node):
            self.additional(node, var, indent)

    def additional(self, node: _Node, var: str, indent: int) -> None:
        sub = t.cast("_Node", node.additional)
        if node.properties:
            # Members with their own schema are not "additional"; leave such objects alone.
            self.emit(indent, "return False")
            return
        plain = sub.types == ("string",) and _is_plain(sub)
        if plain:
            # str.join type-checks every name and value in C (a non-string raises TypeError),
            # and one search of the result covers them all.
            joined = self.name("s")
            self.emit(indent, f'{joined} = "".join([*{var}, *{var}.values()])')
            printable = f" and not {joined}.isprintable()" if _PRINTABLE_IS_CLEAN else ""
            self.emit(
                indent,
                f"if not {joined}.isascii(){printable} and _ODD({joined}): return False",
            )
        else:
            self.uses_keys = True
            key, item = self.name("k"), self.name("v")
            self.emit(indent, f"keys.extend({var})")
            self.emit(indent, f"for {key}, {item} in {var}.items():")
            inner: list[tuple[str, int | None]] = []
            self.value(sub, item, indent + 1, inner)
            self.flush_texts(inner, indent + 1)
        if node.role == "parameters":
            for parameter in _URL_PARAMETERS:
                link = self.name("u")
                self.emit(indent, f"{link} = {var}.get({parameter!r})")
                self.emit(
                    indent,
                    # An exact str only: a subclass could fake its hash and equality.
                    f"if {link} is not None and (type({link}) is not str or ({link} not in"
                    f" _LINKS and not _learn_link({link}))): return False",
                )


def _length_test(var: str, low: int | None, high: int | None) -> str:
    """The source of `` or <length out of bounds>``, or nothing when there are no bounds."""
    if low is not None and high is not None:
        return f" or not {low} <= len({var}) <= {high}"
    if low is not None:
        return f" or len({var}) < {low}"
    if high is not None:
        return f" or len({var}) > {high}"
    return ""


def _is_plain(node: _Node) -> bool:
    """Whether a node says nothing beyond its type."""
    bare = _Node(types=node.types, classes=node.classes)
    return all(
        getattr(node, field.name) == getattr(bare, field.name)
        for field in dataclasses.fields(_Node)
    )


@functools.cache
def _clean_test(node: _Node) -> cabc.Callable[[object], bool]:
    """The generated test for one subschema: ``True`` when a value has no problem at all."""
    return _FastPathWriter().write(node)


def _passes(test: cabc.Callable[[object], bool], value: object) -> bool:
    try:
        return test(value)
    except Exception:
        # Anything odd in the value is for the careful walk to describe.
        return False


def _compile_fast_request(payload: object) -> bool:
    """Compile the request fast path on first use, then run it."""
    global _fast_request
    _fast_request = _FastPathWriter().write(_schema_node("request"))
    return _fast_request(payload)


_fast_request: cabc.Callable[[object], bool] = _compile_fast_request


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

_OrderKey = tuple[float, ...]


def _is_type(value: object, kind: str) -> bool:
    if kind == "string":
        return isinstance(value, str)
    if kind == "object":
        return isinstance(value, dict)
    if kind == "array":
        return isinstance(value, list)
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "null":
        return value is None
    if isinstance(value, bool):
        return False
    if kind == "integer":
        return isinstance(value, int) or (isinstance(value, float) and value.is_integer())
    return kind == "number" and isinstance(value, int | float)


def _json_kind(value: object) -> str | None:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, str):
        return "string"
    if isinstance(value, int | float):
        return "number"
    return "null" if value is None else None


def _json_equal(left: object, right: object) -> bool:
    """JSON equality of scalars (``true`` is not ``1``), calling no method a payload overrides."""
    kind = _json_kind(left)
    if kind is None or kind != _json_kind(right):
        return False
    return _scalar(left) == _scalar(right)


def _scalar(value: object) -> object:
    if isinstance(value, bool):
        return bool(int.__index__(value))
    if isinstance(value, str):
        return str.__str__(value)
    if isinstance(value, int):
        return int.__index__(value)
    if isinstance(value, float):
        return float.__float__(value)
    return value


def _member_token(key: object) -> str:
    """The pointer token of an object member, for keys JSON cannot even hold."""
    if isinstance(key, str):
        return escape_pointer(str.__str__(key))
    if isinstance(key, bool) or key is None:
        return json.dumps(key)
    try:
        if isinstance(key, int):
            return str(int.__index__(key))
        if isinstance(key, float):
            return float.__repr__(key)
    except ValueError:
        pass
    return f"<{type(key).__name__}>"


class _Collector:
    """Walks a payload against a compiled schema and collects every problem, in payload order."""

    def __init__(self, subject: str, *, semantic: bool, secret: str | None, track: bool):
        self.subject = subject
        self.semantic = semantic
        self.secret = secret
        self.problems: list[Problem] = []
        self.languages: dict[str, str] = {}
        # With ``track``, every visited pointer gets a sort key so that problems from elsewhere
        # (the catalog) can be merged into payload order.
        self.track = track
        self.sequence = 0
        self.keys: dict[str, _OrderKey] = {}
        self.ends: dict[str, int] = {}

    def add(self, path: str, code: str, message: str, severity: Severity = "error") -> None:
        self.problems.append(Problem(path, code, message, severity))

    def quote(self, value: object) -> str:
        return quote(value, secret=self.secret)

    def value(self, node: _Node, value: object, path: str) -> None:
        if self.track:
            self.keys[path] = (self.sequence, 0, 0, 0)
            self.sequence += 1
        self.check(node, value, path)
        if self.track:
            self.ends[path] = self.sequence

    def check(self, node: _Node, value: object, path: str) -> None:
        if node.classes is not None:
            fits = isinstance(value, node.classes)
        else:
            fits = node.types is None or any(_is_type(value, kind) for kind in node.types)
        if not fits and node.types is not None:
            wanted = " or ".join(_TYPE_WORDS.get(kind, kind) for kind in node.types)
            what = f"the {self.subject}" if path == "" else "the value"
            self.add(path, "type", f"{what} must be {wanted}, not {describe(value)}")
            return
        if node.enum is not None and not any(_json_equal(value, item) for item in node.enum):
            allowed = ", ".join(json.dumps(item) for item in node.enum)
            self.add(path, "enum", f"{self.quote(value)} is not one of {allowed}")
        if isinstance(value, str):
            self.string(node, str.__str__(value), path)
        elif isinstance(value, dict):
            self.mapping(node, value, path)
        elif isinstance(value, list):
            self.array(node, value, path)

    def string(self, node: _Node, value: str, path: str) -> None:
        length = len(value)
        if node.min_length is not None and length < node.min_length:
            if node.min_length == 1:
                self.add(path, "minLength", "the value is empty; at least 1 character is required")
            else:
                self.add(
                    path,
                    "minLength",
                    f"the value has {length} characters; at least {node.min_length} are required",
                )
        if node.max_length is not None and length > node.max_length:
            self.add(
                path,
                "maxLength",
                f"the value has {length} characters; at most {node.max_length} are allowed",
            )
        pattern_ok = node.pattern is None or node.pattern.search(value) is not None
        if node.role == "language":
            self.language(value, path, well_formed=pattern_ok)
        elif not pattern_ok:
            self.add(path, "pattern", f"{self.quote(value)} does not have the required form")
        if self.semantic:
            self.text(value, path, node.max_length, invisible=node.role != "language")

    def text(self, value: str, path: str, max_length: int | None, *, invisible: bool) -> None:
        if value.isascii():
            return
        surrogate = _SURROGATE_SEARCH(value)
        if surrogate is not None:
            self.add(
                path,
                "invalidCharacter",
                f"the value has an unpaired surrogate U+{ord(surrogate.group()):04X} at character "
                f"{surrogate.start() + 1}, which cannot be sent as UTF-8; remove it",
            )
        if invisible:
            match = _INVISIBLE_SEARCH(value)
            if match is not None:
                # Counted per character with str.count: a list of every match would cost far
                # more on a value made of nothing else.
                count = sum(value.count(char) for char in _INVISIBLE)
                more = f" ({count} in all)" if count > 1 else ""
                self.add(
                    path,
                    "invisibleCharacter",
                    f"the value has the invisible character U+{ord(match.group()):04X} at "
                    f"character {match.start() + 1}{more}; remove it unless it is meant to be "
                    "there",
                    "warning",
                )
        if max_length is not None and len(value) <= max_length < 2 * len(value):
            units = _utf16_units(value)
            if units > max_length:
                self.add(
                    path,
                    "utf16Length",
                    f"the value has {len(value)} characters but {units} UTF-16 units; a server "
                    f"that counts UTF-16 units allows at most {max_length}",
                    "warning",
                )

    def language(self, tag: str, path: str, *, well_formed: bool) -> None:
        canonical = canonical_tag(tag) if well_formed else None
        if canonical is None:
            suggestion = suggest_tag(tag)
            if suggestion is not None:
                message = (
                    f"{self.quote(tag)} is not a hyphenated language tag; "
                    f"use {self.quote(suggestion)}"
                )
            else:
                message = (
                    f"{self.quote(tag)} is not a well-formed language tag; use "
                    'language[-Script][-REGION] with hyphens, such as "en-US" or "zh-Hant-HK"'
                )
            self.add(path, "languageTag", message)
            return
        if canonical != tag:
            self.add(
                path,
                "languageTag",
                f"{self.quote(tag)} is not in canonical case; use {self.quote(canonical)}",
                "warning",
            )
        if not is_known_tag(canonical):
            self.add(
                path,
                "unknownLanguage",
                f"{self.quote(tag)} is not a language with CLDR locale data; use a known tag "
                'such as "en-US"',
            )
        self.remember_language(tag, canonical, path)

    def remember_language(self, tag: str, canonical: str, path: str) -> None:
        first = self.languages.setdefault(canonical, path)
        if first != path:
            self.add(
                path,
                "duplicateLanguage",
                f"{self.quote(tag)} repeats the language of {first}; give each content "
                "template its own language",
            )

    def array(self, node: _Node, value: list[object], path: str) -> None:
        count = list.__len__(value)
        if node.min_items is not None and count < node.min_items:
            self.add(
                path,
                "minItems",
                f"the array has {count} items; at least {node.min_items} are required",
            )
        if node.max_items is not None and count > node.max_items:
            self.add(
                path,
                "maxItems",
                f"the array has {count} items; at most {node.max_items} are allowed",
            )
        if node.items is None:
            return
        # Items that pass the generated test need no walk; only their language is remembered,
        # for duplicates. Tracking positions for a catalog needs the full walk.
        clean = _clean_test(node.items) if self.semantic and not self.track else None
        languages = [name for name, sub in node.items.properties.items() if sub.role == "language"]
        for index, item in enumerate(list.__iter__(value)):
            where = f"{path}/{index}"
            if clean is not None and _passes(clean, item):
                for name in languages:
                    tag = t.cast("dict[str, str]", item).get(name)
                    if tag is not None:
                        self.remember_language(tag, tag, f"{where}/{escape_pointer(name)}")
                continue
            self.value(node.items, item, where)

    def mapping(self, node: _Node, value: dict[object, object], path: str) -> None:
        present: set[str] = set()
        for key, item in dict.items(value):
            member = f"{path}/{self.member_token(key)}"
            if not isinstance(key, str):
                self.note(member)
                self.add(
                    member,
                    "type",
                    f"the member name is {describe(key)}; JSON member names are strings",
                )
                continue
            name = str.__str__(key)
            present.add(name)
            sub = node.properties.get(name)
            if sub is None and isinstance(node.additional, _Node):
                sub = node.additional
            if sub is not None:
                self.value(sub, item, member)
                if self.semantic:
                    self.member_name(name, member)
                    if node.role == "parameters" and name in _URL_PARAMETERS:
                        self.link(item, member)
            elif node.additional is False:
                self.note(member)
                self.add(member, "additionalProperties", self.unknown_member(name, node))
        missing = [name for name in node.required if name not in present]
        for rank, name in enumerate(missing):
            member = f"{path}/{escape_pointer(name)}"
            if self.track:
                depth = path.count("/")
                self.keys[member] = (self.sequence, -1, -depth, rank)
            self.add(member, "required", f"{quote(name)} is required but missing")

    def member_token(self, key: object) -> str:
        if type(key) is str and "~" not in key and "/" not in key:
            token = key
        else:
            token = _member_token(key)
        # Paths stay exact pointers, but a member named exactly like the access token is masked
        # (see escape_pointer); the token is compared escaped, as a plain str.
        if self.secret and token == escape_pointer(self.secret):
            return escape_pointer(self.secret, secret=self.secret)
        return token

    def note(self, path: str) -> None:
        if self.track:
            self.keys[path] = (self.sequence, 0, 0, 0)
            self.sequence += 1
            self.ends[path] = self.sequence

    def member_name(self, name: str, path: str) -> None:
        if not name.isascii() and _SURROGATE_SEARCH(name) is not None:
            self.add(
                path,
                "invalidCharacter",
                "the member name has an unpaired surrogate, which cannot be sent as UTF-8; "
                "remove it",
            )

    def unknown_member(self, name: str, node: _Node) -> str:
        allowed = ", ".join(node.properties)
        import difflib

        close = difflib.get_close_matches(name, list(node.properties), n=1, cutoff=0.75)
        hint = f"did you mean {quote(close[0])}? " if close and len(name) <= 64 else ""
        return f"{self.quote(name)} is not a known member; {hint}allowed are {allowed}"

    def link(self, value: object, path: str) -> None:
        if isinstance(value, str) and _SAFE_URL(str.__str__(value)) is None:
            self.add(
                path,
                "unsafeUrl",
                f"{self.quote(value)} is not a safe link; use an absolute http or https URL "
                'with a host, or a Mini Program page path starting "/pages/"',
            )

    def order_key(self, path: str) -> _OrderKey:
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


def _schema_problems(name: SchemaName, payload: object, /) -> list[Problem]:
    """Every schema problem of a response (``name`` picks the schema); no semantic checks."""
    collector = _Collector("response", semantic=False, secret=None, track=False)
    collector.value(_schema_node(name), payload, "")
    return collector.problems


def check_request(payload: object, /, *, catalog: Catalog | None = None) -> list[Problem]:
    """Every problem of a sendByAccessToken request, in payload order.

    Schema problems carry the JSON Schema keyword as their code; semantic ones add
    ``languageTag``, ``unknownLanguage``, ``duplicateLanguage``, ``unsafeUrl``,
    ``invisibleCharacter``, ``invalidCharacter`` and ``utf16Length``. With ``catalog``, the
    catalog's own problems (unknown template, missing parameters, ...) are merged in. Any
    Python object is accepted; a value that is not JSON is a problem, never an exception. The
    access token is never quoted in a message.

    :param payload: the decoded JSON request.
    :param catalog: the merchant's copy of the template texts, to check the parameters against.
    :returns: the problems, errors and warnings, empty for a clean request.

    >>> request = {"appId": "2171", "accessToken": "tok", "requestId": "r1",
    ...            "templateCode": "TP_1", "templates": [{"language": "en_US"}]}
    >>> [(problem.path, problem.code) for problem in check_request(request)]
    [('/templates/0/language', 'languageTag')]
    """
    if catalog is None:
        try:
            if _fast_request(payload):
                return []
        except Exception:
            # Anything odd in the payload is for the careful walk to describe.
            pass
    secret = secret_of(payload)
    collector = _Collector("request", semantic=True, secret=secret, track=catalog is not None)
    collector.value(_schema_node("request"), payload, "")
    if catalog is None:
        return collector.problems
    theirs = catalog._request_problems(payload, secret=secret)
    # sorted() is stable: at an equal position this module's problems stay first.
    return sorted([*collector.problems, *theirs], key=lambda p: collector.order_key(p.path))


def validate_request(payload: object, /, *, catalog: Catalog | None = None) -> None:
    """Raise :class:`RequestInvalid` when a request has errors; warnings alone pass.

    :param payload: the decoded JSON request.
    :param catalog: as for :func:`check_request`.
    :raises RequestInvalid: with ``problems`` listing every problem, warnings included.
    """
    problems = check_request(payload, catalog=catalog)
    if any(problem.severity == "error" for problem in problems):
        raise RequestInvalid(problems)
