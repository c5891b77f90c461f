"""The API's semantic rules: invisible characters, links, language sameness and lengths.

Rule of the house: every rule that a JSON Schema cannot say lives here and nowhere else.
Validation, the catalog's checks, lint and the Hypothesis strategies all ask this module, so a
request, a catalog text and a generated test value are judged by the same rule.
"""

from __future__ import annotations

import functools
import re
import typing as t

__all__ = [
    "INVISIBLE",
    "LINK_PARAMETERS",
    "MAX_CONTENT_LENGTH",
    "PRINTABLE_IS_CLEAN",
    "first_invisible",
    "first_surrogate",
    "invisible_count",
    "is_clean_text",
    "is_safe_link",
    "language_key",
    "utf16_units",
]

#: The longest rendered text the wallet accepts, in code points.
MAX_CONTENT_LENGTH = 4096

#: Parameters the platform reads itself (links), never placeholders of the text.
LINK_PARAMETERS: tuple[str, ...] = ("pushContentUrl", "redirectUrl")

#: Bidi controls and zero-width characters that hide or reorder text.
#: ZWJ and ZWNJ (U+200C, U+200D) are legitimate in emoji and many scripts, so they are not here.
INVISIBLE = (
    "\u200b\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2060\u2066\u2067\u2068\u2069\u061c\ufeff"
)

_SURROGATES = "\ud800-\udfff"
# Unicode's format characters (category Cf) as of Unicode 15, written out so that no start-up
# scan of the code space is needed; a test checks it against unicodedata.
_FORMAT = (
    "\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890-\u0891\u08e2\u180e\u200b-\u200f\u202a-\u202e"
    "\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U0001343f"
    "\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f"
)

_ODD_SEARCH = re.compile(f"[{_SURROGATES}{INVISIBLE}]").search
_SURROGATE_SEARCH = re.compile(f"[{_SURROGATES}]").search
_INVISIBLE_SEARCH = re.compile(f"[{INVISIBLE}]").search
# Surrogates and the invisible characters are all unprintable, so text that str.isprintable()
# accepts (a C loop, faster than a search) has none of them. Checked here, so that a printable
# character added to INVISIBLE turns the shortcut off instead of slipping through.
#: Whether text that :meth:`str.isprintable` accepts is clean without a length limit (see
#: :func:`is_clean_text`); true unless a printable character joins :data:`INVISIBLE`.
PRINTABLE_IS_CLEAN: t.Final = not any(char.isprintable() for char in INVISIBLE)
_PRINTABLE_IS_CLEAN: t.Final = PRINTABLE_IS_CLEAN


# Whatever may follow a host or /pages/: no whitespace, control, backslash, bidi, zero-width or
# other format character, any of which can make a link mean something other than what a reader
# sees.
@functools.cache
def _link_patterns() -> tuple[t.Callable[[str], re.Match[str] | None], ...]:
    """The link patterns, compiled on first use (import stays light)."""
    # Whatever may follow a host or /pages/: no whitespace, control, backslash, bidi,
    # zero-width or other format character, any of which can make a link mean something other
    # than what a reader sees.
    rest = rf"[^\s\\\x00-\x1f\x7f-\x9f{_FORMAT}{_SURROGATES}]"
    safe_url = re.compile(
        # Schemes are case-insensitive (RFC 3986), so HTTPS: is as safe as https:.
        r"(?:[Hh][Tt][Tt][Pp][Ss]?://"
        r"(?:[^\W_](?:[\w.-]*[^\W_])?|\[[0-9A-Fa-f:.]+\])"  # a host name or an IPv6 literal
        r"(?::[0-9]{1,5})?"
        rf"(?:[/?#]{rest}*)?"
        rf"|(/pages/{rest}+))"
    ).fullmatch
    return safe_url, re.compile(r"[?#]").search, re.compile(f"[{_FORMAT}]").search


def first_surrogate(text: str) -> tuple[str, int] | None:
    """The first unpaired surrogate of ``text`` and its 1-based position, or ``None``.

    A string holding one cannot be encoded as UTF-8, so it cannot be sent.

    >>> first_surrogate("ab\\ud800"), first_surrogate("abc")
    (('\\ud800', 3), None)
    """
    if text.isascii():
        return None
    match = _SURROGATE_SEARCH(text)
    return None if match is None else (match.group(), match.start() + 1)


def first_invisible(text: str) -> tuple[str, int] | None:
    """The first invisible character of ``text`` (see :data:`INVISIBLE`) and its position.

    >>> first_invisible("a\\u200bb"), first_invisible("a\\u200db")
    (('\\u200b', 2), None)
    """
    if text.isascii():
        return None
    match = _INVISIBLE_SEARCH(text)
    return None if match is None else (match.group(), match.start() + 1)


def invisible_count(text: str) -> int:
    """How many invisible characters ``text`` holds (counted in C, one pass per character)."""
    return sum(text.count(char) for char in INVISIBLE)


def utf16_units(text: str) -> int:
    """The length of ``text`` in UTF-16 code units, as a Java server counts it.

    >>> utf16_units("a😀"), utf16_units("\\ud800")
    (3, 1)
    """
    # surrogatepass: a lone surrogate still counts as one unit instead of failing.
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def is_clean_text(text: str, max_length: int | None = None) -> bool:
    """Whether ``text`` has no odd character and fits ``max_length`` in UTF-16 units too.

    ``True`` means a string value earns no ``invalidCharacter``, ``invisibleCharacter`` or
    ``utf16Length`` problem.

    >>> is_clean_text("hello"), is_clean_text("a\\u202eb"), is_clean_text("😀", 1)
    (True, False, False)
    """
    if text.isascii():
        return True
    if not (_PRINTABLE_IS_CLEAN and text.isprintable()) and _ODD_SEARCH(text) is not None:
        return False
    return max_length is None or 2 * len(text) <= max_length or utf16_units(text) <= max_length


def is_safe_link(link: str) -> bool:
    """Whether a ``pushContentUrl`` or ``redirectUrl`` value is safe to send.

    Safe: an absolute ``http`` or ``https`` URL (any case) with a host, or a Mini Program page
    path starting ``/pages/`` with no ``.`` or ``..`` segment (also when percent-encoded).
    Nothing in a safe link is whitespace, a control, a backslash or a format character (Unicode
    category Cf: bidi controls, zero-width characters, U+00AD, U+2064, ...).

    >>> [is_safe_link(x) for x in ("https://shop.example/r?id=1", "/pages/order?id=1")]
    [True, True]
    >>> [is_safe_link(x) for x in ("javascript:alert(1)", "/pages/../x", "/pages/%2e%2e/x")]
    [False, False, False]
    """
    safe_url, path_end, format_search = _link_patterns()
    match = safe_url(link)
    if match is None:
        return False
    page = match.group(1)
    if page is None:
        return True
    import urllib.parse

    end = path_end(page)
    path = urllib.parse.unquote(page if end is None else page[: end.start()])
    if format_search(path) is not None or "\\" in path:
        return False
    return not any(segment in (".", "..") for segment in path.split("/"))


def language_key(tag: str, /) -> str:
    """The one notion of "the same language tag": case-insensitive, ``_`` read as ``-``.

    Duplicate languages, ``Rendered.fallback`` and ``fallbackContent`` all compare tags by this
    key; legacy codes (``in`` for ``id``) are different tags here, though locale matching
    treats them as one language.

    >>> language_key("en_us") == language_key("EN-US"), language_key("in-ID") == "id-id"
    (True, False)
    """
    if tag.isascii():
        return tag.replace("_", "-").lower()
    # Only ASCII letters fold: str.lower() would turn KELVIN SIGN into "k" ("\u212am" is no
    # "km").
    return (
        tag.replace("_", "-")
        .encode("utf-8", "surrogatepass")
        .lower()
        .decode("utf-8", "surrogatepass")
    )


# --- reading data by its real type ------------------------------------------------------------
# isinstance() asks an object's __class__, which a mock or a hostile object can fake
# (MagicMock(spec=dict) claims to be a dict); the real type cannot lie, so data is read by it.


def is_dict(value: object) -> t.TypeGuard[dict[t.Any, t.Any]]:
    """Whether ``value`` really is a dict (or a subclass): a faked ``__class__`` does not count.

    >>> from unittest import mock
    >>> is_dict({}), is_dict(mock.MagicMock(spec=dict))
    (True, False)
    """
    return issubclass(type(value), dict)


def is_list(value: object) -> t.TypeGuard[list[t.Any]]:
    """Whether ``value`` really is a list (or a subclass)."""
    return issubclass(type(value), list)


def is_str(value: object) -> t.TypeGuard[str]:
    """Whether ``value`` really is a str (or a subclass)."""
    return issubclass(type(value), str)
