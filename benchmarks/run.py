"""Run every benchmark and print one table of ratios (and write it as JSON).

Run: ``python benchmarks/run.py [--quick] [--json benchmarks/results.json]``.
Each row compares msgtemplates with a reference measured in the same run; ``--quick`` uses
a 100,000-line batch only.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import pathlib
import platform
import sys
import typing as t

HERE = pathlib.Path(__file__).resolve().parent
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
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()}"


def format_row(row: dict[str, t.Any]) -> str:
    """One table line: what, ratio, target and verdict."""
    target = row.get("target")
    verdict = "" if row.get("met") is None else ("PASS" if row["met"] else "MISS")
    if target is None:
        goal = ""
    elif target >= 1 and row.get("higher_is_better"):
        goal = f">= {target:g}x"
    else:
        goal = f"<= {target:g}x"
    return f"| {row['name']} | {row['reference']} | {row['ratio']:.3g}x | {goal} | {verdict} |"


def main() -> int:
    """Run the suites, print the Markdown table, write JSON."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="batch of 100,000 lines only")
    parser.add_argument("--json", metavar="OUT", default=str(HERE / "results.json"))
    args = parser.parse_args()
    sys.path.insert(0, str(HERE))
    rows: list[dict[str, t.Any]] = []
    for name in SUITES:
        module = importlib.import_module(name)
        if name == "batch":
            sizes = (100_000,) if args.quick else (100_000, 1_000_000)
            rows.extend(module.run(sizes))
        else:
            rows.extend(module.run())
        print(f"# {name}: done", file=sys.stderr, flush=True)
    print(f"Machine: {machine()}\n")
    print("| what | against | ratio | target | |")
    print("|---|---|---|---|---|")
    for row in rows:
        print(format_row(row))
    pathlib.Path(args.json).write_text(
        json.dumps({"machine": machine(), "rows": rows}, indent=2), "utf-8"
    )
    return 0 if all(r.get("met") is not False for r in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
