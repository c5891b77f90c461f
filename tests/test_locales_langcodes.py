"""Differential test: best_match against langcodes.closest_match over wallet-market locales.

langcodes ranks candidates by CLDR's language-matching distances; best_match follows CLDR's
fallback chains. On this grid the two agree except where the library's fallback rules mean
otherwise, and each such difference is named below with its reason.
"""

from __future__ import annotations

import collections.abc as cabc
import functools
import typing as t

import pytest

from msgtemplates import best_match

langcodes = pytest.importorskip("langcodes")

# What users in the markets this API serves have as locale, device locales included.
MARKET_LOCALES: dict[str, tuple[str, ...]] = {
    "HK": ("zh-HK", "zh-Hant-HK", "zh-Hans-HK", "en-HK", "yue-HK", "yue-Hant-HK"),
    "MO": ("zh-MO", "zh-Hant-MO", "pt-MO"),
    "TW": ("zh-TW", "zh-Hant-TW", "zh-Hant", "en-TW"),
    "CN": ("zh-CN", "zh-Hans-CN", "zh-Hans", "zh", "en-CN"),
    "SG": ("en-SG", "zh-SG", "ms-SG", "ta-SG"),
    "MY": ("ms-MY", "ms", "en-MY", "zh-MY", "ta-MY"),
    "ID": ("id-ID", "in-ID", "id", "en-ID", "jv-ID"),
    "PH": ("fil-PH", "tl-PH", "fil", "tl", "en-PH"),
    "TH": ("th-TH", "th-TH-u-ca-buddhist", "en-TH"),
    "VN": ("vi-VN", "en-VN"),
    "KR": ("ko-KR", "en-KR"),
    "JP": ("ja-JP", "ja-JP-u-ca-japanese", "en-JP"),
    "IN": ("hi-IN", "hi-Latn-IN", "hi-Latn", "en-IN", "ta-IN", "bn-IN"),
    "AU": ("en-AU", "en-NZ"),
    "GB": ("en-GB", "en-001", "en"),
    "US": ("en-US", "en-US-x-twain", "es-US"),
    "CA": ("en-CA", "fr-CA"),
    "MX": ("es-MX", "es-419"),
    "AR": ("es-AR", "es-CO"),
    "BR": ("pt-BR", "pt"),
    "PT": ("pt-PT",),
    "AO": ("pt-AO", "pt-MZ"),
    "ES": ("es-ES", "es", "ca-ES", "ca-ES-valencia", "gl-ES", "eu-ES"),
    "NO": ("nb-NO", "nn-NO", "no-NO", "no", "nb", "nn"),
    "DK/SE": ("da-DK", "sv-SE"),
    "DE": ("de-DE", "de-DE-1996", "de-AT", "de-CH"),
    "FR": ("fr-FR",),
    "RS": ("sr-RS", "sr-Cyrl-RS", "sr-Latn-RS", "sr-Latn", "sr", "hr-HR", "bs-BA"),
    "ZA": ("en-ZA",),
}

# Catalog languages a merchant might have, from one region's text to a whole market's set.
AVAILABLE: dict[str, tuple[str, ...]] = {
    "greater-china": ("en-US", "zh-CN", "zh-TW"),
    "greater-china-hk": ("en-US", "zh-CN", "zh-HK", "zh-TW"),
    "chinese-scripts": ("en-GB", "en-US", "zh-Hant", "zh-Hans"),
    "hk-first": ("zh-HK", "zh-TW", "zh-CN"),
    "simplified-only": ("zh-CN", "en-US"),
    "traditional-only": ("zh-TW", "en-US"),
    "hans-script": ("zh-Hans", "en-US"),
    "hant-script": ("zh-Hant", "en"),
    "english-with-hinglish": ("en-US", "en-GB", "en-IN", "hi-Latn"),
    "hinglish-after-english": ("en-GB", "hi-Latn"),
    "india": ("en-IN", "en-GB", "hi-IN"),
    "india-us": ("en-IN", "en-US"),
    "commonwealth": ("en-AU", "en-US", "en-GB"),
    "north-america": ("en-US", "en-CA", "fr-FR", "fr-CA"),
    "languages-only": ("en", "es", "pt", "zh"),
    "iberian-and-latin": ("en-US", "es-419", "es-ES", "pt-BR", "pt-PT"),
    "mexico-spain-brazil": ("en-US", "es-MX", "es-ES", "pt-BR"),
    "portuguese-and-spanish": ("pt-BR", "pt-PT", "es-ES"),
    "latin-america": ("es-419", "en-US"),
    "spain": ("es-ES", "en-US"),
    "portugal": ("pt-PT", "en-US"),
    "brazil": ("pt-BR", "en-US"),
    "catalan": ("ca", "es-ES", "en-US"),
    "southeast-asia": ("en-US", "ms-MY", "id-ID", "th-TH", "vi-VN", "fil-PH"),
    "asia-languages": ("en-US", "ms", "id", "th", "vi", "fil", "ko", "ja"),
    "north-asia": ("en-US", "ko-KR", "ja-JP", "zh-CN"),
    "indonesian": ("en-US", "id-ID"),
    "indonesian-language": ("id", "en-US"),
    "malay": ("ms", "en-US"),
    "mixed-asia": ("en-GB", "zh-HK", "ms-MY", "ta-IN"),
    "bokmal": ("nb", "en-US"),
    "norwegian": ("no", "en"),
    "norway": ("nb-NO", "nn-NO"),
    "nynorsk": ("nn-NO", "en-GB"),
    "nordic-with-no": ("no", "da", "sv"),
    "nordic": ("da", "sv", "en-US"),
    "serbia": ("sr-Cyrl-RS", "sr-Latn-RS", "hr", "bs"),
    "serbian-latin": ("sr-Latn", "en"),
    "serbian-cyrillic": ("sr-Cyrl", "en"),
    "serbian-cyrillic-croatian": ("sr-Cyrl-RS", "hr"),
    "croatian-bosnian": ("hr", "bs", "en"),
    "german": ("de-DE", "de-AT", "de-CH", "en-US"),
}


def _language(tag: str | None) -> str | None:
    return None if tag is None else tag.split("-")[0].lower()


# A test of one answer: it is given the requested tag and the tag picked (None for nothing).
_Answer = cabc.Callable[[str, str | None], bool]


def _is_language(*languages: str | None) -> _Answer:
    return lambda requested, tag: _language(tag) in languages


def _is_another_language(*languages: str) -> _Answer:
    return lambda requested, tag: _language(tag) in set(languages) - {_language(requested)}


def _across(first: set[str], second: set[str]) -> _Answer:
    """A pick in one group of languages for a request in the other."""

    def answer(requested: str, tag: str | None) -> bool:
        pair = {_language(requested), _language(tag)}
        return bool(pair & first) and bool(pair & second)

    return answer


def _is_tag(expected: str | None) -> _Answer:
    return lambda requested, tag: tag == expected


class Difference(t.NamedTuple):
    """An intended difference: for a request whose language or whole tag is in ``requested``,
    best_match gives what ``ours`` accepts where langcodes gives what ``theirs`` accepts."""

    name: str
    reason: str
    requested: frozenset[str]
    ours: _Answer
    theirs: _Answer


DIFFERENCES = [
    Difference(
        "hinglish-reads-english",
        "CLDR's parent of hi-Latn is en-IN; langcodes offers Devanagari hi or nothing",
        frozenset({"hi-Latn", "hi-Latn-IN"}),
        ours=_is_language("en"),
        theirs=_is_language(None, "hi"),
    ),
    Difference(
        "likely-region-at-en",
        "no CLDR parent joins these English regions below en, where its likely region en-US wins;"
        " langcodes ranks en-GB, en-CA or en-IN nearer by region distance",
        frozenset({"en"}),
        ours=_is_tag("en-US"),
        theirs=_is_language("en"),
    ),
    Difference(
        "paradigm-en-gb",
        "en-GB and en-IN are alike to an en-US user; CLDR's paradigm en-GB wins, langcodes takes"
        " the first given",
        frozenset({"en"}),
        ours=_is_tag("en-GB"),
        theirs=_is_tag("en-IN"),
    ),
    Difference(
        "no-cross-script-serbian",
        "Latin and Cyrillic Serbian are different scripts: sr-Latn's chain ends at root, not sr",
        frozenset({"sr"}),
        ours=_is_tag(None),
        theirs=_is_language("sr"),
    ),
    Difference(
        "serbian-croatian-bosnian-apart",
        "no distance-based cross-language match: sr, hr and bs have no CLDR parent in common",
        frozenset({"sr", "hr", "bs"}),
        ours=_is_tag(None),
        theirs=_is_another_language("sr", "hr", "bs"),
    ),
    Difference(
        "cantonese-not-mandarin",
        "yue is a language of its own; langcodes' yue-to-zh distance is no CLDR parent",
        frozenset({"yue"}),
        ours=_is_tag(None),
        theirs=_is_language("zh"),
    ),
    Difference(
        "catalan-galician-basque-not-spanish",
        "no distance-based cross-language match: a ca, gl or eu user is not sent Spanish",
        frozenset({"ca", "gl", "eu"}),
        ours=_is_tag(None),
        theirs=_is_language("es"),
    ),
    Difference(
        "danish-not-norwegian",
        "no distance-based cross-language match: only CLDR's parents join nb, nn and no, never da",
        frozenset({"da", "nb", "nn", "no"}),
        ours=_is_tag(None),
        theirs=_across({"da"}, {"nb", "nn", "no"}),
    ),
    Difference(
        "indonesian-not-malay",
        "no distance-based cross-language match: id and ms are two languages (nor ms to id)",
        frozenset({"id", "in"}),
        ours=_is_tag(None),
        theirs=_is_language("ms"),
    ),
    Difference(
        "javanese-not-indonesian",
        "no distance-based cross-language match: a jv user is not sent Indonesian",
        frozenset({"jv"}),
        ours=_is_tag(None),
        theirs=_is_language("id"),
    ),
]


class Cell(t.NamedTuple):
    """One call on the grid and both answers (None where nothing fits)."""

    requested: str
    available: str
    ours: str | None
    theirs: str | None


def _closest(requested: str, available: tuple[str, ...]) -> str | None:
    tag, _distance = langcodes.closest_match(requested, list(available))
    return None if tag == "und" else t.cast("str", tag)


@functools.cache
def _grid() -> tuple[Cell, ...]:
    return tuple(
        Cell(requested, name, best_match(requested, tags), _closest(requested, tags))
        for locales in MARKET_LOCALES.values()
        for requested in locales
        for name, tags in AVAILABLE.items()
    )


def _explains(difference: Difference, cell: Cell) -> bool:
    return (
        (
            _language(cell.requested) in difference.requested
            or cell.requested in difference.requested
        )
        and difference.ours(cell.requested, cell.ours)
        and difference.theirs(cell.requested, cell.theirs)
    )


def _differing() -> list[Cell]:
    return [cell for cell in _grid() if cell.ours != cell.theirs]


def test_every_difference_from_langcodes_is_a_named_intended_one() -> None:
    unexplained = [
        cell for cell in _differing() if not any(_explains(d, cell) for d in DIFFERENCES)
    ]
    assert not unexplained, "\n".join(map(str, unexplained[:20]))


def test_no_difference_has_two_names() -> None:
    for cell in _differing():
        names = [d.name for d in DIFFERENCES if _explains(d, cell)]
        assert len(names) <= 1, (cell, names)


@pytest.mark.parametrize("difference", DIFFERENCES, ids=[d.name for d in DIFFERENCES])
def test_each_named_difference_occurs_on_the_grid(difference: Difference) -> None:
    assert any(_explains(difference, cell) for cell in _differing()), difference.name


def test_best_match_agrees_with_langcodes_on_most_of_the_grid() -> None:
    grid = _grid()
    assert len(grid) > 4000
    agreeing = sum(cell.ours == cell.theirs for cell in grid)
    # The named differences must stay exceptions, not swallow the comparison.
    assert agreeing >= 0.9 * len(grid), (agreeing, len(grid))


def _script(tag: str) -> str:
    # langcodes' own likely-subtags data, independent of msgtemplates.
    return t.cast("str", langcodes.Language.get(tag).maximize().script)


def test_best_match_never_changes_script_on_the_grid() -> None:
    for cell in _grid():
        if cell.ours is not None:
            assert _script(cell.ours) == _script(cell.requested), cell


@pytest.mark.parametrize(
    ("requested", "available"),
    [
        ("zh-HK", "simplified-only"),
        ("zh-MO", "simplified-only"),
        ("zh-TW", "hans-script"),
        ("zh-CN", "traditional-only"),
        ("ms-MY", "indonesian"),
        ("ms", "indonesian-language"),
    ],
)
def test_both_refuse_a_cross_script_or_cross_language_text(requested: str, available: str) -> None:
    # Named as rules of the library; here langcodes agrees, and so must best_match.
    assert best_match(requested, AVAILABLE[available]) is None
    assert _closest(requested, AVAILABLE[available]) is None
