"""Rendering and locale matching: `Template.render` and warm `best_match` against what users would
otherwise call.

Run: ``python benchmarks/render.py [--json OUT]``. All candidates are timed in one process, in
interleaved rounds whose order rotates, each figure the median over rounds of the time per call.
Every statement is the call a user writes (``template.render(params)``,
``fmt.format_map(params)``, ...), timed with :mod:`timeit` so no wrapper adds its own cost.
"""

from __future__ import annotations

import argparse
import json
import pathlib
import statistics
import string
import sys
import timeit
import typing as t

ROUNDS = 31
# Each timed batch lasts about this long; long enough to dwarf the timer, short enough to
# interleave many rounds.
BATCH_SECONDS = 0.004

SOURCE = "Hello, ${who}! Your order ${order} ships on ${date}."
PARAMS = {"who": "XiaoMing", "order": "A-10023", "date": "2024-05-01"}
REQUESTED = "zh-HK"
AVAILABLE = ["en-US", "zh-CN", "zh-TW"]


def _fstring(params: dict[str, str]) -> str:
    return f"Hello, {params['who']}! Your order {params['order']} ships on {params['date']}."


def _render_candidates() -> dict[str, tuple[str, dict[str, t.Any]]]:
    """Statement and namespace of each way to render the same message; all must agree."""
    import jinja2

    from msgtemplates import Template

    namespace: dict[str, t.Any] = {
        "template": Template(SOURCE),
        "fmt": "Hello, {who}! Your order {order} ships on {date}.",
        "std": string.Template(SOURCE),
        "jinja": jinja2.Environment(autoescape=False).from_string(
            "Hello, {{ who }}! Your order {{ order }} ships on {{ date }}."
        ),
        "fstring": _fstring,
        "params": dict(PARAMS),
    }
    candidates = {
        "Template.render": "template.render(params)",
        "str.format_map (precompiled)": "fmt.format_map(params)",
        "string.Template.substitute": "std.substitute(params)",
        "jinja2 Template.render (compiled)": "jinja.render(params)",
        "f-string function (upper bound)": "fstring(params)",
    }
    expected = _fstring(PARAMS)
    for name, statement in candidates.items():
        got = eval(statement, dict(namespace))
        if got != expected:
            raise AssertionError(f"{name} rendered {got!r}, not {expected!r}")
    return {name: (statement, namespace) for name, statement in candidates.items()}


def _locale_candidates() -> tuple[dict[str, tuple[str, dict[str, t.Any]]], str | None]:
    """Statements for warm best_match and its references, or why best_match cannot be timed."""
    import babel

    namespace: dict[str, t.Any] = {
        "Locale": babel.Locale,
        "negotiate_locale": babel.negotiate_locale,
        "available": list(AVAILABLE),
        "available_underscore": [tag.replace("-", "_") for tag in AVAILABLE],
    }
    candidates = {
        "babel.Locale.parse": 'Locale.parse("zh_HK")',
        "babel.negotiate_locale": 'negotiate_locale(["zh_HK"], available_underscore)',
    }
    why_not = None
    try:
        from msgtemplates import best_match

        # Warm: the first call loads CLDR data; users pay that once per process.
        found = best_match(REQUESTED, namespace["available"])
        if found != "zh-TW":
            why_not = f"best_match returned {found!r}, not 'zh-TW'"
    except Exception as error:  # an unfinished best_match must not stop the other rows
        why_not = f"best_match failed: {type(error).__name__}"
    else:
        namespace["best_match"] = best_match
    if why_not is None:
        candidates["best_match (warm)"] = f'best_match("{REQUESTED}", available)'
    for statement in candidates.values():
        eval(statement, dict(namespace))
    return {name: (statement, namespace) for name, statement in candidates.items()}, why_not


def _measure(candidates: dict[str, tuple[str, dict[str, t.Any]]]) -> dict[str, float]:
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


#: (reference, target ratio ours/reference or None for a row that is only informative)
RENDER_REFERENCES: list[tuple[str, float | None]] = [
    ("str.format_map (precompiled)", 1.0),
    ("string.Template.substitute", 0.25),
    ("jinja2 Template.render (compiled)", None),
    ("f-string function (upper bound)", None),
]
LOCALE_REFERENCES: list[tuple[str, float | None]] = [
    ("babel.Locale.parse", 0.2),
    ("babel.negotiate_locale", None),
]


def run() -> list[dict[str, t.Any]]:
    """Time every candidate; one dict per comparison, ratios as ours / reference.

    Rows whose ``target`` is ``None`` are for context only. If ``best_match`` cannot be timed,
    its rows are left out and a line on standard error says so.
    """
    render = _measure(_render_candidates())
    rows = [
        _row("Template.render, 3 placeholders", render["Template.render"], ref, render[ref], goal)
        for ref, goal in RENDER_REFERENCES
    ]
    locale_candidates, unavailable = _locale_candidates()
    locale = _measure(locale_candidates)
    if unavailable is not None:
        print(f"best_match, warm: not available ({unavailable})", file=sys.stderr)
    else:
        rows += [
            _row("best_match, warm", locale["best_match (warm)"], ref, locale[ref], goal)
            for ref, goal in LOCALE_REFERENCES
        ]
    return rows


def _goal(target: float | None) -> str:
    if target is None:
        return ""
    if target < 1:
        return f"<= {target:g}x ({1 / target:g}x faster)"
    return f"<= {target:g}x"


def main() -> int:
    """Print the table with targets and verdicts; optionally write the rows as JSON."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--json", metavar="OUT", help="also write the rows as JSON")
    args = parser.parse_args()
    rows = run()
    print(f"{'what':<34} {'ours':>10}  {'reference':<34} {'ref':>10}  {'ratio':>7}  target")
    for row in rows:
        verdict = "" if row["met"] is None else ("PASS" if row["met"] else "MISS")
        print(
            f"{row['name']:<34} {row['ours_seconds'] * 1e9:7.0f} ns  {row['reference']:<34}"
            f" {row['reference_seconds'] * 1e9:7.0f} ns  {row['ratio']:6.3f}x  "
            f"{_goal(row['target'])} {verdict}".rstrip()
        )
    if args.json:
        pathlib.Path(args.json).write_text(json.dumps(rows, indent=2), "utf-8")
    return 0 if all(row["met"] is not False for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
