"""Language tags: normalisation, well-formedness, CLDR fallback chains and best_match."""

from __future__ import annotations

import functools
import re
import typing as t

__all__ = ["canonical_tag", "is_known_tag", "suggest_tag"]

# language[-Script][-REGION]; \Z rather than $ so that "en-US\n" is not well-formed.
_WELL_FORMED = re.compile(r"([A-Za-z]{2,3})(?:-([A-Za-z]{4}))?(?:-([A-Za-z]{2}|[0-9]{3}))?\Z")


def canonical_tag(tag: object) -> str | None:
    """The canonical-case form of a well-formed hyphenated tag, or ``None`` if not well-formed.

    >>> canonical_tag("zh-hant-hk"), canonical_tag("en_US"), canonical_tag("en-US\\n")
    ('zh-Hant-HK', None, None)
    """
    if not isinstance(tag, str):
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
    if not isinstance(tag, str) or len(tag) > 64:
        return None
    return canonical_tag(tag.strip().replace("_", "-"))


@functools.lru_cache(maxsize=4096)
def is_known_tag(tag: str) -> bool:
    """Whether a well-formed tag names a language with CLDR locale data.

    The language is read after legacy codes are mapped (``in`` to ``id``, ``iw`` to ``he``,
    ``tl`` to ``fil``); a script and a region, where given, must be CLDR codes.

    >>> is_known_tag("in-ID"), is_known_tag("zh-Hant-HK"), is_known_tag("xx-US"), is_known_tag("en-QQ")
    (True, True, False, False)
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

    >>> resolve_language("in"), resolve_language("iw"), resolve_language("tl"), resolve_language("en")
    ('id', 'he', 'fil', 'en')
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


def fallback_chain(tag: str) -> tuple[str, ...]:  # PLACEHOLDER: replaced by the locales work
    raise NotImplementedError


def best_match(requested: str, available: t.Iterable[str], /, *, default: str | None = None) -> str | None:  # PLACEHOLDER
    raise NotImplementedError
