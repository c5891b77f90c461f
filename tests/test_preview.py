"""The HTML preview page: escaping, layout direction, self-containment, and a real browser."""

from __future__ import annotations

import html.parser
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import typing as t
import zlib
from pathlib import Path

import pytest

from msgtemplates import Catalog, Preview, Problem
from msgtemplates.preview import render_html

ATTACK = "<img src=x onerror=alert(1)>"
ESCAPED_ATTACK = "&lt;img src=x onerror=alert(1)&gt;"


def preview(
    text: str = "Hello, XiaoMing",
    *,
    language: str | None = "en-US",
    index: int = 0,
    problems: tuple[Problem, ...] = (),
) -> Preview:
    return Preview(request_index=index, language=language, text=text, problems=list(problems))


class Element:
    """One element of a parsed page: its tag, attributes and the text directly inside it."""

    def __init__(self, tag: str, attrs: dict[str, str | None]) -> None:
        self.tag = tag
        self.attrs = attrs
        self.text = ""

    @property
    def classes(self) -> set[str]:
        return set((self.attrs.get("class") or "").split())


class Page(html.parser.HTMLParser):
    """A flat list of the page's elements, enough to ask what a browser would build."""

    VOID = frozenset({"meta", "link", "img", "br", "hr", "input", "source", "base"})

    def __init__(self, source: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[Element] = []
        self._open: list[Element] = []
        self.feed(source)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, dict(attrs))
        self.elements.append(element)
        if tag not in self.VOID:
            self._open.append(element)

    def handle_endtag(self, tag: str) -> None:
        while self._open:
            if self._open.pop().tag == tag:
                break

    def handle_data(self, data: str) -> None:
        if self._open:
            self._open[-1].text += data

    def with_class(self, name: str) -> list[Element]:
        return [e for e in self.elements if name in e.classes]


def parse(previews: list[tuple[str, Preview]], **options: t.Any) -> Page:
    return Page(render_html(previews, **options))


@pytest.mark.parametrize(
    "previews",
    [
        pytest.param([("en-US", preview(f"Hello, {ATTACK}"))], id="parameter-value"),
        pytest.param([(ATTACK, preview())], id="user-locale"),
        pytest.param([("en-US", preview(language=ATTACK))], id="catalog-language"),
        pytest.param(
            [("en-US", preview(problems=(Problem("/appId", "type", f"bad {ATTACK}"),)))],
            id="problem-message",
        ),
        pytest.param(
            [("en-US", preview(problems=(Problem(f"/{ATTACK}", ATTACK, "bad", "warning"),)))],
            id="problem-path-and-code",
        ),
    ],
)
def test_user_text_is_escaped_everywhere(previews: list[tuple[str, Preview]]) -> None:
    page = render_html(previews)
    assert ESCAPED_ATTACK in page
    assert "<img" not in page
    assert not [e for e in Page(page).elements if e.tag == "img"]


def test_title_is_escaped() -> None:
    page = render_html([], title=f"Preview {ATTACK}")
    assert f"<title>Preview {ESCAPED_ATTACK}</title>" in page
    assert "<img" not in page


def test_quotes_in_a_language_cannot_break_out_of_the_lang_attribute() -> None:
    page = parse([("en-US", preview(language='en" onmouseover="alert(1)'))])
    assert all("onmouseover" not in element.attrs for element in page.elements)


def test_message_text_keeps_every_space_and_newline() -> None:
    text = "Dear  XiaoMing,\n\n  your order\tUS$5 is ready.\r\nBye "
    (bubble,) = parse([("en-US", preview(text))]).with_class("bubble")
    assert bubble.text == text


@pytest.mark.parametrize(
    ("language", "lang", "direction"),
    [
        ("ar", "ar", "rtl"),
        ("he", "he", "rtl"),
        ("ar-EG", "ar-EG", "rtl"),
        ("fa-IR", "fa-IR", "rtl"),
        ("ur", "ur", "rtl"),
        ("iw-IL", "iw-IL", "rtl"),
        ("az-Arab", "az-Arab", "rtl"),
        ("en-US", "en-US", "ltr"),
        ("zh-hant-hk", "zh-Hant-HK", "ltr"),
        ("xx-Hebr", "xx-Hebr", "rtl"),
        ("xx", "xx", "ltr"),
    ],
)
def test_text_direction_and_lang_follow_the_catalog_language(
    language: str, lang: str, direction: str
) -> None:
    (bubble,) = parse([("en-US", preview("שלום", language=language))]).with_class("bubble")
    assert bubble.attrs["lang"] == lang
    assert bubble.attrs["dir"] == direction


def test_without_catalog_text_the_card_says_so_in_the_users_direction() -> None:
    page = render_html([("ar-EG", preview("", language=None))])
    assert "No catalog text for this language." in page
    (bubble,) = Page(page).with_class("bubble")
    assert "none" in bubble.classes


def test_an_empty_message_is_marked_as_empty() -> None:
    page = render_html([("en-US", preview(""))])
    assert "The message is empty." in page
    (bubble,) = Page(page).with_class("bubble")
    assert "none" in bubble.classes


def test_a_malformed_language_gets_no_lang_attribute() -> None:
    (bubble,) = parse([("en_US", preview(language="en_US"))]).with_class("bubble")
    assert "lang" not in bubble.attrs
    assert bubble.attrs["dir"] == "ltr"


def test_one_card_per_user_locale_in_order() -> None:
    locales = ["en-US", "zh-HK", "ar-EG", "pt-AO"]
    page = parse([(locale, preview(index=i)) for i, locale in enumerate(locales)])
    assert len(page.with_class("card")) == len(locales)
    assert [e.text for e in page.with_class("user-locale")] == locales
    assert [e.text for e in page.with_class("picked")] == [f"/templates/{i}" for i in range(4)]


def test_problems_show_severity_pointer_message_and_code() -> None:
    problems = (
        Problem("/templates/0/templateParameters/who", "invisibleCharacter", "hidden", "warning"),
        Problem("", "required", "appId is missing"),
    )
    page = parse([("en-US", preview(problems=problems))])
    items = [e for e in page.elements if e.tag == "li"]
    assert [item.classes for item in items] == [{"warning"}, {"error"}]
    assert [e.text for e in page.with_class("severity")] == ["warning", "error"]
    assert [e.text for e in page.with_class("path")] == [
        "/templates/0/templateParameters/who",
        "(root)",
    ]
    assert [e.text for e in page.with_class("code")] == ["[invisibleCharacter]", "[required]"]
    assert [e.text for e in page.with_class("message")] == ["hidden", "appId is missing"]


def test_a_card_without_problems_says_so() -> None:
    assert "No problems." in render_html([("en-US", preview())])


def test_no_previews_gives_a_page_that_says_so() -> None:
    page = parse([])
    assert not page.with_class("card")
    assert page.with_class("empty")


def test_page_loads_nothing_from_anywhere() -> None:
    hostile = "see https://evil.example/x.js and url(http://evil.example/f.woff)"
    page_text = render_html(
        [("en-US", preview(hostile, problems=(Problem("/x", "unsafeUrl", hostile),)))]
    )
    page = Page(page_text)
    for element in page.elements:
        assert not {"src", "href", "srcset", "action", "background"} & set(element.attrs)
    assert not {e.tag for e in page.elements} & {"script", "link", "img", "iframe", "object"}
    (style,) = [e for e in page.elements if e.tag == "style"]
    assert "url(" not in style.text
    assert "@import" not in style.text
    assert "@font-face" not in style.text
    csp = [e for e in page.elements if e.attrs.get("http-equiv") == "Content-Security-Policy"]
    assert csp[0].attrs["content"] == "default-src 'none'; style-src 'unsafe-inline'"
    # The only URLs on the page are the user's own text, shown as text.
    assert page_text.count("https://evil.example") == 2


@pytest.mark.parametrize(
    "text", ["nul\x00here", "lone \ud800 surrogate", "bell\x07", "del\x7f", "\udfff"]
)
def test_page_always_encodes_as_utf8(text: str) -> None:
    page = render_html([(text, preview(text, language=text))], title=text)
    page.encode("utf-8")
    assert "\x00" not in page
    assert "\x07" not in page


@pytest.mark.parametrize(
    ("previews", "title"),
    [
        pytest.param("en-US", "t", id="string"),
        pytest.param(None, "t", id="none"),
        pytest.param([("en-US",)], "t", id="short-pair"),
        pytest.param([(1, "x")], "t", id="locale-not-str"),
        pytest.param([("en-US", object())], "t", id="not-a-preview"),
        pytest.param([], 3, id="title-not-str"),
    ],
)
def test_wrong_arguments_raise_type_error(previews: object, title: object) -> None:
    with pytest.raises(TypeError, match="must be"):
        render_html(previews, title=title)  # type: ignore[arg-type]


def test_catalog_previews_render_end_to_end() -> None:
    catalog = Catalog({"TP_1": {"en-US": "Hello, ${who}", "ar": "مرحبا، ${who}"}})
    payload = {
        "appId": "P1",
        "accessToken": "secret-token",
        "requestId": "r1",
        "templateCode": "TP_1",
        "templates": [
            {"language": "en-US", "templateParameters": {"who": ATTACK}},
            {"language": "ar", "templateParameters": {"who": "سارة"}},
        ],
    }
    locales = ["en-GB", "ar-EG"]
    page = render_html([(loc, catalog.preview(payload, user_locale=loc)) for loc in locales])
    parsed = Page(page)
    assert [e.text for e in parsed.with_class("picked")] == ["/templates/0", "/templates/1"]
    assert [e.attrs["dir"] for e in parsed.with_class("bubble")] == ["ltr", "rtl"]
    assert ESCAPED_ATTACK in page
    assert "secret-token" not in page


def request_with_links(*links: dict[str, object], token: str = "secret-token") -> dict[str, t.Any]:
    return {
        "appId": "P1",
        "accessToken": token,
        "requestId": "r1",
        "templateCode": "TP_1",
        "templates": [
            {"language": f"l{i}", "templateParameters": params} for i, params in enumerate(links)
        ],
    }


def test_without_the_request_a_card_shows_no_link_section() -> None:
    page = parse([("en-US", preview())])
    assert not page.with_class("links")
    assert not [e for e in page.elements if e.tag == "a"]


@pytest.mark.parametrize(
    "url",
    [
        "https://shop.example/orders/1",
        "http://shop.example:8080/o?id=1&lang=zh-HK#top",
        "HTTPS://Shop.Example/%E6%97%A5",
    ],
)
def test_a_plain_web_push_link_is_shown_and_live(url: str) -> None:
    page = parse([("en-US", preview())], payload=request_with_links({"pushContentUrl": url}))
    (anchor,) = [e for e in page.elements if e.tag == "a"]
    assert anchor.attrs["href"] == url
    assert anchor.text == url
    assert set((anchor.attrs["rel"] or "").split()) >= {"noopener", "noreferrer"}
    assert [e.text for e in page.with_class("name")] == ["pushContentUrl"]


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "/pages/order/detail?id=1",
        "https://bank.example@evil.example/",
        "https://evil.example/\u202e/x",
        'https://a.example/" onmouseover="alert(1)',
        "https://a.example/<img src=x onerror=alert(1)>",
        "https:///no-host",
        "ftp://files.example/x",
        "http://a.example:99999/",
        "https://[::1]/",
        "https://a_b.example/",
        "http:/a.example",
        " https://a.example/",
    ],
)
def test_any_other_push_link_is_text_only(url: str) -> None:
    page_text = render_html(
        [("en-US", preview())], payload=request_with_links({"pushContentUrl": url})
    )
    page = Page(page_text)
    assert not [e for e in page.elements if e.tag in ("a", "img", "script")]
    assert all("onmouseover" not in e.attrs and "href" not in e.attrs for e in page.elements)
    (shown,) = [e for e in page.elements if "link" in e.classes]
    assert shown.text == url


def test_the_card_shows_the_links_of_the_content_template_the_wallet_picks() -> None:
    payload = request_with_links(
        {"pushContentUrl": "https://a.example/0"},
        {"redirectUrl": "/pages/r/1", "pushContentUrl": "https://a.example/1"},
        {"who": "x"},
    )
    page = parse(
        [("a", preview(index=1)), ("b", preview(index=0)), ("c", preview(index=2))],
        payload=payload,
    )
    links = page.with_class("push-link")
    assert [e.text.strip() for e in page.with_class("name")] == [
        "pushContentUrl",
        "redirectUrl",
        "pushContentUrl",
    ]
    assert [e.attrs["href"] for e in page.elements if e.tag == "a"] == [
        "https://a.example/1",
        "https://a.example/0",
    ]
    assert [e.text for e in page.with_class("link")] == ["/pages/r/1"]
    assert "none" in links[-1].classes
    assert links[-1].text == "No push link."


def test_a_link_holding_the_access_token_shows_it_masked_and_not_live() -> None:
    payload = request_with_links(
        {"pushContentUrl": "https://a.example/?t=secret-token"}, token="secret-token"
    )
    page_text = render_html([("en-US", preview())], payload=payload)
    assert "secret-token" not in page_text
    assert "https://a.example/?t=***" in page_text
    assert not [e for e in Page(page_text).elements if e.tag == "a"]


@pytest.mark.parametrize(
    "payload",
    [
        None,
        [],
        {"templates": "x"},
        {"templates": []},
        {"templates": [3]},
        {"templates": [{"templateParameters": [1]}]},
        {"templates": [{"templateParameters": {"pushContentUrl": 3}}]},
    ],
)
def test_a_request_of_any_shape_gives_a_page(payload: object) -> None:
    page = parse([("en-US", preview())], payload=payload)
    assert not [e for e in page.elements if e.tag == "a"]
    assert page.with_class("card")


@pytest.mark.parametrize(
    ("locale", "language", "fallback"),
    [
        ("en-GB", "en-US", True),
        ("zh-HK", "zh-Hant", True),
        ("en-US", "en-US", False),
        ("en_us", "en-US", False),
        ("ZH-hk", "zh_HK", False),
        ("en-US", None, False),
    ],
)
def test_a_fallback_is_marked_when_the_text_is_another_languages(
    locale: str, language: str | None, fallback: bool
) -> None:
    page = parse([(locale, preview("Hi", language=language))])
    marks = page.with_class("fallback-mark")
    assert len(marks) == (1 if fallback else 0)
    (phone,) = page.with_class("phone")
    assert ("fallback" in phone.classes) is fallback


def test_catalog_previews_show_fallback_and_push_link_end_to_end() -> None:
    catalog = Catalog({"TP_1": {"en-US": "Hello, ${who}", "zh-TW": "你好 ${who}"}})
    payload = request_with_links(
        {"who": "Ann", "pushContentUrl": "https://shop.example/o/1"},
        {"who": "安", "pushContentUrl": "javascript:alert(1)"},
    )
    payload["templates"][0]["language"] = "en-US"
    payload["templates"][1]["language"] = "zh-HK"
    locales = ["en-US", "zh-HK"]
    page = parse(
        [(loc, catalog.preview(payload, user_locale=loc)) for loc in locales],
        payload=payload,
    )
    assert [e.text for e in page.with_class("language")] == ["en-US", "zh-TW "]
    assert len(page.with_class("fallback-mark")) == 1
    assert [e.attrs["href"] for e in page.elements if e.tag == "a"] == ["https://shop.example/o/1"]
    assert [e.text for e in page.with_class("link")] == ["javascript:alert(1)"]


def test_importing_the_module_does_not_import_jinja2() -> None:
    code = "import sys, msgtemplates.preview; print('jinja2' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert result.stdout.strip() == "False"


# A real browser: Debian's chromium, headless, loading the written page from a file:// URL.

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="no chromium binary on PATH (apt-get install chromium)"
)


def chromium(url: str, *flags: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM is not None
    profile = tempfile.mkdtemp(dir=cwd)
    command = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
        *flags,
        url,
    ]
    # Without a session bus chromium only logs noise; a private HOME keeps it out of ours.
    env = {**os.environ, "HOME": str(cwd)}
    return subprocess.run(command, capture_output=True, text=True, timeout=60, env=env, cwd=cwd)


@pytest.fixture(scope="module")
def written_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    problems = (
        Problem("/templates/0/templateParameters/who", "invisibleCharacter", "hidden", "warning"),
        Problem("/templates/1/language", "languageTag", 'use "zh-HK", not "zh_HK"'),
    )
    previews = [
        ("en-US", preview(f"Hello, {ATTACK}\nYour order US$5 has shipped.", problems=problems)),
        ("ar-EG", preview("مرحبا، سارة\nتم شحن طلبك.", language="ar", index=1)),
        ("zh-HK", preview("你好, 小明 👩‍💻", language="zh-Hant-HK", index=2)),
    ]
    payload = request_with_links(
        {"pushContentUrl": "https://shop.example/orders/1"},
        {"pushContentUrl": "javascript:alert(1)"},
        {"redirectUrl": "/pages/order/detail?id=1"},
    )
    path = tmp_path_factory.mktemp("page") / "preview.html"
    path.write_text(render_html(previews, title="Order shipped", payload=payload), encoding="utf-8")
    return path


@needs_chromium
def test_browser_screenshot_is_not_blank(written_page: Path) -> None:
    png = written_page.parent / "shot.png"
    result = chromium(
        written_page.as_uri(),
        f"--screenshot={png}",
        "--window-size=800,1200",
        cwd=written_page.parent,
    )
    assert png.exists(), result.stderr[-2000:]
    width, height, pixels = decode_png(png.read_bytes())
    assert (width, height) == (800, 1200)
    white = (255, 255, 255)
    non_white = sum(1 for pixel in pixels if pixel != white)
    assert len(set(pixels)) > 50
    assert non_white > len(pixels) // 10


@needs_chromium
def test_browser_keeps_hostile_values_as_text(written_page: Path) -> None:
    result = chromium(written_page.as_uri(), "--dump-dom", cwd=written_page.parent)
    dom = result.stdout
    assert "<title>Order shipped</title>" in dom, result.stderr[-2000:]
    assert ESCAPED_ATTACK in dom
    assert "<img" not in dom.lower()
    bubbles = Page(dom).with_class("bubble")
    assert bubbles[0].text == f"Hello, {ATTACK}\nYour order US$5 has shipped."
    assert [b.attrs.get("dir") for b in bubbles] == ["ltr", "rtl", "ltr"]


def decode_png(data: bytes) -> tuple[int, int, list[tuple[int, ...]]]:
    """Decode an 8-bit, non-interlaced RGB or RGBA PNG into opaque RGB pixels (stdlib only)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    offset, idat = 8, bytearray()
    width = height = channels = 0
    while offset < len(data):
        (length,) = struct.unpack(">I", data[offset : offset + 4])
        kind = data[offset + 4 : offset + 8]
        body = data[offset + 8 : offset + 8 + length]
        offset += 12 + length
        if kind == b"IHDR":
            width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", body)
            assert (depth, interlace) == (8, 0)
            channels = {2: 3, 6: 4}[colour]
        elif kind == b"IDAT":
            idat += body
        elif kind == b"IEND":
            break
    raw = zlib.decompress(bytes(idat))
    stride = width * channels
    previous = bytearray(stride)
    pixels: list[tuple[int, ...]] = []
    for row in range(height):
        start = row * (stride + 1)
        line = bytearray(raw[start + 1 : start + 1 + stride])
        unfilter(raw[start], line, previous, channels)
        pixels.extend(tuple(line[i : i + 3]) for i in range(0, stride, channels))
        previous = line
    return width, height, pixels


def unfilter(kind: int, line: bytearray, previous: bytearray, bpp: int) -> None:
    """Undo one PNG row filter in place (RFC 2083, section 6)."""
    if kind == 0:
        return
    if kind == 2:
        line[:] = bytes((a + b) & 0xFF for a, b in zip(line, previous, strict=True))
        return
    for i in range(len(line)):
        left = line[i - bpp] if i >= bpp else 0
        up = previous[i]
        if kind == 1:
            line[i] = (line[i] + left) & 0xFF
        elif kind == 3:
            line[i] = (line[i] + ((left + up) >> 1)) & 0xFF
        else:
            upper_left = previous[i - bpp] if i >= bpp else 0
            estimate = left + up - upper_left
            pa, pb, pc = abs(estimate - left), abs(estimate - up), abs(estimate - upper_left)
            best = left if pa <= pb and pa <= pc else up if pb <= pc else upper_left
            line[i] = (line[i] + best) & 0xFF


@needs_chromium
def test_browser_sees_one_live_push_link_and_the_fallback_marks(written_page: Path) -> None:
    result = chromium(written_page.as_uri(), "--dump-dom", cwd=written_page.parent)
    page = Page(result.stdout)
    assert page.with_class("card"), result.stderr[-2000:]
    anchors = [e for e in page.elements if e.tag == "a"]
    assert [a.attrs.get("href") for a in anchors] == ["https://shop.example/orders/1"]
    assert [e.text for e in page.with_class("link")] == [
        "javascript:alert(1)",
        "/pages/order/detail?id=1",
    ]
    # ar for an ar-EG user and zh-Hant-HK for a zh-HK user are fallbacks; en-US is not.
    assert len(page.with_class("fallback-mark")) == 2
