"""Language tags: normalisation, well-formedness, CLDR fallback chains and best_match."""

from __future__ import annotations

import collections.abc as cabc
import functools
import re
import typing as t

from .errors import UnknownLanguage
from .problems import describe
from .rules import is_str

__all__ = [
    "best_match",
    "canonical_tag",
    "fallback_chain",
    "is_known_tag",
    "resolve_language",
    "suggest_tag",
]

# language[-Script][-REGION]; \Z rather than $ so that "en-US\n" is not well-formed.
_WELL_FORMED = re.compile(r"([A-Za-z]{2,3})(?:-([A-Za-z]{4}))?(?:-([A-Za-z]{2}|[0-9]{3}))?\Z")


def canonical_tag(tag: object) -> str | None:
    """The canonical-case form of a well-formed hyphenated tag, or ``None`` if not well-formed.

    >>> canonical_tag("zh-hant-hk"), canonical_tag("en_US"), canonical_tag("en-US\\n")
    ('zh-Hant-HK', None, None)
    """
    if not is_str(tag):
        return None
    match = _WELL_FORMED.match(tag)
    if match is None:
        return None
    language, script, region = match.groups()
    parts = [language.lower()]
    if script:
        parts.append(script.title())
    if region:
        parts.append(region.upper())
    return "-".join(parts)


def suggest_tag(tag: object) -> str | None:
    """A well-formed tag close to a malformed one (``en_US`` gives ``en-US``), if there is one.

    >>> suggest_tag("en_us"), suggest_tag(" zh_Hant_HK\\n"), suggest_tag("english")
    ('en-US', 'zh-Hant-HK', None)
    """
    if not is_str(tag) or len(tag) > 64:
        return None
    return canonical_tag(tag.strip().replace("_", "-"))


@functools.lru_cache(maxsize=4096)
def is_known_tag(tag: str) -> bool:
    """Whether a well-formed tag names a language with CLDR locale data.

    The language is read after legacy codes are mapped (``in`` to ``id``, ``iw`` to ``he``,
    ``tl`` to ``fil``); a script and a region, where given, must be CLDR codes.

    >>> [is_known_tag(tag) for tag in ("in-ID", "zh-Hant-HK", "xx-US", "en-QQ")]
    [True, True, False, False]
    """
    canonical = canonical_tag(tag)
    if canonical is None:
        return False
    language, script, region = _split(canonical)
    from babel import localedata

    if not localedata.exists(resolve_language(language)):
        return False
    codes = _cldr_codes()
    return (script is None or script in codes[0]) and (region is None or region in codes[1])


def _split(canonical: str) -> tuple[str, str | None, str | None]:
    language, *rest = canonical.split("-")
    script = next((p for p in rest if len(p) == 4), None)
    region = next((p for p in rest if len(p) != 4), None)
    return language, script, region


@functools.lru_cache(maxsize=1024)
def resolve_language(language: str) -> str:
    """Map a legacy language code to the current one through CLDR's alias data.

    >>> [resolve_language(code) for code in ("in", "iw", "tl", "en")]
    ['id', 'he', 'fil', 'en']
    """
    from babel.core import get_global

    aliases = t.cast("dict[str, str]", get_global("language_aliases"))
    target = aliases.get(language.lower())
    # Some aliases map to a full locale (sh -> sr_Latn); only the language part is a language.
    if target is None:
        return language.lower()
    return target.split("_")[0]


@functools.cache
def _cldr_codes() -> tuple[frozenset[str], frozenset[str]]:
    from babel import Locale

    english = Locale("en")
    return frozenset(english.scripts), frozenset(english.territories)


# A locale as (language, script, region), legacy language codes resolved and the likely script
# filled in wherever CLDR knows one, so that "zh-HK" and "zh-Hant-HK" are the same value.
_Locale = tuple[str, str | None, str | None]

# CLDR chains are at most four levels deep; the cap only guards against cyclic data.
_MAX_DEPTH = 12


@functools.cache
def _cldr() -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    from babel.core import get_global

    return (
        t.cast("dict[str, str]", get_global("likely_subtags")),
        t.cast("dict[str, str]", get_global("parent_exceptions")),
        t.cast("dict[str, str]", get_global("language_aliases")),
    )


@functools.lru_cache(maxsize=1024)
def _likely(language: str, subtag: str | None) -> tuple[str | None, str | None]:
    # CLDR's lookup order: language plus the given subtag, else the language alone.
    likely = _cldr()[0]
    value = likely.get(f"{language}_{subtag}") if subtag else None
    if value is None:
        value = likely.get(language)
    if value is None:
        return None, None
    _, script, region = value.split("_")
    return script, region


# No well-formed tag is longer (xxx-Xxxx-XXX); longer text is not worth a cache slot.
_LONGEST_TAG = 12


def _normalise(tag: str) -> tuple[str, _Locale | None]:
    """The comparison key of a tag, and its locale if it is a known language."""
    if len(tag) > _LONGEST_TAG:
        return tag.replace("_", "-").lower(), None
    return _normalise_short(tag)


@functools.lru_cache(maxsize=4096)
def _normalise_short(tag: str) -> tuple[str, _Locale | None]:
    hyphenated = tag.replace("_", "-")
    canonical = canonical_tag(hyphenated)
    if canonical is None:
        return hyphenated.lower(), None
    language, script, region = _split(canonical)
    alias = _cldr()[2].get(language)
    if alias is not None:
        # An alias may carry a script or region (sh -> sr_Latn); the tag's own subtags win.
        language, *extra = alias.split("_")
        for part in extra:
            if len(part) == 4:
                script = script or part
            else:
                region = region or part
    key = "-".join(p for p in (language, script, region) if p)
    if not is_known_tag(canonical):
        return key, None
    return key, (language, script or _likely(language, region)[0], region)


@functools.lru_cache(maxsize=4096)
def _display(locale: _Locale) -> str:
    language, script, region = locale
    # The script is implied when it is the language's likely one and the region does not
    # imply another: "zh-CN", but "zh-Hans-HK" since "zh-HK" reads as Traditional.
    if (
        script is not None
        and script == _likely(language, None)[0]
        and (region is None or script == _likely(language, region)[0])
    ):
        script = None
    return "-".join(p for p in (language, script, region) if p)


def _parent(locale: _Locale) -> _Locale | None:
    parents = _cldr()[1]
    full_id = "_".join(p for p in locale if p)
    minimal_id = _display(locale).replace("-", "_")
    exception = parents.get(full_id) or parents.get(minimal_id)
    if exception is not None:
        return None if exception == "root" else _normalise(exception)[1]
    language, script, region = locale
    if region is not None:
        return language, script, None
    # A language level, or a script level: both fall back to root, whatever the script, so
    # "zh-Hant" never reaches "zh" and "sr-Latn" never reaches Cyrillic "sr".
    return None


@functools.lru_cache(maxsize=4096)
def _levels(locale: _Locale) -> tuple[_Locale, ...]:
    levels: list[_Locale] = []
    current: _Locale | None = locale
    while current is not None and current not in levels and len(levels) < _MAX_DEPTH:
        levels.append(current)
        current = _parent(current)
    return tuple(levels)


@functools.lru_cache(maxsize=4096)
def _chain_of(tag: str) -> tuple[str, ...] | None:
    locale = _normalise(tag)[1]
    if locale is None:
        return None
    return tuple(_display(level) for level in _levels(locale))


def fallback_chain(tag: str) -> tuple[str, ...]:
    """The CLDR fallback chain of a language tag, most specific first, without root.

    The tag is read case-insensitively, with ``_`` as ``-`` and legacy codes resolved (``in``
    to ``id``, ``iw`` to ``he``, ``tl`` to ``fil``). Each level is a BCP 47 tag that shows its
    script only where the script differs from what the language and region imply. CLDR's
    parent exceptions apply, and a non-default script never falls back to its language.

    :param tag: a language tag such as ``zh-HK`` or ``es_MX``.
    :returns: the chain; its first element is the tag itself in that form.
    :raises UnknownLanguage: for a malformed tag, one whose language, script or region CLDR
        does not know, or a value that is not a string.

    >>> fallback_chain("zh-HK")
    ('zh-Hant-HK', 'zh-Hant')
    >>> fallback_chain("es_mx")
    ('es-MX', 'es-419', 'es')
    >>> fallback_chain("en-QQ")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
        ...
    msgtemplates.errors.UnknownLanguage: unknown language tag "en-QQ": ...
    """
    if is_str(tag):
        chain = _chain_of(str.__str__(tag))
        if chain is not None:
            return chain
    raise UnknownLanguage(tag)


def _choose(requested: str, available: tuple[object, ...]) -> int:
    """The index in ``available`` of the best match for ``requested``, or -1."""
    wanted_key, wanted = _normalise(requested)
    candidates: list[tuple[int, tuple[_Locale, ...]]] = []
    for index, tag in enumerate(available):
        if not is_str(tag):
            continue
        key, locale = _normalise(str.__str__(tag))
        if key == wanted_key:
            return index
        if locale is not None:
            candidates.append((index, _levels(locale)))
    if wanted is None:
        return -1
    for level in _levels(wanted):
        matching = [(index, levels) for index, levels in candidates if level in levels]
        if not matching:
            continue
        for index, levels in matching:
            if levels[0] == level:
                return index
        language, script, region = level
        if region is None:
            likely: _Locale = (language, script, _likely(language, script)[1])
            for index, levels in matching:
                if levels[0] == likely:
                    return index
        return matching[0][0]
    return -1


_choose_cached = functools.lru_cache(maxsize=2048)(_choose)


def _as_tuple(available: cabc.Iterable[str]) -> tuple[str, ...]:
    iterator: cabc.Iterator[str] | None = None
    # A single string is iterable too, but as characters it is always a caller's slip.
    if not isinstance(available, str | bytes | bytearray):
        try:
            iterator = iter(available)
        except TypeError:
            iterator = None
    if iterator is None:
        raise TypeError(
            f"available must be an iterable of language tags, not {describe(available)}"
        )
    return tuple(iterator)


def best_match(
    requested: str, available: cabc.Iterable[str], /, *, default: str | None = None
) -> str | None:
    """The tag of ``available`` that best fits ``requested``, else ``default``.

    Tags are compared case-insensitively, with ``_`` as ``-`` and legacy codes resolved. An
    exact match wins; otherwise the first level of :func:`fallback_chain` of ``requested`` that
    some available tag also falls back to decides. Among several such tags, the one that is that
    level wins, then the one with the level's likely region (``en-US`` for ``en``), then the
    first given. A malformed or unknown tag matches only itself.

    :param requested: the tag wanted, e.g. a user's locale; a non-string gives ``default``.
    :param available: the tags to choose from; elements that are not strings are skipped.
    :param default: returned when nothing fits.
    :returns: an element of ``available`` exactly as given, or ``default``.
    :raises TypeError: if ``available`` is not an iterable, or is a single string or bytes
        (a common slip for a one-element list).

    >>> best_match("zh-HK", ["zh-CN", "zh-TW"])
    'zh-TW'
    >>> best_match("es-MX", ["es-ES", "es-419"])
    'es-419'
    >>> best_match("zh-HK", ["zh-CN", "en-US"], default="en")
    'en'
    >>> print(best_match("zh_hk", ["zh-CN"]))
    None
    """
    tags: tuple[str, ...]
    # Lists and tuples skip the checks below: best_match is called warm in loops.
    if type(available) is list or type(available) is tuple:
        tags = tuple(available)
    else:
        tags = _as_tuple(available)
    if type(requested) is not str:
        if not is_str(requested):
            return default
        requested = str.__str__(requested)
    try:
        index = _choose_cached(requested, tags)
    except Exception:
        # An element's own __hash__ or __eq__ may raise anything; the uncached path only
        # looks at strings.
        index = _choose(requested, tags)
    else:
        # A cached answer is for an equal key; an odd element equal to a string is not one.
        if index >= 0 and not is_str(tags[index]):
            index = _choose(requested, tags)
    if index < 0:
        return default
    return tags[index]
