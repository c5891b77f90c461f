"""check_response, interpret_response and Outcome: the result-code table and malformed input."""

from __future__ import annotations

import math
import pickle
import typing as t

import pytest
from hypothesis import given
from hypothesis import strategies as st

from msgtemplates import Outcome, Problem, ResponseInvalid, check_response, interpret_response


def response(code: str, status: str, message: str | None = None) -> dict[str, t.Any]:
    result: dict[str, t.Any] = {"resultCode": code, "resultStatus": status}
    if message is not None:
        result["resultMessage"] = message
    return {"result": result}


@pytest.mark.parametrize(
    ("code", "status", "succeeded", "accepted", "retry"),
    [
        ("SUCCESS", "S", True, False, None),
        ("ACCEPT", "A", False, True, None),
        ("UNKNOWN_EXCEPTION", "U", False, False, "same-request"),
        ("REQUEST_TRAFFIC_EXCEED_LIMIT", "F", False, False, "after-backoff"),
        ("EXPIRED_ACCESS_TOKEN", "F", False, False, "after-token-refresh"),
        ("PARAM_ILLEGAL", "F", False, False, None),
        ("ACCESS_DENIED", "F", False, False, None),
        ("INVALID_API", "F", False, False, None),
        ("PROCESS_FAIL", "F", False, False, None),
        ("SOME_API_SPECIFIC_CODE", "U", False, False, "same-request"),
        ("SOME_API_SPECIFIC_CODE", "F", False, False, None),
        ("SOME_API_SPECIFIC_CODE", "S", True, False, None),
        ("SOME_API_SPECIFIC_CODE", "A", False, True, None),
    ],
)
def test_result_code_table(
    code: str, status: str, succeeded: bool, accepted: bool, retry: str | None
) -> None:
    outcome = interpret_response(response(code, status))
    assert (outcome.status, outcome.code) == (status, code)
    assert (outcome.succeeded, outcome.accepted, outcome.retry) == (succeeded, accepted, retry)
    assert outcome.action


@pytest.mark.parametrize(
    ("code", "status", "retry"),
    [
        # A known code under another status follows the rule for that status.
        ("EXPIRED_ACCESS_TOKEN", "U", "same-request"),
        ("UNKNOWN_EXCEPTION", "F", None),
    ],
)
def test_known_code_with_an_unexpected_status_follows_the_status(
    code: str, status: str, retry: str | None
) -> None:
    assert interpret_response(response(code, status)).retry == retry


def test_message_is_kept_when_present_and_none_when_absent() -> None:
    assert interpret_response(response("SUCCESS", "S", "success")).message == "success"
    assert interpret_response(response("SUCCESS", "S")).message is None


def test_api_page_sample_response_is_a_success() -> None:
    outcome = interpret_response({"result": {"resultCode": "SUCCESS", "resultStatus": "S"}})
    assert outcome == Outcome(
        status="S",
        code="SUCCESS",
        message=None,
        succeeded=True,
        accepted=False,
        retry=None,
        action=outcome.action,
    )


def test_outcome_is_frozen_and_pickles() -> None:
    outcome = interpret_response(response("ACCEPT", "A", "queued"))
    with pytest.raises(AttributeError):
        outcome.status = "S"  # type: ignore[misc]
    assert pickle.loads(pickle.dumps(outcome)) == outcome


def test_unknown_members_are_tolerated_and_not_walked() -> None:
    deep: dict[str, t.Any] = {}
    current = deep
    for _ in range(100_000):
        current["a"] = {}
        current = current["a"]
    payload = response("SUCCESS", "S")
    payload["traceId"] = "abc"
    payload["nested"] = deep
    payload["result"]["extra"] = [1, 2, math.nan]
    assert check_response(payload) == []
    assert interpret_response(payload).succeeded


def test_extend_info_is_checked() -> None:
    payload = response("SUCCESS", "S")
    payload["extendInfo"] = "x" * 4096
    assert check_response(payload) == []
    payload["extendInfo"] = "x" * 4097
    assert [(p.path, p.code) for p in check_response(payload)] == [("/extendInfo", "maxLength")]


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        ({}, [("/result", "required")]),
        ([], [("", "type")]),
        (None, [("", "type")]),
        ({"result": "SUCCESS"}, [("/result", "type")]),
        (
            {"result": {}},
            [("/result/resultCode", "required"), ("/result/resultStatus", "required")],
        ),
        ({"result": {"resultCode": "SUCCESS"}}, [("/result/resultStatus", "required")]),
        (response("SUCCESS", "X"), [("/result/resultStatus", "enum")]),
        (response("SUCCESS", "s"), [("/result/resultStatus", "enum")]),
        ({"result": {"resultCode": 0, "resultStatus": "S"}}, [("/result/resultCode", "type")]),
        ({"result": {"resultCode": "S", "resultStatus": True}}, [("/result/resultStatus", "enum")]),
        (response("X" * 65, "F"), [("/result/resultCode", "maxLength")]),
        (response("X", "F", "m" * 257), [("/result/resultMessage", "maxLength")]),
        (
            {"result": {"resultCode": "X", "resultStatus": "F", "resultMessage": None}},
            [("/result/resultMessage", "type")],
        ),
        ({"result": response("SUCCESS", "S"), "extendInfo": 5}, None),
    ],
)
def test_malformed_response_raises_with_its_problems(
    payload: object, expected: list[tuple[str, str]] | None
) -> None:
    problems = check_response(payload)
    if expected is not None:
        assert [(p.path, p.code) for p in problems] == expected
    assert problems
    with pytest.raises(ResponseInvalid) as caught:
        interpret_response(payload)
    assert caught.value.problems == problems
    assert isinstance(caught.value, ValueError)


@pytest.mark.parametrize(("code", "limit"), [("resultCode", 64), ("resultMessage", 256)])
def test_response_strings_at_their_limit_pass(code: str, limit: int) -> None:
    payload = response("SUCCESS", "S", "ok")
    payload["result"][code] = "x" * limit
    assert check_response(payload) == []


_ANY = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5) | st.binary(),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.sampled_from(["result", "resultCode", "resultStatus", "resultMessage", "extendInfo"])
            | st.text(max_size=3),
            inner,
            max_size=4,
        )
    ),
    max_leaves=10,
)


@given(_ANY | st.fixed_dictionaries({"result": _ANY}))
def test_any_value_is_checked_without_raising(payload: object) -> None:
    problems = check_response(payload)
    assert all(isinstance(p, Problem) for p in problems)
    if problems:
        with pytest.raises(ResponseInvalid):
            interpret_response(payload)
    else:
        assert interpret_response(payload).status in {"S", "A", "U", "F"}


def test_interpret_response_takes_the_body_as_bytes_or_str() -> None:
    body = '{"result": {"resultCode": "UNKNOWN_EXCEPTION", "resultStatus": "U"}}'
    for raw in (body, body.encode("utf-8"), bytearray(body.encode("utf-8"))):
        assert interpret_response(raw).retry == "same-request"


@pytest.mark.parametrize(
    "body", [b"", b"{", b"\xff", "[1,", b'{"result": 1e99999999}' * 0 + b"nul"]
)
def test_a_body_that_is_not_json_is_response_invalid(body: bytes | str) -> None:
    with pytest.raises(ResponseInvalid) as info:
        interpret_response(body)
    assert [p.code for p in info.value.problems] == ["invalidJson"]


def test_a_known_code_with_another_status_is_an_inconsistent_result() -> None:
    payload = {"result": {"resultCode": "SUCCESS", "resultStatus": "F"}}
    assert [(p.path, p.code, p.severity) for p in check_response(payload)] == [
        ("/result/resultStatus", "inconsistentResult", "warning")
    ]
    # The outcome follows resultStatus.
    assert interpret_response(payload).status == "F"


@pytest.mark.parametrize("code", ["INVALID_SIGNATURE", "REPEAT_REQ_INCONSISTENT"])
def test_signature_and_repeat_failures_are_never_retried(code: str) -> None:
    outcome = interpret_response({"result": {"resultCode": code, "resultStatus": "F"}})
    assert outcome.retry is None
    assert "do not retry" in outcome.action


@pytest.mark.parametrize(("status", "retry"), [("U", "same-request"), ("F", None), ("S", None)])
def test_an_unknown_code_gets_its_status_advice_naming_the_code(
    status: str, retry: str | None
) -> None:
    outcome = interpret_response({"result": {"resultCode": "QUOTA_GONE", "resultStatus": status}})
    assert outcome.retry == retry
    assert "QUOTA_GONE" in outcome.action
