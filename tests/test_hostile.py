"""Hostile files across every subcommand and Catalog.load: one verdict per line, one line per error.

tests/test_cli.py owns the single cases (a missing file, a directory given to ``check``, a
50 MB line, BOM and CRLF, invalid UTF-8 in one line) and tests/test_catalog.py the catalog
files (a symlink loop, a directory named like a catalog file); this file crosses hostile inputs
with all the subcommands that read them, and proves that batches lose no verdict.
"""

from __future__ import annotations

import json
import os
import pathlib
import random
import typing as t

import pytest
from helpers import payment_request, run_cli

from msgtemplates import Catalog, CatalogError, Template, TemplateSyntaxError, check_request

ROOT = pathlib.Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
CATALOG = EXAMPLES / "catalog"
SEND = EXAMPLES / "send-request.json"
RESPONSE = b'{"result": {"resultCode": "SUCCESS", "resultStatus": "S"}}'


def request(**changes: t.Any) -> dict[str, t.Any]:
    return payment_request("20240517103015010007000000854519f3c2", **changes)


def _no_traceback(out: str, err: str) -> None:
    assert "Traceback" not in out + err
    assert 'File "' not in err


# --------------------------------------------------------------------------- unreadable inputs


def _make(kind: str, where: pathlib.Path) -> pathlib.Path:
    """A path of the given hostile kind inside ``where``."""
    path = where / f"input-{kind}.json"
    if kind == "directory":
        path.mkdir()
    elif kind == "symlink loop":
        os.symlink(where / "other.json", path)
        os.symlink(path, where / "other.json")
    elif kind == "dangling symlink":
        os.symlink(where / "nowhere.json", path)
    elif kind == "missing":
        pass
    elif kind == "inside a file":
        (where / "plain").write_bytes(b"{}")
        path = where / "plain" / "input.json"
    return path


UNREADABLE = ["directory", "symlink loop", "dangling symlink", "missing", "inside a file"]


def _argv(command: str, path: str) -> list[str]:
    return {
        "check": ["check", path],
        "check --jsonl": ["check", path, "--jsonl"],
        "check --jobs 2": ["check", path, "--jsonl", "--jobs", "2"],
        "preview": ["preview", path, "--catalog", str(CATALOG)],
        "explain": ["explain", path],
    }[command]


@pytest.mark.parametrize("kind", UNREADABLE)
@pytest.mark.parametrize("command", ["check", "check --jsonl", "preview", "explain"])
def test_an_input_that_cannot_be_read_exits_2_with_one_line(
    tmp_path: pathlib.Path, command: str, kind: str
) -> None:
    path = _make(kind, tmp_path)
    code, out, err = run_cli(_argv(command, str(path)))
    assert code == 2
    assert err.count("\n") == 1
    assert err.startswith(f"msgtemplates: {path}: cannot read: ")
    _no_traceback(out, err)
    if command.startswith("check"):
        # Nothing was read, so nothing may read as a pass.
        assert out.endswith(
            "1 file (1 not readable), 0 requests: no problems in the 0 files read\n"
        )
    else:
        assert out == ""


def test_an_unreadable_input_does_not_stop_the_others(tmp_path: pathlib.Path) -> None:
    paths = [str(_make(kind, tmp_path)) for kind in UNREADABLE]
    code, out, err = run_cli(["check", *paths, str(SEND), "--format", "json"])
    assert code == 2
    assert err.count("\n") == len(UNREADABLE)
    assert out == ""  # the valid request has no problem, and JSON output has no summary


@pytest.mark.parametrize("kind", ["directory", "symlink loop", "missing", "fifo", "dangling"])
@pytest.mark.parametrize("command", ["check", "preview", "render", "lint"])
def test_a_catalog_that_cannot_be_read_exits_2_with_one_line(
    tmp_path: pathlib.Path, command: str, kind: str
) -> None:
    catalog = tmp_path / "TP_PAYMENT_SUCCESS.toml"
    if kind == "directory":
        catalog = tmp_path / "empty"
        catalog.mkdir()
    elif kind == "symlink loop":
        os.symlink(tmp_path / "b.toml", catalog)
        os.symlink(catalog, tmp_path / "b.toml")
    elif kind == "fifo":
        os.mkfifo(catalog)
    elif kind == "dangling":
        os.symlink(tmp_path / "nowhere", catalog)
    argv = {
        "check": ["check", str(SEND), "--catalog", str(catalog)],
        "preview": ["preview", str(SEND), "--catalog", str(catalog)],
        "render": ["render", str(catalog), "TP_PAYMENT_SUCCESS", "--language", "en-US"],
        "lint": ["lint", str(catalog)],
    }[command]
    code, out, err = run_cli(argv)
    assert (code, out) == (2, "")
    assert err.startswith("msgtemplates: cannot load the catalog: ")
    assert err.count("\n") == 1
    _no_traceback(out, err)


@pytest.mark.parametrize("kind", ["fifo", "symlink loop", "dangling", "undecodable name"])
def test_a_catalog_directory_with_a_hostile_entry_is_a_catalog_error(
    tmp_path: pathlib.Path, kind: str
) -> None:
    (tmp_path / "TP_OK.toml").write_text('[content]\n"en-US" = "Hi"\n', "utf-8")
    hostile = tmp_path / "TP_BAD.toml"
    if kind == "fifo":
        os.mkfifo(hostile)
    elif kind == "symlink loop":
        os.symlink(tmp_path / "TP_LOOP.json", hostile)
        os.symlink(hostile, tmp_path / "TP_LOOP.json")
    elif kind == "dangling":
        os.symlink(tmp_path / "gone.toml", hostile)
    else:
        hostile = tmp_path / "TP_\udcff\n.toml"
        hostile.write_bytes(b"\xff\xfe")
    with pytest.raises(CatalogError) as info:
        Catalog.load(tmp_path)
    assert info.value.path.startswith(str(tmp_path))
    # The error prints as one line that any UTF-8 stream takes, whatever the file is called.
    assert "\n" not in str(info.value)
    str(info.value).encode("utf-8")
    code, out, err = run_cli(["lint", str(tmp_path)])
    assert (code, out, err.count("\n")) == (2, "", 1)
    err.encode("utf-8")


def test_a_catalog_directory_that_is_a_symlink_loop_is_a_catalog_error(
    tmp_path: pathlib.Path,
) -> None:
    os.symlink(tmp_path / "b", tmp_path / "a")
    os.symlink(tmp_path / "a", tmp_path / "b")
    with pytest.raises(CatalogError) as info:
        Catalog.load(tmp_path / "a")
    assert info.value.path == str(tmp_path / "a")
    assert "symbolic links" in info.value.message


# --------------------------------------------------------------------------- garbage content

GARBAGE = {
    "empty": b"",
    "blank lines": b"\n\n \r\n\t\n",
    "random bytes": random.Random(6).randbytes(4096),
    "invalid UTF-8": b'{"appId": "\xc3\x28"}',
    "BOM only": b"\xef\xbb\xbf",
    "UTF-16": json.dumps(request()).encode("utf-16"),
    "NUL bytes": b"\x00" * 100,
    "deep nesting": b"[" * 200_000,
    "huge number": b"9" * 10_000,
}


@pytest.mark.parametrize("data", GARBAGE.values(), ids=GARBAGE)
@pytest.mark.parametrize("command", ["check", "check --jsonl", "check --jobs 2", "preview"])
def test_garbage_is_an_invalid_json_problem_not_a_crash(
    tmp_path: pathlib.Path, command: str, data: bytes
) -> None:
    path = tmp_path / "input.json"
    path.write_bytes(data)
    code, out, err = run_cli([*_argv(command, str(path)), "--format", "json"])
    _no_traceback(out, err)
    assert err == ""
    rows = [json.loads(line) for line in out.splitlines()]
    batch = command != "check" and command != "preview"
    if batch and not data.strip(b" \t\r\n\xef\xbb\xbf"):
        assert (code, rows) == (0, [])  # a batch of blank lines holds no request
        return
    assert code == 1
    assert rows
    assert {row["code"] for row in rows} == {"invalidJson"}
    assert all(len(row["message"]) < 200 for row in rows)


@pytest.mark.parametrize("data", GARBAGE.values(), ids=GARBAGE)
def test_explain_of_garbage_exits_2_with_a_problem(tmp_path: pathlib.Path, data: bytes) -> None:
    path = tmp_path / "response.json"
    path.write_bytes(data)
    code, out, err = run_cli(["explain", str(path)])
    assert code == 2
    _no_traceback(out, err)
    assert "[invalidJson]" in out


# --------------------------------------------------------------------------- batches


def _one_problem_each(count: int) -> list[bytes]:
    """Batch lines that each have exactly one known problem, of a few kinds."""
    lines = []
    for i in range(count):
        kind = i % 5
        if kind == 0:
            lines.append(b"{not json")
        elif kind == 1:
            lines.append(json.dumps(request(requestId=f"R{i}", appId="")).encode())
        elif kind == 2:
            bad = request(requestId=f"R{i}")
            bad["templates"][0]["language"] = "en_US"
            lines.append(json.dumps(bad).encode())
        elif kind == 3:
            lines.append(b'{"appId": "\xff"}')
        else:
            lines.append(json.dumps(request(requestId=f"R{i}", extra=i)).encode())
    return lines


def _hostile_batch(count: int) -> tuple[bytes, list[int]]:
    """A batch mixing a BOM, CRLF, blank and whitespace lines; and its non-blank line numbers."""
    rng = random.Random(count)
    out: list[bytes] = [b"\xef\xbb\xbf"]
    numbers: list[int] = []
    lineno = 0
    for text in _one_problem_each(count):
        for _ in range(rng.choice([0, 0, 0, 1, 2])):
            lineno += 1
            out.append(rng.choice([b"", b"\r", b"  ", b"\t \r"]) + b"\n")
        lineno += 1
        numbers.append(lineno)
        out.append(text + rng.choice([b"\n", b"\r\n"]))
    return b"".join(out), numbers


def test_every_non_blank_line_of_a_hostile_batch_gets_exactly_one_verdict(
    tmp_path: pathlib.Path,
) -> None:
    data, numbers = _hostile_batch(3000)
    path = tmp_path / "batch.jsonl"
    path.write_bytes(data)
    code, out, err = run_cli(["check", str(path), "--format", "json"])
    assert (code, err) == (1, "")
    lines = [json.loads(line)["line"] for line in out.splitlines()]
    assert lines == numbers
    code, out, _ = run_cli(["check", str(path)])
    assert (
        out.splitlines()[-1]
        == f"1 file, {len(numbers)} requests: {len(numbers)} errors, 0 warnings"
    )


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_batch_output_is_stable_and_serial_equals_parallel(
    tmp_path: pathlib.Path, fmt: str
) -> None:
    data, _ = _hostile_batch(6000)
    path = tmp_path / "batch.jsonl"
    path.write_bytes(data)
    argv = ["check", str(path), "--format", fmt, "--catalog", str(CATALOG)]
    first = run_cli(argv)
    assert first[0] == 1
    assert run_cli(argv) == first
    assert run_cli([*argv, "--jobs", "2"]) == first
    stdin = run_cli(["check", "-", "--jsonl", "--format", fmt, "--catalog", str(CATALOG)], data)
    assert stdin == (first[0], first[1].replace(str(path), "<stdin>"), first[2])


def test_a_line_longer_than_a_worker_block_gets_one_verdict_with_jobs(
    tmp_path: pathlib.Path,
) -> None:
    long = json.dumps(request(requestId="LONG", extendInfo="x" * (3 << 20))).encode()
    lines = _one_problem_each(10)
    data = b"\n".join([*lines[:5], long, *lines[5:]]) + b"\n"
    path = tmp_path / "batch.jsonl"
    path.write_bytes(data)
    serial = run_cli(["check", str(path), "--format", "json"])
    assert run_cli(["check", str(path), "--format", "json", "--jobs", "2"]) == serial
    verdicts = [(row["line"], row["code"]) for row in map(json.loads, serial[1].splitlines())]
    assert [line for line, _ in verdicts] == list(range(1, 12))
    assert verdicts[5] == (6, "maxLength")


def test_a_batch_without_a_final_newline_checks_its_last_line(tmp_path: pathlib.Path) -> None:
    lines = _one_problem_each(4)
    path = tmp_path / "batch.jsonl"
    path.write_bytes(b"\n".join(lines))
    for jobs in ("1", "2"):
        code, out, _ = run_cli(["check", str(path), "--format", "json", "--jobs", jobs])
        assert code == 1
        assert [json.loads(line)["line"] for line in out.splitlines()] == [1, 2, 3, 4]


# --------------------------------------------------------------------------- huge values

TEN_MB = 10 << 20


def test_ten_megabyte_strings_everywhere_give_short_problems() -> None:
    huge = "\u200b" + "x" * TEN_MB
    payload = request(appId=huge, requestId=huge, templateCode=huge, extendInfo=huge, **{huge: 1})
    payload["templates"] = [
        {"language": huge, "templateParameters": {huge: huge, "pushContentUrl": huge}}
    ]
    problems = check_request(payload, catalog=Catalog.load(CATALOG))
    codes = {p.code for p in problems}
    assert {"maxLength", "languageTag", "unsafeUrl", "additionalProperties"} <= codes
    assert all(len(p.message) < 400 for p in problems)


def test_a_request_file_of_ten_megabyte_strings_prints_short_lines(tmp_path: pathlib.Path) -> None:
    huge = "<" + "y" * TEN_MB
    payload = request(appId=huge, extendInfo=huge)
    payload["templates"][0]["templateParameters"]["merchant"] = huge
    path = tmp_path / "request.json"
    path.write_text(json.dumps(payload), "utf-8")
    for argv in (
        ["check", str(path), "--catalog", str(CATALOG)],
        ["preview", str(path), "--catalog", str(CATALOG)],
    ):
        code, out, err = run_cli(argv)
        assert code == 1
        _no_traceback(out, err)
        if argv[0] == "check":
            assert max(len(line) for line in out.splitlines()) < 400


def test_a_template_error_over_a_lone_surrogate_prints_as_utf8() -> None:
    with pytest.raises(TemplateSyntaxError) as info:
        Template("caf\udce9 ${")
    text = str(info.value)
    text.encode("utf-8")
    assert "caf\\udce9 ${" in text
    assert text.splitlines()[2].index("^") == text.splitlines()[1].index("$")


@pytest.mark.parametrize("depth", [257, 989, 5000])
def test_a_deep_line_is_invalid_json_and_the_batch_goes_on_in_every_mode(
    tmp_path: pathlib.Path, depth: int
) -> None:
    deep = b'{"requestId": "A", "x": ' + b"[" * depth + b"]" * depth + b"}"
    lines = [
        json.dumps(request(requestId="A")).encode(),
        deep,
        b'{"requestId": "A", "appId": 1' + b"0" * 10_000 + b"}",
        b'{"requestId": "A", "appId": "\\ud800"}',
        json.dumps(request(requestId="A")).encode(),
    ]
    data = b"\n".join(lines) + b"\n"
    path = tmp_path / "deep.jsonl"
    path.write_bytes(data)
    argv = ["check", str(path), "--format", "json"]
    first = run_cli(argv)
    rows = [json.loads(text) for text in first[1].splitlines()]
    found = [(row["line"], row["code"]) for row in rows]
    assert (2, "invalidJson") in found
    assert (3, "invalidJson") in found
    assert (4, "duplicateRequestId") in found
    assert (5, "duplicateRequestId") in found
    assert run_cli([*argv, "--jobs", "2"]) == first
    stdin = run_cli(["check", "-", "--jsonl", "--format", "json"], data)
    assert stdin == (first[0], first[1].replace(str(path), "<stdin>"), first[2])
