"""Run every benchmark and print one table of ratios (and write the same as JSON).

Run: ``python benchmarks/run.py [--quick] [--json benchmarks/results.json]``.
Each row compares msgtemplates with a reference measured in the same run (the median of
interleaved rounds); ``--quick`` checks a 100,000-line batch only. The exit status is 1 when a
target of DESIGN section 7 is missed. ``benchmarks/results.json`` is git-ignored; the README's
table is a copy of this command's output, machine line included.
"""

from __future__ import annotations

import argparse
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

from timing import table  # noqa: E402 - the suites live beside this script, not in a package

SUITES = ["validation", "render", "batch", "startup"]


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
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="batch of 100,000 lines only")
    parser.add_argument("--json", metavar="OUT", default=str(HERE / "results.json"))
    args = parser.parse_args()
    rows: list[dict[str, t.Any]] = []
    batch_rows: list[dict[str, t.Any]] = []
    for name in SUITES:
        print(f"# {name} ...", file=sys.stderr, flush=True)
        module = importlib.import_module(name)
        if name == "batch":
            sizes = (100_000,) if args.quick else (100_000, 1_000_000)
            batch_rows = module.run(sizes)
            rows.extend(batch_rows)
        else:
            rows.extend(module.run())
    when = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    print(f"Machine: {machine()}")
    print(f"Versions: {versions()}")
    print(f"Run: {when}\n")
    print(table(rows))
    if batch_rows:
        print()
        print(importlib.import_module("batch").throughput(batch_rows))
    missed = [row["name"] + " vs " + row["reference"] for row in rows if row["met"] is False]
    print(f"\n{len(missed)} target(s) missed" + (": " + "; ".join(missed) if missed else ""))
    pathlib.Path(args.json).write_text(
        json.dumps(
            {"machine": machine(), "versions": versions(), "run": when, "rows": rows}, indent=2
        ),
        "utf-8",
    )
    return 1 if missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
