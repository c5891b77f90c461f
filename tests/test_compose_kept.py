"""Catalog.compose keeps the texts it formats: a text given again is still exactly Babel's.

Compose keeps each formatted text by every input it depends on, so that a campaign formats
the same amount in the same language once. These tests compose each value twice (the second
time from what was kept) over many values, locales, currencies and zones, and compare both
with Babel's public functions called directly here. The cases that would catch a key missing
an input are spelled out: numbers that are equal but print differently, the two wall times of
a daylight-saving fold, fixed-offset zones equal in offset but not in name, the decimal
context Babel rounds in.
"""

from __future__ import annotations

import datetime
import decimal
import itertools
import typing as t
import zoneinfo
from decimal import Decimal

import pytest
from babel import Locale, dates, numbers
from hypothesis import given
from hypothesis import strategies as st

from msgtemplates import Catalog

IDS = {"app_id": "3333010071465913", "access_token": "tok-1", "request_id": "REQ-1"}

LANGUAGES = [
    "en-US",
    "zh-HK",
    "th-TH",
    "de-CH",
    "fr-FR",
    "ar-EG",
    "hi-IN",
    "ja-JP",
    "es-CO",
    "pt-BR",
    "ru-RU",
    "sv-SE",
    "ms-MY",
    "he-IL",
    "fa-IR",
]
CURRENCIES = ["HKD", "THB", "USD", "JPY", "EUR", "KWD", "CLF", "INR", "IRR", "BHD"]
AMOUNTS: list[Decimal | float] = [
    Decimal("38.00"),
    Decimal("38"),
    Decimal("38.0"),
    Decimal("0"),
    Decimal("-0"),
    Decimal("-0.00"),
    Decimal("0.005"),
    Decimal("0.015"),
    Decimal("-1234567.891"),
    Decimal("1E+3"),
    Decimal("12345678901234567890123.45"),
    0,
    7,
    -42,
    0.0,
    -0.0,
    2.5,
    1e-7,
    1234.5678,
]
ZONES: list[datetime.tzinfo] = [
    zoneinfo.ZoneInfo("Asia/Hong_Kong"),
    zoneinfo.ZoneInfo("America/New_York"),
    zoneinfo.ZoneInfo("Asia/Kathmandu"),
    datetime.UTC,
    datetime.timezone(datetime.timedelta(hours=8)),
    datetime.timezone(datetime.timedelta(hours=8), "HKT"),
    datetime.timezone(datetime.timedelta(hours=-3, minutes=-30), "NST"),
]
MOMENT_PATTERNS = ["short", "medium", "long", "full", "d MMM y, h:mm:ss a zzzz", "EEEE HH:mm O"]


def locale_of(tag: str) -> Locale:
    return Locale.parse(tag, sep="-")


def compose_each(
    declaration: object, value: object, languages: list[str], **options: t.Any
) -> dict[str, str]:
    """The text compose gives ``value`` in each language, composed twice and checked equal."""
    texts = dict.fromkeys(languages, "${v}")
    catalog = Catalog({"TP_V": texts}, parameters={"TP_V": {"v": declaration}})
    shown: list[dict[str, str]] = []
    for start in range(0, len(languages), 5):
        group = languages[start : start + 5]
        for _ in range(2):
            request = catalog.compose("TP_V", {"v": value}, **IDS, languages=group, **options)
            shown.append(
                {item["language"]: item["templateParameters"]["v"] for item in request["templates"]}
            )
    merged: dict[str, str] = {}
    for first, second in zip(shown[::2], shown[1::2], strict=True):
        assert first == second
        merged.update(first)
    return merged


# ----------------------------------------------------------------------------- numbers


@pytest.mark.parametrize("currency", CURRENCIES)
def test_currency_texts_kept_are_babels_for_every_amount_and_language(currency: str) -> None:
    for amount in AMOUNTS:
        shown = compose_each("currency", (amount, currency), LANGUAGES)
        for language in LANGUAGES:
            expected = numbers.format_currency(amount, currency, locale=locale_of(language))
            assert shown[language] == expected, (amount, currency, language)


@pytest.mark.parametrize(
    ("declaration", "babel_call"),
    [
        ("number", lambda v, loc: numbers.format_decimal(v, locale=loc)),
        ("percent", lambda v, loc: numbers.format_percent(v, locale=loc)),
        (
            {"type": "number", "format": "#,##0.00"},
            lambda v, loc: numbers.format_decimal(v, "#,##0.00", locale=loc),
        ),
        (
            {"type": "decimal", "format": "long"},
            lambda v, loc: numbers.format_compact_decimal(v, format_type="long", locale=loc),
        ),
        (
            {"type": "currency", "format": "accounting"},
            lambda v, loc: numbers.format_currency(v, "EUR", locale=loc, format_type="accounting"),
        ),
        (
            {"type": "currency", "format": "name"},
            lambda v, loc: numbers.format_currency(v, "EUR", locale=loc, format_type="name"),
        ),
    ],
)
def test_number_texts_kept_are_babels_for_each_declaration(
    declaration: object, babel_call: t.Callable[[object, Locale], str]
) -> None:
    currency = isinstance(declaration, dict) and declaration["type"] == "currency"
    for amount in AMOUNTS:
        value = (amount, "EUR") if currency else amount
        shown = compose_each(declaration, value, LANGUAGES)
        for language in LANGUAGES:
            assert shown[language] == babel_call(amount, locale_of(language)), (amount, language)


def test_equal_numbers_that_babel_prints_differently_are_kept_apart() -> None:
    # -0 equals 0 and 1.0 equals 1, in Python as in Decimal; Babel still tells some apart.
    declared = {"type": "number", "format": "0.###"}
    for value in (Decimal("-0"), Decimal("0"), -0.0, 0.0, 0, Decimal("1.0"), 1, 1.0):
        shown = compose_each(declared, value, ["en-US"])
        assert shown["en-US"] == numbers.format_decimal(value, "0.###", locale="en_US"), value


@pytest.mark.parametrize("rounding", [decimal.ROUND_DOWN, decimal.ROUND_UP, decimal.ROUND_HALF_UP])
def test_a_text_kept_under_one_decimal_context_is_not_given_under_another(rounding: str) -> None:
    amount = (Decimal("0.125"), "USD")
    compose_each("currency", amount, ["en-US"])  # kept under the default context
    with decimal.localcontext() as context:
        context.rounding = rounding
        shown = compose_each("currency", amount, ["en-US"])
        expected = numbers.format_currency(amount[0], "USD", locale="en_US")
    assert shown["en-US"] == expected


@given(
    amount=st.decimals(
        allow_nan=False, allow_infinity=False, places=3, min_value=-(10**12), max_value=10**12
    ),
    currency=st.sampled_from(CURRENCIES),
    language=st.sampled_from(LANGUAGES),
)
def test_any_amount_composed_again_is_babels(amount: Decimal, currency: str, language: str) -> None:
    shown = compose_each("currency", (amount, currency), [language])
    assert shown[language] == numbers.format_currency(amount, currency, locale=locale_of(language))


# ----------------------------------------------------------------------------- moments


MOMENTS = [
    datetime.datetime(2024, 5, 17, 10, 30, tzinfo=datetime.timezone(datetime.timedelta(hours=8))),
    datetime.datetime(2024, 5, 17, 23, 59, 59, 999999, tzinfo=datetime.UTC),
    datetime.datetime(2000, 1, 1, 0, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Bangkok")),
    datetime.datetime(2023, 11, 5, 1, 30, tzinfo=zoneinfo.ZoneInfo("America/New_York")),
    datetime.datetime(2023, 11, 5, 1, 30, fold=1, tzinfo=zoneinfo.ZoneInfo("America/New_York")),
]


@pytest.mark.parametrize("pattern", MOMENT_PATTERNS)
def test_datetime_texts_kept_are_babels_for_every_zone_and_language(pattern: str) -> None:
    declaration = {"type": "datetime", "format": pattern}
    for moment, zone in itertools.product(MOMENTS, ZONES):
        shown = compose_each(declaration, moment, LANGUAGES[:10], tz=zone)
        for language in LANGUAGES[:10]:
            expected = dates.format_datetime(
                moment.astimezone(zone), pattern, tzinfo=zone, locale=locale_of(language)
            )
            assert shown[language] == expected, (moment, zone, language)


@pytest.mark.parametrize("pattern", ["medium", "full", "HH:mm zzzz", "h:mm a v"])
def test_time_texts_kept_are_babels(pattern: str) -> None:
    declaration = {"type": "time", "format": pattern}
    for moment, zone in itertools.product(MOMENTS, ZONES):
        shown = compose_each(declaration, moment, LANGUAGES[:5], tz=zone)
        for language in LANGUAGES[:5]:
            expected = dates.format_time(
                moment.astimezone(zone), pattern, tzinfo=zone, locale=locale_of(language)
            )
            assert shown[language] == expected, (moment, zone, language)


@pytest.mark.parametrize("pattern", ["medium", "full", "EEEE d MMMM y G"])
def test_date_texts_kept_are_babels_for_dates_and_datetimes(pattern: str) -> None:
    declaration = {"type": "date", "format": pattern}
    for zone in ZONES:
        for moment in MOMENTS:
            shown = compose_each(declaration, moment, LANGUAGES[:5], tz=zone)
            day = moment.astimezone(zone).date()
            for language in LANGUAGES[:5]:
                expected = dates.format_date(day, pattern, locale=locale_of(language))
                assert shown[language] == expected, (moment, zone, language)
    day = datetime.date(2024, 2, 29)
    shown = compose_each(declaration, day, LANGUAGES)
    for language in LANGUAGES:
        assert shown[language] == dates.format_date(day, pattern, locale=locale_of(language))


def test_the_two_wall_times_of_a_fold_are_kept_apart() -> None:
    # Equal as wall times in one zone (Python ignores fold there), an hour apart in fact.
    zone = zoneinfo.ZoneInfo("America/New_York")
    first, second = MOMENTS[3], MOMENTS[4]
    declaration = {"type": "time", "format": "HH:mm zzzz"}
    shown = [compose_each(declaration, moment, ["en-US"], tz=zone)["en-US"] for moment in MOMENTS]
    assert shown[3] == dates.format_time(first, "HH:mm zzzz", tzinfo=zone, locale="en_US")
    assert shown[4] == dates.format_time(second, "HH:mm zzzz", tzinfo=zone, locale="en_US")
    assert shown[3] != shown[4]


def test_zones_equal_in_offset_but_not_in_name_are_kept_apart() -> None:
    moment = MOMENTS[0]
    declaration = {"type": "time", "format": "HH:mm z"}
    for zone in (
        datetime.timezone(datetime.timedelta(hours=8), "HKT"),
        datetime.timezone(datetime.timedelta(hours=8)),
        datetime.timezone(datetime.timedelta(hours=8), "AWST"),
    ):
        shown = compose_each(declaration, moment, ["en-US"], tz=zone)
        expected = dates.format_time(moment, "HH:mm z", tzinfo=zone, locale="en_US")
        assert shown["en-US"] == expected


def test_a_datetime_subclass_or_another_tzinfo_is_formatted_afresh() -> None:
    class Moment(datetime.datetime):
        pass

    class Offset(datetime.tzinfo):
        def __init__(self, hours: int) -> None:
            self.hours = hours

        def utcoffset(self, dt: datetime.datetime | None) -> datetime.timedelta:
            return datetime.timedelta(hours=self.hours)

        def dst(self, dt: datetime.datetime | None) -> datetime.timedelta:
            return datetime.timedelta(0)

        def tzname(self, dt: datetime.datetime | None) -> str:
            return f"OFF{self.hours}"

    declaration = {"type": "datetime", "format": "medium"}
    zone = Offset(3)
    moment = Moment(2024, 5, 17, 10, 30, tzinfo=datetime.UTC)
    shown = compose_each(declaration, moment, ["en-US"], tz=zone)
    expected = dates.format_datetime(moment.astimezone(zone), "medium", tzinfo=zone, locale="en_US")
    assert shown["en-US"] == expected
    zone.hours = 5  # the same object, now another offset: nothing kept may answer for it
    shown = compose_each(declaration, moment, ["en-US"], tz=zone)
    expected = dates.format_datetime(moment.astimezone(zone), "medium", tzinfo=zone, locale="en_US")
    assert shown["en-US"] == expected


def test_many_distinct_values_stay_right_once_the_oldest_are_dropped() -> None:
    # Far more values than are kept: each is still Babel's, the first ones again at the end.
    amounts = [Decimal(n).scaleb(-2) for n in range(5000)]
    catalog = Catalog({"TP_V": {"en-US": "${v}"}}, parameters={"TP_V": {"v": "currency"}})
    for amount in [*amounts, *amounts[:50]]:
        request = catalog.compose("TP_V", {"v": (amount, "USD")}, **IDS)
        shown = request["templates"][0]["templateParameters"]["v"]
        assert shown == numbers.format_currency(amount, "USD", locale="en_US")
