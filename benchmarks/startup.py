"""Start-up cost: `import msgtemplates` against `import jsonschema`, and a one-file check.

Run: ``python benchmarks/startup.py [--json OUT]``. Each figure is the median of interleaved
fresh processes.
"""

from __future__ import annotations

import argparse
import json
import pathlib
import statistics
import subprocess
import sys
import tempfile
import time
import typing as t

ROUNDS = 15

_IMPORT_TIMER = (
    "import time; t0 = time.perf_counter(); import {module}; print(time.perf_counter() - t0)"
)

REQUEST = {
    "appId": "2171000000000001",
    "accessToken": "2019112719074101000700000077771abcd",
    "requestId": "20191127190741010007013213123abcd",
    "templateCode": "TP_5800000001abcd",
    "templates": [{"templateParameters": {"who": "XiaoMing"}, "language": "en-US"}],
}


def _import_seconds(module: str) -> float:
    out = subprocess.run(
        [sys.executable, "-c", _IMPORT_TIMER.format(module=module)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return float(out)


def _wall_seconds(argv: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, capture_output=True, check=False)
    return time.perf_counter() - start


def run() -> list[dict[str, t.Any]]:
    """Measure both start-up rows; return one dict per row."""
    ours: list[float] = []
    reference: list[float] = []
    check: list[float] = []
    bare: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        request = pathlib.Path(tmp, "request.json")
        request.write_text(json.dumps(REQUEST), "utf-8")
        for _ in range(ROUNDS):
            ours.append(_import_seconds("msgtemplates"))
            reference.append(_import_seconds("jsonschema"))
            check.append(
                _wall_seconds([sys.executable, "-m", "msgtemplates", "check", str(request)])
            )
            bare.append(_wall_seconds([sys.executable, "-c", "pass"]))
    rows = []
    for name, mine, ref_name, ref, target in [
        ("import msgtemplates", ours, "import jsonschema", reference, 0.5),
        ("msgtemplates check one file", check, "python -c pass", bare, None),
    ]:
        a, b = statistics.median(mine), statistics.median(ref)
        rows.append(
            {
                "name": name,
                "ours_seconds": a,
                "reference": ref_name,
                "reference_seconds": b,
                "ratio": a / b,
                "target": target,
                "met": None if target is None else a / b <= target,
            }
        )
    return rows


def main() -> int:
    """Print the start-up table; optionally write it as JSON."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--json", metavar="OUT", help="also write the rows as JSON")
    args = parser.parse_args()
    rows = run()
    for row in rows:
        target = "" if row["target"] is None else f"target <= {row['target']}x"
        print(
            f"{row['name']:<32} {row['ours_seconds'] * 1e3:8.2f} ms  vs {row['reference']:<20}"
            f" {row['reference_seconds'] * 1e3:8.2f} ms  ratio {row['ratio']:.2f}x  {target}"
        )
    if args.json:
        pathlib.Path(args.json).write_text(json.dumps(rows, indent=2), "utf-8")
    return 0 if all(r["met"] is not False for r in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
