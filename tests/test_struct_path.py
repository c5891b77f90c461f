"""The struct path of a batch (and of check_bytes) says "clean" exactly where the dict path does.

A batch that can be read again decodes each line with msgspec into Structs made from the request
schema (types, lengths and members checked in C) and asks a generated test the rest; whatever
that refuses takes the dict path (the fast parser, the generated dict test, ``check_request``).
So a line's verdict depends on the struct path only through one answer, "clean", and these
tests hold that answer to the dict path's on valid, broken and hostile lines, with a catalog
and without, and compare whole batches read both ways (a list of lines takes the struct path,
an iterator of the same lines cannot be read again and takes the dict path).
"""

from __future__ import annotations

import json
import pathlib
import typing as t

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from msgtemplates import Catalog, check_batch, check_bytes, check_request
from msgtemplates.batch import _fast_loads, parse_request
from msgtemplates.strategies import broken_requests, send_requests
from msgtemplates.validation import fastpath
from msgtemplates.validation.schema import Node

pytest.importorskip("msgspec")

EXAMPLES = pathlib.Path(__file__).resolve().parent.parent / "examples"
CATALOG = Catalog.load(EXAMPLES / "catalog")
STRUCT = fastpath.struct_test()
assert STRUCT is not None
DECODE, STRUCT_CLEAN = STRUCT
DICT_CLEAN = fastpath.request_test()
PARSE = _fast_loads()


def _struct_says(raw: bytes, catalog: Catalog | None) -> bool:
    try:
        decoded = DECODE(raw)
    except ValueError:
        return False
    return STRUCT_CLEAN(decoded) and (catalog is None or catalog._struct_clean(decoded, len(raw)))


def _dict_says(raw: bytes, catalog: Catalog | None) -> bool:
    try:
        payload = PARSE(raw)
    except ValueError:
        return False
    return DICT_CLEAN(payload) and (
        catalog is None or catalog.request_clean(payload, text_length=len(raw))
    )


_PAYLOADS = st.one_of(
    send_requests(),
    send_requests(CATALOG),
    broken_requests().map(lambda case: case[0]),
)


@settings(max_examples=400, deadline=None)
@given(_PAYLOADS, st.booleans(), st.booleans())
def test_the_struct_path_is_clean_exactly_where_the_dict_path_is(
    payload: object, ascii_only: bool, with_catalog: bool
) -> None:
    raw = json.dumps(payload, ensure_ascii=ascii_only).encode("utf-8", "surrogatepass")
    catalog = CATALOG if with_catalog else None
    says = _struct_says(raw, catalog)
    assert says == _dict_says(raw, catalog)
    if says:
        assert check_request(json.loads(raw), catalog=catalog) == []


_MEMBERS = ["appId", "accessToken", "requestId", "templateCode", "templates", "extendInfo"]
_ODD_VALUES = [
    "5",
    "null",
    '""',
    '"x"',
    "[]",
    "{}",
    '"\\u202e"',
    '"\\ud800"',
    "1e400",
    '"a\\u0000"',
]


@st.composite
def _hostile_lines(draw: st.DrawFn) -> bytes:
    """A valid request with a member repeated (before or after it) or an odd value spliced in."""
    payload = draw(send_requests(CATALOG))
    text = json.dumps(payload, ensure_ascii=draw(st.booleans()))
    name = draw(st.sampled_from(_MEMBERS))
    value = draw(st.sampled_from([*_ODD_VALUES, json.dumps(payload.get(name, "x"))]))
    spliced = f'"{name}": {value}'
    if draw(st.booleans()):
        return ("{" + spliced + ", " + text[1:]).encode("utf-8", "surrogatepass")
    return (text[:-1] + ", " + spliced + "}").encode("utf-8", "surrogatepass")


@settings(max_examples=300, deadline=None)
@given(_hostile_lines(), st.booleans())
def test_repeated_members_and_odd_values_are_clean_on_the_struct_path_only_if_on_the_dict_one(
    raw: bytes, with_catalog: bool
) -> None:
    # The Structs check every value of a repeated member, the dict keeps only the last: there
    # the struct path may refuse a line the dict path passes (which then decides), never the
    # other way round.
    catalog = CATALOG if with_catalog else None
    if _struct_says(raw, catalog):
        assert _dict_says(raw, catalog)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(_hostile_lines(), _PAYLOADS.map(json.dumps).map(str.encode)), max_size=8))
def test_a_batch_read_again_gives_the_verdicts_of_one_that_cannot_be(lines: list[bytes]) -> None:
    # Repeat the batch, so that every requestId repeats too.
    lines = lines + lines
    for catalog in (None, CATALOG):
        again = list(check_batch(lines, catalog=catalog))
        once = list(check_batch(iter(lines), catalog=catalog))
        assert again == once


@settings(max_examples=300, deadline=None)
@given(st.one_of(_hostile_lines(), _PAYLOADS.map(json.dumps).map(str.encode)), st.booleans())
def test_check_bytes_is_check_request_of_the_body_it_parses(raw: bytes, with_catalog: bool) -> None:
    catalog = CATALOG if with_catalog else None
    payload, invalid = parse_request(raw)
    expected = [invalid] if invalid is not None else check_request(payload, catalog=catalog)
    assert check_bytes(raw, catalog=catalog) == expected
    # A buffer of the same bytes takes the dict path alone, to the same answer.
    assert check_bytes(t.cast(bytes, bytearray(raw)), catalog=catalog) == expected


def test_check_bytes_refuses_what_is_not_bytes_or_a_catalog() -> None:
    body = json.dumps(json.loads((EXAMPLES / "send-request.json").read_text())).encode()
    assert check_bytes(body) == []
    with pytest.raises(TypeError, match="catalog must be"):
        check_bytes(body, catalog=t.cast(Catalog, 5))
    with pytest.raises(TypeError, match="data must be bytes"):
        check_bytes(t.cast(bytes, body.decode()))


def test_a_schema_part_the_structs_cannot_say_is_refused() -> None:
    writer = fastpath.StructPathWriter()
    for node in (
        Node(types=("integer",)),
        Node(types=("string", "null")),
        Node(types=("object",)),  # any members at all
        Node(types=("object",), properties={"a": Node(types=("string",))}),  # others allowed
    ):
        with pytest.raises(fastpath._Unsupported):
            writer.struct_type(node, "X")


def test_the_struct_paths_test_can_be_read() -> None:
    source = t.cast(str, fastpath.struct_source())
    assert source.startswith("def clean(payload):")
    assert "payload.requestId" in source
    # The generated test asks what the Structs cannot: languages and links.
    assert "_learn_language" in source
    assert "_learn_link" in source
