"""Rendering and locale matching: `Template.render` and warm `best_match` against what users would
otherwise call.

Run: ``python benchmarks/render.py [--quick] [--json OUT]``. All candidates are timed in one
process, in interleaved rounds whose order rotates, each figure the median over rounds of the
time per call.
Every statement is the call a user writes (``template.render(params)``,
``fmt.format_map(params)``, ...), timed with :mod:`timeit` so no wrapper adds its own cost.
Targets: rendering three placeholders within 1.5x of a hand-written f-string function
(the limit) and in <= 0.7x the time of ``str.format_map`` on the equivalent precompiled format
string; warm ``best_match`` in <= 0.1x the time of one ``babel.Locale.parse``.
"""

from __future__ import annotations

import string
import sys
import typing as t

from timing import QUICK_ROUNDS, ROUNDS, Candidates, finish, measure, parser, row

SOURCE = "Hello, ${who}! Your order ${order} ships on ${date}."
PARAMS = {"who": "XiaoMing", "order": "A-10023", "date": "2024-05-01"}
REQUESTED = "zh-HK"
AVAILABLE = ["en-US", "zh-CN", "zh-TW"]


def _fstring(params: dict[str, str]) -> str:
    return f"Hello, {params['who']}! Your order {params['order']} ships on {params['date']}."


def _render_candidates() -> Candidates:
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
        "hand-written f-string function": "fstring(params)",
    }
    expected = _fstring(PARAMS)
    for name, statement in candidates.items():
        got = eval(statement, dict(namespace))
        if got != expected:
            raise AssertionError(f"{name} rendered {got!r}, not {expected!r}")
    return {name: (statement, namespace) for name, statement in candidates.items()}


def _locale_candidates() -> Candidates:
    """Statements for warm best_match and its references; best_match must pick zh-TW."""
    import babel

    from msgtemplates import best_match

    namespace: dict[str, t.Any] = {
        "best_match": best_match,
        "Locale": babel.Locale,
        "negotiate_locale": babel.negotiate_locale,
        "available": list(AVAILABLE),
        "available_underscore": [tag.replace("-", "_") for tag in AVAILABLE],
    }
    candidates = {
        # Warm: the first call loads CLDR data; users pay that once per process.
        "best_match (warm)": f'best_match("{REQUESTED}", available)',
        "babel.Locale.parse": 'Locale.parse("zh_HK")',
        "babel.negotiate_locale": 'negotiate_locale(["zh_HK"], available_underscore)',
    }
    for statement in candidates.values():
        eval(statement, dict(namespace))
    found = best_match(REQUESTED, AVAILABLE)
    if found != "zh-TW":
        raise AssertionError(f"best_match picked {found!r}, not 'zh-TW'")
    return {name: (statement, namespace) for name, statement in candidates.items()}


#: (reference, target ratio ours/reference or None for a row that is only informative)
RENDER_REFERENCES: list[tuple[str, float | None]] = [
    ("hand-written f-string function", 1.5),
    ("str.format_map (precompiled)", 0.7),
    ("string.Template.substitute", None),
    ("jinja2 Template.render (compiled)", None),
]
LOCALE_REFERENCES: list[tuple[str, float | None]] = [
    ("babel.Locale.parse", 0.1),
    ("babel.negotiate_locale", None),
]


def run(*, quick: bool = False) -> list[dict[str, t.Any]]:
    """Time every candidate; one dict per comparison, ratios as ours / reference.

    Rows whose ``target`` is ``None`` are for context only.

    :param quick: fewer rounds.
    """
    rounds = QUICK_ROUNDS if quick else ROUNDS
    render = measure(_render_candidates(), rounds=rounds)
    rows = [
        row("Template.render, 3 placeholders", render["Template.render"], ref, render[ref], goal)
        for ref, goal in RENDER_REFERENCES
    ]
    locale = measure(_locale_candidates(), rounds=rounds)
    rows += [
        row("best_match, warm", locale["best_match (warm)"], ref, locale[ref], goal)
        for ref, goal in LOCALE_REFERENCES
    ]
    return rows


def main() -> int:
    """Print the table with targets and verdicts; optionally write the rows as JSON."""
    args = parser(__doc__).parse_args()
    return finish(run(quick=args.quick), args.json)


if __name__ == "__main__":
    sys.exit(main())
