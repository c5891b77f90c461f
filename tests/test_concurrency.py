"""Threads and worker processes: shared objects give serial answers, values cross processes.

Each module's own tests pickle its values one by one (tests/test_template.py,
tests/test_catalog.py, tests/test_errors.py, tests/test_problems.py, tests/test_responses.py);
this file shares them between threads from cold caches and sends them through real worker
processes, as multiprocessing, Spark or Dask would.
"""

from __future__ import annotations

import concurrent.futures
import multiprocessing
import pathlib
import pickle
import subprocess
import sys
import textwrap
import typing as t

import pytest

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
    fallback_chain,
    interpret_response,
)

ROOT = pathlib.Path(__file__).resolve().parent.parent
CATALOG = ROOT / "examples" / "catalog"
WORKERS = 8

LOCALES = ["zh-HK", "zh-MO", "es-MX", "pt-AO", "en-AU", "th-TH", "fil-PH", "in-ID", "xx", "en_us"]


def _requests() -> list[dict[str, t.Any]]:
    """Varied requests: clean, broken in one place, and broken in several."""
    requests = []
    for i in range(120):
        language = LOCALES[i % len(LOCALES)]
        params = {"merchant": f"M{i}", "amount": str(i), "time": "now"}
        if i % 3 == 0:
            params["pushContentUrl"] = "javascript:alert(1)" if i % 2 else "https://a.example/x"
        if i % 4 == 0:
            del params["amount"]
        requests.append(
            {
                "appId": "3333010071465913" if i % 7 else "",
                "accessToken": f"token-{i}",
                "requestId": f"REQ-{i}",
                "templateCode": "TP_PAYMENT_SUCCESS" if i % 11 else "TP_NOPE",
                "templates": [
                    {"language": language, "templateParameters": params},
                    {"language": "en-US" if i % 5 else language},
                ],
            }
        )
    return requests


def _in_threads(work: t.Callable[[int], object], count: int) -> list[object]:
    with concurrent.futures.ThreadPoolExecutor(WORKERS) as pool:
        return list(pool.map(work, range(count)))


@pytest.fixture(autouse=True)
def _switch_often() -> t.Iterator[None]:
    # Switching threads every microsecond makes interleavings likely instead of lucky.
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    yield
    sys.setswitchinterval(interval)


def test_one_template_shared_by_threads_renders_like_a_serial_loop() -> None:
    template = Template("${a}-${b}:${a}|${c}")

    def work(i: int) -> object:
        params = {"a": str(i), "b": "x" * (i % 5)}
        if i % 3:
            params["c"] = "${a}"
        try:
            return template.render(params, missing="keep" if i % 2 else "error")
        except MissingParameters as error:
            return error.names

    assert _in_threads(work, 2000) == [work(i) for i in range(2000)]


def test_one_catalog_shared_by_threads_renders_previews_and_checks_like_a_serial_loop() -> None:
    catalog = Catalog.load(CATALOG)
    requests = _requests()

    def work(i: int) -> object:
        payload = requests[i % len(requests)]
        locale = LOCALES[i % len(LOCALES)]
        try:
            rendered: object = catalog.render(
                "TP_REFUND_DONE", locale, {"merchant": "M", "amount": str(i)}, missing="keep"
            )
        except MsgTemplatesErrors as error:
            rendered = str(error)
        try:
            preview: object = catalog.preview(payload, user_locale=locale)
        except MsgTemplatesErrors as error:
            preview = str(error)
        return rendered, preview, check_request(payload, catalog=catalog), catalog.lint()

    expected = [work(i) for i in range(600)]
    assert _in_threads(work, 600) == expected


MsgTemplatesErrors = (UnknownTemplate, RequestInvalid, CatalogError)


def test_check_request_shared_by_threads_gives_the_serial_problems() -> None:
    requests = _requests()

    def work(i: int) -> list[Problem]:
        return check_request(requests[i % len(requests)])

    assert _in_threads(work, 1200) == [work(i) for i in range(1200)]


# Run in a fresh interpreter so that every cache (locales, the compiled schema, the generated
# fast path, the sets of clean languages and links) starts empty and is filled by threads.
COLD_START = textwrap.dedent(
    """
    import concurrent.futures, json, sys
    sys.setswitchinterval(1e-6)
    from msgtemplates import Catalog, best_match, check_request, fallback_chain
    sys.path.insert(0, sys.argv[1])
    from test_concurrency import LOCALES, _requests

    catalog = Catalog.load(sys.argv[2])
    requests = _requests()
    available = ["en-US", "en-GB", "zh-CN", "zh-TW", "zh-HK", "es-419", "es-ES", "pt-PT"]

    def work(i):
        payload = requests[i % len(requests)]
        locale = LOCALES[i % len(LOCALES)]
        try:
            chain = fallback_chain(locale)
        except Exception as error:
            chain = type(error).__name__
        return [
            best_match(locale, available),
            list(chain) if isinstance(chain, tuple) else chain,
            [str(p) for p in check_request(payload)],
            [str(p) for p in check_request(payload, catalog=catalog)],
        ]

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        cold = list(pool.map(work, range(480)))
    warm = [work(i) for i in range(480)]
    print(json.dumps(cold == warm))
    """
)


def test_caches_filled_concurrently_from_cold_give_the_serial_answers() -> None:
    result = subprocess.run(
        [sys.executable, "-c", COLD_START, str(ROOT / "tests"), str(CATALOG)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.stderr == ""
    assert result.stdout.strip() == "true"


# --------------------------------------------------------------------------- worker processes


def _values() -> list[object]:
    catalog = Catalog.load(CATALOG)
    payload = _requests()[1]
    problem = check_request(_requests()[0])[0]
    return [
        Template("Hi ${who}, US$5"),
        catalog,
        problem,
        catalog.render("TP_REFUND_DONE", "es-MX", {"merchant": "M", "amount": "1"}, missing="keep"),
        catalog.preview(payload, user_locale="zh-HK"),
        interpret_response({"result": {"resultCode": "UNKNOWN_EXCEPTION", "resultStatus": "U"}}),
        TemplateSyntaxError("bad", lineno=1, column=3, source="x ${"),
        MissingParameters(["a", "b"]),
        RequestInvalid([problem]),
        ResponseInvalid([problem]),
        UnknownLanguage("xx-QQ"),
        UnknownTemplate("TP_X", known=("TP_A",)),
        CatalogError("is empty", path="c/TP.toml", lineno=2),
    ]


def _echo(value: object) -> object:
    return value


def _describe(value: object) -> tuple[str, str]:
    return type(value).__name__, str(value)


def test_every_public_value_survives_a_trip_through_a_spawned_worker() -> None:
    values = _values()
    kinds = {type(v) for v in values}
    assert {Template, Catalog, Problem, Rendered, Preview, Outcome} <= kinds
    for protocol in range(2, pickle.HIGHEST_PROTOCOL + 1):
        for value in values:
            assert _describe(pickle.loads(pickle.dumps(value, protocol))) == _describe(value)
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        back = pool.map(_echo, values)
        described = pool.map(_describe, values)
    assert [_describe(v) for v in back] == [_describe(v) for v in values] == described
    for before, after in zip(values, back, strict=True):
        if not isinstance(before, Exception):
            assert after == before


def _render_in_worker(task: tuple[bytes, str, str]) -> object:
    blob, code, locale = task
    catalog = pickle.loads(blob)
    params = {"merchant": "Sunrise", "amount": "HK$38.00", "time": "10:30", "orderNo": "SO-1"}
    try:
        rendered = catalog.render(code, locale, params)
    except MissingParameters as error:
        return error
    return rendered.text, rendered.language, rendered.fallback


def _render_here(catalog: Catalog, code: str, locale: str) -> object:
    return _render_in_worker((pickle.dumps(catalog), code, locale))


def test_a_pickled_catalog_renders_the_same_in_spawned_workers() -> None:
    catalog = Catalog.load(CATALOG)
    blob = pickle.dumps(catalog)
    tasks = [(blob, code, locale) for code in catalog.codes for locale in LOCALES]
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        results = pool.map(_render_in_worker, tasks)
    expected = [_render_here(catalog, code, locale) for _, code, locale in tasks]
    assert [str(r) for r in results] == [str(e) for e in expected]
    assert any(isinstance(r, tuple) and r[2] for r in results)  # some fell back


def test_an_exception_raised_in_a_worker_arrives_whole() -> None:
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        with pytest.raises(MissingParameters) as info:
            pool.apply(Template("${a} ${b}").render, ({},))
        with pytest.raises(UnknownLanguage) as language:
            pool.apply(fallback_chain, ("xx-QQ",))
    assert info.value.names == ("a", "b")
    assert language.value.tag == "xx-QQ"


def test_best_match_gives_the_same_answer_in_a_worker() -> None:
    available = ["en-US", "zh-CN", "zh-TW", "es-419", "es-ES", "pt-PT"]
    tasks = [(locale, available) for locale in LOCALES]
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        results = pool.starmap(best_match, tasks)
    assert results == [best_match(locale, available) for locale in LOCALES]
