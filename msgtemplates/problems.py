"""Problem, the problem codes, and the quoting rules every message follows."""

from __future__ import annotations

import collections.abc as cabc
import dataclasses
import functools
import typing as t

from .rules import is_dict, is_str

__all__ = [
    "CODES",
    "Problem",
    "Severity",
    "describe",
    "escape_pointer",
    "one_line",
    "quote",
    "secret_of",
]

Severity = t.Literal["error", "warning"]

#: Every problem code msgtemplates reports, in a stable order.
CODES: frozenset[str] = frozenset(
    {
        "type",
        "required",
        "additionalProperties",
        "minLength",
        "maxLength",
        "minItems",
        "maxItems",
        "enum",
        "duplicateLanguage",
        "languageTag",
        "unknownLanguage",
        "unsafeUrl",
        "unknownTemplate",
        "missingParameter",
        "unusedParameter",
        "noContent",
        "contentTooLong",
        "invisibleCharacter",
        "invalidCharacter",
        "utf16Length",
        "templateSyntax",
        "placeholderMismatch",
        "defaultLanguage",
        "invalidJson",
        "duplicateRequestId",
        "fallbackContent",
        "inconsistentResult",
        "emptyText",
        "bareDollar",
        "parameterType",
        "unusedDeclaration",
        "undeclaredParameter",
        "pattern",
    }
)

#: How many characters of a value a message may quote.
QUOTE_LIMIT = 40


@dataclasses.dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a payload, a batch line or a catalog.

    :param path: RFC 6901 JSON Pointer to the value (``""`` for the root); for a missing member,
        the pointer where it belongs.
    :param code: a stable camelCase code, see :data:`CODES`.
    :param message: one plain sentence: what is wrong and what is allowed.
    :param severity: ``"error"`` or ``"warning"``.

    Problems made by msgtemplates come from the builders of this module, one per code, so a
    code reads the same from every entry point.

    >>> print(Problem("/templates/0/language", "languageTag", '"en_US" is not a hyphenated tag'))
    /templates/0/language: error: "en_US" is not a hyphenated tag [languageTag]
    """

    path: str
    code: str
    message: str
    severity: Severity = "error"

    def __init__(self, path: str, code: str, message: str, severity: Severity = "error") -> None:
        # The fields' own slot setters: what the generated frozen __init__ does through
        # object.__setattr__, at half the cost (an error path builds one Problem per problem).
        _SET_PATH(self, path)
        _SET_CODE(self, code)
        _SET_MESSAGE(self, message)
        _SET_SEVERITY(self, severity)

    def __str__(self) -> str:
        path = one_line(self.path) if self.path else "(root)"
        return f"{path}: {self.severity}: {one_line(self.message)} [{self.code}]"

    def as_dict(self) -> dict[str, str]:
        """The problem as a plain dict for :func:`json.dumps`.

        >>> Problem("", "type", "not an object").as_dict()
        {'path': '', 'code': 'type', 'severity': 'error', 'message': 'not an object'}
        """
        return {
            "path": self.path,
            "code": self.code,
            "severity": self.severity,
            "message": self.message,
        }


_SET_PATH = Problem.__dict__["path"].__set__
_SET_CODE = Problem.__dict__["code"].__set__
_SET_MESSAGE = Problem.__dict__["message"].__set__
_SET_SEVERITY = Problem.__dict__["severity"].__set__


def escape_pointer(token: str, *, secret: str | None = None) -> str:
    """Escape one reference token for a JSON Pointer (RFC 6901: ``~`` then ``/``).

    Paths stay exact pointers; the one exception is a member named exactly like ``secret``
    (the access token), shown as ``***`` since printing that path would print the token.

    >>> escape_pointer("a/b~c"), escape_pointer("tok", secret="tok")
    ('a~1b~0c', '***')
    """
    if secret and token == secret:
        return "***"
    return token.replace("~", "~0").replace("/", "~1")


def _escape_char(char: str) -> str:
    code = ord(char)
    if code <= 0xFF:
        return f"\\x{code:02x}"
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


@functools.cache
def _line_escapes() -> dict[int, str]:
    # Control characters break one-line output; surrogates cannot be encoded; invisible and bidi
    # characters would hide or reorder what the reader sees. ZWJ and ZWNJ are legitimate text.
    codes = [*range(0x20), *range(0x7F, 0xA0), *range(0xD800, 0xE000)]
    codes += [ord(c) for c in "\u200b\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2028\u2029"]
    codes += [ord(c) for c in "\u2060\u2066\u2067\u2068\u2069\u061c\ufeff"]
    return {code: _escape_char(chr(code)) for code in codes}


def one_line(text: str) -> str:
    """``text`` with control, invisible, bidi and unencodable characters escaped.

    Every line msgtemplates prints goes through this, so a value can neither break the
    one-line-per-problem format nor fail to encode.

    >>> one_line("a\\nb\\u202ec\\ud800")
    'a\\\\x0ab\\\\u202ec\\\\ud800'
    """
    if text.isprintable():
        return text
    return text.translate(_line_escapes())


def quote(value: object, *, secret: str | None = None) -> str:
    """Quote a value for a message: cut to 40 characters, escaped, never showing ``secret``.

    A string that contains ``secret`` (the request's access token) is masked whole.

    >>> quote("en_US")
    '"en_US"'
    >>> quote("x" * 50)
    '"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx…"'
    >>> quote("Bearer abc123", secret="abc123")
    '"***"'
    """
    if type(value) is not str:
        if not is_str(value):
            return describe(value)
        value = str.__str__(value)
    if secret and secret in value:
        return '"***"'
    if len(value) <= QUOTE_LIMIT and value.isprintable() and '"' not in value and "\\" not in value:
        # Nothing to cut or escape: the text shown is the value, already checked for the token.
        return f'"{value}"'
    shown = value if len(value) <= QUOTE_LIMIT else value[: QUOTE_LIMIT - 1] + "…"
    if '"' in shown or "\\" in shown:
        shown = shown.replace("\\", "\\\\").replace('"', '\\"')
    shown = one_line(shown)
    # The check runs on the final text too: escaping can spell out a token.
    if secret and secret in shown:
        return '"***"'
    return f'"{shown}"'


_TYPE_NAMES: dict[type, str] = {
    dict: "an object",
    list: "an array",
    str: "a string",
    bool: "a boolean",
    int: "an integer",
    float: "a number",
    type(None): "null",
}


def describe(value: object) -> str:
    """Name a value's JSON type for a message, or its Python type if it has none.

    >>> describe(None), describe(3), describe({}), describe(b"x")
    ('null', 'an integer', 'an object', 'a Python bytes object')
    """
    name = _TYPE_NAMES.get(type(value))
    if name is not None:
        return name
    return f"a Python {type(value).__name__} object"


def secret_of(payload: object) -> str | None:
    """The access token of a request-shaped payload: the value every message must hide.

    >>> secret_of({"accessToken": "tok"}), secret_of({"accessToken": 3}), secret_of([])
    ('tok', None, None)
    """
    # Exact types first, without a call: every broken request asks this.
    if type(payload) is dict or is_dict(payload):
        try:
            token = dict.get(payload, "accessToken")
        except Exception:
            # A key whose __eq__ raises while colliding with "accessToken": look by walking.
            token = next(
                (v for k, v in dict.items(payload) if type(k) is str and k == "accessToken"), None
            )
        if type(token) is str:
            return token or None
        if is_str(token) and token:
            return str.__str__(token)
    return None


# --- bounded, secret-free text ---------------------------------------------------------------

#: The longest message a problem carries, in characters.
MESSAGE_LIMIT = 400
#: How many items a message lists before it says how many more there are.
LIST_LIMIT = 10

# Masks for the access token, tried in order: the first made only of characters the token
# does not hold, so that masking can never put the token back together.
_MASKS = ("***", "###", "~~~", "...", "")


def mask(text: str, secret: str | None) -> str:
    """``text`` with every occurrence of ``secret`` (the access token) masked.

    This runs on final text, after cutting and escaping, so nothing can rebuild the token.

    >>> mask("token abc in abcabc", "abc")
    'token *** in ******'
    >>> mask("xx*", "x*")
    'x###'
    """
    if not secret or secret not in text:
        return text
    cover = next(m for m in _MASKS if not set(m) & set(secret))
    return text.replace(secret, cover)


#: Pointer segments the contract fixes (the API's member names): not input data, never masked.
FIXED_NAMES = frozenset(
    {
        "appId",
        "accessToken",
        "requestId",
        "templateCode",
        "templates",
        "templateParameters",
        "language",
        "extendInfo",
        "pushContentUrl",
        "redirectUrl",
        "result",
        "resultCode",
        "resultStatus",
        "resultMessage",
    }
)


def mask_path(path: str, secret: str | None) -> str:
    """A JSON Pointer with every segment that holds the token printed as ``***``.

    A segment that contains the token, escaped or not, is masked, and so is every segment an
    occurrence of the token spans; the API's own member names (:data:`FIXED_NAMES`) and the
    index after ``templates`` are not input data and stay.

    >>> mask_path("/templates/0/templateParameters/xtokx", "tok")
    '/templates/0/templateParameters/***'
    >>> mask_path("/a/b", "a/b"), mask_path("/templates/0/language", "a")
    ('/***/***', '/templates/0/language')
    """
    if not secret or not path:
        return path
    if secret not in path and ("~" not in secret and "/" not in secret):
        # The escaped form is the token itself: neither is there.
        return path
    escaped = escape_pointer(secret)
    if secret not in path and escaped not in path:
        return path
    segments = path.split("/")[1:]
    fixed = [
        segment in FIXED_NAMES
        or (segment.isdigit() and index > 0 and segments[index - 1] == "templates")
        for index, segment in enumerate(segments)
    ]
    hidden = [
        not f and (secret in _unescape(s) or escaped in s)
        for s, f in zip(segments, fixed, strict=True)
    ]
    spans: list[tuple[int, int]] = []
    for needle in {secret, escaped}:
        start = path.find(needle)
        while start >= 0:
            spans.append((start, start + len(needle)))
            start = path.find(needle, start + 1)
    position = 0
    for index, segment in enumerate(segments):
        begin, end = position, position + 1 + len(segment)
        inside = [(a, b) for a, b in spans if a < end and b > begin]
        # An occurrence that lies within fixed names and separators alone is no input data.
        if not fixed[index] and inside:
            hidden[index] = True
        position = end
    return "".join("/***" if h else f"/{s}" for s, h in zip(segments, hidden, strict=True))


def _unescape(segment: str) -> str:
    return segment.replace("~1", "/").replace("~0", "~")


def cut(text: str, limit: int = QUOTE_LIMIT) -> str:
    """``text`` cut to ``limit`` characters, an ellipsis marking the cut.

    >>> cut("abcdef", 4)
    'abc…'
    """
    return text if len(text) <= limit else text[: limit - 1] + "…"


def listed(
    values: cabc.Iterable[str], *, secret: str | None = None, limit: int = LIST_LIMIT
) -> str:
    """Quote at most ``limit`` values, then say how many more there are.

    >>> listed(["a", "b", "c"], limit=2)
    '"a", "b" and 1 more'
    >>> listed([])
    'none'
    """
    shown: list[str] = []
    more = 0
    for value in values:
        if len(shown) < limit:
            shown.append(quote(value, secret=secret))
        else:
            more += 1
    if not shown:
        return "none"
    return ", ".join(shown) + (f" and {more} more" if more else "")


def placeholder_list(
    names: cabc.Iterable[str], *, secret: str | None = None, limit: int = LIST_LIMIT
) -> str:
    """``${a}, ${b}`` for at most ``limit`` names, each cut to 40 characters.

    A name that holds the token shows as ``${***}``.

    >>> placeholder_list(["who", "amount"]), placeholder_list(["trackingNo"], secret="rackingN")
    ('${who}, ${amount}', '${***}')
    """
    shown: list[str] = []
    more = 0
    for name in names:
        if len(shown) < limit:
            shown.append(f"${{{shown_name(name, secret)}}}")
        else:
            more += 1
    if not shown:
        return "no parameters"
    return ", ".join(shown) + (f" and {more} more" if more else "")


def shown_name(name: str, secret: str | None = None) -> str:
    """A name (placeholder, parameter) as a message shows it: cut, escaped, token masked.

    >>> shown_name("a" * 50), shown_name("mytok", "tok")
    ('aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa…', '***')
    """
    text = one_line(cut(name))
    if secret and (secret in name or secret in text):
        return "***"
    return text


def make(
    path: str, code: str, message: str, severity: Severity = "error", *, secret: str | None = None
) -> Problem:
    """The one way a builder makes a :class:`Problem`: at most 400 characters, path masked.

    Builders quote every input-derived piece of a message through :func:`quote`,
    :func:`shown_name` or :func:`placeholder_list`, which mask the token on their final text;
    the fixed wording is not input data. The path is masked by :func:`mask_path`.

    >>> make("/x/tok", "type", "not allowed", secret="tok")
    Problem(path='/x/***', code='type', message='not allowed', severity='error')
    """
    if secret:
        path = mask_path(path, secret)
    if len(message) > MESSAGE_LIMIT:
        message = cut(message, MESSAGE_LIMIT)
    return Problem(path, code, message, severity)


# --- the builders: one per code, the only place a message is worded --------------------------


def type_problem(path: str, value: object, wanted: str, *, subject: str | None = None) -> Problem:
    """``type``: a value of the wrong JSON type.

    :param wanted: what is allowed, in words (``"a string"``).
    :param subject: what the root value is (``"request"``), for the root pointer.

    >>> type_problem("", [], "an object", subject="request").message
    'the request must be an object, not an array'
    """
    what = f"the {subject}" if path == "" and subject else "the value"
    return make(path, "type", f"{what} must be {wanted}, not {describe(value)}")


def member_name_type(path: str, key: object) -> Problem:
    """``type``: an object member whose name is not a string (a Python-only value)."""
    return make(path, "type", f"the member name is {describe(key)}; JSON member names are strings")


def required(path: str, name: str, *, secret: str | None = None) -> Problem:
    """``required``: a member that must be present is missing; ``path`` is where it belongs.

    >>> required("/templates/0/language", "language").message
    '"language" is required but missing'
    """
    return make(
        path, "required", f"{quote(name, secret=secret)} is required but missing", secret=secret
    )


def additional_properties(
    path: str,
    name: str,
    allowed: cabc.Sequence[str],
    *,
    suggestion: str | None = None,
    secret: str | None = None,
) -> Problem:
    """``additionalProperties``: a member the API does not know (a typo must not pass).

    >>> additional_properties("/templateCod", "templateCod", ["templateCode"],
    ...                       suggestion="templateCode").message
    '"templateCod" is not a known member; did you mean "templateCode"? allowed are templateCode'
    """
    hint = f"did you mean {quote(suggestion)}? " if suggestion else ""
    allowed_text = ", ".join(allowed[:LIST_LIMIT]) or "no members"
    return make(
        path,
        "additionalProperties",
        f"{quote(name, secret=secret)} is not a known member; {hint}allowed are {allowed_text}",
        secret=secret,
    )


def min_length(path: str, length: int, limit: int) -> Problem:
    """``minLength``: a string shorter than the API allows."""
    if limit == 1 and length == 0:
        return make(path, "minLength", "the value is empty; at least 1 character is required")
    return make(
        path, "minLength", f"the value has {length} characters; at least {limit} are required"
    )


def max_length(path: str, length: int, limit: int) -> Problem:
    """``maxLength``: a string longer than the API allows (counted in code points).

    >>> max_length("/requestId", 67, 64).message
    'the value has 67 characters; at most 64 are allowed'
    """
    return make(
        path, "maxLength", f"the value has {length} characters; at most {limit} are allowed"
    )


def min_items(path: str, count: int, limit: int) -> Problem:
    """``minItems``: an array with fewer items than the API needs."""
    return make(path, "minItems", f"the array has {count} items; at least {limit} are required")


def max_items(path: str, count: int, limit: int) -> Problem:
    """``maxItems``: an array with more items than the API allows."""
    return make(path, "maxItems", f"the array has {count} items; at most {limit} are allowed")


def enum(
    path: str, value: object, allowed: cabc.Sequence[str], *, secret: str | None = None
) -> Problem:
    """``enum``: a value that is not one of the allowed ones.

    >>> enum("/result/resultStatus", "X", ['"S"', '"A"']).message
    '"X" is not one of "S", "A"'
    """
    return make(
        path,
        "enum",
        f"{quote(value, secret=secret)} is not one of {', '.join(allowed)}",
        secret=secret,
    )


def pattern(path: str, value: str, *, secret: str | None = None) -> Problem:
    """``pattern``: a string that does not have the form its schema requires."""
    return make(
        path,
        "pattern",
        f"{quote(value, secret=secret)} does not have the required form",
        secret=secret,
    )


def language_tag(
    path: str,
    tag: str,
    *,
    canonical: str | None,
    suggestion: str | None,
    secret: str | None = None,
) -> Problem:
    """``languageTag``: an error for a tag that is not well-formed, a warning for its case.

    :param canonical: the canonical form of a well-formed tag, ``None`` when not well-formed.
    :param suggestion: a well-formed tag close to a malformed one (``en-US`` for ``en_US``).

    >>> language_tag("/t", "en_US", canonical=None, suggestion="en-US").message
    '"en_US" is not a hyphenated language tag; use "en-US"'
    >>> language_tag("/t", "en-us", canonical="en-US", suggestion=None).severity
    'warning'
    """
    other = canonical if suggestion is None else suggestion
    if (
        type(tag) is str
        and len(tag) <= QUOTE_LIMIT
        and (other is None or type(other) is str)
        and (canonical is None or suggestion is None)
        and not (secret and (secret in tag or (other is not None and secret in other)))
    ):
        # A batch repeats a few bad tags: their sentence is kept. It quotes the token nowhere
        # when the token is in neither tag nor in the sentence; else the sentence is made
        # again with the token masked.
        message, severity = _language_tag_text(tag, canonical, suggestion)
        if not secret or secret not in message:
            if (
                type(path) is str
                and len(path) <= QUOTE_LIMIT
                and (not secret or (secret not in path and "~" not in secret and "/" not in secret))
            ):
                # Nothing to mask in the pointer either (mask_path's own first exit, inline: a
                # call costs a twentieth of this path): the problem itself is kept.
                return _language_tag_kept(path, tag, canonical, suggestion)
            return make(path, "languageTag", message, severity, secret=secret)
    message, severity = _language_tag_message(tag, canonical, suggestion, secret)
    return make(path, "languageTag", message, severity, secret=secret)


def _language_tag_message(
    tag: str, canonical: str | None, suggestion: str | None, secret: str | None
) -> tuple[str, Severity]:
    shown = quote(tag, secret=secret)
    if canonical is not None:
        return f"{shown} is not in canonical case; use {quote(canonical, secret=secret)}", "warning"
    if suggestion is not None:
        return (
            f"{shown} is not a hyphenated language tag; use {quote(suggestion, secret=secret)}",
            "error",
        )
    return (
        f"{shown} is not a well-formed language tag; use language[-Script][-REGION] with "
        'hyphens, such as "en-US" or "zh-Hant-HK"',
        "error",
    )


@functools.lru_cache(maxsize=256)
def _language_tag_text(
    tag: str, canonical: str | None, suggestion: str | None
) -> tuple[str, Severity]:
    return _language_tag_message(tag, canonical, suggestion, None)


@functools.lru_cache(maxsize=256)
def _language_tag_kept(
    path: str, tag: str, canonical: str | None, suggestion: str | None
) -> Problem:
    return make(path, "languageTag", *_language_tag_text(tag, canonical, suggestion))


def unknown_language(path: str, tag: str, *, secret: str | None = None) -> Problem:
    """``unknownLanguage``: a well-formed tag that names no language with CLDR locale data."""
    return make(
        path,
        "unknownLanguage",
        f"{quote(tag, secret=secret)} is not a language with CLDR locale data; use a known tag "
        'such as "en-US"',
        secret=secret,
    )


def duplicate_language(
    path: str, tag: str, first: str, first_path: str, *, secret: str | None = None
) -> Problem:
    """``duplicateLanguage``: the same language twice (case and ``_`` do not count).

    >>> duplicate_language("/templates/1/language", "en-us", "en-US",
    ...                    "/templates/0/language").message
    '"en-us" is the same language as "en-US" at /templates/0/language; keep only one'
    """
    return make(
        path,
        "duplicateLanguage",
        f"{quote(tag, secret=secret)} is the same language as {quote(first, secret=secret)} at "
        f"{one_line(mask_path(first_path, secret))}; keep only one",
        secret=secret,
    )


def unsafe_url(path: str, value: object, *, secret: str | None = None) -> Problem:
    """``unsafeUrl``: a link parameter that is not a safe http(s) URL or Mini Program page."""
    return make(
        path,
        "unsafeUrl",
        f"{quote(value, secret=secret)} is not a safe link; use an absolute http or https URL "
        'with a host, or a Mini Program page path starting "/pages/"',
        secret=secret,
    )


def unknown_template(
    path: str,
    code: str,
    *,
    known: cabc.Sequence[str],
    suggestion: str | None = None,
    secret: str | None = None,
) -> Problem:
    """``unknownTemplate``: a template code the catalog does not hold.

    >>> unknown_template("/templateCode", "TP_A", known=["TP_B"], suggestion="TP_B").message
    'template code "TP_A" is not in the catalog; did you mean "TP_B"? it holds "TP_B"'
    """
    hint = f"did you mean {quote(suggestion, secret=secret)}? " if suggestion else ""
    return make(
        path,
        "unknownTemplate",
        f"template code {quote(code, secret=secret)} is not in the catalog; {hint}"
        f"it holds {listed(known, secret=secret)}",
        secret=secret,
    )


def missing_parameter(path: str, name: str, language: str, *, secret: str | None = None) -> Problem:
    """``missingParameter``: a placeholder of the catalog text has no parameter.

    >>> missing_parameter("/templates/0/templateParameters/who", "who", "en-US").message
    'parameter "who" is missing; the "en-US" text uses ${who}'
    """
    return make(
        path,
        "missingParameter",
        f"parameter {quote(name, secret=secret)} is missing; the {quote(language, secret=secret)} "
        f"text uses {placeholder_list([name], secret=secret)}",
        secret=secret,
    )


def unused_parameter(
    path: str,
    name: str,
    language: str,
    placeholders: cabc.Sequence[str],
    *,
    suggestion: str | None = None,
    secret: str | None = None,
) -> Problem:
    """``unusedParameter`` (warning): a parameter the catalog text does not use.

    >>> unused_parameter("/p/nmae", "nmae", "en-US", ["name"], suggestion="name").message
    'parameter "nmae" is not used by the "en-US" text; did you mean "name"? it uses ${name}'
    """
    hint = f"did you mean {quote(suggestion, secret=secret)}? " if suggestion else ""
    return make(
        path,
        "unusedParameter",
        f"parameter {quote(name, secret=secret)} is not used by the "
        f"{quote(language, secret=secret)} text; {hint}"
        f"it uses {placeholder_list(placeholders, secret=secret)}",
        "warning",
        secret=secret,
    )


def no_content(
    path: str, code: str, language: str, languages: cabc.Sequence[str], *, secret: str | None = None
) -> Problem:
    """``noContent``: the catalog has no text for a language, not even the default."""
    return make(
        path,
        "noContent",
        f"template {quote(code, secret=secret)} has no text for {quote(language, secret=secret)} "
        f"and no default text; it has {listed(languages, secret=secret)}",
        secret=secret,
    )


def content_too_long(path: str, length: int, limit: int) -> Problem:
    """``contentTooLong``: the rendered text is longer than the wallet takes."""
    return make(
        path,
        "contentTooLong",
        f"the rendered text is {length} characters long; the wallet takes at most {limit}",
    )


def invisible_character(
    path: str, char: str, position: int, count: int, *, what: str = "value"
) -> Problem:
    """``invisibleCharacter`` (warning): a bidi control or zero-width character.

    :param position: 1-based character position of the first one.
    :param count: how many there are in all.
    """
    more = f" ({count} in all)" if count > 1 else ""
    return make(
        path,
        "invisibleCharacter",
        f"the {what} has the invisible character U+{ord(char):04X} at character {position}{more}; "
        "remove it unless it is meant to be there",
        "warning",
    )


def invalid_character(
    path: str, char: str, position: int | None, *, what: str = "value"
) -> Problem:
    """``invalidCharacter``: an unpaired surrogate, which cannot be sent as UTF-8."""
    where = f" at character {position}" if position is not None else ""
    return make(
        path,
        "invalidCharacter",
        f"the {what} has an unpaired surrogate U+{ord(char):04X}{where}, which cannot be sent as "
        "UTF-8; remove it",
    )


def utf16_length(path: str, length: int, units: int, limit: int) -> Problem:
    """``utf16Length`` (warning): within the limit in code points, over it in UTF-16 units."""
    return make(
        path,
        "utf16Length",
        f"the value has {length} characters but {units} UTF-16 units; a server that counts "
        f"UTF-16 units allows at most {limit}",
        "warning",
    )


def template_syntax(
    path: str,
    lineno: int,
    column: int,
    reason: str,
    *,
    language: str,
    code: str,
    severity: Severity = "error",
    secret: str | None = None,
) -> Problem:
    """``templateSyntax``: a catalog text that is not valid ``${name}`` syntax."""
    return make(
        path,
        "templateSyntax",
        f"the {quote(language, secret=secret)} text of template {quote(code, secret=secret)} has "
        f"a syntax error at line {lineno}, column {column}: {one_line(cut(reason, 200))}",
        severity,
        secret=secret,
    )


def placeholder_mismatch(
    path: str,
    *,
    extra: cabc.Sequence[str] = (),
    lacking: cabc.Sequence[str] = (),
    severity: Severity = "warning",
    secret: str | None = None,
) -> Problem:
    """``placeholderMismatch``: a text's placeholders differ from the other languages'.

    >>> print(placeholder_mismatch("/TP/th-TH", extra=["nmae"], lacking=["name"]).message)
    ... # doctest: +NORMALIZE_WHITESPACE
    the text uses ${nmae}, which no other language of this template uses, and lacks ${name},
    which the other languages use
    """
    parts = []
    if extra:
        parts.append(
            f"uses {placeholder_list(extra, secret=secret)}, "
            "which no other language of this template uses"
        )
    if lacking:
        parts.append(
            f"lacks {placeholder_list(lacking, secret=secret)}, which the other languages use"
        )
    return make(path, "placeholderMismatch", "the text " + ", and ".join(parts), severity)


def default_language(path: str, default: str, languages: cabc.Sequence[str]) -> Problem:
    """``defaultLanguage``: the default language of a template has no text."""
    return make(
        path,
        "defaultLanguage",
        f"the default language {quote(default)} has no text; use one of {listed(languages)}",
    )


def invalid_json(what: str, reason: str) -> Problem:
    """``invalidJson``: a file or a batch line that is not JSON.

    :param what: ``"file"`` or ``"line"``.
    :param reason: why, as a clause (``"it is empty"``).

    >>> invalid_json("line", "it is empty").message
    'the line is not valid JSON: it is empty'
    """
    return make("", "invalidJson", f"the {what} is not valid JSON: {reason}")


def duplicate_request_id(first_line: int, *, same: bool) -> Problem:
    """``duplicateRequestId``: a warning when a line repeats an earlier request exactly, an
    error when the same requestId comes with a different body."""
    if same:
        return make(
            "/requestId",
            "duplicateRequestId",
            f"this line repeats the request of line {first_line} (same requestId, same body); "
            "the platform treats it as a retry, so the message is sent at most once",
            "warning",
        )
    return make(
        "/requestId",
        "duplicateRequestId",
        f"this requestId was already used on line {first_line} with a different body; a retry "
        "must resend the same body, and a new message needs a new requestId",
    )


def fallback_content(
    path: str, code: str, language: str, used: str, *, secret: str | None = None
) -> Problem:
    """``fallbackContent`` (warning): the catalog has no text of its own for a language.

    >>> print(fallback_content("/templates/1/language", "TP", "ms-MY", "en-US").message)
    ... # doctest: +NORMALIZE_WHITESPACE
    template "TP" has no "ms-MY" text in the catalog, so this content template would show its
    "en-US" text
    """
    return make(
        path,
        "fallbackContent",
        f"template {quote(code, secret=secret)} has no {quote(language, secret=secret)} text in "
        f"the catalog, so this content template would show its {quote(used, secret=secret)} text",
        "warning",
        secret=secret,
    )


def inconsistent_result(path: str, code: str, status: str, expected: str) -> Problem:
    """``inconsistentResult`` (warning): a known resultCode with another resultStatus."""
    return make(
        path,
        "inconsistentResult",
        f"resultCode {quote(code)} comes with status {quote(expected)}, but resultStatus is "
        f"{quote(status)}; the outcome is read from resultStatus",
        "warning",
    )


def empty_text(path: str) -> Problem:
    """``emptyText``: a catalog text that is empty or only whitespace."""
    return make(path, "emptyText", "the text is empty or only whitespace; write the message")


def bare_dollar(
    path: str, name: str, lineno: int, column: int, *, secret: str | None = None
) -> Problem:
    """``bareDollar`` (warning): ``$name`` without braces, which the wallet prints literally.

    >>> bare_dollar("/TP/en-US", "who", 1, 7).message
    '$who at line 1, column 7 is printed literally; write ${who} for a placeholder'
    """
    shown = shown_name(name, secret)
    return make(
        path,
        "bareDollar",
        f"${shown} at line {lineno}, column {column} is printed literally; write "
        f"${{{shown}}} for a placeholder",
        "warning",
    )


def masked(problem: Problem, secret: str | None) -> Problem:
    """``problem`` with the token masked in its path (see :func:`mask_path`).

    >>> masked(Problem("/tok", "type", "x"), "tok")
    Problem(path='/***', code='type', message='x', severity='error')
    """
    if not secret:
        return problem
    path = mask_path(problem.path, secret)
    if path == problem.path:
        return problem
    return Problem(path, problem.code, problem.message, problem.severity)


# --- typed parameters: the lint problems of a catalog's parameters table ---


def parameter_type(path: str, name: str, problem: str) -> Problem:
    """``parameterType``: a declaration Babel cannot format by (an unknown type, a bad format).

    :param problem: what is wrong and what is allowed, as
        :attr:`msgtemplates.compose.ParameterType.problem` words it (its quoted values quoted).

    >>> parameter_type("/TP_1/parameters/n", "n", 'the unknown type "money"; use number').message
    'parameter "n" is declared with the unknown type "money"; use number'
    """
    return make(path, "parameterType", f"parameter {quote(name)} is declared with {problem}")


def unused_declaration(path: str, name: str, declared_type: str) -> Problem:
    """``unusedDeclaration`` (warning): a declared parameter that no text of the template uses.

    >>> print(unused_declaration("/TP_1/parameters/n", "n", "number").message)
    ... # doctest: +NORMALIZE_WHITESPACE
    parameter "n" is declared as "number", but no text of the template uses ${n};
    remove the declaration or fix its name
    """
    return make(
        path,
        "unusedDeclaration",
        f"parameter {quote(name)} is declared as {quote(declared_type)}, but no text of the "
        f"template uses ${{{shown_name(name)}}}; remove the declaration or fix its name",
        "warning",
    )


def undeclared_parameter(path: str, name: str) -> Problem:
    """``undeclaredParameter`` (warning): a placeholder the parameters table does not declare.

    >>> print(undeclared_parameter("/TP_1/en-US", "who").message)
    ... # doctest: +NORMALIZE_WHITESPACE
    the text uses ${who}, which the parameters table does not declare; it is formatted as
    text, so declare it (who = "text") to say so
    """
    shown = shown_name(name)
    return make(
        path,
        "undeclaredParameter",
        f"the text uses ${{{shown}}}, which the parameters table does not declare; it is "
        f'formatted as text, so declare it ({shown} = "text") to say so',
        "warning",
    )
