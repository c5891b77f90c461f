"""Secrets and hostile content: the access token never leaks, links and HTML stay inert.

tests/test_validation.py owns the basic unsafe-link table and the masking of problem
messages; tests/test_cli.py owns the token in ``check`` output; this file adds the ways those
guarantees could still be bypassed: other output channels, obfuscated schemes, and the HTML
page written by ``preview --html``.
"""

from __future__ import annotations

import ast
import html.parser
import json
import logging
import pathlib
import typing as t

import pytest
from helpers import payment_request, run_cli

from msgtemplates import (
    Catalog,
    RequestInvalid,
    UnknownTemplate,
    check_request,
    validate_request,
)

ROOT = pathlib.Path(__file__).resolve().parent.parent
EXAMPLE_CATALOG = ROOT / "examples" / "catalog"
TOKEN = "20240517103015010007000000SECRET519f3c2"


def request(**changes: t.Any) -> dict[str, t.Any]:
    return payment_request(TOKEN, **changes)


def _with_parameters(**params: str) -> dict[str, t.Any]:
    payload = request()
    payload["templates"][0]["templateParameters"].update(params)
    return payload


# Every place a request carries text, with the token in it.
TOKEN_PLACES = {
    "appId": request(appId=TOKEN),
    "requestId": request(requestId=f"{TOKEN}-" + "9" * 30),
    "templateCode": request(templateCode=TOKEN),
    "extendInfo": request(extendInfo=f"note {TOKEN} " * 300),
    "language": request(templates=[{"language": TOKEN}]),
    "language with a suffix": request(templates=[{"language": f"{TOKEN}_US"}]),
    "parameter value": _with_parameters(merchant=f"<{TOKEN}>\u202e\ud800"),
    "link": _with_parameters(pushContentUrl=f"javascript:{TOKEN}"),
    "unknown member": request(tokenCopy=TOKEN),
    "member named like the token": request(**{TOKEN: TOKEN}),
}


@pytest.mark.parametrize("payload", TOKEN_PLACES.values(), ids=TOKEN_PLACES)
def test_the_token_is_never_in_problems_or_exceptions(payload: dict[str, t.Any]) -> None:
    catalog = Catalog.load(EXAMPLE_CATALOG)
    problems = check_request(payload, catalog=catalog)
    assert problems
    assert TOKEN not in repr(problems) + str([str(p) for p in problems])
    with pytest.raises(RequestInvalid) as info:
        validate_request(payload, catalog=catalog)
    assert TOKEN not in str(info.value) + repr(info.value)


def test_a_preview_of_a_template_code_holding_the_token_never_quotes_it() -> None:
    catalog = Catalog.load(EXAMPLE_CATALOG)
    with pytest.raises(UnknownTemplate) as info:
        catalog.preview(request(templateCode=f"x{TOKEN}"), user_locale="en-US")
    assert TOKEN not in str(info.value) + repr(info.value) + repr(info.value.code)


@pytest.mark.parametrize("payload", TOKEN_PLACES.values(), ids=TOKEN_PLACES)
def test_the_token_is_never_in_check_output_with_a_catalog(payload: dict[str, t.Any]) -> None:
    data = json.dumps(payload).encode()
    for fmt in ("text", "json"):
        code, out, err = run_cli(
            ["check", "-", "--catalog", str(EXAMPLE_CATALOG), "--format", fmt], data
        )
        assert code == 1
        assert TOKEN not in out + err


@pytest.mark.parametrize(
    "broken",
    [
        pytest.param(lambda line: line[:-1], id="unterminated"),
        pytest.param(lambda line: line.replace(b'"appId"', b"appId"), id="bare member name"),
        pytest.param(lambda line: line.replace(b"REQ-1", b"REQ-1\x01"), id="control character"),
        pytest.param(lambda line: line.replace(b"Sunrise", b"Sun\xffrise"), id="invalid UTF-8"),
        pytest.param(lambda line: line + b" trailing", id="trailing text"),
        pytest.param(lambda line: line.replace(b'"1"', b"NaN"), id="NaN"),
    ],
)
def test_an_invalid_json_line_holding_the_token_is_reported_without_its_text(
    broken: t.Callable[[bytes], bytes],
) -> None:
    good = json.dumps(request()).encode()
    bad = broken(json.dumps(request(extendInfo=TOKEN)).encode())
    batch = good + b"\n" + bad + b"\n"
    for argv in (["check", "-", "--jsonl"], ["check", "-", "--jsonl", "--format", "json"]):
        code, out, err = run_cli(argv, batch)
        assert code == 1
        assert "invalidJson" in out
        assert TOKEN not in out + err
    code, out, err = run_cli(["check", "-"], bad)
    assert (code, "invalidJson" in out) == (1, True)
    assert TOKEN not in out + err


def test_the_library_logs_nothing_that_holds_the_token(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    catalog = Catalog.load(EXAMPLE_CATALOG)
    for payload in TOKEN_PLACES.values():
        check_request(payload, catalog=catalog)
        run_cli(["check", "-", "--catalog", str(EXAMPLE_CATALOG)], json.dumps(payload).encode())
    assert all(TOKEN not in record.getMessage() for record in caplog.records)
    # The library does not log at all today; a log call added later is held to the same rule.
    assert [r for r in caplog.records if r.name.startswith("msgtemplates")] == []


# --------------------------------------------------------------------------- obfuscated links

OBFUSCATED_LINKS = [
    "jAvAsCrIpT:alert(1)",
    " javascript:alert(1)",
    "\tjavascript:alert(1)",
    "\x01javascript:alert(1)",
    "\x00javascript:alert(1)",
    "\u00a0javascript:alert(1)",
    "\u200bjavascript:alert(1)",
    "\ufeffjavascript:alert(1)",
    "java\x00script:alert(1)",
    "java\rscript:alert(1)",
    "jav\tascript:alert(1)",
    "javascript\n:alert(1)",
    "%6Aavascript:alert(1)",
    "javascript%3Aalert(1)",
    "%20javascript:alert(1)",
    "\uff4a\uff41\uff56\uff41\uff53\uff43\uff52\uff49\uff50\uff54:alert(1)",  # full-width
    "javascript\uff1aalert(1)",  # full-width colon
    "javascript&colon;alert(1)",
    "javascript&#58;alert(1)",
    "javascript&#x3a;alert(1)",
    "jav&#x09;ascript:alert(1)",
    "&#106;avascript:alert(1)",
    "\\u006aavascript:alert(1)",
    "javascript://example.com/%0aalert(1)",
    "https:javascript:alert(1)",
    "https\uff1a//example.com",
    "\uff48\uff54\uff54\uff50\uff53://example.com",  # full-width https
    "https:\uff0f\uff0fexample.com",
    "http:/\\example.com",
    "https://example.com\u2028javascript:alert(1)",
    "https://example.com\u0085",
    "VBScript:msgbox(1)",
    "DATA:text/html;base64,PHNjcmlwdD4=",
    "blob:https://example.com/x",
    "livescript:alert(1)",
    "/pages/\u3000index",
    "/pages/index\u202e",
]


@pytest.mark.parametrize("parameter", ["pushContentUrl", "redirectUrl"])
@pytest.mark.parametrize("link", OBFUSCATED_LINKS)
def test_an_obfuscated_scheme_is_an_unsafe_link(parameter: str, link: str) -> None:
    payload = _with_parameters(**{parameter: link})
    path = f"/templates/0/templateParameters/{parameter}"
    assert (path, "unsafeUrl") in [(p.path, p.code) for p in check_request(payload)]


def test_the_unsafe_link_message_quotes_the_link_escaped_and_cut() -> None:
    link = "java\tscript:" + "a" * 100
    [problem] = [
        p for p in check_request(_with_parameters(redirectUrl=link)) if p.code == "unsafeUrl"
    ]
    assert "\t" not in problem.message
    assert "java\\x09script:" in problem.message
    assert "a" * 40 not in problem.message


# --------------------------------------------------------------------------- HTML end to end

HOSTILE = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "'><svg onload=alert(1)>",
    "</div></section><iframe src=javascript:alert(1)>",
    "<!-- --><style>*{display:none}</style>",
    "&lt;b&gt; &amp; {{ title }} {% if %}",
    "\u202e<b>reversed</b>\x00\x1b[31m",
]

ALLOWED_TAGS = {
    "html", "head", "meta", "title", "style", "body", "h1", "h2", "p", "main", "section",
    "div", "span", "dl", "dt", "dd", "aside", "ul", "li",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"lang", "dir", "charset", "http-equiv", "content", "name", "class"}


class _Page(html.parser.HTMLParser):
    """The elements, attributes and text of an HTML page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str | None]] = []
        self.text: list[str] = []
        self.comments: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes += attrs

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def handle_comment(self, data: str) -> None:
        self.comments.append(data)


def test_every_value_in_the_html_preview_is_escaped(tmp_path: pathlib.Path) -> None:
    catalog = tmp_path / "catalog"
    catalog.mkdir()
    texts = {"en-US": f"{HOSTILE[3]} ${{who}} ${{amount}}", "zh-TW": f"{HOSTILE[4]} ${{who}}"}
    (catalog / "TP_X.json").write_text(json.dumps({"content": texts}), "utf-8")
    params = {"who": HOSTILE[0], "amount": HOSTILE[1], HOSTILE[2]: HOSTILE[5]}
    payload = request(
        templateCode="TP_X",
        templates=[
            {"language": "en-US", "templateParameters": params},
            {"language": "zh-TW", "templateParameters": {"who": HOSTILE[6]}},
            {"language": HOSTILE[1], "templateParameters": {"who": HOSTILE[6]}},
        ],
    )
    name = tmp_path / '<i>"request".json'
    name.write_text(json.dumps(payload), "utf-8")
    out = tmp_path / "preview.html"
    argv = ["preview", str(name), "--catalog", str(catalog), "--html", str(out)]
    for locale in ["en-US", "zh-HK", HOSTILE[2], HOSTILE[5]]:
        argv += ["--locale", locale]
    code, _, err = run_cli(argv)
    assert code in {0, 1}
    assert err == ""
    page = _Page()
    page.feed(out.read_text("utf-8"))
    page.close()
    assert set(page.tags) <= ALLOWED_TAGS
    assert {name for name, _ in page.attributes} <= ALLOWED_ATTRIBUTES
    assert page.comments == []
    text = "".join(page.text)
    # Each hostile value arrives as text the reader sees, never as markup.
    for value in [*HOSTILE[:6], '<i>"request".json']:
        assert value in text
    assert all("<" not in (value or "") for _, value in page.attributes)


# --------------------------------------------------------------------------- regular expressions

# Each regular expression in the package, with why no input can make it super-linear
# (benchmarks/adversarial.py measures the same on 1 MB and 10 MB inputs).
REVIEWED_PATTERNS = {
    # Anchored at one position by .match(); one character class, then a greedy star over
    # another class: no nested or overlapping quantifiers.
    r"[A-Za-z_][A-Za-z0-9_.-]*",
    # Bounded quantifiers only ({2,3}, {4}, {2}, {3}), matched at the start.
    r"([A-Za-z]{2,3})(?:-([A-Za-z]{4}))?(?:-([A-Za-z]{2}|[0-9]{3}))?\Z",
    # Searched in tomllib's own error message, which never holds catalog text.
    r"\s*\(at line (\d+), column (\d+)\)\s*\Z",
    r"\s*\(at end of document\)\s*\Z",
    # A literal "$", then one class and a greedy star over a disjoint-enough class: linear.
    r"\$([A-Za-z_][A-Za-z0-9_]*)",
    # One character class, no quantifier.
    r"[?#]",
    # Matched once per catalog line at its start: blanks, an optional literal prefix, then one
    # of three alternatives whose first characters differ (", ', a name character); inside the
    # quoted one, the two alternatives start with disjoint characters, so no backtracking.
    r"""[ \t]*(?:content[ \t]*\.[ \t]*)?("(?:[^"\\\n]|\\.)*"|'[^'\n]*'|[A-Za-z0-9_-]+)[ \t]*=""",
    r"[ \t]*\[[ \t]*([A-Za-z0-9_-]+)[ \t]*\]",
    # A BCP 47 tag with variants, extensions and private use: every subtag is bounded
    # ({5,8}, {2,8}, {1,8}) and closed by a look-ahead, and the tail is one atomic group, so
    # nothing is ever backtracked; benchmarks/adversarial.py times it on 10 MB of tag-like text.
    r"(?P<base>[A-Za-z]{2,3}(?:-[A-Za-z]{4})?(?:-[A-Za-z]{2}|-[0-9]{3})?)(?=-)"
    r"(?>"
    r"(?:-(?:[A-Za-z0-9]{5,8}|[0-9][A-Za-z0-9]{3})(?![A-Za-z0-9]))*"
    r"(?:-[0-9A-WYZa-wyz](?:-[A-Za-z0-9]{2,8}(?![A-Za-z0-9]))+)*"
    r"(?:-[Xx](?:-[A-Za-z0-9]{1,8}(?![A-Za-z0-9]))+)?"
    r")\Z",
    # PO file names: one class, then a star over a class, anchored at the end.
    r"[A-Za-z0-9][A-Za-z0-9_-]*\Z",
    # JSON whitespace, one class and a star, matched at a known position.
    r"[ \t\n\r]*",
}
# Built at import from constants (character classes with no quantifier, or the schema's
# language pattern, which is anchored and bounded; the safe-link pattern is checked by the
# benchmark and by the link tables; the catalog's JSON key search is a fixed key and \s*).
REVIEWED_DYNAMIC = {"rules.py": 5, "schema.py": 1, "catalog.py": 1}


def test_every_regular_expression_in_the_package_was_reviewed() -> None:
    literal: set[str] = set()
    dynamic: dict[str, int] = {}
    for source in sorted((ROOT / "msgtemplates").rglob("*.py")):
        tree = ast.parse(source.read_text("utf-8"))
        for node in ast.walk(tree):
            if not (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "re"
            ):
                continue
            first = node.args[0] if node.args else None
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                literal.add(first.value)
            else:
                dynamic[source.name] = dynamic.get(source.name, 0) + 1
    assert literal == REVIEWED_PATTERNS
    assert dynamic == REVIEWED_DYNAMIC


def test_preview_never_shows_the_token_in_text_json_or_html(tmp_path: pathlib.Path) -> None:
    params = {"merchant": f"x{TOKEN}", "amount": "1", "time": "now"}
    payload = request(
        templates=[
            {"language": TOKEN, "templateParameters": params},
            {"language": "zh-HK", "templateParameters": params},
        ]
    )
    name = tmp_path / "request.json"
    name.write_text(json.dumps(payload), "utf-8")
    page = tmp_path / "preview.html"
    base = ["preview", str(name), "--catalog", str(EXAMPLE_CATALOG), "--html", str(page)]
    for extra in ([], ["--format", "json"], ["--locale", TOKEN, "--locale", f"{TOKEN}-US"]):
        code, out, err = run_cli(base + extra)
        assert code in {0, 1}
        assert "previewed" in out or '"locale"' in out
        assert TOKEN not in out + err + page.read_text("utf-8")
