"""Batch checking: `msgtemplates check` and `check_batch` on large JSONL files, as fresh processes.

Run: ``python benchmarks/batch.py [--quick] [--json OUT]``. A file of valid requests made from
``examples/send-request.json``, each with its own requestId (a campaign), is generated on the
fly in a temporary directory: the example's first two content templates (``en-US``, ``zh-HK``),
each with its three placeholders and a link, so that every line is valid against
``examples/catalog``. Every figure is the median of interleaved runs of fresh processes, so
start-up is on both sides, with the peak resident memory each process reached as ``peak.py``
reads it (for ``--jobs 2``, of the main process; its workers are children). The targets are on
wall time; the throughput table adds each process's CPU time (for ``--jobs 2`` with its
workers', which it forks and waits for, so CPU time above wall time is the two cores at work).
Where CPU time is far below wall time, other work held the cores, and the run is not one to
publish.

The references are loops a user could write instead, each a fresh process reading the same file
line by line: ``json.loads`` of each line and nothing else, a ``msgspec.json.Decoder`` into the
equivalent Struct of ``references.py`` (decode and validate), and ``orjson.loads`` (context).
One more context row says what two cores give here: two ``json.loads`` loops at once (one
process and its fork, each reading the whole file) against one alone. At 1.0x the second core
is a core of its own; where it is slower, both cores run slower when both are busy (a virtual
machine's cores shared on its host), and ``--jobs 2`` can gain only as much.

Targets, on 100,000 lines (``--quick``: 20,000):

- ``msgtemplates check`` (and ``check_batch``, when the library has it) without a catalog:
  <= 1.0x the ``json.loads`` loop, within 1.5x of the msgspec loop;
- the same with ``--catalog examples/catalog``: <= 1.3x the time without;
- ``--jobs 2`` on 2 cores: <= 0.75x the serial time on the same file;
- memory: ten times the lines (1,000,000; ``--quick``: 200,000) at most twice the peak, and at
  most 24 bytes per distinct requestId, read as (large peak - small peak) / (large - small
  lines), since every line brings a new requestId.
"""

from __future__ import annotations

import json
import os
import pathlib
import statistics
import subprocess
import sys
import tempfile
import time
import typing as t

from timing import finish, parser, process_environment, row, unmeasured

HERE = pathlib.Path(__file__).resolve().parent
CATALOG = HERE.parent / "examples" / "catalog"
EXAMPLE = HERE.parent / "examples" / "send-request.json"
# On a virtual machine the host's speed drifts between runs: the same process took 0.78 s to
# 1.39 s of CPU in one minute (a json.loads loop as much as a check), so a median needs rounds.
ROUNDS = 9
QUICK_ROUNDS = 3
SIZES = (100_000, 1_000_000)
QUICK_SIZES = (20_000, 200_000)
#: What runs on the larger file: memory needs only the serial command, the loop gives context.
BIG = ("check", "json loop")
#: Bytes of memory per distinct requestId, at most.
ID_BYTES = 24.0

JSON_LOOP = (
    "import json, sys\n"
    "with open(sys.argv[1], 'rb') as f:\n"
    "    for line in f:\n"
    "        if line.strip():\n"
    "            json.loads(line)\n"
)
#: The json.loads loop in this process and a fork of it at once; exit 1 where either fails.
JSON_PAIR = (
    "import json, os, sys\n"
    "pid = os.fork()\n"
    "status = 0\n"
    "try:\n"
    "    with open(sys.argv[1], 'rb') as f:\n"
    "        for line in f:\n"
    "            if line.strip():\n"
    "                json.loads(line)\n"
    "except ValueError:\n"
    "    status = 1\n"
    "if pid == 0:\n"
    "    os._exit(status)\n"
    "child = os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])\n"
    "sys.exit(1 if status or child else 0)\n"
)
ORJSON_LOOP = (
    "import orjson, sys\n"
    "with open(sys.argv[1], 'rb') as f:\n"
    "    for line in f:\n"
    "        if line.strip():\n"
    "            orjson.loads(line)\n"
)
MSGSPEC_LOOP = (
    "import sys\n"
    f"sys.path.insert(0, {str(HERE)!r})\n"
    "import msgspec\n"
    "from references import msgspec_request\n"
    "decode = msgspec.json.Decoder(msgspec_request()).decode\n"
    "invalid = 0\n"
    "with open(sys.argv[1], 'rb') as f:\n"
    "    for line in f:\n"
    "        if line.strip():\n"
    "            try:\n"
    "                decode(line)\n"
    "            except (msgspec.ValidationError, msgspec.DecodeError):\n"
    "                invalid += 1\n"
    "sys.exit(1 if invalid else 0)\n"
)
#: ``check_batch`` as a program: argv is FILE, JOBS and optionally CATALOG; exit 1 on an error.
CHECK_BATCH = (
    "import sys\n"
    "import msgtemplates\n"
    "catalog = msgtemplates.Catalog.load(sys.argv[3]) if len(sys.argv) > 3 else None\n"
    "errors = 0\n"
    "verdicts = msgtemplates.check_batch(sys.argv[1], catalog=catalog, jobs=int(sys.argv[2]))\n"
    "for verdict in verdicts:\n"
    "    if verdict.problems and any(p.severity == 'error' for p in verdict.problems):\n"
    "        errors += 1\n"
    "sys.exit(1 if errors else 0)\n"
)


def write_batch(path: pathlib.Path, lines: int) -> None:
    """Write ``lines`` valid requests made from the example request, distinct requestIds."""
    example = json.loads(EXAMPLE.read_text("utf-8"))
    del example["templates"][2:]
    with path.open("w", encoding="utf-8") as out:
        for i in range(lines):
            example["requestId"] = f"REQ{i:012d}"
            for template in example["templates"]:
                template["templateParameters"]["amount"] = f"HKD {i % 1000}.00"
            out.write(json.dumps(example, ensure_ascii=False) + "\n")


class _Run(t.NamedTuple):
    """One fresh process: wall and CPU seconds, peak memory in bytes, exit status."""

    seconds: float
    cpu: float
    peak: int
    status: int


def _children_cpu() -> float:
    """CPU seconds of every child process waited for so far (0 where that is unknown)."""
    try:
        import resource
    except ImportError:
        return 0.0
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def _measure(argv: list[str], env: dict[str, str], peak: pathlib.Path) -> _Run:
    """Time one fresh process running ``argv`` under ``peak.py``, which writes its peak memory.

    The CPU time (with its workers') is kept beside the wall time: where it is much smaller,
    other work on the machine took the cores away, and the run is a poor one to publish.
    """
    cpu = _children_cpu()
    start = time.perf_counter()
    status = subprocess.run(
        [sys.executable, str(HERE / "peak.py"), str(peak), *argv],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
        check=False,
    ).returncode
    seconds = time.perf_counter() - start
    return _Run(seconds, _children_cpu() - cpu, int(peak.read_text("ascii")), status)


def _has(module: str, name: str = "") -> bool:
    """Whether a module (and a name in it) can be imported here."""
    try:
        imported = __import__(module)
    except ImportError:
        return False
    return not name or hasattr(imported, name)


def _commands(path: pathlib.Path) -> dict[str, list[str]]:
    """Every program to time on ``path``, by name; the optional ones only where they can run."""
    check = ["-m", "msgtemplates", "check"]
    commands = {
        "json loop": ["-c", JSON_LOOP, str(path)],
        "check": [*check, str(path)],
        "check --catalog": [*check, "--catalog", str(CATALOG), str(path)],
        "check --jobs 2": [*check, "--jobs", "2", str(path)],
    }
    if hasattr(os, "fork"):
        commands["json pair"] = ["-c", JSON_PAIR, str(path)]
    if _has("msgspec"):
        commands["msgspec loop"] = ["-c", MSGSPEC_LOOP, str(path)]
    if _has("orjson"):
        commands["orjson loop"] = ["-c", ORJSON_LOOP, str(path)]
    if _has("msgtemplates", "check_batch"):
        commands["check_batch"] = ["-c", CHECK_BATCH, str(path), "1"]
        commands["check_batch catalog="] = ["-c", CHECK_BATCH, str(path), "1", str(CATALOG)]
        commands["check_batch jobs=2"] = ["-c", CHECK_BATCH, str(path), "2"]
    return commands


def _rounds(
    commands: dict[str, list[str]], env: dict[str, str], peak: pathlib.Path, rounds: int, label: str
) -> dict[str, _Run]:
    """Median wall and CPU seconds and highest peak of each command over interleaved rounds."""
    seen: dict[str, list[_Run]] = {key: [] for key in commands}
    keys = list(commands)
    for round_ in range(rounds):
        # Rotate the order so that a slow spell of the machine hits every command alike.
        shift = round_ % len(keys)
        for key in keys[shift:] + keys[:shift]:
            seen[key].append(_measure(commands[key], env, peak))
    for key, results in seen.items():
        if any(run.status != 0 for run in results):
            # A check that failed or found problems did other work; its time means nothing.
            raise RuntimeError(f"{key} exited {[run.status for run in results]} on {label}")
    return {
        key: _Run(
            statistics.median(run.seconds for run in results),
            statistics.median(run.cpu for run in results),
            max(run.peak for run in results),
            0,
        )
        for key, results in seen.items()
    }


def run(*, quick: bool = False) -> list[dict[str, t.Any]]:
    """Time the command, ``check_batch`` and the loops on the smaller file; memory on both.

    :param quick: 20,000 and 200,000 lines and fewer rounds, instead of 100,000 and 1,000,000.
    :returns: the rows, targets first, then context rows.
    """
    small, large = QUICK_SIZES if quick else SIZES
    rounds = QUICK_ROUNDS if quick else ROUNDS
    with tempfile.TemporaryDirectory() as tmp:
        env = process_environment(str(pathlib.Path(tmp, "bytecode")))
        peak = pathlib.Path(tmp, "peak")
        path = pathlib.Path(tmp, f"batch-{small}.jsonl")
        write_batch(path, small)
        commands = _commands(path)
        for argv in commands.values():
            # Untimed: compile every module once, as installing a package does, and read the
            # file into the page cache.
            _measure(argv, env, peak)
        timed = _rounds(commands, env, peak, rounds, path.name)
        path.unlink()
        path = pathlib.Path(tmp, f"batch-{large}.jsonl")
        write_batch(path, large)
        wanted = {key: argv for key, argv in _commands(path).items() if key in BIG}
        big = _rounds(wanted, env, peak, 1 if quick else 2, path.name)
    return _time_rows(timed, small) + _memory_rows(timed["check"].peak, big, small, large)


def _figures(run: _Run, reference: _Run, lines: int) -> dict[str, t.Any]:
    """The extra fields of a batch row: throughput, CPU seconds and peaks of both sides."""
    return {
        "lines": lines,
        "lines_per_second": lines / run.seconds,
        "reference_lines_per_second": lines / reference.seconds,
        "cpu_seconds": run.cpu,
        "reference_cpu_seconds": reference.cpu,
        "peak_bytes": run.peak,
        "reference_peak_bytes": reference.peak,
    }


def _time_rows(timed: dict[str, _Run], lines: int) -> list[dict[str, t.Any]]:
    """The rows of the smaller file: targets, then context."""
    rows: list[dict[str, t.Any]] = []
    size = f"{lines:,} lines"
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()

    def add(ours: str, name: str, label: str, reference: str, target: float | None) -> None:
        if ours not in timed or reference not in timed:
            missing = ours if ours not in timed else reference
            why = (
                "msgtemplates.check_batch does not exist yet"
                if missing.startswith("check_batch")
                else f"{missing.split()[0]} is not installed (pip install 'msgtemplates[bench]')"
            )
            rows.append(unmeasured(name, label, target, why))
            return
        run, against = timed[ours], timed[reference]
        rows.append(
            row(name, run.seconds, label, against.seconds, target, **_figures(run, against, lines))
        )

    for ours, name in [("check", "msgtemplates check"), ("check_batch", "check_batch")]:
        add(ours, f"{name}, {size}", "json.loads loop", "json loop", 1.0)
        add(ours, f"{name}, {size}", "msgspec decode-into-Struct loop", "msgspec loop", 1.5)
    add(
        "check --catalog",
        f"msgtemplates check --catalog, {size}",
        "the same without",
        "check",
        1.3,
    )
    add(
        "check_batch catalog=",
        f"check_batch catalog=, {size}",
        "the same without",
        "check_batch",
        1.3,
    )
    add(
        "check --jobs 2",
        f"msgtemplates check --jobs 2, {size}, {cores} cores",
        "the same serial",
        "check",
        0.75,
    )
    add(
        "check_batch jobs=2",
        f"check_batch jobs=2, {size}, {cores} cores",
        "the same serial",
        "check_batch",
        0.75,
    )
    if "orjson loop" in timed:
        add("check", f"msgtemplates check, {size}", "orjson.loads loop", "orjson loop", None)
    if "msgspec loop" in timed:
        add("msgspec loop", f"msgspec loop, {size}", "json.loads loop", "json loop", None)
    if "json pair" in timed:
        pair = f"two json.loads loops at once, {size} each, {cores} cores"
        add("json pair", pair, "one json.loads loop", "json loop", None)
    return rows


def _memory_rows(
    small_peak: int, big: dict[str, _Run], small: int, large: int
) -> list[dict[str, t.Any]]:
    """Peak memory of the serial command: the larger file against the smaller one, per id."""
    large_peak = big["check"].peak
    per_id = (large_peak - small_peak) / (large - small)
    return [
        row(
            f"msgtemplates check peak memory, {large:,} lines",
            large_peak,
            f"the same at {small:,} lines",
            small_peak,
            2.0,
            unit="B",
        ),
        row(
            "msgtemplates check memory per distinct requestId",
            per_id,
            f"{ID_BYTES:g} bytes (the budget)",
            ID_BYTES,
            1.0,
            unit="B/id",
        ),
        row(
            f"msgtemplates check, {large:,} lines",
            big["check"].seconds,
            "json.loads loop",
            big["json loop"].seconds,
            None,
            **_figures(big["check"], big["json loop"], large),
        ),
    ]


def throughput(rows: t.Iterable[dict[str, t.Any]], /) -> str:
    """A Markdown table of lines per second and peak memory of each batch row."""
    lines = [
        "| batch | ours (CPU) | lines/s | peak memory | against | theirs (CPU) | lines/s "
        "| peak memory |",
        "|---|---:|---:|---:|---|---:|---:|---:|",
    ]
    for item in rows:
        if "lines_per_second" not in item:
            continue
        lines.append(
            f"| {item['name']} | {item['ours_seconds']:.2f} s ({item['cpu_seconds']:.2f} s) "
            f"| {item['lines_per_second']:,.0f} | {item['peak_bytes'] / 2**20:.1f} MiB "
            f"| {item['reference']} "
            f"| {item['reference_seconds']:.2f} s ({item['reference_cpu_seconds']:.2f} s) "
            f"| {item['reference_lines_per_second']:,.0f} "
            f"| {item['reference_peak_bytes'] / 2**20:.1f} MiB |"
        )
    return "\n".join(lines)


def main() -> int:
    """Print the batch tables; optionally write the rows as JSON."""
    args = parser(__doc__).parse_args()
    rows = run(quick=args.quick)
    return finish(rows, args.json, throughput(rows))


if __name__ == "__main__":
    raise SystemExit(main())
