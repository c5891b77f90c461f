"""The ``${name}`` template language: a linear scanner that builds a :class:`Template`, and render.

>>> Template("Hello, ${who}").render({"who": "XiaoMing"})
'Hello, XiaoMing'
"""

from __future__ import annotations

import collections.abc as cabc
import functools
import re
import typing as t

from .errors import MissingParameters, TemplateSyntaxError
from .problems import describe, quote
from .rules import is_str

__all__ = ["Template"]

Missing = t.Literal["error", "keep"]

# The name grammar of DESIGN section 2. Written as explicit ASCII ranges (not \w) and matched
# at a known position with .match(), so a scan never backtracks: parsing stays linear.
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*")

_ALLOWED = 'a placeholder is ${name}: a letter or "_", then letters, digits, "_", "." or "-"'

# The default of `missing`, compared by identity first so the common call pays no string compare.
_ERROR: Missing = "error"
_MODES = ("error", "keep")

# Templates with more placeholders than this render through the general loop; below it, through
# a generated function, whose compile cost and code size stay bounded.
_MAX_GENERATED = 64


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

    __slots__ = ("_literals", "_names", "_placeholders", "_render", "_source")

    _source: str
    _literals: tuple[str, ...]
    _names: tuple[str, ...]
    _placeholders: tuple[str, ...]
    _render: cabc.Callable[[cabc.Mapping[str, object]], str] | None

    def __init__(self, source: str) -> None:
        if not is_str(source):
            raise TypeError(f"a template source must be a string, not {type(source).__name__}")
        # A str subclass could override slicing or find; keep an exact str copy.
        source = str.__str__(source)
        literals, names = _scan(source)
        setattr_ = object.__setattr__
        setattr_(self, "_source", source)
        setattr_(self, "_literals", literals)
        setattr_(self, "_names", names)
        setattr_(self, "_placeholders", tuple(dict.fromkeys(names)))
        fast = (
            _factory(len(names))(*_interleave(literals, names))
            if len(names) <= _MAX_GENERATED
            else None
        )
        setattr_(self, "_render", fast)

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
        if missing is not _ERROR and not (is_str(missing) and missing in _MODES):
            raise ValueError(f'missing must be "error" or "keep", not {quote(missing)}')
        if type(params) is not dict and not isinstance(params, cabc.Mapping):
            raise TypeError(
                "params must be a mapping of parameter names to strings, "
                f"not {type(params).__name__}"
            )
        fast = self._render
        if fast is not None:
            # The common case, every parameter present and a string, costs one generated join.
            # Anything else (a missing name, a non-string value) is sorted out by the general
            # path, which finds all missing names and names the wrong value.
            try:
                return fast(params)
            except (KeyError, TypeError):
                pass
        return self._render_general(params, missing)

    def _render_general(self, params: cabc.Mapping[str, object], missing: str) -> str:
        values: dict[str, str] = {}
        absent: list[str] = []
        for name in self._placeholders:
            try:
                value = params[name]
            except KeyError:
                absent.append(name)
                continue
            if not is_str(value):
                raise TypeError(f"parameter {quote(name)} must be a string, not {describe(value)}")
            values[name] = value
        if absent:
            if missing == "error":
                raise MissingParameters(absent)
            for name in absent:
                values[name] = "${" + name + "}"
        literals = self._literals
        parts = [literals[0]]
        for index, name in enumerate(self._names, 1):
            parts.append(values[name])
            parts.append(literals[index])
        return "".join(parts)

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
        source = self._source
        if len(source) <= 80:
            return f"{type(self).__name__}({source!r})"
        count = len(self._placeholders)
        return (
            f"<{type(self).__name__} {source[:60]!r}... ({len(source)} characters, "
            f"{count} placeholder{'' if count == 1 else 's'})>"
        )

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


def _interleave(literals: tuple[str, ...], names: tuple[str, ...]) -> list[str]:
    parts = [literals[0]]
    for name, literal in zip(names, literals[1:], strict=True):
        parts.append(name)
        parts.append(literal)
    return parts


@functools.lru_cache(maxsize=_MAX_GENERATED + 1)
def _factory(count: int) -> cabc.Callable[..., cabc.Callable[[cabc.Mapping[str, object]], str]]:
    """A maker of render functions for templates with ``count`` placeholder occurrences.

    The generated code depends only on ``count``: literals and names arrive as closure
    variables, so no template text is ever compiled. One dictionary lookup per placeholder and
    one C-level join beat ``str.format_map``; a missing name raises ``KeyError`` and a value
    that is not a string makes the join raise ``TypeError``, both handled by the caller.
    """
    args = ["L0"]
    items = ["L0"]
    for index in range(count):
        args += [f"N{index}", f"L{index + 1}"]
        items += [f"p[N{index}]", f"L{index + 1}"]
    code = (
        f"def make({', '.join(args)}):\n"
        f"    def render(p):\n"
        f"        return ''.join(({', '.join(items)},))\n"
        f"    return render\n"
    )
    namespace: dict[str, t.Any] = {}
    exec(code, {"__builtins__": {}}, namespace)
    return t.cast(
        "cabc.Callable[..., cabc.Callable[[cabc.Mapping[str, object]], str]]", namespace["make"]
    )
