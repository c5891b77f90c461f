"""Problem values and the quoting rules shared by every message."""

from __future__ import annotations

import dataclasses
import pickle

import pytest
from hypothesis import given
from hypothesis import strategies as st

from msgtemplates import Problem
from msgtemplates.problems import CODES, describe, escape_pointer, quote


def test_problem_is_frozen_hashable_and_pickles() -> None:
    problem = Problem("/templates/0/language", "languageTag", "bad tag", "warning")
    with pytest.raises(dataclasses.FrozenInstanceError):
        problem.code = "x"  # type: ignore[misc]
    assert {problem: 1}[Problem("/templates/0/language", "languageTag", "bad tag", "warning")] == 1
    assert pickle.loads(pickle.dumps(problem)) == problem


def test_problem_prints_pointer_severity_message_and_code() -> None:
    assert str(Problem("", "type", "a request is a JSON object")) == (
        "(root): error: a request is a JSON object [type]"
    )


def test_codes_are_camel_case() -> None:
    for code in CODES:
        assert code[0].islower()
        assert code.isalnum()


@pytest.mark.parametrize(
    ("token", "escaped"), [("a/b", "a~1b"), ("~", "~0"), ("~/", "~0~1"), ("plain", "plain")]
)
def test_pointer_tokens_are_escaped_per_rfc_6901(token: str, escaped: str) -> None:
    assert escape_pointer(token) == escaped


@given(st.text(), st.text(min_size=1))
def test_quote_never_shows_the_secret_and_never_exceeds_the_cut(value: str, secret: str) -> None:
    assert quote(value + secret + value, secret=secret) == '"***"'


@given(st.text())
def test_quote_is_bounded_single_line_and_encodable(value: str) -> None:
    shown = quote(value)
    assert "\n" not in shown
    assert "\u202e" not in shown
    shown.encode("utf-8")
    # 40 characters, each escaped to at most 10, plus the quotes.
    assert len(shown) <= 40 * 10 + 2


def test_quote_cuts_to_forty_characters() -> None:
    assert quote("a" * 40) == '"' + "a" * 40 + '"'
    assert quote("a" * 41) == '"' + "a" * 39 + '…"'


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, "null"),
        (True, "a boolean"),
        (1, "an integer"),
        (1.5, "a number"),
        ([], "an array"),
        ({}, "an object"),
        ("x", "a string"),
        (b"x", "a Python bytes object"),
    ],
)
def test_describe_names_json_types(value: object, expected: str) -> None:
    assert describe(value) == expected
