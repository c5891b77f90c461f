"""Response checks and Outcome: what a sendByAccessToken result means and what to do next."""

from __future__ import annotations

import dataclasses
import json
import typing as t

from . import problems as build
from .errors import ResponseInvalid
from .problems import Problem, quote
from .rules import is_dict, is_str
from .validation import schema_problems

__all__ = ["Outcome", "Retry", "Status", "check_response", "interpret_response"]

Status = t.Literal["S", "A", "U", "F"]
Retry = t.Literal["same-request", "after-backoff", "after-token-refresh"]


@dataclasses.dataclass(frozen=True, slots=True)
class Outcome:
    """What a response says happened, and what the caller does next.

    :param status: ``resultStatus``: ``"S"`` sent, ``"A"`` accepted, ``"U"`` unknown, ``"F"``
        failed.
    :param code: ``resultCode``, such as ``"SUCCESS"`` or ``"PARAM_ILLEGAL"``.
    :param message: ``resultMessage``, or ``None`` when the response has none.
    :param succeeded: the message was sent (status S).
    :param accepted: the wallet accepted the message (status A); do not resend it.
    :param retry: how to retry: ``"same-request"`` (same requestId and body),
        ``"after-backoff"`` (later, same requestId), ``"after-token-refresh"`` (apply for a new
        token, then resend), or ``None`` (do not retry).
    :param action: one sentence telling a person what to do.

    >>> outcome = interpret_response({"result": {"resultCode": "SUCCESS", "resultStatus": "S"}})
    >>> outcome.succeeded, outcome.retry, outcome.message
    (True, None, None)
    """

    status: Status
    code: str
    message: str | None
    succeeded: bool
    accepted: bool
    retry: Retry | None
    action: str


# The common result codes of the platform's OpenAPIs, by code and status.
_KNOWN: dict[tuple[str, str], tuple[Retry | None, str]] = {
    ("SUCCESS", "S"): (None, "done: the message was sent"),
    ("ACCEPT", "A"): (None, "done for now: the wallet accepted the message; do not resend it"),
    ("UNKNOWN_EXCEPTION", "U"): (
        "same-request",
        "the outcome is unknown: retry with the same requestId and the same body",
    ),
    ("REQUEST_TRAFFIC_EXCEED_LIMIT", "F"): (
        "after-backoff",
        "rate limited: retry later with backoff, reusing the same requestId",
    ),
    ("EXPIRED_ACCESS_TOKEN", "F"): (
        "after-token-refresh",
        "the access token expired: refresh it with applyToken, then resend",
    ),
    ("PARAM_ILLEGAL", "F"): (None, "the request has bad fields: fix it; never retry it as is"),
    ("ACCESS_DENIED", "F"): (None, "not allowed: fix the configuration; do not retry"),
    ("INVALID_API", "F"): (None, "wrong API: fix the configuration; do not retry"),
    ("PROCESS_FAIL", "F"): (None, "business failure: do not retry; a person needs to look"),
    ("INVALID_SIGNATURE", "F"): (
        None,
        "the signature did not verify: fix the key or the signing; do not retry as is",
    ),
    ("REPEAT_REQ_INCONSISTENT", "F"): (
        None,
        "this requestId came before with a different body: do not retry; a new message needs a "
        "new requestId",
    ),
}

# The status each known code comes with, for inconsistentResult.
_KNOWN_STATUS: dict[str, str] = dict(_KNOWN.keys())

# Any other code: what its status alone says, naming the code.
_BY_STATUS: dict[str, tuple[Retry | None, str]] = {
    "S": (None, "done: the message was sent (result code {code})"),
    "A": (
        None,
        "done for now: the wallet accepted the message (result code {code}); do not resend it",
    ),
    "U": (
        "same-request",
        "the outcome is unknown (result code {code}): retry with the same requestId and body",
    ),
    "F": (None, "the request failed with result code {code}: do not retry"),
}


def check_response(payload: object, /) -> list[Problem]:
    """Every way a response departs from the documented shape, in payload order.

    Unknown members are tolerated (servers add fields) and never looked into. A known
    ``resultCode`` whose status differs from ``resultStatus`` (``SUCCESS`` with ``F``) is an
    ``inconsistentResult`` warning.

    :param payload: the decoded JSON response; any Python object is accepted.
    :returns: the problems; empty for a well-formed response.

    >>> [p.code for p in check_response({"result": {"resultCode": "SUCCESS"}})]
    ['required']
    >>> [p.code for p in check_response({"result": {"resultCode": "SUCCESS", "resultStatus": "F"}})]
    ['inconsistentResult']
    """
    problems = schema_problems("response", payload)
    if not any(problem.severity == "error" for problem in problems):
        result = _member(payload, "result")
        code, status = _member(result, "resultCode"), _member(result, "resultStatus")
        expected = _KNOWN_STATUS.get(code) if is_str(code) else None
        if expected is not None and is_str(status) and status != expected:
            problems.append(
                build.inconsistent_result("/result/resultStatus", str(code), status, expected)
            )
    return problems


def interpret_response(payload: object, /) -> Outcome:
    """Read a response into an :class:`Outcome`, following the platform's result-code table.

    A code the table does not know gets its status's advice, with the code named.

    :param payload: the decoded JSON response, or its body as ``bytes`` or ``str`` JSON.
    :returns: the outcome and the action to take.
    :raises ResponseInvalid: when the response is malformed or not JSON; ``problems`` says how.

    >>> outcome = interpret_response(
    ...     {"result": {"resultCode": "EXPIRED_ACCESS_TOKEN", "resultStatus": "F"}}
    ... )
    >>> outcome.succeeded, outcome.retry
    (False, 'after-token-refresh')
    """
    if issubclass(type(payload), bytes | bytearray | memoryview | str):
        payload = _decode(t.cast("bytes | str", payload))
    problems = check_response(payload)
    if any(problem.severity == "error" for problem in problems):
        raise ResponseInvalid(problems)
    # The checks above guarantee the shape.
    result = _member(payload, "result")
    code = t.cast("str", _member(result, "resultCode"))
    status = t.cast("str", _member(result, "resultStatus"))
    message = _member(result, "resultMessage")
    known = _KNOWN.get((code, status))
    if known is None:
        retry, advice = _BY_STATUS[status]
        action = advice.format(code=quote(code))
    else:
        retry, action = known
    return Outcome(
        status=t.cast("Status", status),
        code=code,
        message=message if is_str(message) else None,
        succeeded=status == "S",
        accepted=status == "A",
        retry=retry,
        action=action,
    )


def _member(value: object, name: str) -> object:
    """A member of a checked object, found the way the checks found it; strings come out plain.

    Walking the items instead of indexing keeps a key's overridden ``__hash__`` or ``__eq__``
    out of the picture.
    """
    if is_dict(value):
        for key, item in dict.items(value):
            if is_str(key) and str.__str__(key) == name:
                return str.__str__(item) if is_str(item) else item
    return None


def _decode(body: bytes | bytearray | memoryview | str) -> object:
    """A response body as JSON, or :class:`ResponseInvalid` with an ``invalidJson`` problem."""
    try:
        text = body if is_str(body) else bytes(t.cast(bytes, body)).decode("utf-8")
    except UnicodeDecodeError as error:
        reason = f"byte {error.start + 1} is not UTF-8"
        raise ResponseInvalid([build.invalid_json("response", reason)]) from None
    try:
        return json.loads(text)
    except RecursionError:
        reason = "it nests arrays or objects too deeply"
    except json.JSONDecodeError as error:
        reason = f"{error.msg} at line {error.lineno}, column {error.colno}"
    except ValueError:
        reason = "a number has too many digits"
    raise ResponseInvalid([build.invalid_json("response", reason)])
