"""Problem, the problem codes, and the quoting rules every message follows."""

from __future__ import annotations

import dataclasses
import functools
import typing as t

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

#: Every problem code msgtemplates reports, in the order DESIGN section 3 lists them.
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

    >>> print(Problem("/templates/0/language", "languageTag", '"en_US" is not a hyphenated tag'))
    /templates/0/language: error: "en_US" is not a hyphenated tag [languageTag]
    """

    path: str
    code: str
    message: str
    severity: Severity = "error"

    def __str__(self) -> str:
        return f"{self.path or '(root)'}: {self.severity}: {self.message} [{self.code}]"


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
    if not isinstance(value, str):
        return describe(value)
    if secret and secret in value:
        return '"***"'
    cut = value if len(value) <= QUOTE_LIMIT else value[: QUOTE_LIMIT - 1] + "…"
    if '"' in cut or "\\" in cut:
        cut = cut.replace("\\", "\\\\").replace('"', '\\"')
    cut = one_line(cut)
    return f'"{cut}"'


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
    if isinstance(payload, dict):
        try:
            token = dict.get(payload, "accessToken")
        except Exception:
            # A key whose __eq__ raises while colliding with "accessToken": look by walking.
            token = next(
                (v for k, v in dict.items(payload) if type(k) is str and k == "accessToken"), None
            )
        if isinstance(token, str) and token:
            return str.__str__(token)
    return None


# Typed parameters (DESIGN section 5): the lint problems of a catalog's [parameters] table.
__all__ += ["parameter_type", "undeclared_parameter", "unused_declaration"]


def parameter_type(path: str, name: str, problem: str, /) -> Problem:
    """``parameterType`` (error): a declaration Babel cannot format by.

    :param path: ``/<templateCode>/parameters/<name>``.
    :param name: the parameter.
    :param problem: what is wrong and what is allowed, as
        :attr:`msgtemplates.compose.ParameterType.problem` words it.

    >>> parameter_type("/TP_1/parameters/n", "n", 'the unknown type "money"; use number').message
    'parameter "n" is declared with the unknown type "money"; use number'
    """
    return Problem(path, "parameterType", f"parameter {quote(name)} is declared with {problem}")


def unused_declaration(path: str, name: str, declared_type: str, /) -> Problem:
    """``unusedDeclaration`` (warning): a declared parameter that no text of the template uses.

    >>> print(unused_declaration("/TP_1/parameters/n", "n", "number"))
    /TP_1/parameters/n: warning: parameter "n" is declared as "number", but no text of the \
template uses it; remove the declaration or fix its name [unusedDeclaration]
    """
    return Problem(
        path,
        "unusedDeclaration",
        f"parameter {quote(name)} is declared as {quote(declared_type)}, but no text of the "
        "template uses it; remove the declaration or fix its name",
        "warning",
    )


def undeclared_parameter(path: str, name: str, /) -> Problem:
    """``undeclaredParameter`` (warning): a placeholder the ``[parameters]`` table leaves out.

    >>> undeclared_parameter("/TP_1/en-US", "who").message
    'the text uses parameter "who", which the parameters table does not declare; it is \
formatted as text, declare its type (such as "text") to say so'
    """
    return Problem(
        path,
        "undeclaredParameter",
        f"the text uses parameter {quote(name)}, which the parameters table does not declare; "
        'it is formatted as text, declare its type (such as "text") to say so',
        "warning",
    )
