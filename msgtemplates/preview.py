"""Previews for people: the HTML page of phone-style cards, and the text and JSON lines.

Rule of the house: how a :class:`~msgtemplates.Preview` is shown lives here; what a user sees
(which content template, which text) is the catalog's to decide.
"""

from __future__ import annotations

import collections.abc as cabc
import dataclasses
import functools
import json
import typing as t

from .errors import RequestInvalid, UnknownTemplate
from .locales import canonical_tag, resolve_language
from .problems import one_line, secret_of
from .rules import LINK_PARAMETERS, is_dict, is_list, is_safe_link, is_str, language_key

if t.TYPE_CHECKING:
    import jinja2

    from .catalog import Catalog, Preview

__all__ = [
    "preview_all",
    "preview_record",
    "preview_text",
    "render_html",
    "request_languages",
    "write_html",
]


@dataclasses.dataclass(frozen=True, slots=True)
class _Line:
    severity: str
    path: str
    message: str
    code: str


@dataclasses.dataclass(frozen=True, slots=True)
class _Card:
    locale: str
    request_index: str
    language: str | None
    lang: str | None
    direction: str
    text: str | None
    problems: tuple[_Line, ...]
    # The catalog text is another language's than the user's.
    fallback: bool
    # None without a request to read them from; else the links of the chosen content template.
    links: tuple[_Link, ...] | None


@dataclasses.dataclass(frozen=True, slots=True)
class _Link:
    name: str
    text: str
    # Only a plain http(s) URL becomes a live link; anything else is shown as text.
    href: str | None


# Printable ASCII that RFC 3986 never allows in a URL.
_NOT_IN_URLS = frozenset(' "<>\\^`{|}')
_HOST_CHARACTERS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-")


def render_html(
    previews: cabc.Sequence[tuple[str, Preview]],
    /,
    *,
    title: str = "msgtemplates preview",
    payload: object = None,
) -> str:
    """Render previews as one self-contained HTML5 page, one phone-style card per user locale.

    Each card shows the user locale, which content template the wallet picks and the catalog
    language used (marked as a fallback when it is not the user's language: tags that differ
    only in case or in ``_`` for ``-`` are the same), the message text with its whitespace and
    newlines, and the problems of that content template. Given the request, a card also shows
    the push link (``pushContentUrl``, ``redirectUrl``) of the chosen content template. Text in
    a right-to-left language is laid out right to left. Every value is escaped; the page loads
    nothing (no scripts, images, fonts or styles from anywhere) and its Content Security Policy
    forbids it to. The one kind of live link is a push link that is a plain absolute http(s)
    URL, opened only when clicked, without a referrer; any other link shows as text only.

    :param previews: ``(user locale, Preview)`` pairs, as :meth:`Catalog.preview` gives them.
    :param title: the page title.
    :param payload: the request the previews are of, to show each card's push link; its
        access token is shown as ``***`` wherever a link holds it.
    :returns: the page, a string that always encodes as UTF-8.
    :raises TypeError: if ``previews`` is not a sequence of ``(str, Preview)`` pairs or
        ``title`` is not a string.

    >>> from msgtemplates import Preview
    >>> card = Preview(request_index=0, language="en-US", text="Hi <b>", problems=[])
    >>> page = render_html([("en-US", card)], title="Demo")
    >>> "Hi &lt;b&gt;" in page and "<b>" not in page
    True
    """
    if not is_str(title):
        raise TypeError(f"title must be a string, not {_type_name(title)}")
    if isinstance(previews, str | bytes) or not isinstance(previews, cabc.Iterable):
        what = _type_name(previews)
        raise TypeError(f"previews must be a sequence of (user locale, Preview) pairs, not {what}")
    cards = [_card(index, item, payload) for index, item in enumerate(previews)]
    return _template().render(title=_plain(title), cards=cards)


def _card(index: int, item: object, payload: object) -> _Card:
    if not (isinstance(item, tuple) and len(item) == 2 and is_str(item[0])):
        raise TypeError(
            f"previews[{index}] must be a (user locale, Preview) pair, not {_type_name(item)}"
        )
    locale, preview = item
    try:
        request_index = preview.request_index
        language = preview.language
        text = preview.text
        problems = preview.problems
    except AttributeError:
        raise TypeError(
            f"previews[{index}][1] must be a Preview, not {_type_name(preview)}"
        ) from None
    language = _plain(language) if is_str(language) else None
    # The text is written in the catalog language; with no catalog text, the user's locale is
    # the best guess at what the reader expects.
    shown_tag = language if language is not None else locale
    lang = canonical_tag(shown_tag)
    lines = tuple(_line(problem) for problem in _iterable(problems))
    shown_text: str | None = _plain(text) if is_str(text) else ""
    # A catalog with no text for the language gives no language and an empty text.
    if language is None and not shown_text:
        shown_text = None
    fallback = language is not None and language_key(language) != language_key(locale)
    links = None if payload is None else _links(payload, request_index)
    return _Card(
        locale=_plain(locale),
        request_index=str(request_index) if isinstance(request_index, int) else "?",
        language=language,
        lang=lang,
        direction=_direction(lang) if lang is not None else "ltr",
        text=shown_text,
        problems=lines,
        fallback=fallback,
        links=links,
    )


def _links(payload: object, request_index: object) -> tuple[_Link, ...]:
    """The push links of the content template at ``request_index``, as the wallet reads them."""
    from .problems import secret_of

    if not is_dict(payload) or type(request_index) is not int or request_index < 0:
        return ()
    templates = _member(payload, "templates")
    if not is_list(templates) or request_index >= list.__len__(templates):
        return ()
    item = list.__getitem__(templates, request_index)
    params = _member(item, "templateParameters") if is_dict(item) else None
    if not is_dict(params):
        return ()
    secret = secret_of(payload)
    links: list[_Link] = []
    for name in LINK_PARAMETERS:
        value = _member(params, name)
        if not is_str(value):
            continue
        text = _plain(value)
        if secret is not None and secret in text:
            # The page is saved and shared; the token must not travel with it.
            links.append(_Link(name, text.replace(secret, "***"), None))
            continue
        links.append(_Link(name, text, text if _is_web_link(text) else None))
    return tuple(links)


def _member(value: dict[t.Any, t.Any], name: str) -> object:
    """A member read as data: no key's own ``__eq__`` or ``__hash__`` runs."""
    return next((v for k, v in dict.items(value) if type(k) is str and k == name), None)


def _is_web_link(text: str) -> bool:
    """Whether a link is a plain absolute http(s) URL: printable ASCII, a host name of DNS
    labels (no user info, no IP literal), an optional port."""
    import urllib.parse

    if not is_safe_link(text) or not text.isascii() or not _NOT_IN_URLS.isdisjoint(text):
        return False
    scheme, separator, _ = text.partition("://")
    if not separator or scheme.lower() not in ("http", "https"):
        return False
    try:
        parts = urllib.parse.urlsplit(text)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number 0..65535
    except ValueError:
        return False
    host, _, port = parts.netloc.partition(":")
    if not host or ":" in port or (port and not port.isdigit()):
        return False
    labels = host.lower().split(".")
    return all(
        0 < len(label) <= 63
        and _HOST_CHARACTERS.issuperset(label)
        and not label.startswith("-")
        and not label.endswith("-")
        for label in labels
    )


def _iterable(value: object) -> cabc.Iterable[object]:
    if isinstance(value, str | bytes) or not isinstance(value, cabc.Iterable):
        return ()
    return t.cast("cabc.Iterable[object]", value)


def _line(problem: object) -> _Line:
    severity = getattr(problem, "severity", "error")
    path = getattr(problem, "path", "")
    message = getattr(problem, "message", "")
    code = getattr(problem, "code", "")
    return _Line(
        # The severity becomes a CSS class, so only the two known values get through.
        severity="warning" if severity == "warning" else "error",
        path=(_plain(path) or "(root)") if is_str(path) else "(root)",
        message=_plain(message) if is_str(message) else "",
        code=_plain(code) if is_str(code) else "",
    )


# Control characters other than tab and newlines are shown as their visible Control Pictures
# (a NUL in HTML is a parse error), and an unpaired surrogate, which cannot be written as UTF-8,
# as the replacement character: the page must always be writable and readable.
_VISIBLE = (
    {c: 0x2400 + c for c in range(32) if c not in (9, 10, 13)}
    | {0x7F: 0x2421}
    | dict.fromkeys(range(0xD800, 0xE000), 0xFFFD)
)


def _plain(value: str) -> str:
    # str.__str__ turns a str subclass into a plain str, so no __html__ method of a subclass can
    # slip past autoescaping.
    return str.__str__(value).translate(_VISIBLE)


def _type_name(value: object) -> str:
    from .problems import describe

    return describe(value)


# Scripts written right to left, for tags whose script Babel has no locale for (``en-Arab``).
_RTL_SCRIPTS = frozenset(
    {"Adlm", "Arab", "Hebr", "Mand", "Mend", "Nkoo", "Rohg", "Samr", "Syrc", "Thaa", "Yezi"}
)


@functools.lru_cache(maxsize=512)
def _direction(tag: str) -> t.Literal["ltr", "rtl"]:
    from babel import Locale, UnknownLocaleError

    language, *rest = tag.split("-")
    script = next((part for part in rest if len(part) == 4), None)
    if script is not None and script in _RTL_SCRIPTS:
        return "rtl"
    for candidate in (tag, resolve_language(language)):
        try:
            direction = Locale.parse(candidate, sep="-").text_direction
        except (UnknownLocaleError, ValueError, TypeError):
            continue
        return "rtl" if direction == "rtl" else "ltr"
    return "ltr"


@functools.cache
def _template() -> jinja2.Template:
    import jinja2

    environment = jinja2.Environment(
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    return environment.from_string(_PAGE)


_PAGE = """\
<!DOCTYPE html>
<html lang="en" dir="ltr">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }}</title>
<style>
:root { color-scheme: light; }
* { box-sizing: border-box; }
body {
  margin: 0; padding: 24px; background: #eef1f5; color: #1d2430;
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif;
}
h1 { margin: 0 0 4px; font-size: 20px; overflow-wrap: anywhere; }
.summary { margin: 0 0 20px; color: #5b6575; }
.card { display: flex; flex-wrap: wrap; gap: 20px; align-items: flex-start; margin: 0 0 28px; }
.phone {
  width: 340px; min-height: 300px; padding: 14px 14px 22px; border-radius: 38px;
  background: #ffffff; border: 10px solid #1f2430;
  box-shadow: 0 10px 28px rgba(20, 30, 50, .18);
}
.notch { width: 120px; height: 16px; margin: -6px auto 10px; border-radius: 0 0 12px 12px;
  background: #1f2430; }
.statusbar { display: flex; justify-content: space-between; font-size: 12px; color: #5b6575;
  margin: 0 6px 10px; }
.locale { font-weight: 600; color: #1d2430; unicode-bidi: isolate; overflow-wrap: anywhere; }
.meta { margin: 0 6px 12px; padding: 8px 10px; border-radius: 10px; background: #f3f5f9;
  font-size: 12px; color: #3a4454; }
.meta dt { float: left; clear: left; width: 108px; color: #6b7585; }
.meta dd { margin: 0 0 2px 108px; overflow-wrap: anywhere; unicode-bidi: isolate; }
.bubble {
  margin: 0 6px; padding: 12px 14px; border-radius: 16px; background: #e7f0ff;
  color: #101828; font-size: 15px; white-space: pre-wrap; overflow-wrap: anywhere;
  unicode-bidi: isolate; text-align: start;
}
.bubble.none { background: #fff4e5; color: #8a5300; font-style: italic; }
.problems { flex: 1 1 320px; max-width: 640px; }
.problems h2 { margin: 4px 0 8px; font-size: 15px; }
.problems ul { list-style: none; margin: 0; padding: 0; }
.problems li { margin: 0 0 8px; padding: 8px 10px; border-radius: 8px; background: #ffffff;
  border-inline-start: 4px solid #c62828; overflow-wrap: anywhere; }
.problems li.warning { border-inline-start-color: #e0a100; }
.severity { display: inline-block; min-width: 64px; font-weight: 700; text-transform: uppercase;
  font-size: 11px; color: #c62828; }
li.warning .severity { color: #9a6b00; }
.path, .code { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace;
  font-size: 12px; unicode-bidi: isolate; }
.code { color: #5b6575; }
.message { display: block; margin-top: 2px; unicode-bidi: isolate; }
.ok { color: #2e7d32; font-weight: 600; }
.fallback-mark { display: inline-block; margin-inline-start: 6px; padding: 0 6px;
  border-radius: 6px; background: #fff4e5; color: #8a5300; font-weight: 600; }
.phone.fallback { border-color: #8a5300; }
.links { margin: 10px 6px 0; font-size: 12px; color: #3a4454; overflow-wrap: anywhere; }
.links .name { color: #6b7585; }
.links a, .links .link { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas,
  monospace; unicode-bidi: isolate; }
.links a { color: #1849a9; }
.empty { color: #5b6575; font-style: italic; }
</style>
</head>
<body>
<h1>{{ title }}</h1>
<p class="summary">{{ cards|length }} preview{{ "" if cards|length == 1 else "s" }}: what each \
user would see in the wallet.</p>
<main>
{% for card in cards %}
<section class="card">
<div class="phone{{ " fallback" if card.fallback else "" }}">
<div class="notch"></div>
<div class="statusbar"><span>9:41</span><span class="locale">{{ card.locale }}</span></div>
<dl class="meta">
<dt>User locale</dt><dd class="user-locale">{{ card.locale }}</dd>
<dt>Wallet picks</dt><dd class="picked">/templates/{{ card.request_index }}</dd>
<dt>Catalog text</dt><dd class="language">{{ card.language if card.language is not none \
else "none" }}{% if card.fallback %} <span class="fallback-mark">fallback</span>{% endif %}</dd>
</dl>
{% if card.text is none %}
<div class="bubble none">No catalog text for this language.</div>
{% elif not card.text %}
<div class="bubble none">The message is empty.</div>
{% else %}
<div class="bubble"{% if card.lang %} lang="{{ card.lang }}"{% endif %} \
dir="{{ card.direction }}">{{ card.text }}</div>
{% endif %}
{% if card.links is not none %}
<div class="links">
{% for link in card.links %}
<div class="push-link"><span class="name">{{ link.name }}</span> \
{% if link.href %}<a href="{{ link.href }}" rel="noopener noreferrer nofollow" \
referrerpolicy="no-referrer">{{ link.text }}</a>\
{% else %}<span class="link">{{ link.text }}</span>{% endif %}</div>
{% else %}
<div class="push-link none">No push link.</div>
{% endfor %}
</div>
{% endif %}
</div>
<aside class="problems">
<h2>Problems</h2>
{% if card.problems %}
<ul>
{% for line in card.problems %}
<li class="{{ line.severity }}"><span class="severity">{{ line.severity }}</span> \
<span class="path">{{ line.path }}</span> <span class="code">[{{ line.code }}]</span>\
<span class="message">{{ line.message }}</span></li>
{% endfor %}
</ul>
{% else %}
<p class="ok">No problems.</p>
{% endif %}
</aside>
</section>
{% else %}
<p class="empty">No previews.</p>
{% endfor %}
</main>
</body>
</html>
"""


# --------------------------------------------------------------------------- text and JSON


def request_languages(payload: object, /) -> list[str]:
    """The string languages of a request's content templates, in order, without repeats.

    >>> request_languages({"templates": [{"language": "en-US"}, {"language": "en-US"}, 3]})
    ['en-US']
    """
    templates = payload.get("templates") if is_dict(payload) else None
    if not is_list(templates):
        return []
    seen: dict[str, None] = {}
    for item in templates:
        language = item.get("language") if is_dict(item) else None
        if is_str(language):
            seen.setdefault(str.__str__(language), None)
    return list(seen)


def preview_all(
    catalog: Catalog, payload: object, locales: cabc.Sequence[str] | None = None, /
) -> list[tuple[str, Preview]]:
    """The previews ``msgtemplates preview`` shows: one per user locale, in order.

    :param catalog: the catalog.
    :param payload: the request, as parsed JSON.
    :param locales: the user locales; ``None`` or empty: the request's languages, at most 5
        (a request holds at most 5 content templates, and previewing more by default would
        cost time quadratic in a broken request's size).
    :returns: ``(user locale, Preview)`` pairs, a locale that holds the access token shown as
        ``***`` (the preview texts mask it already); empty when the request is too broken to
        preview (``check_request`` says why) or names no language.

    >>> from msgtemplates import Catalog
    >>> catalog = Catalog({"TP_1": {"en-US": "Hi", "de-DE": "Hallo"}})
    >>> request = {"templateCode": "TP_1", "templates": [{"language": "de-DE"}]}
    >>> [(locale, preview.text) for locale, preview in preview_all(catalog, request)]
    [('de-DE', 'Hallo')]
    """
    chosen = list(locales or request_languages(payload)[:5])
    try:
        previews = [(locale, catalog.preview(payload, user_locale=locale)) for locale in chosen]
    except (RequestInvalid, UnknownTemplate):
        return []
    # A locale comes from the request's languages or the command line; either may hold the
    # access token, which no output shows.
    secret = secret_of(payload)
    return [("***" if secret and secret in lo else lo, pv) for lo, pv in previews]


def write_html(
    path: str, previews: cabc.Sequence[tuple[str, Preview]], /, *, name: str, payload: object
) -> None:
    """Write the page of ``msgtemplates preview --html``: :func:`render_html` of the previews
    of the request read from file ``name``.

    :raises OSError: the page cannot be written there.
    :raises ValueError: ``path`` is not a valid file name.
    """
    page = render_html(previews, title=f"{one_line(name)} — msgtemplates preview", payload=payload)
    with open(path, "w", encoding="utf-8", errors="backslashreplace") as out:
        out.write(page)


def _masked(text: str, secret: str | None) -> str:
    """``text``, or ``***`` when it holds the access token, as messages mask a quoted value."""
    return "***" if secret and secret in text else text


def _request_language(payload: object, index: int) -> str | None:
    templates = payload.get("templates") if is_dict(payload) else None
    item = templates[index] if is_list(templates) and 0 <= index < len(templates) else None
    language = item.get("language") if is_dict(item) else None
    return _masked(str.__str__(language), secret_of(payload)) if is_str(language) else None


def preview_text(name: str, locale: str, payload: object, preview: Preview, /) -> str:
    """The lines ``msgtemplates preview`` prints for one user locale (escaped, one per line)."""
    requested = _request_language(payload, preview.request_index)
    shown = one_line(requested) if requested is not None else "no language"
    used = preview.language if preview.language is not None else "none (no catalog text)"
    lines = [
        f"{one_line(name)}: a user in {one_line(locale)} sees content template "
        f"{preview.request_index} ({shown}), catalog text {used}:"
    ]
    lines += [f"  | {one_line(line)}" for line in preview.text.split("\n")]
    return "\n".join(lines) + "\n"


def preview_record(name: str, locale: str, payload: object, preview: Preview, /) -> str:
    """The JSON line ``msgtemplates preview --format json`` prints for one user locale."""
    record = {
        "file": name,
        "locale": locale,
        "requestIndex": preview.request_index,
        "requestLanguage": _request_language(payload, preview.request_index),
        "language": preview.language,
        "text": preview.text,
        "problems": [problem.as_dict() for problem in preview.problems],
    }
    return json.dumps(record, ensure_ascii=True) + "\n"
