"""Start-up cost: `import msgtemplates` against `import jsonschema`, and a one-file check.

Run: ``python benchmarks/startup.py [--quick] [--json OUT]``. Each figure is the median of
interleaved fresh processes. Targets: ``import msgtemplates`` in <= 0.5x the time of
``import jsonschema`` (heavy modules load on first use), and ``msgtemplates check one.json`` in
<= 5x the time of ``python -c pass`` (whole processes). The import is timed inside the fresh
process, so interpreter start-up is left out; the one-file check is the wall time of the whole
command against an interpreter that does nothing. Every process reads bytecode compiled once
beforehand, as from an installed package (see :func:`timing.process_environment`).
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

ROUNDS = 15
QUICK_ROUNDS = 7

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


def _import_seconds(module: str, env: dict[str, str]) -> float:
    out = subprocess.run(
        [sys.executable, "-c", _IMPORT_TIMER.format(module=module)],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    ).stdout
    return float(out)


def _wall_seconds(argv: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, capture_output=True, check=True, env=env)
    return time.perf_counter() - start


def run(*, quick: bool = False) -> list[dict[str, t.Any]]:
    """Measure both start-up rows; return one dict per row.

    :param quick: fewer rounds.
    """
    ours: list[float] = []
    reference: list[float] = []
    check: list[float] = []
    bare: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        env = process_environment(str(pathlib.Path(tmp, "bytecode")))
        request = pathlib.Path(tmp, "one.json")
        request.write_text(json.dumps(REQUEST), "utf-8")
        check_argv = [sys.executable, "-m", "msgtemplates", "check", str(request)]
        bare_argv = [sys.executable, "-c", "pass"]
        # Untimed: compile every module once, as installing a package does.
        _import_seconds("msgtemplates", env)
        _import_seconds("jsonschema", env)
        _wall_seconds(check_argv, env)
        for _ in range(QUICK_ROUNDS if quick else ROUNDS):
            ours.append(_import_seconds("msgtemplates", env))
            reference.append(_import_seconds("jsonschema", env))
            check.append(_wall_seconds(check_argv, env))
            bare.append(_wall_seconds(bare_argv, env))
    return [
        row(
            "import msgtemplates",
            statistics.median(ours),
            "import jsonschema",
            statistics.median(reference),
            0.5,
        ),
        row(
            "msgtemplates check one.json (whole process)",
            statistics.median(check),
            "python -c pass",
            statistics.median(bare),
            5.0,
        ),
    ]


def main() -> int:
    """Print the start-up table; optionally write it as JSON."""
    args = parser(__doc__).parse_args()
    return finish(run(quick=args.quick), args.json)


if __name__ == "__main__":
    raise SystemExit(main())
