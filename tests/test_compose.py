"""Typed parameters and Catalog.compose: declarations, Babel formatting per language, errors.

Every expected string is Babel's own answer for the same value and locale, called here
directly, so the tests follow CLDR rather than a copy of today's output.
"""

from __future__ import annotations

import datetime
import decimal
import json
import pathlib
import pickle
import subprocess
import sys
import typing as t
import zoneinfo
from decimal import Decimal

import pytest
from babel import dates, numbers
from hypothesis import given
from hypothesis import strategies as st

from msgtemplates import (
    Catalog,
    CatalogError,
    MissingParameters,
    RequestInvalid,
    UnknownTemplate,
    check_request,
)
from msgtemplates.compose import ParameterType, parse_cli_value, render_typed

ROOT = pathlib.Path(__file__).resolve().parent.parent
EXAMPLE_CATALOG = ROOT / "examples" / "catalog"

HONG_KONG = zoneinfo.ZoneInfo("Asia/Hong_Kong")
BANGKOK = zoneinfo.ZoneInfo("Asia/Bangkok")
PAID_AT = datetime.datetime(
    2024, 5, 17, 10, 30, tzinfo=datetime.timezone(datetime.timedelta(hours=8))
)

TEXTS = {
    "en-US": "Paid ${amount} to ${merchant} on ${paidAt}.",
    "zh-HK": "你已於${paidAt}向${merchant}付款${amount}。",
    "th-TH": "ชำระเงิน ${amount} ให้กับ ${merchant} เมื่อ ${paidAt}",
}
DECLARED: dict[str, object] = {
    "amount": "currency",
    "merchant": "text",
    "paidAt": {"type": "datetime", "format": "medium"},
}
DECLARATION_CODES = {"parameterType", "unusedDeclaration", "undeclaredParameter"}
IDS = {"app_id": "3333010071465913", "access_token": "tok-1", "request_id": "REQ-1"}


def payment_catalog(**declared: object) -> Catalog:
    return Catalog({"TP_PAY": TEXTS}, parameters={"TP_PAY": {**DECLARED, **declared}})


def values(**changes: object) -> dict[str, object]:
    given: dict[str, object] = {
        "amount": (Decimal("38.00"), "HKD"),
        "merchant": "Sunrise Coffee",
        "paidAt": PAID_AT,
    }
    given.update(changes)
    return given


def params_by_language(request: dict[str, t.Any]) -> dict[str, dict[str, str]]:
    return {item["language"]: item["templateParameters"] for item in request["templates"]}


def errors(request: object, catalog: Catalog) -> list[str]:
    return [str(p) for p in check_request(request, catalog=catalog) if p.severity == "error"]


# ----------------------------------------------------------------------------- formatting


@pytest.mark.parametrize(
    ("language", "babel_locale", "amount", "currency"),
    [
        ("zh-HK", "zh_HK", Decimal("38.00"), "HKD"),
        ("th-TH", "th_TH", Decimal("165.00"), "THB"),
        ("en-US", "en_US", Decimal("38.00"), "HKD"),
        ("en-US", "en_US", 1250, "JPY"),
    ],
)
def test_currency_is_formatted_by_babel_for_each_language(
    language: str, babel_locale: str, amount: Decimal | int, currency: str
) -> None:
    catalog = payment_catalog()
    request = catalog.compose(
        "TP_PAY", values(amount=(amount, currency)), **IDS, languages=[language]
    )
    shown = params_by_language(request)[language]["amount"]
    assert shown == numbers.format_currency(amount, currency, locale=babel_locale)


def test_zh_hk_shows_the_hong_kong_dollar_sign_and_th_th_the_baht_sign() -> None:
    # The point of the feature, stated once in CLDR's own terms: the local symbol of each.
    catalog = payment_catalog()
    amounts = {"zh-HK": (Decimal("38.00"), "HKD"), "th-TH": (Decimal("165.00"), "THB")}
    request = catalog.compose("TP_PAY", values(amount=amounts), **IDS, languages=["zh-HK", "th-TH"])
    shown = params_by_language(request)
    assert numbers.get_currency_symbol("HKD", "zh_HK") in shown["zh-HK"]["amount"]
    assert numbers.get_currency_symbol("THB", "th_TH") in shown["th-TH"]["amount"]


@pytest.mark.parametrize(
    ("tz", "zone"),
    [("Asia/Bangkok", BANGKOK), (BANGKOK, BANGKOK), ("UTC", zoneinfo.ZoneInfo("UTC"))],
)
def test_datetimes_are_shown_in_the_requested_time_zone(
    tz: str | datetime.tzinfo, zone: datetime.tzinfo
) -> None:
    catalog = payment_catalog()
    request = catalog.compose("TP_PAY", values(), **IDS, languages=["th-TH", "en-US"], tz=tz)
    shown = params_by_language(request)
    for language, babel_locale in (("th-TH", "th_TH"), ("en-US", "en_US")):
        expected = dates.format_datetime(
            PAID_AT.astimezone(zone), "medium", tzinfo=zone, locale=babel_locale
        )
        assert shown[language]["paidAt"] == expected


def test_a_date_takes_the_calendar_day_of_the_time_zone() -> None:
    late = datetime.datetime(2024, 5, 17, 23, 30, tzinfo=datetime.UTC)
    catalog = Catalog({"TP_D": {"ja-JP": "${day}"}}, parameters={"TP_D": {"day": "date"}})
    request = catalog.compose("TP_D", {"day": late}, **IDS, tz="Asia/Tokyo")
    expected = dates.format_date(datetime.date(2024, 5, 18), "medium", locale="ja_JP")
    assert params_by_language(request)["ja-JP"]["day"] == expected


def test_a_date_also_takes_a_plain_date() -> None:
    day = datetime.date(2024, 5, 17)
    catalog = Catalog(
        {"TP_D": {"de-DE": "${day}"}},
        parameters={"TP_D": {"day": {"type": "date", "format": "full"}}},
    )
    request = catalog.compose("TP_D", {"day": day}, **IDS)
    assert params_by_language(request)["de-DE"]["day"] == dates.format_date(
        day, "full", locale="de_DE"
    )


def test_time_with_a_cldr_pattern_and_zone_name() -> None:
    catalog = Catalog(
        {"TP_T": {"en-GB": "${at}"}},
        parameters={"TP_T": {"at": {"type": "time", "format": "HH:mm zzzz"}}},
    )
    request = catalog.compose("TP_T", {"at": PAID_AT}, **IDS, tz="Asia/Bangkok")
    expected = dates.format_time(
        PAID_AT.astimezone(BANGKOK), "HH:mm zzzz", tzinfo=BANGKOK, locale="en_GB"
    )
    assert params_by_language(request)["en-GB"]["at"] == expected


@pytest.mark.parametrize(
    ("declaration", "value", "babel_call"),
    [
        ("percent", Decimal("0.125"), lambda v, loc: numbers.format_percent(v, locale=loc)),
        (
            {"type": "percent", "format": "#,##0.0%"},
            0.125,
            lambda v, loc: numbers.format_percent(v, "#,##0.0%", locale=loc),
        ),
        ("number", 1234567, lambda v, loc: numbers.format_decimal(v, locale=loc)),
        ("decimal", Decimal("1234.5"), lambda v, loc: numbers.format_decimal(v, locale=loc)),
        (
            {"type": "number", "format": "#,##0.00"},
            Decimal("7"),
            lambda v, loc: numbers.format_decimal(v, "#,##0.00", locale=loc),
        ),
        (
            {"type": "number", "format": "short"},
            12345,
            lambda v, loc: numbers.format_compact_decimal(v, format_type="short", locale=loc),
        ),
        (
            {"type": "currency", "format": "accounting"},
            (Decimal("-5"), "USD"),
            lambda v, loc: numbers.format_currency(
                v[0], v[1], locale=loc, format_type="accounting"
            ),
        ),
        (
            {"type": "currency", "format": "name"},
            (Decimal("5"), "EUR"),
            lambda v, loc: numbers.format_currency(v[0], v[1], locale=loc, format_type="name"),
        ),
    ],
)
@pytest.mark.parametrize(("language", "babel_locale"), [("id-ID", "id_ID"), ("de-CH", "de_CH")])
def test_numbers_follow_their_declaration_and_language(
    declaration: object,
    value: object,
    babel_call: t.Callable[[t.Any, str], str],
    language: str,
    babel_locale: str,
) -> None:
    catalog = Catalog({"TP_N": {language: "x ${n}"}}, parameters={"TP_N": {"n": declaration}})
    request = catalog.compose("TP_N", {"n": value}, **IDS)
    assert params_by_language(request)[language]["n"] == babel_call(value, babel_locale)


def test_text_is_inserted_as_given() -> None:
    catalog = payment_catalog()
    text = "Café ${not a placeholder} 日出"
    request = catalog.compose("TP_PAY", values(merchant=text), **IDS)
    assert {p["merchant"] for p in params_by_language(request).values()} == {text}


def test_babel_gets_the_request_language_not_the_catalog_language() -> None:
    # en-GB has no text of its own and reads the en-US one, but its user wants British dates.
    catalog = payment_catalog()
    request = catalog.compose("TP_PAY", values(), **IDS, languages=["en-GB"], tz=HONG_KONG)
    expected = dates.format_datetime(PAID_AT, "medium", tzinfo=HONG_KONG, locale="en_GB")
    assert params_by_language(request)["en-GB"]["paidAt"] == expected
    assert not errors(request, catalog)


def test_a_tag_babel_cannot_parse_is_formatted_in_the_catalog_language_used() -> None:
    catalog = Catalog(
        {"TP_F": {"fr-FR": "Payé ${amount}", "en-US": "Paid ${amount}"}},
        parameters={"TP_F": {"amount": "currency"}},
    )
    with pytest.raises(Exception, match=r"unknown locale|not a valid locale"):
        numbers.format_currency(1, "EUR", locale="fr_CN")
    request = catalog.compose(
        "TP_F", {"amount": (Decimal("9.5"), "EUR")}, **IDS, languages=["fr-CN"]
    )
    assert params_by_language(request)["fr-CN"]["amount"] == numbers.format_currency(
        Decimal("9.5"), "EUR", locale="fr_FR"
    )


# ----------------------------------------------------------------------------- per language


def test_a_mapping_value_is_resolved_per_language_with_best_match() -> None:
    catalog = payment_catalog()
    merchant = {"en": "Sunrise Coffee", "zh-Hant": "日出咖啡"}
    request = catalog.compose("TP_PAY", values(merchant=merchant), **IDS)
    shown = params_by_language(request)
    assert shown["en-US"]["merchant"] == "Sunrise Coffee"
    assert shown["zh-HK"]["merchant"] == "日出咖啡"


def test_a_language_the_mapping_lacks_gets_the_default_languages_value() -> None:
    catalog = Catalog(
        {"TP_PAY": TEXTS}, defaults={"TP_PAY": "zh-HK"}, parameters={"TP_PAY": DECLARED}
    )
    merchant = {"en": "Sunrise Coffee", "zh-Hant": "日出咖啡"}
    request = catalog.compose("TP_PAY", values(merchant=merchant), **IDS)
    assert params_by_language(request)["th-TH"]["merchant"] == "日出咖啡"


def test_without_the_default_language_the_first_value_given_is_used() -> None:
    catalog = payment_catalog()
    merchant = {"ja": "サンライズ", "zh-Hant": "日出咖啡"}
    request = catalog.compose("TP_PAY", values(merchant=merchant), **IDS)
    shown = params_by_language(request)
    assert shown["th-TH"]["merchant"] == "サンライズ"
    assert shown["en-US"]["merchant"] == "サンライズ"
    assert shown["zh-HK"]["merchant"] == "日出咖啡"


def test_typed_values_may_be_given_per_language_too() -> None:
    catalog = payment_catalog()
    amount = {"th": (Decimal("165.00"), "THB"), "en": (Decimal("38.00"), "HKD")}
    request = catalog.compose("TP_PAY", values(amount=amount), **IDS)
    shown = params_by_language(request)
    assert shown["th-TH"]["amount"] == numbers.format_currency(
        Decimal("165.00"), "THB", locale="th_TH"
    )
    # zh-HK is neither key nor the default's fallback chain: the default's (en-US) value.
    assert shown["zh-HK"]["amount"] == numbers.format_currency(
        Decimal("38.00"), "HKD", locale="zh_HK"
    )


def test_each_content_template_holds_only_what_its_own_text_uses() -> None:
    catalog = Catalog(
        {"TP_X": {"en-US": "Hi ${who}, ${amount}", "zh-CN": "${amount}"}},
        parameters={"TP_X": {"amount": "currency", "who": "text"}},
    )
    request = catalog.compose("TP_X", {"who": "Ann", "amount": (1, "CNY"), "extra": 3}, **IDS)
    shown = params_by_language(request)
    assert list(shown["en-US"]) == ["who", "amount"]
    assert list(shown["zh-CN"]) == ["amount"]


@pytest.mark.parametrize(
    ("links", "expected"),
    [
        ({}, {}),
        (
            {"pushContentUrl": "https://shop.example/o/1"},
            {"pushContentUrl": "https://shop.example/o/1"},
        ),
        (
            {"redirectUrl": "/pages/order/detail?id=1", "pushContentUrl": "https://a.example"},
            {"pushContentUrl": "https://a.example", "redirectUrl": "/pages/order/detail?id=1"},
        ),
    ],
)
def test_link_parameters_pass_through_when_given(
    links: dict[str, str], expected: dict[str, str]
) -> None:
    catalog = payment_catalog()
    request = catalog.compose("TP_PAY", values(**links), **IDS)
    for params in params_by_language(request).values():
        assert {k: v for k, v in params.items() if k in ("pushContentUrl", "redirectUrl")} == (
            expected
        )
    assert not errors(request, catalog)


def test_a_link_may_differ_per_language() -> None:
    catalog = payment_catalog()
    link = {"en": "https://shop.example/o/1", "th": "https://shop.example/o/1?lang=th"}
    request = catalog.compose("TP_PAY", values(pushContentUrl=link), **IDS)
    shown = params_by_language(request)
    assert shown["th-TH"]["pushContentUrl"] == link["th"]
    assert shown["en-US"]["pushContentUrl"] == link["en"]


def test_the_request_has_the_given_ids_and_extend_info() -> None:
    catalog = payment_catalog()
    request = catalog.compose("TP_PAY", values(), **IDS, extend_info='{"campaign": 7}')
    assert {k: request[k] for k in ("appId", "accessToken", "requestId", "templateCode")} == {
        "appId": IDS["app_id"],
        "accessToken": IDS["access_token"],
        "requestId": IDS["request_id"],
        "templateCode": "TP_PAY",
    }
    assert request["extendInfo"] == '{"campaign": 7}'
    assert [item["language"] for item in request["templates"]] == list(TEXTS)
    assert "extendInfo" not in catalog.compose("TP_PAY", values(), **IDS)
    json.dumps(request)


def test_the_example_catalog_composes_the_example_request_from_typed_values() -> None:
    catalog = Catalog.load(EXAMPLE_CATALOG)
    request = catalog.compose(
        "TP_PAYMENT_SUCCESS",
        {
            "merchant": {"en": "Sunrise Coffee", "zh-Hant": "日出咖啡", "th": "ซันไรส์ คอฟฟี่"},
            "amount": {"en": (Decimal("38.00"), "HKD"), "th": (Decimal("165.00"), "THB")},
            "time": PAID_AT,
            "pushContentUrl": "https://m.sunrisecoffee.example/orders/1427381129",
        },
        **IDS,
        languages=["en-US", "zh-HK", "th-TH"],
        tz="Asia/Hong_Kong",
    )
    assert check_request(request, catalog=catalog) == []
    shown = params_by_language(request)
    assert shown["th-TH"]["amount"] == numbers.format_currency(
        Decimal("165.00"), "THB", locale="th_TH"
    )
    assert shown["zh-HK"]["time"] == dates.format_datetime(
        PAID_AT, "medium", tzinfo=HONG_KONG, locale="zh_HK"
    )


# ----------------------------------------------------------------------------- errors


def test_missing_values_raise_missing_parameters_naming_all_in_order() -> None:
    catalog = payment_catalog()
    with pytest.raises(MissingParameters) as caught:
        catalog.compose("TP_PAY", {"merchant": "x"}, **IDS)
    assert caught.value.names == ("amount", "paidAt")


@pytest.mark.parametrize(
    ("name", "value", "needs"),
    [
        ("amount", "HKD 38.00", "amount, currency code"),
        ("amount", Decimal("38"), "amount, currency code"),
        ("amount", ("38.00", "HKD"), "amount, currency code"),
        ("amount", (True, "HKD"), "amount, currency code"),
        ("amount", (Decimal("1"), 344), "currency code"),
        ("amount", (1, "HKD", "x"), "amount, currency code"),
        ("paidAt", "2024-05-17T10:30+08:00", "aware datetime"),
        ("paidAt", datetime.date(2024, 5, 17), "aware datetime"),
        ("paidAt", 1715913000, "aware datetime"),
        ("merchant", 42, "a str"),
        ("merchant", b"Sunrise", "a str"),
        ("merchant", {"en": 3}, "a str"),
        ("merchant", {3: "x"}, "language tags"),
        ("pushContentUrl", 5, "a link"),
    ],
)
def test_a_value_of_the_wrong_type_is_a_type_error_naming_parameter_and_need(
    name: str, value: object, needs: str
) -> None:
    catalog = payment_catalog()
    with pytest.raises(TypeError, match=f'parameter "{name}".*{needs}'):
        catalog.compose("TP_PAY", values(**{name: value}), **IDS)


@pytest.mark.parametrize(
    ("declaration", "value"),
    [("number", True), ("number", "12"), ("percent", False), ("decimal", None)],
)
def test_a_bool_or_string_is_no_number(declaration: str, value: object) -> None:
    catalog = Catalog({"TP_N": {"en-US": "${n}"}}, parameters={"TP_N": {"n": declaration}})
    with pytest.raises(TypeError, match='parameter "n" needs a number'):
        catalog.compose("TP_N", {"n": value}, **IDS)


@pytest.mark.parametrize(
    ("name", "value", "match"),
    [
        ("paidAt", datetime.datetime(2024, 5, 17, 10, 30), "naive datetime"),
        ("amount", (Decimal("1"), "ABC"), 'unknown currency code "ABC"'),
        ("amount", (Decimal("1"), "hkd"), 'unknown currency code "hkd"; use "HKD"'),
        ("amount", (Decimal("NaN"), "HKD"), "finite"),
        ("amount", (Decimal("sNaN"), "HKD"), "finite"),
        ("amount", (float("nan"), "HKD"), "finite"),
        ("amount", (float("inf"), "HKD"), "finite"),
        ("amount", (Decimal("-Infinity"), "HKD"), "finite"),
        ("amount", (Decimal("1e5000"), "HKD"), "too large"),
        ("amount", (10**5000, "HKD"), "too large"),
        ("merchant", {}, "empty mapping"),
    ],
)
def test_a_bad_value_is_a_value_error_naming_the_parameter(
    name: str, value: object, match: str
) -> None:
    catalog = payment_catalog()
    with pytest.raises(ValueError, match=f'parameter "{name}".*{match}'):
        catalog.compose("TP_PAY", values(**{name: value}), **IDS)


@pytest.mark.parametrize(
    ("value"),
    [Decimal("1e30"), Decimal("123456789012345678901234567890.125"), 10**200, 1e300],
)
def test_large_numbers_are_formatted_in_full_not_rejected_by_decimal_precision(
    value: Decimal | int | float,
) -> None:
    catalog = Catalog({"TP_N": {"en-US": "${n}"}}, parameters={"TP_N": {"n": "number"}})
    shown = params_by_language(catalog.compose("TP_N", {"n": value}, **IDS))["en-US"]["n"]
    with decimal.localcontext() as context:
        context.prec = 400
        assert shown == numbers.format_decimal(value, locale="en_US")


def test_an_unknown_template_code_raises_unknown_template() -> None:
    with pytest.raises(UnknownTemplate):
        payment_catalog().compose("TP_NOPE", values(), **IDS)


@pytest.mark.parametrize(
    ("declaration", "match"),
    [
        ("money", 'unknown type "money"'),
        ({"type": "datetime", "format": "GGGGGG"}, "Babel rejects"),
        ({"type": "datetime", "format": "yyyy-MM-dd jj"}, "letters j"),
        ({"type": "date", "format": "d MMM y HH:mm"}, "time or zone fields H, m"),
        ({"type": "time", "format": "yyyy HH:mm"}, "date fields y"),
        ({"type": "number", "format": "medium"}, "no digits"),
        ({"type": "percent", "format": "#,##0"}, "no % sign"),
        ({"type": "text", "format": "short"}, "text takes no format"),
        ({"type": "currency", "format": "long"}, "no digits"),
    ],
)
def test_a_bad_declaration_loads_lints_as_parameter_type_and_compose_raises_naming_it(
    declaration: object, match: str
) -> None:
    catalog = payment_catalog(paidAt=declaration)
    (problem,) = [p for p in catalog.lint() if p.code == "parameterType"]
    assert problem.path == "/TP_PAY/parameters/paidAt"
    assert problem.severity == "error"
    assert match in problem.message
    with pytest.raises(ValueError, match=f'"TP_PAY".*parameter "paidAt".*{match}'):
        catalog.compose("TP_PAY", values(), **IDS)


@pytest.mark.parametrize(
    ("kind", "form"),
    [
        ("datetime", "d MMM y, HH:mm"),
        ("datetime", "EEEE, d MMMM y 'at' h:mm a zzzz"),
        ("datetime", "full"),
        ("date", "EEE d MMM y"),
        ("date", "short"),
        ("time", "HH:mm:ss zzzz"),
        ("time", "h:mm a"),
        ("number", "#,##0.00"),
        ("number", "long"),
        ("decimal", "0.000"),
        ("percent", "#,##0.0%"),
        ("currency", "\u00a4#,##0.00"),
        ("currency", "accounting"),
        ("currency", "short"),
    ],
)
def test_valid_formats_lint_clean_and_compose(kind: str, form: str) -> None:
    catalog = Catalog(
        {"TP_V": {"en-US": "${v}"}}, parameters={"TP_V": {"v": {"type": kind, "format": form}}}
    )
    assert catalog.lint() == []
    sample: dict[str, object] = {
        "datetime": PAID_AT,
        "date": PAID_AT,
        "time": PAID_AT,
        "number": Decimal("1234.5"),
        "decimal": Decimal("1234.5"),
        "percent": Decimal("0.5"),
        "currency": (Decimal("1234.5"), "HKD"),
    }
    request = catalog.compose("TP_V", {"v": sample[kind]}, **IDS)
    assert params_by_language(request)["en-US"]["v"]


def test_more_than_five_catalog_languages_asks_for_languages() -> None:
    texts = dict.fromkeys(("en-US", "zh-CN", "zh-HK", "th-TH", "id-ID", "ms-MY"), "${who}")
    catalog = Catalog({"TP_6": texts})
    with pytest.raises(ValueError, match="languages="):
        catalog.compose("TP_6", {"who": "Ann"}, **IDS)
    request = catalog.compose("TP_6", {"who": "Ann"}, **IDS, languages=["ms-MY", "en-US"])
    assert [item["language"] for item in request["templates"]] == ["ms-MY", "en-US"]


@pytest.mark.parametrize(
    ("options", "error", "match"),
    [
        ({"languages": "en-US"}, TypeError, "languages must be a sequence"),
        ({"languages": [1]}, TypeError, "language tag strings"),
        ({"languages": []}, ValueError, "1 to 5"),
        ({"languages": ["en-US"] * 6}, ValueError, "1 to 5"),
        ({"tz": "Mars/Olympus"}, ValueError, "not a time zone name"),
        ({"tz": "../etc/passwd"}, ValueError, "not a time zone name"),
        ({"tz": 8}, TypeError, "tz must be"),
        ({"app_id": 3}, TypeError, "app_id must be a string"),
        ({"access_token": None}, TypeError, "access_token must be a string"),
        ({"extend_info": {}}, TypeError, "extend_info must be"),
    ],
)
def test_bad_options_are_named(
    options: dict[str, object], error: type[Exception], match: str
) -> None:
    arguments: dict[str, t.Any] = {**IDS, **options}
    with pytest.raises(error, match=match):
        payment_catalog().compose("TP_PAY", values(), **arguments)


def test_values_must_be_a_mapping() -> None:
    with pytest.raises(TypeError, match="values must be a mapping"):
        payment_catalog().compose("TP_PAY", [("merchant", "x")], **IDS)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("changes", "options", "code"),
    [
        ({"pushContentUrl": "javascript:alert(1)"}, {}, "unsafeUrl"),
        ({}, {"app_id": "A" * 33}, "maxLength"),
        ({}, {"languages": ["en_US"]}, "languageTag"),
        ({"merchant": "bad \ud800"}, {}, "invalidCharacter"),
        ({"merchant": "x" * 5000}, {}, "contentTooLong"),
    ],
)
def test_a_request_that_would_still_have_errors_raises_request_invalid(
    changes: dict[str, object], options: dict[str, object], code: str
) -> None:
    arguments: dict[str, t.Any] = {**IDS, **options}
    with pytest.raises(RequestInvalid) as caught:
        payment_catalog().compose("TP_PAY", values(**changes), **arguments)
    assert code in {p.code for p in caught.value.problems}
    assert all(p.severity == "error" for p in caught.value.problems)
    assert IDS["access_token"] not in str(caught.value)


@pytest.mark.parametrize(
    "value",
    [
        (Decimal("1"), ""),
        (Decimal("1"), "US$"),
        (Decimal("1e-999"), "HKD"),
        (Decimal("-0"), "HKD"),
        (-(10**900), "HKD"),
        (Decimal("9" * 999), "HKD"),
    ],
)
def test_hostile_currency_values_never_leak_babels_exception(value: object) -> None:
    failure: Exception | None = None
    try:
        request = payment_catalog().compose("TP_PAY", values(amount=value), **IDS)
    except (TypeError, ValueError) as err:
        failure = err
    if failure is None:
        assert not errors(request, payment_catalog())
    else:
        assert not type(failure).__module__.startswith(("babel", "decimal"))
        assert len(str(failure)) <= 400


def test_no_error_text_holds_the_access_token() -> None:
    token = "ZQX"
    catalog = payment_catalog()
    with pytest.raises(ValueError, match="unknown currency code") as caught:
        catalog.compose("TP_PAY", values(amount=(1, token)), **{**IDS, "access_token": token})
    assert token not in str(caught.value)
    assert caught.value.__cause__ is None


def test_error_texts_stay_within_400_characters() -> None:
    tags = [f"x{'y' * 60}{i}" for i in range(8)]
    catalog = Catalog({"TP_" + "C" * 100: dict.fromkeys(tags, "${who}")})
    with pytest.raises(ValueError, match="languages=") as caught:
        catalog.compose("TP_" + "C" * 100, {"who": "x"}, **IDS)
    assert len(str(caught.value)) <= 400


def test_a_datetime_at_the_end_of_time_is_a_value_error() -> None:
    far = datetime.datetime.max.replace(tzinfo=datetime.UTC)
    with pytest.raises(ValueError, match='parameter "paidAt"'):
        payment_catalog().compose("TP_PAY", values(paidAt=far), **IDS, tz="Pacific/Kiritimati")


def test_a_syntax_error_in_the_chosen_text_is_raised() -> None:
    from msgtemplates import TemplateSyntaxError

    catalog = Catalog({"TP_S": {"en-US": "Hi ${who"}})
    with pytest.raises(TemplateSyntaxError):
        catalog.compose("TP_S", {"who": "x"}, **IDS)


# ----------------------------------------------------------------------------- lint


def test_a_fully_declared_catalog_lints_clean() -> None:
    assert payment_catalog().lint() == []


def test_the_example_catalog_declares_its_parameters_and_lints_clean() -> None:
    catalog = Catalog.load(EXAMPLE_CATALOG)
    assert catalog.lint() == []
    assert catalog.parameters("TP_PAYMENT_SUCCESS")["amount"] == ParameterType("currency")
    for code in catalog.codes:
        assert catalog.parameters(code)


def test_lint_reports_unused_declarations_and_undeclared_placeholders() -> None:
    catalog = Catalog(
        {"TP_L": {"en-US": "${who} ${amount}", "zh-CN": "${amount} ${note}"}},
        parameters={"TP_L": {"amount": "currency", "count": "number"}},
    )
    ours = [p for p in catalog.lint() if p.code in DECLARATION_CODES]
    found = [(p.path, p.code, p.severity) for p in ours]
    assert found == [
        ("/TP_L/parameters/count", "unusedDeclaration", "warning"),
        ("/TP_L/en-US", "undeclaredParameter", "warning"),
        ("/TP_L/zh-CN", "undeclaredParameter", "warning"),
    ]
    messages = [p.message for p in ours]
    assert '"count"' in messages[0]
    assert "${who}" in messages[1]
    assert "${note}" in messages[2]


def test_undeclared_placeholders_are_text_when_composed() -> None:
    catalog = Catalog({"TP_L": {"en-US": "${who}"}}, parameters={"TP_L": {}})
    assert [p.code for p in catalog.lint()] == ["undeclaredParameter"]
    request = catalog.compose("TP_L", {"who": "Ann"}, **IDS)
    assert params_by_language(request)["en-US"] == {"who": "Ann"}
    with pytest.raises(TypeError, match='parameter "who" needs text'):
        catalog.compose("TP_L", {"who": 3}, **IDS)


def test_without_a_parameters_table_lint_says_nothing_of_declarations() -> None:
    catalog = Catalog({"TP_L": {"en-US": "${who}"}})
    assert catalog.lint() == []
    assert catalog.parameters("TP_L") == {}


def test_lint_messages_stay_bounded_for_long_names_and_formats() -> None:
    long = "n" * 500
    catalog = Catalog(
        {"TP_L": {"en-US": "${" + long + "x}"}},
        parameters={"TP_L": {long: {"type": "date", "format": "G" * 500}}},
    )
    problems = catalog.lint()
    assert {p.code for p in problems} == DECLARATION_CODES
    assert all(len(p.message) <= 400 for p in problems)


# ----------------------------------------------------------------------------- loading


def write(tmp_path: pathlib.Path, name: str, text: str) -> pathlib.Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


TOML_HEAD = 'default = "en-US"\n[content]\n"en-US" = "Paid ${amount} on ${paidAt}"\n\n'


def test_a_toml_parameters_table_loads_both_forms(tmp_path: pathlib.Path) -> None:
    path = write(
        tmp_path,
        "TP_P.toml",
        TOML_HEAD + '[parameters]\namount = "currency"\n'
        'paidAt = { type = "datetime", format = "short" }\n',
    )
    catalog = Catalog.load(path)
    assert dict(catalog.parameters("TP_P")) == {
        "amount": ParameterType("currency"),
        "paidAt": ParameterType("datetime", "short"),
    }
    assert catalog.lint() == []


def test_where_finds_the_line_of_each_declaration(tmp_path: pathlib.Path) -> None:
    path = write(
        tmp_path,
        "TP_W.toml",
        TOML_HEAD + '[parameters]\namount = "money"\n\n[parameters.paidAt]\ntype = "date"\n',
    )
    catalog = Catalog.load(path)
    assert catalog.where("/TP_W/parameters/amount") == (str(path), 6)
    assert catalog.where("/TP_W/parameters/paidAt") == (str(path), 8)
    document = {"content": {"en-US": "${n}"}, "parameters": {"n": "number"}}
    json_path = write(tmp_path, "TP_J.json", json.dumps(document, indent=2))
    line = json_path.read_text("utf-8").split("\n").index('    "n": "number"') + 1
    assert Catalog.load(json_path).where("/TP_J/parameters/n") == (str(json_path), line)


def test_a_json_parameters_object_loads(tmp_path: pathlib.Path) -> None:
    document = {
        "content": {"en-US": "Paid ${amount} on ${paidAt}"},
        "parameters": {"amount": "currency", "paidAt": {"type": "date"}},
    }
    path = write(tmp_path, "TP_P.json", json.dumps(document))
    assert Catalog.load(path).parameters("TP_P")["paidAt"] == ParameterType("date")


@pytest.mark.parametrize(
    ("table", "line", "match"),
    [
        ('[parameters]\namount = 3\npaidAt = "datetime"\n', 6, 'parameter "amount" as an integer'),
        ('[parameters]\namount = "currency"\npaidAt = ["datetime"]\n', 7, "as an array"),
        (
            '[parameters]\npaidAt = { type = "datetime", fmt = "short" }\n',
            6,
            'unknown key "fmt"',
        ),
        ('[parameters]\npaidAt = { format = "short" }\n', 6, "no type"),
        ("[parameters.paidAt]\ntype = 5\n", 5, "type of an integer"),
        ('[parameters]\npaidAt = { type = "date", format = 1 }\n', 6, "format of an integer"),
    ],
)
def test_a_wrong_shaped_toml_declaration_is_a_catalog_error_with_its_line(
    tmp_path: pathlib.Path, table: str, line: int, match: str
) -> None:
    path = write(tmp_path, "TP_P.toml", TOML_HEAD + table)
    with pytest.raises(CatalogError, match=match) as caught:
        Catalog.load(path)
    assert caught.value.path == str(path)
    assert caught.value.lineno == line


def test_parameters_that_are_not_a_table_is_a_catalog_error(tmp_path: pathlib.Path) -> None:
    path = write(tmp_path, "TP_P.toml", 'parameters = "currency"\n' + TOML_HEAD)
    with pytest.raises(CatalogError, match="parameters of a string") as caught:
        Catalog.load(path)
    assert caught.value.lineno == 1


@pytest.mark.parametrize(
    ("parameters", "line", "match"),
    [
        ('{"amount": 3}', 3, "as an integer"),
        ('{"amount": {"type": "currency", "extra": 1}}', 3, 'unknown key "extra"'),
        ('{"amount": {"type": null}}', 3, "type of null"),
        ('["amount"]', 3, "parameters of an array"),
    ],
)
def test_a_wrong_shaped_json_declaration_is_a_catalog_error_with_its_line(
    tmp_path: pathlib.Path, parameters: str, line: int, match: str
) -> None:
    text = '{\n  "content": {"en-US": "Paid ${amount}"},\n  "parameters": ' + parameters + "\n}\n"
    path = write(tmp_path, "TP_J.json", text)
    with pytest.raises(CatalogError, match=match) as caught:
        Catalog.load(path)
    assert caught.value.lineno == line


def test_a_bad_declaration_in_a_file_does_not_stop_the_load(tmp_path: pathlib.Path) -> None:
    path = write(tmp_path, "TP_P.toml", TOML_HEAD + '[parameters]\namount = "money"\n')
    catalog = Catalog.load(path)
    assert [p.code for p in catalog.lint() if p.severity == "error"] == ["parameterType"]


@pytest.mark.parametrize(
    ("parameters", "error", "match"),
    [
        ([], TypeError, "parameters must be a mapping"),
        ({"TP_NONE": {}}, ValueError, "which templates does not hold"),
        ({"TP_PAY": ["amount"]}, TypeError, "must map parameter names"),
        ({"TP_PAY": {"amount": 3}}, TypeError, "as an integer"),
        ({"TP_PAY": {"amount": {"type": "currency", "x": 1}}}, ValueError, 'unknown key "x"'),
        ({"TP_PAY": {1: "text"}}, TypeError, "names are strings"),
    ],
)
def test_wrong_parameters_to_the_constructor_are_named(
    parameters: object, error: type[Exception], match: str
) -> None:
    with pytest.raises(error, match=match):
        Catalog({"TP_PAY": TEXTS}, parameters=parameters)  # type: ignore[arg-type]


def test_pickling_keeps_declarations_and_equality_sees_them() -> None:
    catalog = payment_catalog()
    copy = pickle.loads(pickle.dumps(catalog))
    assert copy == catalog
    assert hash(copy) == hash(catalog)
    assert dict(copy.parameters("TP_PAY")) == dict(catalog.parameters("TP_PAY"))
    assert copy.compose("TP_PAY", values(), **IDS) == catalog.compose("TP_PAY", values(), **IDS)
    assert catalog != Catalog({"TP_PAY": TEXTS})
    assert catalog != payment_catalog(paidAt="date")


def test_a_loaded_catalog_pickles_with_its_declarations() -> None:
    catalog = Catalog.load(EXAMPLE_CATALOG)
    copy = pickle.loads(pickle.dumps(catalog))
    assert copy == catalog
    assert copy.parameters("TP_PAYMENT_SUCCESS") == catalog.parameters("TP_PAYMENT_SUCCESS")


def test_importing_compose_does_not_load_babel() -> None:
    code = "import sys, msgtemplates.compose, msgtemplates; print('babel' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert result.stdout.strip() == "False"


# ----------------------------------------------------------------------------- command line


@pytest.mark.parametrize(
    ("kind", "text", "expected"),
    [
        ("currency", "38.00:HKD", (Decimal("38.00"), "HKD")),
        ("currency", "165:thb", (Decimal("165"), "THB")),
        ("currency", "-5.5 : USD", (Decimal("-5.5"), "USD")),
        ("number", "1234.50", Decimal("1234.50")),
        ("decimal", "-3", Decimal("-3")),
        ("percent", "0.15", Decimal("0.15")),
        ("percent", "15%", Decimal("0.15")),
        ("text", " as is ", " as is "),
        ("date", "2024-05-17", datetime.date(2024, 5, 17)),
        (
            "datetime",
            "2024-05-17T10:30+08:00",
            datetime.datetime(
                2024, 5, 17, 10, 30, tzinfo=datetime.timezone(datetime.timedelta(hours=8))
            ),
        ),
        (
            "time",
            "2024-05-17T02:30Z",
            datetime.datetime(2024, 5, 17, 2, 30, tzinfo=datetime.UTC),
        ),
    ],
)
def test_parse_cli_value_reads_each_type(kind: str, text: str, expected: object) -> None:
    assert parse_cli_value(kind, text) == expected


@pytest.mark.parametrize(
    ("kind", "text", "form"),
    [
        ("currency", "38.00", "AMOUNT:CODE"),
        ("currency", "38.00:HK", "AMOUNT:CODE"),
        ("currency", "abc:HKD", "AMOUNT:CODE"),
        ("number", "12,5", "a number such as"),
        ("number", "nan", "a number such as"),
        ("number", "Infinity", "a number such as"),
        ("number", "1_000", "a number such as"),
        ("number", "1e", "a number such as"),
        ("percent", "%", "a fraction"),
        ("datetime", "2024-05-17T10:30", "UTC offset"),
        ("datetime", "tomorrow", "with its offset"),
        ("date", "2024-02-30", "a date such as"),
        ("money", "1", "unknown type"),
    ],
)
def test_parse_cli_value_names_the_expected_form(kind: str, text: str, form: str) -> None:
    with pytest.raises(ValueError, match=f'parameter "amount".*{form}'):
        parse_cli_value(kind, text, name="amount")


def test_render_typed_formats_command_line_values_like_compose() -> None:
    catalog = Catalog.load(EXAMPLE_CATALOG)
    rendered = render_typed(
        catalog,
        "TP_PAYMENT_SUCCESS",
        "th-TH",
        {"amount": "165.00:THB", "time": "2024-05-17T10:30+07:00", "merchant": "ซันไรส์"},
        tz="Asia/Bangkok",
    )
    moment = datetime.datetime(2024, 5, 17, 10, 30, tzinfo=BANGKOK)
    expected = catalog.render(
        "TP_PAYMENT_SUCCESS",
        "th-TH",
        {
            "amount": numbers.format_currency(Decimal("165.00"), "THB", locale="th_TH"),
            "time": dates.format_datetime(moment, "medium", tzinfo=BANGKOK, locale="th_TH"),
            "merchant": "ซันไรส์",
        },
    )
    assert rendered == expected


def test_render_typed_without_a_zone_shows_each_time_in_its_own_offset() -> None:
    catalog = Catalog({"TP_T": {"en-US": "at ${at}"}}, parameters={"TP_T": {"at": "datetime"}})
    typed = "2024-05-17T10:30+07:00"
    rendered = render_typed(catalog, "TP_T", "en-US", {"at": typed}, tz=None)
    moment = datetime.datetime.fromisoformat(typed)
    shown = dates.format_datetime(moment, "medium", tzinfo=moment.tzinfo, locale="en_US")
    assert rendered.text == f"at {shown}"
    in_utc = render_typed(catalog, "TP_T", "en-US", {"at": typed}).text
    utc = dates.format_datetime(moment, "medium", tzinfo=datetime.UTC, locale="en_US")
    assert in_utc == f"at {utc}"


def test_render_typed_reports_a_bad_value_and_missing_ones() -> None:
    catalog = Catalog.load(EXAMPLE_CATALOG)
    with pytest.raises(ValueError, match=r'parameter "amount".*AMOUNT:CODE'):
        render_typed(catalog, "TP_PAYMENT_SUCCESS", "en-US", {"amount": "38"})
    with pytest.raises(MissingParameters) as caught:
        render_typed(catalog, "TP_PAYMENT_SUCCESS", "en-US", {"amount": "38:HKD"})
    assert caught.value.names == ("merchant", "time")
    with pytest.raises(UnknownTemplate):
        render_typed(catalog, "TP_NOPE", "en-US", {})


# ----------------------------------------------------------------------------- property


LANGUAGES = ["en-US", "zh-HK", "th-TH", "id-ID", "en-GB", "zh-MO", "ms-MY", "pt-BR", "ar-EG"]
ZONES = [datetime.UTC, HONG_KONG, BANGKOK, zoneinfo.ZoneInfo("America/St_Johns")]

amounts = st.one_of(
    st.decimals(min_value=Decimal("-1e12"), max_value=Decimal("1e12"), allow_nan=False, places=2),
    st.integers(min_value=-(10**15), max_value=10**15),
    st.floats(min_value=-1e12, max_value=1e12, allow_nan=False, allow_infinity=False),
)
texts = st.text(alphabet=st.characters(exclude_categories=["Cs"]), min_size=0, max_size=40)
moments = st.datetimes(
    min_value=datetime.datetime(1900, 1, 2),
    max_value=datetime.datetime(2200, 1, 1),
    timezones=st.sampled_from(ZONES),
)


@given(
    amount=amounts,
    currency=st.sampled_from(sorted(numbers.list_currencies())),
    moment=moments,
    merchant=st.one_of(texts, st.dictionaries(st.sampled_from(LANGUAGES), texts, min_size=1)),
    languages=st.lists(st.sampled_from(LANGUAGES), min_size=1, max_size=5, unique=True),
    tz=st.sampled_from(["UTC", "Asia/Hong_Kong", "Pacific/Chatham", BANGKOK]),
)
def test_composed_requests_always_pass_check_request(
    amount: Decimal | int | float,
    currency: str,
    moment: datetime.datetime,
    merchant: str | dict[str, str],
    languages: list[str],
    tz: str | datetime.tzinfo,
) -> None:
    catalog = PROPERTY_CATALOG
    request = catalog.compose(
        "TP_PAY",
        {"amount": (amount, currency), "merchant": merchant, "paidAt": moment},
        **IDS,
        languages=languages,
        tz=tz,
    )
    assert errors(request, catalog) == []
    assert [item["language"] for item in request["templates"]] == languages


PROPERTY_CATALOG = Catalog(
    {"TP_PAY": {**TEXTS, "ar": "دفعت ${amount} إلى ${merchant} في ${paidAt}"}},
    parameters={"TP_PAY": {**DECLARED, "paidAt": {"type": "datetime", "format": "full"}}},
)
