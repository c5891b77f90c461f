"""The batch benchmark's programs (benchmarks/batch.py) run to the end of a valid campaign.

The benchmark times each reference loop as a fresh process and drops a run whose exit status
is not 0, so a loop must exit 0 on the generated campaign and 1 where a line fails it.
"""

from __future__ import annotations

import importlib
import os
import pathlib
import subprocess
import sys
import types

import pytest

_BENCHMARKS = pathlib.Path(__file__).resolve().parent.parent / "benchmarks"


def _load_batch() -> types.ModuleType:
    # batch.py imports its sibling timing.py by name, as benchmarks/run.py arranges.
    sys.path.insert(0, str(_BENCHMARKS))
    try:
        return importlib.import_module("batch")
    finally:
        sys.path.remove(str(_BENCHMARKS))


batch = _load_batch()


def _run(program: str, path: pathlib.Path) -> int:
    done = subprocess.run(
        [sys.executable, "-c", program, str(path)], capture_output=True, timeout=120, check=False
    )
    return done.returncode


@pytest.fixture(scope="module")
def campaign(tmp_path_factory: pytest.TempPathFactory) -> pathlib.Path:
    path = tmp_path_factory.mktemp("bench") / "campaign.jsonl"
    batch.write_batch(path, 50)
    return path


def test_the_generated_campaign_is_valid_for_every_reference(campaign: pathlib.Path) -> None:
    lines = campaign.read_bytes().splitlines()
    assert len(lines) == 50
    assert len({line.split(b'"requestId": ', 1)[1][:18] for line in lines}) == 50
    assert _run(batch.JSON_LOOP, campaign) == 0
    pytest.importorskip("msgspec")
    assert _run(batch.MSGSPEC_LOOP, campaign) == 0


@pytest.mark.skipif(not hasattr(os, "fork"), reason="the pair forks")
def test_the_pair_reads_the_file_in_two_processes(campaign: pathlib.Path) -> None:
    assert _run(batch.JSON_PAIR, campaign) == 0
    # A bad last line fails the pair: its status is the loops', not always 0.
    broken = campaign.with_name("broken.jsonl")
    broken.write_bytes(campaign.read_bytes() + b"{not json\n")
    assert _run(batch.JSON_PAIR, broken) == 1
    assert _run(batch.MSGSPEC_LOOP, broken) == 1
