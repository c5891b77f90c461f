"""Translator exchange: a catalog's texts as gettext PO files, and back with placeholders checked.

:func:`export_po` writes one ``<language>.po`` file per language of a catalog (the default
language's included): ``msgctxt`` is the template code, ``msgid`` the text in the template's
default language, ``msgstr`` the text in the file's language (empty where the template has
none), and a comment for the translator (``#.``) lists the placeholders to keep.

:func:`import_po` reads such files back. It checks every translation before it writes anything:
an import that would change a template's placeholders or hold a syntax error is refused with
the problems, and every catalog file stays byte-identical. An import that passes rewrites only
the texts that changed, in place: TOML files through ``tomlkit``, which keeps comments, key
order and layout (``tomllib`` only reads), JSON files by replacing the changed string tokens in
the file's own text, so the rest of the file stays as it was.

Babel's ``babel.messages`` reads and writes the PO files; it and ``tomlkit`` load only when a
function here runs.
"""

from __future__ import annotations

import collections.abc as cabc
import contextlib
import dataclasses
import io
import json
import os
import re
import stat
import tempfile
import typing as t

from . import problems as build
from .errors import CatalogError, TemplateSyntaxError
from .locales import canonical_tag, suggest_tag
from .problems import Problem, escape_pointer, quote
from .template import Template

if t.TYPE_CHECKING:
    from babel.messages.catalog import Catalog as PoCatalog

__all__ = ["export_po", "import_po"]

_SUFFIXES = (".toml", ".json")
_BOM = "\ufeff"
# A language becomes a file name: letters, digits, "-" and "_" only, so no tag can name a path.
_FILE_SAFE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*\Z")
# Babel marks texts that look like Python formats; ${name} is neither, so tools must not check
# the texts as such.
_FORMAT_FLAGS = ("python-format", "python-brace-format")


@dataclasses.dataclass(slots=True)
class _File:
    """One catalog file as read: its text, parsed content, and the changes to write."""

    path: str
    code: str
    kind: str  # "toml" or "json"
    text: str
    bom: bool
    default: str
    content: dict[str, str]
    changes: dict[str, str] = dataclasses.field(default_factory=dict)


def export_po(
    catalog_path: str | os.PathLike[str], out_dir: str | os.PathLike[str], /
) -> list[str]:
    """Write a catalog's texts as one gettext PO file per language, for translators.

    Each file is ``<out_dir>/<language>.po``; languages that differ only in case or ``_``
    share one file, named by the first spelling met. Every template code has one entry in
    every file: ``msgctxt`` the code, ``msgid`` the text in the template's default language
    (its first language when the default has no text), ``msgstr`` the template's text in the
    file's language or empty, and a ``#.`` comment naming the source language and the
    placeholders the translation must keep. ``out_dir`` is made if missing; each file is
    written whole or not at all.

    :param catalog_path: a catalog directory or one catalog file.
    :param out_dir: the directory for the PO files.
    :returns: the paths written, in the order of the catalog's languages.
    :raises CatalogError: the catalog cannot be loaded; a language that cannot be a file
        name; a source text that is empty (PO cannot carry an empty ``msgid``); ``out_dir``
        cannot be written.
    """
    files = _read_catalog(catalog_path)
    languages: dict[str, str] = {}
    for file in files:
        for language in file.content:
            if not _FILE_SAFE.match(language):
                raise CatalogError(
                    f"has language {quote(language)}, which cannot name a PO file; use a tag "
                    'such as "en-US" (see msgtemplates lint)',
                    path=file.path,
                )
            languages.setdefault(_key(language), language)
        source = _source_language(file.default, file.content)
        if not file.content[source]:
            raise CatalogError(
                f"has an empty text in its source language {quote(source)}; PO files cannot "
                "carry an empty msgid, so give the text first",
                path=file.path,
            )
    directory = _path_name(out_dir, "out_dir")
    try:
        os.makedirs(directory, exist_ok=True)
    except OSError as err:
        raise CatalogError(f"cannot make the directory: {_reason(err)}", path=directory) from err
    project = os.path.splitext(os.path.basename(os.path.normpath(_path_name(catalog_path))))[0]
    written: list[str] = []
    for language in languages.values():
        data = _po_bytes(files, language, project)
        target = os.path.join(directory, f"{language}.po")
        _write_atomically(target, data)
        written.append(target)
    return written


def import_po(
    po_dir: str | os.PathLike[str], catalog_path: str | os.PathLike[str], /
) -> list[Problem]:
    """Take translated PO files back into a catalog, or refuse with the problems.

    Reads every ``<language>.po`` file of ``po_dir`` (the language is the file name; ``_`` may
    stand for ``-``). An entry's ``msgctxt`` names the template, its ``msgstr`` the new text;
    an empty, fuzzy or obsolete entry is ignored, so is an entry whose text did not change. A
    language new to a template is added to the end of its content table.

    Before anything is written, every changed template is checked against its source text (the
    text in its default language, as it will be after the import): a translation whose
    placeholders differ from the source's is a ``placeholderMismatch`` error, a text with a
    syntax error a ``templateSyntax`` error, a blank text an ``emptyText`` error, and an entry
    for a code the catalog lacks an ``unknownTemplate`` error; paths are
    ``/<templateCode>/<language>``. With any problem nothing is written and every catalog file
    stays byte-identical. Otherwise each changed file is rewritten atomically (a temporary
    file, then :func:`os.replace`), with only the changed texts differing.

    :param po_dir: the directory of PO files.
    :param catalog_path: the catalog directory or file to update.
    :returns: the problems; empty when the import was written.
    :raises CatalogError: the catalog cannot be loaded or rewritten faithfully; ``po_dir``
        holds no PO file, or one that cannot be read or parsed, that is not named after a
        language tag, that repeats another's language (``zh_CN.po`` and ``zh-CN.po``), or
        that has a translation without ``msgctxt``. Nothing is written then either.
    """
    files = _read_catalog(catalog_path)
    by_code = {file.code: file for file in files}
    problems: list[Problem] = []
    for po_path, tag in _po_files(po_dir):
        for code, text in _translations(po_path):
            file = by_code.get(code)
            if file is None:
                at = f"/{escape_pointer(code)}/{escape_pointer(tag)}"
                problems.append(build.unknown_template(at, code, known=sorted(by_code)))
                continue
            language = _language_in(file, tag)
            if file.content.get(language) != text:
                file.changes.setdefault(language, text)
    for file in files:
        problems.extend(_parity_problems(file))
    if problems:
        return problems
    prepared = [(file.path, _rewrite(file)) for file in files if file.changes]
    _replace_all(prepared)
    return []


def _key(tag: str) -> str:
    return tag.replace("_", "-").lower()


def _path_name(path: object, what: str = "catalog_path") -> str:
    try:
        name = os.fspath(path)  # type: ignore[call-overload]
    except TypeError:
        raise TypeError(f"{what} must be a str or os.PathLike, not {type(path).__name__}") from None
    return os.fsdecode(name)


def _reason(err: OSError) -> str:
    text = err.strerror or "the operating system refused"
    return text[:1].lower() + text[1:]


def _source_language(default: str, content: cabc.Mapping[str, str]) -> str:
    """The language whose text is the msgid: the default where it has a text, else the first."""
    for language in content:
        if _key(language) == _key(default):
            return language
    return next(iter(content))


def _language_in(file: _File, tag: str) -> str:
    """The spelling ``file`` uses for ``tag``, or ``tag`` itself for a language new to it."""
    for language in file.content:
        if _key(language) == _key(tag):
            return language
    return tag


# ---------------------------------------------------------------------------- reading catalogs


def _read_catalog(catalog_path: object) -> list[_File]:
    """Every file of a catalog, checked by :meth:`Catalog.load` first, in code order."""
    from .catalog import Catalog

    name = _path_name(catalog_path)
    Catalog.load(name)  # the one judge of a catalog's shape: raises CatalogError
    if stat.S_ISDIR(os.stat(name).st_mode):
        paths = [
            os.path.join(name, entry)
            for entry in sorted(os.listdir(name))
            if not entry.startswith(".") and os.path.splitext(entry)[1] in _SUFFIXES
        ]
    else:
        paths = [name]
    return [_read_file(path) for path in paths]


def _read_file(path: str) -> _File:
    try:
        with open(path, "rb") as stream:
            text = stream.read().decode("utf-8")
    except (OSError, UnicodeDecodeError) as err:
        # Catalog.load read it a moment ago; it changed under us.
        raise CatalogError("cannot read the file again", path=path) from err
    bom = text.startswith(_BOM)
    body = text[1:] if bom else text
    kind = "toml" if path.endswith(".toml") else "json"
    if kind == "toml":
        import tomllib

        document: dict[str, t.Any] = tomllib.loads(body)
    else:
        document = json.loads(body)
    content = dict(document["content"])
    default = document.get("default", next(iter(content)))
    code = os.path.splitext(os.path.basename(path))[0]
    return _File(path, code, kind, body, bom, default, content)


# ---------------------------------------------------------------------------- PO files


def _po_bytes(files: cabc.Sequence[_File], language: str, project: str) -> bytes:
    from babel.messages.catalog import Catalog as PoCatalog
    from babel.messages.pofile import write_po

    po = PoCatalog(
        # The tag as gettext spells it (zh_HK); Babel keeps an identifier it does not know.
        locale=language.replace("-", "_"),
        project=project,
        header_comment=(
            f"# Texts in {language} from the msgtemplates catalog {project!r}.\n"
            "# Translate each msgstr and keep every ${placeholder} of its msgid;\n"
            "# msgctxt is the template code. Bring the file back with msgtemplates import."
        ),
    )
    for file in files:
        source = _source_language(file.default, file.content)
        source_text = file.content[source]
        own = next(
            (text for lang, text in file.content.items() if _key(lang) == _key(language)), ""
        )
        try:
            names = Template(source_text).placeholders
            keep = ", ".join(f"${{{name}}}" for name in names) if names else "none"
        except TemplateSyntaxError:
            keep = "unknown: the source text has a syntax error (see msgtemplates lint)"
        message = po.add(
            source_text,
            own,
            context=file.code,
            auto_comments=[f"source language: {source}", f"placeholders: {keep}"],
        )
        for flag in _FORMAT_FLAGS:
            message.flags.discard(flag)
    buffer = io.BytesIO()
    write_po(buffer, po, width=76, no_location=True)
    return buffer.getvalue()


def _po_files(po_dir: object) -> list[tuple[str, str]]:
    """``(path, language tag)`` of every ``.po`` file of a directory, sorted by name."""
    directory = _path_name(po_dir, "po_dir")
    try:
        names = sorted(os.listdir(directory))
    except OSError as err:
        raise CatalogError(f"cannot list the PO directory: {_reason(err)}", path=directory) from err
    found: list[tuple[str, str]] = []
    seen: dict[str, str] = {}
    for name in names:
        if not name.endswith(".po") or name.startswith("."):
            continue
        path = os.path.join(directory, name)
        stem = name[: -len(".po")]
        tag = canonical_tag(stem) or suggest_tag(stem)
        if tag is None:
            raise CatalogError(
                'is not named after a language tag; name it <language>.po, such as "en-US.po"',
                path=path,
            )
        earlier = seen.setdefault(_key(tag), name)
        if earlier != name:
            raise CatalogError(
                f"is for the same language as {quote(earlier)}; keep one of the two", path=path
            )
        found.append((path, tag))
    if not found:
        raise CatalogError(
            "holds no PO files; export them first with msgtemplates export", path=directory
        )
    return found


def _translations(po_path: str) -> list[tuple[str, str]]:
    """``(template code, text)`` of each translated entry that is neither fuzzy nor obsolete."""
    po = _read_po(po_path)
    found: list[tuple[str, str]] = []
    seen: set[str] = set()
    for message in po:
        if not message.id or message.fuzzy:
            continue  # the header, or a translation its translator does not stand by
        text = message.string
        if not isinstance(text, str) or not text:
            continue  # untranslated (a plural entry is never ours)
        code = message.context
        if code is None:
            raise CatalogError(
                f"has a translation of {quote(str(message.id))} without msgctxt; each entry "
                "names its template code in msgctxt, as msgtemplates export writes it",
                path=po_path,
                lineno=message.lineno,
            )
        if code in seen:
            continue  # the first entry of a code wins, as gettext's own tools keep it
        seen.add(code)
        found.append((code, text))
    return found


def _read_po(po_path: str) -> PoCatalog:
    from babel.messages.pofile import PoFileError, read_po

    try:
        with open(po_path, "rb") as stream:
            return read_po(stream, ignore_obsolete=True, abort_invalid=True)
    except OSError as err:
        raise CatalogError(f"cannot read the PO file: {_reason(err)}", path=po_path) from err
    except PoFileError as err:
        lineno = getattr(err, "lineno", None)
        raise CatalogError(
            f"is not a valid PO file: {str(err).splitlines()[0][:200]}",
            path=po_path,
            lineno=lineno if isinstance(lineno, int) else None,
        ) from err
    except (UnicodeDecodeError, LookupError) as err:
        raise CatalogError(
            "is not a valid PO file: its text does not match its declared charset; save it as "
            "UTF-8",
            path=po_path,
        ) from err


# ---------------------------------------------------------------------------- checks


def _parity_problems(file: _File) -> list[Problem]:
    """The problems of a template's changed texts, judged against its source text."""
    if not file.changes:
        return []
    after = {**file.content, **file.changes}
    source = _source_language(file.default, after)
    base = "/" + escape_pointer(file.code)
    problems: list[Problem] = []
    parsed: dict[str, Template] = {}
    for language, text in file.changes.items():
        at = f"{base}/{escape_pointer(language)}"
        if not text.strip():
            problems.append(build.empty_text(at))
            continue
        try:
            parsed[language] = Template(text)
        except TemplateSyntaxError as err:
            problems.append(
                build.template_syntax(
                    at, err.lineno, err.column, err.message, language=language, code=file.code
                )
            )
    if problems:
        return problems
    try:
        wanted = Template(after[source]).placeholders
    except TemplateSyntaxError:
        return []  # a source with a syntax error: lint reports it, and no parity can be judged
    # When the source text changes, every language of the template must follow it.
    judged = after if source in file.changes else file.changes
    for language, text in judged.items():
        if language == source:
            continue
        template = parsed.get(language)
        if template is None:
            try:
                template = Template(text)
            except TemplateSyntaxError:
                continue  # an old text's syntax error is lint's to report
        have = template.placeholders
        extra = [name for name in have if name not in wanted]
        lacking = [name for name in wanted if name not in have]
        if extra or lacking:
            at = f"{base}/{escape_pointer(language)}"
            problems.append(
                build.placeholder_mismatch(at, extra=extra, lacking=lacking, severity="error")
            )
    return problems


# ---------------------------------------------------------------------------- writing


def _rewrite(file: _File) -> bytes:
    """The new bytes of a file: the old text with only the changed texts replaced.

    A TOML text keeps its string style (literal, multi-line) and the file its line endings
    where the new text allows; each candidate is read back and must give exactly the intended
    content, else the next, plainer one is tried.
    """
    expected = (file.default, {**file.content, **file.changes})
    if file.kind == "toml":
        tries = ((True, True), (False, True), (False, False))
        candidates: cabc.Iterable[str] = (
            _rewrite_toml(file.text, file.changes, keep_style=style, keep_endings=endings)
            for style, endings in tries
        )
    else:
        candidates = [_rewrite_json(file.text, file.changes)]
    for text in candidates:
        if _content_of(text, file.kind) == expected:
            return ((_BOM if file.bom else "") + text).encode("utf-8")
    raise CatalogError("could not be rewritten faithfully; nothing was imported", path=file.path)


def _content_of(text: str, kind: str) -> tuple[object, object] | None:
    """The default and content a rewritten file gives, or ``None`` if it no longer parses."""
    import tomllib

    try:
        document: dict[str, t.Any] = tomllib.loads(text) if kind == "toml" else json.loads(text)
        content: dict[str, str] = document["content"]
        return document.get("default", next(iter(content))), content
    except (ValueError, KeyError, TypeError, StopIteration):
        return None


def _rewrite_toml(
    text: str, changes: cabc.Mapping[str, str], *, keep_style: bool, keep_endings: bool
) -> str:
    import tomlkit
    from tomlkit.items import KeyType, SingleKey, String, StringType

    document = tomlkit.parse(text)
    content = t.cast("t.Any", document["content"])
    for language, new in changes.items():
        if language not in content:
            content.append(SingleKey(language, t=KeyType.Basic), tomlkit.string(new))
            continue
        old = content[language]
        kind = old.type if isinstance(old, String) and keep_style else StringType.SLB
        multiline = kind in (StringType.MLB, StringType.MLL)
        literal = kind in (StringType.SLL, StringType.MLL) and _literal_ok(new, multiline)
        item = tomlkit.string(new, literal=literal, multiline=multiline)
        # The line's own comment and spacing stay with the new value.
        item.trivia.indent = old.trivia.indent
        item.trivia.comment_ws = old.trivia.comment_ws
        item.trivia.comment = old.trivia.comment
        item.trivia.trail = old.trivia.trail
        content[language] = item
    result = tomlkit.dumps(document)
    crlf = "\r\n" in text and "\n" not in text.replace("\r\n", "")
    if crlf and keep_endings:
        # Lines tomlkit adds end in LF; a CRLF file keeps CRLF throughout.
        result = result.replace("\r\n", "\n").replace("\n", "\r\n")
    return result


def _literal_ok(text: str, multiline: bool) -> bool:
    """Whether a TOML literal string (no escapes) can hold ``text``."""
    delimiter = "'''" if multiline else "'"
    if delimiter in text:
        return False
    allowed = "\t\n" if multiline else "\t"
    return not any((ord(c) < 0x20 and c not in allowed) or ord(c) == 0x7F for c in text)


def _rewrite_json(text: str, changes: cabc.Mapping[str, str]) -> str:
    """Replace the changed strings of the ``content`` object in the file's own text."""
    spans, insert_at, separator, indent = _json_content_spans(text)
    ascii_only = text.isascii()
    pieces: list[tuple[int, int, str]] = []
    added: list[str] = []
    for language, new in changes.items():
        encoded = json.dumps(new, ensure_ascii=ascii_only)
        if language in spans:
            start, end = spans[language]
            pieces.append((start, end, encoded))
        else:
            key = json.dumps(language, ensure_ascii=ascii_only)
            added.append(f",{indent}{key}{separator}{encoded}")
    if added:
        pieces.append((insert_at, insert_at, "".join(added)))
    for start, end, replacement in sorted(pieces, reverse=True):
        text = text[:start] + replacement + text[end:]
    return text


def _json_content_spans(text: str) -> tuple[dict[str, tuple[int, int]], int, str, str]:
    """Where each text of ``content`` stands in a JSON catalog file's text.

    :returns: ``{language: (start, end)}`` of each value's string token; the offset just after
        the last member (where a new member goes); the text between a key and its value
        (``": "``); the whitespace before a member's key (``"\\n    "``).
    """
    decoder = json.JSONDecoder()
    whitespace = re.compile(r"[ \t\n\r]*")

    def skip(at: int) -> int:
        match = whitespace.match(text, at)
        assert match is not None  # the pattern matches the empty string
        return match.end()

    def members(start: int) -> cabc.Iterator[tuple[str, int, int, int, int]]:
        """``(key, key start, value start, value end, key end)`` of an object's members."""
        at = skip(start + 1)
        if text[at] == "}":
            return
        while True:
            key_start = at
            key, at = decoder.raw_decode(text, at)
            key_end = at
            at = skip(skip(at) + 1)  # past ":"
            value_start = at
            _, at = decoder.raw_decode(text, at)
            yield key, key_start, value_start, at, key_end
            at = skip(at)
            if text[at] == "}":
                return
            at = skip(at + 1)  # past ","

    top = skip(0)
    for key, _, value_start, _, _ in members(top):
        if key == "content":
            spans: dict[str, tuple[int, int]] = {}
            insert_at, separator, indent = value_start + 1, ": ", ""
            previous_end = value_start + 1
            for language, key_start, start, end, key_end in members(value_start):
                spans[language] = (start, end)
                separator = text[key_end:start]
                lead = text[previous_end:key_start]
                indent = lead[lead.index(",") + 1 :] if "," in lead else lead
                insert_at = previous_end = end
            return spans, insert_at, separator, indent
    raise ValueError("no content object")  # Catalog.load checked the file has one


def _replace_all(prepared: cabc.Sequence[tuple[str, bytes]]) -> None:
    """Write every file to a temporary sibling first, then move each into place."""
    temporaries: list[tuple[str, str]] = []
    try:
        for path, data in prepared:
            temporaries.append((_temporary(path, data), path))
    except BaseException:
        for temporary, _ in temporaries:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
        raise
    for temporary, path in temporaries:
        os.replace(temporary, path)


def _write_atomically(path: str, data: bytes) -> None:
    os.replace(_temporary(path, data), path)


def _temporary(path: str, data: bytes) -> str:
    """A temporary file beside ``path`` holding ``data``, with ``path``'s permissions."""
    directory = os.path.dirname(path) or "."
    try:
        mode = stat.S_IMODE(os.stat(path).st_mode)
    except OSError:
        mode = 0o644
    try:
        descriptor, temporary = tempfile.mkstemp(
            prefix=f".{os.path.basename(path)}.", suffix=".tmp", dir=directory
        )
    except OSError as err:
        raise CatalogError(f"cannot write beside the file: {_reason(err)}", path=path) from err
    try:
        with os.fdopen(descriptor, "wb") as stream:
            stream.write(data)
        os.chmod(temporary, mode)
    except OSError as err:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise CatalogError(f"cannot write the file: {_reason(err)}", path=path) from err
    return temporary
