"""Request validation: `check_request` against what users would otherwise call.

Run: ``python benchmarks/validation.py [--json OUT]``. Every candidate is timed in one process,
in interleaved rounds whose order rotates; each figure is the median over rounds of the time per
call, measured with :mod:`timeit` on the statement a user would write. The references:
``jsonschema.validate`` called each time (what most code does), a reused
``Draft202012Validator`` (``iter_errors``, every error), ``fastjsonschema`` compiled once (stops
at the first error) and ``jsonschema_rs`` (``is_valid``, a bare yes/no in Rust, and
``iter_errors``). DESIGN section 7: a valid typical request >= 50x faster than the reused
validator and within 4x of ``jsonschema_rs`` ``is_valid``; a request with three errors, every
problem reported, in <= 0.5x the reused validator's time.

``check_request`` remembers clean language tags and links between calls (bounded sets), as any
long-running sender would benefit from; the row "distinct link per call" shows the cost when
every request brings a link it has never seen (for context only, no target).
"""

from __future__ import annotations

import json
import sys
import typing as t

from timing import Candidates, finish, measure, parser, row

#: The API page's sample request plus a requestId, in two languages with three parameters each.
TYPICAL: dict[str, t.Any] = {
    "appId": "2171xxxxxxxxxxxx",
    "accessToken": "2019112719074101000700000077771xxxx",
    "requestId": "20191127190741010007013213123xxxx",
    "templateCode": "2021xxxxxxxxxxxxxxxxxxxxxxxxxxxx",
    "templates": [
        {
            "templateParameters": {
                "who": "string to represent a name, e.g. XiaoMing",
                "amount": "US$5.00",
                "pushContentUrl": "http://redirecturl",
            },
            "language": "en-US",
        },
        {
            "templateParameters": {
                "who": "小明",
                "amount": "5.00美元",
                "pushContentUrl": "http://redirecturl",
            },
            "language": "zh-CN",
        },
    ],
}


def three_errors() -> dict[str, t.Any]:
    """The typical request with three errors: no requestId, an appId too long, ``en_US``."""
    payload: dict[str, t.Any] = json.loads(json.dumps(TYPICAL))
    del payload["requestId"]
    payload["appId"] = "2171" * 9
    payload["templates"][0]["language"] = "en_US"
    return payload


def _schema() -> dict[str, t.Any]:
    from msgtemplates.validation import schema_text

    return t.cast("dict[str, t.Any]", json.loads(schema_text("request")))


def _candidates() -> tuple[Candidates, list[str]]:
    """Statement and namespace of each candidate, checked for the expected verdicts.

    :returns: the candidates, and one line for each optional reference that is not installed.
    """
    import itertools

    import jsonschema

    from msgtemplates import check_request

    schema = _schema()
    broken = three_errors()
    distinct: dict[str, t.Any] = json.loads(json.dumps(TYPICAL))
    # More distinct links than check_request remembers, so each one is new when it comes back.
    links = itertools.cycle([f"https://example.com/orders/{n}" for n in range(20_000)])
    namespace: dict[str, t.Any] = {
        "check_request": check_request,
        "validate": jsonschema.validate,
        "ValidationError": jsonschema.ValidationError,
        "schema": schema,
        "validator": jsonschema.Draft202012Validator(schema),
        "typical": TYPICAL,
        "broken": broken,
        "distinct": distinct,
        "params": distinct["templates"][0]["templateParameters"],
        "links": links,
        "next": next,
    }
    statements = {
        "ours, valid": "check_request(typical)",
        "validate, valid": "validate(typical, schema)",
        "iter_errors, valid": "list(validator.iter_errors(typical))",
        "ours, errors": "check_request(broken)",
        # validate() raises on the first (best) error, as callers use it.
        "validate, errors": "try:\n    validate(broken, schema)\nexcept ValidationError:\n    pass",
        "iter_errors, errors": "list(validator.iter_errors(broken))",
        "ours, distinct link": 'params["pushContentUrl"] = next(links); check_request(distinct)',
        "iter_errors, distinct link": (
            'params["pushContentUrl"] = next(links); list(validator.iter_errors(distinct))'
        ),
    }
    missing = []
    try:
        import fastjsonschema
    except ImportError:
        missing.append("fastjsonschema is not installed (pip install 'msgtemplates[bench]')")
    else:
        namespace["fast"] = fastjsonschema.compile(schema)
        namespace["FastError"] = fastjsonschema.JsonSchemaValueException
        statements["fastjsonschema, valid"] = "fast(typical)"
        statements["fastjsonschema, errors"] = "try:\n    fast(broken)\nexcept FastError:\n    pass"
    try:
        import jsonschema_rs
    except ImportError:
        missing.append("jsonschema_rs is not installed (pip install 'msgtemplates[bench]')")
    else:
        namespace["rs"] = jsonschema_rs.validator_for(schema)
        statements["jsonschema_rs is_valid, valid"] = "rs.is_valid(typical)"
        statements["jsonschema_rs iter_errors, errors"] = "list(rs.iter_errors(broken))"
    _check_verdicts(namespace)
    return {name: (statement, namespace) for name, statement in statements.items()}, missing


def _check_verdicts(namespace: dict[str, t.Any]) -> None:
    """Every candidate must give the verdict it is timed for, or the comparison is void."""
    ours = namespace["check_request"]
    if ours(TYPICAL) != []:
        raise AssertionError("check_request finds problems in the typical request")
    found = sorted(problem.code for problem in ours(namespace["broken"]))
    if found != ["languageTag", "maxLength", "required"]:
        raise AssertionError(f"check_request found {found}, not the three errors")
    if len(list(namespace["validator"].iter_errors(namespace["broken"]))) != 3:
        raise AssertionError("jsonschema does not find the three errors")
    if list(namespace["validator"].iter_errors(TYPICAL)):
        raise AssertionError("jsonschema rejects the typical request")
    if "fast" in namespace:
        namespace["fast"](TYPICAL)
        try:
            namespace["fast"](namespace["broken"])
        except namespace["FastError"]:
            pass
        else:
            raise AssertionError("fastjsonschema accepts the broken request")
    if "rs" in namespace:
        if not namespace["rs"].is_valid(TYPICAL):
            raise AssertionError("jsonschema_rs rejects the typical request")
        if len(list(namespace["rs"].iter_errors(namespace["broken"]))) != 3:
            raise AssertionError("jsonschema_rs does not find the three errors")


#: (our candidate, the row's name) then (reference candidate, its label, target or None).
_ROWS: list[tuple[tuple[str, str], list[tuple[str, str, float | None]]]] = [
    (
        ("ours, valid", "check_request, valid typical request"),
        [
            ("validate, valid", "jsonschema.validate (each call)", None),
            ("iter_errors, valid", "jsonschema iter_errors (reused validator)", 0.02),
            ("fastjsonschema, valid", "fastjsonschema (compiled once)", None),
            ("jsonschema_rs is_valid, valid", "jsonschema_rs is_valid", 4.0),
        ],
    ),
    (
        ("ours, errors", "check_request, request with 3 errors"),
        [
            ("validate, errors", "jsonschema.validate (each call, first error)", None),
            ("iter_errors, errors", "jsonschema iter_errors (reused validator)", 0.5),
            ("fastjsonschema, errors", "fastjsonschema (compiled once, first error)", None),
            ("jsonschema_rs iter_errors, errors", "jsonschema_rs iter_errors", None),
        ],
    ),
    (
        ("ours, distinct link", "check_request, valid, new link every call"),
        [("iter_errors, distinct link", "jsonschema iter_errors (reused validator)", None)],
    ),
]


def run() -> list[dict[str, t.Any]]:
    """Time every candidate; one dict per comparison, ratios as ours / reference.

    Rows whose ``target`` is ``None`` are for context only. Without ``fastjsonschema`` or
    ``jsonschema_rs`` their rows are left out and a line on standard error says so.
    """
    candidates, missing = _candidates()
    for why in missing:
        print(f"validation: reference skipped: {why}", file=sys.stderr)
    seconds = measure(candidates)
    rows = []
    for (ours, name), references in _ROWS:
        for key, label, target in references:
            if key in seconds:
                rows.append(row(name, seconds[ours], label, seconds[key], target))
    return rows


def main() -> int:
    """Print the table with targets and verdicts; optionally write the rows as JSON."""
    return finish(run(), parser(__doc__).parse_args().json)


if __name__ == "__main__":
    sys.exit(main())
