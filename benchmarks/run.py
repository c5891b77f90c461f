"""Run every benchmark and print one table of ratios (and write the same as JSON).

Run: ``python benchmarks/run.py [--quick] [--json benchmarks/results.json]``.
Each row compares msgtemplates with a reference measured in the same run (the median of
interleaved rounds); every speed target is a row marked PASS or MISS, and rows without a
target give context. ``--quick`` is for developers: fewer rounds and batches of
20,000 and 200,000 lines instead of 100,000 and 1,000,000, in about two minutes. The full run
is the one to publish. The exit status is 1 when a target is missed; a row that cannot be
measured yet (``check_batch`` before the library has it) shows ``n/a`` and is no miss.
``benchmarks/results.json`` is git-ignored; the README's table is a copy of this command's
output, machine line included.
"""

from __future__ import annotations

import datetime
import importlib
import json
import os
import pathlib
import platform
import sys
import typing as t

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

# The suites live beside this script, not in a package.
from timing import parser, table  # noqa: E402

SUITES = ["validation", "render", "batch", "startup", "compose", "send"]


def machine() -> str:
    """One line naming the machine, for the README's table."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in pathlib.Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}"
    )


def versions() -> str:
    """The versions of msgtemplates and of every reference library, as one line."""
    from importlib import metadata

    found = []
    for name in (
        "msgtemplates",
        "jsonschema",
        "fastjsonschema",
        "jsonschema-rs",
        "msgspec",
        "pydantic",
        "orjson",
        "jinja2",
        "babel",
    ):
        try:
            found.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            found.append(f"{name} (not installed)")
    return ", ".join(found)


def main() -> int:
    """Run the suites, print the Markdown tables, write JSON."""
    command = parser(__doc__)
    command.set_defaults(json=str(HERE / "results.json"))
    args = command.parse_args()
    rows: list[dict[str, t.Any]] = []
    batch_rows: list[dict[str, t.Any]] = []
    for name in SUITES:
        print(f"# {name} ...", file=sys.stderr, flush=True)
        suite = importlib.import_module(name)
        if name == "compose":
            found = suite.run()
        elif name == "send":
            found = suite.run(count=1_000 if args.quick else 10_000)
        else:
            found = suite.run(quick=args.quick)
        if name == "batch":
            batch_rows = found
        rows.extend(found)
    when = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    mode = "quick" if args.quick else "full"
    print(f"Machine: {machine()}")
    print(f"Versions: {versions()}")
    print(f"Run: {when} ({mode})\n")
    print(table(rows))
    if batch_rows:
        print()
        print(importlib.import_module("batch").throughput(batch_rows))
    missed = [item["name"] + " vs " + item["reference"] for item in rows if item["met"] is False]
    unmeasured = [item["name"] for item in rows if item["ratio"] is None]
    print(f"\n{len(missed)} target(s) missed" + (": " + "; ".join(missed) if missed else ""))
    if unmeasured:
        print(f"{len(unmeasured)} row(s) not measured: " + "; ".join(unmeasured))
    pathlib.Path(args.json).write_text(
        json.dumps(
            {"machine": machine(), "versions": versions(), "run": when, "mode": mode, "rows": rows},
            indent=2,
        ),
        "utf-8",
    )
    return 1 if missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
