"""Batch checking: `msgtemplates check` on large JSONL files against a bare `json.loads` loop.

Run: ``python benchmarks/batch.py [--sizes 100000 1000000] [--json OUT]``. Files of typical
valid requests, each with its own requestId (a campaign), are generated on the fly in a
temporary directory; every figure is the median of interleaved runs of fresh processes, with
the peak resident memory each process reached, as ``peak.py`` reads it (for ``--jobs 2``, of
the main process; its workers are children of multiprocessing's forkserver).
DESIGN section 7: a serial check <= 2.5x the time of the bare loop, and memory flat as the file
grows; memory may grow only with the number of distinct requestIds, so this suite reads "flat"
as: ten times the lines, at most twice the peak memory.
"""

from __future__ import annotations

import json
import pathlib
import statistics
import subprocess
import sys
import tempfile
import time
import typing as t

from timing import finish, parser, process_environment, row

HERE = pathlib.Path(__file__).resolve().parent
ROUNDS = 3
#: Target ratios: time against the bare loop (serial), and the largest size's peak memory
#: against the smallest's.
TIME_TARGET = 2.5
MEMORY_TARGET = 2.0

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


def _measure(argv: list[str], env: dict[str, str], peak: pathlib.Path) -> tuple[float, int, int]:
    """Wall seconds, peak memory in bytes and exit status of one fresh process.

    ``argv`` runs under ``peak.py``, which writes the process's own peak memory to ``peak``.
    """
    start = time.perf_counter()
    status = subprocess.run(
        [sys.executable, str(HERE / "peak.py"), str(peak), *argv],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
        check=False,
    ).returncode
    seconds = time.perf_counter() - start
    return seconds, int(peak.read_text("ascii")), status


def run(sizes: t.Sequence[int] = (100_000, 1_000_000)) -> list[dict[str, t.Any]]:
    """Measure serial and two-process checks of each size against the bare loop.

    :returns: one row per size and mode (time against the bare loop, with lines per second and
        peak memory), then one row comparing the peak memory of the largest and smallest size.
    """
    rows: list[dict[str, t.Any]] = []
    peaks: dict[int, int] = {}
    with tempfile.TemporaryDirectory() as tmp:
        env = process_environment(str(pathlib.Path(tmp, "bytecode")))
        peak = pathlib.Path(tmp, "peak")
        for size in sizes:
            path = pathlib.Path(tmp, f"batch-{size}.jsonl")
            write_batch(path, size)
            commands = {
                "bare": ["-c", BARE_LOOP, str(path)],
                "serial": ["-m", "msgtemplates", "check", str(path)],
                "jobs2": ["-m", "msgtemplates", "check", "--jobs", "2", str(path)],
            }
            seen: dict[str, list[tuple[float, int, int]]] = {key: [] for key in commands}
            if size == sizes[0]:
                # Untimed: compile every module once, as installing a package does.
                _measure(["-m", "msgtemplates", "check", "--help"], env, peak)
            for round_ in range(ROUNDS):
                # Rotate the order so that a slow spell of the machine hits every command.
                keys = list(commands)
                keys = keys[round_ % 3 :] + keys[: round_ % 3]
                for key in keys:
                    seen[key].append(_measure(commands[key], env, peak))
            for key, results in seen.items():
                if any(status != 0 for _, _, status in results):
                    # A check that failed or found problems did other work; its time means nothing.
                    raise RuntimeError(f"{key} exited {[s for _, _, s in results]} on {path.name}")
            bare = statistics.median(s for s, _, _ in seen["bare"])
            bare_peak = max(r for _, r, _ in seen["bare"])
            for key, label in [("serial", "serial"), ("jobs2", "--jobs 2")]:
                seconds = statistics.median(s for s, _, _ in seen[key])
                highest = max(r for _, r, _ in seen[key])
                if key == "serial":
                    peaks[size] = highest
                rows.append(
                    row(
                        f"check {size:,} lines ({label})",
                        seconds,
                        "bare json.loads loop",
                        bare,
                        TIME_TARGET if key == "serial" else None,
                        lines=size,
                        lines_per_second=size / seconds,
                        reference_lines_per_second=size / bare,
                        peak_bytes=highest,
                        reference_peak_bytes=bare_peak,
                    )
                )
            path.unlink()
    if len(peaks) > 1:
        small, large = min(peaks), max(peaks)
        rows.append(
            row(
                f"check peak memory, {large:,} lines (serial)",
                peaks[large],
                f"same at {small:,} lines",
                peaks[small],
                MEMORY_TARGET if large >= 10 * small else None,
                unit="B",
                bytes_per_extra_request=(peaks[large] - peaks[small]) / (large - small),
            )
        )
    return rows


def throughput(rows: t.Iterable[dict[str, t.Any]], /) -> str:
    """A Markdown table of lines per second and peak memory of each batch row."""
    lines = [
        "| batch | ours | lines/s | peak memory | bare loop | lines/s | peak memory |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for item in rows:
        if "lines" not in item:
            continue
        lines.append(
            f"| {item['name']} | {item['ours_seconds']:.2f} s "
            f"| {item['lines_per_second']:,.0f} | {item['peak_bytes'] / 2**20:.1f} MiB "
            f"| {item['reference_seconds']:.2f} s | {item['reference_lines_per_second']:,.0f} "
            f"| {item['reference_peak_bytes'] / 2**20:.1f} MiB |"
        )
    return "\n".join(lines)


def main() -> int:
    """Print the batch tables; optionally write the rows as JSON."""
    command = parser(__doc__)
    command.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    args = command.parse_args()
    rows = run(args.sizes)
    return finish(rows, args.json, throughput(rows))


if __name__ == "__main__":
    raise SystemExit(main())
