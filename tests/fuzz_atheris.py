"""Coverage-guided fuzzing of msgtemplates with atheris: one target per public entry point.

Run one target (libFuzzer flags pass through; a directory argument is the corpus)::

    python tests/fuzz_atheris.py --make-corpus /tmp/msgtemplates-corpus
    python tests/fuzz_atheris.py check_request /tmp/msgtemplates-corpus/check_request \\
        -max_total_time=300 -rss_limit_mb=4096 -timeout=20

Targets: ``check_request``, ``template``, ``catalog``, ``batch``, ``cli`` (see :data:`TARGETS`).
``--keep-going DIR`` records each distinct failure in ``DIR`` (the input, then the traceback)
and goes on fuzzing instead of stopping at the first one. A file argument instead of a
directory runs that one input, to reproduce a crash.

Each target asserts what the library promises for any input: only problems or the documented
exceptions; every message at most 400 characters; the request's access token in no text
derived from input; ``str()`` of every problem and exception encodable as UTF-8. pytest does not
collect this file (no ``test_`` prefix); ``test_fuzz_atheris_smoke.py`` runs every target on
its seeds so the harness cannot rot.
"""

from __future__ import annotations

import atexit
import collections.abc as cabc
import contextlib
import functools
import hashlib
import importlib
import io
import json
import pathlib
import pkgutil
import re
import shutil
import sys
import tempfile
import traceback
import typing as t
import unittest.mock

_MAIN = __name__ == "__main__"

try:
    import atheris
except ImportError:
    if _MAIN:
        raise
    # pytest's doctest collection imports this file too; without atheris there is nothing here.
    import pytest

    pytest.skip("atheris is not installed", allow_module_level=True)

# Coverage feedback needs msgtemplates compiled with atheris' probes; under pytest the package
# is already imported and stays as it is.
with atheris.instrument_imports(include=["msgtemplates"]) if _MAIN else contextlib.nullcontext():
    import msgtemplates
    from msgtemplates import (
        Catalog,
        CatalogError,
        MissingParameters,
        Problem,
        RequestInvalid,
        Template,
        TemplateSyntaxError,
        UnknownLanguage,
        UnknownTemplate,
        check_request,
        validate_request,
    )
    from msgtemplates.cli import run
    from msgtemplates.problems import CODES, one_line

    # Submodules load on first use; load them now so that they are instrumented too.
    for _module in pkgutil.iter_modules(msgtemplates.__path__):
        if _module.name not in ("send", "testing", "__main__"):
            importlib.import_module(f"msgtemplates.{_module.name}")

__all__ = ["TARGETS", "main", "seeds"]

EXAMPLES = pathlib.Path(__file__).resolve().parent.parent / "examples"
MESSAGE_LIMIT = 400
PLACEHOLDER = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_.-]*)\}")

# Names the fuzzer puts where names go, so that the token can collide with them.
NAMES = (
    "appId",
    "accessToken",
    "requestId",
    "templateCode",
    "templates",
    "templateParameters",
    "language",
    "extendInfo",
    "pushContentUrl",
    "redirectUrl",
    "pushContentURL",
    "templateCod",
    "merchant",
    "amount",
    "time",
    "orderNo",
    "carrier",
    "trackingNo",
    "rackingN",
    "who",
    "nmae",
    "a.b-c",
)
LANGUAGES = (
    "en-US",
    "en-us",
    "en_US",
    "en-US\n",
    "zh-CN",
    "zh-HK",
    "zh-Hant-HK",
    "zh-TW",
    "th-TH",
    "id-ID",
    "in-ID",
    "iw",
    "fil-PH",
    "ms-MY",
    "es-419",
    "xx-QQ",
    "und",
    "root",
    "",
    "EN",
    "zh-Hant",
)
CODES_USED = ("TP_PAYMENT_SUCCESS", "TP_ORDER_SHIPPED", "TP_REFUND_DONE", "TP_PAYMENT_SUCESS")
LINKS = (
    "https://m.example/track/1",
    "http://x",
    "HTTPS://EXAMPLE.COM",
    "/pages/order/detail?id=1",
    "/pages/../../x",
    "/pages/%2e%2e/x",
    "/pages/a\u2064b",
    "https://x\u00ad.example",
    "javascript:alert(1)",
    " JavaScript:x",
    "data:text/html,x",
    "file:///etc/passwd",
    "//evil.example",
    "",
)
SPECIAL_TEXT = (
    "\ud800",
    "a\udfffb",
    "\u202eevil",
    "\u200b",
    "\u200d",
    "\ufeff",
    "${who}",
    "${",
    "$",
    "US$5 $$",
    "\x00",
    "\x0c",
    "\r\n",
    "\U0001f600" * 2049,
    "x" * 4097,
    "é" * 65,
    '"\\',
    "***",
)


# --------------------------------------------------------------------------- promises


@functools.cache
def _fixed_wording() -> str:
    """The words msgtemplates itself prints: a token that is part of them proves no leak.

    The fixed wording of messages and the names the contract fixes are exempt from the
    token rule, so the check runs only for tokens that are not a part of this text: the
    contract's names and codes, and the messages of the seed requests without their quoted
    values. A token found only in some text the input gave (a quoted value, a member name, a
    placeholder) is a leak.
    """
    names = [*NAMES[:10], *sorted(CODES), "error", "warning", "(root)", "<stdin>", "***"]
    texts = [" ".join(names)]
    for request in _seed_requests():
        for catalog in (None, _example_catalog()):
            for problem in check_request(request, catalog=catalog):
                texts.append(re.sub(r'"(?:[^"\\]|\\.)*"', " ", problem.message))
    _, out, err = _run_cli(["check", "-"], b"{}")
    texts.append(out + err)
    # Every literal piece of the builders' and exceptions' wording, and of a repr().
    texts.append("Problem(path='', code='', message='', severity='') RequestInvalid([])")
    import ast
    import pathlib

    package = pathlib.Path(__file__).resolve().parent.parent / "msgtemplates"
    for name in ("problems.py", "errors.py", "responses.py", "catalog.py", "compose.py"):
        for node in ast.walk(ast.parse((package / name).read_text("utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                texts.append(node.value)
    return "\n".join(texts)


def _token_leaks(token: str | None, text: str) -> bool:
    """Whether ``text`` shows ``token`` where no output may show it."""
    if not token or token not in text or set(token) == {"*"}:
        return False
    if token.isdigit() and len(token) <= 4:
        # Line numbers, columns and limits such as 4096 are the library's own numbers.
        return False
    return token not in _fixed_wording()


def _encodes(text: str) -> None:
    text.encode("utf-8")


def _assert_text(
    text: str, token: str | None, what: str, *, limit: bool = True, encodes: bool = True
) -> None:
    assert type(text) is str, f"{what} is {type(text).__name__}, not str"
    if encodes:
        _encodes(text)
    if limit:
        assert len(text) <= MESSAGE_LIMIT, f"{what} has {len(text)} characters"
    assert not _token_leaks(token, text), f"{what} shows the access token {token!r}"


def _assert_problems(problems: object, token: str | None, *, batch: bool = False) -> None:
    """The promises every list of problems keeps."""
    assert isinstance(problems, (list, tuple)), f"problems is {type(problems).__name__}"
    for problem in problems:
        assert type(problem) is Problem, f"a problem is {type(problem).__name__}"
        assert problem.code in CODES, f"unknown code {problem.code!r}"
        assert problem.severity in ("error", "warning"), f"severity {problem.severity!r}"
        if not batch:
            assert problem.code not in ("invalidJson", "duplicateRequestId"), problem.code
        assert problem.path == "" or problem.path.startswith("/"), f"path {problem.path!r}"
        _assert_text(problem.message, token, f"message of {problem.code}")
        # A path is an exact pointer: a member name's lone surrogate stays in it.
        _assert_text(problem.path, token, f"path of {problem.code}", limit=False, encodes=False)
        _assert_text(str(problem), token, f"str() of {problem.code}", limit=False)
        json.dumps(_as_dict(problem))


def _as_dict(problem: Problem) -> dict[str, str]:
    """``Problem.as_dict()``, checked against the fields where it exists."""
    fields = {
        "path": problem.path,
        "code": problem.code,
        "severity": problem.severity,
        "message": problem.message,
    }
    as_dict = getattr(problem, "as_dict", None)
    if as_dict is not None:
        assert as_dict() == fields, as_dict()
    return fields


def _assert_exception(error: BaseException, token: str | None) -> None:
    _assert_text(str(error), token, f"str() of {type(error).__name__}")
    _assert_text(repr(error), token, f"repr() of {type(error).__name__}", limit=False)


def _token_of(payload: object) -> str | None:
    """The access token of a request-shaped value, read without running its own methods."""
    if dict not in type(payload).__mro__:
        return None
    payload = t.cast("dict[object, object]", payload)
    for key, value in dict.items(payload):
        if isinstance(key, str) and str.__str__(key) == "accessToken" and isinstance(value, str):
            return str.__str__(value) or None
    return None


def _strict_loads(text: str | bytes) -> object:
    """``json.loads`` as the library reads JSON: NaN and Infinity are not numbers."""

    def refuse(name: str) -> t.NoReturn:
        raise ValueError(name)

    return json.loads(text, parse_constant=refuse)


_TOKEN_FIELD = re.compile(rb'"accessToken"\s*:\s*"((?:[^"\\]|\\.){1,128})"')


def _raw_token(raw: bytes) -> str | None:
    """The token a line that is not JSON would hold: nothing of it may be shown either."""
    match = _TOKEN_FIELD.search(raw)
    if match is None:
        return None
    try:
        token = json.loads(b'"' + match.group(1) + b'"')
    except ValueError:
        return None
    return token if isinstance(token, str) and len(token) >= 3 else None


# --------------------------------------------------------------------------- values


class EvilStr(str):
    """A str whose own methods lie or raise: the library must use ``str``'s methods."""

    __slots__ = ()

    def __eq__(self, other: object) -> bool:
        raise RuntimeError("EvilStr.__eq__")

    def __hash__(self) -> int:
        return str.__hash__(self)

    def __str__(self) -> str:
        return "EVIL"

    def __len__(self) -> int:
        return 0

    def startswith(self, *args: t.Any, **kwargs: t.Any) -> bool:
        raise RuntimeError("EvilStr.startswith")


class PlainStr(str):
    """A harmless str subclass."""

    __slots__ = ()


class LyingClass:
    """An object whose ``__class__`` says it is a dict."""

    @property  # type: ignore[misc]
    def __class__(self) -> type:
        return dict

    def __str__(self) -> str:
        raise RuntimeError("LyingClass.__str__")


class EvilDict(dict[t.Any, t.Any]):
    """A dict subclass whose mapping methods raise."""

    def get(self, *args: t.Any, **kwargs: t.Any) -> t.Any:
        raise RuntimeError("EvilDict.get")

    def items(self) -> t.Any:
        raise RuntimeError("EvilDict.items")

    def keys(self) -> t.Any:
        raise RuntimeError("EvilDict.keys")

    def __iter__(self) -> t.Any:
        raise RuntimeError("EvilDict.__iter__")


class EvilList(list[t.Any]):
    """A list subclass whose iteration raises."""

    def __iter__(self) -> t.Any:
        raise RuntimeError("EvilList.__iter__")

    def __len__(self) -> int:
        return 10**6


def _odd_object(fdp: atheris.FuzzedDataProvider) -> object:
    choice = fdp.ConsumeIntInRange(0, 9)
    if choice == 0:
        return unittest.mock.MagicMock(spec=dict)
    if choice == 1:
        return unittest.mock.MagicMock()
    if choice == 2:
        return LyingClass()
    if choice == 3:
        return EvilDict(templateCode="TP_PAYMENT_SUCCESS")
    if choice == 4:
        return EvilList([{"language": "en-US"}])
    if choice == 5:
        return float(fdp.PickValueInList(["nan", "inf", "-inf", "-0.0"]))
    if choice == 6:
        return fdp.ConsumeBytes(8)
    if choice == 7:
        return (1, "a")
    if choice == 8:
        return frozenset({1})
    return object()


def _text(fdp: atheris.FuzzedDataProvider, token: str | None = None) -> str:
    text: str
    choice = fdp.ConsumeIntInRange(0, 9)
    if choice <= 2:
        text = fdp.ConsumeUnicode(fdp.ConsumeIntInRange(0, 80))
    elif choice == 3:
        text = fdp.PickValueInList(list(SPECIAL_TEXT))
    elif choice == 4:
        text = fdp.PickValueInList(list(NAMES))
    elif choice == 5:
        text = fdp.PickValueInList(list(LANGUAGES))
    elif choice == 6:
        text = fdp.PickValueInList(list(LINKS))
    elif choice == 7 and token:
        text = fdp.ConsumeUnicode(3) + token + fdp.ConsumeUnicode(3)
    elif choice == 8:
        text = fdp.ConsumeUnicodeNoSurrogates(
            fdp.ConsumeIntInRange(0, 300)
        ) * fdp.ConsumeIntInRange(1, 40)
    else:
        parts = [fdp.PickValueInList([*NAMES, *SPECIAL_TEXT, "${", "}", "$"]) for _ in range(3)]
        text = "".join(parts)
    if fdp.ConsumeIntInRange(0, 15) == 0:
        return PlainStr(text)
    if fdp.ConsumeIntInRange(0, 31) == 0:
        return EvilStr(text)
    return text


def _value(fdp: atheris.FuzzedDataProvider, depth: int, token: str | None) -> object:
    """Any Python value, JSON-shaped mostly, with odd leaves."""
    choice = fdp.ConsumeIntInRange(0, 15 if depth > 0 else 7)
    if choice == 0:
        return None
    if choice == 1:
        return fdp.ConsumeBool()
    if choice == 2:
        return fdp.ConsumeInt(fdp.ConsumeIntInRange(1, 9))
    if choice == 3:
        digits = fdp.ConsumeIntInRange(1, 6000)
        return (-1) ** fdp.ConsumeIntInRange(0, 1) * (10**digits - fdp.ConsumeIntInRange(0, 9))
    if choice == 4:
        return fdp.ConsumeRegularFloat()
    if choice in (5, 6):
        return _text(fdp, token)
    if choice == 7:
        return _odd_object(fdp)
    if choice in (8, 9):
        return [_value(fdp, depth - 1, token) for _ in range(fdp.ConsumeIntInRange(0, 6))]
    if choice in (10, 11):
        return {
            _key(fdp, token): _value(fdp, depth - 1, token)
            for _ in range(fdp.ConsumeIntInRange(0, 6))
        }
    if choice == 12:
        deep: object = _text(fdp, token)
        for _ in range(fdp.ConsumeIntInRange(1, 3000)):
            deep = [deep] if fdp.ConsumeBool() else {"language": deep}
        return deep
    if choice == 13:
        return _request(fdp, token, depth - 1)
    return _content(fdp, token, depth - 1)


def _key(fdp: atheris.FuzzedDataProvider, token: str | None) -> object:
    choice = fdp.ConsumeIntInRange(0, 9)
    if choice <= 4:
        return fdp.PickValueInList(list(NAMES))
    if choice == 5 and token:
        return token
    if choice == 6:
        return fdp.ConsumeInt(2)
    if choice == 7:
        return EvilStr(fdp.PickValueInList(list(NAMES)))
    return _text(fdp, token)


def _parameters(fdp: atheris.FuzzedDataProvider, token: str | None, depth: int) -> object:
    if fdp.ConsumeIntInRange(0, 7) == 0:
        return _value(fdp, depth, token)
    params: dict[object, object] = {}
    for _ in range(fdp.ConsumeIntInRange(0, 8)):
        name = _key(fdp, token)
        choice = fdp.ConsumeIntInRange(0, 5)
        if choice == 0:
            name = fdp.PickValueInList(["pushContentUrl", "redirectUrl", "pushContentURL"])
            params[name] = fdp.PickValueInList(list(LINKS))
        elif choice == 1:
            params[name] = _value(fdp, depth, token)
        else:
            params[name] = _text(fdp, token)
    return params


def _content(fdp: atheris.FuzzedDataProvider, token: str | None, depth: int) -> object:
    item: dict[object, object] = {}
    if fdp.ConsumeIntInRange(0, 7):
        item["language"] = (
            fdp.PickValueInList(list(LANGUAGES)) if fdp.ConsumeBool() else _text(fdp, token)
        )
    if fdp.ConsumeIntInRange(0, 5):
        item["templateParameters"] = _parameters(fdp, token, depth)
    if fdp.ConsumeIntInRange(0, 9) == 0:
        item[_key(fdp, token)] = _value(fdp, depth, token)
    return item


def _pick_token(fdp: atheris.FuzzedDataProvider) -> str | None:
    choice = fdp.ConsumeIntInRange(0, 7)
    if choice == 0:
        return None
    if choice == 1:
        name: str = fdp.PickValueInList(list(NAMES))
        start = fdp.ConsumeIntInRange(0, len(name) - 1)
        return name[start : fdp.ConsumeIntInRange(start + 1, len(name))]
    if choice == 2:
        return fdp.PickValueInList([*NAMES, *LANGUAGES[:6], *CODES_USED, *LINKS[:4]]) or None
    if choice == 3:
        return "20240517103015010007000000SECRET519f3c2"
    return fdp.ConsumeUnicode(fdp.ConsumeIntInRange(1, 40)) or None


def _request(
    fdp: atheris.FuzzedDataProvider, token: str | None, depth: int
) -> dict[object, object]:
    """A value shaped like a request, so that fuzzing reaches past the first type checks."""
    payload: dict[object, object] = {}
    right: dict[str, cabc.Callable[[], object]] = {
        "appId": lambda: "3333010071465913",
        "accessToken": lambda: token,
        "requestId": lambda: f"REQ-{fdp.ConsumeIntInRange(0, 9)}",
        "templateCode": lambda: fdp.PickValueInList(list(CODES_USED)),
        "templates": lambda: [
            _content(fdp, token, depth) for _ in range(fdp.ConsumeIntInRange(0, 7))
        ],
        "extendInfo": lambda: _text(fdp, token),
    }
    for name, make in right.items():
        choice = fdp.ConsumeIntInRange(0, 9)
        if choice == 0:
            continue
        payload[name] = _value(fdp, depth, token) if choice == 1 else make()
    if fdp.ConsumeIntInRange(0, 5) == 0:
        payload[_key(fdp, token)] = _value(fdp, depth, token)
    if token is not None and "accessToken" not in payload:
        payload["accessToken"] = token
    return payload


# --------------------------------------------------------------------------- targets


@functools.cache
def _example_catalog() -> Catalog:
    return Catalog.load(EXAMPLES / "catalog")


def fuzz_check_request(data: bytes) -> None:
    """``check_request``, ``validate_request`` and ``Catalog.preview`` of one value.

    The first byte chooses: even, the rest is JSON text (or, when it is not JSON, the bytes
    and the text themselves are the payload); odd, the rest drives a builder of Python values.
    """
    if not data:
        return
    mode, rest = data[0], data[1:]
    payloads: list[object]
    if mode % 2 == 0:
        text = rest.decode("utf-8", "surrogateescape")
        try:
            payloads = [json.loads(text)]
        except (ValueError, RecursionError):
            payloads = [rest, text]
    else:
        fdp = atheris.FuzzedDataProvider(rest)
        token = _pick_token(fdp)
        try:
            built = (
                _request(fdp, token, 3) if fdp.ConsumeIntInRange(0, 3) else _value(fdp, 4, token)
            )
        except RuntimeError:
            # Two keys that compare equal while one of them raises: no dict can hold them.
            return
        payloads = [built]
    catalog = _example_catalog() if mode & 2 else None
    for payload in payloads:
        token = _token_of(payload)
        problems = check_request(payload, catalog=catalog)
        _assert_problems(problems, token)
        again = check_request(payload, catalog=catalog)
        assert again == problems, "check_request gave different problems for the same value"
        try:
            validate_request(payload, catalog=catalog)
        except RequestInvalid as error:
            _assert_exception(error, token)
            assert any(p.severity == "error" for p in problems), "raised without an error"
        else:
            assert all(p.severity == "warning" for p in problems), "passed with an error"
        if catalog is not None:
            _check_preview(catalog, payload, token, problems)


def _check_preview(
    catalog: Catalog, payload: object, token: str | None, problems: list[Problem]
) -> None:
    for locale in ("en-US", "zh-HK", "xx"):
        try:
            preview = catalog.preview(payload, user_locale=locale)
        except (RequestInvalid, UnknownTemplate, UnknownLanguage) as error:
            _assert_exception(error, token)
            continue
        _assert_problems(list(preview.problems), token)
        # The preview text is the request's own data (a lone surrogate is an invalidCharacter
        # problem of it); what prints it escapes it, as the command line does.
        _encodes(one_line(preview.text))
        assert not _token_leaks(token, preview.text), f"the preview text shows {token!r}"
        extra = [p for p in preview.problems if p not in problems]
        assert not extra, f"the preview has problems check_request lacks: {extra[:2]}"
        for problem in problems:
            other = re.match(r"/templates/(\d+)(?:/|$)", problem.path)
            if other is None or int(other.group(1)) == preview.request_index:
                assert problem in preview.problems, f"the preview lacks {problem}"


def fuzz_template(data: bytes) -> None:
    """``Template`` of any text: it parses, or raises TemplateSyntaxError inside the text."""
    if not data:
        return
    if data[0] % 2:
        fdp = atheris.FuzzedDataProvider(data[1:])
        source = "".join(_text(fdp) for _ in range(fdp.ConsumeIntInRange(1, 8)))
        source = str.__str__(source)
    else:
        source = data[1:].decode("utf-8", "surrogateescape")
    try:
        template = Template(source)
    except TemplateSyntaxError as error:
        _assert_syntax_error(error, source)
        return
    assert template.source == source
    names = template.placeholders
    assert len(set(names)) == len(names), "placeholders repeat"
    assert list(names) == list(dict.fromkeys(PLACEHOLDER.findall(source))), names
    assert template.render({}, missing="keep") == source, "keep changed the text"
    values = {name: f"<${{{name}}}{index}>" for index, name in enumerate(names)}
    expected = PLACEHOLDER.sub(lambda m: values[m.group(1)], source)
    assert template.render(values) == expected, "render differs from one pass of substitution"
    if names:
        try:
            template.render(dict.fromkeys(names[1:], "v"))
        except MissingParameters as error:
            _assert_missing(error, [names[0]])
        else:
            raise AssertionError("a missing parameter did not raise")


def _assert_syntax_error(error: TemplateSyntaxError, source: str) -> None:
    """The error points at the ``$`` of the broken placeholder, inside the text."""
    _assert_exception(error, None)
    lines = source.split("\n")
    assert 1 <= error.lineno <= len(lines), f"lineno {error.lineno} of {len(lines)} lines"
    line = lines[error.lineno - 1]
    assert 1 <= error.column <= len(line), f"column {error.column} of {len(line)}"
    assert line[error.column - 1] == "$", f"the error points at {line[error.column - 1]!r}"


def _assert_missing(error: MissingParameters, names: list[str]) -> None:
    assert list(error.names) == names, error.names
    _assert_exception(error, None)


def _assert_catalog_error(error: CatalogError, path: pathlib.Path) -> None:
    _assert_exception(error, None)
    assert error.path == str(path), f"CatalogError.path is {error.path!r}"
    assert error.lineno is None or error.lineno >= 1, error.lineno


def fuzz_catalog(data: bytes) -> None:
    """``Catalog.load`` of the bytes as a .toml and as a .json file: a catalog or CatalogError."""
    folder = _scratch()
    for suffix in (".toml", ".json"):
        path = folder / f"TP_FUZZ{suffix}"
        path.write_bytes(data)
        try:
            try:
                catalog = Catalog.load(path)
            except CatalogError as error:
                _assert_catalog_error(error, path)
                continue
            assert catalog.codes == ("TP_FUZZ",), catalog.codes
            problems = catalog.lint()
            _assert_problems(problems, None, batch=True)
            for language in catalog.languages("TP_FUZZ"):
                try:
                    rendered = catalog.render("TP_FUZZ", language, {}, missing="keep")
                except (TemplateSyntaxError, CatalogError) as error:
                    _assert_exception(error, None)
                else:
                    assert type(rendered.text) is str, type(rendered.text)
        finally:
            path.unlink()


@functools.cache
def _scratch() -> pathlib.Path:
    folder = tempfile.mkdtemp(prefix="msgtemplates-fuzz-")
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return pathlib.Path(folder)


def _check_batch() -> t.Any:
    """``msgtemplates.check_batch``; a clear error while the batch module has not landed."""
    check_batch = getattr(msgtemplates, "check_batch", None)
    if check_batch is None:
        raise RuntimeError("msgtemplates.check_batch does not exist in this build")
    return check_batch


def _non_blank_lines(data: bytes) -> list[int]:
    """The line numbers that must get a verdict: lines with more than JSON whitespace."""
    numbers = []
    for number, raw in enumerate(data.split(b"\n"), 1):
        if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        if raw.strip(b" \t\r\n"):
            numbers.append(number)
    return numbers


def _canonical(raw: bytes) -> str | None:
    try:
        payload = _strict_loads(raw)
        return json.dumps(payload, sort_keys=True, separators=(",", ":"))
    except (ValueError, RecursionError):
        return None


def fuzz_batch(data: bytes) -> None:
    """``check_batch`` of the bytes as a file object, as lines and as a path: same verdicts."""
    check_batch = _check_batch()
    verdicts = list(check_batch(io.BytesIO(data)))
    lines = data.split(b"\n")
    expected = _non_blank_lines(data)
    assert [v.line for v in verdicts] == expected, "not one verdict per non-blank line"
    first: dict[str, tuple[int, str | None]] = {}
    for verdict in verdicts:
        raw = lines[verdict.line - 1]
        payload: object = None
        with contextlib.suppress(ValueError, RecursionError):
            payload = _strict_loads(raw.decode("utf-8"))
        token = _token_of(payload) if payload is not None else _raw_token(raw)
        assert verdict.request_id is None or type(verdict.request_id) is str, verdict.request_id
        _assert_problems(list(verdict.problems), token, batch=True)
        assert type(verdict.problems) is tuple, type(verdict.problems)
        repeats = [p for p in verdict.problems if p.code == "duplicateRequestId"]
        if verdict.request_id is None:
            assert not repeats, "a line without a requestId is a repeat"
            continue
        canonical = _canonical(raw)
        earlier = first.setdefault(verdict.request_id, (verdict.line, canonical))
        if earlier[0] == verdict.line:
            assert not repeats, f"the first line of a requestId is a repeat: {repeats}"
            continue
        assert len(repeats) == 1, f"line {verdict.line} repeats line {earlier[0]}: {repeats}"
        if canonical is not None and earlier[1] is not None:
            same = canonical == earlier[1]
            severity = "warning" if same else "error"
            assert repeats[0].severity == severity, f"{repeats[0]} for same={same}"
            assert f"line {earlier[0]}" in repeats[0].message, repeats[0].message
    as_lines = list(check_batch(list(io.BytesIO(data))))
    assert as_lines == verdicts, "an iterable of lines gives other verdicts than a file object"
    path = _scratch() / "batch.jsonl"
    path.write_bytes(data)
    try:
        assert list(check_batch(path)) == verdicts, "a path gives other verdicts"
    finally:
        path.unlink()
    with contextlib.suppress(UnicodeDecodeError):
        text_lines = data.decode("utf-8").split("\n")
        as_text = list(check_batch([f"{line}\n" for line in text_lines]))
        assert as_text == verdicts, "str lines give other verdicts than bytes"


_KNOWN_STDERR = re.compile(r"msgtemplates: (?!internal error)[^\n]{1,600}\n")
_BATCH_HINT = re.compile(
    r"msgtemplates: <stdin> holds one JSON value per line: to check it as a batch, pass --jsonl\n"
)


def _run_cli(argv: list[str], stdin: bytes) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = run(argv, out, err, stdin=io.BytesIO(stdin))
    return code, out.getvalue(), err.getvalue()


def fuzz_cli(data: bytes) -> None:
    """``run(["check", "-"])`` of the bytes on stdin, as one request and as ``--jsonl``.

    The first byte chooses text or JSON output and whether to check with the example catalog.
    """
    if not data:
        return
    mode, stdin = data[0], data[1:]
    options = ["--format", "json"] if mode & 1 else []
    catalog = None
    if mode & 2:
        options += ["--catalog", str(EXAMPLES / "catalog")]
        catalog = _example_catalog()
    # The single request: its problems are check_request's.
    code, out, err = _run_cli(["check", *options, "-"], stdin)
    _assert_cli(code, out, err)
    document = stdin[3:] if stdin.startswith(b"\xef\xbb\xbf") else stdin
    payload: object = None
    parsed = False
    with contextlib.suppress(ValueError, RecursionError):
        payload = _strict_loads(document.decode("utf-8"))
        parsed = True
    token = _token_of(payload) if parsed else _raw_token(document)
    assert not _token_leaks(token, out + err), f"check - shows the token {token!r}"
    if mode & 1:
        shown = [_json_problem(line, token) for line in out.splitlines()]
        if parsed:
            try:
                expected = check_request(payload, catalog=catalog)
            except RecursionError:
                expected = None
            if expected is not None:
                assert shown == [_as_dict(p) for p in expected], (
                    "check - differs from check_request"
                )
        assert code == (1 if any(p["severity"] == "error" for p in shown) else 0), code
    # The batch: per line, the token of that line.
    code, out, err = _run_cli(["check", "--jsonl", *options, "-"], stdin)
    _assert_cli(code, out, err)
    lines = stdin.split(b"\n")
    tokens = {}
    for number, raw in enumerate(lines, 1):
        with contextlib.suppress(ValueError, RecursionError):
            tokens[number] = _token_of(_strict_loads(raw.decode("utf-8")))
        if number not in tokens:
            tokens[number] = _raw_token(raw)
    for line in out.splitlines():
        if mode & 1:
            problem = json.loads(line)
            number = problem["line"]
            assert isinstance(number, int), number
            assert 1 <= number <= len(lines), number
            _json_problem(line, tokens[number])
        else:
            match = re.match(r"<stdin>:(\d+): ", line)
            if match is not None:
                number = int(match.group(1))
                assert 1 <= number <= len(lines), number
                assert not _token_leaks(tokens[number], line), f"line {number} shows its token"


def _assert_cli(code: int, out: str, err: str) -> None:
    _encodes(out + err)
    # The one note that comes with a problem, not instead of a verdict: a batch read as one
    # request.
    err = _BATCH_HINT.sub("", err)
    if err:
        assert _KNOWN_STDERR.fullmatch(err), f"unexpected stderr: {err[:300]!r}"
        assert code == 2, f"exit {code} after {err!r}"
    else:
        assert code in (0, 1), f"exit {code} without a message"


def _json_problem(line: str, token: str | None) -> dict[str, t.Any]:
    problem = json.loads(line)
    assert set(problem) == {"file", "line", "path", "code", "severity", "message"}, problem
    assert problem["code"] in CODES, problem["code"]
    _assert_text(problem["message"], token, f"message of {problem['code']}")
    _assert_text(problem["path"], token, f"path of {problem['code']}", limit=False)
    return {k: problem[k] for k in ("path", "code", "severity", "message")}


TARGETS: dict[str, cabc.Callable[[bytes], None]] = {
    "check_request": fuzz_check_request,
    "template": fuzz_template,
    "catalog": fuzz_catalog,
    "batch": fuzz_batch,
    "cli": fuzz_cli,
}


# --------------------------------------------------------------------------- seeds


def _seed_requests() -> list[object]:
    requests: list[object] = []
    for name in ("send-request.json", "broken-request.json"):
        requests.append(json.loads((EXAMPLES / name).read_text("utf-8")))
    for line in (EXAMPLES / "campaign.jsonl").read_text("utf-8").splitlines():
        # The example campaign holds a broken line on purpose.
        with contextlib.suppress(ValueError):
            requests.append(json.loads(line))
    return requests


def _seed_batches() -> list[bytes]:
    campaign = (EXAMPLES / "campaign.jsonl").read_bytes()
    lines = campaign.splitlines(keepends=True)
    first = json.loads(lines[0])
    reordered = json.dumps(dict(reversed(list(first.items())))).encode() + b"\n"
    changed = json.dumps({**first, "extendInfo": "other"}).encode() + b"\n"
    return [
        campaign,
        b"\xef\xbb\xbf" + b"".join(lines[:3]),
        lines[0] + b"\n  \t\r\n" + lines[0] + reordered + changed + b"{not json\n" + b"\x0c\n",
        b"".join(line.replace(b"\n", b"\r\n") for line in lines[:4]),
        b"[" * 980 + b"]" * 980 + b"\n" + lines[1],
        b'{"requestId": "\\ud800"}\n{"requestId": "\\ud800", "x": 1e999}\n',
        b"1" * 5000 + b"\n" + lines[2],
    ]


def seeds(target: str) -> list[bytes]:
    """Starting inputs for a target, from the examples; :func:`main` writes them with
    ``--make-corpus``.

    :param target: a name in :data:`TARGETS`.
    :returns: the seed inputs.
    :raises KeyError: an unknown target.
    """
    TARGETS[target]
    requests = [json.dumps(r, ensure_ascii=False).encode() for r in _seed_requests()]
    if target == "check_request":
        return [bytes([m]) + r for r in requests for m in (0, 2)] + [
            bytes([1]) + bytes(range(256)),
            bytes([3]) + hashlib.sha512(b"seed").digest() * 8,
        ]
    if target == "template":
        texts = [
            "${",
            "${}",
            "${ who }",
            "${1st}",
            "${who",
            "US$5 $$ ${a.b-c}",
            "a\n${b}\r\n\t${c}${b}",
        ]
        for file in sorted((EXAMPLES / "catalog").glob("*.toml")):
            texts += re.findall(r'^"[^"]+" = "(.*)"$', file.read_text("utf-8"), re.M)
        return [b"\x00" + text.encode() for text in texts] + [b"\x01" + bytes(range(200))]
    if target == "catalog":
        found = []
        for file in sorted((EXAMPLES / "catalog").glob("*.toml")):
            found.append(file.read_bytes())
            catalog = Catalog.load(file)
            code = catalog.codes[0]
            content = {
                language: catalog.render(code, language, {}, missing="keep").text
                for language in catalog.languages(code)
            }
            found.append(json.dumps({"default": "en-US", "content": content}).encode())
        found += [b'[content]\n"en_US" = "${who"\n', b'{"content": {"x": 1}}', b"\xef\xbb\xbf{}"]
        return found
    if target == "batch":
        return _seed_batches()
    return [bytes([m]) + r for r in requests[:3] for m in (0, 1, 3)] + [
        bytes([m]) + b for b in _seed_batches() for m in (1, 2)
    ]


# --------------------------------------------------------------------------- running


class _KeepGoing:
    """Record each distinct failure (by exception type and place) and go on fuzzing."""

    def __init__(self, target: str, folder: pathlib.Path, one_input: cabc.Callable[[bytes], None]):
        self.target = target
        self.folder = folder
        self.one_input = one_input
        self.seen: set[str] = set()
        folder.mkdir(parents=True, exist_ok=True)

    def __call__(self, data: bytes) -> None:
        try:
            self.one_input(data)
        except Exception as error:
            frames = traceback.extract_tb(error.__traceback__)
            place = next(
                (
                    f"{f.filename}:{f.lineno}"
                    for f in reversed(frames)
                    if "msgtemplates" in f.filename
                ),
                f"{frames[-1].filename}:{frames[-1].lineno}",
            )
            what = ""
            if isinstance(error, AssertionError):
                what = re.sub(r"\d+", "N", re.split(r"[:'\"/]", str(error))[0])[:60]
            signature = f"{type(error).__name__} {place} {what}"
            if signature in self.seen:
                return
            self.seen.add(signature)
            name = hashlib.sha1(data).hexdigest()[:12]
            stem = self.folder / f"{self.target}-{name}"
            stem.with_suffix(".input").write_bytes(data)
            report = "".join(traceback.format_exception(error))
            stem.with_suffix(".txt").write_text(
                f"target {self.target}\nsignature {signature}\n\n{report}",
                encoding="utf-8",
                errors="backslashreplace",
            )
            print(f"\n=== new failure {signature} -> {stem}.input", file=sys.stderr, flush=True)


def main(argv: cabc.Sequence[str] | None = None) -> int:
    """Fuzz one target, or write the seed corpus with ``--make-corpus DIR``.

    :param argv: ``TARGET [--keep-going DIR] [libFuzzer flags and corpus directories]``.
    :returns: the exit status (libFuzzer exits the process itself while fuzzing).
    """
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) == 2 and args[0] == "--make-corpus":
        for target in TARGETS:
            folder = pathlib.Path(args[1]) / target
            folder.mkdir(parents=True, exist_ok=True)
            for number, seed in enumerate(seeds(target)):
                (folder / f"seed-{number:03d}").write_bytes(seed)
        return 0
    if not args or args[0] not in TARGETS:
        print(
            f"usage: {sys.argv[0]} TARGET [--keep-going DIR] [libFuzzer flags] [CORPUS_DIR...]\n"
            f"       {sys.argv[0]} --make-corpus DIR\ntargets: {', '.join(TARGETS)}",
            file=sys.stderr,
        )
        return 2
    target = args.pop(0)
    one_input = TARGETS[target]
    if "--keep-going" in args:
        at = args.index("--keep-going")
        folder = pathlib.Path(args[at + 1])
        del args[at : at + 2]
        one_input = _KeepGoing(target, folder, one_input)
    atheris.Setup([sys.argv[0], *args], one_input)
    atheris.Fuzz()
    return 0


if _MAIN:
    raise SystemExit(main())
