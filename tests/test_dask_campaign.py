"""examples/dask_campaign.py: checking on Dask gives the verdicts of one check_batch run."""

from __future__ import annotations

import bisect
import importlib.util
import itertools
import json
import os
import pathlib
import subprocess
import sys
import typing as t

import pytest

pytest.importorskip("dask.bag")

from helpers import payment_request

from msgtemplates import check_batch

ROOT = pathlib.Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "dask_campaign.py"
CATALOG = ROOT / "examples" / "catalog"
TOKEN = "20240517103015010007000000DASK519f3c2"
LINES = 3000
PARTITIONS = 7


def _example() -> t.Any:
    spec = importlib.util.spec_from_file_location("dask_campaign", EXAMPLE)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _line(payload: object, **dumps: t.Any) -> bytes:
    return json.dumps(payload, **dumps).encode()


def _campaign(path: pathlib.Path) -> list[tuple[int, int]]:
    """Write a campaign; return the (first line, repeat line) pairs planted in it.

    All but the last pair lie far apart; the last is two lines apart, inside one partition.
    """
    lines: list[bytes] = []
    for number in range(LINES):
        payload = payment_request(TOKEN, requestId=f"REQ-{number:05d}")
        if number % 97 == 5:
            payload["templates"][0]["language"] = "en_US"
        lines.append(_line(payload))
    planted: list[tuple[int, int]] = []

    def plant(first: int, repeat_at: int, repeat: bytes) -> None:
        lines[repeat_at] = repeat
        planted.append((first + 1, repeat_at + 1))

    first = json.loads(lines[10])
    # The same body byte for byte, with other spacing and key order, and a different body.
    plant(10, 2900, lines[10])
    plant(10, 2950, _line(dict(reversed(list(first.items()))), separators=(" ,", " : ")))
    plant(10, 1500, _line({**first, "extendInfo": "another body"}))
    # A requestId used three times: different, then the same as the first again.
    third = json.loads(lines[20])
    plant(20, 1600, _line({**third, "templateCode": "TP_REFUND_DONE"}))
    plant(20, 2800, lines[20])
    # A first line that is itself invalid still counts as the first.
    broken = {"requestId": "REQ-BROKEN", "appId": 7}
    lines[30] = _line(broken)
    plant(30, 2700, _line(broken, indent=None, separators=(",", ":")))
    # A requestId with a lone surrogate, escaped in JSON.
    lines[40] = b'{"requestId": "SUR-\\ud800", "appId": "1"}'
    plant(40, 2600, b'{"appId":"1","requestId":"SUR-\\ud800"}')
    # A repeat inside one partition, which check_batch of that partition also reports.
    plant(60, 62, _line(json.loads(lines[60]), indent=None, separators=(",", ":")))
    # Lines that are not JSON, blank lines, and the like, none of which may shift a number.
    odd = {
        100: b"{oops",
        101: b"",
        102: b"   \t\r",
        103: b"\x0c",
        104: b'{"requestId": NaN}',
        105: b"[" * 300 + b"]" * 300,
        106: b'{"requestId": 12}',
        107: b"\xef\xbb\xbf" + lines[107],
        108: b"\xff\xfe",
        1999: b"",
        2000: b"",
    }
    for at, text in odd.items():
        lines[at] = text
    # One line longer than a partition, so that a partition is all of one line.
    long_request = payment_request(TOKEN, requestId="REQ-LONG", extendInfo="x" * 4000)
    long_request["padding"] = "y" * 300_000
    lines[1200] = _line(long_request)
    data = b"\xef\xbb\xbf" + b"\r\n".join(lines[:50]) + b"\r\n" + b"\n".join(lines[50:])
    path.write_bytes(data)
    return planted


def _expected(path: pathlib.Path, catalog: t.Any = None) -> list[dict[str, t.Any]]:
    records = []
    for verdict in check_batch(path, catalog=catalog):
        problems = [
            {"path": p.path, "code": p.code, "severity": p.severity, "message": p.message}
            for p in verdict.problems
        ]
        records.append(
            {"line": verdict.line, "requestId": verdict.request_id, "problems": problems}
        )
    return records


def _run(campaign: pathlib.Path, out: pathlib.Path, *options: str) -> int:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), *sys.path])}
    argv = [sys.executable, str(EXAMPLE), str(campaign), "--out", str(out), *options]
    done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=120)
    assert done.stderr == ""
    return done.returncode


@pytest.fixture(scope="module")
def campaign(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[pathlib.Path, list[tuple[int, int]]]:
    path = tmp_path_factory.mktemp("dask") / "campaign.jsonl"
    return path, _campaign(path)


def test_the_planted_duplicates_lie_in_different_partitions(
    campaign: tuple[pathlib.Path, list[tuple[int, int]]],
) -> None:
    path, planted = campaign
    module = _example()
    bounds = module.partition_bounds(str(path), PARTITIONS)
    counts = [module.count_lines(str(path), a, b) for a, b in itertools.pairwise(bounds)]
    firsts = [1]
    for count in counts[:-1]:
        firsts.append(firsts[-1] + count)
    assert len(bounds) == PARTITIONS + 1
    assert sum(counts) == LINES
    *across, (first, repeat) = planted
    assert bisect.bisect_right(firsts, first) == bisect.bisect_right(firsts, repeat)
    for first, repeat in across:
        assert bisect.bisect_right(firsts, first) < bisect.bisect_right(firsts, repeat)


@pytest.mark.parametrize(
    ("options", "with_catalog"),
    [
        (["--scheduler", "processes"], True),
        (["--scheduler", "threads"], False),
    ],
    ids=["processes-with-catalog", "threads"],
)
def test_dask_gives_the_verdicts_of_one_check_batch_over_the_whole_file(
    campaign: tuple[pathlib.Path, list[tuple[int, int]]],
    tmp_path: pathlib.Path,
    options: list[str],
    with_catalog: bool,
) -> None:
    from msgtemplates import Catalog

    path, planted = campaign
    out = tmp_path / "verdicts.jsonl"
    extra = ["--catalog", str(CATALOG)] if with_catalog else []
    status = _run(path, out, "--partitions", str(PARTITIONS), *options, *extra)
    got = [json.loads(line) for line in out.read_text("ascii").splitlines()]
    expected = _expected(path, Catalog.load(CATALOG) if with_catalog else None)
    assert got == expected
    assert status == 1
    # The comparison is not vacuous: every planted repeat is reported, both ways.
    by_line = {record["line"]: record for record in got}
    severities = set()
    for first, repeat in planted:
        problem = by_line[repeat]["problems"][-1]
        assert problem["code"] == "duplicateRequestId"
        assert f"line {first}" in problem["message"]
        severities.add(problem["severity"])
    assert severities == {"error", "warning"}


def test_a_campaign_without_errors_exits_0(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "clean.jsonl"
    lines = [_line(payment_request(TOKEN, requestId=f"R-{n}")) for n in range(40)]
    path.write_bytes(b"\n".join([*lines, lines[3]]) + b"\n")
    out = tmp_path / "verdicts.jsonl"
    assert _run(path, out, "--partitions", "3", "--scheduler", "synchronous") == 0
    got = [json.loads(line) for line in out.read_text("ascii").splitlines()]
    assert got == _expected(path)
    assert [p["severity"] for p in got[-1]["problems"]] == ["warning"]


@pytest.mark.parametrize("data", [b"", b"\n  \n\t\r\n"], ids=["empty", "blank lines"])
def test_a_campaign_without_requests_has_no_verdicts(tmp_path: pathlib.Path, data: bytes) -> None:
    path = tmp_path / "nothing.jsonl"
    path.write_bytes(data)
    out = tmp_path / "verdicts.jsonl"
    assert _run(path, out, "--partitions", "2", "--scheduler", "synchronous") == 0
    assert out.read_bytes() == b""
