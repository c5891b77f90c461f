"""`msgtemplates preview -p`: typed command-line values, formatted per language by Babel.

Every expected string is Babel's own answer for the same value and locale, called here
directly, so the tests follow CLDR rather than a copy of today's output. Also the start-up
side of the command line: building only the subcommand named changes no help and no error,
and a one-file check loads none of the heavy modules.
"""

from __future__ import annotations

import argparse
import datetime
import io
import json
import os
import pathlib
import subprocess
import sys
import zoneinfo
from decimal import Decimal

import pytest
from babel import Locale, dates, numbers
from helpers import run_cli
from hypothesis import given, settings
from hypothesis import strategies as st

import msgtemplates.cli
from msgtemplates.cli import build_parser

ROOT = pathlib.Path(__file__).resolve().parent.parent
CATALOG = ROOT / "examples" / "catalog"
SEND = ROOT / "examples" / "send-request.json"
LANGUAGES = ["en-US", "zh-HK", "th-TH"]  # the example request's, in order
PAID_AT = datetime.datetime(
    2024, 5, 17, 10, 30, tzinfo=datetime.timezone(datetime.timedelta(hours=8))
)
TOKEN = "20240517103015010007000000854519f3c2"  # the example request's


def preview(*options: str, request: pathlib.Path | str = SEND) -> tuple[int, str, str]:
    return run_cli(["preview", str(request), "--catalog", str(CATALOG), *options])


def texts(out: str) -> dict[str, str]:
    """User locale -> previewed text, from the JSON Lines of ``preview --format json``."""
    return {row["locale"]: row["text"] for row in map(json.loads, out.splitlines())}


def locale(tag: str) -> Locale:
    return Locale.parse(tag, sep="-")


def write_request(tmp_path: pathlib.Path, payload: object) -> pathlib.Path:
    path = tmp_path / "request.json"
    path.write_text(json.dumps(payload, ensure_ascii=False), "utf-8")
    return path


# ----------------------------------------------------------------------------- typed values


def test_a_currency_value_is_shown_as_babel_formats_it_in_every_language() -> None:
    code, out, err = preview("-p", "amount=38.00:HKD", "--format", "json")
    assert (code, err) == (0, "")
    shown = texts(out)
    assert list(shown) == LANGUAGES
    for language in LANGUAGES:
        expected = numbers.format_currency(Decimal("38.00"), "HKD", locale=locale(language))
        assert expected in shown[language], language
    # The request's own hand-typed amounts are replaced, not shown beside the typed one.
    assert "HKD 38.00" not in shown["en-US"]
    assert "฿165.00" not in shown["th-TH"]


@pytest.mark.parametrize(
    ("options", "zone"),
    [
        ([], datetime.timezone(datetime.timedelta(hours=8))),  # as typed: +08:00
        (["--tz", "Asia/Bangkok"], zoneinfo.ZoneInfo("Asia/Bangkok")),
        (["--tz", "UTC"], zoneinfo.ZoneInfo("UTC")),
    ],
)
def test_a_datetime_value_is_shown_in_its_own_offset_or_the_zone_asked_for(
    options: list[str], zone: datetime.tzinfo
) -> None:
    argv = ["-p", "time=2024-05-17T10:30+08:00", "--format", "json", *options]
    code, out, _ = preview(*argv)
    assert code == 0
    shown = texts(out)
    for language in LANGUAGES:
        moment = PAID_AT.astimezone(zone)
        expected = dates.format_datetime(moment, "medium", tzinfo=zone, locale=locale(language))
        assert expected in shown[language], language


def test_the_text_output_shows_the_formatted_values_and_checks_the_filled_request() -> None:
    argv = ["-p", "amount=165.00:THB", "-p", "time=2024-05-17T10:30+07:00", "--locale", "th-TH"]
    code, out, err = preview(*argv)
    assert (code, err) == (0, "")
    amount = numbers.format_currency(Decimal("165.00"), "THB", locale="th_TH")
    moment = datetime.datetime.fromisoformat("2024-05-17T10:30+07:00")
    when = dates.format_datetime(moment, "medium", tzinfo=moment.tzinfo, locale="th_TH")
    lines = out.splitlines()
    assert lines[0].endswith("a user in th-TH sees content template 2 (th-TH), catalog text th-TH:")
    assert amount in lines[1]
    assert when in lines[1]
    assert out.endswith("1 locale previewed: no problems\n")


def test_preview_and_render_show_the_same_text_for_the_same_values() -> None:
    values = ["-p", "amount=38.00:HKD", "-p", "time=2024-05-17T10:30+08:00", "-p", "merchant=M"]
    for language in LANGUAGES:
        _, rendered, _ = run_cli(
            ["render", str(CATALOG), "TP_PAYMENT_SUCCESS", "--language", language, *values]
        )
        _, out, _ = preview(*values, "--locale", language, "--format", "json")
        assert texts(out)[language] == rendered.rstrip("\n")


def test_an_undeclared_or_text_value_is_shown_as_typed() -> None:
    code, out, _ = preview("-p", "merchant=Café 38.00:HKD", "--format", "json")
    assert code == 0
    assert all("Café 38.00:HKD" in text for text in texts(out).values())


def test_the_html_page_shows_the_typed_values(tmp_path: pathlib.Path) -> None:
    page = tmp_path / "preview.html"
    code, _, _ = preview("-p", "amount=38.00:HKD", "--html", str(page))
    html = page.read_text("utf-8")
    assert code == 0
    assert numbers.format_currency(Decimal("38.00"), "HKD", locale="zh_HK") in html
    assert numbers.format_currency(Decimal("38.00"), "HKD", locale="th_TH") in html


def test_a_value_goes_only_where_a_text_uses_it_or_the_request_holds_it(
    tmp_path: pathlib.Path,
) -> None:
    catalog = tmp_path / "catalog"
    catalog.mkdir()
    (catalog / "TP_N.toml").write_text(
        '[content]\n"en-US" = "Total ${n}"\n"de-DE" = "Danke"\n[parameters]\nn = "number"\n',
        "utf-8",
    )
    request = write_request(
        tmp_path,
        {
            "appId": "3333010071465913",
            "accessToken": "tok-1",
            "requestId": "REQ-1",
            "templateCode": "TP_N",
            "templates": [
                {"language": "en-US", "templateParameters": {}},
                {"language": "de-DE", "templateParameters": {}},
            ],
        },
    )
    argv = ["preview", str(request), "--catalog", str(catalog), "-p", "n=1234.5"]
    code, out, _ = run_cli([*argv, "--format", "json"])
    rows = [json.loads(row) for row in out.splitlines()]
    assert code == 0
    assert [row["problems"] for row in rows] == [[], []]  # no unusedParameter for de-DE
    assert rows[0]["text"] == "Total " + numbers.format_decimal(Decimal("1234.5"), locale="en_US")
    assert rows[1]["text"] == "Danke"


def test_without_values_a_bad_declaration_does_not_stop_the_preview(
    tmp_path: pathlib.Path,
) -> None:
    catalog = tmp_path / "catalog"
    catalog.mkdir()
    (catalog / "TP_N.toml").write_text(
        '[content]\n"en-US" = "Total ${n}"\n[parameters]\nn = "money"\n', "utf-8"
    )
    request = write_request(
        tmp_path,
        {
            "appId": "3333010071465913",
            "accessToken": "tok-1",
            "requestId": "REQ-1",
            "templateCode": "TP_N",
            "templates": [{"language": "en-US", "templateParameters": {"n": "5"}}],
        },
    )
    base = ["preview", str(request), "--catalog", str(catalog)]
    assert run_cli(base)[0] == 0
    code, out, err = run_cli([*base, "-p", "n=5"])
    assert (code, out) == (1, "")
    assert err.startswith("msgtemplates: template ")
    assert "fix its parameters table" in err
    assert err.count("\n") == 1


@pytest.mark.parametrize(
    ("value", "said"),
    [
        ("amount=38", "AMOUNT:CODE such as 38.00:HKD"),
        ("amount=38.00:ZZZ", 'unknown currency code "ZZZ"'),
        ("amount=NaN:HKD", "AMOUNT:CODE"),
        ("time=2024-05-17T10:30", "add the UTC offset"),
        ("time=tomorrow", "a date and time with its offset"),
    ],
)
def test_a_bad_value_is_one_line_naming_the_parameter_and_exits_1(value: str, said: str) -> None:
    code, out, err = preview("-p", value)
    name = value.split("=", 1)[0]
    assert (code, out) == (1, "")
    assert err.startswith(f'msgtemplates: parameter "{name}" ')
    assert said in err
    assert err.count("\n") == 1
    assert "Traceback" not in err
    # render says the same of the same value.
    _, _, rendered = run_cli(
        ["render", str(CATALOG), "TP_PAYMENT_SUCCESS", "--language", "en-US", "-p", value]
    )
    assert rendered == err


def test_an_unknown_zone_is_one_line_and_exits_1() -> None:
    code, out, err = preview("-p", "time=2024-05-17T10:30+08:00", "--tz", "Mars/Olympus")
    assert (code, out) == (1, "")
    assert err.startswith('msgtemplates: tz "Mars/Olympus" is not a time zone name')


def test_the_access_token_typed_as_a_value_is_masked() -> None:
    code, out, err = preview("-p", f"merchant={TOKEN}", "--format", "json")
    assert code == 0
    assert TOKEN not in out + err
    assert all("***" in text for text in texts(out).values())


def test_values_for_a_request_too_broken_to_fill_leave_it_to_check_request(
    tmp_path: pathlib.Path,
) -> None:
    request = write_request(tmp_path, {"templateCode": "TP_NOPE", "templates": []})
    code, out, err = preview("-p", "amount=38.00:HKD", request=request)
    assert code == 1
    assert "[unknownTemplate]" in out
    assert err.endswith("no content template could be previewed\n")


def test_github_output_with_values_is_annotations_only() -> None:
    code, out, _ = preview("-p", "amount=38", "--format", "github")
    assert code == 1
    assert out == ""
    code, out, _ = preview("-p", "amount=38:HKD", "--format", "github")
    assert (code, out) == (0, "")


# ----------------------------------------------------------------------------- start-up


USAGE = [
    [],
    ["--help"],
    ["--version"],
    ["frobnicate"],
    ["check"],
    ["check", "--help"],
    ["check", "x.json", "--jobs", "0"],
    ["check", "x.json", "--form", "json"],
    ["check", "-", "-"],
    ["check", str(SEND), "--version"],
    ["preview", "--help"],
    ["preview", "x.json"],
    ["render", "--help"],
    ["render", "c", "TP", "--language", "en-US", "-p", "novalue"],
    ["lint", "--help"],
    ["schema", "everything"],
    ["send", "--help"],
    ["fake-wallet", "--help"],
    ["export", "--help"],
    ["import", "--help"],
    ["explain"],
    ["--", "check"],
]


@pytest.mark.parametrize("columns", ["40", "80", "200"])
def test_building_only_the_named_subcommand_changes_no_help_and_no_error(
    monkeypatch: pytest.MonkeyPatch, columns: str
) -> None:
    monkeypatch.setenv("COLUMNS", columns)
    shown = [run_cli(argv, b"{}") for argv in USAGE]
    every = build_parser

    def build_every(*, only: str | None = None) -> argparse.ArgumentParser:
        return every()

    monkeypatch.setattr(msgtemplates.cli, "build_parser", build_every)
    assert [run_cli(argv, b"{}") for argv in USAGE] == shown


@pytest.mark.parametrize("columns", ["40", "77", "200"])
def test_help_is_laid_out_as_argparse_lays_it_out_at_the_terminal_width(
    monkeypatch: pytest.MonkeyPatch, columns: str
) -> None:
    monkeypatch.setenv("COLUMNS", columns)
    parser = build_parser()
    ours = parser.format_help()
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    assert ours == parser.format_help()
    # A subcommand's options wrap at that width too.
    options = run_cli(["check", "--help"])[1].split("options:\n")[1].split("examples:")[0]
    assert max(len(line) for line in options.splitlines()) <= int(columns)


def test_without_columns_help_takes_the_width_of_no_terminal(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("COLUMNS", raising=False)
    parser = build_parser()
    ours = parser.format_help()
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    assert ours == parser.format_help()


def test_a_one_file_check_loads_no_heavy_module() -> None:
    script = (
        "import sys, io\n"
        "from msgtemplates.cli import run\n"
        f"code = run(['check', {str(SEND)!r}], io.StringIO(), io.StringIO())\n"
        "print(code, ' '.join(sorted(sys.modules)))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        check=True,
    )
    code, *modules = result.stdout.split()
    assert code == "0"
    heavy = {"babel", "jinja2", "tomlkit", "httpx", "cryptography", "shutil"}
    heavy |= {"msgtemplates.compose", "msgtemplates.preview", "msgtemplates.send"}
    assert heavy.isdisjoint(modules)


def test_run_never_raises_for_a_subcommand_name_alone() -> None:
    for name in ("check", "preview", "render", "lint", "schema", "explain", "send", "import"):
        stdout, stderr = io.StringIO(), io.StringIO()
        code = msgtemplates.cli.run([name], stdout, stderr, stdin=io.BytesIO(b""))
        assert code == 2
        assert stderr.getvalue().startswith(f"usage: msgtemplates {name} ")


@given(
    name=st.sampled_from(["amount", "time", "merchant", "other"]),
    text=st.text(max_size=40),
    zone=st.one_of(st.none(), st.sampled_from(["Asia/Bangkok", "UTC", "Nowhere/At_All", ""])),
)
@settings(deadline=None, max_examples=60)
def test_any_typed_value_previews_or_is_one_line_on_stderr(
    name: str, text: str, zone: str | None
) -> None:
    argv = ["-p", f"{name}={text}", "--format", "json"]
    code, out, err = preview(*argv, *([] if zone is None else ["--tz", zone]))
    assert code in (0, 1)
    assert "Traceback" not in err
    assert err.count("\n") <= 1
    assert len(err) <= 420
    if code == 0:
        assert err == ""
        assert len(out.splitlines()) == 3
