"""Batch checking: `msgtemplates check` on large JSONL files against a bare `json.loads` loop.

Run: ``python benchmarks/batch.py [--sizes 100000 1000000] [--json OUT]``. Files are generated
on the fly in a temporary directory; every figure is the median of interleaved runs of fresh
processes, with the peak resident memory each process reached.
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import statistics
import subprocess
import sys
import tempfile
import time
import typing as t

ROUNDS = 3

BARE_LOOP = (
    "import json, sys\n"
    "with open(sys.argv[1], 'rb') as f:\n"
    "    for line in f:\n"
    "        if line.strip():\n"
    "            json.loads(line)\n"
)


def write_batch(path: pathlib.Path, lines: int) -> None:
    """Write `lines` typical valid requests (2 templates x 3 parameters), distinct requestIds."""
    with path.open("w", encoding="utf-8") as out:
        for i in range(lines):
            request = {
                "appId": "2171000000000001",
                "accessToken": "2019112719074101000700000077771abcd",
                "requestId": f"REQ{i:012d}",
                "templateCode": "TP_PAYMENT_SUCCESS",
                "templates": [
                    {
                        "templateParameters": {
                            "who": f"user {i}",
                            "amount": "12.50",
                            "pushContentUrl": "https://example.com/orders/1",
                        },
                        "language": "en-US",
                    },
                    {
                        "templateParameters": {
                            "who": f"用户 {i}",
                            "amount": "12.50",
                            "pushContentUrl": "https://example.com/orders/1",
                        },
                        "language": "zh-CN",
                    },
                ],
            }
            out.write(json.dumps(request, ensure_ascii=False) + "\n")


def _measure(argv: list[str]) -> tuple[float, int, int]:
    """Wall seconds, peak RSS in KiB and exit status of one fresh process."""
    start = time.perf_counter()
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    return seconds, usage.ru_maxrss, process.returncode


def run(sizes: t.Sequence[int] = (100_000, 1_000_000)) -> list[dict[str, t.Any]]:
    """Measure serial and two-process checks of each size against the bare loop."""
    rows: list[dict[str, t.Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        for size in sizes:
            path = pathlib.Path(tmp, f"batch-{size}.jsonl")
            write_batch(path, size)
            commands = {
                "bare": [sys.executable, "-c", BARE_LOOP, str(path)],
                "serial": [sys.executable, "-m", "msgtemplates", "check", str(path)],
                "jobs2": [sys.executable, "-m", "msgtemplates", "check", "--jobs", "2", str(path)],
            }
            seen: dict[str, list[tuple[float, int, int]]] = {key: [] for key in commands}
            for _ in range(ROUNDS):
                for key, argv in commands.items():
                    seen[key].append(_measure(argv))
            bare = statistics.median(s for s, _, _ in seen["bare"])
            bare_rss = max(r for _, r, _ in seen["bare"])
            for key, label in [("serial", "serial"), ("jobs2", "--jobs 2")]:
                seconds = statistics.median(s for s, _, _ in seen[key])
                statuses = {status for _, _, status in seen[key]}
                rows.append(
                    {
                        "name": f"check {size:,} lines ({label})",
                        "ours_seconds": seconds,
                        "reference": "bare json.loads loop",
                        "reference_seconds": bare,
                        "ratio": seconds / bare,
                        "target": 2.5 if key == "serial" else None,
                        "met": (seconds / bare <= 2.5) if key == "serial" else None,
                        "lines_per_second": size / seconds,
                        "reference_lines_per_second": size / bare,
                        "peak_rss_kib": max(r for _, r, _ in seen[key]),
                        "reference_peak_rss_kib": bare_rss,
                        "exit_status": sorted(statuses),
                    }
                )
            path.unlink()
    return rows


def main() -> int:
    """Print the batch table; optionally write it as JSON."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--json", metavar="OUT", help="also write the rows as JSON")
    args = parser.parse_args()
    rows = run(args.sizes)
    for row in rows:
        print(
            f"{row['name']:<34} {row['ours_seconds']:7.2f} s"
            f" vs bare {row['reference_seconds']:6.2f} s"
            f"  ratio {row['ratio']:.2f}x  {row['lines_per_second']:>10,.0f} lines/s"
            f"  peak {row['peak_rss_kib'] / 1024:6.1f} MiB"
            f" (bare {row['reference_peak_rss_kib'] / 1024:.1f})"
            f"  exit {row['exit_status']}"
        )
    if args.json:
        pathlib.Path(args.json).write_text(json.dumps(rows, indent=2), "utf-8")
    return 0 if all(r["met"] is not False for r in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
