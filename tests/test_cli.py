"""The command line end to end: every subcommand, exit codes, formats, batches and bad input."""

from __future__ import annotations

import contextlib
import copy
import importlib.metadata
import json
import os
import pathlib
import re
import shlex
import shutil
import signal
import subprocess
import sys
import time
import typing as t

import pytest
from helpers import run_cli

import msgtemplates.cli
from msgtemplates import check_response, interpret_response
from msgtemplates.cli import build_parser

ROOT = pathlib.Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
CATALOG = EXAMPLES / "catalog"
SEND = EXAMPLES / "send-request.json"
BROKEN = EXAMPLES / "broken-request.json"
CAMPAIGN = EXAMPLES / "campaign.jsonl"
TOKEN = "2019112719074101000700000077771SECRET"
JSON_KEYS = {"file", "line", "path", "code", "severity", "message"}


def request(**changes: t.Any) -> dict[str, t.Any]:
    payload: dict[str, t.Any] = {
        "appId": "3333010071465913",
        "accessToken": TOKEN,
        "requestId": "REQ-0001",
        "templateCode": "TP_ORDER_SHIPPED",
        "templates": [
            {
                "language": "en-US",
                "templateParameters": {
                    "orderNo": "SO-1",
                    "carrier": "Kerry Express",
                    "trackingNo": "KEX1",
                },
            }
        ],
    }
    payload.update(changes)
    return payload


def line(payload: object) -> bytes:
    return json.dumps(payload, ensure_ascii=False).encode("utf-8") + b"\n"


def codes(out: str) -> list[tuple[int | None, str, str, str]]:
    """(line, path, code, severity) of each JSON Lines problem."""
    rows = [json.loads(text) for text in out.splitlines()]
    assert all(set(row) == JSON_KEYS for row in rows)
    return [(row["line"], row["path"], row["code"], row["severity"]) for row in rows]


def write(path: pathlib.Path, data: bytes) -> str:
    path.write_bytes(data)
    return str(path)


# --------------------------------------------------------------------------- check


def test_check_of_the_valid_example_exits_0_with_a_summary() -> None:
    code, out, err = run_cli(["check", str(SEND), "--catalog", str(CATALOG)])
    assert (code, out, err) == (0, "1 file, 1 request: no problems\n", "")


def test_check_of_the_broken_example_reports_each_kind_of_problem() -> None:
    code, out, err = run_cli(["check", str(BROKEN), "--catalog", str(CATALOG), "--format", "json"])
    assert (code, err) == (1, "")
    found = {(path, problem) for _, path, problem, _ in codes(out)}
    assert {
        ("/requestId", "maxLength"),
        ("/callbackUrl", "additionalProperties"),
        ("/templates/0/language", "languageTag"),
        ("/templates/0/templateParameters/pushContentUrl", "unsafeUrl"),
    } <= found
    assert any(problem == "missingParameter" for _, problem in found)


def test_readme_command_checks_both_examples_and_prints_one_line_per_problem() -> None:
    argv = ["check", str(SEND), str(BROKEN), "--catalog", str(CATALOG)]
    code, out, err = run_cli(argv)
    lines = out.splitlines()
    assert (code, err) == (1, "")
    assert lines[-1].startswith("2 files, 2 requests: ")
    assert all(text.startswith(f"{BROKEN}: /") for text in lines[:-1])
    assert "[languageTag]" in out
    assert '"en-US"' in out  # the languageTag message suggests the hyphenated tag


@pytest.mark.parametrize("payload", [[1, 2], "text", None])
def test_text_lines_print_the_root_pointer_as_root(tmp_path: pathlib.Path, payload: object) -> None:
    name = write(tmp_path / "r.json", json.dumps(payload).encode())
    code, out, _ = run_cli(["check", name])
    assert code == 1
    assert out.splitlines()[0].startswith(f"{name}: (root): error: ")
    assert out.splitlines()[0].endswith("[type]")


def test_text_line_has_file_path_severity_message_and_code(tmp_path: pathlib.Path) -> None:
    payload = request()
    del payload["requestId"]
    name = write(tmp_path / "r.json", line(payload))
    code, out, _ = run_cli(["check", name])
    first = out.splitlines()[0]
    assert code == 1
    assert first.startswith(f"{name}: /requestId: error: ")
    assert first.endswith(" [required]")
    assert out.splitlines()[1] == "1 file, 1 request: 1 error, 0 warnings"


def test_json_format_writes_only_problem_objects_with_null_line(tmp_path: pathlib.Path) -> None:
    payload = request(templateCod="x")
    name = write(tmp_path / "r.json", line(payload))
    code, out, err = run_cli(["check", name, "--format", "json"])
    rows = [json.loads(text) for text in out.splitlines()]
    assert (code, err) == (1, "")
    assert rows == [
        {
            "file": name,
            "line": None,
            "path": "/templateCod",
            "code": "additionalProperties",
            "severity": "error",
            "message": rows[0]["message"],
        }
    ]


def test_warnings_alone_exit_0(tmp_path: pathlib.Path) -> None:
    payload = request()
    payload["templates"][0]["language"] = "en-us"
    name = write(tmp_path / "r.json", line(payload))
    code, out, _ = run_cli(["check", name, "--format", "json"])
    assert code == 0
    assert codes(out) == [(None, "/templates/0/language", "languageTag", "warning")]


def test_catalog_problems_are_reported_with_catalog(tmp_path: pathlib.Path) -> None:
    payload = request(templateCode="TP_NOT_IN_CATALOG")
    name = write(tmp_path / "r.json", line(payload))
    assert run_cli(["check", name])[0] == 0
    code, out, _ = run_cli(["check", name, "--catalog", str(CATALOG), "--format", "json"])
    assert code == 1
    assert ("/templateCode", "unknownTemplate") in {(p, c) for _, p, c, _ in codes(out)}


def test_stdin_is_read_as_one_request() -> None:
    code, out, _ = run_cli(["check", "-", "--format", "json"], stdin=json.dumps([1]).encode())
    assert code == 1
    assert json.loads(out.splitlines()[0])["file"] == "<stdin>"


def test_stdin_with_jsonl_is_read_as_a_batch() -> None:
    data = line(request()) + b"not json\n"
    code, out, _ = run_cli(["check", "-", "--jsonl", "--format", "json"], stdin=data)
    assert code == 1
    assert codes(out) == [(2, "", "invalidJson", "error")]


def test_jsonl_option_reads_a_json_file_as_a_batch(tmp_path: pathlib.Path) -> None:
    name = write(tmp_path / "batch.json", line(request()) + line(request(requestId="B")))
    assert run_cli(["check", name])[1].endswith("1 file, 1 request: 1 error, 0 warnings\n")
    assert run_cli(["check", name, "--jsonl"]) == (0, "1 file, 2 requests: no problems\n", "")


# --------------------------------------------------------------------------- batches


def test_campaign_example_reports_each_broken_line() -> None:
    code, out, _ = run_cli(["check", str(CAMPAIGN), "--catalog", str(CATALOG), "--format", "json"])
    found = codes(out)
    assert code == 1
    assert (4, "", "invalidJson", "error") in found
    assert (6, "/requestId", "duplicateRequestId", "error") in found
    assert (8, "/requestId", "duplicateRequestId", "warning") in found
    assert any(row[0] == 9 and row[2] == "languageTag" for row in found)
    assert {row[0] for row in found} == {4, 6, 8, 9}


def test_duplicate_messages_name_the_first_line() -> None:
    _, out, _ = run_cli(["check", str(CAMPAIGN), "--format", "json"])
    messages = {
        row["line"]: row["message"]
        for row in map(json.loads, out.splitlines())
        if row["code"] == "duplicateRequestId"
    }
    assert "line 2" in messages[6]
    assert "line 3" in messages[8]


@pytest.mark.parametrize("via_stdin", [False, True])
def test_same_body_written_differently_is_a_repeat_not_a_conflict(
    tmp_path: pathlib.Path, via_stdin: bool
) -> None:
    first = request()
    reordered = dict(reversed(list(copy.deepcopy(first).items())))
    changed = request(templateCode="TP_REFUND_DONE")
    data = (
        line(first)
        + json.dumps(reordered, indent=None, separators=(",", ":")).encode()
        + b"\n"
        + line(changed)
    )
    if via_stdin:
        code, out, _ = run_cli(["check", "-", "--jsonl", "--format", "json"], stdin=data)
    else:
        code, out, _ = run_cli(["check", write(tmp_path / "b.jsonl", data), "--format", "json"])
    assert code == 1
    assert codes(out) == [
        (2, "/requestId", "duplicateRequestId", "warning"),
        (3, "/requestId", "duplicateRequestId", "error"),
    ]


def test_every_non_blank_line_gets_a_verdict(tmp_path: pathlib.Path) -> None:
    lines = []
    for i in range(300):
        lines.append(line(request(requestId=f"R{i}")))
        if i % 7 == 0:
            lines.append(b"\n   \n")
    name = write(tmp_path / "b.jsonl", b"".join(lines))
    code, out, _ = run_cli(["check", name])
    assert (code, out) == (0, "1 file, 300 requests: no problems\n")


def test_batch_line_numbers_count_blank_lines(tmp_path: pathlib.Path) -> None:
    name = write(tmp_path / "b.jsonl", b"\n\n" + line(request()) + b"\n{\n")
    code, out, _ = run_cli(["check", name])
    assert code == 1
    assert out.splitlines()[0].startswith(f"{name}:5: (root): error: ")
    assert out.splitlines()[0].endswith("[invalidJson]")


def test_jobs_output_equals_serial_output(tmp_path: pathlib.Path) -> None:
    lines = []
    for i in range(4500):
        payload = request(requestId=f"R{i % 4000}")
        if i % 97 == 0:
            payload["templates"][0]["language"] = "en_US"
        lines.append(b"{oops\n" if i % 501 == 0 else line(payload))
    name = write(tmp_path / "big.jsonl", b"".join(lines))
    for fmt in ("text", "json"):
        serial = run_cli(["check", name, "--format", fmt, "--catalog", str(CATALOG)])
        parallel = run_cli(
            ["check", name, "--format", fmt, "--catalog", str(CATALOG), "--jobs", "2"]
        )
        assert serial == parallel
        assert serial[0] == 1
    assert serial[2] == ""  # no progress line when stderr is not a terminal


@pytest.mark.parametrize(
    ("start", "end"),
    [pytest.param(b"\xef\xbb\xbf", b"\n", id="bom"), pytest.param(b"", b"\r\n", id="crlf")],
)
def test_bom_and_crlf_are_tolerated(tmp_path: pathlib.Path, start: bytes, end: bytes) -> None:
    first = start + line(request()).replace(b"\n", end)
    batch = first + line(request(requestId="B")).replace(b"\n", end)
    assert run_cli(["check", write(tmp_path / "r.json", first)])[0] == 0
    assert run_cli(["check", "-"], stdin=first)[0] == 0
    expected = (0, "1 file, 2 requests: no problems\n", "")
    assert run_cli(["check", write(tmp_path / "b.jsonl", batch)]) == expected
    assert run_cli(["check", "-", "--jsonl"], stdin=batch) == expected


@pytest.mark.parametrize("name", ["-", "campaign.json"])
def test_a_batch_read_as_one_request_gets_a_hint_to_pass_jsonl(
    tmp_path: pathlib.Path, name: str
) -> None:
    batch = line(request()) + line(request(requestId="B"))
    path = "-" if name == "-" else write(tmp_path / name, batch)
    code, out, err = run_cli(["check", path], stdin=batch)
    shown = "<stdin>" if name == "-" else path
    assert code == 1
    assert out.startswith(
        f"{shown}: (root): error: the file is not valid JSON: extra data at line 2"
    )
    # The problem is the library's own; the hint is the command's, on standard error.
    assert err == (
        f"msgtemplates: {shown} holds one JSON value per line: "
        "to check it as a batch, pass --jsonl\n"
    )
    assert run_cli(["check", path, "--jsonl"], stdin=batch)[:2] == (
        0,
        "1 file, 2 requests: no problems\n",
    )
    # Two values on one line, or a broken first line: no hint.
    for data in (b'{"a": 1} {"b": 2}\n', b"{oops\n" + line(request())):
        assert run_cli(["check", "-"], stdin=data)[2] == ""


def test_invalid_utf8_in_a_batch_line_is_invalid_json_of_that_line(tmp_path: pathlib.Path) -> None:
    data = line(request()) + b'{"appId": "\xff\xfe"}\n' + line(request(requestId="B"))
    code, out, _ = run_cli(["check", write(tmp_path / "b.jsonl", data), "--format", "json"])
    assert code == 1
    assert codes(out) == [(2, "", "invalidJson", "error")]
    assert "UTF-8" in json.loads(out)["message"]


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        (b"", "empty"),
        (b"  \n", "empty"),
        (b"\xff\xfe{}", "UTF-8"),
        (b'{"a": NaN}', "NaN"),
        (b'{"a": 1} {"b": 2}', "not valid JSON"),
        (b"[" * 100_000, "deeply"),
        (b"1" * 5000, "digits"),
    ],
)
def test_a_file_that_is_not_json_is_an_invalid_json_problem(
    tmp_path: pathlib.Path, data: bytes, fragment: str
) -> None:
    code, out, err = run_cli(["check", write(tmp_path / "r.json", data), "--format", "json"])
    assert (code, err) == (1, "")
    assert codes(out) == [(None, "", "invalidJson", "error")]
    assert fragment in json.loads(out)["message"]


def test_a_50_mb_line_gets_one_verdict(tmp_path: pathlib.Path) -> None:
    payload = request(extendInfo="x" * (50 * 1024 * 1024))
    data = line(request(requestId="A")) + line(payload) + line(request(requestId="C"))
    code, out, err = run_cli(["check", write(tmp_path / "b.jsonl", data), "--format", "json"])
    assert (code, err) == (1, "")
    assert codes(out) == [(2, "/extendInfo", "maxLength", "error")]
    assert len(out) < 1000


# --------------------------------------------------------------------------- unreadable


def test_missing_file_exits_2_after_checking_the_others(tmp_path: pathlib.Path) -> None:
    missing = str(tmp_path / "missing.json")
    code, out, err = run_cli(["check", missing, str(BROKEN)])
    assert code == 2
    assert err == f"msgtemplates: {missing}: cannot read: no such file or directory\n"
    assert f"{BROKEN}: /requestId: error:" in out
    assert out.splitlines()[-1].startswith("2 files (1 not readable), 1 request: ")


def test_a_summary_over_an_unreadable_file_never_says_no_problems(tmp_path: pathlib.Path) -> None:
    missing = str(tmp_path / "missing.json")
    code, out, _ = run_cli(["check", missing, str(SEND)])
    assert code == 2
    assert out == "2 files (1 not readable), 1 request: no problems in the 1 file read\n"
    code, out, _ = run_cli(["check", missing])
    assert (code, out) == (
        2,
        "1 file (1 not readable), 0 requests: no problems in the 0 files read\n",
    )


def test_directory_exits_2_with_one_line(tmp_path: pathlib.Path) -> None:
    code, out, err = run_cli(["check", str(tmp_path), "--format", "json"])
    assert (code, out) == (2, "")
    assert err == f"msgtemplates: {tmp_path}: cannot read: it is a directory\n"


def test_unreadable_file_exits_2(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "secret.json"
    path.write_bytes(line(request()))
    path.chmod(0)
    try:
        if os.access(path, os.R_OK):
            pytest.skip("running with privileges that read any file")
        code, _, err = run_cli(["check", str(path)])
        assert code == 2
        assert err == f"msgtemplates: {path}: cannot read: permission denied\n"
    finally:
        path.chmod(0o600)


def test_file_name_with_nul_is_unreadable_not_a_crash() -> None:
    code, _, err = run_cli(["check", "a\x00b.json"])
    assert code == 2
    assert err == "msgtemplates: a\\x00b.json: cannot read: the name is not a valid file name\n"


@pytest.mark.parametrize("command", ["check", "preview", "lint", "render"])
def test_catalog_that_does_not_load_exits_2_with_file_and_line(
    tmp_path: pathlib.Path, command: str
) -> None:
    bad = tmp_path / "TP_BAD.toml"
    bad.write_text('[content]\n"en-US" = "Hello\n', "utf-8")
    argv = {
        "check": ["check", str(SEND), "--catalog", str(bad)],
        "preview": ["preview", str(SEND), "--catalog", str(bad)],
        "lint": ["lint", str(bad)],
        "render": ["render", str(bad), "TP_BAD", "--language", "en-US"],
    }[command]
    code, out, err = run_cli(argv)
    assert (code, out) == (2, "")
    assert err.startswith(f"msgtemplates: cannot load the catalog: {bad}:2")
    assert err.count("\n") == 1


# --------------------------------------------------------------------------- secrets and text


def test_the_token_never_appears_in_any_output(tmp_path: pathlib.Path) -> None:
    payload = request(requestId="A", tokenCopy=TOKEN, extendInfo=TOKEN * 200)
    payload["templates"][0]["templateParameters"]["orderNo"] = f"{TOKEN}\u202e"
    payload["templates"][0]["language"] = TOKEN
    changed = dict(payload, appId=TOKEN)
    name = write(tmp_path / "b.jsonl", line(payload) + line(changed) + line(payload))
    for argv in (["check", name], ["check", name, "--format", "json", "--catalog", str(CATALOG)]):
        code, out, err = run_cli(argv)
        assert code == 1
        assert "SECRET" not in out + err
        assert len(out.splitlines()) > 5


def test_lone_surrogates_and_controls_are_escaped_on_one_line(tmp_path: pathlib.Path) -> None:
    data = b'{"appId": "\\ud800", "x\\ny\\udfff": 1}'
    name = write(tmp_path / "r.json", data)
    code, out, _ = run_cli(["check", name])
    assert code == 1
    assert "\\x0a" in out
    lines = out.splitlines()
    assert all(text.startswith(f"{name}: /") for text in lines[:-1])  # one line per problem
    assert lines[-1].startswith("1 file, 1 request: ")
    out.encode("utf-8")
    _, out, _ = run_cli(["check", name, "--format", "json"])
    paths = [json.loads(text)["path"] for text in out.splitlines()]
    assert "/x\ny\udfff" in paths  # JSON keeps the exact pointer
    out.encode("utf-8")


def test_unencodable_output_is_escaped_not_fatal(tmp_path: pathlib.Path) -> None:
    name = write(tmp_path / "r.json", '{"appId": "\\ud800", "日出\\ud800": 1}'.encode())
    result = subprocess.run(
        [sys.executable, "-m", "msgtemplates", "check", name],
        capture_output=True,
        env={**os.environ, "PYTHONIOENCODING": "ascii"},
        timeout=60,
    )
    assert result.returncode == 1
    assert b"Traceback" not in result.stderr
    assert b"\\u65e5" in result.stdout


def test_an_internal_error_prints_one_line_without_its_message(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(payload: object, /, **_: object) -> t.NoReturn:
        raise ZeroDivisionError(TOKEN)

    monkeypatch.setattr(msgtemplates.cli, "check_request", broken)
    code, out, err = run_cli(["check", str(SEND)])
    assert code == 2
    assert err.count("\n") == 1
    assert "ZeroDivisionError" in err
    assert TOKEN not in out + err


# --------------------------------------------------------------------------- preview


def test_preview_defaults_to_each_request_language() -> None:
    code, out, err = run_cli(["preview", str(SEND), "--catalog", str(CATALOG)])
    assert (code, err) == (0, "")
    assert f"{SEND}: a user in en-US sees content template 0 (en-US), catalog text en-US:" in out
    assert f"{SEND}: a user in th-TH sees content template 2 (th-TH), catalog text th-TH:" in out
    assert "  | ชำระเงินสำเร็จ: คุณชำระเงิน ฿165.00 ให้กับ ซันไรส์ คอฟฟี่" in out
    assert out.endswith("3 locales previewed: no problems\n")


def test_preview_picks_traditional_chinese_for_taiwan() -> None:
    argv = ["preview", str(SEND), "--catalog", str(CATALOG), "--locale", "zh-TW"]
    code, out, _ = run_cli(argv)
    assert code == 0
    assert out.splitlines()[0].endswith("content template 1 (zh-HK), catalog text zh-HK:")
    # Full-width punctuation is what Chinese text uses.
    expected = "  | 付款成功：你已於2024年5月17日 10:30向日出咖啡"  # noqa: RUF001
    assert out.splitlines()[1].startswith(expected)


def test_preview_json_has_one_object_per_locale() -> None:
    argv = ["preview", str(SEND), "--catalog", str(CATALOG), "--format", "json"]
    argv += ["--locale", "ms-MY", "--locale", "zh-CN"]
    code, out, _ = run_cli(argv)
    rows = [json.loads(text) for text in out.splitlines()]
    assert code == 0
    assert [(r["locale"], r["requestIndex"], r["language"]) for r in rows] == [
        ("ms-MY", 0, "en-US"),
        ("zh-CN", 0, "en-US"),
    ]
    assert rows[0]["text"].startswith("Payment successful: you paid HKD 38.00")


def test_preview_of_the_broken_request_shows_its_problems() -> None:
    code, out, _ = run_cli(["preview", str(BROKEN), "--catalog", str(CATALOG), "--locale", "zh-CN"])
    assert code == 1
    assert "[missingParameter]" in out
    assert "${orderNo}" in out  # missing placeholders stay visible


def test_preview_html_writes_the_page(tmp_path: pathlib.Path) -> None:
    page = tmp_path / "preview.html"
    argv = ["preview", str(SEND), "--catalog", str(CATALOG), "--html", str(page)]
    code, out, _ = run_cli(argv)
    html = page.read_text("utf-8")
    assert code == 0
    assert "付款成功" in html
    assert "ชำระเงินสำเร็จ" in out


def test_preview_html_into_a_missing_directory_exits_2(tmp_path: pathlib.Path) -> None:
    argv = ["preview", str(SEND), "--catalog", str(CATALOG), "--html", str(tmp_path / "no/p.html")]
    code, _, err = run_cli(argv)
    assert code == 2
    assert err.startswith("msgtemplates: ")
    assert err.count("\n") == 1


def test_preview_of_an_unknown_template_code_exits_1(tmp_path: pathlib.Path) -> None:
    name = write(tmp_path / "r.json", line(request(templateCode="TP_NOPE")))
    code, out, _ = run_cli(["preview", name, "--catalog", str(CATALOG), "--format", "json"])
    assert code == 1
    assert codes(out) == [(None, "/templateCode", "unknownTemplate", "error")]


@pytest.mark.parametrize("payload", [[1], {"templateCode": "TP_ORDER_SHIPPED", "templates": []}])
def test_preview_of_a_request_too_broken_to_preview_exits_1(
    tmp_path: pathlib.Path, payload: object
) -> None:
    name = write(tmp_path / "r.json", json.dumps(payload).encode())
    code, out, _ = run_cli(["preview", name, "--catalog", str(CATALOG), "--locale", "en-US"])
    assert code == 1
    assert out.startswith(f"{name}: ")


# --------------------------------------------------------------------------- render


def test_render_prints_the_text() -> None:
    argv = ["render", str(CATALOG), "TP_ORDER_SHIPPED", "--language", "id-ID"]
    argv += ["-p", "orderNo=SO-9", "-p", "carrier=J&T", "-p", "trackingNo=JT=1"]
    assert run_cli(argv) == (
        0,
        "Pesanan SO-9 Anda telah dikirim melalui J&T. Nomor resi: JT=1.\n",
        "",
    )


def test_render_falls_back_and_says_so_on_stderr() -> None:
    argv = ["render", str(CATALOG), "TP_REFUND_DONE", "--language", "zh-MO"]
    argv += ["-p", "merchant=M", "-p", "amount=1:HKD", "-p", "orderNo=2"]
    code, out, err = run_cli(argv)
    # The catalog declares amount a currency: Babel formats it for the user's locale.
    from babel.numbers import format_currency

    amount = format_currency(1, "HKD", locale="zh_Hant_MO")
    assert (code, out) == (0, f"你在M的訂單2已退款{amount}，款項已退回你的錢包。\n")  # noqa: RUF001
    assert "zh-HK" in err


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["TP_REFUND_DONE", "--language", "en-US", "-p", "amount=1:HKD"], "merchant, orderNo"),
        (["TP_NOPE", "--language", "en-US"], "TP_NOPE"),
    ],
)
def test_render_exits_1_for_missing_parameters_or_unknown_code(
    argv: list[str], expected: str
) -> None:
    code, out, err = run_cli(["render", str(CATALOG), *argv])
    assert (code, out) == (1, "")
    assert expected in err
    assert err.count("\n") == 1


def test_render_exits_1_for_a_text_with_a_syntax_error(tmp_path: pathlib.Path) -> None:
    (tmp_path / "TP_X.toml").write_text('[content]\n"en-US" = "Hi ${who"\n', "utf-8")
    code, out, err = run_cli(["render", str(tmp_path), "TP_X", "--language", "en-US"])
    assert (code, out) == (1, "")
    assert "line 1, column 4" in err


@pytest.mark.parametrize("param", ["novalue", "=value"])
def test_render_parameter_without_name_is_a_usage_error(param: str) -> None:
    code, out, err = run_cli(["render", str(CATALOG), "TP_X", "--language", "en-US", "-p", param])
    assert (code, out) == (2, "")
    assert "name=value" in err


# --------------------------------------------------------------------------- lint


def test_lint_of_the_example_catalog_is_clean() -> None:
    assert run_cli(["lint", str(CATALOG)]) == (0, "3 templates, 21 texts: no problems\n", "")


def test_lint_reports_catalog_problems(tmp_path: pathlib.Path) -> None:
    (tmp_path / "TP_X.toml").write_text(
        'default = "de-DE"\n[content]\n"en-US" = "Hi ${who"\n"en_GB" = "Hi ${who}"\n', "utf-8"
    )
    code, out, _ = run_cli(["lint", str(tmp_path), "--format", "json"])
    found = {(path, problem) for _, path, problem, _ in codes(out)}
    assert code == 1
    assert ("/TP_X/en-US", "templateSyntax") in found
    assert ("/TP_X/en_GB", "languageTag") in found
    assert any(problem == "defaultLanguage" for _, problem in found)


# --------------------------------------------------------------------------- schema, explain


@pytest.mark.parametrize("which", ["request", "response"])
def test_schema_prints_the_shipped_schema(which: str) -> None:
    code, out, _ = run_cli(["schema", which])
    shipped = json.loads((ROOT / "schemas" / f"send-{which}.schema.json").read_text("utf-8"))
    assert code == 0
    assert json.loads(out) == shipped


@pytest.mark.parametrize(
    ("response", "status"),
    [
        ({"result": {"resultCode": "SUCCESS", "resultStatus": "S"}}, 0),
        ({"result": {"resultCode": "ACCEPT", "resultStatus": "A"}}, 0),
        ({"result": {"resultCode": "UNKNOWN_EXCEPTION", "resultStatus": "U"}}, 1),
        ({"result": {"resultCode": "EXPIRED_ACCESS_TOKEN", "resultStatus": "F"}}, 1),
        ({"result": {"resultCode": "PARAM_ILLEGAL", "resultStatus": "F"}}, 1),
        ({"result": {"resultCode": "NEVER_HEARD_OF_IT", "resultStatus": "F"}}, 1),
    ],
)
def test_explain_prints_exactly_the_outcome_action(
    tmp_path: pathlib.Path, response: object, status: int
) -> None:
    code, out, err = run_cli(
        ["explain", write(tmp_path / "resp.json", json.dumps(response).encode())]
    )
    assert (code, err) == (status, "")
    assert out == interpret_response(response).action + "\n"


def test_explain_prints_each_response_problem_before_the_action(tmp_path: pathlib.Path) -> None:
    response = {"result": {"resultCode": "SUCCESS", "resultStatus": "F"}}
    name = write(tmp_path / "resp.json", json.dumps(response).encode())
    code, out, _ = run_cli(["explain", name])
    # SUCCESS with F is inconsistentResult once check_response flags it; the lines follow it.
    problems = check_response(response)
    assert code == 1
    lines = out.splitlines()
    assert len(lines) == len(problems) + 1
    assert all(text.startswith(f"{name}: ") for text in lines[:-1])
    assert [text.rsplit("[", 1)[1] for text in lines[:-1]] == [f"{p.code}]" for p in problems]
    assert lines[-1] == interpret_response(response).action


@pytest.mark.parametrize(
    "data", [b'{"result": {"resultStatus": "X"}}', b"{not json", b"[]"], ids=str
)
def test_explain_of_a_malformed_response_exits_2(tmp_path: pathlib.Path, data: bytes) -> None:
    code, out, _ = run_cli(["explain", write(tmp_path / "resp.json", data)])
    assert code == 2
    assert out.startswith(f"{tmp_path / 'resp.json'}: ")


# --------------------------------------------------------------------------- usage


def test_version_reads_the_installed_metadata() -> None:
    version = importlib.metadata.version("msgtemplates")
    assert run_cli(["--version"]) == (0, f"msgtemplates {version}\n", "")


def test_help_shows_an_example_for_each_subcommand() -> None:
    code, out, _ = run_cli(["--help"])
    assert code == 0
    for command in ("check", "preview", "render", "lint", "schema", "explain"):
        assert f"msgtemplates {command} " in out
        sub = run_cli([command, "--help"])
        assert sub[0] == 0
        assert f"msgtemplates {command} " in sub[1].split("examples:\n", 1)[1]


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["frobnicate"],
        ["check"],
        ["check", "x.json", "--jobs", "0"],
        ["check", "x.json", "--format", "xml"],
        ["schema", "everything"],
        ["preview", "x.json"],
        ["check", "x.json", "--form", "json"],
    ],
)
def test_usage_errors_exit_2_on_stderr(argv: list[str]) -> None:
    code, out, err = run_cli(argv)
    assert (code, out) == (2, "")
    assert "usage: msgtemplates" in err
    assert "Traceback" not in err


def test_parser_is_available_for_embedding() -> None:
    args = build_parser().parse_args(["render", "cat", "TP", "--language", "th-TH", "-p", "a=b=c"])
    assert args.params == [("a", "b=c")]


# --------------------------------------------------------------------------- processes


def test_python_dash_m_runs_the_readme_command() -> None:
    argv = [sys.executable, "-m", "msgtemplates", "check", str(SEND), str(BROKEN)]
    result = subprocess.run(
        [*argv, "--catalog", str(CATALOG)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 1
    assert result.stderr == ""
    assert result.stdout.splitlines()[-1].startswith("2 files, 2 requests: ")


def test_installed_console_script_runs() -> None:
    script = shutil.which("msgtemplates", path=os.path.dirname(sys.executable))
    if script is None:
        pytest.skip("the console script is not installed next to this interpreter")
    result = subprocess.run(
        [script, "check", str(CAMPAIGN), "--format", "json"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert {json.loads(text)["line"] for text in result.stdout.splitlines()} == {4, 6, 8, 9}


def test_closed_stdout_pipe_ends_quietly(tmp_path: pathlib.Path) -> None:
    name = write(tmp_path / "b.jsonl", b"{\n" * 50_000)
    with subprocess.Popen(
        [sys.executable, "-m", "msgtemplates", "check", name],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    ) as process:
        assert process.stdout is not None
        assert process.stderr is not None
        assert process.stdout.readline().endswith(b"[invalidJson]\n")
        process.stdout.close()
        err = process.stderr.read()
        process.wait(timeout=60)
    assert b"Traceback" not in err
    assert b"Exception ignored" not in err


@pytest.mark.parametrize("key", ["\u0085", "\u2028", "\x1e", "\ud800"])
def test_every_output_line_survives_any_line_splitter(key: str) -> None:
    data = json.dumps({key: None}).encode()
    for fmt in ("text", "json"):
        code, out, _ = run_cli(["check", "-", "--format", fmt], stdin=data)
        assert code == 1
        assert out.splitlines() == out.split("\n")[:-1]
        assert out.isascii() or fmt == "text"


# --------------------------------------------------------------------------- CI formats


def test_github_format_prints_one_annotation_per_problem_and_nothing_else(
    tmp_path: pathlib.Path,
) -> None:
    bad = request(requestId="B")
    bad["templates"][0]["language"] = "en_US"
    name = write(tmp_path / "100%, a:b.jsonl", line(request(requestId="A")) + line(bad) + b"{x\n")
    code, out, err = run_cli(["check", name, "--format", "github"])
    assert (code, err) == (1, "")
    lines = out.splitlines()
    assert len(lines) == 2
    escaped = name.replace("%", "%25").replace(":", "%3A").replace(",", "%2C")
    assert lines[0].startswith(f"::error file={escaped},line=2::")
    assert lines[0].endswith("[languageTag]")
    assert lines[1].startswith(f"::error file={escaped},line=3::")
    assert lines[1].endswith("[invalidJson]")


def test_github_format_escapes_newlines_and_percent_in_messages() -> None:
    code, out, _ = run_cli(["check", "-", "--format", "github"], stdin=b'{"a\\nb%": 1}')
    assert code == 1
    assert "::error file=<stdin>::" in out
    assert all(text.startswith("::") for text in out.splitlines())
    assert "%25" in out
    assert "\nb" not in out


def test_github_format_on_lint_and_preview(tmp_path: pathlib.Path) -> None:
    (tmp_path / "TP_X.toml").write_text('[content]\n"en-US" = "Hi ${who"\n', "utf-8")
    code, out, _ = run_cli(["lint", str(tmp_path), "--format", "github"])
    assert code == 1
    assert out.startswith("::error file=")
    assert out.rstrip("\n").endswith("[templateSyntax]")
    code, out, _ = run_cli(
        ["preview", str(BROKEN), "--catalog", str(CATALOG), "--format", "github"]
    )
    assert code == 1
    assert out
    assert all(text.startswith(("::error file=", "::warning file=")) for text in out.splitlines())


def test_strict_makes_warnings_fail_on_check_and_lint(tmp_path: pathlib.Path) -> None:
    payload = request()
    payload["templates"][0]["templateParameters"]["extra"] = "x"
    name = write(tmp_path / "r.json", line(payload))
    code, out, _ = run_cli(["check", name, "--catalog", str(CATALOG)])
    assert code == 0
    assert "warning" in out
    assert run_cli(["check", name, "--catalog", str(CATALOG), "--strict"])[0] == 1
    assert run_cli(["check", str(SEND), "--strict"])[0] == 0
    (tmp_path / "cat").mkdir()
    (tmp_path / "cat" / "TP_X.toml").write_text(
        '[content]\n"en-US" = "Hi ${who}"\n"de-DE" = "Hallo ${x}"\n', "utf-8"
    )
    code, out, _ = run_cli(["lint", str(tmp_path / "cat")])
    assert (code, "warning" in out, "error" not in out.replace("0 errors", "")) == (0, True, True)
    assert run_cli(["lint", str(tmp_path / "cat"), "--strict"])[0] == 1


def test_standard_input_named_twice_is_a_usage_error() -> None:
    code, out, err = run_cli(["check", "-", "-"], stdin=b"{}")
    assert (code, out) == (2, "")
    assert "usage: msgtemplates" in err
    assert "only once" in err


def test_json_format_names_files_by_their_real_name(tmp_path: pathlib.Path) -> None:
    name = write(tmp_path / "new\nline\u202e.json", b"[]")
    code, out, _ = run_cli(["check", name, "--format", "json"])
    assert code == 1
    assert [json.loads(text)["file"] for text in out.splitlines()] == [name]
    _, text, _ = run_cli(["check", name])
    assert text.startswith(str(tmp_path / "new\\x0aline\\u202e.json") + ": ")


def test_lint_places_each_problem_at_its_catalog_file(tmp_path: pathlib.Path) -> None:
    (tmp_path / "TP_X.toml").write_text('[content]\n"en-US" = "Hi"\n"en_GB" = "Hi"\n', "utf-8")
    code, out, _ = run_cli(["lint", str(tmp_path), "--format", "json"])
    rows = [json.loads(text) for text in out.splitlines()]
    assert code == 1
    assert rows
    for row in rows:
        # Catalog.where names the file and line; without it, the catalog itself.
        assert row["file"] in {str(tmp_path), str(tmp_path / "TP_X.toml")}
        assert row["line"] is None or row["line"] >= 1


# --------------------------------------------------------------------------- help examples


def _help_examples() -> list[str]:
    texts = [run_cli(["--help"])[1]]
    texts += [run_cli([name, "--help"])[1] for name in ("check", "preview", "render", "lint")]
    texts += [run_cli([name, "--help"])[1] for name in ("schema", "explain", "send")]
    texts += [run_cli([name, "--help"])[1] for name in ("fake-wallet", "export", "import")]
    found: list[str] = []
    for text in texts:
        block = text.split("examples:\n", 1)[1].split("\n\n", 1)[0]
        found += [example.strip() for example in block.splitlines() if example.strip()]
    return sorted(set(found))


def test_help_shows_several_examples() -> None:
    examples = _help_examples()
    for command in ("check", "preview", "render", "lint", "schema", "explain"):
        assert any(f"msgtemplates {command} " in example for example in examples)


@pytest.mark.parametrize("example", _help_examples())
def test_every_help_example_runs_as_shown_from_the_top_folder(example: str) -> None:
    program = f"{shlex.quote(sys.executable)} -m msgtemplates"
    command = re.sub(r"(^|\| )msgtemplates ", lambda m: f"{m.group(1)}{program} ", example)
    result = subprocess.run(
        command,
        shell=True,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert result.returncode in {0, 1}, result.stderr
    assert "usage:" not in result.stderr
    assert "Traceback" not in result.stderr
    if "campaign" not in example and "broken" not in example:
        assert result.returncode == 0, result.stdout


# --------------------------------------------------------------------------- output errors


def _big_batch(tmp_path: pathlib.Path) -> str:
    return write(tmp_path / "big.jsonl", b"{\n" * 50_000)


def test_a_closed_pipe_ends_quietly_with_nothing_on_stderr(tmp_path: pathlib.Path) -> None:
    name = _big_batch(tmp_path)
    program = f"{shlex.quote(sys.executable)} -m msgtemplates"
    result = subprocess.run(
        f"set -o pipefail; {program} check {shlex.quote(name)} | head -1",
        shell=True,
        executable="/bin/bash",
        capture_output=True,
        timeout=60,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert result.stdout.endswith(b"[invalidJson]\n")
    assert result.stdout.count(b"\n") == 1
    assert result.stderr == b""
    assert result.returncode in {0, 141}


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_a_full_disk_is_one_line_on_stderr_and_exit_2(tmp_path: pathlib.Path) -> None:
    name = _big_batch(tmp_path)
    with open("/dev/full", "w") as full:
        result = subprocess.run(
            [sys.executable, "-m", "msgtemplates", "check", name],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
    assert result.returncode == 2
    assert result.stderr == "msgtemplates: cannot write the output: no space left on device\n"


def test_a_closed_stdout_is_one_line_on_stderr_and_exit_2() -> None:
    program = f"{shlex.quote(sys.executable)} -m msgtemplates"
    result = subprocess.run(
        f"{program} check {shlex.quote(str(BROKEN))} >&-",
        shell=True,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith("msgtemplates: cannot write the output: ")


def test_many_jobs_on_a_small_batch_start_no_processes_and_agree(tmp_path: pathlib.Path) -> None:
    name = write(tmp_path / "b.jsonl", line(request()) + b"{x\n" + line(request()))
    serial = run_cli(["check", name, "--format", "json"])
    result = subprocess.run(
        [sys.executable, "-m", "msgtemplates", "check", name, "--format", "json", "--jobs", "1000"],
        capture_output=True,
        text=True,
        timeout=30,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert (result.returncode, result.stdout, result.stderr) == serial


def _descendants(pid: int) -> dict[int, int]:
    """Every process below ``pid``, with its depth (1 for children)."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            with contextlib.suppress(OSError):
                stat = pathlib.Path(f"/proc/{entry}/stat").read_text()
                parents[int(entry)] = int(stat.rsplit(")", 1)[1].split()[1])
    depths = {pid: 0}
    changed = True
    while changed:
        changed = False
        for child, parent in parents.items():
            if parent in depths and child not in depths:
                depths[child] = depths[parent] + 1
                changed = True
    del depths[pid]
    return depths


def _cmdline(pid: int) -> bytes:
    with contextlib.suppress(OSError):
        return pathlib.Path(f"/proc/{pid}/cmdline").read_bytes()
    return b""


@pytest.mark.skipif(not os.path.isdir("/proc"), reason="needs /proc to find the workers")
def test_a_killed_worker_makes_check_fail_within_seconds(tmp_path: pathlib.Path) -> None:
    if len(os.sched_getaffinity(0)) < 2:
        pytest.skip("jobs are capped at one CPU here")
    name = write(tmp_path / "big.jsonl", line(request()) * 200_000)
    with subprocess.Popen(
        [sys.executable, "-m", "msgtemplates", "check", name, "--jobs", "2"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    ) as process:
        deadline = time.monotonic() + 60
        workers: list[int] = []
        while not workers and time.monotonic() < deadline:
            time.sleep(0.2)
            # Forked workers are children running the command's own command line; a fork
            # server's are its children.
            own = _cmdline(process.pid)
            found = _descendants(process.pid).items()
            workers = [p for p, depth in found if depth == 2 or _cmdline(p) == own]
        assert workers, "no worker process started"
        os.kill(workers[0], signal.SIGKILL)
        killed = time.monotonic()
        _, err = process.communicate(timeout=60)
    assert time.monotonic() - killed < 30
    assert process.returncode == 2
    assert err.count(b"\n") == 1
    assert b"worker" in err
