"""Response checks and Outcome: what a sendByAccessToken result means and what to do next."""

from __future__ import annotations

import dataclasses
import typing as t

from .errors import ResponseInvalid
from .problems import Problem
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


# The common result codes of the platform's OpenAPIs (DESIGN section 1), by code and status.
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
}

# Any other code: what its status alone says.
_BY_STATUS: dict[str, tuple[Retry | None, str]] = {
    "S": (None, "done: the message was sent"),
    "A": (None, "done for now: the wallet accepted the message; do not resend it"),
    "U": ("same-request", "the outcome is unknown: retry with the same requestId and body"),
    "F": (None, "the request failed: do not retry; see the result code"),
}


def check_response(payload: object, /) -> list[Problem]:
    """Every way a response departs from the documented shape, in payload order.

    Unknown members are tolerated (servers add fields) and never looked into.

    :param payload: the decoded JSON response; any Python object is accepted.
    :returns: the problems; empty for a well-formed response.

    >>> [p.code for p in check_response({"result": {"resultCode": "SUCCESS"}})]
    ['required']
    """
    return schema_problems("response", payload)


def interpret_response(payload: object, /) -> Outcome:
    """Read a response into an :class:`Outcome`, following the platform's result-code table.

    :param payload: the decoded JSON response.
    :returns: the outcome and the action to take.
    :raises ResponseInvalid: when the response is malformed; ``problems`` says how.

    >>> outcome = interpret_response(
    ...     {"result": {"resultCode": "EXPIRED_ACCESS_TOKEN", "resultStatus": "F"}}
    ... )
    >>> outcome.succeeded, outcome.retry
    (False, 'after-token-refresh')
    """
    problems = check_response(payload)
    if any(problem.severity == "error" for problem in problems):
        raise ResponseInvalid(problems)
    # The checks above guarantee the shape.
    result = _member(payload, "result")
    code = t.cast("str", _member(result, "resultCode"))
    status = t.cast("str", _member(result, "resultStatus"))
    message = _member(result, "resultMessage")
    retry, action = _KNOWN.get((code, status)) or _BY_STATUS[status]
    return Outcome(
        status=t.cast("Status", status),
        code=code,
        message=message if isinstance(message, str) else None,
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
    if isinstance(value, dict):
        for key, item in dict.items(value):
            if isinstance(key, str) and str.__str__(key) == name:
                return str.__str__(item) if isinstance(item, str) else item
    return None
