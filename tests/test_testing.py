"""The shipped Hypothesis strategies keep their promises, checked against the library itself."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import typing as t

import pytest
from hypothesis import HealthCheck, Phase, find, given, settings
from hypothesis import strategies as st

from msgtemplates import (
    Catalog,
    Template,
    best_match,
    check_request,
    fallback_chain,
)
from msgtemplates.locales import canonical_tag, is_known_tag
from msgtemplates.problems import CODES
from msgtemplates.testing import (
    BROKEN_CODES,
    broken_requests,
    language_tags,
    send_requests,
    template_sources,
)

NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*\Z")
EMOJI = re.compile("[\U0001f300-\U0001faff]")
WARNINGS = {"invisibleCharacter", "utf16Length"}
# find() without shrinking: the first example that shows a boundary is reached is enough.
FIRST_HIT = settings(max_examples=2000, database=None, phases=[Phase.generate])
# Fourteen codes, each with its own test: a quarter of the profile's examples each, while
# test_broken_requests_mix_every_code runs the full count over all of them.
PER_CODE = max(10, settings().max_examples // 4)

CATALOG = Catalog(
    {
        "TP_ORDER": {
            "en-US": "Hi ${who}, order ${order.id} ships ${date}. Fee: US$5 $$",
            "zh-Hant-HK": "${who}\uff0c你的訂單 ${order.id} 將於 ${date} 發貨",
            "ar": "مرحبا ${who}\nطلبك ${order.id}",
            "en_GB": "malformed tag, never requested",
            "xx": "unknown language, never requested",
            "fr": "syntax error ${ here",
        },
        "TP_PLAIN": {"es-419": "Sin parámetros", "pt-BR": "Sem parâmetros"},
        "TP_URL": {"en": "Open ${pushContentUrl}"},
    },
    defaults={"TP_ORDER": "en-US"},
)


def errors(payload: object, catalog: Catalog | None = None) -> list[str]:
    return [str(p) for p in check_request(payload, catalog=catalog) if p.severity == "error"]


@given(send_requests())
def test_send_requests_have_no_problem_at_all(payload: dict[str, t.Any]) -> None:
    assert check_request(payload) == []


@given(send_requests())
def test_send_requests_are_json_that_encodes_as_utf8(payload: dict[str, t.Any]) -> None:
    text = json.dumps(payload, ensure_ascii=False)
    assert json.loads(text.encode("utf-8")) == payload


@pytest.mark.parametrize(
    ("what", "condition"),
    [
        ("appId of 32", lambda p: len(p["appId"]) == 32),
        ("appId of 1", lambda p: len(p["appId"]) == 1),
        ("accessToken of 128", lambda p: len(p["accessToken"]) == 128),
        ("requestId of 64", lambda p: len(p["requestId"]) == 64),
        ("templateCode of 64", lambda p: len(p["templateCode"]) == 64),
        ("5 templates", lambda p: len(p["templates"]) == 5),
        ("1 template", lambda p: len(p["templates"]) == 1),
        ("empty extendInfo", lambda p: p.get("extendInfo") == ""),
        ("extendInfo of 4096", lambda p: len(p.get("extendInfo", "")) == 4096),
        ("no extendInfo", lambda p: "extendInfo" not in p),
        ("no templateParameters", lambda p: "templateParameters" not in p["templates"][0]),
        ("a ZWJ in a value", lambda p: "\u200d" in parameter_text(p)),
        ("an emoji in a value", lambda p: bool(EMOJI.search(parameter_text(p)))),
        ("non-ASCII in a value", lambda p: not parameter_text(p).isascii()),
        ("a newline in a value", lambda p: "\n" in parameter_text(p)),
        ("a page path URL", lambda p: "/pages/" in parameter_text(p)),
    ],
)
def test_send_requests_reach_their_boundaries(
    what: str, condition: t.Callable[[dict[str, t.Any]], bool]
) -> None:
    found = find(send_requests(), condition, settings=FIRST_HIT)
    assert condition(found), what


def parameter_text(payload: dict[str, t.Any]) -> str:
    return "".join(
        value
        for item in payload["templates"]
        for value in item.get("templateParameters", {}).values()
    )


@pytest.mark.parametrize("code", sorted(BROKEN_CODES))
def test_each_broken_request_has_a_problem_with_its_code(code: str) -> None:
    severity = "warning" if code in WARNINGS else "error"

    @settings(max_examples=PER_CODE, suppress_health_check=[HealthCheck.too_slow])
    @given(broken_requests(codes=[code]))
    def check(case: tuple[object, str]) -> None:
        payload, drawn = case
        assert drawn == code
        found = [(p.code, p.severity) for p in check_request(payload)]
        assert (code, severity) in found

    check()


@given(broken_requests())
def test_broken_requests_mix_every_code(case: tuple[object, str]) -> None:
    payload, code = case
    assert code in BROKEN_CODES
    assert code in {p.code for p in check_request(payload)}


def test_broken_codes_are_documented_codes_and_cover_the_schema_keywords() -> None:
    assert BROKEN_CODES <= CODES
    assert {
        "type",
        "required",
        "additionalProperties",
        "minLength",
        "maxLength",
        "minItems",
        "maxItems",
        "languageTag",
        "unknownLanguage",
        "duplicateLanguage",
        "unsafeUrl",
        "invalidCharacter",
        "invisibleCharacter",
        "utf16Length",
    } <= BROKEN_CODES


@pytest.mark.parametrize("codes", [[], ["noSuchCode"], ["type", "unknownTemplate"]])
def test_broken_requests_refuse_codes_they_cannot_produce(codes: list[str]) -> None:
    with pytest.raises(ValueError, match="codes must be"):
        broken_requests(codes=codes)


@given(template_sources())
def test_template_sources_parse_and_keep_every_character(source: str) -> None:
    template = Template(source)
    assert template.render({}, missing="keep") == source
    assert all(NAME.match(name) for name in template.placeholders)


@pytest.mark.parametrize(
    ("what", "condition"),
    [
        ("US$5", lambda s: "US$5" in s),
        ("$$", lambda s: "$$" in s),
        ("a $ before a placeholder", lambda s: "$${" in s),
        ("a trailing $", lambda s: s.endswith("$")),
        ("CRLF", lambda s: "\r\n" in s),
        (
            "two placeholders on two lines",
            lambda s: len(Template(s).placeholders) >= 2 and "\n" in s,
        ),
    ],
)
def test_template_sources_reach_the_tricky_literals(
    what: str, condition: t.Callable[[str], bool]
) -> None:
    found = find(template_sources(), condition, settings=FIRST_HIT)
    assert condition(found), what


@given(language_tags())
def test_language_tags_are_canonical_known_and_match_themselves(tag: str) -> None:
    assert canonical_tag(tag) == tag
    assert is_known_tag(tag)
    assert best_match(tag, [tag]) == tag
    assert fallback_chain(tag)


@given(send_requests(CATALOG))
def test_catalog_requests_pass_the_catalog_checks(payload: dict[str, t.Any]) -> None:
    assert errors(payload, CATALOG) == []
    assert payload["templateCode"] in CATALOG.codes
    for item in payload["templates"]:
        assert item["language"] in {"en-US", "zh-Hant-HK", "ar", "es-419", "pt-BR", "en"}
        rendered = CATALOG.render(
            payload["templateCode"], item["language"], item.get("templateParameters", {})
        )
        assert rendered.language == item["language"]


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_requests_for_generated_catalogs_pass_the_catalog_checks(data: st.DataObject) -> None:
    languages = data.draw(st.lists(language_tags(), min_size=1, max_size=6, unique=True))
    texts = {language: data.draw(template_sources()) for language in languages}
    catalog = Catalog({"TP_GEN": texts})
    payload = data.draw(send_requests(catalog))
    assert errors(payload, catalog) == []
    assert errors(payload) == []


def test_a_catalog_without_usable_texts_is_refused() -> None:
    catalog = Catalog({"TP_BAD": {"en_US": "Hi", "xx": "Hi", "fr": "${"}})
    with pytest.raises(ValueError, match=r"Catalog\.lint"):
        send_requests(catalog)


@pytest.mark.parametrize("catalog", [{"TP": {"en": "Hi"}}, "catalog/", 0])
def test_send_requests_refuse_what_is_not_a_catalog(catalog: object) -> None:
    with pytest.raises(TypeError, match="must be a Catalog"):
        send_requests(catalog)  # type: ignore[arg-type]


def test_the_library_never_imports_hypothesis() -> None:
    code = (
        "import sys, msgtemplates, msgtemplates.cli, msgtemplates.preview; "
        "print('hypothesis' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert result.stdout.strip() == "False"


@settings(max_examples=150, suppress_health_check=list(HealthCheck), deadline=None)
@given(
    send_requests(
        Catalog(
            {
                "TP_LONG": {
                    "en-US": "x" * 4085 + "${a}${pushContentUrl}",
                    "zh-TW": "y" * 4095 + "${a}",
                    "th-TH": "z" * 4088 + "${redirectUrl}",
                }
            }
        )
    )
)
def test_requests_for_texts_near_the_wallet_limit_stay_valid(payload: dict[str, t.Any]) -> None:
    catalog = Catalog(
        {
            "TP_LONG": {
                "en-US": "x" * 4085 + "${a}${pushContentUrl}",
                "zh-TW": "y" * 4095 + "${a}",
                "th-TH": "z" * 4088 + "${redirectUrl}",
            }
        }
    )
    assert [p for p in check_request(payload, catalog=catalog) if p.severity == "error"] == []
