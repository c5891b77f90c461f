"""Composing requests: `Catalog.compose` of the example request against `check_request` of it.

Run: ``python benchmarks/compose.py [--json OUT]``. Both are timed in one process, in interleaved
rounds whose order rotates, each figure the median over rounds of the time per call, with
:mod:`timeit` running the call a user writes. The request is the README's: TP_PAYMENT_SUCCESS
in en-US, zh-HK and th-TH from typed values (a currency amount per language, an aware datetime
shown in Asia/Hong_Kong, a merchant name per language, a push link). Issue 13: composing it
costs at most 10x checking it. Composing includes that check (compose raises rather than
return a request with errors), so the ratio is at least 1. A context row shows the Babel calls
alone, the formatting any hand-written code would pay.

Compose keeps the texts it formats (a campaign sends the same amount in the same language to
every user), and the target row composes the same values each call, so it reads kept texts.
A second context row composes different values each call (every amount and time new, more of
them than compose keeps): the cost of a campaign in which every message differs.
"""

from __future__ import annotations

import collections.abc as cabc
import datetime
import itertools
import pathlib
import sys
import typing as t
from decimal import Decimal

from timing import Candidates, finish, measure, parser, row

CATALOG = pathlib.Path(__file__).resolve().parent.parent / "examples" / "catalog"
LANGUAGES = ["en-US", "zh-HK", "th-TH"]
VALUES: dict[str, object] = {
    "merchant": {"en": "Sunrise Coffee", "zh-Hant": "日出咖啡", "th": "ซันไรส์ คอฟฟี่"},
    "amount": {"en": (Decimal("38.00"), "HKD"), "th": (Decimal("165.00"), "THB")},
    "time": datetime.datetime(
        2024, 5, 17, 10, 30, tzinfo=datetime.timezone(datetime.timedelta(hours=8))
    ),
    "pushContentUrl": "https://m.sunrisecoffee.example/orders/1427381129",
}
IDS = {
    "app_id": "3333010071465913",
    "access_token": "20240517103015010007000000854519f3c2",
    "request_id": "2024051722001418101427381129",
}


def _babel_only(locales: list[t.Any], zone: datetime.tzinfo) -> list[str]:
    """The Babel calls a hand-written composer makes for the same three languages."""
    from babel import dates, numbers

    moment = t.cast(datetime.datetime, VALUES["time"])
    shown = []
    for locale, (amount, code) in zip(
        locales,
        [(Decimal("38.00"), "HKD"), (Decimal("38.00"), "HKD"), (Decimal("165.00"), "THB")],
        strict=True,
    ):
        shown.append(numbers.format_currency(amount, code, locale=locale))
        shown.append(dates.format_datetime(moment, "medium", tzinfo=zone, locale=locale))
    return shown


def _fresh_values(count: int) -> cabc.Iterator[dict[str, object]]:
    """Values like :data:`VALUES` with a new amount and time each, cycling over ``count``."""
    start = t.cast(datetime.datetime, VALUES["time"])
    made = []
    for index in range(count):
        cents = Decimal(3800 + index).scaleb(-2)
        made.append(
            {
                **VALUES,
                "amount": {"en": (cents, "HKD"), "th": (cents * 4, "THB")},
                "time": start + datetime.timedelta(minutes=index),
            }
        )
    return itertools.cycle(made)


def _candidates() -> Candidates:
    """compose, check_request of its result, and the Babel calls alone; the result must pass."""
    import zoneinfo

    from babel import Locale

    from msgtemplates import Catalog, check_request

    catalog = Catalog.load(CATALOG)
    zone = zoneinfo.ZoneInfo("Asia/Hong_Kong")
    namespace: dict[str, t.Any] = {
        "catalog": catalog,
        "check_request": check_request,
        "values": VALUES,
        "ids": IDS,
        "languages": LANGUAGES,
        "babel_only": _babel_only,
        "locales": [Locale.parse(tag, sep="-") for tag in LANGUAGES],
        "zone": zone,
        # More values than compose keeps texts for, so that none is read back.
        "fresh": _fresh_values(20_000),
    }
    compose = (
        'catalog.compose("TP_PAYMENT_SUCCESS", values, **ids, languages=languages, '
        'tz="Asia/Hong_Kong")'
    )
    request = eval(compose, dict(namespace))
    problems = check_request(request, catalog=catalog)
    if problems:
        raise AssertionError(f"the composed request has problems: {problems}")
    namespace["request"] = request
    return {
        "Catalog.compose": (compose, namespace),
        "Catalog.compose, new values": (compose.replace("values", "next(fresh)", 1), namespace),
        "check_request": ("check_request(request, catalog=catalog)", namespace),
        "babel format_currency + format_datetime": ("babel_only(locales, zone)", namespace),
    }


def run() -> list[dict[str, t.Any]]:
    """Time every candidate; one dict per comparison, ratios as ours / reference."""
    seconds = measure(_candidates())
    ours = seconds["Catalog.compose"]
    return [
        row(
            "Catalog.compose, example request (3 languages)",
            ours,
            "check_request of the same request",
            seconds["check_request"],
            10.0,
        ),
        row(
            "Catalog.compose, example request (3 languages)",
            ours,
            "babel format_currency + format_datetime, 3 languages",
            seconds["babel format_currency + format_datetime"],
            None,
        ),
        row(
            "Catalog.compose, new values each call (none kept)",
            seconds["Catalog.compose, new values"],
            "check_request of the same request",
            seconds["check_request"],
            None,
        ),
    ]


def main() -> int:
    """Print the table with targets and verdicts; optionally write the rows as JSON."""
    return finish(run(), parser(__doc__).parse_args().json)


if __name__ == "__main__":
    sys.exit(main())
