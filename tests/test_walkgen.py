"""The generated error walk finds exactly what the careful walk finds, and fails loudly."""

from __future__ import annotations

import collections
import contextlib
import copy
import math
import typing as t
from unittest import mock

import pytest
from hypothesis import given
from hypothesis import strategies as st

from msgtemplates import check_request
from msgtemplates.problems import Problem, secret_of
from msgtemplates.testing import broken_requests, send_requests
from msgtemplates.validation import walkgen
from msgtemplates.validation.walk import Collector, careful_problems

TOKEN = "2019112719074101000700000077771xxxx"


def valid_request() -> dict[str, t.Any]:
    return {
        "appId": "2171xxxxxxxxxxxx",
        "accessToken": TOKEN,
        "requestId": "20191127190741010007013213123xxxx",
        "templateCode": "TP_5800000001xxxx",
        "templates": [
            {
                "templateParameters": {"who": "小明", "pushContentUrl": "https://shop.example/r"},
                "language": "zh-CN",
            },
            {"templateParameters": {"who": "XiaoMing"}, "language": "en-US"},
        ],
    }


def reference(payload: object) -> list[Problem]:
    return careful_problems(payload, secret=secret_of(payload))


def generated(payload: object) -> list[Problem]:
    # Straight, not through walk_problems: a detour through the careful walk would hide a bug.
    collector = Collector("request", semantic=True, secret=secret_of(payload), track=False)
    walkgen.request_walk()(payload, collector)
    return collector.result()


def assert_same(payload: object) -> None:
    expected = reference(payload)
    assert generated(payload) == expected
    assert check_request(payload) == expected


class RaisingEq:
    """A key whose hash is that of ``name`` and whose comparison raises."""

    def __init__(self, name: str = "no such member") -> None:
        self.name = name

    def __hash__(self) -> int:
        return hash(self.name)

    def __eq__(self, other: object) -> bool:
        raise RuntimeError("eq")


class Hostile(str):
    def __eq__(self, other: object) -> bool:
        raise RuntimeError("eq")

    def __hash__(self) -> int:
        return 12345


class Text(str):
    pass


class Mapping(dict[t.Any, t.Any]):
    pass


class Items(list[t.Any]):
    pass


_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=8)
    | st.sampled_from(["en-US", "en_US", "EN-us", "zh-Hant-HK", "xx-XX", "\ud800", "a\u202eb"])
    | st.sampled_from(["https://a.example/x", "javascript:alert(1)", "/pages/a", TOKEN])
)
_JSON = st.recursive(
    _SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=12,
)
_ODD = st.sampled_from(
    [
        b"x",
        (1, 2),
        {1, 2},
        math.nan,
        10**400,
        object(),
        Text("en-US"),
        Text("x" * 40),
        Mapping(language="en-US"),
        Items([{"language": "en-US"}]),
        collections.OrderedDict(a="b"),
    ]
) | st.builds(lambda: mock.MagicMock(spec=dict))
_KEYS = (
    st.text(max_size=8)
    | st.sampled_from(["appId", "language", "templateParameters", "redirectUrl", "a/b~c"])
    | st.sampled_from(["\ud800x", TOKEN, "x" + TOKEN, "templateCod"])
)
_ODD_KEYS: st.SearchStrategy[object] = st.one_of(
    st.sampled_from([1, None, 2.5, True, (1, 2), 10**5000]),
    st.builds(RaisingEq),
    st.sampled_from(["appId", "language", "who"]).map(Hostile),
    st.sampled_from(["appId", "requestId", "language", "who"]).map(Text),
)
_VALUES = _JSON | _ODD


def _containers(value: object) -> list[object]:
    """Every dict and list inside ``value``, ``value`` first."""
    found: list[object] = []
    stack = [value]
    while stack:
        item = stack.pop()
        if type(item) is dict:
            found.append(item)
            stack.extend(item.values())
        elif type(item) is list:
            found.append(item)
            stack.extend(item)
    return found


@st.composite
def mutated(draw: st.DrawFn, base: st.SearchStrategy[object]) -> object:
    """A payload from ``base`` with a few members replaced, added or deleted."""
    payload = copy.deepcopy(draw(base))
    for _ in range(draw(st.integers(0, 3))):
        containers = _containers(payload)
        if not containers:
            break
        target = draw(st.sampled_from(containers))
        if type(target) is dict:
            action = draw(st.sampled_from(["set", "add", "odd", "delete"]))
            keys = list(target)
            if action == "delete" and keys:
                del target[draw(st.sampled_from(keys))]
            elif action == "set" and keys:
                target[draw(st.sampled_from(keys))] = draw(_VALUES)
            elif action == "odd":
                key, value = draw(_ODD_KEYS), draw(_VALUES)
                # A hostile key that collides with another one cannot go in.
                with contextlib.suppress(RuntimeError):
                    target[key] = value
            else:
                target[draw(_KEYS)] = draw(_VALUES)
        elif type(target) is list and target:
            target[draw(st.integers(0, len(target) - 1))] = draw(_VALUES)
    return payload


@given(mutated(send_requests()))
def test_mutated_requests_get_the_problems_of_the_careful_walk(payload: object) -> None:
    assert_same(payload)


@given(broken_requests())
def test_broken_requests_get_the_problems_of_the_careful_walk(case: tuple[t.Any, str]) -> None:
    assert_same(case[0])


@given(mutated(broken_requests().map(lambda case: case[0])))
def test_mutated_broken_requests_get_the_problems_of_the_careful_walk(payload: object) -> None:
    assert_same(payload)


@given(send_requests())
def test_clean_requests_have_no_problem_in_the_generated_walk(payload: object) -> None:
    assert generated(payload) == reference(payload)


@given(_VALUES)
def test_any_value_gets_the_problems_of_the_careful_walk(payload: object) -> None:
    assert_same(payload)


def _with(path: tuple[object, ...], value: object) -> dict[str, t.Any]:
    payload = valid_request()
    target: t.Any = payload
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return payload


def _without(path: tuple[object, ...], key: object) -> dict[str, t.Any]:
    """The valid request less the member at ``path``, with ``key`` in its object instead."""
    payload = valid_request()
    target: t.Any = payload
    for step in path[:-1]:
        target = target[step]
    del target[path[-1]]
    target[key] = "x"
    return payload


@pytest.mark.parametrize(
    "payload",
    [
        mock.MagicMock(spec=dict),
        Mapping(valid_request()),
        _with(("templates",), Items(valid_request()["templates"])),
        _with(("appId",), Text("2171" * 9)),
        _with(("templates", 0, "language"), Text("en_US")),
        _with(("templates", 0, "templateParameters", RaisingEq()), "x"),
        _without(("requestId",), RaisingEq("requestId")),
        _without(("templates", 0, "language"), RaisingEq("language")),
        _without(
            ("templates", 0, "templateParameters", "pushContentUrl"), RaisingEq("pushContentUrl")
        ),
        _with((Hostile("appId"),), "x"),
        _with((Text("requestId"),), "x" * 70),
        _with(("templates", 0, "templateParameters", "a\ud800"), "x"),
        _with(("templates", 0, "templateParameters", "who"), "a\u202eb\ud800" * 3),
        _with(("templates", 0, "templateParameters", "x" + TOKEN + "/~"), 5),
        _with(("templates", 0, "templateParameters", TOKEN), "javascript:x"),
        _with(("templates", 1, "language"), "zh-cn"),
        _with(("requestId",), "😀" * 40),
        _with(("extendInfo",), "x" * 1_000_000),
        _with(("templates", 0, "templateParameters", "redirectUrl"), Text("javascript:x")),
        _with(("templates", 0, "templateParameters", "pushContentUrl"), 5),
        _with(("templateCod",), "TP"),
    ],
    ids=lambda payload: type(payload).__name__,
)
def test_odd_values_get_the_problems_of_the_careful_walk(payload: object) -> None:
    assert_same(payload)


def test_a_mock_pretending_to_be_a_dict_is_a_type_problem() -> None:
    problems = check_request(mock.MagicMock(spec=dict))
    assert [(p.path, p.code) for p in problems] == [("", "type")]


def test_the_generated_walk_can_be_read() -> None:
    source = walkgen.source()
    assert source.startswith("def walk(payload, c):")
    assert "'/requestId'" in source
    compile(source, "<error walk>", "exec")


def test_a_failure_inside_the_generated_walk_is_loud_on_json_data(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(payload: object, collector: object) -> None:
        raise ZeroDivisionError

    monkeypatch.setattr(walkgen, "request_walk", lambda: broken)
    with pytest.raises(walkgen.WalkBug):
        check_request({"appId": 5})


def test_a_value_that_is_not_json_may_leave_the_generated_walk_quietly(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(payload: object, collector: object) -> None:
        raise ZeroDivisionError

    payload = {"appId": b"x"}
    monkeypatch.setattr(walkgen, "request_walk", lambda: broken)
    assert check_request(payload) == reference(payload)


@pytest.mark.parametrize(
    "token", ["appId", "Id", '"', "required", " is ", "\0", "/appId", "/", "~", "p", "a/b~c"]
)
@pytest.mark.parametrize("missing", ["appId", "requestId", "templateCode", "templates"])
def test_a_missing_member_beside_a_token_from_its_own_message_is_masked_alike(
    token: str, missing: str
) -> None:
    # The generated walk makes the problem of a missing top-level member once; a token that
    # any piece of it holds must send it to the builder, which masks.
    payload = valid_request()
    del payload[missing]
    payload["accessToken"] = token
    assert_same(payload)
    problem = generated(payload)[-1]
    assert problem.code == "required"
    if token in missing:
        assert token not in problem.message
