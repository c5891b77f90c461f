"""assert_sendable: a one-line test assertion that a request passes every check.

``msgtemplates.testing`` re-exports it; this module imports no test framework, so the pytest
plugin and users' own test helpers can use it without Hypothesis.
"""

from __future__ import annotations

import typing as t

from .problems import one_line
from .validation import check_request

if t.TYPE_CHECKING:
    from .catalog import Catalog

__all__ = ["assert_sendable"]


def assert_sendable(payload: object, /, catalog: Catalog | None = None) -> None:
    """Fail a test when a request has any error; warnings alone pass.

    The request is checked as :func:`~msgtemplates.check_request` checks it (with the
    catalog's checks when ``catalog`` is given). On any error, the :class:`AssertionError`
    lists every problem of the request, warnings included, one per line
    (``PATH: SEVERITY: message [code]``), so one failing run shows all there is to fix.

    :param payload: the request, as parsed JSON.
    :param catalog: the merchant's catalog, also accepted by keyword.
    :raises AssertionError: the request has at least one error.
    :raises TypeError: ``catalog`` is not a :class:`~msgtemplates.Catalog`.

    >>> assert_sendable({"appId": "app"})  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    AssertionError: the request is not sendable: 4 errors, 0 warnings
    /accessToken: error: ... [required]
    ...
    """
    __tracebackhide__ = True
    problems = check_request(payload, catalog=catalog)
    errors = sum(problem.severity == "error" for problem in problems)
    if not errors:
        return
    warnings = len(problems) - errors
    lines = [
        f"the request is not sendable: {errors} error{'' if errors == 1 else 's'}, "
        f"{warnings} warning{'' if warnings == 1 else 's'}"
    ]
    lines.extend(one_line(str(problem)) for problem in problems)
    raise AssertionError("\n".join(lines))
