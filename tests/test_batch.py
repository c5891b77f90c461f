"""check_batch: one verdict per line, the same from every source, hostile lines, duplicates."""

from __future__ import annotations

import io
import json
import multiprocessing
import os
import pathlib
import re
import signal
import subprocess
import sys
import time
import tracemalloc
import typing as t

import pytest
from helpers import payment_request
from hypothesis import given, settings
from hypothesis import strategies as st

from msgtemplates import BatchVerdict, Catalog, MsgTemplatesError, check_batch, check_request
from msgtemplates.batch import MAX_DEPTH, parse_request, usable_cpus

ROOT = pathlib.Path(__file__).resolve().parent.parent
CATALOG = ROOT / "examples" / "catalog"
CAMPAIGN = ROOT / "examples" / "campaign.jsonl"
TOKEN = "20240517103015010007000000854519f3c2"


def request(**changes: t.Any) -> dict[str, t.Any]:
    return payment_request(TOKEN, **changes)


def line(payload: object) -> bytes:
    return json.dumps(payload, ensure_ascii=False).encode("utf-8") + b"\n"


def nested(depth: int) -> bytes:
    """A request line whose extendInfo-like member makes the whole line nest ``depth`` deep."""
    inner = b"[" * (depth - 1) + b"]" * (depth - 1)
    return b'{"requestId": "DEEP", "deep": ' + inner + b"}\n"


def summary(verdicts: t.Iterable[BatchVerdict]) -> list[tuple[int, str | None, list[str]]]:
    return [
        (v.line, v.request_id, [f"{p.code}:{p.severity}" for p in v.problems]) for v in verdicts
    ]


def hostile_batch(count: int) -> bytes:
    """A batch of every kind of line: valid, broken, blank, repeated, deep, CRLF, form feed."""
    lines: list[bytes] = [b"\xef\xbb\xbf" + line(request(requestId="R0"))]
    for i in range(1, count):
        kind = i % 11
        if kind == 0:
            lines.append(b"{oops\n")
        elif kind == 1:
            lines.append(b" \t\r\n")
        elif kind == 2:
            lines.append(b"\x0c\n")
        elif kind == 3:
            lines.append(line(request(requestId=f"R{i - 3}")))  # repeats, same or not
        elif kind == 4:
            lines.append(nested(MAX_DEPTH + 1 + i % 3))
        elif kind == 5:
            lines.append(line(request(requestId=f"R{i}", appId="")).replace(b"\n", b"\r\n"))
        elif kind == 6:
            lines.append(b'{"requestId": "\\ud800", "appId": 1' + b"0" * 5000 + b"}\n")
        elif kind == 7:
            lines.append(
                json.dumps(request(requestId="R0"), indent=None, sort_keys=True).encode() + b"\n"
            )
        else:
            lines.append(line(request(requestId=f"R{i}")))
    return b"".join(lines)


class Pipe:
    """A binary stream that cannot seek, like standard input from a pipe."""

    def __init__(self, data: bytes) -> None:
        self._data = io.BytesIO(data)

    def read(self, size: int = -1) -> bytes:
        return self._data.read(size)


# --------------------------------------------------------------------------- sources


def test_every_source_and_any_jobs_give_the_same_verdicts(tmp_path: pathlib.Path) -> None:
    # Over 1 MB, so that jobs=2 really hands blocks to worker processes.
    data = hostile_batch(3000)
    assert len(data) > 1 << 20
    path = tmp_path / "batch.jsonl"
    path.write_bytes(data)
    expected = list(check_batch(path))
    lines = data.split(b"\n")
    sources: dict[str, t.Any] = {
        "str path": lambda: str(path),
        "file object": lambda: open(path, "rb"),  # noqa: SIM115
        "bytes io": lambda: io.BytesIO(data),
        "pipe": lambda: Pipe(data),
        "bytes lines": lambda: iter(lines[:-1]),
        "str lines": lambda: [text.decode("utf-8", "surrogateescape") for text in lines[:-1]],
    }
    for name, make in sources.items():
        for jobs in (1, 2):
            source = make()
            got = list(check_batch(source, jobs=jobs))
            if hasattr(source, "close"):
                source.close()
            assert got == expected, (name, jobs)
    assert len(expected) == sum(1 for text in lines if text.strip(b" \t\r\n"))


def test_one_verdict_per_non_blank_line_in_order_with_valid_lines_included() -> None:
    data = [
        line(request(requestId="A")),
        b"\n",
        b"   \t\r\n",
        b"{x\n",
        line(request(requestId="B")),
    ]
    verdicts = list(check_batch(data))
    assert [(v.line, v.request_id) for v in verdicts] == [(1, "A"), (4, None), (5, "B")]
    assert verdicts[0].problems == verdicts[2].problems == ()
    assert [p.code for p in verdicts[1].problems] == ["invalidJson"]


@pytest.mark.parametrize("char", [b"\x0c", b"\x0b", b"\x1c", b"\xc2\xa0"])
def test_a_line_of_other_whitespace_is_invalid_json_not_blank(char: bytes) -> None:
    verdicts = list(check_batch([line(request()), char + b"\n"]))
    assert summary(verdicts) == [(1, "REQ-1", []), (2, None, ["invalidJson:error"])]


def test_a_bom_opening_the_batch_is_skipped_and_crlf_ends_lines() -> None:
    first = b"\xef\xbb\xbf" + line(request(requestId="A")).replace(b"\n", b"\r\n")
    verdicts = list(check_batch(io.BytesIO(first + line(request(requestId="B")))))
    assert summary(verdicts) == [(1, "A", []), (2, "B", [])]
    # A BOM anywhere else is not JSON.
    later = list(check_batch([line(request()), b"\xef\xbb\xbf" + line(request(requestId="B"))]))
    assert [p.code for p in later[1].problems] == ["invalidJson"]


@pytest.mark.parametrize(
    "source",
    [b"{}", bytearray(b"{}"), 3, None, object()],
    ids=["bytes", "bytearray", "int", "none", "object"],
)
def test_a_source_of_the_wrong_type_is_a_type_error(source: object) -> None:
    with pytest.raises(TypeError, match="source"):
        check_batch(source)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("jobs", "error"), [(0, ValueError), (-1, ValueError), (1.5, TypeError), (True, TypeError)]
)
def test_a_bad_jobs_value_names_jobs(jobs: object, error: type[Exception]) -> None:
    with pytest.raises(error, match="jobs"):
        check_batch([b"{}"], jobs=jobs)  # type: ignore[arg-type]


def test_a_catalog_of_the_wrong_type_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="Catalog"):
        check_batch([b"{}"], catalog={})  # type: ignore[arg-type]


def test_a_missing_path_raises_file_not_found_at_the_call(tmp_path: pathlib.Path) -> None:
    with pytest.raises(FileNotFoundError):
        check_batch(tmp_path / "missing.jsonl")


def test_a_catalog_checks_each_line_the_same_with_jobs(tmp_path: pathlib.Path) -> None:
    catalog = Catalog.load(CATALOG)
    data = CAMPAIGN.read_bytes() * 400
    path = tmp_path / "campaign.jsonl"
    path.write_bytes(data)
    serial = list(check_batch(path, catalog=catalog))
    assert list(check_batch(path, catalog=catalog, jobs=2)) == serial
    assert any(p.code == "languageTag" for v in serial for p in v.problems)


_ROOMY = Catalog({"TP_R": {"en-US": "x" * 4086 + "${v}${w}", "th-TH": "${v}"}})


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["en-US", "th-TH"]),
            st.integers(0, 12),
            st.integers(0, 12),
            st.sampled_from(["a", "\u0e01", "\U0001f600", "\\u0e01", "\\ud83d\\ude00"]),
        ),
        min_size=1,
        max_size=6,
    )
)
def test_a_line_near_its_texts_room_gets_check_requests_catalog_verdict(
    cases: list[tuple[str, int, int, str]],
) -> None:
    # A line's length in bytes bounds its values' characters: the quick catalog test may skip
    # counting them only where that length fits the text's room (10 characters here).
    lines = []
    for n, (language, v, w, char) in enumerate(cases):
        params = f'"v": "{char * v}"' + (f', "w": "{char * w}"' if language == "en-US" else "")
        lines.append(
            f'{{"appId": "a", "accessToken": "t", "requestId": "r{n}", "templateCode": "TP_R",'
            f' "templates": [{{"language": "{language}", "templateParameters": {{{params}}}}}]}}'
        )
    verdicts = list(check_batch([line.encode() for line in lines], catalog=_ROOMY))
    assert [v.problems for v in verdicts] == [
        tuple(check_request(json.loads(line), catalog=_ROOMY)) for line in lines
    ]


# --------------------------------------------------------------------------- depth and numbers


def test_depth_up_to_the_limit_parses_and_one_more_is_invalid_json() -> None:
    verdicts = list(check_batch([nested(MAX_DEPTH), nested(MAX_DEPTH + 1)]))
    assert "invalidJson" not in [p.code for p in verdicts[0].problems]
    assert verdicts[0].request_id == "DEEP"
    assert [p.code for p in verdicts[1].problems] == ["invalidJson"]
    assert "too deeply (more than 256 levels)" in verdicts[1].problems[0].message
    assert verdicts[1].request_id is None


def test_brackets_inside_strings_do_not_count_towards_depth() -> None:
    text = json.dumps(request(extendInfo="[{" * 5000 + '\\"' + "]}" * 10)).encode()
    (verdict,) = check_batch([text])
    assert "invalidJson" not in [p.code for p in verdict.problems]


def test_a_line_near_the_parsers_own_limit_gets_the_same_verdict_everywhere(
    tmp_path: pathlib.Path,
) -> None:
    data = line(request(requestId="A")) + nested(989) + line(request(requestId="A"))
    path = tmp_path / "deep.jsonl"
    path.write_bytes(data)
    expected = summary(check_batch(path))
    assert expected == [
        (1, "A", []),
        (2, None, ["invalidJson:error"]),
        (3, "A", ["duplicateRequestId:warning"]),
    ]
    assert summary(check_batch(Pipe(data))) == expected
    assert summary(check_batch(path, jobs=2)) == expected
    # From a real pipe, through the command line.
    result = subprocess.run(
        [sys.executable, "-m", "msgtemplates", "check", "-", "--jsonl", "--format", "json"],
        input=data,
        capture_output=True,
        timeout=60,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert result.stderr == b""
    rows = [json.loads(text) for text in result.stdout.splitlines()]
    assert [(row["line"], row["code"], row["severity"]) for row in rows] == [
        (2, "invalidJson", "error"),
        (3, "duplicateRequestId", "warning"),
    ]


def test_the_callers_stack_depth_does_not_change_a_verdict() -> None:
    data = [line(request(requestId="A")), nested(MAX_DEPTH), nested(MAX_DEPTH), b"{x\n"]
    expected = summary(check_batch(data))

    def deep(levels: int) -> list[tuple[int, str | None, list[str]]]:
        return deep(levels - 1) if levels else summary(check_batch(data))

    limit = sys.getrecursionlimit()
    # As deep as a caller can go while leaving room for a few frames of its own.
    assert deep(limit - 60) == expected


def test_a_huge_number_and_a_lone_surrogate_are_problems_of_their_line_only() -> None:
    data = [
        b'{"requestId": "A", "appId": 1' + b"0" * 10_000 + b"}",
        json.dumps(request(requestId="B", appId="\ud800")).encode(),
        b'{"requestId": "C", "appId": "\\udc00"}',
        line(request(requestId="D")),
    ]
    verdicts = list(check_batch(data))
    assert [v.line for v in verdicts] == [1, 2, 3, 4]
    assert [p.code for p in verdicts[0].problems] == ["invalidJson"]
    assert "digits" in verdicts[0].problems[0].message
    assert verdicts[1].problems
    assert verdicts[2].problems
    assert verdicts[3].problems == ()


# --------------------------------------------------------------------------- duplicates


def test_an_exact_repeat_is_a_warning_and_a_different_body_an_error() -> None:
    first = request(requestId="A")
    changed = request(requestId="A", templateCode="TP_REFUND_DONE")
    verdicts = list(
        check_batch([line(first), line(request(requestId="B")), line(first), line(changed)])
    )
    assert summary(verdicts)[2:] == [
        (3, "A", ["duplicateRequestId:warning"]),
        (4, "A", ["duplicateRequestId:error"]),
    ]
    assert all("line 1" in v.problems[-1].message for v in verdicts[2:])


@pytest.mark.parametrize("seekable", [True, False], ids=["file", "pipe"])
def test_the_same_json_written_differently_is_the_same_body(seekable: bool) -> None:
    first = request(requestId="A")
    reordered = dict(reversed(list(first.items())))
    spaced = json.dumps(first, indent=2).replace("\n", " ").encode() + b"\n"
    escaped = line(first).replace(b'"A"', b'"\\u0041"')
    data = line(first) + line(reordered) + spaced + escaped
    source = io.BytesIO(data) if seekable else Pipe(data)
    assert summary(check_batch(source))[1:] == [
        (n, "A", ["duplicateRequestId:warning"]) for n in (2, 3, 4)
    ]


@pytest.mark.parametrize("jobs", [1, 2])
@pytest.mark.parametrize("seekable", [True, False], ids=["file", "pipe"])
def test_a_body_is_the_same_only_where_the_json_values_are(seekable: bool, jobs: int) -> None:
    # Pairs that one encoder or parser could blur: 1e400 (the standard parser reads it as
    # infinity, which msgspec would write as null) and null, 1 and 1.0, lone surrogates (msgspec
    # refuses them); the first line sits behind a BOM, so the standard parser reads it.
    pairs = [
        (b'{"requestId": "N", "x": 1e400}', b'{"requestId": "N", "x": null}', "error"),
        (b'{"requestId": "M", "x": 1e400}', b'{ "x": 1e999, "requestId": "M" }', "warning"),
        (b'{"requestId": "F", "x": 1e400}', b'{"requestId": "F", "x": -1e400}', "error"),
        (b'{"requestId": "I", "x": 1}', b'{"requestId": "I", "x": 1.0}', "error"),
        (b'{"requestId": "S", "x": "\\ud800"}', b'{"x": "\\ud800", "requestId": "S"}', "warning"),
        (b'{"requestId": "T", "x": "\\ud800"}', b'{"requestId": "T", "x": "\\ud801"}', "error"),
        (b'{"requestId": "U", "x": null}', b'{"x": null, "requestId": "U"}', "warning"),
        (
            b'{"requestId": "V", "x": [1, {"b": 2, "a": 1}]}',
            b'{"x":[1,{"a":1,"b":2}],"requestId":"V"}',
            "warning",
        ),
    ]
    firsts = [first for first, _, _ in pairs]
    seconds = [second for _, second, _ in pairs]
    data = b"\xef\xbb\xbf" + b"\n".join([*firsts, *seconds]) + b"\n"
    source = io.BytesIO(data) if seekable else Pipe(data)
    got = summary(check_batch(source, jobs=jobs))[len(pairs) :]
    assert [(v[0], v[1], v[2][-1]) for v in got] == [
        (len(pairs) + n, first.split(b'"')[3].decode(), f"duplicateRequestId:{severity}")
        for n, (first, _, severity) in enumerate(pairs, 1)
    ]


@pytest.mark.parametrize("jobs", [1, 2])
@pytest.mark.parametrize("seekable", [True, False])
def test_a_null_reads_as_the_same_body_from_either_parser(seekable: bool, jobs: int) -> None:
    # Line 1 sits behind a BOM, so the standard parser reads it; line 3 the fast one. Both
    # bodies hold a null and no infinity: one digest, a repeat, though the two encoders write
    # 1e16 differently (1e+16, 1e16) and so must take the same way. Line 4 holds 1e400.
    data = (
        b'\xef\xbb\xbf{"requestId": "W", "x": null, "y": [1e16, null]}\n'
        + line(request(requestId="other"))
        + b'{"y":[1e16,null],"x":null,"requestId":"W"}\n'
        + b'{"requestId": "W", "x": 1e400, "y": [1e16, null]}\n'
    )
    source = io.BytesIO(data) if seekable else Pipe(data)
    got = summary(check_batch(source, jobs=jobs))
    assert got[2][2][-1] == "duplicateRequestId:warning"
    assert got[3][2][-1] == "duplicateRequestId:error"


def test_only_a_float_that_is_not_finite_counts_as_an_infinity() -> None:
    from msgtemplates.batch import _holds_infinity

    assert _holds_infinity({"a": [1, {"b": [float("inf")]}]})
    assert _holds_infinity([-float("inf")])
    assert _holds_infinity({"a": float("nan")})
    assert not _holds_infinity({"a": [None, 1e308, -0.0, "inf", {"b": None}], "c": 10**400})


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_list_of_lines_is_read_again_in_place_bom_and_str_included(jobs: int) -> None:
    # A list or tuple is looked up by line number: the first line (behind a BOM, as str) is
    # the same body as its repeat, a changed body is a conflict, and over a block of lines
    # apart too.
    first = "\ufeff" + line(request(requestId="A")).decode()
    filler = [line(request(requestId=f"F{i}")) for i in range(3000)]
    items: list[str | bytes] = [first, *filler, line(request(requestId="A"))]
    items.append(line(request(requestId="A", appId="other")))
    for source in (items, tuple(items)):
        got = summary(check_batch(t.cast(list[str], source), jobs=jobs))
        assert got == summary(check_batch(iter(t.cast(list[str], items)), jobs=jobs))
        assert got[-2][2] == ["duplicateRequestId:warning"]
        assert got[-1][2] == ["duplicateRequestId:error"]


def test_a_list_whose_checked_lines_change_still_gives_one_verdict_per_line() -> None:
    items: list[object] = [line(request(requestId=f"R{i % 50}")) for i in range(200)]
    verdicts = check_batch(t.cast(list[bytes], items))
    got = [next(verdicts) for _ in range(10)]
    # The caller reuses lines already checked: what is gone cannot be compared, so the next
    # line of each of those requestIds counts as its first, and nothing fails.
    items[0:5] = [42, b"", "{oops", None, b"\xff"]
    got.extend(verdicts)
    assert [v.line for v in got] == list(range(1, 201))
    assert [v.problems for v in got[50:55]] == [()] * 5
    assert got[100].request_id == "R0"
    assert "line 51" in got[100].problems[-1].message
    assert "line 6 " in got[55].problems[-1].message  # R5 kept its first line


def test_a_line_that_is_not_json_takes_no_part_in_duplicates() -> None:
    data = [b'{"requestId": "A", oops}', line(request(requestId="A")), b'{"requestId": "A"']
    assert summary(check_batch(data)) == [
        (1, None, ["invalidJson:error"]),
        (2, "A", []),
        (3, None, ["invalidJson:error"]),
    ]


def test_a_request_id_that_is_not_a_string_takes_no_part() -> None:
    data = [line(request(requestId=1)), line(request(requestId=1))]
    verdicts = list(check_batch(data))
    assert [v.request_id for v in verdicts] == [None, None]
    assert "duplicateRequestId" not in [p.code for v in verdicts for p in v.problems]


def _repeats_seconds(tmp_path: pathlib.Path, size: int, repeats: int) -> float:
    first = line(request(requestId="A", extendInfo="x" * size))
    path = tmp_path / f"repeats-{size}.jsonl"
    path.write_bytes(first + b"".join(line(request(requestId="A", n=i)) for i in range(repeats)))
    best = float("inf")
    for _ in range(3):
        start = time.process_time()  # CPU time: other work on the machine does not count
        verdicts = list(check_batch(path))
        best = min(best, time.process_time() - start)
    assert [v.problems[-1].severity for v in verdicts[1:]] == ["error"] * repeats
    return best


def test_a_long_first_line_repeated_costs_linear_time(tmp_path: pathlib.Path) -> None:
    # 4x the first line and 4x the repeats: linear time is 4x, a re-read per repeat 16x.
    small = _repeats_seconds(tmp_path, 2_500_000, 25)
    large = _repeats_seconds(tmp_path, 10_000_000, 100)
    assert large < 8 * small


def test_memory_per_distinct_request_id_stays_small() -> None:
    template = line(request(requestId="REQ-%09d")).replace(b"%", b"%%").replace(b"%%09d", b"%09d")

    def lines(count: int) -> t.Iterator[bytes]:
        return (template % i for i in range(count))

    peaks = []
    # Both sizes fit in the requestId index as it starts (room for about 100,000 ids), so the
    # difference is what each requestId costs beyond the index; the index itself is measured
    # just after it grows, below.
    for count in (5_000, 10_000):
        tracemalloc.start()
        for verdict in check_batch(lines(count)):
            assert not verdict.problems
        peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
    # What 5,000 more distinct requestIds cost (the budget: at most 24 bytes each).
    per_id = (peaks[1] - peaks[0]) / 5_000
    assert per_id <= 24, per_id


# --------------------------------------------------------------------------- the requestId table


def _campaign(count: int) -> list[bytes]:
    """Distinct requestIds (ASCII, wide, long, a lone surrogate) with repeats among them."""
    lines = []
    for i in range(count):
        lines.append(line(request(requestId=f"ID-{i}-\u65e5" if i % 3 else f"ID-{i}")))
        if i % 5 == 4:
            lines.append(line(request(requestId=f"ID-{i // 2}")))  # the same body, or none
        if i % 9 == 8:
            lines.append(line(request(requestId=f"ID-{i - 1}-\u65e5", appId="2")))
    lines.append(b'{"requestId": "\\ud800x"}\n')
    lines.append(b'{"requestId": "\\ud800x", "appId": 1}\n')
    lines.append(line(request(requestId="L" * 5000)))
    lines.append(line(request(requestId="L" * 5000)))
    return lines


def expected_duplicates(lines: list[bytes]) -> list[tuple[int, str | None, str | None]]:
    """What each line's duplicate problem must be, from a dict of every requestId seen."""
    first: dict[str, tuple[int, str]] = {}
    expected: list[tuple[int, str | None, str | None]] = []
    for number, raw in enumerate(lines, 1):
        payload = json.loads(raw)
        request_id = payload.get("requestId")
        body = json.dumps(payload, sort_keys=True)
        if request_id not in first:
            first[request_id] = (number, body)
            expected.append((number, request_id, None))
        else:
            line_, earlier = first[request_id]
            severity = "warning" if body == earlier else "error"
            expected.append((number, request_id, f"line {line_}:{severity}"))
    return expected


def duplicates(verdicts: t.Iterable[BatchVerdict]) -> list[tuple[int, str | None, str | None]]:
    found: list[tuple[int, str | None, str | None]] = []
    for verdict in verdicts:
        repeat = [p for p in verdict.problems if p.code == "duplicateRequestId"]
        assert len(repeat) <= 1
        said = None
        if repeat:
            where = re.findall(r"line (\d+)", repeat[0].message)
            said = f"line {where[0]}:{repeat[0].severity}"
        found.append((verdict.line, verdict.request_id, said))
    return found


@pytest.mark.parametrize("bits", [0xFF, 0x1], ids=["256 fingerprints", "2 fingerprints"])
@pytest.mark.parametrize(
    "kind", ["path", "pipe", "lines", "list", "path jobs=2", "pipe jobs=2", "list jobs=2"]
)
def test_request_ids_that_share_a_fingerprint_are_never_taken_for_one(
    monkeypatch: pytest.MonkeyPatch, tmp_path: pathlib.Path, kind: str, bits: int
) -> None:
    # Fingerprints cut to a few bits: nearly every requestId meets others with its own.
    import msgtemplates.batch

    lines = _campaign(1500 if bits == 0xFF else 150)
    data = b"".join(lines)
    path = tmp_path / "collide.jsonl"
    path.write_bytes(data)
    monkeypatch.setattr(msgtemplates.batch, "_U32", bits)
    jobs = 2 if "jobs" in kind else 1
    if kind.startswith("path"):
        verdicts = list(check_batch(path, jobs=jobs))
    elif kind.startswith("pipe"):
        verdicts = list(check_batch(Pipe(data), jobs=jobs))
    elif kind.startswith("list"):
        verdicts = list(check_batch(lines, jobs=jobs))
    else:
        verdicts = list(check_batch(iter(lines), jobs=jobs))
    assert duplicates(verdicts) == expected_duplicates(lines)


def test_without_a_temporary_file_duplicates_stay_exact(monkeypatch: pytest.MonkeyPatch) -> None:
    import tempfile

    def refuse(*args: object, **kwargs: object) -> t.NoReturn:
        raise OSError("no room for a temporary file")

    monkeypatch.setattr(tempfile, "TemporaryFile", refuse)
    lines = _campaign(2000)
    assert duplicates(check_batch(Pipe(b"".join(lines)))) == expected_duplicates(lines)


def test_the_request_id_index_holds_at_most_24_bytes_per_id_just_after_growing() -> None:
    # White-box: the table itself, just past a growth, where each id has the most slots.
    from msgtemplates.batch import _PAYLOAD, _RequestIds

    ids = _RequestIds(None)
    count = len(ids.slots) * 4 // 5 + 1
    for number in range(count):
        fingerprint = hash(f"REQ-{number}") & 0xFFFF_FFFF
        ids.add(ids.free(fingerprint), fingerprint, number + 1, number * 600, "", None, _PAYLOAD)
    assert len(ids.slots) * 4 // 5 > count  # it grew
    assert ids.nbytes() / count <= 24


# --------------------------------------------------------------------------- workers


@pytest.mark.skipif(usable_cpus() < 2, reason="jobs are capped at one CPU here")
def test_a_killed_worker_fails_the_batch_within_seconds() -> None:
    def endless() -> t.Iterator[bytes]:
        for i in range(10_000_000):
            yield line(request(requestId=f"R{i}"))

    verdicts = check_batch(endless(), jobs=2)
    next(verdicts)
    workers = multiprocessing.active_children()
    assert workers
    start = time.monotonic()
    for worker in workers:
        os.kill(t.cast(int, worker.pid), signal.SIGKILL)
    with pytest.raises(MsgTemplatesError, match="worker"):
        for _ in verdicts:
            pass
    assert time.monotonic() - start < 30


@pytest.mark.skipif(usable_cpus() < 2, reason="jobs are capped at one CPU here")
def test_jobs_counts_this_process_among_those_that_check() -> None:
    # Three blocks or more: the workers start. jobs=2 is this process and one worker.
    lines = [line(request(requestId=f"R{i}")) for i in range(12_000)]
    before = set(multiprocessing.active_children())
    verdicts = check_batch(lines, jobs=2)
    first = next(verdicts)
    assert len(set(multiprocessing.active_children()) - before) == 1
    assert [first, *verdicts] == list(check_batch(lines))


# --------------------------------------------------------------------------- the fast parser

_HOSTILE_PIECES = [
    '"\\ud800"',
    '"\\udfff\\ud800"',
    "NaN",
    "-Infinity",
    "1e400",
    "-0",
    "123456789012345678901234567890",
    '"\\u0000"',
    '"a\\nb"',
    "1.0000000000000002",
    "5e-324",
    '"\\u00e9"',
    "[]",
    "{}",
    "tru",
    '"x',
]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["requestId", "appId", "templates", "extendInfo", "x", "appId"]),
            st.sampled_from(_HOSTILE_PIECES)
            | st.from_regex(r'"[a-z\\u00e9]{0,6}"', fullmatch=True),
        ),
        max_size=6,
    ),
    st.sampled_from(["", " ", "\t", "\r", " \r"]),
)
def test_the_fast_parser_gives_every_line_the_standard_parsers_verdict(
    members: list[tuple[str, str]], tail: str
) -> None:
    # Duplicate keys, lone surrogate escapes, NaN, huge numbers, odd floats and broken text.
    line = "{" + ", ".join(f'"{name}": {value}' for name, value in members) + "}" + tail
    raw = line.encode("utf-8")
    (verdict,) = list(check_batch([raw]))
    payload, invalid = parse_request(raw)
    if invalid is not None:
        assert [p.code for p in verdict.problems] == ["invalidJson"]
    else:
        assert list(verdict.problems) == check_request(payload)


def _tiles(path: pathlib.Path, start: int) -> t.Sequence[tuple[bool, int, object]]:
    from msgtemplates.batch import _spans

    with open(path, "rb") as source:
        source.seek(start)
        spans = list(_spans(source, source.fileno()))
        assert source.tell() == path.stat().st_size  # left at the end, as a read would
    return spans


@pytest.mark.parametrize("start", [0, 1, 5000])
@pytest.mark.parametrize("final_newline", [True, False])
def test_spans_tile_the_file_from_where_it_stands_in_whole_lines(
    monkeypatch: pytest.MonkeyPatch, tmp_path: pathlib.Path, start: int, final_newline: bool
) -> None:
    import msgtemplates.batch

    # Blocks of 4 KiB and a window of 64 bytes: many lines are longer than the window.
    monkeypatch.setattr(msgtemplates.batch, "_BLOCK_BYTES", 4096)
    monkeypatch.setattr(msgtemplates.batch, "_WINDOW", 64)
    data = hostile_batch(400)
    data = data if final_newline else data.rstrip(b"\n")
    path = tmp_path / "spans.jsonl"
    path.write_bytes(data)
    spans = _tiles(path, start)
    assert len(spans) > 20
    assert [opening for opening, _, _ in spans] == [True] + [False] * (len(spans) - 1)
    offset = start
    for number, (_, at, length) in enumerate(spans):
        assert at == offset
        assert type(length) is int
        assert length > 0
        piece = data[at : at + length]
        if number < len(spans) - 1:
            # Every span but the last reaches its nominal end and stops at the next line end.
            assert length >= 4096
            assert piece.endswith(b"\n")
            assert b"\n" not in piece[4095:-1]
        offset += length
    assert offset == len(data)


def test_an_empty_file_or_one_read_to_its_end_has_no_spans(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "empty.jsonl"
    path.write_bytes(b"")
    assert _tiles(path, 0) == []
    path.write_bytes(b'{"requestId": "R1"}\n')
    assert _tiles(path, path.stat().st_size) == []


def _forks() -> bool:
    from msgtemplates.batch import _start_method

    return _start_method() == "fork"


@pytest.mark.skipif(usable_cpus() < 2, reason="jobs are capped at one CPU here")
@pytest.mark.parametrize("final_newline", [True, False])
def test_a_file_checked_in_spans_gives_the_serial_verdicts_from_where_it_stands(
    monkeypatch: pytest.MonkeyPatch, tmp_path: pathlib.Path, final_newline: bool
) -> None:
    import msgtemplates.batch

    if not _forks():
        pytest.skip("this process runs threads: workers start from a fork server, not spans")
    monkeypatch.setattr(msgtemplates.batch, "_BLOCK_BYTES", 4096)
    monkeypatch.setattr(msgtemplates.batch, "_WINDOW", 64)
    spans: list[object] = []
    real = msgtemplates.batch._spans

    def spy(source: t.BinaryIO, fd: int) -> t.Iterator[t.Any]:
        for block in real(source, fd):
            spans.append(block)
            yield block

    monkeypatch.setattr(msgtemplates.batch, "_spans", spy)
    # A BOM, blank lines, long lines, and duplicates many blocks apart.
    data = hostile_batch(1500) + b"".join(line(request(requestId=f"R{i}")) for i in range(1, 900))
    data = data if final_newline else data.rstrip(b"\n")
    path = tmp_path / "spans.jsonl"
    path.write_bytes(data)
    expected = list(check_batch(path))
    assert sum(bool(v.problems and v.problems[-1].code == "duplicateRequestId") for v in expected)
    assert list(check_batch(path, jobs=2)) == expected
    assert len(spans) > 100
    # From a file opened mid-way: the lines from there, with their own numbers and offsets.
    first = data.index(b"\n") + 1
    with open(path, "rb") as source:
        source.seek(first)
        serial = list(check_batch(io.BytesIO(data[first:])))
        assert list(check_batch(source, jobs=2)) == serial
        assert source.read() == b""


@pytest.mark.skipif(usable_cpus() < 2, reason="jobs are capped at one CPU here")
def test_a_killed_worker_fails_a_batch_read_in_spans(
    monkeypatch: pytest.MonkeyPatch, tmp_path: pathlib.Path
) -> None:
    import msgtemplates.batch

    if not _forks():
        pytest.skip("this process runs threads: workers start from a fork server, not spans")
    monkeypatch.setattr(msgtemplates.batch, "_BLOCK_BYTES", 4096)
    path = tmp_path / "big.jsonl"
    path.write_bytes(b"".join(line(request(requestId=f"R{i}")) for i in range(40_000)))
    verdicts = check_batch(path, jobs=2)
    next(verdicts)
    workers = multiprocessing.active_children()
    assert workers
    for worker in workers:
        os.kill(t.cast(int, worker.pid), signal.SIGKILL)
    with pytest.raises(MsgTemplatesError, match="worker"):
        for _ in verdicts:
            pass


@pytest.mark.parametrize("where", [0, 1, 2999, 4500])
def test_a_line_of_the_wrong_type_raises_after_the_lines_before_it_with_any_jobs(
    capfd: pytest.CaptureFixture[str], where: int
) -> None:
    # Over a block of lines, so that with jobs=2 a worker meets the bad line.
    items: list[object] = [line(request(requestId=f"R{i}")).decode() for i in range(5000)]
    items[where] = 42
    seen = {}
    for jobs in (1, 2):
        verdicts = check_batch(t.cast(list[str], items), jobs=jobs)
        got: list[BatchVerdict] = []
        with pytest.raises(TypeError, match="source lines must be bytes or str, got a int"):
            got.extend(verdicts)
        seen[jobs] = got
    assert len(seen[1]) == where
    assert seen[2] == seen[1]
    assert "Traceback" not in capfd.readouterr().err


class _Refusal(LookupError):
    """The exception of a catalog subclass's own code; it pickles."""


class _Unpicklable(Exception):
    """An exception a worker cannot send back as it is."""

    def __reduce__(self) -> t.Any:
        raise RuntimeError("does not pickle")


class _FailingCatalog(Catalog):
    """A catalog whose quick test raises on one requestId (a subclass's own bug)."""

    failure: type[Exception] = _Refusal

    def request_clean(self, payload: object, /, **kwargs: t.Any) -> bool:
        if type(payload) is dict and payload.get("requestId") == "R3000":
            raise self.failure("refused R3000")
        return super().request_clean(payload, **kwargs)


class _UnpicklablyFailingCatalog(_FailingCatalog):
    failure = _Unpicklable


@pytest.mark.parametrize(
    ("catalog_class", "raised", "message"),
    [
        (_FailingCatalog, _Refusal, "refused R3000"),
        # Serially the catalog's own exception; from a worker, what it was and said.
        (_UnpicklablyFailingCatalog, (_Unpicklable, MsgTemplatesError), "_Unpicklable|refused"),
    ],
)
def test_an_exception_in_the_check_stops_the_batch_at_its_line_with_any_jobs(
    capfd: pytest.CaptureFixture[str],
    catalog_class: type[Catalog],
    raised: type[Exception] | tuple[type[Exception], ...],
    message: str,
) -> None:
    # Over two blocks, so that with jobs=2 a worker (or the parent) meets line 3001.
    catalog = catalog_class.load(CATALOG)
    lines = [line(request(requestId=f"R{i}")) for i in range(5000)]
    seen = {}
    for jobs in (1, 2):
        got: list[BatchVerdict] = []
        with pytest.raises(raised, match=message):
            got.extend(check_batch(lines, catalog=catalog, jobs=jobs))
        seen[jobs] = got
    assert len(seen[1]) == 3000
    assert [v.line for v in seen[2]] == [v.line for v in seen[1]]
    assert "Traceback" not in capfd.readouterr().err


class LyingBytes(bytes):
    """A line whose every method a batch could call raises, pickling included."""

    def __getattribute__(self, name: str) -> t.Any:
        raise RuntimeError(f"lied about {name}")

    def __len__(self) -> int:
        raise RuntimeError("lied about len")

    def __reduce__(self) -> t.Any:
        raise RuntimeError("lied about pickling")


class LyingStr(str):
    __getattribute__ = LyingBytes.__getattribute__
    __len__ = LyingBytes.__len__
    __reduce__ = LyingBytes.__reduce__


def test_lines_of_lying_subclasses_and_buffers_are_read_as_their_text_with_any_jobs() -> None:
    text = line(request(requestId="R1"))
    items: list[t.Any] = [LyingBytes(text), LyingStr(text.decode()), memoryview(text)] * 2000
    items.append(bytearray(b"{}"))
    serial = summary(check_batch(items))
    assert len(serial) == len(items)
    assert serial[0][2] == []
    assert serial[1][2] == ["duplicateRequestId:warning"]
    assert summary(check_batch(items, jobs=2)) == serial
