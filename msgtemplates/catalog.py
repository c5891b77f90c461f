"""The merchant's copy of approved texts: template code x language -> Template.

A :class:`Catalog` loads ``<templateCode>.toml`` / ``.json`` files, renders a code in a language
with CLDR fallback, previews what a user would see for a request, lints itself, and gives
:func:`msgtemplates.check_request` the catalog problems of a request.
"""

from __future__ import annotations

import collections.abc as cabc
import dataclasses
import functools
import json
import os
import re
import stat
import types
import typing as t

from . import problems as build
from .errors import CatalogError, RequestInvalid, TemplateSyntaxError, UnknownTemplate
from .locales import base_tag, best_match, canonical_tag, is_known_tag, suggest_tag
from .problems import Problem, describe, escape_pointer, quote, secret_of
from .rules import (
    LINK_PARAMETERS,
    MAX_CONTENT_LENGTH,
    first_invisible,
    first_surrogate,
    invisible_count,
    is_dict,
    is_list,
    is_str,
    language_key,
)
from .template import Template
from .validation import CatalogChecks, check_request

if t.TYPE_CHECKING:
    import datetime

    from .compose import ParameterType, TemplateTexts

__all__ = ["Catalog", "Preview", "Rendered"]

#: File name suffixes that :meth:`Catalog.load` reads, and the format of each.
SUFFIXES: cabc.Mapping[str, str] = types.MappingProxyType({".toml": "TOML", ".json": "JSON"})

# The platform reads these two parameters itself, so a text never needs to use them.
_PLATFORM_PARAMETERS = frozenset(LINK_PARAMETERS)
_PUSH, _REDIRECT = LINK_PARAMETERS
# `$name` written without braces: the wallet prints it as it stands.


@functools.cache
def _bare_dollar() -> re.Pattern[str]:
    """``$name`` written without braces (compiled on first use: import stays light)."""
    return re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")


_FILE_KEYS = ("default", "content", "parameters")

_NO_DEFAULTS: cabc.Mapping[str, str] = types.MappingProxyType({})
_NO_PARAMETERS: cabc.Mapping[str, cabc.Mapping[str, object]] = types.MappingProxyType({})

# How many request languages each template remembers its choice for.
_CHOICES = 256
# Suggestions for unused parameters: for the first few, among at most this many names.
_GUESSES = 10
_GUESS_POOL = 100

# tomllib before Python 3.14 puts the position only into the message.


@functools.cache
def _toml_error_patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """Where tomllib's error message gives the position, or says "end of document"."""
    return (
        re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*\Z"),
        re.compile(r"\s*\(at end of document\)\s*\Z"),
    )


@dataclasses.dataclass(frozen=True, slots=True)
class Rendered:
    """A catalog text rendered for one language.

    :param text: the rendered message.
    :param language: the catalog language whose text was used.
    :param fallback: ``True`` when ``language`` differs from the language asked for; tags that
        differ only in case or in ``_`` for ``-`` (``en_us`` for ``en-US``) are the same.
    """

    text: str
    language: str
    fallback: bool


@dataclasses.dataclass(frozen=True, slots=True)
class Preview:
    """What one user would see for a request.

    :param request_index: the index in the request's ``templates`` of the content template the
        wallet shows this user.
    :param language: the catalog language used for that content template, or ``None`` when the
        catalog has no text for it (a ``noContent`` problem).
    :param text: the rendered text with missing placeholders kept visible (``${who}``); the raw
        catalog text when it has a syntax error; ``""`` when there is no text.
    :param problems: the catalog problems of that content template, with pointers into the
        request (``/templates/<request_index>/...``); :meth:`Catalog.preview` gives a fresh
        list, like :func:`~msgtemplates.check_request` and :meth:`Catalog.lint` do.

    The request's access token never shows: :meth:`Catalog.preview` masks it in ``text`` as
    ``***``, as messages do.
    """

    request_index: int
    language: str | None
    text: str
    problems: cabc.Sequence[Problem]

    def __hash__(self) -> int:
        return hash((self.request_index, self.language, self.text, tuple(self.problems)))


@dataclasses.dataclass(frozen=True, slots=True)
class _Entry:
    """One template code: its texts in the order given, parsed once."""

    languages: tuple[str, ...]
    texts: tuple[str, ...]
    # A Template, or the syntax error its text raised.
    parsed: tuple[Template | TemplateSyntaxError, ...]
    # The placeholder names of each text as a set (empty for a text with a syntax error).
    name_sets: tuple[frozenset[str], ...]
    # Each text's length without its placeholders, and how often each placeholder stands.
    literal_lengths: tuple[int, ...]
    counts: tuple[cabc.Mapping[str, int], ...]
    # Request language -> (text index or None, whether that is a fallback); a bounded cache.
    choices: dict[str, tuple[int | None, bool]]
    default: str
    # Index of the text shown when nothing fits, None when the default names no language given.
    default_index: int | None
    # Same-language keys (case, `_`) map to the first of them.
    by_key: cabc.Mapping[str, int]
    origin: str | None
    # The line of each key of the file ("default", "content", a language), where known.
    lines: cabc.Mapping[str, int]
    # The [parameters] declarations, None when the template has no such table.
    parameters: cabc.Mapping[str, ParameterType] | None = None
    # Request language -> what a problem-free content template in it must satisfy, or None when
    # none can be problem-free (no text, a fallback, a syntax error); a bounded cache.
    plans: dict[str, _Plan | None] = dataclasses.field(default_factory=dict)


# What a problem-free content template in one language needs of its parameters: the names a
# parameter may have (the chosen text's placeholders and the platform's links), how many of its
# placeholders are not links, the links it uses as placeholders, the room its values have (the
# wallet's limit less the literal text), and how often each placeholder stands.
_Plan = tuple[frozenset[str], int, frozenset[str], int, tuple[tuple[str, int], ...]]
#: ``text_length`` when the request's JSON text is not known: no room is that large.
_UNKNOWN_LENGTH = 1 << 62


_key = language_key


class Catalog(CatalogChecks):
    """Approved template texts by template code and language.

    :param templates: ``{templateCode: {language: text}}``; languages keep the order given.
    :param defaults: ``{templateCode: language}``, the language shown when nothing fits a
        request; a code without one uses its first language.
    :param parameters: ``{templateCode: {name: declaration}}``, how :meth:`compose` formats
        each parameter: a type name (``"currency"``) or ``{"type": ..., "format": ...}``;
        see :class:`msgtemplates.compose.ParameterType`.
    :raises TypeError: an argument, code, language, text or declaration of the wrong type.
    :raises ValueError: a template with no texts, a default or declarations for a code not in
        ``templates``, or a declaration with unknown keys.

    Every text is parsed once, here. A text with a syntax error is kept: :meth:`lint` reports it
    and rendering it raises :class:`~msgtemplates.TemplateSyntaxError`. A catalog is immutable,
    safe to share between threads, and pickles. :attr:`codes` are sorted.

    >>> catalog = Catalog({"TP_1": {"en-US": "Hello, ${who}", "zh-TW": "你好 ${who}"}})
    >>> catalog.render("TP_1", "zh-HK", {"who": "Mei"})
    Rendered(text='你好 Mei', language='zh-TW', fallback=True)
    """

    __slots__ = ("_entries",)

    _entries: cabc.Mapping[str, _Entry]

    def __init__(
        self,
        templates: cabc.Mapping[str, cabc.Mapping[str, str]],
        /,
        *,
        defaults: cabc.Mapping[str, str] = _NO_DEFAULTS,
        parameters: cabc.Mapping[str, cabc.Mapping[str, object]] = _NO_PARAMETERS,
    ) -> None:
        self._build(templates, defaults, {}, {}, parameters)

    def _build(
        self,
        templates: object,
        defaults: object,
        origins: cabc.Mapping[str, str],
        lines: cabc.Mapping[str, cabc.Mapping[str, int]],
        parameters: object = _NO_PARAMETERS,
    ) -> None:
        if not issubclass(type(templates), cabc.Mapping):
            raise TypeError(
                f"templates must be a mapping of code to texts, not {describe(templates)}"
            )
        if not issubclass(type(defaults), cabc.Mapping):
            raise TypeError(
                f"defaults must be a mapping of code to language, not {describe(defaults)}"
            )
        templates = t.cast("cabc.Mapping[t.Any, t.Any]", templates)
        defaults = t.cast("cabc.Mapping[t.Any, t.Any]", defaults)
        for code, language in defaults.items():
            if not is_str(code) or not is_str(language):
                raise TypeError(
                    f"defaults must map template codes to language strings, "
                    f"not {describe(code)} to {describe(language)}"
                )
            if code not in templates:
                raise ValueError(
                    f"defaults names template code {quote(code)}, which templates does not hold"
                )
        declared: cabc.Mapping[str, cabc.Mapping[str, ParameterType]] = {}
        if parameters or not issubclass(type(parameters), cabc.Mapping):
            from .compose import declarations

            declared = declarations(parameters, codes=templates)
        entries: dict[str, _Entry] = {}
        for code in sorted(_checked_codes(templates)):
            texts = templates[code]
            # Plain str copies: a str subclass's own __eq__ or __hash__ never runs again.
            plain = str.__str__(code)
            entries[plain] = dataclasses.replace(
                _make_entry(
                    plain, texts, defaults.get(code), origins.get(code), lines.get(code, {})
                ),
                parameters=declared.get(plain),
            )
        # A plain dict: private, never changed after this, and its lookups are the cheapest.
        object.__setattr__(self, "_entries", entries)

    @classmethod
    def load(cls, path: str | os.PathLike[str], /) -> Catalog:
        """Load a directory of ``<templateCode>.toml`` / ``.json`` files, or one such file.

        The template code is the file name without its suffix. In a directory, files with other
        suffixes, names starting with ``.`` and subdirectories are ignored. A file holds an
        optional ``default`` language, a ``content`` table of language to text and an optional
        ``parameters`` table of declarations (see :meth:`compose`); a leading UTF-8 byte order
        mark is allowed.

        :param path: a directory or a ``.toml`` / ``.json`` file.
        :returns: the catalog.
        :raises CatalogError: a path or file that cannot be read, is not UTF-8, is empty, cannot
            be parsed or has the wrong shape; a directory without catalog files; two files for
            one code. ``path`` names the file and ``lineno`` the line, where the format gives one.
        :raises TypeError: ``path`` is not a path.
        """
        name = _path_name(path)
        try:
            mode = os.stat(name).st_mode
        except (OSError, ValueError) as err:
            raise CatalogError(f"cannot read the catalog: {_os_reason(err)}", path=name) from err
        if stat.S_ISDIR(mode):
            files = _catalog_files(name)
        elif os.path.splitext(name)[1] in SUFFIXES:
            files = [name]
        else:
            raise CatalogError(
                "is neither a directory nor a .toml or .json catalog file", path=name
            )
        templates: dict[str, dict[str, str]] = {}
        defaults: dict[str, str] = {}
        origins: dict[str, str] = {}
        lines: dict[str, dict[str, int]] = {}
        parameters: dict[str, dict[str, ParameterType]] = {}
        for file in files:
            code = os.path.splitext(os.path.basename(file))[0]
            if code in origins:
                raise CatalogError(
                    f"holds template {quote(code)} again; {origins[code]} holds it already, "
                    "keep only one of the two files",
                    path=file,
                )
            default, content, lines[code], declared = _read_file(file)
            templates[code] = content
            if default is not None:
                defaults[code] = default
            if declared is not None:
                parameters[code] = declared
            origins[code] = file
        catalog = cls.__new__(cls)
        catalog._build(templates, defaults, origins, lines, parameters)
        return catalog

    @property
    def codes(self) -> tuple[str, ...]:
        """The template codes, sorted."""
        return tuple(self._entries)

    def languages(self, code: str, /) -> tuple[str, ...]:
        """The languages of a template, in the order given.

        :raises UnknownTemplate: the catalog does not hold ``code``.
        """
        return self._entry(code).languages

    def default_language(self, code: str, /) -> str:
        """The language a template shows when nothing fits (declared, else its first).

        :raises UnknownTemplate: the catalog does not hold ``code``.
        """
        return self._entry(code).default

    def parameters(self, code: str, /) -> cabc.Mapping[str, ParameterType]:
        """The parameter declarations of a template, in the order given (empty without any).

        :raises UnknownTemplate: the catalog does not hold ``code``.

        >>> catalog = Catalog({"TP_1": {"en-US": "${n}"}}, parameters={"TP_1": {"n": "number"}})
        >>> catalog.parameters("TP_1")["n"].type
        'number'
        """
        declared = self._entry(code).parameters
        return types.MappingProxyType({}) if declared is None else declared

    def compose(
        self,
        code: str,
        values: cabc.Mapping[str, object],
        /,
        *,
        app_id: str,
        access_token: str,
        request_id: str,
        languages: cabc.Sequence[str] | None = None,
        tz: str | datetime.tzinfo = "UTC",
        extend_info: str | None = None,
    ) -> dict[str, t.Any]:
        """Build a sendByAccessToken request for template ``code`` from typed values.

        One content template per language (default: the template's languages, at most 5),
        each with the parameters its catalog text uses (the text :meth:`render` would choose),
        formatted for that language with Babel by the declared types: ``currency`` from an
        ``(amount, "HKD")`` pair, ``number``/``decimal``/``percent`` from numbers,
        ``date``/``time``/``datetime`` from aware datetimes shown in ``tz``, ``text`` as given.
        A value may map language tags to values (``{"en": "Sunrise", "zh-Hant": "日出"}``),
        resolved with :func:`~msgtemplates.best_match`, else the default language's, else the
        first. ``pushContentUrl`` and ``redirectUrl`` pass through when given. The result
        passes ``check_request(result, catalog=self)`` without errors.

        :param values: parameter name -> typed value.
        :param languages: the request's languages, 1 to 5.
        :param tz: the time zone (an IANA name or a ``tzinfo``) dates and times are shown in.
        :param extend_info: the request's ``extendInfo``, if any.
        :returns: the request, ready for ``json.dumps``.
        :raises UnknownTemplate: the catalog does not hold ``code``.
        :raises MissingParameters: every parameter the texts use that ``values`` lacks.
        :raises TypeError: a value of the wrong type, naming the parameter and what it needs.
        :raises ValueError: more than 5 languages and no ``languages=``, a declaration Babel
            cannot use, a naive datetime, an unknown currency code, a number that is not
            finite; :class:`~msgtemplates.RequestInvalid` if the request would still have
            errors (such as an unsafe link).

        >>> catalog = Catalog({"TP_1": {"en-US": "Paid ${amount}", "th-TH": "จ่าย ${amount}"}},
        ...                   parameters={"TP_1": {"amount": "currency"}})
        >>> request = catalog.compose("TP_1", {"amount": (165, "THB")}, app_id="A1",
        ...                           access_token="T", request_id="R1")
        >>> [item["templateParameters"]["amount"] for item in request["templates"]]
        ['THB165.00', '฿165.00']
        """
        from .compose import compose

        return compose(
            self._texts(code),
            values,
            catalog=self,
            app_id=app_id,
            access_token=access_token,
            request_id=request_id,
            languages=languages,
            tz=tz,
            extend_info=extend_info,
        )

    def _texts(self, code: object) -> TemplateTexts:
        from .compose import TemplateTexts

        entry = self._entry(code)
        return TemplateTexts(
            code=str.__str__(t.cast(str, code)),
            languages=entry.languages,
            default=entry.default,
            templates=entry.parsed,
            parameters=entry.parameters,
            choose=functools.partial(_choose, entry),
        )

    def render(
        self,
        code: str,
        language: str,
        params: cabc.Mapping[str, str],
        /,
        *,
        missing: t.Literal["error", "keep"] = "error",
    ) -> Rendered:
        """Render template ``code`` for a user of ``language``.

        The text used is the best match of ``language`` over the template's languages (CLDR
        fallback, see :func:`~msgtemplates.best_match`), else the template's default.

        :param params: the template parameters, names to strings.
        :param missing: ``"error"`` raises for missing parameters; ``"keep"`` leaves them as
            ``${name}``.
        :returns: the text, the catalog language used and whether it was a fallback.
        :raises UnknownTemplate: the catalog does not hold ``code``.
        :raises MissingParameters: with ``missing="error"``, the names not in ``params``.
        :raises TemplateSyntaxError: the chosen catalog text has a syntax error.
        :raises CatalogError: nothing fits and the default language has no text (see
            :meth:`lint`, ``defaultLanguage``).
        :raises TypeError: ``language`` is not a string, ``params`` not a mapping, or a value
            not a string.

        >>> catalog = Catalog({"TP_1": {"en-US": "Hi ${who}", "es-419": "Hola ${who}"}})
        >>> catalog.render("TP_1", "es-MX", {"who": "Ana"}).text
        'Hola Ana'
        >>> catalog.render("TP_1", "en-us", {}, missing="keep")
        Rendered(text='Hi ${who}', language='en-US', fallback=False)
        """
        entry = self._entry(code)
        if not is_str(language):
            raise TypeError(f"language must be a string, not {describe(language)}")
        if not issubclass(type(params), cabc.Mapping):
            raise TypeError(f"params must be a mapping of names to strings, not {describe(params)}")
        if missing not in ("error", "keep"):
            raise ValueError(f'missing must be "error" or "keep", not {quote(missing)}')
        index = _choose(entry, language)
        if index is None:
            raise CatalogError(
                f"template {quote(code)} has no text for {quote(language)} and its default "
                f"{quote(entry.default)} names no text; languages are "
                f"{build.listed(entry.languages)}",
                path=entry.origin or "<catalog>",
            )
        chosen = entry.languages[index]
        text = _template(entry, index).render(params, missing=missing)
        # The extensions of a device locale (th-TH-u-ca-buddhist) make no fallback.
        return Rendered(text, chosen, _key(chosen) != _key(base_tag(language)))

    def preview(self, payload: object, /, *, user_locale: str) -> Preview:
        """What a user of ``user_locale`` would see for a sendByAccessToken request.

        The wallet shows the content template whose language best fits the user's locale,
        else the first; only content templates that are objects with a string ``language`` are
        candidates.

        :param payload: the request, as parsed JSON.
        :param user_locale: the user's language tag.
        :returns: the chosen content template, the catalog language used, the text with missing
            placeholders kept visible, and every problem that
            :func:`~msgtemplates.check_request` with this catalog reports for that content
            template and for the request as a whole.
        :raises UnknownTemplate: the catalog does not hold the request's ``templateCode``.
        :raises RequestInvalid: the request is too broken to preview: not an object, no string
            ``templateCode``, no ``templates`` array, or no content template with a string
            ``language``; ``problems`` are those of :func:`~msgtemplates.check_request`.
        :raises TypeError: ``user_locale`` is not a string.
        """
        if not is_str(user_locale):
            raise TypeError(f"user_locale must be a string, not {describe(user_locale)}")
        secret = secret_of(payload)
        shape = _request_shape(payload)
        if shape is None:
            raise RequestInvalid(check_request(payload, catalog=self))
        code, candidates = shape
        if code not in self._entries:
            # The exception's text quotes the code; the token must not travel with it.
            def hide(text: str) -> str:
                return "***" if secret is not None and secret in text else text

            raise UnknownTemplate(hide(code), known=[hide(known) for known in self.codes])
        entry = self._entries[code]
        languages = [language for _, language, _ in candidates]
        picked = best_match(user_locale, languages)
        chosen = candidates[0] if picked is None else candidates[languages.index(picked)]
        request_index, language, params = chosen
        mine = f"/templates/{request_index}"
        problems = [
            problem
            for problem in check_request(payload, catalog=self)
            if _belongs(problem.path, mine)
        ]
        index = _choose(entry, language)
        if index is None:
            return Preview(request_index, None, "", problems)
        parsed = entry.parsed[index]
        if isinstance(parsed, TemplateSyntaxError):
            shown_text = entry.texts[index]
        else:
            shown_text = parsed.render(_string_values(params), missing="keep")
        # A preview is printed and saved as HTML; the token must not travel with it.
        return Preview(
            request_index, entry.languages[index], build.mask(shown_text, secret), problems
        )

    def lint(self) -> list[Problem]:
        """Check the catalog itself; paths are ``/<templateCode>/<language>``.

        Per template, in code order: ``defaultLanguage`` at ``/<templateCode>`` (the default
        names no language given), then per language in order: ``languageTag`` (error when not
        a hyphenated tag, warning when only the case is off), ``duplicateLanguage`` (the same
        language twice; only the first text is used), ``unknownLanguage``, ``emptyText``,
        ``templateSyntax`` (with line and column), ``invisibleCharacter`` and
        ``invalidCharacter``, ``bareDollar`` (warning: ``$name`` without braces), and
        ``placeholderMismatch`` (warning: a placeholder that only a minority of the texts use
        is reported at those texts, a typo such as ``${nmae}`` once; one that most use, at the
        texts that lack it). A template with a ``parameters`` table then gets
        ``parameterType`` and ``unusedDeclaration`` (at ``/<templateCode>/parameters/<name>``)
        and ``undeclaredParameter`` (at the first text using it), see
        :func:`msgtemplates.compose.declaration_problems`. :meth:`where` tells the file and line
        of each path.

        :returns: the problems, empty for a clean catalog.

        >>> Catalog({"TP_1": {"en-US": "Hi ${who}", "en_GB": "Hi"}}).lint()[0].code
        'languageTag'
        """
        problems: list[Problem] = []
        for code, entry in self._entries.items():
            problems.extend(_lint_entry(code, entry))
            if entry.parameters is not None:
                from .compose import declaration_problems

                problems.extend(declaration_problems(self._texts(code)))
        return problems

    def where(self, path: str, /) -> tuple[str | None, int | None]:
        """The file and 1-based line where a lint path's item stands in the catalog files.

        :param path: a pointer of :meth:`lint`: ``/<templateCode>``,
            ``/<templateCode>/<language>`` or ``/<templateCode>/parameters/<name>``.
        :returns: ``(file, line)``; the line is ``None`` where the format gives none, and both
            are ``None`` for a catalog built in memory or a path it does not hold.

        >>> Catalog({"TP_1": {"en-US": "Hi"}}).where("/TP_1/en-US")
        (None, None)
        """
        if not is_str(path) or not path.startswith("/"):
            return None, None
        code, _, rest = path[1:].partition("/")
        entry = self._entries.get(_unescape(code))
        if entry is None:
            return None, None
        if not rest:
            return entry.origin, entry.lines.get("default", entry.lines.get("content"))
        key = _unescape(rest)
        return entry.origin, entry.lines.get(key, entry.lines.get("content"))

    def request_clean(self, payload: object, /, *, text_length: int = _UNKNOWN_LENGTH) -> bool:
        """Whether the catalog surely finds no problem in a request, warnings included.

        The quick test :func:`msgtemplates.check_request` runs on a request whose schema checks
        found nothing. ``True`` only when :meth:`request_problems` would return nothing;
        ``False`` for anything unusual, which :meth:`request_problems` then looks at.

        :param text_length: the length of the JSON text the request was decoded from, where
            known: the values of a content template together are no longer than that, so where
            it is within the text's room their lengths need no adding up.
        """
        try:
            if type(payload) is not dict:
                return False
            # Subscripts: a member missing, or a value of another type, raises and answers no.
            code = payload["templateCode"]
            templates = payload["templates"]
            if type(code) is not str or type(templates) is not list:
                return False
            entry = self._entries.get(code)
            if entry is None:
                return False
            plans = entry.plans
            for item in templates:
                if type(item) is not dict:
                    return False
                language = item["language"]
                if type(language) is not str:
                    return False
                try:
                    plan = plans[language]
                except KeyError:
                    plan = _plan(entry, language)
                if plan is None:
                    return False
                allowed, need, links, room, counts = plan
                if len(item) == 1:
                    params = _NO_VALUES
                else:
                    # Missing beside another member: a KeyError, so the careful checks decide.
                    params = item["templateParameters"]
                    if type(params) is not dict:
                        return False
                # Every name allowed, and as many names beside the links as the text has
                # placeholders beside them: then every placeholder is given.
                if not allowed.issuperset(params) or (
                    len(params) - (_PUSH in params) - (_REDIRECT in params) != need
                ):
                    return False
                if links and not params.keys() >= links:
                    return False
                # All the values together (links too) fit: so does the text. Else count exactly.
                if (
                    text_length > room
                    and sum(map(len, params.values())) > room
                    and (sum(count * len(params[name]) for name, count in counts) > room)
                ):
                    return False
            return True
        except Exception:
            # A member whose own methods raise: the careful checks look at it.
            return False

    def _struct_clean(self, request: t.Any, text_length: int) -> bool:
        """:meth:`request_clean` of a request a batch decoded into the struct path's Structs.

        The same test, read from attributes: every type is the schema's already (a missing
        ``templateParameters`` is ``msgspec.UNSET``). Written out beside the dict one, as a
        call per content template would cost the dict path more than its budget allows.
        """
        try:
            entry = self._entries.get(request.templateCode)
            if entry is None:
                return False
            plans = entry.plans
            for item in request.templates:
                language = item.language
                try:
                    plan = plans[language]
                except KeyError:
                    plan = _plan(entry, language)
                if plan is None:
                    return False
                allowed, need, links, room, counts = plan
                params = item.templateParameters
                if type(params) is not dict:
                    params = _NO_VALUES
                if not allowed.issuperset(params) or (
                    len(params) - (_PUSH in params) - (_REDIRECT in params) != need
                ):
                    return False
                if links and not params.keys() >= links:
                    return False
                if (
                    text_length > room
                    and sum(map(len, params.values())) > room
                    and (sum(count * len(params[name]) for name, count in counts) > room)
                ):
                    return False
            return True
        except Exception:
            return False

    def request_problems(self, payload: object, /, *, secret: str | None = None) -> list[Problem]:
        """The catalog problems of a request, for :func:`msgtemplates.check_request`.

        Accepts any value and skips parts of the wrong type (the schema checks report those).
        ``unknownTemplate`` at ``/templateCode`` stops the checks; otherwise, per content
        template in order: ``contentTooLong`` at ``/templates/<i>``, then ``noContent``,
        ``templateSyntax`` or ``fallbackContent`` at ``/templates/<i>/language``, and
        ``unusedParameter`` (in parameter order) then ``missingParameter`` (in placeholder
        order) under ``/templates/<i>/templateParameters``.

        :param secret: a value never quoted (the request's access token).
        """
        if secret is None:
            secret = secret_of(payload)
        try:
            # Plain data (what json.loads gives) is read as it is, without copies.
            return self._request_problems(payload, secret, _plain)
        except Exception:
            # A key whose own __eq__ or __hash__ raises: read the members as plain data.
            return self._request_problems(payload, secret, _members)

    def _request_problems(
        self,
        payload: object,
        secret: str | None,
        members: cabc.Callable[[dict[t.Any, t.Any]], dict[t.Any, t.Any]],
    ) -> list[Problem]:
        if not is_dict(payload):
            return []
        payload = members(payload)
        code = payload.get("templateCode")
        if not is_str(code):
            return []
        code = str.__str__(code)
        entry = self._entries.get(code)
        if entry is None:
            return [
                build.unknown_template(
                    "/templateCode",
                    code,
                    known=self.codes,
                    suggestion=_closest(code, self.codes),
                    secret=secret,
                )
            ]
        templates = payload.get("templates")
        if not is_list(templates):
            return []
        problems: list[Problem] = []
        for index, item in enumerate(list.__iter__(templates)):
            if not is_dict(item):
                continue
            item = members(item)
            language = item.get("language")
            if not is_str(language):
                continue
            params = item.get("templateParameters", {})
            problems.extend(
                _template_problems(
                    code,
                    entry,
                    index,
                    str.__str__(language),
                    members(params) if is_dict(params) else None,
                    secret=secret,
                )
            )
        return problems

    def _entry(self, code: object) -> _Entry:
        entry = self._entries.get(str.__str__(code)) if is_str(code) else None
        if entry is None:
            raise UnknownTemplate(code, known=self.codes)
        return entry

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"a Catalog is immutable; cannot set {name!r}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"a Catalog is immutable; cannot delete {name!r}")

    def __reduce__(self) -> tuple[t.Any, ...]:
        templates = {
            code: dict(zip(e.languages, e.texts, strict=True)) for code, e in self._entries.items()
        }
        defaults = {code: e.default for code, e in self._entries.items()}
        origins = {code: e.origin for code, e in self._entries.items() if e.origin is not None}
        lines = {code: dict(e.lines) for code, e in self._entries.items() if e.lines}
        declared = {
            code: dict(e.parameters)
            for code, e in self._entries.items()
            if e.parameters is not None
        }
        return (_rebuild, (templates, defaults, origins, lines, declared))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Catalog):
            return NotImplemented
        return self._state() == other._state()

    def __hash__(self) -> int:
        return hash(self._state())

    def _state(self) -> tuple[t.Any, ...]:
        return tuple(
            (code, e.languages, e.texts, e.default, _declared_state(e))
            for code, e in self._entries.items()
        )

    def __repr__(self) -> str:
        shown = [
            f"{code!r} ({', '.join(e.languages[:6])}{', ...' if len(e.languages) > 6 else ''})"
            for code, e in list(self._entries.items())[:5]
        ]
        more = f", ... {len(self._entries) - 5} more" if len(self._entries) > 5 else ""
        count = len(self._entries)
        return f"<Catalog of {count} template{'' if count == 1 else 's'}: {', '.join(shown)}{more}>"


def _rebuild(
    templates: dict[str, dict[str, str]],
    defaults: dict[str, str],
    origins: dict[str, str],
    lines: dict[str, dict[str, int]] | None = None,
    parameters: dict[str, dict[str, ParameterType]] | None = None,
) -> Catalog:
    catalog = Catalog.__new__(Catalog)
    catalog._build(templates, defaults, origins, lines or {}, parameters or {})
    return catalog


def _declared_state(entry: _Entry) -> tuple[tuple[str, ParameterType], ...] | None:
    return None if entry.parameters is None else tuple(entry.parameters.items())


def _checked_codes(templates: cabc.Mapping[t.Any, t.Any]) -> list[str]:
    codes: list[str] = []
    for code, texts in templates.items():
        if not is_str(code):
            raise TypeError(f"template codes must be strings, not {describe(code)}")
        if not issubclass(type(texts), cabc.Mapping):
            raise TypeError(
                f"template {quote(code)} must map languages to texts, not be {describe(texts)}"
            )
        if not texts:
            raise ValueError(f"template {quote(code)} has no texts; give at least one language")
        for language, text in texts.items():
            if not is_str(language) or not is_str(text):
                raise TypeError(
                    f"template {quote(code)} must map language strings to text strings, "
                    f"not {describe(language)} to {describe(text)}"
                )
        codes.append(code)
    return codes


def _make_entry(
    code: str,
    texts: cabc.Mapping[str, str],
    default: str | None,
    origin: str | None,
    lines: cabc.Mapping[str, int],
) -> _Entry:
    given = tuple(texts)
    languages = tuple(str.__str__(language) for language in given)
    sources = tuple(str.__str__(texts[language]) for language in given)
    parsed: list[Template | TemplateSyntaxError] = []
    for source in sources:
        try:
            parsed.append(Template(source))
        except TemplateSyntaxError as err:
            # Kept for lint and for a fresh error at render time.
            parsed.append(err)
    by_key: dict[str, int] = {}
    for index, language in enumerate(languages):
        by_key.setdefault(_key(language), index)
    chosen_default = languages[0] if default is None else str.__str__(default)
    return _Entry(
        languages=languages,
        texts=sources,
        parsed=tuple(parsed),
        name_sets=tuple(
            frozenset(p.placeholders) if isinstance(p, Template) else frozenset() for p in parsed
        ),
        literal_lengths=tuple(_literal_length(p) for p in parsed),
        counts=tuple(_counts(p) for p in parsed),
        choices={},
        default=chosen_default,
        default_index=by_key.get(_key(chosen_default)),
        by_key=types.MappingProxyType(by_key),
        origin=origin,
        lines=types.MappingProxyType(dict(lines)),
    )


def _counts(parsed: Template | TemplateSyntaxError) -> cabc.Mapping[str, int]:
    """How often each placeholder stands in a valid text, in one linear scan."""
    counts: dict[str, int] = {}
    if isinstance(parsed, Template):
        source = parsed.source
        # In a valid text every "${" opens a placeholder that the next "}" closes.
        start = source.find("${")
        while start >= 0:
            end = source.index("}", start)
            name = source[start + 2 : end]
            counts[name] = counts.get(name, 0) + 1
            start = source.find("${", end)
    return types.MappingProxyType(counts)


def _literal_length(parsed: Template | TemplateSyntaxError) -> int:
    """The length of a valid text with every placeholder rendered empty."""
    if not isinstance(parsed, Template):
        return 0
    return len(parsed.source) - sum(
        (len(name) + 3) * count for name, count in _counts(parsed).items()
    )


def _plain(value: dict[t.Any, t.Any]) -> dict[t.Any, t.Any]:
    return value


def _choose(entry: _Entry, language: str) -> int | None:
    """The index of the text for ``language``: exact, CLDR fallback, else the default."""
    index = entry.by_key.get(_key(language))
    if index is not None:
        return index
    matched = best_match(language, entry.languages)
    if matched is None:
        return entry.default_index
    return entry.languages.index(matched)


def _template(entry: _Entry, index: int) -> Template:
    parsed = entry.parsed[index]
    if isinstance(parsed, TemplateSyntaxError):
        # Parsing again raises a fresh error: a shared instance would gain tracebacks.
        return Template(entry.texts[index])
    return parsed


def _closest(name: str, candidates: cabc.Iterable[str]) -> str | None:
    """The candidate ``name`` was probably meant to be (a typo), or ``None``.

    Case differences count for little (``pushContentURL`` means ``pushContentUrl``). The search
    costs time quadratic in the lengths, so long names and long candidate lists are not looked
    at: a typo is short, and among thousands of candidates a guess is no help.
    """
    if len(name) > 64:
        return None
    pool = [c for c in candidates if len(c) <= 64]
    if not pool or len(pool) > 1000:
        return None
    lowered = name.lower()
    for candidate in pool:
        if candidate.lower() == lowered:
            return candidate
    import difflib

    by_lower: dict[str, str] = {}
    for candidate in pool:
        by_lower.setdefault(candidate.lower(), candidate)
    close = difflib.get_close_matches(lowered, list(by_lower), n=1, cutoff=0.7)
    return by_lower[close[0]] if close else None


_NO_VALUES: dict[str, str] = {}


def _plan(entry: _Entry, language: str) -> _Plan | None:
    """What a problem-free content template in ``language`` needs (remembered, bounded)."""
    index = _choose(entry, language)
    plan: _Plan | None = None
    if (
        index is not None
        and _key(entry.languages[index]) == _key(language)
        and isinstance(entry.parsed[index], Template)
    ):
        used = entry.name_sets[index]
        plan = (
            used | _PLATFORM_PARAMETERS,
            len(used - _PLATFORM_PARAMETERS),
            used & _PLATFORM_PARAMETERS,
            MAX_CONTENT_LENGTH - entry.literal_lengths[index],
            tuple(entry.counts[index].items()),
        )
    if len(entry.plans) < _CHOICES:
        entry.plans[language] = plan
    return plan


def _template_problems(
    code: str,
    entry: _Entry,
    request_index: int,
    language: str,
    params: dict[t.Any, t.Any] | None,
    *,
    secret: str | None,
) -> list[Problem]:
    """Problems of one content template whose ``language`` is a string."""
    at = f"/templates/{request_index}"
    choice = entry.choices.get(language)
    if choice is None:
        index = _choose(entry, language)
        choice = (index, index is not None and _key(entry.languages[index]) != _key(language))
        if len(entry.choices) < _CHOICES:
            entry.choices[language] = choice
    index, fallback = choice
    if index is None:
        return [build.no_content(f"{at}/language", code, language, entry.languages, secret=secret)]
    chosen = entry.languages[index]
    parsed = entry.parsed[index]
    if isinstance(parsed, TemplateSyntaxError):
        return [
            build.template_syntax(
                f"{at}/language",
                parsed.lineno,
                parsed.column,
                parsed.message,
                language=chosen,
                code=code,
                secret=secret,
            )
        ]
    problems: list[Problem] = []
    if fallback:
        problems.append(
            build.fallback_content(f"{at}/language", code, language, chosen, secret=secret)
        )
    if params is None:
        # templateParameters of the wrong type: the schema checks report it.
        return problems
    placeholders = parsed.placeholders
    used = entry.name_sets[index]
    parameter_problems: list[Problem] = []
    unused = [
        name
        for name in params
        if name not in used and name not in _PLATFORM_PARAMETERS and is_str(name)
    ]
    if unused:
        # Suggestions only among the placeholders no parameter fills, and the link names;
        # a guess costs a close-match search, so only the first few unused names get one.
        open_names = [name for name in placeholders if name not in params]
        pool = [*open_names, *LINK_PARAMETERS] if len(open_names) <= _GUESS_POOL else []
        for count, name in enumerate(unused):
            parameter_problems.append(
                build.unused_parameter(
                    f"{at}/templateParameters/{escape_pointer(name)}",
                    name,
                    chosen,
                    placeholders,
                    suggestion=_closest(name, pool) if count < _GUESSES else None,
                    secret=secret,
                )
            )
    for name in placeholders:
        if name not in params:
            parameter_problems.append(
                build.missing_parameter(
                    f"{at}/templateParameters/{escape_pointer(name)}", name, chosen, secret=secret
                )
            )
    # The rendered length without rendering: the literal text plus each value as often as
    # its placeholder stands (a missing one kept as ${name}).
    length = entry.literal_lengths[index]
    for name, count in entry.counts[index].items():
        value = params.get(name)
        length += count * (len(value) if type(value) is str or is_str(value) else len(name) + 3)
    if length > MAX_CONTENT_LENGTH:
        # The content template itself, so before the problems of its members.
        problems.insert(0, build.content_too_long(at, length, MAX_CONTENT_LENGTH))
    problems.extend(parameter_problems)
    return problems


def _members(value: dict[t.Any, t.Any]) -> dict[str, t.Any]:
    """An object's string-named members under plain ``str`` names, read as its data.

    A request may hold a dict subclass, or keys whose own ``__eq__`` or ``__hash__`` raise;
    looking members up in this copy runs none of their methods.
    """
    return {str.__str__(k): v for k, v in dict.items(value) if is_str(k)}


def _params_of(item: dict[str, t.Any]) -> dict[str, t.Any] | None:
    """``templateParameters``, ``{}`` when absent, ``None`` when not an object."""
    params = item.get("templateParameters", {})
    return _members(params) if is_dict(params) else None


def _string_values(params: cabc.Mapping[t.Any, t.Any] | None) -> dict[str, str]:
    if not params:
        return {}
    return {k: v for k, v in params.items() if is_str(k) and is_str(v)}


_Candidate = tuple[int, str, "dict[t.Any, t.Any] | None"]


def _request_shape(payload: object) -> tuple[str, list[_Candidate]] | None:
    """The template code and the content templates a wallet could show, or ``None``.

    ``None`` when the request is too broken to preview: not an object, no string
    ``templateCode``, or no content template that is an object with a string ``language``.
    """
    if not is_dict(payload):
        return None
    members = _members(payload)
    code = members.get("templateCode")
    templates = members.get("templates")
    if not is_str(code) or not is_list(templates):
        return None
    candidates: list[_Candidate] = []
    for index, item in enumerate(list.__iter__(templates)):
        if is_dict(item):
            item = _members(item)
            language = item.get("language")
            if is_str(language):
                candidates.append((index, str.__str__(language), _params_of(item)))
    if not candidates:
        return None
    return str.__str__(code), candidates


def _belongs(path: str, mine: str) -> bool:
    """Whether a problem at ``path`` is the request's as a whole or of content template ``mine``."""
    if not path.startswith("/templates/"):
        return True
    return path == mine or path.startswith(mine + "/")


def _unescape(token: str) -> str:
    return token.replace("~1", "/").replace("~0", "~")


def _placeholder_problems(entry: _Entry, base: str) -> dict[int, Problem]:
    """``placeholderMismatch`` per text: the minority's placeholders at the texts using them,
    the majority's at the texts lacking them; one problem per text at most."""
    parsed = [
        (index, p) for index, p in enumerate(entry.parsed) if not isinstance(p, TemplateSyntaxError)
    ]
    if len(parsed) < 2:
        return {}
    users: dict[str, list[int]] = {}
    for index, template in parsed:
        for name in template.placeholders:
            users.setdefault(name, []).append(index)
    total = len(parsed)
    extra: dict[int, list[str]] = {}
    lacking: dict[int, list[str]] = {}
    indexes = [index for index, _ in parsed]
    for name, using in users.items():
        count = len(using)
        if count == total:
            continue
        if 2 * count < total or (count == 1 and total > 2):
            for index in using:
                extra.setdefault(index, []).append(name)
        else:
            have = set(using)
            for index in indexes:
                if index not in have:
                    lacking.setdefault(index, []).append(name)
    found: dict[int, Problem] = {}
    for index in indexes:
        if index in extra or index in lacking:
            at = f"{base}/{escape_pointer(entry.languages[index])}"
            found[index] = build.placeholder_mismatch(
                at, extra=extra.get(index, ()), lacking=lacking.get(index, ())
            )
    return found


def _lint_entry(code: str, entry: _Entry) -> list[Problem]:
    base = "/" + escape_pointer(code)
    problems: list[Problem] = []
    if entry.default_index is None:
        problems.append(build.default_language(base, entry.default, entry.languages))
    mismatches = _placeholder_problems(entry, base)
    for index, language in enumerate(entry.languages):
        at = f"{base}/{escape_pointer(language)}"
        canonical = canonical_tag(language)
        if canonical is None:
            problems.append(
                build.language_tag(at, language, canonical=None, suggestion=suggest_tag(language))
            )
        elif canonical != language:
            problems.append(build.language_tag(at, language, canonical=canonical, suggestion=None))
        first = entry.by_key[_key(language)]
        if first != index:
            first_language = entry.languages[first]
            problems.append(
                build.duplicate_language(
                    at, language, first_language, f"{base}/{escape_pointer(first_language)}"
                )
            )
        if canonical is not None and not is_known_tag(canonical):
            problems.append(build.unknown_language(at, language))
        text = entry.texts[index]
        if not text.strip():
            problems.append(build.empty_text(at))
        parsed = entry.parsed[index]
        if isinstance(parsed, TemplateSyntaxError):
            problems.append(
                build.template_syntax(
                    at, parsed.lineno, parsed.column, parsed.message, language=language, code=code
                )
            )
        surrogate = first_surrogate(text)
        if surrogate is not None:
            problems.append(build.invalid_character(at, *surrogate, what="text"))
        invisible = first_invisible(text)
        if invisible is not None:
            problems.append(
                build.invisible_character(at, *invisible, invisible_count(text), what="text")
            )
        bare = _bare_dollar().search(text) if "$" in text else None
        if bare is not None:
            start = bare.start()
            line_start = text.rfind("\n", 0, start) + 1
            problems.append(
                build.bare_dollar(
                    at, bare.group(1), text.count("\n", 0, start) + 1, start - line_start + 1
                )
            )
        if index in mismatches:
            problems.append(mismatches[index])
    return problems


def _path_name(path: object) -> str:
    try:
        name = os.fspath(path)  # type: ignore[call-overload]
    except TypeError:
        raise TypeError(f"path must be a str or os.PathLike, not {describe(path)}") from None
    return os.fsdecode(name)


def _os_reason(err: BaseException) -> str:
    """The reason an OS call failed, without the path (the error names it already)."""
    if isinstance(err, OSError) and err.strerror:
        return err.strerror[0].lower() + err.strerror[1:]
    if isinstance(err, ValueError):
        return "the path contains a NUL character"
    return "the operating system refused"


def _catalog_files(directory: str) -> list[str]:
    """The catalog files of a directory, sorted by name."""
    try:
        names = sorted(os.listdir(directory))
    except OSError as err:
        raise CatalogError(f"cannot list the directory: {_os_reason(err)}", path=directory) from err
    files = [
        os.path.join(directory, name)
        for name in names
        if not name.startswith(".") and os.path.splitext(name)[1] in SUFFIXES
    ]
    if not files:
        raise CatalogError(
            "holds no catalog files; add one <templateCode>.toml or .json file per template",
            path=directory,
        )
    return files


def _read_file(
    file: str,
) -> tuple[str | None, dict[str, str], dict[str, int], dict[str, ParameterType] | None]:
    """Read one catalog file: its default language (or None), its content, key lines, and its
    parameter declarations (None without a parameters table)."""
    try:
        mode = os.stat(file).st_mode
        if stat.S_ISDIR(mode):
            raise CatalogError("is a directory, not a catalog file", path=file)
        if not stat.S_ISREG(mode):
            # A FIFO or device would block or never end.
            raise CatalogError("is not a regular file", path=file)
        with open(file, "rb") as stream:
            data = stream.read()
    except OSError as err:
        raise CatalogError(f"cannot read the file: {_os_reason(err)}", path=file) from err
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        lineno = data.count(b"\n", 0, err.start) + 1
        raise CatalogError(
            f"is not UTF-8 text: byte 0x{data[err.start]:02x} cannot be decoded; save the file "
            "as UTF-8",
            path=file,
            lineno=lineno,
        ) from err
    if not text.strip():
        raise CatalogError('is empty; it needs a content table of language = "text"', path=file)
    kind = SUFFIXES[os.path.splitext(file)[1]]
    document = _parse_toml(text, file) if kind == "TOML" else _parse_json(text, file)
    default, content = _shape(document, file, kind)
    lines = _toml_lines(text) if kind == "TOML" else _json_lines(text, content)
    if not is_dict(document) or "parameters" not in document:
        return default, content, lines, None
    from .compose import declaration_lines, load_declarations

    declared = load_declarations(document["parameters"], path=file, text=text)
    lines.update(declaration_lines(text, declared))
    return default, content, lines, declared


# A TOML key at the start of a line: bare, "basic" or 'literal', maybe dotted under content.
@functools.cache
def _toml_key_patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """A key at the start of a TOML line (bare, "basic" or 'literal'), and a table header."""
    return (
        re.compile(
            r"""[ \t]*(?:content[ \t]*\.[ \t]*)?"""
            r"""("(?:[^"\\\n]|\\.)*"|'[^'\n]*'|[A-Za-z0-9_-]+)[ \t]*="""
        ),
        re.compile(r"[ \t]*\[[ \t]*([A-Za-z0-9_-]+)[ \t]*\]"),
    )


def _toml_lines(text: str) -> dict[str, int]:
    """The 1-based line of ``default``, of ``content`` and of each content key (best effort)."""
    lines: dict[str, int] = {}
    table = ""
    key_pattern, table_pattern = _toml_key_patterns()
    for number, line in enumerate(text.split("\n"), 1):
        header = table_pattern.match(line)
        if header is not None:
            table = header.group(1)
            if table == "content":
                lines.setdefault("content", number)
            continue
        match = key_pattern.match(line)
        if match is None:
            continue
        key = _toml_key(match.group(1))
        dotted = line.lstrip().startswith("content") and key != "content"
        if table == "content" or (table == "" and (dotted or key in ("default", "content"))):
            lines.setdefault(key, number)
    return lines


def _toml_key(raw: str) -> str:
    if raw.startswith("'"):
        return raw[1:-1]
    if raw.startswith('"'):
        try:
            return str(json.loads(raw))
        except ValueError:
            return raw[1:-1]
    return raw


def _json_lines(text: str, content: cabc.Mapping[str, str]) -> dict[str, int]:
    """The 1-based line of ``default``, of ``content`` and of each content key (best effort)."""
    lines: dict[str, int] = {}
    start = 0
    for key in ("default", "content"):
        found = re.search(rf'"{key}"\s*:', text)
        if found is not None:
            lines[key] = text.count("\n", 0, found.start()) + 1
            if key == "content":
                start = found.end()
    for language in content:
        for spelled in (json.dumps(language), json.dumps(language, ensure_ascii=False)):
            position = text.find(spelled, start)
            if position >= 0:
                lines.setdefault(language, text.count("\n", 0, position) + 1)
                break
    return lines


def _parse_toml(text: str, file: str) -> object:
    import tomllib

    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        reason = str(err)
        lineno: int | None = getattr(err, "lineno", None)
        position_pattern, end_pattern = _toml_error_patterns()
        position = position_pattern.search(reason)
        if position is not None:
            reason = reason[: position.start()]
            lineno = lineno or int(position.group(1))
            reason += f" at column {position.group(2)}"
        elif end_pattern.search(reason):
            reason = end_pattern.sub(" at the end of the file", reason)
            lineno = lineno or text.count("\n") + 1
        raise CatalogError(
            f"is not valid TOML: {_first_lower(reason)}", path=file, lineno=lineno
        ) from err
    except RecursionError as err:
        raise CatalogError("is not valid TOML: it nests too deeply", path=file) from err
    except ValueError as err:
        # Python refuses to read an integer of more than 4,300 digits.
        raise CatalogError("is not valid TOML: a number has too many digits", path=file) from err


def _parse_json(text: str, file: str) -> object:
    try:
        return json.loads(text, object_pairs_hook=_unique_members)
    except json.JSONDecodeError as err:
        raise CatalogError(
            f"is not valid JSON: {_first_lower(err.msg)} at column {err.colno}",
            path=file,
            lineno=err.lineno,
        ) from err
    except _DuplicateKey as err:
        raise CatalogError(
            f"is not a valid catalog: key {quote(err.key)} appears twice in one object; keep one",
            path=file,
        ) from err
    except RecursionError as err:
        raise CatalogError("is not valid JSON: it nests too deeply", path=file) from err
    except ValueError as err:
        # Python refuses to read an integer of more than 4,300 digits.
        raise CatalogError("is not valid JSON: a number has too many digits", path=file) from err


class _DuplicateKey(Exception):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _unique_members(pairs: list[tuple[str, t.Any]]) -> dict[str, t.Any]:
    # json keeps the last of duplicate keys silently; TOML rejects them, so JSON should too.
    members: dict[str, t.Any] = {}
    for key, value in pairs:
        if key in members:
            raise _DuplicateKey(key)
        members[key] = value
    return members


def _first_lower(text: str) -> str:
    return text[:1].lower() + text[1:]


def _shape(document: object, file: str, kind: str) -> tuple[str | None, dict[str, str]]:
    """Check the parsed file has the catalog shape; return its default and content."""
    allowed = "allowed keys are default, content and parameters"
    if not is_dict(document):
        raise CatalogError(
            f"holds {describe(document)}; a {kind} catalog file is an object with {allowed}",
            path=file,
        )
    unknown = [key for key in document if key not in _FILE_KEYS]
    if unknown:
        noun = "key" if len(unknown) == 1 else "keys"
        raise CatalogError(f"has unknown {noun} {build.listed(unknown)}; {allowed}", path=file)
    default = document.get("default")
    if "default" in document and not is_str(default):
        raise CatalogError(
            f'has a default of {describe(default)}; use a language tag string such as "en-US"',
            path=file,
        )
    if "content" not in document:
        raise CatalogError('has no content; add a content table of language = "text"', path=file)
    content = document["content"]
    if not is_dict(content):
        raise CatalogError(
            f'has content of {describe(content)}; use a table of language = "text"', path=file
        )
    if not content:
        raise CatalogError('has an empty content; add at least one language = "text"', path=file)
    for language, text in content.items():
        if not is_str(text):
            raise CatalogError(
                f"has a text of {describe(text)} for {quote(language)}; texts are strings",
                path=file,
            )
    return default, content
