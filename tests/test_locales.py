"""Tests for CLDR fallback chains and best_match, through the public API."""

from __future__ import annotations

import subprocess
import sys
import typing as t

import pytest
from hypothesis import given
from hypothesis import strategies as st

from msgtemplates import UnknownLanguage, best_match, fallback_chain


@pytest.mark.parametrize(
    ("tag", "chain"),
    [
        ("zh-HK", ("zh-Hant-HK", "zh-Hant")),
        ("zh-CN", ("zh-CN", "zh")),
        ("zh-MO", ("zh-Hant-MO", "zh-Hant-HK", "zh-Hant")),
        ("zh-TW", ("zh-Hant-TW", "zh-Hant")),
        ("es-MX", ("es-MX", "es-419", "es")),
        ("pt-AO", ("pt-AO", "pt-PT", "pt")),
        ("en-AU", ("en-AU", "en-001", "en")),
        ("en", ("en",)),
        ("en-SG", ("en-SG", "en-001", "en")),
        ("zh-SG", ("zh-SG", "zh")),
        ("es-419", ("es-419", "es")),
    ],
)
def test_fallback_chain_follows_cldr(tag: str, chain: tuple[str, ...]) -> None:
    assert fallback_chain(tag) == chain


@pytest.mark.parametrize(
    ("tag", "chain"),
    [
        ("ZH_hk", ("zh-Hant-HK", "zh-Hant")),
        ("es_mx", ("es-MX", "es-419", "es")),
        ("EN", ("en",)),
        ("in-ID", ("id-ID", "id")),
        ("iw-IL", ("he-IL", "he")),
        ("tl-PH", ("fil-PH", "fil")),
        ("sh", ("sr-Latn",)),
    ],
)
def test_fallback_chain_reads_case_underscores_and_legacy_codes(
    tag: str, chain: tuple[str, ...]
) -> None:
    assert fallback_chain(tag) == chain


@pytest.mark.parametrize(
    ("tag", "chain"),
    [
        ("zh-Hant", ("zh-Hant",)),
        ("sr-Latn", ("sr-Latn",)),
        ("sr-Latn-RS", ("sr-Latn-RS", "sr-Latn")),
        ("zh-Latn-CN", ("zh-Latn-CN", "zh-Latn")),
    ],
)
def test_non_default_script_never_falls_back_to_its_language(
    tag: str, chain: tuple[str, ...]
) -> None:
    assert fallback_chain(tag) == chain


@pytest.mark.parametrize(
    ("tag", "chain"),
    [
        ("zh-Hans-HK", ("zh-Hans-HK", "zh")),
        ("zh-Hans-MO", ("zh-Hans-MO", "zh")),
        ("zh-Hans-CN", ("zh-CN", "zh")),
        ("zh-Hant-HK", ("zh-Hant-HK", "zh-Hant")),
        ("en-Latn-US", ("en-US", "en")),
        ("sr-RS", ("sr-RS", "sr")),
    ],
)
def test_fallback_chain_shows_a_script_only_where_it_changes_the_meaning(
    tag: str, chain: tuple[str, ...]
) -> None:
    assert fallback_chain(tag) == chain


@pytest.mark.parametrize(
    "tag",
    ["en_US\n", "en-US\n", "xx", "xx-US", "en-QQ", "", "english", "en-US-x", 3, None, b"en"],
)
def test_fallback_chain_rejects_malformed_unknown_and_non_string_tags(tag: object) -> None:
    with pytest.raises(UnknownLanguage) as info:
        fallback_chain(tag)  # type: ignore[arg-type]
    assert info.value.tag is tag
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize(
    ("requested", "available", "expected"),
    [
        ("zh-HK", ["zh-CN", "zh-TW"], "zh-TW"),
        ("zh-MO", ["zh-HK", "zh-TW", "zh-CN"], "zh-HK"),
        ("zh-MO", ["zh-TW", "zh-CN", "zh-HK"], "zh-HK"),
        ("es-MX", ["es-ES", "es-419"], "es-419"),
        ("es-MX", ["en-US", "es-ES"], "es-ES"),
        ("pt-AO", ["pt-BR", "pt-PT"], "pt-PT"),
        ("en-AU", ["en-US", "en-GB"], "en-GB"),
        ("zh-HK", ["zh-CN", "en-US"], None),
    ],
)
def test_best_match_follows_the_cldr_chain(
    requested: str, available: list[str], expected: str | None
) -> None:
    assert best_match(requested, available) == expected


def test_best_match_never_gives_simplified_chinese_for_hong_kong() -> None:
    assert best_match("zh-HK", ["zh-CN", "en-US"], default="en-US") == "en-US"


# Markets this API serves: what a user with that locale sees, given the languages sent.
MARKETS = [
    pytest.param("zh-HK", ["en-US", "zh-CN", "zh-TW"], "zh-TW", id="hk-chinese"),
    pytest.param("en-HK", ["en-US", "en-GB", "zh-TW"], "en-GB", id="hk-english"),
    pytest.param("zh-MO", ["zh-CN", "zh-TW", "zh-HK"], "zh-HK", id="mo-chinese"),
    pytest.param("zh-MO", ["zh-CN", "zh-TW"], "zh-TW", id="mo-chinese-no-hk"),
    pytest.param("pt-MO", ["pt-BR", "pt-PT", "zh-HK"], "pt-PT", id="mo-portuguese"),
    pytest.param("zh-TW", ["zh-CN", "zh-HK"], "zh-HK", id="tw-via-traditional"),
    pytest.param("zh-TW", ["zh-CN", "zh-Hant"], "zh-Hant", id="tw-script-only"),
    pytest.param("zh-SG", ["zh-TW", "zh-CN"], "zh-CN", id="sg-simplified"),
    pytest.param("en-SG", ["en-US", "en-GB"], "en-GB", id="sg-english-gb"),
    pytest.param("en-SG", ["en-US", "en-001"], "en-001", id="sg-english-001"),
    pytest.param("ms-SG", ["en-US", "ms-MY"], "ms-MY", id="sg-malay"),
    pytest.param("ms-MY", ["en-US", "ms"], "ms", id="my-malay"),
    pytest.param("zh-MY", ["zh-TW", "zh-CN"], "zh-CN", id="my-chinese"),
    pytest.param("en-MY", ["en-US", "en-GB"], "en-GB", id="my-english"),
    pytest.param("id-ID", ["en-US", "id"], "id", id="id-indonesian"),
    pytest.param("in-ID", ["en-US", "id-ID"], "id-ID", id="id-legacy-requested"),
    pytest.param("id-ID", ["en-US", "in-ID"], "in-ID", id="id-legacy-available"),
    pytest.param("fil-PH", ["en-US", "fil"], "fil", id="ph-filipino"),
    pytest.param("tl-PH", ["en-US", "fil-PH"], "fil-PH", id="ph-legacy-tagalog"),
    pytest.param("en-PH", ["en-GB", "en-US"], "en-US", id="ph-english-us"),
    pytest.param("th-TH", ["en-US", "th"], "th", id="th-thai"),
    pytest.param("th", ["en-US", "th-TH"], "th-TH", id="th-language-only"),
    pytest.param("es-MX", ["es-ES", "es-419"], "es-419", id="mx-419"),
    pytest.param("es-AR", ["es-ES", "es-MX"], "es-MX", id="ar-latin-american"),
    pytest.param("es-CO", ["en-US", "es-ES"], "es-ES", id="co-spain-last-resort"),
    pytest.param("es", ["es-MX", "es-ES"], "es-ES", id="es-likely-region"),
    pytest.param("pt-BR", ["pt-PT", "pt"], "pt", id="br-language"),
    pytest.param("pt-BR", ["en-US", "pt-PT"], "pt-PT", id="br-portugal-last-resort"),
    pytest.param("pt", ["pt-PT", "pt-BR"], "pt-BR", id="pt-likely-region"),
    pytest.param("pt-AO", ["pt-BR", "pt-PT"], "pt-PT", id="ao-portugal"),
    pytest.param("pt-MZ", ["pt-BR", "pt-PT"], "pt-PT", id="mz-portugal"),
    pytest.param("pt-CV", ["pt-BR", "pt"], "pt", id="cv-language"),
    pytest.param("pt-CV", ["en-US", "pt-BR"], "pt-BR", id="cv-brazil-last-resort"),
    pytest.param("en", ["en-GB", "en-US"], "en-US", id="en-likely-region"),
    pytest.param("th-TH", ["en-US", "zh-CN"], None, id="nothing-fits"),
    pytest.param("ms-MY", ["id-ID"], None, id="malay-is-not-indonesian"),
    pytest.param("zh-HK", ["zh-CN", "en-US"], None, id="hk-never-simplified"),
]


@pytest.mark.parametrize(("requested", "available", "expected"), MARKETS)
def test_best_match_in_wallet_markets(
    requested: str, available: list[str], expected: str | None
) -> None:
    assert best_match(requested, available) == expected
    assert best_match(requested, available, default="fallback") == (expected or "fallback")


@pytest.mark.parametrize(
    ("requested", "available", "expected"),
    [
        ("ZH_hk", ["zh-CN", "zh-TW"], "zh-TW"),
        ("zh-hk", ["zh_cn", "ZH_tw"], "ZH_tw"),
        ("en_gb", ["en-US", "EN-gb"], "EN-gb"),
        ("in_id", ["ID-id"], "ID-id"),
    ],
)
def test_best_match_ignores_case_and_underscores_and_returns_the_tag_as_given(
    requested: str, available: list[str], expected: str
) -> None:
    result = best_match(requested, available)
    assert result == expected
    assert any(result is tag for tag in available)


@pytest.mark.parametrize(
    ("requested", "available", "expected"),
    [
        ("en-GB", ["en-US", "en-001", "en_gb"], "en_gb"),
        ("zh-HK", ["zh-Hant-HK", "zh-HK"], "zh-HK"),
        ("zh-Hant-HK", ["zh-HK", "zh-Hant-HK"], "zh-Hant-HK"),
        ("zh-HK", ["zh-Hant", "zh-Hant-HK"], "zh-Hant-HK"),
    ],
)
def test_best_match_prefers_an_exact_match_then_the_same_locale(
    requested: str, available: list[str], expected: str
) -> None:
    assert best_match(requested, available) == expected


@pytest.mark.parametrize(
    ("requested", "available", "expected"),
    [
        ("en-US\n", ["en-US", "en"], None),
        ("en-US\n", ["en-US", "en-US\n"], "en-US\n"),
        ("en-US", ["en-US\n", "en_US ", " en-US"], None),
        ("xx-US", ["xx", "en-US"], None),
        ("xx-US", ["en", "XX_us"], "XX_us"),
        ("en-QQ", ["en", "en-US"], None),
        ("en", ["en-QQ", "xx", "en_US\n", "english"], None),
        ("english", ["en", "english"], "english"),
        ("", ["en", ""], ""),
        ("\x00\ud800", ["\x00\ud800"], "\x00\ud800"),
    ],
)
def test_malformed_and_unknown_tags_match_only_themselves(
    requested: str, available: list[str], expected: str | None
) -> None:
    assert best_match(requested, available) == expected


@pytest.mark.parametrize("requested", [3, None, b"en", ["en"], object()])
def test_best_match_gives_the_default_for_a_non_string_request(requested: object) -> None:
    assert best_match(requested, ["en"], default="en-US") == "en-US"  # type: ignore[arg-type]
    assert best_match(requested, ["en"]) is None  # type: ignore[arg-type]


class _Unhashable(str):
    __hash__ = None  # type: ignore[assignment]


@pytest.mark.parametrize(
    ("available", "expected"),
    [
        ([3, None, b"en", "en-GB"], "en-GB"),
        ([["en"], {"en": 1}, "en-GB"], "en-GB"),
        ([b"en", 1.5, True], None),
    ],
)
def test_best_match_never_returns_a_non_string_element(
    available: list[object], expected: str | None
) -> None:
    assert best_match("en-AU", available) == expected  # type: ignore[arg-type]


def test_best_match_returns_an_unhashable_string_subclass_as_given() -> None:
    tag = _Unhashable("en-GB")
    assert best_match("en-AU", ["en-US", tag]) is tag


def test_best_match_takes_any_iterable_once() -> None:
    tags = iter(["zh-CN", "zh-TW"])
    assert best_match("zh-HK", tags) == "zh-TW"
    assert best_match("zh-HK", {"zh-TW": "text"}) == "zh-TW"
    assert best_match("zh-HK", ("zh-CN", "zh-TW")) == "zh-TW"
    assert best_match("zh-HK", (tag for tag in ["zh-TW"])) == "zh-TW"


@pytest.mark.parametrize("available", [3, None, "en-US", b"en-US", object()])
def test_best_match_raises_type_error_unless_available_is_an_iterable_of_tags(
    available: object,
) -> None:
    with pytest.raises(TypeError, match="iterable of language tags"):
        best_match("en-US", available)  # type: ignore[arg-type]


def test_importing_locales_does_not_load_babel() -> None:
    code = "import sys, msgtemplates.locales; print('babel' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"


def _babel_tags() -> list[str]:
    from babel import localedata

    # Variants (en_US_POSIX, ca_ES_VALENCIA) are not tags of the form this API takes.
    return sorted(
        identifier.replace("_", "-")
        for identifier in localedata.locale_identifiers()
        if all(len(part) <= 4 for part in identifier.split("_")) and identifier != "root"
    )


def _script(tag: str) -> str | None:
    """The script a tag means, read from CLDR's likely subtags independently of fallback_chain."""
    from babel.core import get_global

    likely = t.cast("dict[str, str]", get_global("likely_subtags"))
    language, *rest = tag.split("-")
    explicit = [part for part in rest if len(part) == 4]
    if explicit:
        return explicit[0]
    regions = [part for part in rest if len(part) != 4]
    full = (regions and likely.get(f"{language}_{regions[0]}")) or likely.get(language)
    return full.split("_")[1] if full else None


def test_every_babel_locale_has_a_finite_chain_that_starts_with_the_tag() -> None:
    tags = _babel_tags()
    assert len(tags) > 700
    for tag in tags:
        chain = fallback_chain(tag)
        assert 1 <= len(chain) <= 6, tag
        assert len(set(chain)) == len(chain), tag
        # The first level is the tag itself, at most without a script it implies.
        first = chain[0].split("-")
        assert first[0] == tag.split("-")[0], tag
        assert set(first) <= set(tag.split("-")), tag
        assert len(first) >= len(tag.split("-")) - 1, tag
        # Each level is itself a tag whose chain is the rest of this one.
        for index, level in enumerate(chain):
            assert fallback_chain(level) == chain[index:], (tag, level)


def test_chinese_chains_never_cross_scripts() -> None:
    chinese = [tag for tag in _babel_tags() if tag.split("-")[0] == "zh"]
    assert {"zh", "zh-Hant", "zh-Hans-HK", "zh-Hant-HK", "zh-Hant-MO"} <= set(chinese)
    for tag in chinese:
        script = _script(tag)
        assert script in {"Hans", "Hant", "Latn"}, tag
        for level in fallback_chain(tag):
            assert level.split("-")[0] == "zh", (tag, level)
            assert _script(level) == script, (tag, level)


_REAL_TAGS = ["zh-HK", "zh-TW", "zh-CN", "zh-Hant", "en-US", "en-GB", "en", "es-419", "pt-PT"]


def _variant(tag: str) -> st.SearchStrategy[str]:
    return st.sampled_from([tag, tag.lower(), tag.upper(), tag.replace("-", "_"), tag + "\n"])


_TAGS = st.one_of(
    st.text(max_size=12),
    st.sampled_from(_REAL_TAGS).flatmap(_variant),
    st.from_regex(r"[a-z]{2,3}(-[A-Z][a-z]{3})?(-[A-Z]{2}|-[0-9]{3})?", fullmatch=True),
)


@given(requested=_TAGS, available=st.lists(_TAGS, max_size=6), default=st.none() | st.text())
def test_best_match_returns_an_available_tag_or_the_default(
    requested: str, available: list[str], default: str | None
) -> None:
    result = best_match(requested, available, default=default)
    assert result is default or any(result is tag for tag in available)


@given(tag=st.text() | _TAGS)
def test_any_string_matches_itself(tag: str) -> None:
    assert best_match(tag, [tag]) == tag


@given(requested=_TAGS, available=st.lists(_TAGS, max_size=6))
def test_best_match_answers_the_same_cold_and_warm(requested: str, available: list[str]) -> None:
    first = best_match(requested, available)
    assert best_match(requested, list(available)) == first
    assert best_match(requested, iter(available)) == first


@given(tag=_TAGS)
def test_fallback_chain_returns_a_chain_or_raises_unknown_language(tag: str) -> None:
    error: UnknownLanguage | None = None
    chain: tuple[str, ...] = ()
    try:
        chain = fallback_chain(tag)
    except UnknownLanguage as err:
        error = err
    if error is not None:
        assert error.tag is tag
    else:
        assert chain
        assert best_match(tag, list(chain)) == chain[0]
