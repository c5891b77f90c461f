"""Problem values and the quoting rules shared by every message."""

from __future__ import annotations

import dataclasses
import pickle

import pytest
from hypothesis import example, given
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


def test_as_dict_gives_the_four_keys_for_json() -> None:
    import json

    problem = Problem("/a", "type", "msg", "warning")
    assert problem.as_dict() == {
        "path": "/a",
        "code": "type",
        "severity": "warning",
        "message": "msg",
    }
    assert json.loads(json.dumps(problem.as_dict()))["code"] == "type"


def test_str_of_a_problem_over_a_lone_surrogate_encodes_as_utf8() -> None:
    problem = Problem("/templates/0/templateParameters/\ud800x", "type", "bad \udfff value")
    str(problem).encode("utf-8")


def test_no_module_but_problems_builds_a_problem() -> None:
    # One builder per code: every message is worded in msgtemplates/problems.py.
    import ast
    import pathlib

    package = pathlib.Path(__file__).resolve().parent.parent / "msgtemplates"
    builders = []
    for path in package.rglob("*.py"):
        if path.name == "problems.py":
            continue
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Problem":
                builders.append(f"{path.name}:{node.lineno}")
    assert builders == []


def test_every_code_has_its_builder() -> None:
    from msgtemplates import problems

    made = set()
    for name in dir(problems):
        builder = getattr(problems, name)
        doc = getattr(builder, "__doc__", "") or ""
        if callable(builder) and doc.startswith("``"):
            made.add(doc[2 : doc.index("``", 2)])
    assert CODES - made == set()


@pytest.mark.parametrize(
    ("text", "secret"), [("xx*", "x*"), ("a***b", "a*"), ("tok tok", "tok"), ("###tok", "#tok")]
)
def test_masking_never_rebuilds_the_token(text: str, secret: str) -> None:
    from msgtemplates.problems import mask

    assert secret not in mask(text, secret)


@pytest.mark.parametrize(
    ("path", "secret", "masked"),
    [
        ("/templates/0/templateParameters/mytoken", "token", "/templates/0/templateParameters/***"),
        ("/appId", "app", "/appId"),
        ("/templates/0/language", "a", "/templates/0/language"),
        ("/a~1b", "a/b", "/***"),
        ("/x/y", "x/y", "/***/***"),
    ],
)
def test_a_pointer_segment_holding_the_token_prints_as_stars(
    path: str, secret: str, masked: str
) -> None:
    from msgtemplates.problems import mask_path

    assert mask_path(path, secret) == masked


def test_quote_checks_the_token_on_its_final_text() -> None:
    # Escaping a newline spells out the token.
    assert quote("a\nb", secret="\\x0a") == '"***"'
    assert quote("x" * 100, secret="x" * 50) == '"***"'


_TAG_TEXT = st.text(alphabet='en_USzh-Hant~/"\\ \u202e*', max_size=45)
_TAG_PATHS = st.sampled_from(["/templates/0/language", "/templates/4/language", "/x~1y~0/en_US"])
_TOKENS = st.text(alphabet='en_USzh-Hant~/"\\ \u202e*templgu0134xy', min_size=1, max_size=12)


@given(
    tag=_TAG_TEXT,
    other=st.one_of(st.none(), _TAG_TEXT),
    well_formed=st.booleans(),
    token=st.one_of(st.none(), _TOKENS),
    path=_TAG_PATHS,
)
# A token that escaping spells out of a tag which does not hold it ('"' is shown as '\\"').
@example(tag='en"US', other="en-US", well_formed=False, token="\\", path="/templates/0/language")
@example(tag='en"US', other=None, well_formed=False, token='\\"', path="/templates/0/language")
# A token in the pointer, escaped or not, and one the fixed names hold.
@example(tag="en_US", other="en-US", well_formed=False, token="y~", path="/x~1y~0/en_US")
@example(tag="en_US", other="en-US", well_formed=False, token="x/y", path="/x~1y~0/en_US")
@example(tag="en_US", other="en-US", well_formed=False, token="plat", path="/templates/0/language")
def test_a_kept_language_tag_problem_is_the_one_made_with_the_token_masked(
    tag: str, other: str | None, well_formed: bool, token: str | None, path: str
) -> None:
    from msgtemplates import problems

    canonical, suggestion = (other, None) if well_formed and other else (None, other)
    message, severity = problems._language_tag_message(tag, canonical, suggestion, token)
    made = problems.make(path, "languageTag", message, severity, secret=token)
    # Twice: the second call reads what the first one kept.
    for _ in range(2):
        problem = problems.language_tag(
            path, tag, canonical=canonical, suggestion=suggestion, secret=token
        )
        assert problem == made
