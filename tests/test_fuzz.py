"""Fuzzing every public entry point: only documented outcomes, never another exception.

The ``ci`` profile keeps this short; ``HYPOTHESIS_PROFILE=fuzz`` runs 100,000 examples per
target for a hardening run.
"""

from __future__ import annotations

import contextlib
import json
import math
import pathlib
import tempfile
import typing as t
from unittest import mock

import pytest
from helpers import run_cli
from hypothesis import given, settings
from hypothesis import strategies as st

from msgtemplates import (
    Catalog,
    CatalogError,
    MissingParameters,
    Outcome,
    Preview,
    Problem,
    Rendered,
    RequestInvalid,
    ResponseInvalid,
    Template,
    TemplateSyntaxError,
    UnknownLanguage,
    UnknownTemplate,
    best_match,
    check_request,
    check_response,
    fallback_chain,
    interpret_response,
    validate_request,
)
from msgtemplates.preview import render_html

TOKEN = "SECRET-TOKEN-0123456789"

json_scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=50)
json_values = st.recursive(
    json_scalars,
    lambda inner: (
        st.lists(inner, max_size=6) | st.dictionaries(st.text(max_size=12), inner, max_size=6)
    ),
    max_leaves=30,
)


class Weird:
    """An object whose comparisons and string forms misbehave."""

    def __eq__(self, other: object) -> bool:
        raise RuntimeError("no comparing me")

    def __hash__(self) -> int:
        return 1

    def __str__(self) -> str:
        raise RuntimeError("no printing me")


class ClaimsDict:
    """An object whose ``__class__`` lies: isinstance() calls it a dict."""

    @property  # type: ignore[misc]
    def __class__(self) -> type:
        return dict


class ClaimsStr:
    """An object whose ``__class__`` lies: isinstance() calls it a str."""

    @property  # type: ignore[misc]
    def __class__(self) -> type:
        return str


# Mocks a user's own test passes in: each claims to be what its spec names. Made fresh for
# every example, so that no call recorded by one example shows in the next.
LIARS: list[t.Callable[[], object]] = [
    lambda: mock.MagicMock(spec=dict),
    lambda: mock.MagicMock(spec=list),
    lambda: mock.MagicMock(spec=str),
    lambda: mock.NonCallableMagicMock(spec=dict),
    mock.MagicMock,
    ClaimsDict,
    ClaimsStr,
]
liars = st.integers(0, len(LIARS) - 1).map(lambda index: LIARS[index]())

python_objects = st.one_of(
    liars,
    json_values,
    st.binary(max_size=20),
    st.tuples(json_scalars, json_scalars),
    st.frozensets(st.integers(), max_size=3),
    st.sampled_from([math.nan, math.inf, -math.inf, Weird(), object(), int, len, Ellipsis]),
    st.dictionaries(st.integers() | st.binary(max_size=3), json_scalars, max_size=3),
)

# Values shaped like a request, so that fuzzing reaches past the first type check.
LANGUAGES = ["en-US", "zh-CN", "zh-TW", "zh-HK", "en_US", "en-us", "xx-QQ", "th-TH", "", "en-US\n"]
request_like = st.fixed_dictionaries(
    {
        "appId": st.text(max_size=40) | python_objects,
        "accessToken": st.just(TOKEN),
        "requestId": st.text(max_size=70),
        "templateCode": st.sampled_from(["TP_A", "TP_B", "nope"]) | st.text(max_size=5),
        "templates": st.lists(
            st.fixed_dictionaries(
                {
                    "language": st.sampled_from(LANGUAGES) | st.text(max_size=8) | python_objects,
                    "templateParameters": st.dictionaries(
                        st.sampled_from(["who", "amount", "pushContentUrl", "x"])
                        | st.text(max_size=5),
                        st.text(max_size=20) | python_objects,
                        max_size=4,
                    ),
                },
                optional={"extra": json_values},
            ),
            max_size=7,
        )
        | python_objects,
    },
    optional={"extendInfo": st.text(max_size=20) | python_objects, "templateCod": json_values},
)

CATALOG = Catalog(
    {
        "TP_A": {"en-US": "Hello ${who}, you paid ${amount}", "zh-TW": "${who} 你好"},
        "TP_B": {"zh-CN": "坏的 ${"},
    }
)


def _no_token(text: str) -> None:
    assert TOKEN not in text


def _problems_ok(problems: object) -> None:
    assert isinstance(problems, list)
    for problem in problems:
        assert isinstance(problem, Problem)
        assert problem.severity in {"error", "warning"}
        assert problem.path == "" or problem.path.startswith("/")
        _no_token(str(problem))


@given(request_like | python_objects)
def test_check_request_returns_problems_for_anything(payload: object) -> None:
    _problems_ok(check_request(payload))
    _problems_ok(check_request(payload, catalog=CATALOG))


@given(request_like | python_objects)
def test_validate_request_passes_or_raises_request_invalid(payload: object) -> None:
    try:
        validate_request(payload, catalog=CATALOG)
    except RequestInvalid as error:
        _no_token(str(error))
        _no_token(repr(error))
        _problems_ok(error.problems)


@given(
    python_objects
    | st.fixed_dictionaries(
        {
            "result": st.fixed_dictionaries(
                {"resultCode": json_values, "resultStatus": json_values}
            )
            | python_objects
        }
    )
)
def test_responses_give_problems_or_an_outcome_or_response_invalid(payload: object) -> None:
    _problems_ok(check_response(payload))
    try:
        outcome = interpret_response(payload)
    except ResponseInvalid as error:
        _problems_ok(error.problems)
    else:
        assert isinstance(outcome, Outcome)


@given(st.text() | python_objects)
def test_template_parses_or_raises_a_documented_error(source: object) -> None:
    outcome: object
    try:
        outcome = Template(source)  # type: ignore[arg-type]
    except (TemplateSyntaxError, TypeError) as error:
        outcome = error
    if isinstance(outcome, TemplateSyntaxError):
        assert issubclass(type(source), str)
        assert outcome.lineno >= 1
        assert str(outcome)
    elif isinstance(outcome, TypeError):
        assert not issubclass(type(source), str)
    else:
        assert isinstance(outcome, Template)
        assert outcome.source == source


@given(st.text(max_size=40), python_objects | st.dictionaries(st.text(max_size=5), python_objects))
def test_render_gives_text_or_a_documented_error(source: str, params: object) -> None:
    try:
        template = Template(source)
    except TemplateSyntaxError:
        return
    for missing in ("error", "keep"):
        with contextlib.suppress(MissingParameters, TypeError):
            assert isinstance(template.render(params, missing=missing), str)  # type: ignore[arg-type]


@given(st.text(max_size=20) | python_objects)
def test_fallback_chain_gives_a_chain_or_unknown_language(tag: object) -> None:
    try:
        chain = fallback_chain(tag)  # type: ignore[arg-type]
    except UnknownLanguage as error:
        str(error)
    else:
        assert chain
        assert all(isinstance(level, str) for level in chain)


@given(
    st.sampled_from(LANGUAGES) | st.text(max_size=12) | python_objects,
    st.lists(st.sampled_from(LANGUAGES) | st.text(max_size=12) | python_objects, max_size=6),
    st.none() | st.text(max_size=5),
)
def test_best_match_returns_an_available_element_or_the_default(
    requested: object, available: list[object], default: str | None
) -> None:
    found = best_match(requested, available, default=default)  # type: ignore[arg-type]
    assert found == default or any(found is item for item in available)


@given(python_objects | st.dictionaries(st.text(max_size=5), python_objects, max_size=3))
def test_catalog_constructor_accepts_or_raises_a_documented_error(templates: object) -> None:
    try:
        catalog = Catalog(templates)  # type: ignore[arg-type]
    except (CatalogError, TypeError, ValueError):
        return
    assert isinstance(catalog.lint(), list)


@given(st.binary(max_size=200), st.sampled_from(["T.toml", "T.json", "T.txt"]))
def test_catalog_load_of_any_bytes_loads_or_raises_catalog_error(data: bytes, name: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = pathlib.Path(tmp, name)
        path.write_bytes(data)
        try:
            catalog = Catalog.load(path)
        except CatalogError as error:
            str(error)
        else:
            _problems_ok(catalog.lint())


@given(
    st.sampled_from(["TP_A", "TP_B", "nope"]) | st.text(max_size=5),
    st.sampled_from(LANGUAGES) | st.text(max_size=8),
    st.dictionaries(st.sampled_from(["who", "amount"]) | st.text(max_size=3), st.text(max_size=5)),
)
def test_catalog_render_gives_rendered_or_a_documented_error(
    code: str, language: str, params: dict[str, str]
) -> None:
    try:
        rendered = CATALOG.render(code, language, params, missing="keep")
    except (UnknownTemplate, TemplateSyntaxError):
        return
    assert isinstance(rendered, Rendered)


@given(request_like | python_objects, st.sampled_from(LANGUAGES) | st.text(max_size=8))
def test_catalog_preview_gives_a_preview_or_a_documented_error(
    payload: object, locale: str
) -> None:
    try:
        preview = CATALOG.preview(payload, user_locale=locale)
    except (RequestInvalid, UnknownTemplate) as error:
        _no_token(str(error))
    else:
        assert isinstance(preview, Preview)
        _problems_ok(preview.problems)
        _no_token(preview.text)


@given(st.binary(max_size=300) | json_values.map(lambda v: json.dumps(v).encode()), st.booleans())
def test_cli_check_of_any_bytes_exits_documented_code_without_traceback(
    data: bytes, jsonl: bool
) -> None:
    argv = ["check", "-", "--format", "json"] + (["--jsonl"] if jsonl else [])
    code, out, err = run_cli(argv, data)
    assert code in {0, 1, 2}
    assert "Traceback" not in out + err
    for line in out.splitlines():
        assert set(json.loads(line)) == {"file", "line", "path", "code", "severity", "message"}


@given(request_like)
def test_cli_check_never_prints_the_token(payload: dict[str, t.Any]) -> None:
    data = json.dumps(payload, default=repr, skipkeys=True).encode("utf-8", "surrogatepass")
    for fmt in ("text", "json"):
        code, out, err = run_cli(["check", "-", "--format", fmt], data)
        assert code in {0, 1, 2}
        _no_token(out + err)


@given(st.lists(st.text(max_size=12), max_size=5))
def test_cli_with_arbitrary_arguments_exits_documented_code_without_traceback(
    argv: list[str],
) -> None:
    # In an empty directory, so that no generated argument can read or write project files.
    with tempfile.TemporaryDirectory() as tmp, contextlib.chdir(tmp):
        code, out, err = run_cli(argv)
    assert code in {0, 1, 2}
    assert "Traceback" not in out + err


# --------------------------------------------------------------------------- more entry points

EXAMPLE_CATALOG = str(pathlib.Path(__file__).resolve().parent.parent / "examples" / "catalog")


def _share(fraction: int) -> settings:
    """A slow target's settings: a fraction of the profile's examples, never fewer than 3."""
    return settings(max_examples=max(3, settings().max_examples // fraction))


@given(python_objects, python_objects, python_objects)
def test_catalog_lookups_of_any_object_give_a_documented_outcome(
    code: object, language: object, params: object
) -> None:
    for lookup in (CATALOG.languages, CATALOG.default_language):
        try:
            assert isinstance(lookup(code), (tuple, str))  # type: ignore[arg-type]
        except UnknownTemplate as error:
            str(error)
    try:
        rendered = CATALOG.render(code, language, params, missing="keep")  # type: ignore[arg-type]
    except (UnknownTemplate, TemplateSyntaxError, TypeError) as error:
        str(error)
    else:
        assert isinstance(rendered, Rendered)


_previews = st.lists(
    st.tuples(
        st.text(max_size=12) | python_objects,
        st.builds(
            Preview,
            request_index=st.integers(-3, 9),
            language=st.none() | st.text(max_size=12),
            text=st.text(max_size=60),
            problems=st.lists(
                st.builds(
                    Problem,
                    path=st.text(max_size=12),
                    code=st.text(max_size=12),
                    message=st.text(max_size=40),
                    severity=st.sampled_from(["error", "warning"]),
                ),
                max_size=3,
            ),
        )
        | python_objects,
    ),
    max_size=3,
)


@given(_previews | python_objects, st.text(max_size=20) | python_objects)
def test_render_html_of_anything_is_a_page_or_a_type_error(previews: object, title: object) -> None:
    try:
        page = render_html(previews, title=title)  # type: ignore[arg-type]
    except TypeError as error:
        str(error)
    else:
        page.encode("utf-8")
        assert page.startswith("<!DOCTYPE html>")
        assert "<script" not in page.lower()


def _request_bytes(payload: object) -> bytes:
    return json.dumps(payload, default=repr, skipkeys=True).encode("utf-8", "surrogatepass")


@_share(4)
@given(
    st.binary(max_size=300) | request_like.map(_request_bytes),
    st.lists(st.sampled_from(LANGUAGES) | st.text(max_size=10), max_size=3),
    st.sampled_from(["text", "json"]),
)
def test_cli_preview_of_any_request_exits_documented_code_without_traceback(
    data: bytes, locales: list[str], fmt: str
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        html = pathlib.Path(tmp, "out.html")
        argv = ["preview", "-", "--catalog", EXAMPLE_CATALOG, "--format", fmt, "--html", str(html)]
        for locale in locales:
            argv += ["--locale", locale]
        code, out, err = run_cli(argv, data)
        page = html.read_text("utf-8") if html.exists() else ""
    assert code in {0, 1, 2}
    assert "Traceback" not in out + err
    _no_token(out + err + page)


_argument = st.text(max_size=12)


@_share(4)
@given(
    st.sampled_from(["TP_PAYMENT_SUCCESS", "TP_REFUND_DONE", "TP_ORDER_SHIPPED"]) | _argument,
    st.sampled_from(LANGUAGES) | _argument,
    st.lists(st.tuples(_argument, _argument).map("=".join), max_size=4),
)
def test_cli_render_with_any_arguments_exits_documented_code_without_traceback(
    code_name: str, language: str, params: list[str]
) -> None:
    argv = ["render", EXAMPLE_CATALOG, code_name, "--language", language]
    for param in params:
        argv += ["-p", param]
    code, out, err = run_cli(argv)
    assert code in {0, 1, 2}
    assert "Traceback" not in out + err
    if code == 0:
        assert out.endswith("\n")


@_share(4)
@given(st.binary(max_size=300), st.sampled_from(["T.toml", "T.json"]), st.booleans())
def test_cli_lint_of_any_catalog_file_exits_documented_code_without_traceback(
    data: bytes, name: str, as_json: bool
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        pathlib.Path(tmp, name).write_bytes(data)
        argv = ["lint", tmp] + (["--format", "json"] if as_json else [])
        code, out, err = run_cli(argv)
    assert code in {0, 1, 2}
    assert "Traceback" not in out + err
    assert err.count("\n") <= 1


_responses = st.fixed_dictionaries(
    {
        "result": st.fixed_dictionaries(
            {
                "resultCode": st.sampled_from(["SUCCESS", "UNKNOWN_EXCEPTION", "X"]) | json_values,
                "resultStatus": st.sampled_from(["S", "A", "U", "F", "s"]) | json_values,
            },
            optional={"resultMessage": json_values},
        )
        | json_values
    },
    optional={"extendInfo": json_values},
)


@given(st.binary(max_size=200) | (_responses | json_values).map(_request_bytes))
def test_cli_explain_of_any_bytes_exits_documented_code_without_traceback(data: bytes) -> None:
    code, out, err = run_cli(["explain", "-"], data)
    assert code in {0, 1, 2}
    assert "Traceback" not in out + err


@given(st.sampled_from(["request", "response"]) | _argument, st.booleans())
def test_cli_schema_and_version_exit_documented_code(which: str, version: bool) -> None:
    code, out, err = run_cli(["--version"] if version else ["schema", which])
    assert code in {0, 2}
    assert "Traceback" not in out + err
    if code == 0 and not version:
        assert json.loads(out)["$schema"]


_batch_lines = st.lists(
    st.binary(max_size=40) | request_like.map(_request_bytes) | st.sampled_from([b"", b"\r"]),
    max_size=8,
).map(b"\n".join)


@_share(4)
@given(st.lists(_batch_lines | st.binary(max_size=200), min_size=1, max_size=3), st.booleans())
def test_cli_check_of_any_files_with_a_catalog_exits_documented_code(
    contents: list[bytes], as_json: bool
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        names = []
        for index, data in enumerate(contents):
            name = pathlib.Path(tmp, f"{index}.{'jsonl' if index % 2 else 'json'}")
            name.write_bytes(data)
            names.append(str(name))
        argv = ["check", *names, "--catalog", EXAMPLE_CATALOG]
        code, out, err = run_cli(argv + (["--format", "json"] if as_json else []))
    assert code in {0, 1, 2}
    assert "Traceback" not in out + err
    _no_token(out + err)


@_share(50)
@given(_batch_lines)
def test_cli_check_jobs_2_of_any_batch_equals_the_serial_check(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        name = pathlib.Path(tmp, "b.jsonl")
        name.write_bytes(data)
        serial = run_cli(["check", str(name), "--format", "json"])
        parallel = run_cli(["check", str(name), "--format", "json", "--jobs", "2"])
    assert serial == parallel
    assert serial[0] in {0, 1}


# --------------------------------------------------------------------------- hostile objects


class Touchy:
    """A key that collides with a member name and raises as soon as it is compared."""

    def __init__(self, like: str) -> None:
        self.like = like

    def __hash__(self) -> int:
        return hash(self.like)

    def __eq__(self, other: object) -> bool:
        raise RuntimeError("no comparing me")


class TouchyStr(str):
    """A string that hashes like its text but raises when compared."""

    __slots__ = ()

    def __hash__(self) -> int:
        return str.__hash__(self)

    def __eq__(self, other: object) -> bool:
        raise RuntimeError("no comparing me")

    def __ne__(self, other: object) -> bool:
        raise RuntimeError("no comparing me")


class OddDict(dict):  # type: ignore[type-arg]
    """A dict whose lookups all raise; its data is still a request."""

    def get(self, *args: object) -> object:
        raise RuntimeError("no getting")

    def __getitem__(self, key: object) -> object:
        raise RuntimeError("no getting")

    def __contains__(self, key: object) -> bool:
        raise RuntimeError("no looking")


def _hostile_requests() -> list[object]:
    def base(**changes: object) -> dict[object, object]:
        item = {"language": "en-US", "templateParameters": {"who": "x", "amount": "1"}}
        payload: dict[object, object] = {
            "appId": "a",
            "accessToken": TOKEN,
            "requestId": "r",
            "templateCode": "TP_A",
            "templates": [item],
        }
        payload.update(changes)
        return payload

    requests: list[object] = []
    for name in ("accessToken", "templateCode", "templates"):
        payload = base()
        del payload[name]
        payload[Touchy(name)] = 1
        requests.append(payload)
    for name in ("language", "templateParameters"):
        item: dict[object, object] = {"language": "en-US", "templateParameters": {"who": "x"}}
        del item[name]
        item[Touchy(name)] = 1
        requests.append(base(templates=[item]))
    requests += [
        base(templateCode=TouchyStr("TP_A")),
        base(templateCode=TouchyStr("nope")),
        base(accessToken=TouchyStr(TOKEN)),
        base(templates=[{"language": TouchyStr("en-US")}]),
        base(templates=[{"language": "zh-HK", "templateParameters": {TouchyStr("who"): "x"}}]),
        base(templates=[{"language": "en-US", "templateParameters": {"who": TouchyStr("x")}}]),
        OddDict(base()),
        base(templates=[OddDict(language="en-US", templateParameters=OddDict(who="x"))]),
    ]
    return requests


@pytest.mark.parametrize("payload", _hostile_requests())
def test_hostile_keys_and_string_subclasses_never_escape_catalog_checks(payload: object) -> None:
    _problems_ok(check_request(payload, catalog=CATALOG))
    with contextlib.suppress(RequestInvalid):
        validate_request(payload, catalog=CATALOG)
    try:
        preview = CATALOG.preview(payload, user_locale="en-US")
    except (RequestInvalid, UnknownTemplate) as error:
        _no_token(str(error) + repr(error))
    else:
        _problems_ok(preview.problems)
        _no_token(preview.text)


def test_a_catalog_built_from_string_subclasses_looks_up_by_text() -> None:
    catalog = Catalog({TouchyStr("TP"): {TouchyStr("en-US"): TouchyStr("Hi ${who}")}})
    assert catalog.render(TouchyStr("TP"), TouchyStr("en-GB"), {"who": "x"}) == Rendered(
        "Hi x", "en-US", True
    )
    assert catalog.languages(TouchyStr("TP")) == ("en-US",)
    assert type(catalog.codes[0]) is str
    with pytest.raises(UnknownTemplate):
        catalog.render(TouchyStr("nope"), "en-US", {})
