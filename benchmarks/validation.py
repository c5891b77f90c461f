"""Request validation: `check_request` against what users would otherwise call.

Run: ``python benchmarks/validation.py [--quick] [--json OUT]``. Every candidate is timed in one
process, in interleaved rounds whose order rotates; each figure is the median over rounds of the
time per call, measured with :mod:`timeit` on the statement a user would write.

The references (``benchmarks/references.py`` holds the two models): ``msgspec.convert`` into an
equivalent ``Struct`` and pydantic v2 ``model_validate`` of an equivalent model (strict, no
extra members, the same limits), ``jsonschema_rs`` (``is_valid``, a bare yes/no in Rust, and
``iter_errors``), ``jsonschema`` with a reused validator and ``fastjsonschema`` compiled once.

Targets:

- a valid typical request (2 templates x 3 parameters) as a dict: faster than ``msgspec.convert``,
  within 2x of ``jsonschema_rs`` ``is_valid``;
- the same with ``catalog=``: at most 2x the time without one. The request is the project's
  example, ``examples/send-request.json`` (3 templates x 4 parameters, valid against
  ``examples/catalog``), timed with and without the catalog;
- a request with three errors, every problem reported: no slower than pydantic reporting all
  its errors (``ValidationError.errors()``).

Context rows (no target): the same from JSON bytes (``json.loads`` + ``check_request`` against
``msgspec.json.decode`` into the Struct and pydantic's ``model_validate_json``),
``jsonschema_rs`` ``iter_errors`` on the three-error request, and a valid request whose link is
new on every call (``check_request`` remembers clean language tags and links in bounded sets).
"""

from __future__ import annotations

import itertools
import json
import pathlib
import string
import sys
import typing as t

from timing import (
    QUICK_ROUNDS,
    ROUNDS,
    Candidates,
    finish,
    measure,
    parser,
    row,
    unmeasured,
)

HERE = pathlib.Path(__file__).resolve().parent
EXAMPLES = HERE.parent / "examples"

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

#: The three errors of :func:`three_errors`, as check_request codes them.
THREE_CODES = ["languageTag", "maxLength", "required"]


def three_errors() -> dict[str, t.Any]:
    """The typical request with three errors: no requestId, an appId too long, ``en_US``."""
    payload: dict[str, t.Any] = json.loads(json.dumps(TYPICAL))
    del payload["requestId"]
    payload["appId"] = "2171" * 9
    payload["templates"][0]["language"] = "en_US"
    return payload


def _varied_errors(count: int) -> list[dict[str, t.Any]]:
    """``count`` requests with the three errors of :func:`three_errors`, each with its own
    appId length and its own malformed tag: more than check_request keeps of either, so that
    each problem is made afresh when its request comes back."""
    letters = string.ascii_lowercase
    requests = []
    for n in range(count):
        payload = three_errors()
        payload["appId"] = "x" * (33 + n)
        a, b, c, d = (letters[(n // 26**k) % 26] for k in range(4))
        payload["templates"][0]["language"] = f"{a}{b}_{c.upper()}{d.upper()}"
        requests.append(payload)
    return requests


def _schema() -> dict[str, t.Any]:
    from msgtemplates.validation import schema_text

    return t.cast("dict[str, t.Any]", json.loads(schema_text("request")))


def _pydantic_errors(model: t.Any, payload: object, error: type[Exception]) -> list[t.Any]:
    try:
        model.model_validate(payload)
    except error as caught:
        return t.cast("list[t.Any]", caught.errors())  # type: ignore[attr-defined]
    return []


def _candidates() -> tuple[Candidates, dict[str, t.Any], list[str]]:
    """Statement and namespace of each candidate, checked for the expected verdicts.

    :returns: the candidates, their namespace, and one line for each optional reference that
        is not installed.
    """
    import jsonschema

    import msgtemplates
    from msgtemplates import Catalog, check_request

    schema = _schema()
    broken = three_errors()
    distinct: dict[str, t.Any] = json.loads(json.dumps(TYPICAL))
    # More distinct links than check_request remembers, so each one is new when it comes back.
    links = itertools.cycle([f"https://example.com/orders/{n}" for n in range(20_000)])
    example = json.loads((EXAMPLES / "send-request.json").read_text("utf-8"))
    namespace: dict[str, t.Any] = {
        "check_request": check_request,
        "loads": json.loads,
        "catalog": Catalog.load(EXAMPLES / "catalog"),
        "example": example,
        "validator": jsonschema.Draft202012Validator(schema),
        "typical": TYPICAL,
        "typical_bytes": json.dumps(TYPICAL, ensure_ascii=False).encode(),
        "broken": broken,
        "distinct": distinct,
        "params": distinct["templates"][0]["templateParameters"],
        "links": links,
        "next": next,
        "broken_cycle": itertools.cycle(_varied_errors(5_000)),
    }
    statements = {
        "ours, valid": "check_request(typical)",
        "ours, example": "check_request(example)",
        "ours, example with catalog": "check_request(example, catalog=catalog)",
        "ours, errors": "check_request(broken)",
        "ours, varied errors": "check_request(next(broken_cycle))",
        "ours, bytes": "check_request(loads(typical_bytes))",
        "json.loads, bytes": "loads(typical_bytes)",
        "iter_errors, valid": "list(validator.iter_errors(typical))",
        "iter_errors, errors": "list(validator.iter_errors(broken))",
        "ours, distinct link": 'params["pushContentUrl"] = next(links); check_request(distinct)',
    }
    if hasattr(msgtemplates, "check_bytes"):
        namespace["check_bytes"] = msgtemplates.check_bytes
        statements["check_bytes, bytes"] = "check_bytes(typical_bytes)"
    missing = []
    try:
        import msgspec
        from references import msgspec_request
    except ImportError:
        missing.append("msgspec is not installed (pip install 'msgtemplates[bench]')")
    else:
        namespace["convert"] = msgspec.convert
        namespace["Struct"] = msgspec_request()
        namespace["decode"] = msgspec.json.Decoder(msgspec_request()).decode
        statements["msgspec.convert, valid"] = "convert(typical, Struct)"
        statements["msgspec decode, bytes"] = "decode(typical_bytes)"
        statements["msgspec.convert, distinct link"] = (
            'params["pushContentUrl"] = next(links); convert(distinct, Struct)'
        )
    try:
        import pydantic
        from references import pydantic_request
    except ImportError:
        missing.append("pydantic is not installed (pip install 'msgtemplates[bench]')")
    else:
        namespace["Model"] = pydantic_request()
        namespace["PydanticError"] = pydantic.ValidationError
        statements["pydantic, valid"] = "Model.model_validate(typical)"
        statements["pydantic, bytes"] = "Model.model_validate_json(typical_bytes)"
        statements["pydantic, errors"] = (
            "try:\n    Model.model_validate(broken)\nexcept PydanticError as e:\n    e.errors()"
        )
        statements["pydantic, varied errors"] = (
            "try:\n    Model.model_validate(next(broken_cycle))\n"
            "except PydanticError as e:\n    e.errors()"
        )
    try:
        import fastjsonschema
    except ImportError:
        missing.append("fastjsonschema is not installed (pip install 'msgtemplates[bench]')")
    else:
        namespace["fast"] = fastjsonschema.compile(schema)
        statements["fastjsonschema, valid"] = "fast(typical)"
    try:
        import jsonschema_rs
    except ImportError:
        missing.append("jsonschema_rs is not installed (pip install 'msgtemplates[bench]')")
    else:
        namespace["rs"] = jsonschema_rs.validator_for(schema)
        statements["jsonschema_rs is_valid, valid"] = "rs.is_valid(typical)"
        statements["jsonschema_rs iter_errors, errors"] = "list(rs.iter_errors(broken))"
    _check_verdicts(namespace)
    candidates = {name: (statement, namespace) for name, statement in statements.items()}
    return candidates, namespace, missing


def _check_verdicts(namespace: dict[str, t.Any]) -> None:
    """Every reference must give the verdict it is timed for, or the comparison is void.

    Our own verdicts are not checked here: a wrong one shows as a missed target (see
    :func:`_reported`), so that the rest of the table is still measured.
    """
    broken = namespace["broken"]
    if len(list(namespace["validator"].iter_errors(broken))) != 3:
        raise AssertionError("jsonschema does not find the three errors")
    if list(namespace["validator"].iter_errors(TYPICAL)):
        raise AssertionError("jsonschema rejects the typical request")
    if "Struct" in namespace:
        namespace["convert"](TYPICAL, namespace["Struct"])
        namespace["decode"](namespace["typical_bytes"])
    if "Model" in namespace:
        namespace["Model"].model_validate(TYPICAL)
        namespace["Model"].model_validate_json(namespace["typical_bytes"])
        errors = _pydantic_errors(namespace["Model"], broken, namespace["PydanticError"])
        if len(errors) != 3:
            raise AssertionError(f"pydantic reports {len(errors)} errors, not the three")
    if "fast" in namespace:
        namespace["fast"](TYPICAL)
    if "rs" in namespace:
        if not namespace["rs"].is_valid(TYPICAL):
            raise AssertionError("jsonschema_rs rejects the typical request")
        if len(list(namespace["rs"].iter_errors(broken))) != 3:
            raise AssertionError("jsonschema_rs does not find the three errors")


def _reported(namespace: dict[str, t.Any]) -> dict[str, str | None]:
    """For each of our candidates, why its verdict is wrong, or None when it is right."""
    ours = namespace["check_request"]

    def errors(payload: object, **options: t.Any) -> list[str]:
        return sorted(p.code for p in ours(payload, **options) if p.severity == "error")

    wrong: dict[str, str | None] = {
        "ours, valid": None,
        "ours, example": None,
        "ours, example with catalog": None,
        "ours, errors": None,
    }
    if errors(TYPICAL):
        wrong["ours, valid"] = f"check_request finds {errors(TYPICAL)} in the typical request"
    if errors(namespace["example"]):
        wrong["ours, example"] = "check_request finds errors in examples/send-request.json"
    with_catalog = errors(namespace["example"], catalog=namespace["catalog"])
    if with_catalog:
        wrong["ours, example with catalog"] = (
            f"check_request finds {with_catalog} in the example with examples/catalog"
        )
    found = errors(namespace["broken"])
    if found != THREE_CODES:
        wrong["ours, errors"] = f"check_request reports {found}, not every one of {THREE_CODES}"
    return wrong


#: (our candidate, the row's name, the reference candidate, its label, target, strictly)
_ROWS: list[tuple[str, str, str, str, float | None, bool]] = [
    (
        "ours, valid",
        "check_request, valid typical request (dict)",
        "msgspec.convert, valid",
        "msgspec.convert to the Struct",
        1.0,
        True,
    ),
    (
        "ours, valid",
        "check_request, valid typical request (dict)",
        "jsonschema_rs is_valid, valid",
        "jsonschema_rs is_valid",
        2.0,
        False,
    ),
    (
        "ours, valid",
        "check_request, valid typical request (dict)",
        "pydantic, valid",
        "pydantic model_validate",
        None,
        False,
    ),
    (
        "ours, valid",
        "check_request, valid typical request (dict)",
        "fastjsonschema, valid",
        "fastjsonschema (compiled once)",
        None,
        False,
    ),
    (
        "ours, valid",
        "check_request, valid typical request (dict)",
        "iter_errors, valid",
        "jsonschema iter_errors (reused validator)",
        None,
        False,
    ),
    (
        "ours, example with catalog",
        "check_request, example request, catalog=",
        "ours, example",
        "the same without a catalog",
        2.0,
        False,
    ),
    (
        "ours, errors",
        "check_request, request with 3 errors",
        "pydantic, errors",
        "pydantic, all errors (.errors())",
        1.0,
        False,
    ),
    (
        "ours, varied errors",
        "check_request, 3 errors, new values each call",
        "pydantic, varied errors",
        "pydantic, all errors, the same requests",
        None,
        False,
    ),
    (
        "ours, errors",
        "check_request, request with 3 errors",
        "jsonschema_rs iter_errors, errors",
        "jsonschema_rs iter_errors",
        None,
        False,
    ),
    (
        "ours, errors",
        "check_request, request with 3 errors",
        "iter_errors, errors",
        "jsonschema iter_errors (reused validator)",
        None,
        False,
    ),
    (
        "ours, bytes",
        "json.loads + check_request, valid, from bytes",
        "msgspec decode, bytes",
        "msgspec.json.decode to the Struct",
        None,
        False,
    ),
    (
        "ours, bytes",
        "json.loads + check_request, valid, from bytes",
        "pydantic, bytes",
        "pydantic model_validate_json",
        None,
        False,
    ),
    (
        "ours, bytes",
        "json.loads + check_request, valid, from bytes",
        "json.loads, bytes",
        "json.loads alone",
        None,
        False,
    ),
    (
        "check_bytes, bytes",
        "check_bytes, valid, from bytes",
        "msgspec decode, bytes",
        "msgspec.json.decode to the Struct",
        None,
        False,
    ),
    (
        "ours, distinct link",
        "check_request, valid, new link every call",
        "msgspec.convert, distinct link",
        "msgspec.convert to the Struct",
        None,
        False,
    ),
]


def run(*, quick: bool = False) -> list[dict[str, t.Any]]:
    """Time every candidate; one dict per comparison, ratios as ours / reference.

    Rows whose ``target`` is ``None`` are for context only. Without a reference library its
    context rows are left out, its target rows show ``n/a``, and a line on standard error says
    so. A row of ours whose verdict is
    wrong (problems missed or invented) is a miss, with the reason in ``note``.

    :param quick: fewer rounds.
    """
    candidates, namespace, missing = _candidates()
    for why in missing:
        print(f"validation: reference skipped: {why}", file=sys.stderr)
    wrong = _reported(namespace)
    seconds = measure(candidates, rounds=QUICK_ROUNDS if quick else ROUNDS)
    rows = []
    for ours, name, key, label, target, strictly in _ROWS:
        if ours not in seconds or key not in seconds:
            if target is not None:
                rows.append(unmeasured(name, label, target, "the reference is not installed"))
            continue
        made = row(name, seconds[ours], label, seconds[key], target, strictly=strictly)
        fault = wrong.get(ours)
        if fault is not None:
            made["note"] = fault
            if target is not None:
                made["met"] = False
        rows.append(made)
    return rows


def main() -> int:
    """Print the table with targets and verdicts; optionally write the rows as JSON."""
    args = parser(__doc__).parse_args()
    return finish(run(quick=args.quick), args.json)


if __name__ == "__main__":
    sys.exit(main())
