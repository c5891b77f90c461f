"""The shipped JSON Schemas: valid draft 2020-12 documents that state the documented limits."""

from __future__ import annotations

import json
import pathlib
import typing as t

import jsonschema
import pytest

from msgtemplates.validation import schema_text

ROOT = pathlib.Path(__file__).resolve().parent.parent / "schemas"


@pytest.mark.parametrize("name", ["request", "response"])
def test_schema_is_valid_draft_2020_12_with_id_and_title(name: str) -> None:
    schema = json.loads(schema_text(name))  # type: ignore[arg-type]
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"].endswith(f"send-{name}.schema.json")
    assert schema["title"]
    assert all(sub.get("description") for sub in schema["properties"].values())


@pytest.mark.parametrize("name", ["request", "response"])
def test_schema_text_is_the_file(name: str) -> None:
    assert schema_text(name) == (ROOT / f"send-{name}.schema.json").read_text("utf-8")  # type: ignore[arg-type]


@pytest.mark.parametrize("name", ["", "Request", "requests", None, 1])
def test_unknown_schema_name_is_a_value_error(name: object) -> None:
    with pytest.raises(ValueError, match="request"):
        schema_text(name)  # type: ignore[arg-type]


def _request() -> dict[str, t.Any]:
    return json.loads(schema_text("request"))  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    ("member", "low", "high"),
    [
        ("appId", 1, 32),
        ("accessToken", 1, 128),
        ("requestId", 1, 64),
        ("templateCode", 1, 64),
        ("extendInfo", None, 4096),
    ],
)
def test_request_string_limits(member: str, low: int | None, high: int) -> None:
    sub = _request()["properties"][member]
    assert (sub["type"], sub.get("minLength"), sub["maxLength"]) == ("string", low, high)


def test_request_shape() -> None:
    schema = _request()
    assert schema["additionalProperties"] is False
    assert schema["required"] == ["appId", "accessToken", "requestId", "templateCode", "templates"]
    templates = schema["properties"]["templates"]
    assert (templates["minItems"], templates["maxItems"]) == (1, 5)
    content = schema["$defs"]["ContentTemplate"]
    assert content["additionalProperties"] is False
    assert content["required"] == ["language"]
    assert content["properties"]["templateParameters"]["additionalProperties"] == {"type": "string"}


@pytest.mark.parametrize(
    ("tag", "valid"),
    [
        ("en-US", True),
        ("zh-Hant-HK", True),
        ("es-419", True),
        ("EN-us", True),
        ("zh-Hant", True),
        ("en", True),
        ("en-US\n", False),
        ("en_US", False),
        ("\nen-US", False),
        ("en-US ", False),
        ("en-USA", False),
        ("en-Latn-US-x", False),
        ("e", False),
        ("engl", False),
    ],
)
def test_language_pattern_matches_only_whole_well_formed_tags(tag: str, valid: bool) -> None:
    validator = jsonschema.Draft202012Validator(_request())
    payload = {
        "appId": "a",
        "accessToken": "t",
        "requestId": "r",
        "templateCode": "c",
        "templates": [{"language": tag}],
    }
    assert validator.is_valid(payload) == valid
    jsonschema_rs = pytest.importorskip("jsonschema_rs")
    assert jsonschema_rs.validator_for(_request()).is_valid(payload) == valid


def test_response_tolerates_unknown_members() -> None:
    schema = json.loads(schema_text("response"))
    assert schema.get("additionalProperties", True) is True
    assert schema["properties"]["result"].get("additionalProperties", True) is True
    assert schema["properties"]["result"]["properties"]["resultStatus"]["enum"] == [
        "S",
        "A",
        "U",
        "F",
    ]
