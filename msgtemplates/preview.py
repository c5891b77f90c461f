"""The HTML preview page: one phone-style card per user locale, with the problems beside it."""

from __future__ import annotations

import collections.abc as cabc
import dataclasses
import functools
import typing as t

from .locales import canonical_tag, resolve_language
from .rules import is_str

if t.TYPE_CHECKING:
    import jinja2

    from .catalog import Preview

__all__ = ["render_html"]


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


def render_html(
    previews: cabc.Sequence[tuple[str, Preview]], /, *, title: str = "msgtemplates preview"
) -> str:
    """Render previews as one self-contained HTML5 page, one phone-style card per user locale.

    Each card shows the user locale, which content template the wallet picks and the catalog
    language used, the message text with its whitespace and newlines, and the problems of that
    content template. Text in a right-to-left language is laid out right to left. Every value
    is escaped; the page loads nothing (no links, scripts, images or fonts) and its Content
    Security Policy forbids it to.

    :param previews: ``(user locale, Preview)`` pairs, as :meth:`Catalog.preview` gives them.
    :param title: the page title.
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
    cards = [_card(index, item) for index, item in enumerate(previews)]
    return _template().render(title=_plain(title), cards=cards)


def _card(index: int, item: object) -> _Card:
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
    return _Card(
        locale=_plain(locale),
        request_index=str(request_index) if isinstance(request_index, int) else "?",
        language=language,
        lang=lang,
        direction=_direction(lang) if lang is not None else "ltr",
        text=shown_text,
        problems=lines,
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
<div class="phone">
<div class="notch"></div>
<div class="statusbar"><span>9:41</span><span class="locale">{{ card.locale }}</span></div>
<dl class="meta">
<dt>User locale</dt><dd class="user-locale">{{ card.locale }}</dd>
<dt>Wallet picks</dt><dd class="picked">/templates/{{ card.request_index }}</dd>
<dt>Catalog text</dt><dd class="language">{{ card.language if card.language is not none \
else "none" }}</dd>
</dl>
{% if card.text is none %}
<div class="bubble none">No catalog text for this language.</div>
{% elif not card.text %}
<div class="bubble none">The message is empty.</div>
{% else %}
<div class="bubble"{% if card.lang %} lang="{{ card.lang }}"{% endif %} \
dir="{{ card.direction }}">{{ card.text }}</div>
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
