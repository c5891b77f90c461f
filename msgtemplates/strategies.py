"""Hypothesis strategies for users' own tests: valid and broken requests, templates and tags.

Import them from :mod:`msgtemplates.testing`. This module needs Hypothesis: install the
``test`` extra (``pip install 'msgtemplates[test]'``) or ``hypothesis`` itself. Nothing else in
msgtemplates imports it, so the library does not depend on Hypothesis. The limits and rules the
strategies follow are read from the compiled schema and :mod:`msgtemplates.rules`, never written
down twice. Use the strategies with ``@given``::

    from hypothesis import given
    from msgtemplates.testing import send_requests

    @given(send_requests())
    def test_my_sender_accepts_valid_requests(payload):
        my_sender.send(payload)  # your code under test
"""

from __future__ import annotations

import collections.abc as cabc
import copy
import dataclasses
import functools
import string
import typing as t

from hypothesis import strategies as st

from .catalog import Catalog
from .errors import MsgTemplatesError
from .locales import canonical_tag, is_known_tag
from .problems import describe
from .rules import INVISIBLE, LINK_PARAMETERS, MAX_CONTENT_LENGTH, is_clean_text, language_key
from .template import Template
from .validation.schema import Node, compile_schema

__all__ = [
    "BROKEN_CODES",
    "broken_requests",
    "language_tags",
    "send_requests",
    "template_sources",
]

Payload = dict[str, t.Any]

_REQUEST: Node = compile_schema("request")
_ITEM: Node = t.cast(Node, _REQUEST.properties["templates"].items)


def _most(name: str) -> int:
    limit = _REQUEST.properties[name].max_length
    assert limit is not None, name
    return limit


# The request's limits, in code points, as the schema states them.
_APP_ID, _ACCESS_TOKEN = _most("appId"), _most("accessToken")
_REQUEST_ID, _TEMPLATE_CODE = _most("requestId"), _most("templateCode")
_MAX_TEMPLATES = t.cast(int, _REQUEST.properties["templates"].max_items)
_EXTEND_INFO, _CONTENT = _most("extendInfo"), MAX_CONTENT_LENGTH
_LIMITS = {
    "appId": _APP_ID,
    "accessToken": _ACCESS_TOKEN,
    "requestId": _REQUEST_ID,
    "templateCode": _TEMPLATE_CODE,
}
_FIELDS = frozenset(_REQUEST.properties)
_TEMPLATE_FIELDS = frozenset(_ITEM.properties)
_URL_PARAMETERS = LINK_PARAMETERS

# The characters the rules call invisible: they earn a warning, so valid requests avoid
# them and broken ones use them.
_INVISIBLE = INVISIBLE

_ID_CHARS = string.ascii_letters + string.digits + "_-."
# Any character that is neither a control (other than tab and newline), nor a surrogate, nor
# invisible: non-ASCII, emoji, ZWJ and ZWNJ included.
_VALUE_CHARS = st.characters(
    exclude_categories=("Cs", "Cc"), exclude_characters=_INVISIBLE, include_characters="\n\t"
)
# The Basic Multilingual Plane only, so that a value at its limit in code points is also within
# it in UTF-16 units (no utf16Length warning).
_BMP_CHARS = st.characters(
    max_codepoint=0xFFFF, exclude_categories=("Cs", "Cc"), exclude_characters=_INVISIBLE
)
_SAMPLE_VALUES = (
    "XiaoMing",
    "小明",
    "سارة",
    "שרה",
    "Zoë",
    "José",
    "می\u200cخواهم",  # noqa: RUF001 (Persian with ZWNJ, on purpose)
    "👩\u200d💻",
    "👨\u200d👩\u200d👧\u200d👦",
    "🇭🇰",
    "US$5",
    "$$",
    "${who}",
    "line one\nline two",
    "",
)
_SAFE_URLS = (
    "https://example.com/orders/42",
    "http://m.example.com/promo?id=7&src=msg",
    "/pages/order/detail?id=42",
    "/pages/index/index",
)
_NAME_PATTERN = r"[A-Za-z_][A-Za-z0-9_.-]{0,12}"


@functools.cache
def _exact(alphabet: str | st.SearchStrategy[str], size: int) -> st.SearchStrategy[str]:
    """Strings of exactly ``size`` characters, built by repeating a short drawn seed.

    Drawing thousands of characters one by one would exhaust Hypothesis's example buffer. The
    strategy factories are cached: building and validating a strategy on every draw cost more
    than drawing from it.
    """
    seeds = st.text(alphabet, min_size=1, max_size=8)
    return seeds.map(lambda seed: (seed * (size // len(seed) + 1))[:size])


@functools.cache
def _bounded(alphabet: str | st.SearchStrategy[str], limit: int) -> st.SearchStrategy[str]:
    """Strings of 1 to ``limit`` characters, with both boundaries drawn explicitly."""
    return st.one_of(
        st.text(alphabet, min_size=1, max_size=min(limit, 24)),
        _exact(alphabet, limit),
        _exact(alphabet, 1),
    )


_tag_key = language_key


@functools.cache
def _known_tags() -> tuple[str, ...]:
    from babel import localedata

    tags = set()
    for identifier in localedata.locale_identifiers():
        tag = canonical_tag(identifier.replace("_", "-"))
        if tag is not None and is_known_tag(tag):
            tags.add(tag)
    # Common wallet languages first, so that failing examples shrink to a familiar tag.
    preferred = [tag for tag in ("en-US", "en", "zh-Hans-CN", "zh-Hant-HK", "ar") if tag in tags]
    return (*preferred, *sorted(tags - set(preferred)))


@functools.cache
def language_tags() -> st.SearchStrategy[str]:
    """Well-formed, known BCP 47 tags in canonical case from Babel's locales: ``en-US``, ``es-419``.

    Every tag has CLDR locale data, so :func:`~msgtemplates.fallback_chain` accepts it and
    :func:`~msgtemplates.best_match` finds it among tags that include it. Babel loads on the
    first draw, not when this function is called.

    :returns: a strategy of strings.

    Usage::

        @given(language_tags())
        def test_my_lookup_knows_every_language(tag):
            assert my_lookup(tag) is not None
    """
    return st.deferred(lambda: st.sampled_from(_known_tags()))


@functools.cache
def _names() -> st.SearchStrategy[str]:
    # The URL parameters take URLs only, so free-form values never go under those names.
    names = st.from_regex(_NAME_PATTERN, fullmatch=True)
    return names.filter(lambda name: name not in _URL_PARAMETERS)


@functools.cache
def _values() -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from(_SAMPLE_VALUES), st.text(_VALUE_CHARS, max_size=40))


@functools.cache
def _urls() -> st.SearchStrategy[str]:
    hosts = st.from_regex(r"[a-z][a-z0-9-]{0,10}\.(com|net|example)", fullmatch=True)
    paths = st.from_regex(r"(/[A-Za-z0-9._~-]{0,8}){0,3}", fullmatch=True)
    built = st.builds(
        lambda scheme, host, path: f"{scheme}://{host}{path}",
        st.sampled_from(("https", "http")),
        hosts,
        paths,
    )
    return st.one_of(st.sampled_from(_SAFE_URLS), built)


@functools.cache
def _url_parameters() -> st.SearchStrategy[dict[str, str]]:
    return st.dictionaries(st.sampled_from(_URL_PARAMETERS), _urls(), max_size=2)


@functools.cache
def _extend_info() -> st.SearchStrategy[str | None]:
    return st.one_of(
        st.none(),
        st.just(""),
        _exact(_BMP_CHARS, _EXTEND_INFO),
        st.text(_BMP_CHARS, max_size=60),
    )


@functools.cache
def _template_counts(most: int) -> st.SearchStrategy[int]:
    return st.one_of(st.integers(1, most), st.just(most), st.just(1))


@dataclasses.dataclass(frozen=True, slots=True)
class _Text:
    """A catalog text a valid request may ask for: its exact language and parsed template."""

    language: str
    template: Template
    base_length: int


def _catalog_plan(catalog: Catalog) -> dict[str, tuple[_Text, ...]]:
    """The codes and languages of a catalog that a valid request can use."""
    plan: dict[str, tuple[_Text, ...]] = {}
    for code in catalog.codes:
        if not 1 <= len(code) <= _TEMPLATE_CODE or not _clean(code):
            continue
        texts: list[_Text] = []
        seen: set[str] = set()
        for language in catalog.languages(code):
            # A request language must be canonical and known, and name this very text.
            if canonical_tag(language) != language or not is_known_tag(language):
                continue
            if _tag_key(language) in seen:
                continue
            try:
                # Every placeholder kept as its source text gives back the text itself.
                source = catalog.render(code, language, {}, missing="keep").text
                template = Template(source)
            except MsgTemplatesError:
                continue
            base = len(template.render(_shortest(template)))
            if base > _CONTENT:
                continue
            seen.add(_tag_key(language))
            texts.append(_Text(language, template, base))
        if texts:
            plan[code] = tuple(texts)
    return plan


# The shortest safe link, for a text that uses a link parameter as a placeholder too.
_SHORTEST_LINK = "/pages/x"


def _shortest(template: Template) -> dict[str, str]:
    """The shortest valid value of each placeholder: empty, or the shortest safe link."""
    return {
        name: _SHORTEST_LINK if name in _URL_PARAMETERS else "" for name in template.placeholders
    }


def _clean(text: str) -> bool:
    return is_clean_text(text)


def send_requests(catalog: Catalog | None = None) -> st.SearchStrategy[Payload]:
    """Valid sendByAccessToken requests: :func:`~msgtemplates.check_request` finds no error.

    Boundary lengths are drawn explicitly: an appId of exactly 32 characters, an accessToken of
    128, a requestId and a templateCode of 64, 1 and 5 content templates, an extendInfo of 0 and
    4096 characters. Languages are distinct, known CLDR tags; parameter values include non-ASCII
    text, emoji and ZWJ sequences.

    With a ``catalog``, the templateCode is one of ``catalog.codes``, the languages are among
    ``catalog.languages(code)`` (those in canonical case, known to CLDR and free of syntax
    errors), and every placeholder of each text gets a value and no other parameter is given,
    so ``check_request(payload, catalog=catalog)`` finds no error either.

    :param catalog: draw requests for the templates of this catalog.
    :returns: a strategy of request dicts, fresh for every draw (safe to mutate).
    :raises TypeError: ``catalog`` is not a :class:`~msgtemplates.Catalog`.
    :raises ValueError: the catalog has no template that a valid request can use.

    Usage::

        @given(send_requests(Catalog.load("catalog/")))
        def test_my_sender_renders_every_request(payload):
            my_sender.send(payload)
    """
    if catalog is None:
        return _requests_without_catalog()
    # The real type: a mock or an object whose __class__ lies is no Catalog.
    if not issubclass(type(catalog), Catalog):
        raise TypeError(f"catalog must be a Catalog or None, not {describe(catalog)}")
    plan = _catalog_plan(catalog)
    if not plan:
        raise ValueError(
            "the catalog has no template code of 1 to 64 characters with a text in a canonical, "
            "known language and without syntax errors; run Catalog.lint() to see why"
        )
    return _requests_with_catalog(plan)


@st.composite
def _requests_without_catalog(draw: st.DrawFn) -> Payload:
    count = draw(_template_counts(_MAX_TEMPLATES))
    languages = draw(st.lists(language_tags(), min_size=count, max_size=count, unique_by=_tag_key))
    templates = []
    for language in languages:
        params = draw(st.dictionaries(_names(), _values(), max_size=4))
        params.update(draw(_url_parameters()))
        item: dict[str, t.Any] = {"language": language}
        if bool(params) or draw(st.booleans()):
            item = {"templateParameters": params, "language": language}
        templates.append(item)
    return _assemble(draw, draw(_bounded(_ID_CHARS, _TEMPLATE_CODE)), templates)


def _requests_with_catalog(plan: dict[str, tuple[_Text, ...]]) -> st.SearchStrategy[Payload]:
    @st.composite
    def requests(draw: st.DrawFn) -> Payload:
        code = draw(st.sampled_from(sorted(plan)))
        texts = plan[code]
        count = draw(_template_counts(min(_MAX_TEMPLATES, len(texts))))
        chosen = draw(st.lists(st.sampled_from(texts), min_size=count, max_size=count, unique=True))
        templates = []
        for text in chosen:
            params = {
                name: draw(_urls() if name in _URL_PARAMETERS else _values())
                for name in text.template.placeholders
            }
            if len(text.template.render(params)) > _CONTENT:
                # Long values would push the message over the wallet's limit.
                params = _shortest(text.template)
            # A link the text shows is drawn above; only the others may be added here.
            links = draw(_url_parameters())
            params.update({k: v for k, v in links.items() if k not in params})
            item: dict[str, t.Any] = {"language": text.language}
            if bool(params) or draw(st.booleans()):
                item = {"templateParameters": params, "language": text.language}
            templates.append(item)
        return _assemble(draw, code, templates)

    return requests()


def _assemble(draw: st.DrawFn, code: str, templates: list[dict[str, t.Any]]) -> Payload:
    payload: Payload = {
        "appId": draw(_bounded(_ID_CHARS, _APP_ID)),
        "accessToken": draw(_bounded(_ID_CHARS, _ACCESS_TOKEN)),
        "requestId": draw(_bounded(_ID_CHARS, _REQUEST_ID)),
        "templateCode": code,
        "templates": templates,
    }
    extend_info = draw(_extend_info())
    if extend_info is not None:
        payload["extendInfo"] = extend_info
    return payload


def template_sources() -> st.SearchStrategy[str]:
    """Valid template source text: literal text and ``${name}`` placeholders.

    Literal text includes ``$`` that does not begin ``${`` (``US$5``, ``$$``, a trailing
    ``$``), braces, newlines, ``\\r\\n``, non-ASCII text and emoji; every source parses with
    :class:`~msgtemplates.Template`.

    :returns: a strategy of strings.

    Usage::

        @given(template_sources(), st.dictionaries(st.text(), st.text()))
        def test_my_renderer_agrees(source, params):
            assert my_render(source, params) == Template(source).render(params, missing="keep")
    """
    literal = st.one_of(
        st.sampled_from(
            ("$", "US$5", "$$", "\n", "\r\n", " ", "{", "}", "你好\uff0c", "مرحبا ", "👩\u200d💻")
        ),
        st.text(max_size=12),
    )
    pieces = st.lists(st.one_of(literal.map(_Literal), _names().map(_Placeholder)), max_size=10)
    return pieces.map(_join)


@dataclasses.dataclass(frozen=True, slots=True)
class _Literal:
    text: str


@dataclasses.dataclass(frozen=True, slots=True)
class _Placeholder:
    name: str


def _join(pieces: list[_Literal | _Placeholder]) -> str:
    out: list[str] = []
    literal = ""
    for piece in pieces:
        if isinstance(piece, _Literal):
            literal += piece.text
            continue
        out.append(_inert(literal))
        out.append(f"${{{piece.name}}}")
        literal = ""
    out.append(_inert(literal))
    return "".join(out)


def _inert(literal: str) -> str:
    # A "${" inside literal text would begin a placeholder; a space keeps it literal. Literal
    # text is merged first, so no "${" can form across two literal pieces.
    return literal.replace("${", "$ {")


#: The problem codes :func:`broken_requests` produces.
BROKEN_CODES: frozenset[str] = frozenset(
    {
        "type",
        "required",
        "additionalProperties",
        "minLength",
        "maxLength",
        "minItems",
        "maxItems",
        "languageTag",
        "unknownLanguage",
        "duplicateLanguage",
        "unsafeUrl",
        "invalidCharacter",
        "invisibleCharacter",
        "utf16Length",
    }
)


def broken_requests(
    *, codes: cabc.Iterable[str] | None = None
) -> st.SearchStrategy[tuple[t.Any, str]]:
    """Requests broken in one way: ``(payload, code)`` where the payload has a ``code`` problem.

    Each payload is a valid request (see :func:`send_requests`) with one thing broken, so
    :func:`~msgtemplates.check_request` reports a problem with that code (and may report
    others that follow from it). ``invisibleCharacter`` and ``utf16Length`` are warnings; every
    other code is an error. The codes are those of :data:`BROKEN_CODES`. A payload is usually a
    dict; some ``type`` cases are not even an object.

    :param codes: draw only these codes (default: all of :data:`BROKEN_CODES`).
    :returns: a strategy of ``(payload, code)`` pairs.
    :raises ValueError: ``codes`` is empty or holds a code not in :data:`BROKEN_CODES`.

    Usage::

        @given(broken_requests())
        def test_my_sender_refuses_broken_requests(case):
            payload, code = case
            with pytest.raises(MyValidationError):
                my_sender.send(payload)
    """
    chosen = sorted(BROKEN_CODES if codes is None else set(codes))
    unknown = [code for code in chosen if code not in BROKEN_CODES]
    if unknown or not chosen:
        raise ValueError(
            f"codes must be a non-empty selection of {', '.join(sorted(BROKEN_CODES))}"
        )
    return st.one_of(*(_broken(code) for code in chosen))


@st.composite
def _broken(draw: st.DrawFn, code: str) -> tuple[t.Any, str]:
    payload = copy.deepcopy(draw(send_requests()))
    return _BREAKERS[code](draw, payload), code


def _item(draw: st.DrawFn, payload: Payload) -> dict[str, t.Any]:
    templates: list[dict[str, t.Any]] = payload["templates"]
    return templates[draw(st.integers(0, len(templates) - 1))]


def _params(draw: st.DrawFn, payload: Payload) -> dict[str, t.Any]:
    item = _item(draw, payload)
    params: dict[str, t.Any] = item.setdefault("templateParameters", {})
    return params


_NON_STRINGS: st.SearchStrategy[object] = st.sampled_from((None, 0, 4.5, True, [], {}, ["x"]))


def _break_type(draw: st.DrawFn, payload: Payload) -> t.Any:
    where = draw(st.sampled_from(("root", "field", "templates", "item", "language", "params")))
    if where == "root":
        return draw(st.sampled_from(([], "request", 1, None)))
    if where == "field":
        payload[draw(st.sampled_from(sorted(_LIMITS)))] = draw(_NON_STRINGS)
    elif where == "templates":
        payload["templates"] = draw(st.sampled_from(({}, "en-US", None, 5)))
    elif where == "item":
        templates = payload["templates"]
        templates[draw(st.integers(0, len(templates) - 1))] = draw(
            _NON_STRINGS.filter(lambda value: not isinstance(value, dict))
        )
    elif where == "language":
        _item(draw, payload)["language"] = draw(_NON_STRINGS)
    elif draw(st.booleans()):
        _item(draw, payload)["templateParameters"] = draw(st.sampled_from(([], "who", 1, None)))
    else:
        _params(draw, payload)[draw(_names())] = draw(_NON_STRINGS)
    return payload


def _break_required(draw: st.DrawFn, payload: Payload) -> Payload:
    if draw(st.booleans()):
        del payload[draw(st.sampled_from(sorted({*_LIMITS, "templates"})))]
    else:
        del _item(draw, payload)["language"]
    return payload


_TYPOS = ("templateCod", "appID", "access_token", "request_id", "template", "extInfo", "lang")


def _break_additional(draw: st.DrawFn, payload: Payload) -> Payload:
    if draw(st.booleans()):
        keys = st.one_of(st.sampled_from(_TYPOS), st.text(max_size=10))
        target = payload
        known = _FIELDS
    else:
        keys = st.sampled_from(("lang", "parameters", "templateParameter", "appId"))
        target = _item(draw, payload)
        known = _TEMPLATE_FIELDS
    target[draw(keys.filter(lambda key: key not in known))] = draw(_values())
    return payload


def _break_min_length(draw: st.DrawFn, payload: Payload) -> Payload:
    payload[draw(st.sampled_from(sorted(_LIMITS)))] = ""
    return payload


def _break_max_length(draw: st.DrawFn, payload: Payload) -> Payload:
    field = draw(st.sampled_from(sorted({*_LIMITS, "extendInfo"})))
    limit = _LIMITS.get(field, _EXTEND_INFO)
    size = draw(st.one_of(st.just(limit + 1), st.integers(limit + 1, limit + 40)))
    payload[field] = draw(_exact(_ID_CHARS, size))
    return payload


def _break_min_items(draw: st.DrawFn, payload: Payload) -> Payload:
    payload["templates"] = []
    return payload


def _break_max_items(draw: st.DrawFn, payload: Payload) -> Payload:
    count = draw(st.integers(_MAX_TEMPLATES + 1, _MAX_TEMPLATES + 3))
    languages = draw(st.lists(language_tags(), min_size=count, max_size=count, unique_by=_tag_key))
    payload["templates"] = [{"language": language} for language in languages]
    return payload


_MALFORMED_TAGS = ("en_US", "en-US\n", " en-US", "english", "en-", "zh_Hant_HK", "123", "e")


def _break_language_tag(draw: st.DrawFn, payload: Payload) -> Payload:
    malformed = st.one_of(
        st.sampled_from(_MALFORMED_TAGS),
        language_tags().map(lambda tag: tag.replace("-", "_") if "-" in tag else f"{tag}\n"),
    )
    _item(draw, payload)["language"] = draw(malformed)
    return payload


_UNKNOWN_TAGS = ("xx", "xx-US", "qq-Latn", "zz-ZZ", "en-QQ", "en-AA", "en-Qaaa")


def _break_unknown_language(draw: st.DrawFn, payload: Payload) -> Payload:
    _item(draw, payload)["language"] = draw(st.sampled_from(_UNKNOWN_TAGS))
    return payload


def _break_duplicate_language(draw: st.DrawFn, payload: Payload) -> Payload:
    templates: list[dict[str, t.Any]] = payload["templates"]
    source = draw(st.integers(0, len(templates) - 1))
    if len(templates) == _MAX_TEMPLATES or (len(templates) > 1 and draw(st.booleans())):
        target = draw(st.integers(0, len(templates) - 1).filter(lambda i: i != source))
        templates[target]["language"] = templates[source]["language"]
    else:
        templates.append(copy.deepcopy(templates[source]))
    return payload


_UNSAFE_URLS = (
    "javascript:alert(1)",
    "JavaScript:alert(document.cookie)",
    "data:text/html,<script>alert(1)</script>",
    "file:///etc/passwd",
    "vbscript:msgbox(1)",
    "blob:https://example.com/0a1b",
)


def _break_unsafe_url(draw: st.DrawFn, payload: Payload) -> Payload:
    name = draw(st.sampled_from(_URL_PARAMETERS))
    _params(draw, payload)[name] = draw(st.sampled_from(_UNSAFE_URLS))
    return payload


def _with_inserted(draw: st.DrawFn, text: str, characters: str) -> str:
    position = draw(st.integers(0, len(text)))
    return text[:position] + draw(st.sampled_from(characters)) + text[position:]


def _break_invalid_character(draw: st.DrawFn, payload: Payload) -> Payload:
    surrogates = "\ud800\udbff\udc00\udfff"
    if draw(st.booleans()):
        params = _params(draw, payload)
        name = draw(_names())
        params[name] = _with_inserted(draw, draw(_values()), surrogates)
    else:
        field = draw(st.sampled_from(sorted(_LIMITS)))
        # Replace a character, so the value keeps within its length limit.
        value: str = payload[field]
        payload[field] = _with_inserted(draw, value[:-1], surrogates)
    return payload


def _break_invisible_character(draw: st.DrawFn, payload: Payload) -> Payload:
    params = _params(draw, payload)
    name = draw(_names())
    params[name] = _with_inserted(draw, draw(_values()), _INVISIBLE)
    return payload


def _break_utf16_length(draw: st.DrawFn, payload: Payload) -> Payload:
    field = draw(st.sampled_from(sorted({*_LIMITS, "extendInfo"})))
    limit = _LIMITS.get(field, _EXTEND_INFO)
    astral = st.characters(min_codepoint=0x10000, exclude_categories=("Cs", "Cc", "Cn", "Co"))
    # At most `limit` code points but more than `limit` UTF-16 units: each astral character
    # counts twice there.
    wide = draw(st.integers(limit // 2 + 1, limit))
    filler = draw(st.integers(0, limit - wide))
    payload[field] = draw(_exact(astral, wide)) + "a" * filler
    return payload


_BREAKERS: dict[str, cabc.Callable[[st.DrawFn, Payload], t.Any]] = {
    "type": _break_type,
    "required": _break_required,
    "additionalProperties": _break_additional,
    "minLength": _break_min_length,
    "maxLength": _break_max_length,
    "minItems": _break_min_items,
    "maxItems": _break_max_items,
    "languageTag": _break_language_tag,
    "unknownLanguage": _break_unknown_language,
    "duplicateLanguage": _break_duplicate_language,
    "unsafeUrl": _break_unsafe_url,
    "invalidCharacter": _break_invalid_character,
    "invisibleCharacter": _break_invisible_character,
    "utf16Length": _break_utf16_length,
}
