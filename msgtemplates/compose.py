"""Typed parameters: the ``[parameters]`` declarations of a catalog, Babel formatting, compose.

This module owns what a declaration means (its types and formats, which of them Babel accepts,
the lint checks of a declaration table), how a typed value becomes the text of one language
(``babel.numbers`` and ``babel.dates``, by the declared type), and :func:`compose`, which turns a
catalog template and typed values into a sendByAccessToken request that
:func:`~msgtemplates.check_request` accepts. :meth:`msgtemplates.Catalog.compose` delegates here;
:func:`parse_cli_value`, :func:`render_typed` and :func:`fill_request` are what the command
line calls for ``-p amount=38.00:HKD``. Babel loads only when a value is formatted or a format
is checked.

>>> from msgtemplates import Catalog
>>> catalog = Catalog(
...     {"TP_1": {"en-US": "Paid ${amount}"}}, parameters={"TP_1": {"amount": "currency"}}
... )
>>> catalog.parameters("TP_1")["amount"]
ParameterType(type='currency', format=None)
"""

from __future__ import annotations

import collections.abc as cabc
import contextlib
import dataclasses
import datetime
import decimal
import functools
import json
import math
import types
import typing as t

from . import problems as build
from .errors import (
    CatalogError,
    MissingParameters,
    MsgTemplatesError,
    RequestInvalid,
    TemplateSyntaxError,
)
from .locales import best_match, canonical_tag
from .problems import Problem, describe, escape_pointer, quote
from .rules import LINK_PARAMETERS, is_dict, is_list, is_str
from .template import Template
from .validation import check_request

if t.TYPE_CHECKING:
    from babel import Locale

    from .catalog import Catalog, Rendered

__all__ = [
    "TYPES",
    "ParameterType",
    "TemplateTexts",
    "compose",
    "declaration_lines",
    "declaration_problems",
    "declarations",
    "fill_request",
    "load_declarations",
    "parse_cli_value",
    "render_typed",
]

#: The parameter types a declaration may name, ``text`` being the default.
TYPES: tuple[str, ...] = (
    "text",
    "number",
    "decimal",
    "percent",
    "currency",
    "date",
    "time",
    "datetime",
)

#: The most content templates one request holds.
MAX_CONTENT_TEMPLATES = 5

# The most digits a number may have before its decimal point: far beyond any amount, and it keeps
# the formatted text (and Babel's work) bounded whatever the input.
MAX_DIGITS = 1000

_NUMBERS = frozenset({"number", "decimal"})
_MOMENTS = frozenset({"date", "time", "datetime"})
_DATE_NAMES = ("short", "medium", "long", "full")
# CLDR date pattern letters a date alone cannot fill, and those a time alone cannot.
_TIME_FIELDS = "abBhHkKmsSAzZOvVXx"
_DATE_FIELDS = "GyYuUrQqMLlwWdDFgEec"
_NUMBER_NAMES = ("short", "long")
_CURRENCY_NAMES = ("standard", "accounting", "name", "short")
_DECLARATION_KEYS = ("type", "format")
_SHAPES = (
    'use a type name such as "currency" or a table such as { type = "datetime", format = "medium" }'
)

# What a number typed on the command line may hold (Decimal also reads "1_000" and "Infinity").
_CLI_NUMBER_CHARACTERS = frozenset("0123456789+-.eE")

_NUMBER_NEEDS = "a number (int, Decimal or float)"
_CURRENCY_NEEDS = 'an (amount, currency code) pair such as (Decimal("38.00"), "HKD")'
_MOMENT_NEEDS = "an aware datetime.datetime (with tzinfo)"
_DATE_NEEDS = "a datetime.date or an aware datetime.datetime"
_TEXT_NEEDS = "a str, or a mapping of language tags to str"

_CLI_FORMS = {
    "text": "any text",
    "number": "a number such as 12 or 38.50",
    "decimal": "a number such as 12 or 38.50",
    "percent": "a fraction such as 0.15 or a percentage such as 15%",
    "currency": "AMOUNT:CODE such as 38.00:HKD",
    "date": "a date such as 2024-05-17, or a date and time with its offset",
    "time": "a date and time with its offset such as 2024-05-17T10:30+08:00",
    "datetime": "a date and time with its offset such as 2024-05-17T10:30+08:00",
}


@dataclasses.dataclass(frozen=True, slots=True)
class ParameterType:
    """How a catalog formats one parameter: a type of :data:`TYPES` and an optional format.

    ``format`` is a Babel format name or a CLDR pattern: ``short``, ``medium``, ``long``,
    ``full`` or a date pattern (``"d MMM y, HH:mm"``) for ``date``, ``time`` and ``datetime``;
    ``short`` or ``long`` (compact: ``12K``) or a number pattern (``"#,##0.00"``) for ``number``
    and ``decimal``; a number pattern with ``%`` for ``percent``; ``standard``, ``accounting``,
    ``name``, ``short`` or a number pattern for ``currency``; none for ``text``.

    A declaration Babel cannot use (an unknown type, a format Babel rejects) is still a value:
    :attr:`problem` says what is wrong, :meth:`msgtemplates.Catalog.lint` reports it as
    ``parameterType`` and composing its template raises :class:`ValueError`.

    :param type: the type name, as declared.
    :param format: the format, or ``None`` for the type's default (``medium`` for dates).
    :raises TypeError: ``type`` or ``format`` is not a string.

    >>> ParameterType("datetime", "medium").problem is None
    True
    >>> print(ParameterType("money").problem)
    the unknown type "money"; use one of text, number, decimal, percent, currency, date, time, \
datetime
    """

    type: str = "text"
    format: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.type, str):
            raise TypeError(f"a parameter type must be a string, not {describe(self.type)}")
        if self.format is not None and not isinstance(self.format, str):
            raise TypeError(f"a parameter format must be a string, not {describe(self.format)}")
        # Plain str copies: a str subclass's own methods never run in formatting.
        object.__setattr__(self, "type", str.__str__(self.type))
        if self.format is not None:
            object.__setattr__(self, "format", str.__str__(self.format))

    @property
    def problem(self) -> str | None:
        """Why Babel cannot format by this declaration, or ``None`` when it can.

        Checked once per distinct declaration (type and format), whatever the catalog.
        """
        return _problem(self.type, self.format)

    @property
    def declaration(self) -> str | dict[str, str]:
        """The declaration as a catalog file writes it: ``"currency"`` or a table.

        >>> ParameterType("datetime", "short").declaration
        {'type': 'datetime', 'format': 'short'}
        """
        if self.format is None:
            return self.type
        return {"type": self.type, "format": self.format}


_TEXT = ParameterType()


@dataclasses.dataclass(frozen=True, slots=True)
class TemplateTexts:
    """One catalog template as :func:`compose` and :func:`declaration_problems` read it.

    :meth:`msgtemplates.Catalog.compose` and :meth:`~msgtemplates.Catalog.lint` build it; users
    call those.

    :param code: the template code.
    :param languages: the catalog languages, in the order given.
    :param default: the language shown when nothing fits.
    :param templates: per language, its parsed text or the syntax error the text raised.
    :param parameters: the declarations, or ``None`` when the template has no table.
    :param choose: the index of the text the catalog renders for a language (its best match,
        else the default), or ``None`` when there is none.
    """

    code: str
    languages: tuple[str, ...]
    default: str
    templates: tuple[Template | TemplateSyntaxError, ...]
    parameters: cabc.Mapping[str, ParameterType] | None
    choose: cabc.Callable[[str], int | None]


# ----------------------------------------------------------------------------- declarations


def declarations(
    parameters: object, /, *, codes: cabc.Container[str]
) -> dict[str, cabc.Mapping[str, ParameterType]]:
    """Read ``Catalog(..., parameters=...)``: template code -> parameter name -> declaration.

    A declaration is a type name (``"currency"``), a mapping with ``type`` and an optional
    ``format``, or a :class:`ParameterType`. An unknown type or a format Babel rejects is no
    error here (see :attr:`ParameterType.problem`); a declaration of the wrong shape is.

    :param parameters: the argument as given.
    :param codes: the template codes of the catalog.
    :returns: per code, its declarations in the order given (read-only).
    :raises TypeError: a mapping, code, name, type or format of the wrong type.
    :raises ValueError: a code not among ``codes``, or a declaration with unknown keys or no
        ``type``.

    >>> declarations({"TP_1": {"n": "number"}}, codes={"TP_1"})["TP_1"]["n"]
    ParameterType(type='number', format=None)
    """
    if not isinstance(parameters, cabc.Mapping):
        raise TypeError(
            "parameters must be a mapping of template code to declarations, "
            f"not {describe(parameters)}"
        )
    result: dict[str, cabc.Mapping[str, ParameterType]] = {}
    for code, table in parameters.items():
        if not isinstance(code, str):
            raise TypeError(f"parameters must be keyed by template code, not {describe(code)}")
        if code not in codes:
            raise ValueError(
                f"parameters names template code {quote(code)}, which templates does not hold"
            )
        if not isinstance(table, cabc.Mapping):
            raise TypeError(
                f"template {quote(code)} must map parameter names to declarations, "
                f"not be {describe(table)}"
            )
        declared: dict[str, ParameterType] = {}
        for name, declaration in table.items():
            if not isinstance(name, str):
                raise TypeError(
                    f"template {quote(code)} names a parameter with {describe(name)}; "
                    "names are strings"
                )
            parsed, wrong, error = _declare(name, declaration)
            if parsed is None:
                raise error(f"template {quote(code)} {wrong}")
            declared[str.__str__(name)] = parsed
        result[str.__str__(code)] = types.MappingProxyType(declared)
    return result


def load_declarations(table: object, /, *, path: str, text: str) -> dict[str, ParameterType]:
    """Read the ``parameters`` table of one catalog file (TOML or JSON), as parsed.

    :param table: the parsed ``parameters`` value.
    :param path: the file, for errors.
    :param text: the file's text, to find the line of a wrong declaration.
    :returns: the declarations in the order given.
    :raises CatalogError: a table or declaration of the wrong shape (a number where a type
        belongs, unknown keys, no ``type``), naming the file and, where found, the line.
    """
    if not isinstance(table, dict):
        raise CatalogError(
            f'has parameters of {describe(table)}; use a table of name = "type" declarations',
            path=path,
            lineno=_line_of(text, "parameters", after=None),
        )
    declared: dict[str, ParameterType] = {}
    for name, declaration in table.items():
        parsed, wrong, _ = _declare(name, declaration)
        if parsed is None:
            raise CatalogError(wrong, path=path, lineno=_line_of(text, name, after="parameters"))
        declared[str.__str__(name)] = parsed
    return declared


_Shape = tuple[ParameterType | None, str, type[TypeError] | type[ValueError]]


def _declare(name: str, declaration: object) -> _Shape:
    """The declaration, or ``None``, what is wrong with its shape (a phrase that follows the
    template or file it is in) and the exception that fits: TypeError for a value of the wrong
    type, ValueError for wrong keys."""
    named = quote(name)
    if isinstance(declaration, ParameterType):
        return declaration, "", TypeError
    if isinstance(declaration, str):
        return ParameterType(declaration), "", TypeError
    if not isinstance(declaration, cabc.Mapping):
        return None, f"declares parameter {named} as {describe(declaration)}; {_SHAPES}", TypeError
    unknown = [key for key in declaration if key not in _DECLARATION_KEYS]
    if unknown:
        listed = ", ".join(quote(key) for key in unknown[:10])
        if len(unknown) > 10:
            listed += f" and {len(unknown) - 10} more"
        noun = "key" if len(unknown) == 1 else "keys"
        return (
            None,
            f"has unknown {noun} {listed} in the declaration of parameter {named}; "
            "a declaration's keys are type and format",
            ValueError,
        )
    if "type" not in declaration:
        return (
            None,
            f'has no type in the declaration of parameter {named}; add type = "text" or '
            f"another of {', '.join(TYPES)}",
            ValueError,
        )
    kind = declaration["type"]
    form = declaration.get("format")
    if not isinstance(kind, str):
        return (
            None,
            f"declares parameter {named} with a type of {describe(kind)}; the type is a "
            'string such as "currency"',
            TypeError,
        )
    if "format" in declaration and not isinstance(form, str):
        return (
            None,
            f"declares parameter {named} with a format of {describe(form)}; the format is a "
            'string such as "medium" or "#,##0.00"',
            TypeError,
        )
    return ParameterType(kind, form), "", TypeError


def declaration_lines(text: str, names: cabc.Iterable[str], /) -> dict[str, int]:
    """Where each declaration stands in a catalog file's text, for ``Catalog.where``.

    :returns: ``"parameters/<name>"`` -> 1-based line, for the names found (best effort).

    >>> declaration_lines('[content]\\n"en-US" = "${n}"\\n[parameters]\\nn = "number"\\n', ["n"])
    {'parameters/n': 4}
    """
    found: dict[str, int] = {}
    for name in names:
        line = _line_of(text, name, after="parameters")
        if line is not None:
            found[f"parameters/{name}"] = line
    return found


def _line_of(text: str, key: str, *, after: str | None) -> int | None:
    """The 1-based line where ``key`` is written as a key, searching from the line of ``after``.

    Only for the message of a file that failed to load; ``None`` when no line fits.
    """
    lines = text.split("\n")
    start = 0
    if after is not None:
        start = next((i for i, line in enumerate(lines) if _writes_key(line, after)), 0)
    return next((i + 1 for i in range(start, len(lines)) if _writes_key(lines[i], key)), None)


def _writes_key(line: str, key: str) -> bool:
    """Whether a TOML or JSON line writes ``key`` as a key (``key =``, ``"key":``, ``[a.key]``)."""
    for spelling in (json.dumps(key, ensure_ascii=False), f"'{key}'", f'"{key}"', key):
        at = line.find(spelling)
        while at >= 0:
            before = line[at - 1] if at else " "
            end = at + len(spelling)
            after = line[end : end + 80].lstrip(" \t")
            if before in " \t{,.[" and after[:1] in ("=", ":", "]", "."):
                return True
            at = line.find(spelling, at + 1)
    return False


def _unquoted(pattern: str) -> str:
    """A CLDR date pattern without its quoted literal text (``'at'``, ``''`` for a quote)."""
    kept: list[str] = []
    quoted = False
    for char in pattern:
        if char == "'":
            quoted = not quoted
        elif not quoted:
            kept.append(char)
    return "".join(kept)


def _is_currency_code(code: str) -> bool:
    return len(code) == 3 and code.isascii() and code.isalpha() and code.isupper()


@functools.lru_cache(maxsize=512)
def _problem(kind: str, form: str | None) -> str | None:
    if kind not in TYPES:
        return f"the unknown type {quote(kind)}; use one of {', '.join(TYPES)}"
    if form is None:
        return None
    shown = quote(form)
    if kind == "text":
        return f"type text and the format {shown}; text takes no format, remove it"
    if kind in _MOMENTS:
        allowed = f'use {", ".join(_DATE_NAMES)} or a CLDR date pattern such as "d MMM y, HH:mm"'
        if form in _DATE_NAMES:
            return None
        unquoted = _unquoted(form)
        from babel.dates import PATTERN_CHARS

        strange = sorted(
            {c for c in unquoted if c.isascii() and c.isalpha() and c not in PATTERN_CHARS}
        )
        if strange:
            letters = ", ".join(strange[:10])
            return (
                f"the {kind} format {shown}, whose letters {letters} are no CLDR date field "
                f"(quote literal text as 'at'); {allowed}"
            )
        alien = _TIME_FIELDS if kind == "date" else _DATE_FIELDS if kind == "time" else ""
        fields = sorted({c for c in unquoted if c in alien})
        if fields:
            what = "time or zone" if kind == "date" else "date"
            return (
                f"the {kind} format {shown}, which holds the {what} fields {', '.join(fields)}; "
                f"declare a datetime, or {allowed}"
            )
    else:
        allowed = _number_allowed(kind)
        names = (
            _CURRENCY_NAMES if kind == "currency" else _NUMBER_NAMES if kind != "percent" else ()
        )
        if form in names:
            return None
        if not any(c in form for c in "0#@"):
            return f"the {kind} format {shown}, which holds no digits (0, # or @); {allowed}"
        if kind == "percent" and "%" not in form and "\u2030" not in form:
            return f"the percent format {shown}, which holds no % sign; {allowed}"
    try:
        probe = _PROBES[kind](ParameterType(kind, form))
    except Exception as err:
        reason = quote(str(err) or type(err).__name__)
        return f"the {kind} format {shown}, which Babel rejects ({reason}); {allowed}"
    if not probe.strip():
        return f"the {kind} format {shown}, which gives empty text; {allowed}"
    return None


def _number_allowed(kind: str) -> str:
    if kind == "percent":
        return 'use a CLDR number pattern with %, such as "#,##0.0%"'
    if kind == "currency":
        return f'use {", ".join(_CURRENCY_NAMES)} or a CLDR number pattern such as "\u00a4#,##0.00"'
    return 'use short, long or a CLDR number pattern such as "#,##0.00"'


def _probe_moment(parameter: ParameterType) -> str:
    moment = datetime.datetime(2024, 5, 17, 10, 30, 15, tzinfo=datetime.UTC)
    value: object = moment.date() if parameter.type == "date" else moment
    return _formatter(parameter)(value, _babel_locale("en-US") or _root(), datetime.UTC)


def _probe_number(parameter: ParameterType) -> str:
    value: object = decimal.Decimal("1234.5")
    if parameter.type == "currency":
        value = (value, "USD")
    elif parameter.type == "percent":
        value = decimal.Decimal("0.125")
    return _formatter(parameter)(value, _babel_locale("en-US") or _root(), datetime.UTC)


_PROBES: dict[str, cabc.Callable[[ParameterType], str]] = {
    "number": _probe_number,
    "decimal": _probe_number,
    "percent": _probe_number,
    "currency": _probe_number,
    "date": _probe_moment,
    "time": _probe_moment,
    "datetime": _probe_moment,
}


def declaration_problems(texts: TemplateTexts, /) -> list[Problem]:
    """The lint problems of a template's declarations (none without a ``[parameters]`` table).

    First per declaration, in the order given, at ``/<templateCode>/parameters/<name>``:
    ``parameterType`` (error: an unknown type or a format Babel rejects), then
    ``unusedDeclaration`` (warning: no text of the template uses it). Then ``undeclaredParameter``
    (warning; it is formatted as text) once per placeholder the table does not declare, at the
    first text that uses it, ``/<templateCode>/<language>``. Texts with a syntax error are
    skipped (``templateSyntax`` reports them).

    :param texts: the template, as the catalog gives it.
    :returns: the problems, in that order.
    """
    declared = texts.parameters
    if declared is None:
        return []
    base = "/" + escape_pointer(texts.code)
    used: dict[str, str] = {}
    for language, parsed in zip(texts.languages, texts.templates, strict=True):
        if isinstance(parsed, Template):
            for name in parsed.placeholders:
                used.setdefault(name, language)
    problems: list[Problem] = []
    for name, parameter in declared.items():
        at = f"{base}/parameters/{escape_pointer(name)}"
        problem = parameter.problem
        if problem is not None:
            problems.append(build.parameter_type(at, name, problem))
        if name not in used:
            problems.append(build.unused_declaration(at, name, parameter.type))
    for name, language in used.items():
        if name not in declared:
            problems.append(build.undeclared_parameter(f"{base}/{escape_pointer(language)}", name))
    return problems


def _require_usable(texts: TemplateTexts) -> cabc.Mapping[str, ParameterType]:
    """The template's declarations; ValueError naming the first one Babel cannot use."""
    declared = texts.parameters
    if not declared:
        return types.MappingProxyType({})
    for name, parameter in declared.items():
        problem = parameter.problem
        if problem is not None:
            message = build.parameter_type("", name, problem).message
            raise ValueError(f"template {quote(texts.code)}: {message}; fix its parameters table")
    return declared


# ----------------------------------------------------------------------------- formatting


@functools.lru_cache(maxsize=1024)
def _babel_locale(tag: str) -> Locale | None:
    """Babel's locale for a hyphenated tag, or ``None`` when Babel has none that fits."""
    from babel import Locale, UnknownLocaleError

    canonical = canonical_tag(tag)
    if canonical is None:
        return None
    parts = canonical.split("-")
    script = next((part for part in parts[1:] if len(part) == 4), None)
    try:
        locale = Locale.parse("_".join(parts))
    except (UnknownLocaleError, ValueError, TypeError):
        return None
    if script is not None and locale.script is not None and locale.script != script:
        # Babel's aliases turn zh_Hant_CN into zh_Hans_CN: another script is no fit.
        return None
    return locale


@functools.cache
def _root() -> Locale:
    from babel import Locale

    return Locale("root")


@functools.lru_cache(maxsize=1024)
def _locale_for(*tags: str) -> Locale:
    """Babel's locale for the first tag it knows (request language, catalog language, ...)."""
    for tag in tags:
        locale = _babel_locale(tag)
        if locale is not None:
            return locale
    return _root()


@functools.lru_cache(maxsize=256)
def _zone_named(name: str) -> datetime.tzinfo:
    import zoneinfo

    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError) as err:
        raise ValueError(
            f'tz {quote(name)} is not a time zone name; use an IANA name such as "Asia/Hong_Kong" '
            "or a datetime.tzinfo"
        ) from err


def _zone(tz: object) -> datetime.tzinfo:
    if isinstance(tz, datetime.tzinfo):
        return tz
    if isinstance(tz, str):
        return _zone_named(str.__str__(tz))
    raise TypeError(f"tz must be a time zone name or a datetime.tzinfo, not {describe(tz)}")


Formatter = cabc.Callable[[t.Any, "Locale", datetime.tzinfo], str]


@functools.lru_cache(maxsize=512)
def _formatter(parameter: ParameterType) -> Formatter:
    """The Babel call for a usable declaration, taking a checked value, a locale and a zone."""
    kind, form = parameter.type, parameter.format
    if kind in _MOMENTS:
        from babel import dates

        pattern = form or "medium"
        if kind == "date":

            def format_date(value: t.Any, locale: Locale, zone: datetime.tzinfo) -> str:
                if isinstance(value, datetime.datetime):
                    value = value.astimezone(zone).date()
                return dates.format_date(value, pattern, locale=locale)

            return format_date
        call = dates.format_time if kind == "time" else dates.format_datetime

        def format_moment(value: t.Any, locale: Locale, zone: datetime.tzinfo) -> str:
            return call(value.astimezone(zone), pattern, tzinfo=zone, locale=locale)

        return format_moment
    from babel import numbers

    if kind == "currency":
        if form == "short":

            def compact_currency(value: t.Any, locale: Locale, zone: datetime.tzinfo) -> str:
                return numbers.format_compact_currency(
                    value[0], value[1], format_type="short", locale=locale
                )

            return compact_currency
        kwargs: dict[str, t.Any] = (
            {"format_type": form} if form in _CURRENCY_NAMES else {"format": form}
        )

        def format_currency(value: t.Any, locale: Locale, zone: datetime.tzinfo) -> str:
            return numbers.format_currency(value[0], value[1], locale=locale, **kwargs)

        return format_currency
    if kind == "percent":

        def format_percent(value: t.Any, locale: Locale, zone: datetime.tzinfo) -> str:
            return numbers.format_percent(value, form, locale=locale)

        return format_percent
    if form in _NUMBER_NAMES:
        compact_type = t.cast(t.Literal["short", "long"], form)

        def compact(value: t.Any, locale: Locale, zone: datetime.tzinfo) -> str:
            return numbers.format_compact_decimal(value, format_type=compact_type, locale=locale)

        return compact

    def format_decimal(value: t.Any, locale: Locale, zone: datetime.tzinfo) -> str:
        return numbers.format_decimal(value, form, locale=locale)

    return format_decimal


def _number(name: str, value: object, needs: str) -> int | float | decimal.Decimal:
    """A finite number of bounded size, as a plain int, float or Decimal."""
    if isinstance(value, bool) or not isinstance(value, int | float | decimal.Decimal):
        raise TypeError(f"parameter {quote(name)} needs {needs}, not {describe(value)}")
    number: int | float | decimal.Decimal
    if isinstance(value, int):
        number = int(value)
        if number.bit_length() > MAX_DIGITS * 3.33:
            raise ValueError(
                f"parameter {quote(name)} is too large; give at most {MAX_DIGITS} digits"
            )
        return number
    if isinstance(value, float):
        number = float(value)
        finite = math.isfinite(number)
    else:
        number = decimal.Decimal(value)
        finite = number.is_finite()
    if not finite:
        raise ValueError(
            f"parameter {quote(name)} is {quote(str(number))}; it needs a finite number"
        )
    if isinstance(number, decimal.Decimal) and number and number.adjusted() >= MAX_DIGITS:
        raise ValueError(f"parameter {quote(name)} is too large; give at most {MAX_DIGITS} digits")
    return number


def _digits(number: object) -> int:
    """Digits before the point, so that Babel's decimal arithmetic never runs out of precision."""
    if isinstance(number, int):
        return len(str(abs(number)))
    as_decimal = decimal.Decimal(number) if isinstance(number, float) else number
    if isinstance(as_decimal, decimal.Decimal) and as_decimal:
        return max(1, as_decimal.adjusted() + 1)
    return 1


def _checked(parameter: ParameterType, name: str, value: object) -> tuple[object, int]:
    """The value in the form the type's formatter takes, and how many integer digits it has."""
    kind = parameter.type
    if kind in _NUMBERS or kind == "percent":
        number = _number(name, value, _NUMBER_NEEDS)
        return number, _digits(number) + (2 if kind == "percent" else 0)
    if kind == "currency":
        if not isinstance(value, tuple | list) or len(value) != 2:
            raise TypeError(
                f"parameter {quote(name)} needs {_CURRENCY_NEEDS}, not {describe(value)}"
            )
        amount = _number(name, value[0], _CURRENCY_NEEDS)
        code = value[1]
        if not isinstance(code, str):
            raise TypeError(
                f"parameter {quote(name)} needs {_CURRENCY_NEEDS}; its currency code is "
                f"{describe(code)}"
            )
        code = str.__str__(code)
        if not (_is_currency_code(code) and _known_currency(code)):
            hint = code.strip().upper()
            fix = (
                f"use {quote(hint)}"
                if _is_currency_code(hint) and _known_currency(hint)
                else 'use an ISO 4217 code such as "HKD"'
            )
            raise ValueError(
                f"parameter {quote(name)} has the unknown currency code {quote(code)}; {fix}"
            )
        return (amount, code), _digits(amount)
    if kind in _MOMENTS:
        if isinstance(value, datetime.datetime):
            try:
                aware = value.tzinfo is not None and value.utcoffset() is not None
            except Exception as err:
                raise ValueError(
                    f"parameter {quote(name)} has a tzinfo that gives no UTC offset; "
                    "use zoneinfo.ZoneInfo or datetime.timezone"
                ) from err
            if not aware:
                raise ValueError(
                    f"parameter {quote(name)} is a naive datetime; give an aware datetime "
                    "(with tzinfo), such as datetime(2024, 5, 17, 10, 30, tzinfo=ZoneInfo(...))"
                )
            return value, 1
        if kind == "date" and isinstance(value, datetime.date):
            return value, 1
        needs = _DATE_NEEDS if kind == "date" else _MOMENT_NEEDS
        raise TypeError(f"parameter {quote(name)} needs {needs}, not {describe(value)}")
    if not isinstance(value, str):
        raise TypeError(f"parameter {quote(name)} needs text: {_TEXT_NEEDS}, not {describe(value)}")
    return str.__str__(value), 0


#: A value as formatting takes it: checked, its integer digits, its key in the kept texts.
_Checked = tuple[object, int, "tuple[object, ...] | None"]


def _check(parameter: ParameterType, name: str, value: object, zone: datetime.tzinfo) -> _Checked:
    """:func:`_checked`, with the value's key among the kept texts (see :func:`_value_key`)."""
    checked, digits = _checked(parameter, name, value)
    return checked, digits, _value_key(parameter, checked, zone)


@functools.lru_cache(maxsize=512)
def _known_currency(code: str) -> bool:
    from babel.numbers import is_currency

    return bool(is_currency(code))


# Formatted texts already made: a campaign formats the same amount (and often the same date) in
# the same language for every message, and Babel takes some 15 us a value. A key holds every
# input the text depends on, so a hit is the text Babel gave for exactly those inputs; see
# _value_key. Bounded: the oldest entries go first.
_MEMO: dict[tuple[object, ...], str] = {}
_MEMO_LIMIT = 4096


def _value_key(
    parameter: ParameterType, checked: object, zone: datetime.tzinfo
) -> tuple[object, ...] | None:
    """What a formatted text depends on besides its language, or ``None`` for a value whose
    text is not kept (text values, which need no formatting, among them).

    Numbers go by type and exact spelling (``-0`` and ``0``, ``1.0`` and ``1.00`` are distinct)
    and by the decimal context Babel rounds in; moments by their instant in UTC (two wall times
    of a fold differ) and the zone object itself; dates by their fields. Only the standard
    library's own types are kept: a subclass or another tzinfo may do anything.
    """
    kind = parameter.type
    if kind == "text":
        return None
    declared = (kind, parameter.format)
    if kind in _MOMENTS:
        if type(checked) is datetime.date:
            return (declared, checked)
        if type(checked) is not datetime.datetime:
            return None
        plain = _plain_zones()
        if type(zone) not in plain or type(checked.tzinfo) not in plain:
            return None
        # The key holds the zone, so its id stays its own while the entry lives; two zones equal
        # in offset may still differ in name.
        return (declared, id(zone), zone, checked.astimezone(datetime.UTC))
    context = decimal.getcontext()
    rounding = (context.prec, context.rounding, context.Emin, context.Emax, context.clamp)
    if type(checked) is tuple:
        amount, code = checked
        return (declared, rounding, type(amount), str(amount), code)
    return (declared, rounding, type(checked), str(checked))


@functools.cache
def _plain_zones() -> tuple[type[datetime.tzinfo], ...]:
    """The tzinfo types whose behaviour the object alone fixes."""
    import zoneinfo

    return (datetime.timezone, zoneinfo.ZoneInfo)


def _format(
    parameter: ParameterType,
    name: str,
    value: _Checked,
    tags: tuple[str, ...],
    zone: datetime.tzinfo,
    language: str,
) -> str:
    """One value, as :func:`_check` gives it, as the text of one language; never lets Babel's
    own exception through.

    :param tags: the request language, then the catalog languages to fall back on; the first
        that Babel knows is the locale.
    """
    checked, digits, value_key = value
    if parameter.type == "text":
        return t.cast(str, checked)
    key = None if value_key is None else (value_key, tags)
    if key is not None:
        text = _MEMO.get(key)
        if text is not None:
            return text
    formatter = _formatter(parameter)
    locale = _locale_for(*tags)
    try:
        if digits > 20:
            with decimal.localcontext() as context:
                context.prec = digits + 30
                text = formatter(checked, locale, zone)
        else:
            text = formatter(checked, locale, zone)
    except (OverflowError, decimal.DecimalException) as err:
        raise ValueError(
            f"parameter {quote(name)} cannot be shown as {parameter.type} for {quote(language)}: "
            f"it is out of range ({type(err).__name__})"
        ) from err
    except Exception as err:
        raise ValueError(
            f"parameter {quote(name)} cannot be formatted as {parameter.type} for "
            f"{quote(language)}: Babel fails with {quote(str(err) or type(err).__name__)}"
        ) from err
    if key is not None:
        if len(_MEMO) >= _MEMO_LIMIT:
            # Another thread may take the same oldest entry first.
            with contextlib.suppress(KeyError, RuntimeError, StopIteration):
                del _MEMO[next(iter(_MEMO))]
        _MEMO[key] = text
    return text


# What _Resolver knows of a name it has not read yet.
_UNSEEN: tuple[cabc.Mapping[str, object], tuple[str, ...]] = (types.MappingProxyType({}), ())


class _Resolver:
    """The values of one compose call, per language: each value given per language is resolved
    with :func:`_pick`, and each value is checked once, whatever the languages."""

    __slots__ = ("_checked", "_default", "_per_language", "_values", "_zone")

    def __init__(self, values: cabc.Mapping[str, object], default: str, zone: datetime.tzinfo):
        self._values = values
        self._default = default
        self._zone = zone
        # name -> a value given per language and its tags, or None for a value given once.
        self._per_language: dict[str, tuple[cabc.Mapping[str, object], tuple[str, ...]] | None]
        self._per_language = {}
        # (name, the tag of a value given per language, or None) -> the value, checked.
        self._checked: dict[tuple[str, str | None], _Checked] = {}

    def _given(self, name: str) -> tuple[cabc.Mapping[str, object], tuple[str, ...]] | None:
        try:
            return self._per_language[name]
        except KeyError:
            given = self._per_language[name] = _per_language(name, self._values[name])
            return given

    def value(self, name: str, language: str) -> object:
        """The value of ``name`` for ``language``: the best match of a value given per language,
        else the default language's, else the first given; any other value as is."""
        given = self._given(name)
        if given is None:
            return self._values[name]
        mapping, tags = given
        return mapping[_pick(language, self._default, tags)]

    def checked(self, parameter: ParameterType, name: str, language: str) -> _Checked:
        """The value for ``language`` as :func:`_check` gives it."""
        given = self._per_language.get(name, _UNSEEN)
        if given is _UNSEEN:
            given = self._given(name)
        tag = None if given is None else _pick(language, self._default, given[1])
        key = (name, tag)
        checked = self._checked.get(key)
        if checked is None:
            value = self._values[name] if given is None else given[0][t.cast(str, tag)]
            checked = self._checked[key] = _check(parameter, name, value, self._zone)
        return checked


def _per_language(
    name: str, value: object
) -> tuple[cabc.Mapping[str, object], tuple[str, ...]] | None:
    """A value given per language (a mapping) and its language tags, or ``None`` for another."""
    if type(value) is not dict and not isinstance(value, cabc.Mapping):
        return None
    tags: list[str] = []
    for tag in value:
        if not isinstance(tag, str):
            raise TypeError(
                f"parameter {quote(name)} maps languages to values; its keys must be language "
                f"tags, not {describe(tag)}"
            )
        tags.append(str.__str__(tag))
    if not tags:
        raise ValueError(
            f"parameter {quote(name)} is an empty mapping; give a value for at least one language"
        )
    return value, tuple(tags)


@functools.lru_cache(maxsize=1024)
def _pick(language: str, default: str, tags: tuple[str, ...]) -> str:
    """The tag a per-language value uses for ``language``; cached, as one campaign repeats the
    same languages and keys for every message."""
    picked = best_match(language, tags)
    if picked is None:
        picked = best_match(default, tags)
    return tags[0] if picked is None else picked


# ----------------------------------------------------------------------------- compose


def compose(
    texts: TemplateTexts,
    values: cabc.Mapping[str, object],
    /,
    *,
    catalog: Catalog,
    app_id: str,
    access_token: str,
    request_id: str,
    languages: cabc.Sequence[str] | None = None,
    tz: str | datetime.tzinfo = "UTC",
    extend_info: str | None = None,
) -> dict[str, t.Any]:
    """Build a sendByAccessToken request from typed values; see :meth:`Catalog.compose`.

    :param texts: the template, as :meth:`msgtemplates.Catalog.compose` gives it.
    :param values: parameter name -> value (or a mapping of language tag -> value).
    :param catalog: the catalog the result is checked against.
    :returns: the request, as JSON-ready dicts and lists.
    :raises MissingParameters: values lack parameters the texts use, all named in order.
    :raises TypeError: an argument or value of the wrong type, naming it and what it needs.
    :raises ValueError: too many languages, a bad declaration, a naive datetime, an unknown
        currency code, a number that is not finite, an unknown time zone, no catalog text for
        a language; :class:`~msgtemplates.TemplateSyntaxError` for a text with a syntax error;
        :class:`~msgtemplates.RequestInvalid` when the request still has errors (an ``appId``
        over 32 characters, an unsafe link), with ``problems``.
    """
    try:
        return _compose(
            texts,
            values,
            catalog=catalog,
            app_id=app_id,
            access_token=access_token,
            request_id=request_id,
            languages=languages,
            tz=tz,
            extend_info=extend_info,
        )
    except (TypeError, ValueError) as err:
        if type(err) not in (TypeError, ValueError):
            raise  # msgtemplates' own errors bound and mask their text themselves
        text = str(err)
        # A quoted value may hold the token, and no exception text carries it or runs long.
        shown = _mask_quoted(text, access_token) if is_str(access_token) else text
        shown = build.cut(shown, build.MESSAGE_LIMIT)
        if shown != text:
            raise type(err)(shown) from None
        raise


def _mask_quoted(text: str, secret: str) -> str:
    """``text`` with the token masked inside its quoted values (``"..."``, as :func:`quote`
    writes them); the fixed wording around them is no input data and stays."""
    if not secret or secret not in text:
        return text
    parts: list[str] = []
    start = 0
    opening = text.find('"')
    while opening >= 0:
        closing = opening + 1
        while closing < len(text) and text[closing] != '"':
            closing += 2 if text[closing] == "\\" else 1
        parts.append(text[start:opening])
        parts.append(build.mask(text[opening : closing + 1], secret))
        start = closing + 1
        opening = text.find('"', start)
    parts.append(text[start:])
    return "".join(parts)


def _compose(
    texts: TemplateTexts,
    values: cabc.Mapping[str, object],
    /,
    *,
    catalog: Catalog,
    app_id: str,
    access_token: str,
    request_id: str,
    languages: cabc.Sequence[str] | None,
    tz: str | datetime.tzinfo,
    extend_info: str | None,
) -> dict[str, t.Any]:
    if not isinstance(values, cabc.Mapping):
        raise TypeError(
            f"values must be a mapping of parameter names to values, not {describe(values)}"
        )
    for label, given in (
        ("app_id", app_id),
        ("access_token", access_token),
        ("request_id", request_id),
    ):
        if not isinstance(given, str):
            raise TypeError(f"{label} must be a string, not {describe(given)}")
    if extend_info is not None and not isinstance(extend_info, str):
        raise TypeError(f"extend_info must be a string or None, not {describe(extend_info)}")
    chosen = _plan(texts, languages)
    zone = _zone(tz)
    missing: dict[str, None] = {}
    for step in chosen:
        for name, _ in step.parameters:
            if name not in values:
                missing[name] = None
    if missing:
        raise MissingParameters(missing)
    content: list[dict[str, t.Any]] = []
    resolve = _Resolver(values, texts.default, zone)
    links = [name for name in LINK_PARAMETERS if name in values]
    for step in chosen:
        language = step.language
        params: dict[str, str] = {}
        for name, parameter in step.parameters:
            checked = resolve.checked(parameter, name, language)
            params[name] = _format(parameter, name, checked, step.tags, zone, language)
        for name in links:
            link = resolve.value(name, language)
            if not isinstance(link, str):
                raise TypeError(
                    f"parameter {quote(name)} needs a link: {_TEXT_NEEDS}, not {describe(link)}"
                )
            params[name] = str.__str__(link)
        content.append({"language": language, "templateParameters": params})
    request: dict[str, t.Any] = {
        "appId": str.__str__(app_id),
        "accessToken": str.__str__(access_token),
        "requestId": str.__str__(request_id),
        "templateCode": texts.code,
        "templates": content,
    }
    if extend_info is not None:
        request["extendInfo"] = str.__str__(extend_info)
    errors = [p for p in check_request(request, catalog=catalog) if p.severity == "error"]
    if errors:
        raise RequestInvalid(errors)
    return request


@dataclasses.dataclass(frozen=True, slots=True)
class _Step:
    """One content template of a composed request, as far as the catalog alone decides it."""

    language: str
    # The request language, the catalog language used, the default: Babel's locale is the
    # first of them it knows.
    tags: tuple[str, str, str]
    # The placeholders of the text used, in order, each with its declaration.
    parameters: tuple[tuple[str, ParameterType], ...]


# (ids of the template's texts and declarations, the languages asked for) -> the template's
# texts and declarations (which keep those ids their own) and the steps; bounded.
_PLANS: dict[tuple[object, ...], tuple[object, object, tuple[_Step, ...]]] = {}
_PLAN_LIMIT = 1024


def _plan(texts: TemplateTexts, languages: object) -> tuple[_Step, ...]:
    """What the catalog decides for each language asked for (which text, which declarations),
    made once per template and list of languages; raises as :func:`_compose` says when the
    declarations or the languages cannot be used."""
    key: tuple[object, ...] | None = None
    if languages is None or (
        type(languages) in (list, tuple)
        and all(type(tag) is str for tag in t.cast("cabc.Sequence[object]", languages))
    ):
        wanted_key = None if languages is None else tuple(t.cast("cabc.Sequence[str]", languages))
        key = (id(texts.templates), id(texts.parameters), texts.default, wanted_key)
        made = _PLANS.get(key)
        if made is not None and made[0] is texts.templates and made[1] is texts.parameters:
            return made[2]
    declared = _require_usable(texts)
    steps: list[_Step] = []
    for language in _languages(texts, languages):
        index = texts.choose(language)
        if index is None:
            raise ValueError(
                f"template {quote(texts.code)} has no text for {quote(language)} and its default "
                f"{quote(texts.default)} names no text; fix the catalog's default"
            )
        parsed = texts.templates[index]
        if isinstance(parsed, TemplateSyntaxError):
            # A fresh error: the catalog's own instance is shared.
            raise TemplateSyntaxError(
                parsed.message, lineno=parsed.lineno, column=parsed.column, source=parsed.source
            )
        parameters = tuple((name, declared.get(name, _TEXT)) for name in parsed.placeholders)
        tags = (language, texts.languages[index], texts.default)
        steps.append(_Step(language, tags, parameters))
    made_steps = tuple(steps)
    if key is not None:
        if len(_PLANS) >= _PLAN_LIMIT:
            with contextlib.suppress(KeyError, RuntimeError, StopIteration):
                del _PLANS[next(iter(_PLANS))]
        _PLANS[key] = (texts.templates, texts.parameters, made_steps)
    return made_steps


def _languages(texts: TemplateTexts, languages: object) -> list[str]:
    if languages is None:
        if len(texts.languages) > MAX_CONTENT_TEMPLATES:
            raise ValueError(
                f"template {quote(texts.code)} has {len(texts.languages)} languages and a "
                f"request holds at most {MAX_CONTENT_TEMPLATES}; pass languages= with up to "
                f"{MAX_CONTENT_TEMPLATES} of them: {build.listed(texts.languages, limit=6)}"
            )
        return list(texts.languages)
    if isinstance(languages, str | bytes) or not isinstance(languages, cabc.Sequence):
        raise TypeError(
            f'languages must be a sequence of language tags such as ["en-US", "zh-HK"], '
            f"not {describe(languages)}"
        )
    wanted = list(languages)
    for tag in wanted:
        if not isinstance(tag, str):
            raise TypeError(f"languages must hold language tag strings, not {describe(tag)}")
    if not 1 <= len(wanted) <= MAX_CONTENT_TEMPLATES:
        raise ValueError(
            f"languages holds {len(wanted)} tags; a request holds 1 to {MAX_CONTENT_TEMPLATES} "
            "content templates"
        )
    return [str.__str__(tag) for tag in wanted]


# ----------------------------------------------------------------------------- command line


def parse_cli_value(
    declaration_type: str | ParameterType, text: str, /, *, name: str | None = None
) -> object:
    """Turn a command-line value into the typed value its declaration needs.

    ``currency`` takes ``AMOUNT:CODE`` (``38.00:HKD`` gives ``(Decimal("38.00"), "HKD")``);
    ``number`` and ``decimal`` a number (a :class:`~decimal.Decimal`); ``percent`` a fraction
    or a percentage (``15%`` gives ``Decimal("0.15")``); ``datetime`` and ``time`` an ISO 8601
    date and time with its UTC offset (``2024-05-17T10:30+08:00``, ``...Z``), an aware
    datetime; ``date`` that or a date (``2024-05-17``); ``text`` the text as is.

    :param declaration_type: the declared type name, or the :class:`ParameterType`.
    :param text: the value as typed.
    :param name: the parameter, named in errors.
    :returns: the typed value.
    :raises ValueError: text not in the expected form (the message shows the form), or a type
        that is not one of :data:`TYPES`.
    :raises TypeError: ``declaration_type`` or ``text`` of the wrong type.

    >>> parse_cli_value("currency", "38.00:HKD")
    (Decimal('38.00'), 'HKD')
    >>> parse_cli_value("datetime", "2024-05-17T10:30+08:00").isoformat()
    '2024-05-17T10:30:00+08:00'
    """
    kind = (
        declaration_type.type if isinstance(declaration_type, ParameterType) else declaration_type
    )
    if not isinstance(kind, str):
        raise TypeError(f"declaration_type must be a type name, not {describe(kind)}")
    if not isinstance(text, str):
        raise TypeError(f"a command-line value must be a string, not {describe(text)}")
    subject = "the value" if name is None else f"parameter {quote(name)}"
    if kind not in TYPES:
        raise ValueError(
            f"{subject} is declared with the unknown type {quote(kind)}; use one of "
            f"{', '.join(TYPES)}"
        )
    if kind == "text":
        return str.__str__(text)
    wrong = f"{subject} is {quote(text)}; a {kind} value on the command line is {_CLI_FORMS[kind]}"
    given = text.strip()
    if kind in _NUMBERS:
        return _cli_number(given, wrong)
    if kind == "percent":
        if given.endswith("%"):
            return _cli_number(given[:-1].rstrip(), wrong).scaleb(-2)
        return _cli_number(given, wrong)
    if kind == "currency":
        amount, colon, code = given.rpartition(":")
        if not colon or not _is_currency_code(code.strip().upper()):
            raise ValueError(wrong)
        return (_cli_number(amount.strip(), wrong), code.strip().upper())
    if kind == "date" and not any(mark in given for mark in "T :"):
        try:
            return datetime.date.fromisoformat(given)
        except ValueError:
            raise ValueError(wrong) from None
    try:
        moment = datetime.datetime.fromisoformat(given)
    except ValueError:
        raise ValueError(wrong) from None
    if moment.tzinfo is None:
        raise ValueError(f"{wrong}; add the UTC offset, such as +08:00 or Z")
    return moment


def _cli_number(text: str, wrong: str) -> decimal.Decimal:
    if not text or not set(text) <= _CLI_NUMBER_CHARACTERS:
        raise ValueError(wrong)
    try:
        number = decimal.Decimal(text)
    except decimal.InvalidOperation:
        raise ValueError(wrong) from None
    if not number.is_finite():
        raise ValueError(wrong)
    return number


def render_typed(
    catalog: Catalog,
    code: str,
    language: str,
    raw_params: cabc.Mapping[str, str],
    /,
    *,
    tz: str | datetime.tzinfo | None = "UTC",
) -> Rendered:
    """Render a catalog text from command-line values, formatted by the template's declarations.

    Each value is read with :func:`parse_cli_value` by its declared type (undeclared ones are
    text) and formatted with Babel for ``language`` (else the catalog language used), as
    :meth:`~msgtemplates.Catalog.compose` formats it; then the catalog renders it.

    :param catalog: the catalog.
    :param code: the template code.
    :param language: the user's language tag.
    :param raw_params: parameter name -> text as typed (``"38.00:HKD"``).
    :param tz: the time zone dates and times are shown in; ``None`` shows each in the UTC
        offset it was typed with (``10:30+07:00`` as 10:30).
    :returns: as :meth:`~msgtemplates.Catalog.render` gives it.
    :raises UnknownTemplate: the catalog does not hold ``code``.
    :raises MissingParameters: parameters the text uses are not given.
    :raises ValueError: a value not in its type's form, a bad declaration, an unknown zone.
    :raises TypeError: an argument of the wrong type.

    >>> from msgtemplates import Catalog
    >>> catalog = Catalog({"TP_1": {"en-US": "Paid ${amount}"}},
    ...                   parameters={"TP_1": {"amount": "currency"}})
    >>> render_typed(catalog, "TP_1", "en-US", {"amount": "5:USD"}).text
    'Paid $5.00'
    """
    typed = _cli_values(catalog, code, raw_params, tz)
    used = catalog.render(code, language, {}, missing="keep").language
    tags = (language, used, catalog.default_language(code))
    formatted = {
        name: _format(parameter, name, checked, tags, zone, language)
        for name, parameter, checked, zone in typed
    }
    return catalog.render(code, language, formatted)


#: One command-line value: its name, declaration, checked value and time zone.
_CliValue = tuple[str, ParameterType, _Checked, datetime.tzinfo]


def _cli_values(
    catalog: Catalog, code: str, raw_params: object, tz: str | datetime.tzinfo | None
) -> list[_CliValue]:
    """Command-line values read by their declared types, for :func:`render_typed` and
    :func:`fill_request`; raises as they say."""
    from .catalog import Catalog

    # The real type: a mock or an object whose __class__ lies is no Catalog.
    if not issubclass(type(catalog), Catalog):
        raise TypeError(f"catalog must be a Catalog, not {describe(catalog)}")
    declared = catalog.parameters(code)
    for name, parameter in declared.items():
        problem = parameter.problem
        if problem is not None:
            message = build.parameter_type("", name, problem).message
            raise ValueError(f"template {quote(code)}: {message}; fix its parameters table")
    if not isinstance(raw_params, cabc.Mapping):
        raise TypeError(
            f"raw_params must be a mapping of names to strings, not {describe(raw_params)}"
        )
    zone = datetime.UTC if tz is None else _zone(tz)
    typed: list[_CliValue] = []
    for name, raw in raw_params.items():
        if not isinstance(name, str):
            raise TypeError(f"raw_params must be keyed by parameter names, not {describe(name)}")
        parameter = declared.get(name, _TEXT)
        value = parse_cli_value(parameter, raw, name=name)
        own = value.tzinfo if tz is None and isinstance(value, datetime.datetime) else None
        shown_in = own or zone
        typed.append(
            (str.__str__(name), parameter, _check(parameter, name, value, shown_in), shown_in)
        )
    return typed


def fill_request(
    catalog: Catalog,
    payload: object,
    raw_params: cabc.Mapping[str, str],
    /,
    *,
    tz: str | datetime.tzinfo | None = None,
) -> object:
    """A request whose content templates hold command-line values, each formatted for its own
    language: what ``msgtemplates preview -p amount=38.00:HKD`` previews.

    Each value is read with :func:`parse_cli_value` by the request template's declaration
    (undeclared ones are text) and formatted with Babel as :meth:`~msgtemplates.Catalog.compose`
    formats it: for the content template's language, else the catalog language its text is
    taken from. It goes into each content template (an object with a string ``language``)
    whose catalog text uses it or that already holds it, replacing the value there; a link
    parameter goes into each. ``payload`` itself is not changed. A request with no string
    ``templateCode`` the catalog holds, or no ``templates`` array, is returned as it is: too
    broken to fill, its problems are :func:`~msgtemplates.check_request`'s to tell.

    :param catalog: the catalog.
    :param payload: the request, as parsed JSON.
    :param raw_params: parameter name -> text as typed (``"38.00:HKD"``).
    :param tz: the time zone dates and times are shown in; ``None`` shows each in the UTC
        offset it was typed with.
    :returns: the filled copy of the request, or ``payload`` when there is nothing to fill (no
        values, or a request too broken to fill).
    :raises ValueError: a value not in its type's form, a bad declaration, an unknown zone.
    :raises TypeError: an argument of the wrong type.

    >>> from msgtemplates import Catalog
    >>> catalog = Catalog({"TP_1": {"en-US": "Paid ${amount}", "th-TH": "จ่าย ${amount}"}},
    ...                   parameters={"TP_1": {"amount": "currency"}})
    >>> request = {"templateCode": "TP_1", "templates": [{"language": "en-US"},
    ...            {"language": "th-TH", "templateParameters": {"amount": "?"}}]}
    >>> filled = fill_request(catalog, request, {"amount": "165:THB"})
    >>> [item["templateParameters"]["amount"] for item in filled["templates"]]
    ['THB165.00', '฿165.00']
    """
    if not is_dict(payload) or (isinstance(raw_params, cabc.Mapping) and not raw_params):
        return payload
    code, templates = payload.get("templateCode"), payload.get("templates")
    if not is_str(code) or not is_list(templates):
        return payload
    from .catalog import Catalog

    if issubclass(type(catalog), Catalog) and code not in catalog.codes:
        return payload
    typed = _cli_values(catalog, code, raw_params, tz)
    default = catalog.default_language(code)
    filled: list[object] = []
    for item in templates:
        language = item.get("language") if is_dict(item) else None
        params = item.get("templateParameters", {}) if is_dict(item) else None
        if not is_str(language) or not is_dict(params):
            filled.append(item)  # not a content template a value can go into
            continue
        used, uses = _text_used(catalog, code, language, default)
        params = dict(params)
        tags = (language, used, default)
        for name, parameter, checked, zone in typed:
            if name in params or name in uses or name in LINK_PARAMETERS:
                params[name] = _format(parameter, name, checked, tags, zone, language)
        filled.append({**item, "templateParameters": params})
    return {**payload, "templates": filled}


def _text_used(
    catalog: Catalog, code: str, language: str, default: str
) -> tuple[str, cabc.Container[str]]:
    """The catalog language whose text a content template of ``language`` shows, and the
    placeholders of that text; the default language and none for a text that cannot render."""
    try:
        return catalog.render(code, language, {}).language, ()
    except MissingParameters as missing:
        return catalog.render(code, language, {}, missing="keep").language, missing.names
    except (MsgTemplatesError, TypeError, ValueError):
        return default, ()
