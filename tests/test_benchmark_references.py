"""The benchmarks' references (benchmarks/references.py) say what check_request says.

A benchmark against pydantic or msgspec means something only if their model accepts and refuses
the same requests. The table holds what all three can say; the rules only msgtemplates knows
(duplicate or unknown languages, unsafe links, lone surrogates) are left out, as
``benchmarks/references.py`` explains.
"""

from __future__ import annotations

import copy
import importlib.util
import json
import pathlib
import sys
import types
import typing as t

import pytest

from msgtemplates import check_request
from msgtemplates.validation import schema_text

_PATH = pathlib.Path(__file__).resolve().parent.parent / "benchmarks" / "references.py"


def _load_references() -> types.ModuleType:
    spec = importlib.util.spec_from_file_location("benchmark_references", _PATH)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    # pydantic resolves the model's annotations in the module's globals, found by its name.
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


references = _load_references()

_BASE: dict[str, t.Any] = {
    "appId": "2171000000000001",
    "accessToken": "2019112719074101000700000077771abcd",
    "requestId": "REQ000000000001",
    "templateCode": "TP_PAYMENT_SUCCESS",
    "templates": [
        {
            "language": "en-US",
            "templateParameters": {
                "who": "XiaoMing",
                "amount": "US$5.00",
                "pushContentUrl": "https://example.com/orders/1",
            },
        },
        {
            "language": "zh-CN",
            "templateParameters": {
                "who": "小明",
                "amount": "5.00美元",
                "pushContentUrl": "https://example.com/orders/1",
            },
        },
    ],
}

_LANGUAGES = ["en-US", "zh-CN", "zh-HK", "th-TH", "id-ID", "ms-MY"]


def _request(**changes: t.Any) -> dict[str, t.Any]:
    """The base request with members replaced; a value of ``...`` removes the member."""
    payload = copy.deepcopy(_BASE)
    for name, value in changes.items():
        if value is ...:
            del payload[name]
        else:
            payload[name] = value
    return payload


def _template(**changes: t.Any) -> dict[str, t.Any]:
    """The base request with its first content template's members replaced (``...`` removes)."""
    payload = copy.deepcopy(_BASE)
    for name, value in changes.items():
        if value is ...:
            del payload["templates"][0][name]
        else:
            payload["templates"][0][name] = value
    return payload


def _parameters(**values: object) -> dict[str, t.Any]:
    payload = copy.deepcopy(_BASE)
    payload["templates"][0]["templateParameters"].update(values)
    return payload


def _templates(count: int) -> dict[str, t.Any]:
    return _request(templates=[{"language": tag} for tag in _LANGUAGES[:count]])


#: (name, request, valid?)
CASES: list[tuple[str, object, bool]] = [
    ("typical request", _request(), True),
    ("one template, no parameters", _templates(1), True),
    ("empty templateParameters", _template(templateParameters={}), True),
    ("language in lower case (a warning only)", _template(language="en-us"), True),
    ("three-letter language", _template(language="fil-PH"), True),
    ("script and numeric region", _template(language="zh-Hant-HK"), True),
    ("appId of 32", _request(appId="1" * 32), True),
    ("appId of 33", _request(appId="1" * 33), False),
    ("appId empty", _request(appId=""), False),
    ("appId of 32 astral code points (a UTF-16 warning only)", _request(appId="😀" * 32), True),
    ("appId of 33 astral code points", _request(appId="😀" * 33), False),
    ("accessToken of 128", _request(accessToken="t" * 128), True),
    ("accessToken of 129", _request(accessToken="t" * 129), False),
    ("accessToken empty", _request(accessToken=""), False),
    ("requestId of 64", _request(requestId="r" * 64), True),
    ("requestId of 65", _request(requestId="r" * 65), False),
    ("requestId empty", _request(requestId=""), False),
    ("templateCode of 64", _request(templateCode="T" * 64), True),
    ("templateCode of 65", _request(templateCode="T" * 65), False),
    ("templateCode empty", _request(templateCode=""), False),
    ("extendInfo empty", _request(extendInfo=""), True),
    ("extendInfo of 4096", _request(extendInfo="x" * 4096), True),
    ("extendInfo of 4097", _request(extendInfo="x" * 4097), False),
    ("extendInfo null", _request(extendInfo=None), False),
    ("extendInfo a number", _request(extendInfo=1), False),
    ("no requestId", _request(requestId=...), False),
    ("no templates", _request(templates=...), False),
    ("0 templates", _templates(0), False),
    ("5 templates", _templates(5), True),
    ("6 templates", _templates(6), False),
    ("extra member at the root", _request(userId="u1"), False),
    ("extra member in a content template", _template(title="Hi"), False),
    ("no language", _template(language=...), False),
    ("language with an underscore", _template(language="en_US"), False),
    ("language with a trailing newline", _template(language="en-US\n"), False),
    ("language a word", _template(language="english"), False),
    ("language empty", _template(language=""), False),
    ("language with a five-letter subtag", _template(language="en-Latnx"), False),
    ("language null", _template(language=None), False),
    ("language a number", _template(language=1), False),
    ("appId a number", _request(appId=2171), False),
    ("appId null", _request(appId=None), False),
    ("appId true", _request(appId=True), False),
    ("templates an object", _request(templates={"language": "en-US"}), False),
    ("templates a string", _request(templates="en-US"), False),
    ("a content template a string", _request(templates=["en-US"]), False),
    ("templateParameters a list", _template(templateParameters=["a"]), False),
    ("templateParameters null", _template(templateParameters=None), False),
    ("a parameter a number", _parameters(amount=5), False),
    ("a parameter null", _parameters(amount=None), False),
    ("a parameter an object", _parameters(amount={"value": "5"}), False),
    ("the request a list", [_request()], False),
    ("the request null", None, False),
    (
        "three errors",
        _request(requestId=..., appId="2171" * 9, templates=[{"language": "en_US"}]),
        False,
    ),
]

_IDS = [name for name, _, _ in CASES]


def _valid_for_us(payload: object) -> bool:
    return not any(problem.severity == "error" for problem in check_request(payload))


@pytest.mark.parametrize(("payload", "valid"), [case[1:] for case in CASES], ids=_IDS)
def test_check_request_gives_the_verdict_of_the_table(payload: object, valid: bool) -> None:
    assert _valid_for_us(payload) is valid


@pytest.mark.parametrize(("payload", "valid"), [case[1:] for case in CASES], ids=_IDS)
def test_msgspec_struct_agrees_with_check_request(payload: object, valid: bool) -> None:
    msgspec = pytest.importorskip("msgspec")
    struct = references.msgspec_request()
    try:
        msgspec.convert(payload, struct)
    except msgspec.ValidationError:
        converted = False
    else:
        converted = True
    try:
        msgspec.json.decode(json.dumps(payload).encode(), type=struct)
    except msgspec.ValidationError:
        decoded = False
    else:
        decoded = True
    assert (converted, decoded) == (valid, valid)


@pytest.mark.parametrize(("payload", "valid"), [case[1:] for case in CASES], ids=_IDS)
def test_pydantic_model_agrees_with_check_request(payload: object, valid: bool) -> None:
    pydantic = pytest.importorskip("pydantic")
    model = references.pydantic_request()
    try:
        model.model_validate(payload)
    except pydantic.ValidationError:
        validated = False
    else:
        validated = True
    try:
        model.model_validate_json(json.dumps(payload).encode())
    except pydantic.ValidationError:
        parsed = False
    else:
        parsed = True
    assert (validated, parsed) == (valid, valid)


def test_pydantic_reports_each_of_three_errors_as_check_request_does() -> None:
    pydantic = pytest.importorskip("pydantic")
    payload = next(request for name, request, _ in CASES if name == "three errors")
    ours = [problem for problem in check_request(payload) if problem.severity == "error"]
    with pytest.raises(pydantic.ValidationError) as caught:
        references.pydantic_request().model_validate(payload)
    assert len(caught.value.errors()) == len(ours) == 3


def test_msgspec_pattern_is_the_schemas_own() -> None:
    schema = json.loads(schema_text("request"))
    language = schema["$defs"]["ContentTemplate"]["properties"]["language"]
    assert language["pattern"] == references.LANGUAGE_PATTERN


@pytest.mark.parametrize(
    "tag", ["en-US", "zh-Hant-HK", "es-419", "en-US\n", "en_US", "e", "en-USA", "\nen-US"]
)
def test_pydantic_pattern_matches_the_same_tags_as_the_schemas(tag: str) -> None:
    import re

    pydantic = pytest.importorskip("pydantic")
    check = pydantic.TypeAdapter(
        t.Annotated[str, pydantic.StringConstraints(pattern=references.PYDANTIC_LANGUAGE_PATTERN)]
    )
    try:
        check.validate_python(tag)
    except pydantic.ValidationError:
        matched = False
    else:
        matched = True
    assert matched is (re.search(references.LANGUAGE_PATTERN, tag) is not None)


#: Errors only msgtemplates reports, which is why the table above leaves them out.
BEYOND_REFERENCES: list[tuple[str, object, str]] = [
    (
        "a language twice",
        _request(templates=[{"language": "en-US"}, {"language": "en-US"}]),
        "duplicateLanguage",
    ),
    ("a language CLDR lacks", _template(language="xx-XX"), "unknownLanguage"),
    ("a javascript: link", _parameters(pushContentUrl="javascript:alert(1)"), "unsafeUrl"),
]


@pytest.mark.parametrize(
    ("payload", "code"),
    [case[1:] for case in BEYOND_REFERENCES],
    ids=[case[0] for case in BEYOND_REFERENCES],
)
def test_references_accept_what_only_the_api_rules_refuse(payload: object, code: str) -> None:
    msgspec = pytest.importorskip("msgspec")
    pytest.importorskip("pydantic")
    errors = [problem.code for problem in check_request(payload) if problem.severity == "error"]
    msgspec.convert(payload, references.msgspec_request())
    references.pydantic_request().model_validate(payload)
    assert errors == [code]
