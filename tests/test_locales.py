"""Tests for CLDR fallback chains and best_match, through the public API."""

from __future__ import annotations

import itertools
import pathlib
import subprocess
import sys
import typing as t

import pytest
from hypothesis import given
from hypothesis import strategies as st

from msgtemplates import UnknownLanguage, best_match, fallback_chain
from msgtemplates.locales import base_tag, canonical_tag, is_known_tag, language_key


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


# Every example of the fallback rules, rule by rule.
SECTION_4 = [
    # 1. Case, "_" and legacy codes do not matter.
    pytest.param("EN_gb", ["en-US", "en-GB"], "en-GB", id="1-case-and-underscore"),
    pytest.param("in-ID", ["en-US", "id-ID"], "id-ID", id="1-legacy-in"),
    pytest.param("iw-IL", ["en-US", "he"], "he", id="1-legacy-iw"),
    pytest.param("tl-PH", ["en-US", "fil-PH"], "fil-PH", id="1-legacy-tl"),
    pytest.param("he-IL", ["en-US", "iw"], "iw", id="1-legacy-available"),
    # 2. An exact match wins.
    pytest.param("en-GB", ["en", "en-001", "en-GB"], "en-GB", id="2-exact"),
    pytest.param("zh-Hant", ["zh-Hant-TW", "zh-Hant"], "zh-Hant", id="2-exact-script"),
    # 3. The requested chain, level by level; zh-Hant never falls back to zh.
    pytest.param("zh-TW", ["zh", "en-US"], None, id="3-hant-never-to-zh"),
    pytest.param("zh-Hant", ["zh-CN", "zh"], None, id="3-script-level-never-to-zh"),
    pytest.param("zh-HK", ["zh-CN", "zh-TW"], "zh-TW", id="3-hk-traditional-over-simplified"),
    pytest.param("zh-MO", ["zh-TW", "zh-HK", "zh-CN"], "zh-HK", id="3-mo-picks-hk"),
    pytest.param("es-MX", ["es-ES", "es-419"], "es-419", id="3-mx-picks-419"),
    pytest.param("es-MX", ["en-US", "es-ES"], "es-ES", id="3-mx-then-es-es"),
    pytest.param("pt-AO", ["pt-BR", "pt-PT"], "pt-PT", id="3-ao-picks-pt"),
    pytest.param("en-AU", ["en-US", "en-GB"], "en-GB", id="3-au-gb-over-us"),
    pytest.param("zh-HK", ["zh-CN", "en-US"], None, id="3-hk-never-simplified"),
    # 3. Among several at a level: equal to the level, then its likely region, ...
    pytest.param("en-SG", ["en-AU", "en-001"], "en-001", id="3-equal-to-level"),
    pytest.param("es-MX", ["es-AR", "es-419"], "es-419", id="3-equal-to-level-419"),
    pytest.param("zh-MO", ["zh-Hant", "zh-HK"], "zh-HK", id="3-nearer-level-first"),
    pytest.param("en", ["en-GB", "en-AU", "en-US"], "en-US", id="3-likely-region"),
    pytest.param("pt", ["pt-PT", "pt-BR"], "pt-BR", id="3-likely-region-pt"),
    pytest.param("zh-Hant", ["zh-HK", "zh-TW"], "zh-TW", id="3-likely-region-of-script"),
    # ... then CLDR's paradigm locales, ...
    pytest.param("en-SG", ["en-IN", "en-GB"], "en-GB", id="3-sg-paradigm-gb-over-in"),
    pytest.param("en-MY", ["en-IN", "en-GB"], "en-GB", id="3-my-paradigm"),
    pytest.param("en-HK", ["en-IN", "en-GB"], "en-GB", id="3-hk-paradigm"),
    pytest.param("en-ZA", ["en-IN", "en-GB"], "en-GB", id="3-za-paradigm"),
    pytest.param("en-AU", ["en-IN", "en-NZ", "en-GB"], "en-GB", id="3-au-paradigm"),
    pytest.param("en-US", ["en-IN", "en-GB"], "en-GB", id="3-us-paradigm-at-en"),
    pytest.param("es", ["es-MX", "es-419"], "es-419", id="3-es-paradigm-419"),
    pytest.param("pt-CV", ["pt-AO", "pt-PT"], "pt-PT", id="3-cv-paradigm-pt"),
    # ... then the first given.
    pytest.param("en-SG", ["en-IN", "en-AU"], "en-IN", id="3-first-given"),
    pytest.param("en-SG", ["en-AU", "en-IN"], "en-AU", id="3-first-given-reversed"),
    pytest.param("es-ES", ["es-MX", "es-AR"], "es-MX", id="3-first-given-es"),
    # 3. Among tags that compare equal, the one spelled like the request, else the first.
    pytest.param("zh-TW", ["zh-tw", "zh-TW"], "zh-TW", id="3-spelled-like-request"),
    pytest.param("zh-tw", ["zh-TW", "zh-tw"], "zh-tw", id="3-spelled-like-request-lower"),
    pytest.param("zh_TW", ["zh-tw", "zh-TW"], "zh-tw", id="3-none-spelled-alike-first"),
    pytest.param("in-ID", ["id-ID", "in-ID"], "in-ID", id="3-legacy-spelled-alike"),
    pytest.param("id-ID", ["in-ID", "id-ID"], "id-ID", id="3-current-spelled-alike"),
    pytest.param("ID-id", ["in-ID", "id-ID"], "in-ID", id="3-legacy-first-given"),
    pytest.param("zh-MO", ["zh-hk", "zh-HK"], "zh-hk", id="3-equal-at-a-level-first"),
    # 4. A parent that changes language is followed only from child to parent.
    pytest.param("en-US", ["hi-Latn", "en-GB"], "en-GB", id="4-hinglish-text-not-english"),
    pytest.param("en-IN", ["hi-Latn", "en-US"], "en-US", id="4-hinglish-text-not-en-in"),
    pytest.param("en", ["hi-Latn"], None, id="4-hinglish-text-alone"),
    pytest.param("hi-Latn", ["en-US", "en-IN"], "en-IN", id="4-hinglish-user-gets-en-in"),
    pytest.param("hi-Latn-IN", ["en-US", "en-GB"], "en-GB", id="4-hinglish-user-en-001"),
    pytest.param("hi-Latn", ["hi", "en-US"], "en-US", id="4-hinglish-user-not-devanagari"),
    # 4. Norwegian nb, nn and no serve one another.
    pytest.param("nb", ["en-US", "nn"], "nn", id="4-nb-gets-nn"),
    pytest.param("nn-NO", ["en-US", "nb-NO"], "nb-NO", id="4-nn-gets-nb"),
    pytest.param("no", ["en-US", "nb"], "nb", id="4-no-gets-nb"),
    pytest.param("nb-NO", ["en-US", "no"], "no", id="4-nb-gets-no"),
    pytest.param("nb", ["nn", "no"], "no", id="4-no-is-the-nearer-level"),
    pytest.param("nb-NO", ["da", "sv"], None, id="4-norwegian-never-danish"),
    # 5. Otherwise the default.
    pytest.param("th-TH", ["en-US", "zh-CN"], None, id="5-nothing-fits"),
    # Requested tags with variants, extensions and private use.
    pytest.param("th-TH-u-ca-buddhist", ["en-US", "th-TH"], "th-TH", id="ext-buddhist"),
    pytest.param("th-TH-u-ca-buddhist", ["en-US", "th"], "th", id="ext-chain"),
    pytest.param("ca-ES-valencia", ["es-ES", "ca-ES"], "ca-ES", id="ext-valencia"),
    pytest.param("ca-ES-valencia", ["es-ES", "ca"], "ca", id="ext-valencia-language"),
    pytest.param("en-US-x-twain", ["en-GB", "en-US"], "en-US", id="ext-private-use"),
    pytest.param("de-DE-1996", ["de-AT", "de"], "de", id="ext-variant"),
    pytest.param("zh-Hant-HK-u-nu-hanidec", ["zh-CN", "zh-TW"], "zh-TW", id="ext-hk-traditional"),
    pytest.param("zh-HK-u-nu-hanidec", ["zh-CN"], None, id="ext-hk-never-simplified"),
    pytest.param("in-ID-u-ca-islamic", ["en-US", "id"], "id", id="ext-legacy-language"),
    pytest.param("th_TH_u_ca_buddhist", ["en-US", "th-TH"], "th-TH", id="ext-underscores"),
    pytest.param("th-TH-u-ca-buddhist", ["th-th", "th-TH"], "th-TH", id="ext-spelled-like-base"),
    pytest.param(
        "th-TH-u-ca-buddhist",
        ["th-TH", "TH-th-U-ca-BUDDHIST"],
        "TH-th-U-ca-BUDDHIST",
        id="ext-full",
    ),
    pytest.param("th-TH", ["th-TH-u-ca-buddhist"], None, id="ext-available-only-itself"),
    # Malformed or unknown tags match only themselves.
    pytest.param("th-TH-u", ["th-TH", "TH_th_U"], "TH_th_U", id="malformed-singleton"),
    pytest.param("xx-YY-u-ca-foo", ["xx-YY", "en-US"], None, id="unknown-base"),
    pytest.param("en-QQ-u-ca-x", ["en", "en-US"], None, id="unknown-region-extended"),
]


@pytest.mark.parametrize(("requested", "available", "expected"), SECTION_4)
def test_best_match_follows_design_section_4(
    requested: str, available: list[str], expected: str | None
) -> None:
    result = best_match(requested, available, default="default")
    assert result == (expected or "default")
    if expected is not None:
        assert any(result is tag for tag in available)


@pytest.mark.parametrize(
    ("tag", "chain"),
    [
        ("th-TH-u-ca-buddhist", ("th-TH", "th")),
        ("ca-ES-valencia", ("ca-ES", "ca")),
        ("en-US-x-twain", ("en-US", "en")),
        ("de-DE-1996", ("de-DE", "de")),
        ("zh-HK-u-nu-hanidec", ("zh-Hant-HK", "zh-Hant")),
        ("es_MX_u_cu_mxn", ("es-MX", "es-419", "es")),
        ("sl-rozaj-biske", ("sl",)),
        ("en-a-bbb-x-a-ccc", ("en",)),
        ("hi-Latn-IN-x-hinglish", ("hi-Latn-IN", "hi-Latn", "en-IN", "en-001", "en")),
    ],
)
def test_fallback_chain_of_an_extended_tag_is_that_of_its_language_script_and_region(
    tag: str, chain: tuple[str, ...]
) -> None:
    assert fallback_chain(tag) == chain


@pytest.mark.parametrize(
    "tag",
    [
        "th-TH-u",
        "th-TH-u-",
        "en-US-x",
        "en-US-x-toolongname",
        "de-DE-199",
        "en--US-x-a",
        "zh-yue-HK",
        "xx-YY-u-ca-foo",
        "en-QQ-x-a",
        "x-twain",
        "en-US-u-ca-buddhist\n",
    ],
)
def test_fallback_chain_rejects_malformed_and_unknown_extended_tags(tag: str) -> None:
    with pytest.raises(UnknownLanguage) as info:
        fallback_chain(tag)
    assert info.value.tag is tag


@pytest.mark.parametrize(
    ("tag", "base"),
    [
        ("th-TH-u-ca-buddhist", "th-TH"),
        ("ca-ES-valencia", "ca-ES"),
        ("en-US-x-twain", "en-US"),
        ("de-DE-1996", "de-DE"),
        ("zh-Hant-HK-u-nu-hanidec", "zh-Hant-HK"),
        ("sl-rozaj-biske", "sl"),
        ("es-419-u-cu-usd", "es-419"),
        ("TH-th-U-CA-buddhist", "TH-th"),
        ("th_TH_u_ca_buddhist", "th_TH"),
        ("xx-YY-u-ca-foo", "xx-YY"),
        # Anything else comes back unchanged.
        ("th-TH", "th-TH"),
        ("zh-Hant-HK", "zh-Hant-HK"),
        ("en-US-x", "en-US-x"),
        ("th-TH-u", "th-TH-u"),
        ("x-twain", "x-twain"),
        ("zh-yue-HK", "zh-yue-HK"),
        ("en-US-u-ca-buddhist\n", "en-US-u-ca-buddhist\n"),
        ("", ""),
    ],
)
def test_base_tag_gives_language_script_and_region_of_an_extended_tag(tag: str, base: str) -> None:
    assert base_tag(tag) == base


@pytest.mark.parametrize(
    "tag", ["th-TH-u-ca-buddhist", "ca-ES-valencia", "en-US-x-twain", "de-DE-1996", "en_US"]
)
def test_the_request_language_check_stays_strict_for_device_locales(tag: str) -> None:
    # What a request's own language field is checked with: extended tags are languageTag.
    assert canonical_tag(tag) is None
    assert not is_known_tag(tag)


@pytest.mark.parametrize("tag", [None, 3, b"th-TH-u-ca-buddhist"])
def test_base_tag_raises_type_error_for_a_non_string(tag: object) -> None:
    with pytest.raises(TypeError, match="tag must be a string"):
        base_tag(tag)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("first", "second", "same"),
    [
        ("en_us", "EN-US", True),
        ("zh-Hant-HK", "ZH_HANT_hk", True),
        ("en-US", "en-US", True),
        ("english", "English", True),
        ("in-ID", "id-ID", False),
        ("iw", "he", False),
        ("zh-HK", "zh-Hant-HK", False),
        ("en-US", "en-US ", False),
        ("th-TH-u-ca-buddhist", "TH_th_U_CA_Buddhist", True),
    ],
)
def test_language_key_ignores_case_and_underscores_but_merges_no_aliases(
    first: str, second: str, same: bool
) -> None:
    assert (language_key(first) == language_key(second)) is same


def test_language_key_is_the_tag_for_a_lower_case_hyphenated_tag() -> None:
    assert language_key("zh-Hant-HK") == "zh-hant-hk"
    assert language_key("en_US") == "en-us"


def test_language_key_of_locales_is_the_one_of_rules() -> None:
    from msgtemplates import rules

    assert language_key is rules.language_key


def test_a_non_ascii_lookalike_of_a_tag_matches_only_itself() -> None:
    # KELVIN SIGN lowers to "k": "\u212am" must not pass for Khmer "km".
    assert best_match("\u212am", ["km", "en"]) is None
    assert best_match("km", ["\u212aM", "en"]) is None
    assert best_match("\u212am", ["km", "\u212aM"]) == "\u212aM"


@given(tag=st.from_regex(r"[a-z]{2,3}(-[A-Z][a-z]{3})?(-[A-Z]{2}|-[0-9]{3})?", fullmatch=True))
def test_language_key_agrees_with_canonical_tag_on_well_formed_tags(tag: str) -> None:
    for other in (tag.upper(), tag.lower(), tag.replace("-", "_"), tag.swapcase()):
        assert language_key(other) == language_key(tag)
        assert canonical_tag(other.replace("_", "-")) == canonical_tag(tag)


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

    # Variants (en_US_POSIX, ca_ES_VALENCIA) are tested on their own below.
    return sorted(
        identifier.replace("_", "-")
        for identifier in localedata.locale_identifiers()
        if all(len(part) <= 4 for part in identifier.split("_")) and identifier != "root"
    )


def _babel_variant_tags() -> list[str]:
    from babel import localedata

    return sorted(
        identifier.replace("_", "-")
        for identifier in localedata.locale_identifiers()
        if any(len(part) > 4 for part in identifier.split("_"))
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


def test_every_babel_variant_locale_has_the_chain_of_its_language_script_and_region() -> None:
    tags = _babel_variant_tags()
    assert {"ca-ES-VALENCIA", "en-US-POSIX"} <= set(tags)
    for tag in tags:
        base = base_tag(tag)
        assert base != tag, tag
        assert fallback_chain(tag) == fallback_chain(base), tag
        assert best_match(tag, ["en-GB", base]) == base, tag


def _changes(tags: list[str]) -> set[tuple[str, str]]:
    """Each step of a chain where the language changes, as (child level, parent level)."""
    steps = set()
    for tag in tags:
        chain = fallback_chain(tag)
        for child, parent in itertools.pairwise(chain):
            if child.split("-")[0] != parent.split("-")[0]:
                steps.add((child, parent))
    return steps


def test_only_hinglish_and_norwegian_parents_change_language() -> None:
    # The rule of section 4 names these; new CLDR data with another such parent needs a look.
    assert _changes(_babel_tags()) == {("hi-Latn", "en-IN"), ("nb", "no"), ("nn", "no")}


def test_a_language_changing_parent_serves_the_child_never_the_parent() -> None:
    english = [tag for tag in _babel_tags() if tag.split("-")[0] == "en"]
    assert len(english) > 100
    for tag in english:
        assert best_match(tag, ["hi-Latn", "hi-Latn-IN"]) is None, tag
        # Every Latin English text is within hi-Latn's chain (en-IN, en-001, en); en-Dsrt is not.
        expected = tag if _script(tag) == "Latn" else None
        assert best_match("hi-Latn", [tag]) == expected, tag


@pytest.mark.parametrize("requested", ["nb", "nn", "no", "nb-NO", "nn-NO", "no-NO"])
@pytest.mark.parametrize("available", ["nb", "nn", "no", "nb-NO", "nn-NO", "no-NO"])
def test_norwegian_texts_serve_one_another(requested: str, available: str) -> None:
    assert best_match(requested, ["en-US", "da", "sv", available]) == available


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


_EXTENSIONS = st.from_regex(
    r"(-[a-z0-9]{5,8}|-[0-9][a-z0-9]{3}){0,2}(-[a-wyz0-9](-[a-z0-9]{2,8}){1,3}){0,2}"
    r"(-x(-[a-z0-9]{1,8}){1,2})?",
    fullmatch=True,
).filter(bool)

_EXTENDED_TAGS = st.builds(
    "".join, st.tuples(st.sampled_from([*_REAL_TAGS, "th-TH", "in-ID", "xx-YY"]), _EXTENSIONS)
)

_TAGS = st.one_of(
    st.text(max_size=12),
    st.sampled_from(_REAL_TAGS).flatmap(_variant),
    st.from_regex(r"[a-z]{2,3}(-[A-Z][a-z]{3})?(-[A-Z]{2}|-[0-9]{3})?", fullmatch=True),
    _EXTENDED_TAGS,
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


@given(tag=_EXTENDED_TAGS, available=st.lists(_TAGS, max_size=6))
def test_an_extended_request_matches_like_its_language_script_and_region(
    tag: str, available: list[str]
) -> None:
    base = base_tag(tag)
    assert base != tag
    if not any(language_key(other) == language_key(tag) for other in available):
        assert best_match(tag, available) == best_match(base, available)
    try:
        chain = fallback_chain(base)
    except UnknownLanguage:
        with pytest.raises(UnknownLanguage):
            fallback_chain(tag)
    else:
        assert fallback_chain(tag) == chain


# README's table: a user in each wallet market, a realistic set of catalog languages (the first
# is the catalog's default), and the text that user gets.
README_MARKETS = [
    ("Hong Kong", "zh-HK", ["en-US", "zh-CN", "zh-TW"]),
    ("Hong Kong", "zh-HK", ["en-US", "zh-CN"]),
    ("Hong Kong", "en-HK", ["en-US", "en-GB", "zh-HK"]),
    ("Macau", "zh-MO", ["en-US", "zh-CN", "zh-TW", "zh-HK"]),
    ("Macau", "pt-MO", ["en-US", "pt-BR", "pt-PT", "zh-HK"]),
    ("Taiwan", "zh-TW", ["en-US", "zh-CN", "zh-HK"]),
    ("Mainland China", "zh-CN", ["en-US", "zh-TW"]),
    ("Singapore", "en-SG", ["en-US", "en-IN", "en-GB"]),
    ("Singapore", "zh-SG", ["en-US", "zh-TW", "zh-CN"]),
    ("Malaysia", "ms-MY", ["en-US", "ms", "id"]),
    ("Malaysia", "ms-MY", ["en-US", "id"]),
    ("Indonesia", "in-ID", ["en-US", "id-ID"]),
    ("Philippines", "tl-PH", ["en-US", "fil"]),
    ("Philippines", "en-PH", ["en-GB", "en-US"]),
    ("Thailand", "th-TH-u-ca-buddhist", ["en-US", "th-TH"]),
    ("Vietnam", "vi-VN", ["en-US", "vi"]),
    ("South Korea", "ko-KR", ["en-US", "ko", "ja"]),
    ("Japan", "ja-JP-u-ca-japanese", ["en-US", "ja", "ko"]),
    ("India", "hi-Latn-IN", ["en-GB", "hi", "en-IN"]),
    ("India", "en-IN", ["en-US", "en-GB"]),
    ("Australia", "en-AU", ["en-US", "en-GB"]),
    ("United Kingdom", "en-GB", ["en-US", "hi-Latn"]),
    ("United States", "es-US", ["en-US", "es-ES", "es-419"]),
    ("Mexico", "es-MX", ["en-US", "es-ES", "es-419"]),
    ("Argentina", "es-AR", ["en-US", "es-ES", "es-MX"]),
    ("Brazil", "pt-BR", ["en-US", "pt-PT"]),
    ("Angola", "pt-AO", ["en-US", "pt-BR", "pt-PT"]),
    ("Spain", "ca-ES-valencia", ["en-US", "es-ES", "ca"]),
    ("Norway", "nn-NO", ["en-US", "da", "nb"]),
]

README = pathlib.Path(__file__).resolve().parents[1] / "README.md"
START, END = "<!-- markets:start -->", "<!-- markets:end -->"


def _markets_block() -> str:
    lines = [
        START,
        "## What a user in each market sees",
        "`best_match`, and so `Catalog.render` and `Catalog.preview`, picks the catalog text",
        "for a user's locale by CLDR's fallback chains: Traditional",
        "Chinese is never replaced by Simplified, nor a language by another unless CLDR makes",
        "that its parent (a Hinglish `hi-Latn` user may get `en-IN`, never the reverse), and a",
        "device locale's extensions (`-u-ca-buddhist`) do not matter. Where nothing fits, the",
        "catalog's default (here the first language listed) is shown. `tests/test_locales.py`",
        "checks this table.",
        "",
        "| Market | User locale | Catalog languages | Text shown |",
        "|---|---|---|---|",
    ]
    for market, locale, languages in README_MARKETS:
        picked = best_match(locale, languages)
        shown = f"`{picked}`" if picked is not None else f"`{languages[0]}` (default)"
        listed = ", ".join(f"`{language}`" for language in languages)
        lines.append(f"| {market} | `{locale}` | {listed} | {shown} |")
    lines.append(END)
    return "\n".join(lines)


def test_readme_market_table_is_what_best_match_gives() -> None:
    text = README.read_text("utf-8")
    expected = _markets_block()
    assert text.count(START) == 1, (
        f"README.md needs one block, before its testing section:\n{expected}"
    )
    start = text.index(START)
    found = text[start : text.index(END, start) + len(END)]
    assert found == expected, f"README.md's market table is stale; replace it with:\n{expected}"
    assert text.index(END) < text.index("## In your tests and CI")


def test_best_match_answers_stay_right_past_the_warm_cache_size() -> None:
    # Thousands of distinct requests, and of available sets for one request, then the first.
    for index in range(3000):
        assert best_match(f"tag{index}", ["en", f"TAG{index}"]) == f"TAG{index}"
    for index in range(300):
        assert best_match("zh-HK", ["zh-CN", f"x{index}", "zh-TW"]) == "zh-TW"
    assert best_match("tag0", ["en", "TAG0"]) == "TAG0"
    assert best_match("zh-HK", ["zh-CN", "x0", "zh-TW"]) == "zh-TW"


def test_every_cldr_script_and_region_is_known_without_loading_babel_twice() -> None:
    from babel import Locale

    from msgtemplates.locales import is_known_tag

    english = Locale("en")
    unknown_scripts = [s for s in english.scripts if not is_known_tag(f"en-{s}")]
    unknown_regions = [r for r in english.territories if not is_known_tag(f"en-{r}")]
    assert unknown_scripts == []
    assert unknown_regions == []
    assert not is_known_tag("en-Qabc")
    assert not is_known_tag("en-QQ")


def test_a_language_with_locale_data_is_never_a_legacy_alias() -> None:
    # resolve_language answers such languages without CLDR's global data; that is exact only
    # while no language with data of its own is also an alias.
    from babel import localedata
    from babel.core import get_global

    from msgtemplates.locales import resolve_language

    aliases = get_global("language_aliases")
    languages = {name.split("_")[0] for name in localedata.locale_identifiers()}
    assert [language for language in languages if language in aliases] == []
    assert all(resolve_language(language) == language for language in languages)
    assert [resolve_language(code) for code in ("in", "iw", "tl", "IN")] == [
        "id",
        "he",
        "fil",
        "id",
    ]


def test_checking_a_request_does_not_import_babel() -> None:
    import subprocess
    import sys

    code = (
        "import sys, json, msgtemplates\n"
        "p = json.load(open('examples/send-request.json'))\n"
        "assert msgtemplates.check_request(p) == []\n"
        "print('babel' in sys.modules)\n"
    )
    root = __import__("pathlib").Path(__file__).resolve().parent.parent
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "False"
