"""Adversarial inputs: every entry point takes time linear in the size of hostile input.

Run: ``python benchmarks/adversarial.py [--json OUT] [--shapes]``. Each row times one entry
point on a
1 MB and on a 10 MB input built to make a regular expression or a scanner backtrack, and
reports the ratio of the two times: linear work gives about 10; anything over 15 is flagged.
The 1 MB time is this row's reference, measured in the same run. Beside it, ``baseline`` is the
same ratio for a plain linear pass over the same data (a JSON round trip in memory; for the
command line, a bare ``json.loads`` of each line of the same file): 10 MB no longer fits in the
processor's caches and every large allocation faults in fresh pages, so even a copy can grow by
more than 10 times. A row over 15 is therefore timed again at 20 MB: work that is linear past
the caches takes twice as long at 20 MB as at 10 MB, while quadratic work would take four times
as long; the row passes when that doubling ratio is at most 2.4. Inputs are built untimed, as
fresh objects each round, so no hash or cache from an earlier round helps.

The regular expressions of the package, and why none can be driven into super-linear time:

- ``template._NAME`` ``[A-Za-z_][A-Za-z0-9_.-]*`` is matched with ``.match`` at each ``${``
  that ``str.find`` located: one class, then a star over another, no alternation to retry.
- ``locales._WELL_FORMED`` has bounded quantifiers only and is matched at the start;
  ``suggest_tag`` does not look at text longer than 64 characters.
- The schema's language ``pattern`` starts with ``^`` and has bounded quantifiers; the fast
  path tries it only on strings of at most 64 characters.
- ``rules._ODD_SEARCH``, ``_SURROGATE_SEARCH``, ``_INVISIBLE_SEARCH`` and ``_FORMAT_SEARCH``
  are single character classes: one step per character.
- ``rules._SAFE_URL`` is a ``fullmatch`` anchored at the start whose one variable-length
  host part (``[^\\W_](?:[\\w.-]*[^\\W_])?``) is followed by a character that the host class
  cannot match, so a failing match backtracks once over the host, not once per start.
- ``catalog._TOML_POSITION`` and ``_TOML_END`` search only tomllib's own error messages,
  which never hold catalog text; ``catalog._TOML_KEY`` is matched once per line at its start.
- ``locales._EXTENDED`` reads a tag with extensions in one atomic pass (no backtracking).

The hostile shapes (``--shapes``) scale a count instead of a size: a 1 MB first line whose
requestId 10 n later lines repeat, n placeholders per text, n unused parameters against n
placeholders, n content templates in one request, an unknown member name of n characters.
"""

from __future__ import annotations

import argparse
import collections.abc as cabc
import functools
import io
import json
import pathlib
import sys
import tempfile
import time
import typing as t

from msgtemplates import (
    Catalog,
    Template,
    TemplateSyntaxError,
    best_match,
    check_batch,
    check_request,
)
from msgtemplates.cli import run as cli_run

MB = 1 << 20
SIZES = (MB, 10 * MB)
DOUBLED = 20 * MB
ROUNDS = 3
TARGET = 15.0
#: At most this ratio of 20 MB to 10 MB time: linear is 2, quadratic 4.
DOUBLING = 2.4
HERE = pathlib.Path(__file__).resolve().parent
CATALOG = HERE.parent / "examples" / "catalog"


def _repeat(unit: str, size: int) -> str:
    return unit * (size // len(unit))


#: Inputs that would make a careless scanner or regular expression backtrack.
INPUTS: dict[str, t.Callable[[int], str]] = {
    "run of $": lambda n: _repeat("$", n),
    "run of ${": lambda n: _repeat("${", n),
    "run of ${a": lambda n: _repeat("${a", n),
    "invisible characters": lambda n: _repeat("\u200b\u202e", n),
    "https:// + host-like text": lambda n: "https://" + _repeat("a-", n) + "!",
    "language-like tag": lambda n: _repeat("zh-Hant-", n) + "HK_",
    "spaces then text": lambda n: _repeat(" ", n) + "x",
}


def _request(text: str) -> dict[str, t.Any]:
    return {
        "appId": text,
        "accessToken": "2019112719074101000700000077771abcd",
        "requestId": text,
        "templateCode": "TP_PAYMENT_SUCCESS",
        "extendInfo": text,
        "templates": [
            {
                "language": text,
                "templateParameters": {text: text, "pushContentUrl": text, "merchant": text},
            }
        ],
    }


class _Case(t.NamedTuple):
    """One timed call: ``prepare`` builds its input untimed, ``work`` is what is timed."""

    prepare: t.Callable[[t.Any, pathlib.Path], t.Any]
    work: t.Callable[[t.Any], object]


def _fresh(text: str) -> str:
    # A new string object each round, so no hash or cache from an earlier round helps.
    return (text + "\x00")[:-1]


def _template(text: str) -> None:
    try:
        Template(text)
    except TemplateSyntaxError as error:
        str(error)


def _lint(text: str) -> None:
    Catalog({"TP": {"en-US": text, text: "${a}", "zh-CN": "${a}"}}).lint()


def _batch_file(text: str, where: pathlib.Path) -> str:
    path = where / "batch.jsonl"
    line = json.dumps(_request(text))
    # Two lines with one requestId: the second is compared with the first, as retries are.
    path.write_text(f"{line}\n{line}\n", "utf-8")
    return str(path)


def _cli_check(path: str) -> None:
    cli_run(["check", path, "--catalog", str(CATALOG)], io.StringIO(), io.StringIO())


def _bare_loop(path: str) -> None:
    with open(path, "rb") as lines:
        for raw in lines:
            json.loads(raw)


def _nested_file(size: int, where: pathlib.Path) -> str:
    path = where / "deep.json"
    path.write_bytes(b"[" * (size // 2) + b"]" * (size // 2))
    return str(path)


def _cli_check_plain(path: str) -> None:
    cli_run(["check", path], io.StringIO(), io.StringIO())


def _read_and_decode(path: str) -> None:
    pathlib.Path(path).read_bytes().decode("utf-8")


#: The entry points, each with how its input is prepared.
TARGETS: dict[str, _Case] = {
    "check_request": _Case(lambda text, _: _request(_fresh(text)), check_request),
    "Template": _Case(lambda text, _: _fresh(text), _template),
    "best_match": _Case(
        lambda text, _: (_fresh(text), [_fresh(text) + "x", "en-US", _fresh(text)[:-1]]),
        lambda args: best_match(*args),
    ),
    "Catalog lint": _Case(lambda text, _: _fresh(text), _lint),
    "CLI check": _Case(_batch_file, _cli_check),
}

#: A plain linear pass over the same data, for each kind of target.
IN_MEMORY = _Case(lambda text, _: _request(_fresh(text)), lambda r: json.loads(json.dumps(r)))
ON_DISK = _Case(_batch_file, _bare_loop)


def _seconds(case: _Case, value: t.Any) -> float:
    best = float("inf")
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(ROUNDS):
            prepared = case.prepare(value, pathlib.Path(tmp))
            start = time.perf_counter()
            case.work(prepared)
            best = min(best, time.perf_counter() - start)
            del prepared
    return best


def _ratio(case: _Case, values: cabc.Sequence[t.Any]) -> tuple[float, float]:
    small, large = (_seconds(case, value) for value in values)
    return small, large


def _row(
    name: str,
    small: float,
    large: float,
    baseline: tuple[float, float],
    doubled: t.Callable[[], float],
) -> dict[str, t.Any]:
    ratio = large / small
    # Past the 15 mark, tell cache effects from super-linear work by doubling the size again.
    doubling = doubled() / large if ratio > TARGET else None
    return {
        "name": f"{name}, 10 MB vs 1 MB",
        "ours_seconds": large,
        "reference": "the same on 1 MB",
        "reference_seconds": small,
        "ratio": ratio,
        "target": TARGET,
        "met": ratio <= TARGET or (doubling is not None and doubling <= DOUBLING),
        "baseline_ratio": baseline[1] / baseline[0],
        "doubling_ratio": doubling,
    }


# --- hostile shapes: counts instead of sizes ---------------------------------------------------
# Each shape is built for a count n and for 10 n; linear work takes about 10 times as long.

_VALID: dict[str, t.Any] = {
    "appId": "3333010071465913",
    "accessToken": "2019112719074101000700000077771abcd",
    "requestId": "R-1",
    "templateCode": "TP",
    "templates": [{"language": "en-US", "templateParameters": {"a0": "x"}}],
}


def _repeats_file(count: int, where: pathlib.Path) -> str:
    """A 1 MB first line, then ``count`` short lines reusing its requestId with other bodies."""
    path = where / "repeats.jsonl"
    first = json.dumps({**_VALID, "extendInfo": "x" * MB})
    others = "".join(json.dumps({**_VALID, "appId": str(i)}) + "\n" for i in range(count))
    path.write_text(first + "\n" + others, "utf-8")
    return str(path)


def _batch(path: str) -> None:
    for _ in check_batch(path):
        pass


def _placeholder_catalog(count: int, _: pathlib.Path) -> Catalog:
    """Three texts of ``count`` placeholders each, two of them disjoint from the third."""
    a = " ".join(f"${{a{i}}}" for i in range(count))
    b = " ".join(f"${{b{i}}}" for i in range(count))
    return Catalog({"TP": {"en-US": a, "zh-TW": a, "th-TH": b}})


def _unused_request(count: int, _: pathlib.Path) -> tuple[dict[str, t.Any], Catalog]:
    """``count`` placeholders in the catalog and ``count`` unused parameters in the request."""
    catalog = Catalog({"TP": {"en-US": " ".join(f"${{a{i}}}" for i in range(count))}})
    params = {f"u{i}": "v" for i in range(count)}
    return {**_VALID, "templates": [{"language": "en-US", "templateParameters": params}]}, catalog


def _many_templates(count: int, _: pathlib.Path) -> tuple[dict[str, t.Any], Catalog]:
    """A request of ``count`` content templates (a maxItems error), previewed for en-US."""
    templates = [{"language": f"en-{i % 900 + 100:03d}"} for i in range(count)]
    catalog = Catalog({"TP": {"en-US": "Hi ${a0}"}})
    return {**_VALID, "templates": templates}, catalog


def _long_key(count: int, _: pathlib.Path) -> dict[str, t.Any]:
    """An unknown member whose name is ``count`` characters long."""
    return {**_VALID, "x" * count: 1}


def _lines_loop(path: str) -> None:
    _bare_loop(path)


SHAPES: dict[str, tuple[_Case, _Case, int]] = {
    # name: (the entry point, a linear baseline over the same input, the smaller count)
    "check_batch, 1 MB first line x repeats": (
        _Case(_repeats_file, _batch),
        _Case(_repeats_file, _lines_loop),
        2_000,
    ),
    "Catalog lint, placeholders": (
        _Case(_placeholder_catalog, lambda catalog: catalog.lint()),
        _Case(_placeholder_catalog, lambda catalog: catalog.codes),
        2_000,
    ),
    "check_request with catalog, placeholders x unused parameters": (
        _Case(_unused_request, lambda pair: check_request(pair[0], catalog=pair[1])),
        _Case(_unused_request, lambda pair: json.loads(json.dumps(pair[0]))),
        1_000,
    ),
    "Catalog.preview, content templates": (
        _Case(_many_templates, lambda pair: pair[1].preview(pair[0], user_locale="en-US")),
        _Case(_many_templates, lambda pair: json.loads(json.dumps(pair[0]))),
        1_000,
    ),
    "check_request, unknown member name length": (
        _Case(_long_key, check_request),
        _Case(_long_key, lambda payload: json.loads(json.dumps(payload))),
        MB,
    ),
}


def run() -> list[dict[str, t.Any]]:
    """Time each entry point on each adversarial input at 1 MB and 10 MB; one row per pair."""
    rows = []
    # Warm the caches (schema, CLDR data) so that neither size pays for first use.
    check_request(_request("x"))
    best_match("en-US", ["en-GB"])
    for input_name, make in INPUTS.items():
        texts = [make(size) for size in SIZES]
        in_memory = _ratio(IN_MEMORY, texts)
        on_disk = _ratio(ON_DISK, texts)
        for target_name, case in TARGETS.items():
            small, large = _ratio(case, texts)
            baseline = on_disk if case is TARGETS["CLI check"] else in_memory
            doubled = functools.partial(_seconds, case, make(DOUBLED))
            rows.append(_row(f"{target_name} on {input_name}", small, large, baseline, doubled))
    nested = _Case(_nested_file, _cli_check_plain)
    small, large = _ratio(nested, SIZES)
    baseline = _ratio(_Case(_nested_file, _read_and_decode), SIZES)
    doubled = functools.partial(_seconds, nested, DOUBLED)
    rows.append(_row("CLI check on deeply nested JSON", small, large, baseline, doubled))
    return [*rows, *run_shapes()]


def run_shapes() -> list[dict[str, t.Any]]:
    """Only the hostile shapes: a repeated long first line, placeholders, templates, keys."""
    rows = []
    for name, (case, linear, count) in SHAPES.items():
        counts = (count, 10 * count)
        small, large = _ratio(case, counts)
        baseline = _ratio(linear, counts)
        doubled = functools.partial(_seconds, case, 20 * count)
        row = _row(name, small, large, baseline, doubled)
        row["name"] = f"{name}, 10 n vs n (n = {count:,})"
        rows.append(row)
    return rows


def main() -> int:
    """Print the table of ratios; optionally write it as JSON; exit 1 if any is super-linear."""
    parser = argparse.ArgumentParser(description="Adversarial inputs: 10 MB vs 1 MB timings.")
    parser.add_argument("--json", metavar="OUT", help="also write the rows as JSON")
    parser.add_argument(
        "--shapes", action="store_true", help="only the hostile shapes (counts, not sizes)"
    )
    args = parser.parse_args()
    rows = run_shapes() if args.shapes else run()
    print("| what | 1 MB | 10 MB | ratio | baseline | 20 MB / 10 MB | |")
    print("|---|---|---|---|---|---|---|")
    for row in rows:
        doubling = row["doubling_ratio"]
        flag = "" if row["ratio"] <= TARGET else "FLAG > 15"
        verdict = "" if row["met"] else "SUPER-LINEAR"
        print(
            f"| {row['name']} | {row['reference_seconds'] * 1e3:.1f} ms | "
            f"{row['ours_seconds'] * 1e3:.1f} ms | {row['ratio']:.1f} | "
            f"{row['baseline_ratio']:.1f} | {'' if doubling is None else f'{doubling:.2f}'} | "
            f"{flag} {verdict} |",
            flush=True,
        )
    if args.json:
        pathlib.Path(args.json).write_text(json.dumps(rows, indent=2), "utf-8")
    return 0 if all(row["met"] for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
