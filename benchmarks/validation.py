"""Request validation: `check_request` against a reused `jsonschema` validator and `jsonschema_rs`.

Run: ``python benchmarks/validation.py [--json OUT]``. Every candidate is timed in one process,
in interleaved rounds whose order rotates; each figure is the median over rounds of the time per
call, measured with :mod:`timeit` on the statement a user would write. Ratios are ours /
reference, so the DESIGN section 7 targets read: valid typical request <= 0.02 of ``jsonschema``
``iter_errors`` (50x faster) and <= 4 of ``jsonschema_rs`` ``is_valid``; a request with three
errors <= 0.5 of ``jsonschema`` ``iter_errors``.

``check_request`` remembers clean language tags and links between calls (bounded sets), as any
long-running sender would benefit from; the row "distinct link per call" shows the cost when
every request brings a link it has never seen (for context only, no target).
"""

from __future__ import annotations

import argparse
import json
import pathlib
import statistics
import sys
import timeit
import typing as t

ROUNDS = 31
# Each timed batch lasts about this long: long enough to dwarf the timer, short enough to
# interleave many rounds.
BATCH_SECONDS = 0.004

#: The API page's sample request plus a requestId, in two languages with three parameters each.
TYPICAL: dict[str, t.Any] = {
    "appId": "2171xxxxxxxxxxxx",
    "accessToken": "2019112719074101000700000077771xxxx",
    "requestId": "20191127190741010007013213123xxxx",
    "templateCode": "2021xxxxxxxxxxxxxxxxxxxxxxxxxxxx",
    "templates": [
        {
            "templateParameters": {
                "who": "string to represent a name, e.g. XiaoMing",
                "amount": "US$5.00",
                "pushContentUrl": "http://redirecturl",
            },
            "language": "en-US",
        },
        {
            "templateParameters": {
                "who": "小明",
                "amount": "5.00美元",
                "pushContentUrl": "http://redirecturl",
            },
            "language": "zh-CN",
        },
    ],
}


def three_errors() -> dict[str, t.Any]:
    """The typical request with three errors: no requestId, an appId too long, ``en_US``."""
    payload: dict[str, t.Any] = json.loads(json.dumps(TYPICAL))
    del payload["requestId"]
    payload["appId"] = "2171" * 9
    payload["templates"][0]["language"] = "en_US"
    return payload


def _schema() -> dict[str, t.Any]:
    from msgtemplates.validation import schema_text

    return t.cast("dict[str, t.Any]", json.loads(schema_text("request")))


def _candidates() -> tuple[dict[str, tuple[str, dict[str, t.Any]]], str | None]:
    """Statement and namespace of each candidate, checked for the expected verdicts."""
    import itertools

    import jsonschema

    from msgtemplates import check_request

    schema = _schema()
    broken = three_errors()
    distinct: dict[str, t.Any] = json.loads(json.dumps(TYPICAL))
    # More distinct links than check_request remembers, so each one is new when it comes back.
    links = itertools.cycle([f"https://example.com/orders/{n}" for n in range(20_000)])
    namespace: dict[str, t.Any] = {
        "check_request": check_request,
        "validator": jsonschema.Draft202012Validator(schema),
        "typical": TYPICAL,
        "broken": broken,
        "distinct": distinct,
        "params": distinct["templates"][0]["templateParameters"],
        "links": links,
        "next": next,
    }
    candidates = {
        "check_request, valid": "check_request(typical)",
        "jsonschema iter_errors, valid": "list(validator.iter_errors(typical))",
        "check_request, 3 errors": "check_request(broken)",
        "jsonschema iter_errors, 3 errors": "list(validator.iter_errors(broken))",
        "check_request, distinct link per call": (
            'params["pushContentUrl"] = next(links); check_request(distinct)'
        ),
        "jsonschema iter_errors, distinct link per call": (
            'params["pushContentUrl"] = next(links); list(validator.iter_errors(distinct))'
        ),
    }
    why_not = None
    try:
        import jsonschema_rs
    except ImportError:
        why_not = "jsonschema_rs is not installed (pip install 'msgtemplates[bench]')"
    else:
        namespace["rs"] = jsonschema_rs.validator_for(schema)
        candidates["jsonschema_rs is_valid, valid"] = "rs.is_valid(typical)"
    expected = {
        "check_request(typical)": [],
        "check_request(broken)": ["required", "maxLength", "languageTag"],
        "rs.is_valid(typical)": True,
    }
    for statement, want in expected.items():
        if statement.startswith("rs.") and "rs" not in namespace:
            continue
        got = eval(statement, dict(namespace))
        if statement == "check_request(broken)":
            got = sorted(p.code for p in got)
            want = sorted(t.cast("list[str]", want))
        if got != want:
            raise AssertionError(f"{statement} gave {got!r}, not {want!r}")
    if len(list(namespace["validator"].iter_errors(broken))) != 3:
        raise AssertionError("jsonschema does not find the three errors")
    return {name: (statement, namespace) for name, statement in candidates.items()}, why_not


def measure(candidates: dict[str, tuple[str, dict[str, t.Any]]]) -> dict[str, float]:
    """Median seconds per call of each candidate, over interleaved rounds in rotating order."""
    timers = {
        name: timeit.Timer(statement, globals=dict(namespace))
        for name, (statement, namespace) in candidates.items()
    }
    numbers = {}
    for name, timer in timers.items():
        count, seconds = timer.autorange()
        numbers[name] = max(1, int(count * BATCH_SECONDS / seconds))
    samples: dict[str, list[float]] = {name: [] for name in timers}
    names = list(timers)
    for round_ in range(ROUNDS):
        shift = round_ % len(names)
        for name in names[shift:] + names[:shift]:
            samples[name].append(timers[name].timeit(numbers[name]) / numbers[name])
    return {name: statistics.median(values) for name, values in samples.items()}


def _row(
    name: str, ours: float, reference: str, reference_seconds: float, target: float | None
) -> dict[str, t.Any]:
    ratio = ours / reference_seconds
    return {
        "name": name,
        "ours_seconds": ours,
        "reference": reference,
        "reference_seconds": reference_seconds,
        "ratio": ratio,
        "target": target,
        "met": None if target is None else ratio <= target,
    }


def run() -> list[dict[str, t.Any]]:
    """Time every candidate; one dict per comparison, ratios as ours / reference.

    Rows whose ``target`` is ``None`` are for context only. Without ``jsonschema_rs`` its row
    is left out and a line on standard error says so.
    """
    candidates, unavailable = _candidates()
    seconds = measure(candidates)
    valid = seconds["check_request, valid"]
    rows = [
        _row(
            "check_request, valid typical request",
            valid,
            "jsonschema iter_errors (reused validator)",
            seconds["jsonschema iter_errors, valid"],
            0.02,
        )
    ]
    if unavailable is None:
        rows.append(
            _row(
                "check_request, valid typical request",
                valid,
                "jsonschema_rs is_valid",
                seconds["jsonschema_rs is_valid, valid"],
                4.0,
            )
        )
    else:
        print(f"jsonschema_rs reference skipped: {unavailable}", file=sys.stderr)
    rows.append(
        _row(
            "check_request, request with 3 errors",
            seconds["check_request, 3 errors"],
            "jsonschema iter_errors (reused validator)",
            seconds["jsonschema iter_errors, 3 errors"],
            0.5,
        )
    )
    rows.append(
        _row(
            "check_request, valid, distinct link per call",
            seconds["check_request, distinct link per call"],
            "jsonschema iter_errors (reused validator)",
            seconds["jsonschema iter_errors, distinct link per call"],
            None,
        )
    )
    return rows


def _goal(target: float | None) -> str:
    if target is None:
        return "(context)"
    if target < 1:
        return f"<= {target:g}x ({1 / target:g}x faster)"
    return f"<= {target:g}x"


def main() -> int:
    """Print the table with targets and verdicts; optionally write the rows as JSON."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--json", metavar="OUT", help="also write the rows as JSON")
    args = parser.parse_args()
    rows = run()
    print(f"{'what':<44} {'ours':>10}  {'reference':<42} {'ref':>10}  {'ratio':>7}  target")
    for row in rows:
        verdict = "" if row["met"] is None else ("PASS" if row["met"] else "MISS")
        print(
            f"{row['name']:<44} {row['ours_seconds'] * 1e9:7.0f} ns  {row['reference']:<42}"
            f" {row['reference_seconds'] * 1e9:7.0f} ns  {row['ratio']:7.4f}x  "
            f"{_goal(row['target'])} {verdict}".rstrip()
        )
    if args.json:
        pathlib.Path(args.json).write_text(json.dumps(rows, indent=2), "utf-8")
    return 0 if all(row["met"] is not False for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
