"""check_request and validate_request: schema limits, semantic checks, order, secrets, totality."""

from __future__ import annotations

import copy
import json
import math
import typing as t

import jsonschema
import pytest
from hypothesis import given
from hypothesis import strategies as st

from msgtemplates import (
    Catalog,
    Problem,
    RequestInvalid,
    check_request,
    validate_request,
)
from msgtemplates.problems import CODES
from msgtemplates.validation import schema_text

TOKEN = "2019112719074101000700000077771xxxx"

# The API page's own sample request: it lacks requestId.
API_SAMPLE: dict[str, t.Any] = {
    "appId": "2171xxxxxxxxxxxx",
    "accessToken": TOKEN,
    "templateCode": "2021xxxxxxxxxxxxxxxxxxxxxxxxxxxx",
    "templates": [
        {
            "templateParameters": {
                "who": "string to represent a name, e.g. XiaoMing",
                "pushContentUrl": "http://redirecturl",
            },
            "language": "en-US",
        }
    ],
}

SCHEMA_CODES = frozenset(
    {"type", "required", "additionalProperties", "minLength", "maxLength"}
    | {"minItems", "maxItems", "enum"}
)


def valid_request() -> dict[str, t.Any]:
    """A clean request: two languages, three parameters each."""
    return {
        "appId": "2171xxxxxxxxxxxx",
        "accessToken": TOKEN,
        "requestId": "20191127190741010007013213123xxxx",
        "templateCode": "TP_5800000001xxxx",
        "templates": [
            {
                "templateParameters": {
                    "who": "XiaoMing",
                    "amount": "US$5",
                    "pushContentUrl": "https://example.com/orders?id=1",
                },
                "language": "en-US",
            },
            {
                "templateParameters": {
                    "who": "小明",
                    "amount": "5美元",
                    "redirectUrl": "/pages/orders/detail?id=1",
                },
                "language": "zh-CN",
            },
        ],
    }


def short_id(value: object) -> str:
    """A test id that neither converts huge integers nor repeats huge strings."""
    if type(value) is str and len(value) <= 40:
        return value
    return type(value).__name__


def codes_at(problems: list[Problem]) -> list[tuple[str, str]]:
    return [(p.path, p.code) for p in problems]


def with_value(path: str, value: object) -> dict[str, t.Any]:
    """The valid request with the member at ``path`` (``/`` separated) set to ``value``."""
    payload = valid_request()
    *parents, last = path.strip("/").split("/")
    target: t.Any = payload
    for token in parents:
        target = target[int(token)] if isinstance(target, list) else target[token]
    if isinstance(target, list):
        target[int(last)] = value
    else:
        target[last] = value
    return payload


def test_valid_request_has_no_problems() -> None:
    assert check_request(valid_request()) == []


def test_api_page_sample_lacks_only_the_request_id() -> None:
    assert codes_at(check_request(API_SAMPLE)) == [("/requestId", "required")]


def test_check_request_does_not_change_the_payload() -> None:
    payload = valid_request()
    payload["templates"][0]["language"] = "en_US"
    before = copy.deepcopy(payload)
    check_request(payload)
    assert payload == before


# --- limits ----------------------------------------------------------------------------------

STRING_LIMITS = [
    ("/appId", 32),
    ("/accessToken", 128),
    ("/requestId", 64),
    ("/templateCode", 64),
    ("/extendInfo", 4096),
]


@pytest.mark.parametrize(("path", "limit"), STRING_LIMITS)
@pytest.mark.parametrize("char", ["x", "中"])
def test_string_at_its_limit_passes(path: str, limit: int, char: str) -> None:
    assert check_request(with_value(path, char * limit)) == []


@pytest.mark.parametrize(("path", "limit"), STRING_LIMITS)
def test_string_one_over_its_limit_is_max_length(path: str, limit: int) -> None:
    problems = check_request(with_value(path, "x" * (limit + 1)))
    assert codes_at(problems) == [(path, "maxLength")]
    assert f"at most {limit}" in problems[0].message


@pytest.mark.parametrize("path", ["/appId", "/accessToken", "/requestId", "/templateCode"])
def test_empty_required_string_is_min_length(path: str) -> None:
    assert codes_at(check_request(with_value(path, ""))) == [(path, "minLength")]


def test_empty_extend_info_passes() -> None:
    assert check_request(with_value("/extendInfo", "")) == []


@pytest.mark.parametrize(
    ("count", "expected"),
    [
        (0, [("/templates", "minItems")]),
        (1, []),
        (5, []),
        (6, [("/templates", "maxItems")]),
    ],
)
def test_template_count_limits(count: int, expected: list[tuple[str, str]]) -> None:
    languages = ["en-US", "zh-CN", "zh-Hant-HK", "es-419", "pt-BR", "fr-FR"]
    templates = [{"language": lang} for lang in languages[:count]]
    assert codes_at(check_request(with_value("/templates", templates))) == expected


def test_template_parameters_may_be_absent_or_empty() -> None:
    payload = valid_request()
    del payload["templates"][0]["templateParameters"]
    payload["templates"][1]["templateParameters"] = {}
    assert check_request(payload) == []


# --- types, unknown and missing members --------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        *("/appId", "/accessToken", "/requestId", "/templateCode", "/extendInfo"),
        *("/templates/0/language", "/templates/0/templateParameters/who"),
    ],
)
@pytest.mark.parametrize("value", [None, 7, True, 1.5, [], {}, ["x"]])
def test_string_member_of_another_type_is_type(path: str, value: object) -> None:
    problems = check_request(with_value(path, value))
    assert codes_at(problems) == [(path, "type")]
    assert "a string" in problems[0].message


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("/templates", {"language": "en-US"}),
        ("/templates", "en-US"),
        ("/templates/0", ["en-US"]),
        ("/templates/0/templateParameters", [["who", "x"]]),
        ("/templates/0/templateParameters", "who=x"),
    ],
)
def test_container_of_the_wrong_type_is_type(path: str, value: object) -> None:
    assert codes_at(check_request(with_value(path, value))) == [(path, "type")]


@pytest.mark.parametrize(
    ("path", "value"),
    [("/templateCod", "TP_1"), ("/templates/1/lang", "en-US"), ("/templates/0/params", {})],
)
def test_unknown_member_is_reported_at_its_own_pointer(path: str, value: object) -> None:
    problems = check_request(with_value(path, value))
    assert codes_at(problems) == [(path, "additionalProperties")]


def test_unknown_member_message_suggests_the_close_name() -> None:
    (problem,) = check_request(with_value("/templateCod", "TP_1"))
    assert 'did you mean "templateCode"' in problem.message


@pytest.mark.parametrize(
    "path",
    [
        *("/appId", "/accessToken", "/requestId", "/templateCode", "/templates"),
        "/templates/1/language",
    ],
)
def test_missing_member_is_reported_where_it_belongs(path: str) -> None:
    payload = valid_request()
    *parents, last = path.strip("/").split("/")
    target: t.Any = payload
    for token in parents:
        target = target[int(token)] if isinstance(target, list) else target[token]
    del target[last]
    assert codes_at(check_request(payload)) == [(path, "required")]


def test_root_that_is_not_an_object_is_one_type_problem() -> None:
    problems = check_request([valid_request()])
    assert codes_at(problems) == [("", "type")]
    assert "must be an object" in problems[0].message


# --- languages ---------------------------------------------------------------------------------


@pytest.mark.parametrize("tag", ["en-US", "zh-Hant-HK", "es-419", "in-ID", "id-ID", "fil-PH"])
def test_well_formed_known_language_passes(tag: str) -> None:
    assert check_request(with_value("/templates/0/language", tag)) == []


@pytest.mark.parametrize(
    ("tag", "suggestion"),
    [("en_US", "en-US"), ("en-US\n", "en-US"), (" en-us", "en-US"), ("zh_hant_hk", "zh-Hant-HK")],
)
def test_malformed_language_is_an_error_suggesting_the_fix(tag: str, suggestion: str) -> None:
    problems = check_request(with_value("/templates/0/language", tag))
    assert codes_at(problems) == [("/templates/0/language", "languageTag")]
    assert problems[0].severity == "error"
    assert f'use "{suggestion}"' in problems[0].message


def test_malformed_language_message_reads_as_documented() -> None:
    payload = with_value("/templates/1/language", "en_US")
    payload["templates"][0]["language"] = "zh-CN"
    (problem,) = check_request(payload)
    assert str(problem) == (
        '/templates/1/language: error: "en_US" is not a hyphenated language tag; '
        'use "en-US" [languageTag]'
    )


@pytest.mark.parametrize("tag", ["english", "e", "en-USA", "en-Latn-US-x", "", "en--US"])
def test_language_without_a_suggestion_is_still_an_error(tag: str) -> None:
    problems = check_request(with_value("/templates/0/language", tag))
    assert codes_at(problems) == [("/templates/0/language", "languageTag")]
    assert problems[0].severity == "error"


@pytest.mark.parametrize(("tag", "canonical"), [("en-us", "en-US"), ("ZH-hant-hk", "zh-Hant-HK")])
def test_language_in_non_canonical_case_is_a_warning(tag: str, canonical: str) -> None:
    problems = check_request(with_value("/templates/0/language", tag))
    assert [(p.path, p.code, p.severity) for p in problems] == [
        ("/templates/0/language", "languageTag", "warning")
    ]
    assert f'use "{canonical}"' in problems[0].message


@pytest.mark.parametrize("tag", ["xx-US", "en-QQ", "qq"])
def test_well_formed_language_without_cldr_data_is_unknown(tag: str) -> None:
    problems = check_request(with_value("/templates/0/language", tag))
    assert codes_at(problems) == [("/templates/0/language", "unknownLanguage")]


@pytest.mark.parametrize("second", ["en-US", "en-us", "EN-US"])
def test_repeated_language_is_reported_at_the_later_one(second: str) -> None:
    problems = check_request(with_value("/templates/1/language", second))
    duplicates = [p for p in problems if p.code == "duplicateLanguage"]
    assert codes_at(duplicates) == [("/templates/1/language", "duplicateLanguage")]
    assert "/templates/0/language" in duplicates[0].message


# --- links -------------------------------------------------------------------------------------

SAFE_LINKS = [
    "http://redirecturl",
    "https://example.com",
    "https://example.com:8443/a/b?c=d&e=f#g",
    "https://sub.example.co.uk/path",
    "http://[::1]/x",
    "/pages/index/index",
    "/pages/order/detail?id=5",
    "HTTPS://example.com",
    "Https://Example.com/Path",
]

UNSAFE_LINKS = [
    "javascript:alert(1)",
    "JavaScript:alert(1)",
    "JAVASCRIPT:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "file:///etc/passwd",
    "vbscript:msgbox(1)",
    "//evil.example/x",
    " https://example.com",
    "https://example.com ",
    "\x00https://example.com",
    "java\tscript:alert(1)",
    "java\nscript:alert(1)",
    "ht\ttp://example.com",
    "https:\\\\evil.example",
    "https://example.com\\@evil.example",
    "https://user@evil.example/",
    "https://",
    "https:///path",
    "example.com",
    "pages/index",
    "/pages/",
    "/pages/a b",
    "/other/page",
    "",
    "https://exa mple.com",
    "https://example.com/\u202eevil",
]


@pytest.mark.parametrize("parameter", ["pushContentUrl", "redirectUrl"])
@pytest.mark.parametrize("link", SAFE_LINKS)
def test_safe_link_passes(parameter: str, link: str) -> None:
    path = f"/templates/0/templateParameters/{parameter}"
    assert check_request(with_value(path, link)) == []


@pytest.mark.parametrize("parameter", ["pushContentUrl", "redirectUrl"])
@pytest.mark.parametrize("link", UNSAFE_LINKS)
def test_unsafe_link_is_an_error(parameter: str, link: str) -> None:
    path = f"/templates/0/templateParameters/{parameter}"
    problems = check_request(with_value(path, link))
    assert (path, "unsafeUrl") in codes_at(problems)
    assert all(p.path == path for p in problems)


def test_link_rules_apply_only_to_the_link_parameters() -> None:
    payload = with_value("/templates/0/templateParameters/note", "javascript:alert(1)")
    assert check_request(payload) == []


# --- characters --------------------------------------------------------------------------------

INVISIBLE = [
    "\u200b", "\u200e", "\u200f", "\u202a", "\u202b", "\u202c", "\u202d", "\u202e",
    "\u2060", "\u2066", "\u2067", "\u2068", "\u2069", "\u061c", "\ufeff",
]  # fmt: skip


@pytest.mark.parametrize("char", INVISIBLE)
@pytest.mark.parametrize("path", ["/templates/0/templateParameters/who", "/extendInfo", "/appId"])
def test_invisible_character_is_a_warning(char: str, path: str) -> None:
    problems = check_request(with_value(path, f"Xiao{char}Ming"))
    assert [(p.path, p.code, p.severity) for p in problems] == [
        (path, "invisibleCharacter", "warning")
    ]
    assert f"U+{ord(char):04X}" in problems[0].message
    assert char not in problems[0].message


@pytest.mark.parametrize(
    "text", ["👨\u200d👩\u200d👧", "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645", "क्\u200dष"]
)
def test_joiners_are_legitimate(text: str) -> None:
    assert check_request(with_value("/templates/0/templateParameters/who", text)) == []


@pytest.mark.parametrize(
    "path",
    ["/appId", "/extendInfo", "/templates/0/templateParameters/who", "/templates/0/language"],
)
@pytest.mark.parametrize(
    "surrogate", [chr(0xD800), chr(0xDFFF), chr(0xD83D)], ids=["D800", "DFFF", "D83D"]
)
def test_unpaired_surrogate_is_an_invalid_character(path: str, surrogate: str) -> None:
    problems = check_request(with_value(path, f"ab{surrogate}"))
    assert (path, "invalidCharacter") in codes_at(problems)
    assert all(p.path == path for p in problems)
    assert surrogate not in str(problems)


def test_unpaired_surrogate_in_a_parameter_name_is_an_invalid_character() -> None:
    payload = valid_request()
    payload["templates"][0]["templateParameters"]["wh\udc00o"] = "x"
    problems = check_request(payload)
    assert codes_at(problems) == [("/templates/0/templateParameters/wh\udc00o", "invalidCharacter")]


@pytest.mark.parametrize(
    ("value", "warned"),
    [
        ("😀" * 16, False),  # 16 characters, 32 UTF-16 units: at the limit
        ("😀" * 17, True),  # 17 characters, 34 units
        ("x" * 31 + "😀", True),  # 32 characters, 33 units
        ("x" * 30 + "😀", False),
    ],
)
def test_utf16_length_over_the_limit_is_a_warning(value: str, warned: bool) -> None:
    problems = check_request(with_value("/appId", value))
    expected = [("/appId", "utf16Length", "warning")] if warned else []
    assert [(p.path, p.code, p.severity) for p in problems] == expected


# --- order -------------------------------------------------------------------------------------


def test_problems_follow_payload_order_with_missing_members_last() -> None:
    payload = {
        "templates": [
            {"templateParameters": {"who": 5}},
            {"language": "en_US", "extra": 1},
        ],
        "appId": "",
        "bogus": True,
        "accessToken": TOKEN,
    }
    assert codes_at(check_request(payload)) == [
        ("/templates/0/templateParameters/who", "type"),
        ("/templates/0/language", "required"),
        ("/templates/1/language", "languageTag"),
        ("/templates/1/extra", "additionalProperties"),
        ("/appId", "minLength"),
        ("/bogus", "additionalProperties"),
        ("/requestId", "required"),
        ("/templateCode", "required"),
    ]


def test_order_follows_key_order_not_schema_order() -> None:
    payload = valid_request()
    payload["appId"] = ""
    payload["templateCode"] = ""
    reordered = {"templateCode": "", **{k: v for k, v in payload.items() if k != "templateCode"}}
    assert [p.path for p in check_request(payload)] == ["/appId", "/templateCode"]
    assert [p.path for p in check_request(reordered)] == ["/templateCode", "/appId"]


def test_problems_are_deterministic() -> None:
    payload = with_value("/templates/0/language", "en_US")
    payload["bogus"] = 1
    assert check_request(payload) == check_request(copy.deepcopy(payload))


# --- secrets -----------------------------------------------------------------------------------


def secret_payloads() -> list[dict[str, t.Any]]:
    over = "T" * 129
    return [
        with_value("/appId", TOKEN),
        with_value("/extendInfo", f"token={TOKEN}; x" + "\u200b"),
        with_value("/templates/0/templateParameters/who", f"{TOKEN}\u202e"),
        with_value("/templates/0/templateParameters/pushContentUrl", f"javascript:{TOKEN}"),
        with_value("/templates/0/language", TOKEN),
        with_value("/requestId", TOKEN * 3),
        with_value(f"/{TOKEN}", TOKEN),
        with_value("/templateCode", 7),
        with_value("/accessToken", over),
    ]


@pytest.mark.parametrize("payload", secret_payloads())
def test_access_token_never_appears_in_problems(payload: dict[str, t.Any]) -> None:
    token = payload["accessToken"]
    problems = check_request(payload)
    assert problems, "each case has something to report"
    for problem in problems:
        assert token not in problem.message
        assert token not in str(problem)
        assert token not in repr(problem)
    error = RequestInvalid(problems)
    assert token not in str(error)
    assert token not in repr(error)


# --- validate_request --------------------------------------------------------------------------


def test_validate_request_raises_with_every_problem() -> None:
    payload = with_value("/templates/0/language", "en_US")
    payload["templates"][1]["templateParameters"]["who"] = "a\u200bb"
    with pytest.raises(RequestInvalid) as caught:
        validate_request(payload)
    assert caught.value.problems == check_request(payload)
    assert [p.code for p in caught.value.problems] == ["languageTag", "invisibleCharacter"]
    assert isinstance(caught.value, ValueError)


def test_validate_request_passes_warnings() -> None:
    payload = with_value("/templates/0/language", "en-us")
    assert check_request(payload)
    validate_request(payload)


def test_validate_request_passes_a_clean_request() -> None:
    validate_request(valid_request())


# --- bad input ---------------------------------------------------------------------------------


def nested_lists(depth: int) -> list[t.Any]:
    root: list[t.Any] = []
    current = root
    for _ in range(depth):
        child: list[t.Any] = []
        current.append(child)
        current = child
    return root


def nested_objects(depth: int) -> dict[str, t.Any]:
    root: dict[str, t.Any] = {}
    current = root
    for _ in range(depth):
        child: dict[str, t.Any] = {}
        current["a"] = child
        current = child
    return root


class Hostile(str):
    """A string whose methods all raise."""

    def __eq__(self, other: object) -> bool:
        raise RuntimeError("eq")

    def __hash__(self) -> int:
        return 12345

    def __len__(self) -> int:
        raise RuntimeError("len")


class HostileDict(dict[str, t.Any]):
    def items(self) -> t.Any:
        raise RuntimeError("items")

    def get(self, *args: t.Any) -> t.Any:
        raise RuntimeError("get")


@pytest.mark.parametrize(
    "payload",
    [
        None,
        True,
        0,
        1.5,
        math.nan,
        math.inf,
        "request",
        b"{}",
        {1, 2},
        (1, 2),
        frozenset(),
        object(),
        nested_lists(100_000),
    ],
    ids=short_id,
)
def test_root_of_any_other_kind_is_a_type_problem(payload: object) -> None:
    assert codes_at(check_request(payload)) == [("", "type")]


DEEP_OBJECT = nested_objects(100_000)
DEEP_LIST = nested_lists(100_000)


@pytest.mark.parametrize(
    ("path", "value", "code"),
    [
        ("/appId", DEEP_OBJECT, "type"),
        ("/templates", DEEP_OBJECT, "type"),
        ("/templates/0", DEEP_LIST, "type"),
        ("/templates/0/templateParameters/who", DEEP_LIST, "type"),
        ("/unknown", DEEP_OBJECT, "additionalProperties"),
        ("/appId", b"2171", "type"),
        ("/appId", ("2171",), "type"),
        ("/appId", {"2171"}, "type"),
        ("/requestId", math.nan, "type"),
        ("/requestId", -math.inf, "type"),
        ("/requestId", 10**5000, "type"),
        ("/extendInfo", "x" * 10_000_000, "maxLength"),
        ("/templates/0/templateParameters/who", "x" * 10_000_000 + "\u200b", "invisibleCharacter"),
        ("/appId", Hostile("2171" * 9), "maxLength"),
    ],
    ids=short_id,
)
def test_bad_values_are_problems_not_exceptions(path: str, value: object, code: str) -> None:
    payload = with_value(path, value)
    problems = check_request(payload)
    assert (path, code) in codes_at(problems)
    assert all(len(p.message) < 400 for p in problems)


def test_deeply_nested_unknown_members_are_not_walked() -> None:
    problems = check_request(nested_objects(100_000))
    assert codes_at(problems)[0] == ("/a", "additionalProperties")


def test_hostile_string_value_is_checked_as_a_string() -> None:
    payload = with_value("/appId", Hostile("2171"))
    assert check_request(payload) == []


@pytest.mark.parametrize(
    "key", [1, None, 2.5, (1, 2), 10**5000, True, Hostile("appId")], ids=short_id
)
def test_member_name_that_is_not_a_string_is_a_type_problem(key: object) -> None:
    payload: dict[t.Any, t.Any] = valid_request()
    payload[key] = "x"
    params: dict[t.Any, t.Any] = payload["templates"][0]["templateParameters"]
    params[key] = "x"
    problems = check_request(payload)
    if isinstance(key, str):
        # A str subclass is read as its text: here a second, valid appId.
        assert problems == []
    else:
        assert [p.code for p in problems] == ["type", "type"]
        assert problems[0].path.startswith("/templates/0/templateParameters/")


class LyingHash(str):
    """A member name that equals its text but hashes unlike it: a dict lookup misses it."""

    def __eq__(self, other: object) -> bool:
        return str.__eq__(self, other)

    def __hash__(self) -> int:
        return 7


@pytest.mark.parametrize("name", ["pushContentUrl", "redirectUrl"])
@pytest.mark.parametrize("template", [0, 1])
def test_a_link_under_a_name_that_lies_about_its_hash_is_still_checked(
    name: str, template: int
) -> None:
    # Template 1 keeps its own safe redirectUrl: there the lying name is a twin of an exact one.
    payload: dict[str, t.Any] = valid_request()
    params: dict[t.Any, t.Any] = payload["templates"][template]["templateParameters"]
    params.pop("pushContentUrl", None)
    twin = name in params
    params[LyingHash(name)] = "javascript:alert(1)"
    problems = check_request(payload)
    assert (f"/templates/{template}/templateParameters/{name}", "unsafeUrl") in codes_at(problems)
    assert [p.code for p in problems] == ["unsafeUrl"]
    if not twin:
        # The same data with plain names gives the same problems.
        assert problems == check_request(json.loads(json.dumps(payload)))


def test_dict_subclass_that_overrides_its_methods_is_read_as_its_data() -> None:
    payload = HostileDict(valid_request())
    assert check_request(payload) == []
    payload["appId"] = ""
    assert codes_at(check_request(payload)) == [("/appId", "minLength")]


def test_huge_template_list_reports_each_item() -> None:
    problems = check_request(with_value("/templates", [1] * 1000))
    assert problems[0] == Problem("/templates", "maxItems", problems[0].message)
    assert len(problems) == 1001


# --- catalog -----------------------------------------------------------------------------------


def test_catalog_problems_are_merged_into_payload_order() -> None:
    catalog = Catalog({"TP_1": {"en-US": "Hello, ${who} ${what}", "zh-CN": "\u4f60\u597d ${who}"}})
    payload = valid_request()
    payload["templateCode"] = "TP_1"
    payload["templates"][0]["language"] = "en_US"
    payload["appId"] = ""
    problems = check_request(payload, catalog=catalog)
    paths = [p.path for p in problems]
    assert paths[0] == "/appId"
    assert ("/templates/0/language", "languageTag") in codes_at(problems)
    mine = [p for p in problems if p.code not in {"unusedParameter", "missingParameter"}]
    assert mine == check_request(payload)
    positions = {p.path: i for i, p in reversed(list(enumerate(problems)))}
    assert positions["/appId"] < positions["/templates/0/language"]
    assert all(positions[p.path] >= positions["/appId"] for p in problems)


def test_catalog_reports_an_unknown_template_code() -> None:
    catalog = Catalog({"TP_1": {"en-US": "Hello, ${who}"}})
    problems = check_request(valid_request(), catalog=catalog)
    assert codes_at(problems) == [("/templateCode", "unknownTemplate")]


def test_catalog_problems_at_missing_pointers_sort_after_present_members() -> None:
    catalog = Catalog({"TP_1": {"en-US": "Hello, ${who} ${zzz}"}})
    payload = valid_request()
    payload["templateCode"] = "TP_1"
    payload["templates"] = [payload["templates"][0]]
    payload["bogus"] = 1
    problems = check_request(payload, catalog=catalog)
    paths = [p.path for p in problems]
    assert paths.index("/templates/0/templateParameters/zzz") < paths.index("/bogus")


# --- properties --------------------------------------------------------------------------------

_SCHEMA = json.loads(schema_text("request"))
_ORACLE = jsonschema.Draft202012Validator(_SCHEMA)

_CHARS = st.sampled_from("aZ9_-.~/ 中é\n\t😀\u200b\u200d\ud800")
_LIMITS = {"appId": (1, 32), "accessToken": (1, 128), "requestId": (1, 64), "templateCode": (1, 64)}
_LIMITS_OPTIONAL = {"extendInfo": (0, 4096)}


def _texts(low: int, high: int) -> st.SearchStrategy[str]:
    """Texts whose length is within ``low..high``, the boundary lengths most often."""
    lengths = st.sampled_from(sorted({low, low + 1, high - 1, high})) | st.integers(low, high)
    return lengths.flatmap(lambda n: st.text(_CHARS, min_size=n, max_size=n))


# Fresh containers per draw: the generated requests are mutated after drawing.
_WRONG = st.sampled_from([None, 0, 1, True, False, 1.5, [], {}, ["x"], {"a": "b"}]).map(
    copy.deepcopy
)
_GOOD_LANGUAGES = st.sampled_from(["en-US", "zh-CN", "zh-Hant-HK", "es-419", "en-us", "xx-QQ"])
_BAD_LANGUAGES = st.sampled_from(
    ["en_US", "en-US\n", "e", "eng-", "EN_us", "en-Latn-US-x", "en--US", "\nen-US", "1en", ""]
) | st.text(st.sampled_from("aZ-_09\n"), max_size=9)
_PARAMETERS = st.dictionaries(
    st.text(_CHARS, max_size=6) | st.sampled_from(["pushContentUrl", "redirectUrl"]),
    st.text(_CHARS, max_size=8) | st.sampled_from(["http://x", "javascript:x", "/pages/a"]),
    max_size=4,
)
_TEMPLATE = st.fixed_dictionaries(
    {"language": _GOOD_LANGUAGES}, optional={"templateParameters": _PARAMETERS}
)
_VALID = st.fixed_dictionaries(
    {
        **{name: _texts(*limits) for name, limits in _LIMITS.items()},
        "templates": st.lists(_TEMPLATE, min_size=1, max_size=5),
    },
    optional={name: _texts(*limits) for name, limits in _LIMITS_OPTIONAL.items()},
)
_BREAKS = [
    "too short", "too long", "wrong type", "drop", "unknown", "no templates", "six templates",
    "bad language", "template wrong type", "template unknown", "template drop language",
    "parameter wrong type", "parameters wrong type",
]  # fmt: skip


@st.composite
def _requests(draw: st.DrawFn) -> dict[str, t.Any]:
    """Valid requests with boundary lengths, and the same with one to three things broken."""
    payload: dict[str, t.Any] = draw(_VALID)
    for _ in range(draw(st.integers(0, 3))):
        how = draw(st.sampled_from(_BREAKS))
        name = draw(st.sampled_from(sorted({*_LIMITS, *_LIMITS_OPTIONAL})))
        low, high = {**_LIMITS, **_LIMITS_OPTIONAL}[name]
        templates = payload.get("templates")
        template = (
            draw(st.sampled_from(templates)) if isinstance(templates, list) and templates else {}
        )
        if how == "too short" and low > 0:
            payload[name] = "x" * (low - 1)
        elif how == "too long":
            payload[name] = draw(st.text(_CHARS, min_size=high + 1, max_size=high + 2))
        elif how == "wrong type":
            payload[name] = draw(_WRONG)
        elif how == "drop":
            payload.pop(draw(st.sampled_from(sorted(payload))), None)
        elif how == "unknown":
            payload[draw(st.sampled_from(["templateCod", "appid", "x"]))] = "x"
        elif how == "no templates":
            payload["templates"] = []
        elif how == "six templates":
            payload["templates"] = [{"language": "en-US"}] * 6
        elif how == "bad language" and isinstance(template, dict):
            template["language"] = draw(_BAD_LANGUAGES)
        elif how == "template wrong type" and isinstance(templates, list) and templates:
            templates[0] = draw(_WRONG)
        elif how == "template unknown" and isinstance(template, dict):
            template["lang"] = "en-US"
        elif how == "template drop language" and isinstance(template, dict):
            template.pop("language", None)
        elif how == "parameter wrong type" and isinstance(template, dict):
            params = template.setdefault("templateParameters", {})
            if isinstance(params, dict):
                params["who"] = draw(_WRONG)
        elif how == "parameters wrong type" and isinstance(template, dict):
            template["templateParameters"] = draw(_WRONG)
    return payload


def _schema_verdict(problems: list[Problem]) -> bool:
    return not any(
        p.code in SCHEMA_CODES or (p.code == "languageTag" and p.severity == "error")
        for p in problems
    )


@given(_requests())
def test_schema_problems_are_empty_exactly_when_jsonschema_accepts(
    payload: dict[str, t.Any],
) -> None:
    problems = check_request(payload)
    assert _schema_verdict(problems) == _ORACLE.is_valid(payload)


@given(
    st.lists(
        st.fixed_dictionaries(
            {"language": st.sampled_from(["en-US", "zh-CN", "es-419", "en_US", "en-us"])},
            optional={"templateParameters": _PARAMETERS},
        ),
        min_size=1,
        max_size=5,
    )
)
def test_schema_verdict_agrees_on_mostly_valid_requests(templates: list[dict[str, t.Any]]) -> None:
    payload = valid_request()
    payload["templates"] = templates
    problems = check_request(payload)
    assert _schema_verdict(problems) == _ORACLE.is_valid(payload)


_JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(_CHARS, max_size=5)
    | st.binary(max_size=3),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.tuples(inner)
        | st.dictionaries(
            st.text(_CHARS, max_size=5)
            | st.sampled_from(["appId", "templates", "language", "templateParameters"])
            | st.integers()
            | st.none(),
            inner,
            max_size=4,
        )
    ),
    max_leaves=12,
)


@given(
    _JSON
    | st.fixed_dictionaries(
        {
            "appId": _JSON,
            "templates": st.lists(
                st.fixed_dictionaries({"language": _JSON, "templateParameters": _JSON}),
                max_size=3,
            )
            | _JSON,
        }
    )
)
def test_any_value_yields_problems_and_never_raises(payload: object) -> None:
    problems = check_request(payload)
    assert isinstance(problems, list)
    for problem in problems:
        assert isinstance(problem, Problem)
        assert problem.code in CODES
        assert problem.severity in {"error", "warning"}
        assert problem.path == "" or problem.path.startswith("/")


_NO_TEMPLATES = Catalog({})


def _full_walk(payload: object) -> list[Problem]:
    """The problems found without any shortcut: with a catalog, every member is walked."""
    return [p for p in check_request(payload, catalog=_NO_TEMPLATES) if p.code != "unknownTemplate"]


@given(_requests())
def test_shortcuts_find_the_same_problems_as_the_full_walk(payload: dict[str, t.Any]) -> None:
    assert check_request(payload) == _full_walk(payload)


@given(
    st.lists(
        st.fixed_dictionaries(
            {"language": _GOOD_LANGUAGES | _BAD_LANGUAGES},
            optional={"templateParameters": _PARAMETERS},
        ),
        min_size=1,
        max_size=5,
    )
)
def test_shortcuts_agree_on_mostly_valid_requests(templates: list[dict[str, t.Any]]) -> None:
    payload = valid_request()
    payload["templates"] = templates
    assert check_request(payload) == _full_walk(payload)


@pytest.mark.parametrize(
    ("name", "token"), [("a/b", "a~1b"), ("a~b", "a~0b"), ("~/", "~0~1"), ("", "")]
)
def test_pointers_escape_member_names(name: str, token: str) -> None:
    payload = valid_request()
    payload["templates"][0]["templateParameters"][name] = 5
    path = f"/templates/0/templateParameters/{token}"
    assert codes_at(check_request(payload)) == [(path, "type")]


def test_paths_stay_exact_when_the_token_is_a_substring_of_member_names() -> None:
    payload = {
        "appId": "9",
        "accessToken": "a",
        "requestId": "9",
        "templateCode": "9",
        "templates": [{"language": "en-US"}, {"language": "en-US"}],
    }
    assert [(p.path, p.code) for p in check_request(payload)] == [
        ("/templates/1/language", "duplicateLanguage")
    ]


def test_a_member_named_exactly_like_the_token_is_masked_in_its_path() -> None:
    token = "2019112719074101000700000077771abcd"
    payload = {
        "appId": "9",
        "accessToken": token,
        "requestId": "9",
        "templateCode": "9",
        "templates": [{"language": "en-US"}],
        token: "x",
    }
    problems = check_request(payload)
    assert [(p.path, p.code) for p in problems] == [("/***", "additionalProperties")]
    assert token not in str(problems)
