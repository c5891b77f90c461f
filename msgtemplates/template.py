"""The ``${name}`` template language: a linear scanner that builds a :class:`Template`, and render.

>>> Template("Hello, ${who}").render({"who": "XiaoMing"})
'Hello, XiaoMing'
"""

from __future__ import annotations

import collections.abc as cabc
import functools
import opcode
import operator
import re
import types
import typing as t

from .errors import MissingParameters, TemplateSyntaxError
from .problems import describe, quote
from .rules import is_str

__all__ = ["Template"]

Missing = t.Literal["error", "keep"]

# The placeholder name grammar. Written as explicit ASCII ranges (not \w) and matched
# at a known position with .match(), so a scan never backtracks: parsing stays linear.
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*")

_ALLOWED = 'a placeholder is ${name}: a letter or "_", then letters, digits, "_", "." or "-"'

# The modes of `missing`, compared by identity first so the common call pays no string compare.
_ERROR: Missing = "error"
_KEEP: Missing = "keep"
_MODES = (_ERROR, _KEEP)

# Templates with more placeholders than this render through the general loop; below it, through
# a generated function, whose compile cost and code size stay bounded.
_MAX_GENERATED = 64

_Render = cabc.Callable[..., str]


# The default of the generated render function's hidden second positional parameter, which a
# caller who passes ``missing`` positionally fills instead (and is told that it is keyword-only).
# Being the dict type, it lets one comparison, ``type(params) is not _dict``, ask both whether
# params is exactly a dict and whether nothing came after it: a keyword-only parameter or a
# comparison of its own would each cost a call about a tenth of its time. The calls it lets
# through pass params's own type after it, ``tpl.render(params, type(params))``: they render as
# ``tpl.render(params)`` would, reading params by subscript, and are not told of the extra.
_NO_EXTRA: type = dict


class _Plan(tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...], type, str]):
    """What a template renders from: its literal segments, its placeholder occurrences, its
    distinct names in order of first appearance, and the class and source that rebuild it.

    A template's generated render function is bound to its plan, so that a pickle of
    ``tpl.render`` (as a process pool makes) rebuilds the template and takes its ``render``.
    Binding it to the template itself would make every template a reference cycle, left for
    the garbage collector to find.
    """

    __slots__ = ()

    def __repr__(self) -> str:
        # The template's repr, which ``repr(tpl.render)`` shows.
        cls, source = self[3], self[4]
        if len(source) <= 80:
            return f"{cls.__name__}({source!r})"
        count = len(self[2])
        return (
            f"<{cls.__name__} {source[:60]!r}... ({len(source)} characters, "
            f"{count} placeholder{'' if count == 1 else 's'})>"
        )

    def __reduce__(self) -> tuple[t.Any, ...]:
        return (self[3], (self[4],))

    # A plan is immutable, so it is its own copy; copy.deepcopy(tpl.render), which binds the
    # function to a deep copy of its plan, would otherwise bind it to a rebuilt Template.
    def __copy__(self) -> _Plan:
        return self

    def __deepcopy__(self, memo: dict[int, object]) -> _Plan:
        return self

    def render(self, params: object, /, *, missing: object = _ERROR) -> str:
        # What a shallow copy of ``tpl.render`` finds: copy.copy rebuilds a bound method as
        # getattr(its self, its name), without copying (and so rebuilding) the plan.
        return _render_general(self, params, _NO_EXTRA, missing)


class Template:
    """A parsed ``${name}`` template: immutable, hashable, picklable and safe to share.

    The source is parsed once, here; rendering never re-reads it. A ``$`` that does not begin
    ``${`` is literal text and there is no escape sequence.

    :param source: the template text.
    :raises TemplateSyntaxError: a ``${`` that does not form ``${name}``, with the line and
        column of its ``$``.
    :raises TypeError: ``source`` is not a string.

    >>> tpl = Template("Paid US$5 to ${shop.name}; thanks, ${who}. Bye, ${who}!")
    >>> tpl.placeholders
    ('shop.name', 'who')
    >>> try:
    ...     Template("Hi ${1st}")
    ... except TemplateSyntaxError as err:
    ...     print(err.lineno, err.column, str(err).splitlines()[1:])
    1 4 ['    Hi ${1st}', '       ^']
    """

    # The instance dictionary holds one entry, "render": the function generated for this
    # template (bound to its plan), which shadows the method so that ``tpl.render(params)`` is
    # a single call.
    __slots__ = ("__dict__", "_placeholders", "_plan", "_source")

    _source: str
    _placeholders: tuple[str, ...]
    _plan: _Plan

    def __init__(self, source: str) -> None:
        if not is_str(source):
            raise TypeError(f"a template source must be a string, not {type(source).__name__}")
        # A str subclass could override slicing or find; keep an exact str copy.
        source = str.__str__(source)
        literals, names = _scan(source)
        setattr_ = object.__setattr__
        placeholders = tuple(dict.fromkeys(names))
        cls = type(self)
        plan = _Plan((literals, names, placeholders, cls, source))
        setattr_(self, "_source", source)
        setattr_(self, "_placeholders", placeholders)
        setattr_(self, "_plan", plan)
        # A subclass that overrides render keeps its own method.
        if len(names) <= _MAX_GENERATED and cls.render is Template.render:
            setattr_(self, "render", _factory(len(names))(plan))

    @property
    def source(self) -> str:
        """The template text exactly as given.

        >>> Template("Hi ${who}").source
        'Hi ${who}'
        """
        return self._source

    @property
    def placeholders(self) -> tuple[str, ...]:
        """The placeholder names, each once, in order of first appearance.

        >>> Template("${b} ${a} ${b}").placeholders
        ('b', 'a')
        """
        return self._placeholders

    def render(self, params: cabc.Mapping[str, str], /, *, missing: Missing = "error") -> str:
        """Fill in the placeholders in one pass; values are inserted as is, never re-read.

        Parameters the template does not use are ignored. A parameter counts as missing when
        ``params[name]`` raises :class:`KeyError`.

        :param params: parameter name to string value.
        :param missing: ``"error"`` raises for missing parameters; ``"keep"`` leaves each missing
            placeholder as its source text, such as ``${who}``.
        :returns: the rendered text.
        :raises MissingParameters: with ``missing="error"``, naming every missing parameter
            once, in order of first appearance.
        :raises TypeError: ``params`` is not a mapping, or a value the template uses is not a
            string (checked before missing parameters are reported).
        :raises ValueError: ``missing`` is neither ``"error"`` nor ``"keep"``.

        >>> tpl = Template("${greeting}, ${who}!")
        >>> tpl.render({"greeting": "Hello", "who": "${greeting}"})
        'Hello, ${greeting}!'
        >>> tpl.render({"greeting": "Hello"}, missing="keep")
        'Hello, ${who}!'
        >>> tpl.render({})
        Traceback (most recent call last):
          ...
        msgtemplates.errors.MissingParameters: missing parameters: greeting, who
        """
        # Instances answer ``tpl.render`` with their generated function (see __init__); this
        # method serves calls through the class and templates too long to generate code for.
        return _render_general(self._plan, params, _NO_EXTRA, missing)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"Template is immutable; cannot set {name!r}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"Template is immutable; cannot delete {name!r}")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Template):
            return NotImplemented
        return self._source == other._source

    def __hash__(self) -> int:
        return hash(self._source)

    def __repr__(self) -> str:
        return repr(self._plan)

    def __reduce__(self) -> tuple[t.Any, ...]:
        # The generated render function cannot be pickled; parsing the source again rebuilds it.
        return (type(self), (self._source,))

    def __copy__(self) -> Template:
        return self

    def __deepcopy__(self, memo: dict[int, object]) -> Template:
        return self


def _scan(source: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Split a source into literal segments and placeholder names (one more literal than names).

    Each character is looked at a bounded number of times (``str.find`` for ``${``, an anchored
    match for the name), so any source, however hostile, parses in linear time.
    """
    literals: list[str] = []
    names: list[str] = []
    start = 0
    find = source.find
    while True:
        dollar = find("${", start)
        if dollar < 0:
            literals.append(source[start:])
            return tuple(literals), tuple(names)
        match = _NAME.match(source, dollar + 2)
        if match is None or match.end() == len(source) or source[match.end()] != "}":
            raise _syntax_error(source, dollar, match)
        literals.append(source[start:dollar])
        names.append(match.group())
        start = match.end() + 1


def _syntax_error(source: str, dollar: int, match: re.Match[str] | None) -> TemplateSyntaxError:
    after = dollar + 2
    if match is None:
        if after == len(source):
            message = f'unterminated placeholder "${{" at the end of the text; {_ALLOWED}'
        elif source[after] == "}":
            message = f'empty placeholder "${{}}"; {_ALLOWED}'
        else:
            message = f"placeholder name cannot start with {quote(source[after])}; {_ALLOWED}"
    else:
        opened = quote(source[dollar : match.end()])
        if match.end() == len(source):
            message = f'unterminated placeholder {opened}: it needs a closing "}}"; {_ALLOWED}'
        else:
            found = quote(source[match.end()])
            message = (
                f'placeholder {opened} goes on with {found} where "}}" must close it; {_ALLOWED}'
            )
    line_start = source.rfind("\n", 0, dollar) + 1
    return TemplateSyntaxError(
        message,
        lineno=source.count("\n", 0, dollar) + 1,
        column=dollar - line_start + 1,
        source=source,
    )


def _render_general(plan: _Plan, params: object, extra: object, missing: object) -> str:
    """Render through every check, building the text in Python.

    The path of calls through the class, of templates too long to generate code for, and of
    a generated function's fast attempt that failed (so that this call reports why).
    """
    values = _values(plan, params, extra, missing)
    literals, names = plan[0], plan[1]
    parts = [literals[0]]
    for index, name in enumerate(names, 1):
        parts.append(values[name])
        parts.append(literals[index])
    return "".join(parts)


def _values(plan: _Plan, params: object, extra: object, missing: object) -> dict[str, str]:
    """Check a render call and read its values: a plain dict with a string for every name.

    Each placeholder is read once, in order of first appearance; with ``missing="keep"`` an
    absent one maps to its own source text. ``extra`` is what the caller passed after
    ``params`` positionally (:data:`_NO_EXTRA` when nothing was).
    """
    if extra is not _NO_EXTRA:
        raise TypeError(
            "Template.render() takes 1 positional argument (params) but 2 were given; "
            "missing is keyword-only"
        )
    if (
        missing is not _ERROR
        and missing is not _KEEP
        and not (is_str(missing) and missing in _MODES)
    ):
        raise ValueError(f'missing must be "error" or "keep", not {quote(missing)}')
    # A dict subclass is a Mapping; asking its real type first spares it the ABC's check.
    if not issubclass(type(params), dict) and not isinstance(params, cabc.Mapping):
        raise TypeError(
            f"params must be a mapping of parameter names to strings, not {type(params).__name__}"
        )
    mapping = t.cast("cabc.Mapping[str, object]", params)
    values: dict[str, str] = {}
    absent: list[str] = []
    for name in plan[2]:
        try:
            value = mapping[name]
        except KeyError:
            absent.append(name)
            continue
        if type(value) is not str and not is_str(value):
            raise TypeError(f"parameter {quote(name)} must be a string, not {describe(value)}")
        values[name] = value
    if absent:
        if missing == "error":
            raise MissingParameters(absent)
        for name in absent:
            values[name] = "${" + name + "}"
    return values


# Markers the generated source holds where a template's own strings go. Each becomes one entry
# of the compiled code's constants, which a template replaces with its exact str objects: no
# template text is ever compiled. Keys are markers without a backslash, which an f-string
# expression cannot hold before Python 3.12.
def _literal_marker(index: int) -> str:
    return f"\x00L{index}"


def _name_marker(index: int) -> str:
    return f"#N{index}"


_DOC_MARKER = "\x00doc"

# What the generated code may name: nothing else, not even the builtins.
_GENERATED_GLOBALS: dict[str, t.Any] = {
    "__builtins__": {},
    "__name__": __name__,
    "KeyError": KeyError,
    "TypeError": TypeError,
    "type": type,
    "ERROR": _ERROR,
    "KEEP": _KEEP,
    "NO_EXTRA": _NO_EXTRA,
    "general": _render_general,
    "values": _values,
}

# The opcode that converts one f-string field to text: FORMAT_VALUE up to Python 3.12,
# FORMAT_SIMPLE from 3.13.
_FORMAT = opcode.opmap.get("FORMAT_VALUE", opcode.opmap.get("FORMAT_SIMPLE"))
_NOP = opcode.opmap["NOP"]


def _generated_source(count: int, *, joined: bool) -> str:
    """The Python source of the render function for ``count`` placeholder occurrences.

    With ``joined``, the text is built by ``"".join``; otherwise by an f-string whose field
    conversions :func:`_unformatted` removes.
    """
    keys = [f"params[{_name_marker(index)!r}]" for index in range(count)]
    if joined:
        items = [repr(_literal_marker(0))]
        for index, key in enumerate(keys, 1):
            items += [key, repr(_literal_marker(index))]
        build = f'"".join(({", ".join(items)},))'
    else:
        # An f-string's text parts take escapes, not repr quotes: the repr's inside.
        texts = [repr(_literal_marker(index))[1:-1] for index in range(count + 1)]
        build = 'f"' + texts[0] + "".join(f"{{{key}}}{texts[i]}" for i, key in enumerate(keys, 1))
        build += '"'
    return (
        "def render(_plan, params, _dict=NO_EXTRA, /, missing=ERROR):\n"
        f"    {_DOC_MARKER!r}\n"
        "    if (\n"
        "        (missing is not ERROR and missing is not KEEP)\n"
        "        or type(params) is not _dict\n"
        "    ):\n"
        "        params = values(_plan, params, _dict, missing)\n"
        "    try:\n"
        f"        return {build}\n"
        "    except (KeyError, TypeError):\n"
        "        pass\n"
        "    return general(_plan, params, NO_EXTRA, missing)\n"
    )


def _markers(count: int) -> list[str]:
    """The markers of a template's own constants, in the order of its interleaved parts."""
    markers = [_literal_marker(0)]
    for index in range(count):
        markers += [_name_marker(index), _literal_marker(index + 1)]
    return markers


def _unformatted(code: types.CodeType, count: int) -> types.CodeType | None:
    """``code`` with its f-string field conversions replaced by no-ops, or None if it has not
    exactly ``count`` of them (a compiler this module does not know)."""
    if count == 0:
        return code
    if _FORMAT is None:
        return None
    units = bytearray(code.co_code)
    # Instructions and their inline caches are two-byte units; a field of an exact str has
    # conversion argument 0.
    found = [at for at in range(0, len(units), 2) if units[at] == _FORMAT and units[at + 1] == 0]
    if len(found) != count:
        return None
    for at in found:
        units[at] = _NOP
    return code.replace(co_code=bytes(units))


def _compiled(count: int, *, joined: bool) -> types.CodeType:
    namespace: dict[str, t.Any] = {}
    exec(_generated_source(count, joined=joined), _GENERATED_GLOBALS, namespace)
    code: types.CodeType = namespace["render"].__code__
    return code


@functools.lru_cache(maxsize=_MAX_GENERATED + 1)
def _factory(count: int) -> cabc.Callable[[_Plan], _Render]:
    """A maker of render functions for templates with ``count`` placeholder occurrences.

    A made function is what ``tpl.render`` answers. In one frame it checks that ``missing`` is
    ``"error"`` or ``"keep"`` and that ``params`` is exactly a dict with nothing passed after it
    (see :data:`_NO_EXTRA`), then builds the text with a single ``BUILD_STRING`` instruction:
    its f-string has no field conversions, so the instruction inserts each value's str data as
    ``"".join`` does and raises ``TypeError`` for a value that is not a string, never calling a
    value's ``__format__`` or ``__str__``. A missing name or a value that is not a string sends
    the call to :func:`_render_general`, which reports it (or, with ``"keep"``, fills the
    gaps); any other call has its values read and checked by :func:`_values` first, into a dict
    the f-string cannot fail on. Looking a str key up in an exact dict runs no Python code, so
    the fast attempt reading a name twice (a repeated placeholder, or again after a failure) is
    unobservable; other mappings are read once per name, by :func:`_values`.

    Where the compiler emits another shape than the expected field conversions, the function
    builds with ``"".join`` instead: the same behaviour, for the cost of a method call.

    The code is compiled once per ``count``; a template gets a copy whose constants are its own
    literals and names, bound to its plan, so building a template compiles nothing.
    """
    code = _unformatted(_compiled(count, joined=False), count) or _compiled(count, joined=True)
    code = code.replace(co_qualname="Template.render")
    consts = list(code.co_consts)
    if _DOC_MARKER in consts:  # not under python -OO, which drops docstrings
        consts[consts.index(_DOC_MARKER)] = Template.render.__doc__
    markers = _markers(count)
    if not all(marker in consts for marker in markers):
        raise AssertionError(f"the code generated for {count} placeholders lost a marker")
    # A template's constants are picked from the shared ones followed by its own parts (one
    # position more than there are constants, so that itemgetter always gives a tuple).
    part = {marker: len(consts) + offset for offset, marker in enumerate(markers)}
    positions = [
        part.get(const, at) if type(const) is str else at for at, const in enumerate(consts)
    ]
    pick = operator.itemgetter(*positions, 0)
    shared = tuple(consts)
    replace = code.replace
    function = types.FunctionType
    method = types.MethodType
    defaults = (_NO_EXTRA, _ERROR)
    size = 2 * count + 1

    def make(plan: _Plan) -> _Render:
        parts: list[object] = [None] * size
        parts[::2] = plan[0]
        parts[1::2] = plan[1]
        constants = pick((*shared, *parts))[:-1]
        render = function(replace(co_consts=constants), _GENERATED_GLOBALS, "render", defaults)
        return method(render, plan)

    return make
