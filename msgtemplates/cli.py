"""The ``msgtemplates`` command line: argument parsing, reading files and output formats.

:func:`run` never raises, so tests drive it with :class:`io.StringIO`; :func:`main` is the
console entry point. Every check it prints comes from the library (``check_request``,
``check_batch``, ``Catalog``, ``check_response``); this module only says it.

Exit codes: 0 no errors (warnings allowed); 1 errors found; 2 usage errors, inputs that cannot
be read at all, output that cannot be written, and internal errors (a bug: one line naming the
exception, never a traceback).
"""

from __future__ import annotations

import argparse
import collections.abc as cabc
import contextlib
import io
import json
import os
import sys
import time
import typing as t

from . import problems as build
from .batch import check_batch
from .errors import (
    CatalogError,
    MissingParameters,
    MsgTemplatesError,
    RequestInvalid,
    ResponseInvalid,
    TemplateSyntaxError,
    UnknownTemplate,
)
from .problems import Problem, one_line, secret_of
from .responses import check_response, interpret_response
from .validation import check_request

if t.TYPE_CHECKING:
    from .catalog import Catalog, Preview

__all__ = ["build_parser", "main", "run"]

PROG = "msgtemplates"

#: The examples each ``--help`` shows; a test runs every one from the project's top folder.
_EXAMPLES = {
    "check": (
        "msgtemplates check examples/send-request.json --catalog examples/catalog\n"
        "msgtemplates check examples/campaign.jsonl --format json --jobs 2\n"
        "msgtemplates check - < examples/send-request.json\n"
        "msgtemplates check examples/send-request.json --format github --strict"
    ),
    "preview": (
        "msgtemplates preview examples/send-request.json --catalog examples/catalog"
        " --locale zh-HK --locale ms-MY"
    ),
    "render": (
        "msgtemplates render examples/catalog TP_PAYMENT_SUCCESS --language th-TH"
        " -p merchant='Sunrise Coffee' -p amount='THB 120.00' -p time='17 May 10:30'"
    ),
    "lint": "msgtemplates lint examples/catalog --format json",
    "schema": "msgtemplates schema request",
    "explain": (
        """echo '{"result": {"resultCode": "SUCCESS", "resultStatus": "S"}}'"""
        " | msgtemplates explain -"
    ),
}

_EXIT_HELP = (
    "exit status: 0 no errors (warnings allowed), 1 errors found, "
    "2 usage error or an input that cannot be read"
)

_BOM = b"\xef\xbb\xbf"
_BATCH_SUFFIXES = (".jsonl", ".ndjson")
_STDIN_NAME = "<stdin>"
_FORMATS = ("text", "json", "github")
_FLUSH_LINES = 256
_PROGRESS_EVERY = 4096
_PROGRESS_SECONDS = 0.5


# --------------------------------------------------------------------------- the parser


def _version() -> str:
    from importlib import metadata

    try:
        return metadata.version("msgtemplates")
    except metadata.PackageNotFoundError:
        return "unknown (not installed)"


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, got {text!r}")
    return value


def _parameter(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name:
        raise argparse.ArgumentTypeError(f"expected name=value, got {text!r}")
    return name, value


def build_parser() -> argparse.ArgumentParser:
    """Build the argument parser of the ``msgtemplates`` command.

    :returns: a parser with one subcommand each for ``check``, ``preview``, ``render``,
        ``lint``, ``schema`` and ``explain``; ``--help`` shows examples for each.

    >>> build_parser().parse_args(["check", "a.json", "--format", "github"]).format
    'github'
    """
    examples = "\n".join(f"  {line}" for text in _EXAMPLES.values() for line in text.split("\n"))
    parser = argparse.ArgumentParser(
        prog=PROG,
        description=(
            "Validate, render and preview template messages for the Mini Program OpenAPI "
            "POST /v2/customers/message/sendByAccessToken."
        ),
        epilog=f"examples:\n{examples}\n\n{_EXIT_HELP}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        allow_abbrev=False,
    )
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    def command(name: str, summary: str) -> argparse.ArgumentParser:
        example = "\n".join(f"  {line}" for line in _EXAMPLES[name].split("\n"))
        return commands.add_parser(
            name,
            help=summary,
            description=summary[0].upper() + summary[1:] + ".",
            epilog=f"examples:\n{example}\n\n{_EXIT_HELP}",
            formatter_class=argparse.RawDescriptionHelpFormatter,
            allow_abbrev=False,
        )

    def output(sub: argparse.ArgumentParser, *, strict: bool) -> None:
        formats = "text lines (default), JSON Lines, or GitHub Actions annotations"
        sub.add_argument("--format", choices=_FORMATS, default="text", help=formats)
        if strict:
            sub.add_argument("--strict", action="store_true", help="fail (exit 1) on warnings too")

    check = command("check", "check requests (.json) and batches (.jsonl) against the API")
    arg = check.add_argument
    arg("files", nargs="+", metavar="FILE", help="a request, a batch (.jsonl), or - for stdin")
    arg("--catalog", metavar="PATH", help="also check against this catalog")
    output(check, strict=True)
    arg("--jsonl", action="store_true", help="read every FILE (and stdin) as a batch")
    arg("--jobs", type=_positive, default=1, metavar="N", help="check batches in N processes")

    preview = command("preview", "show what users of each locale would see for a request")
    arg = preview.add_argument
    arg("file", metavar="FILE", help="a request (.json), or - for stdin")
    arg("--catalog", metavar="PATH", required=True, help="the catalog")
    arg("--locale", action="append", metavar="TAG", help="a user locale (repeatable)")
    arg("--html", metavar="OUT", help="also write the previews as an HTML page")
    output(preview, strict=False)

    arg = command("render", "render one catalog text with parameters").add_argument
    arg("catalog", metavar="CATALOG", help="a catalog directory or file")
    arg("code", metavar="CODE", help="the templateCode")
    arg("--language", required=True, metavar="TAG", help="the language wanted")
    arg("-p", "--param", dest="params", action="append", type=_parameter, default=[],
        metavar="NAME=VALUE", help="a template parameter (repeatable)")  # fmt: skip

    lint = command("lint", "check a catalog's texts, languages and placeholders")
    lint.add_argument("catalog", metavar="CATALOG", help="a catalog directory or file")
    output(lint, strict=True)

    schema = command("schema", "print the JSON Schema of the request or the response")
    schema.add_argument("which", choices=("request", "response"))

    explain = command("explain", "say what a response means and what to do next")
    explain.add_argument("file", metavar="RESPONSE", help="a response (.json), or - for stdin")
    return parser


# --------------------------------------------------------------------------- running


class _Failed(Exception):
    """An input that cannot be used at all: its one-line message is already written."""


class _OutputFailed(Exception):
    """Standard output cannot be written: the output's problem, never the input's."""

    def __init__(self, error: BaseException):
        super().__init__(error)
        self.error = error


def _reason(error: BaseException) -> str:
    if isinstance(error, OSError) and error.strerror:
        return error.strerror[0].lower() + error.strerror[1:]
    return "it is closed" if isinstance(error, ValueError) else type(error).__name__


def run(
    argv: cabc.Sequence[str],
    stdout: t.TextIO,
    stderr: t.TextIO,
    *,
    stdin: t.BinaryIO | None = None,
) -> int:
    """Run the command line with ``argv`` (without the program name) and return the exit code.

    Never raises and never prints a traceback: usage and input errors become one line on
    ``stderr``; an unexpected exception (a bug) prints one line naming it and exits 2.

    :param argv: the arguments, e.g. ``["check", "request.json"]``.
    :param stdout: where problems and results go.
    :param stderr: where usage errors, unreadable inputs and the progress line go.
    :param stdin: the bytes read for ``-`` (default: the process's standard input).
    :returns: 0 no errors (warnings allowed), 1 errors found, 2 usage error, an unreadable
        input, output that cannot be written or an internal error; 141 when the reader of
        the output went away (a closed pipe), after which nothing more is said.

    >>> import io
    >>> out, err = io.StringIO(), io.StringIO()
    >>> run(["check", "-"], out, err, stdin=io.BytesIO(b" "))
    1
    >>> print(out.getvalue(), end="")
    <stdin>: (root): error: the file is not valid JSON: it is empty [invalidJson]
    1 file, 1 request: 1 error, 0 warnings
    """
    command = PROG
    output = _Output(stdout)
    try:
        parser = build_parser()
        try:
            with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
                args = parser.parse_args(list(argv))
                if args.version:
                    stdout.write(f"{PROG} {_version()}\n")
                    return 0
                if args.command is None:
                    parser.error("the following arguments are required: COMMAND")
                if args.command == "check" and list(args.files).count("-") > 1:
                    parser.error("- (standard input) can be named only once")
        except SystemExit as exit_:
            return exit_.code if isinstance(exit_.code, int) else 2
        command = args.command
        session = _Session(output, stderr, stdin)
        code = t.cast(int, getattr(session, f"cmd_{command}")(args))
        output.flush()
        return code
    except _OutputFailed as failure:
        if isinstance(failure.error, BrokenPipeError):
            # The reader went away (``| head``); there is no one left to tell.
            return 141
        with contextlib.suppress(Exception):
            stderr.write(f"{PROG}: cannot write the output: {_reason(failure.error)}\n")
        return 2
    except Exception as error:
        # The one place a bug becomes a line: its message might quote a request value.
        with contextlib.suppress(Exception):
            stderr.write(
                f"{PROG}: internal error in {command}: {type(error).__name__}; "
                "this is a bug, please report it with the input that caused it\n"
            )
        return 2


def main() -> int:
    """Console entry point: ``run(sys.argv[1:], sys.stdout, sys.stderr)``.

    Text that the terminal cannot encode is written escaped instead of failing; standard
    output that is closed, full or gone is handled as :func:`run` says.

    :returns: the exit code.
    """
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper):
            with contextlib.suppress(Exception):
                stream.reconfigure(errors="backslashreplace")
    if sys.stdout is None:
        with contextlib.suppress(Exception):
            sys.stderr.write(f"{PROG}: cannot write the output: standard output is closed\n")
        return 2
    try:
        code = run(sys.argv[1:], sys.stdout, sys.stderr)
    except KeyboardInterrupt:
        return 130
    if code in (2, 141):
        # Python flushes stdout again at exit; a dead output must not print a warning then.
        with contextlib.suppress(OSError, ValueError, AttributeError):
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
    return code


# --------------------------------------------------------------------------- output


class _Output:
    """Standard output, buffered; any failure to write becomes :class:`_OutputFailed`."""

    __slots__ = ("_buffer", "_stream", "before_write")

    def __init__(self, stream: t.TextIO):
        self._stream = stream
        self._buffer: list[str] = []
        self.before_write: cabc.Callable[[], None] | None = None

    def write(self, text: str) -> None:
        self._buffer.append(text)
        if len(self._buffer) >= _FLUSH_LINES:
            self.flush()

    def flush(self) -> None:
        if self.before_write is not None:
            self.before_write()
        try:
            if self._buffer:
                self._stream.write("".join(self._buffer))
                self._buffer.clear()
            self._stream.flush()
        except (OSError, ValueError) as error:
            self._buffer.clear()
            raise _OutputFailed(error) from None


def _file_name(name: str) -> str:
    """How output names an input file; ``-`` is standard input."""
    return _STDIN_NAME if name == "-" else name


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _github(text: str, *, prop: bool = False) -> str:
    """Escape ``text`` for a GitHub Actions workflow command (data, or a property value)."""
    text = one_line(text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if prop else text


class _Report:
    """Problem lines in the chosen format, with error and warning counts."""

    __slots__ = ("_format", "_out", "errors", "warnings")

    def __init__(self, out: _Output, fmt: str):
        self._out = out
        self._format = fmt
        self.errors = 0
        self.warnings = 0

    @property
    def is_text(self) -> bool:
        return self._format == "text"

    def add(self, file: str, line: int | None, problems: cabc.Iterable[Problem]) -> None:
        """Write ``problems`` of ``file`` (its real name; text output escapes it)."""
        write = self._out.write
        for problem in problems:
            if problem.severity == "error":
                self.errors += 1
            else:
                self.warnings += 1
            if self._format == "json":
                record = {
                    "file": file,
                    "line": line,
                    "path": problem.path,
                    "code": problem.code,
                    "severity": problem.severity,
                    "message": problem.message,
                }
                # ASCII only: a JSON line must stay one line for every line splitter (U+0085
                # and U+2028 end lines for some) and survive any output encoding.
                write(json.dumps(record) + "\n")
            elif self._format == "github":
                where = f"file={_github(file, prop=True)}"
                if line is not None:
                    where += f",line={line}"
                message = f"{problem.message} [{problem.code}]"
                write(f"::{problem.severity} {where}::{_github(message)}\n")
            else:
                place = one_line(file) if line is None else f"{one_line(file)}:{line}"
                path = one_line(problem.path) if problem.path else "(root)"
                write(
                    f"{place}: {path}: {problem.severity}: "
                    f"{one_line(problem.message)} [{problem.code}]\n"
                )

    def text(self, text: str) -> None:
        """Write ``text`` as it is (summaries, previews)."""
        self._out.write(text)

    def counts(self) -> str:
        if not self.errors and not self.warnings:
            return "no problems"
        return f"{_plural(self.errors, 'error')}, {_plural(self.warnings, 'warning')}"

    def status(self, *, strict: bool = False) -> int:
        """1 when errors (or, with ``strict``, warnings) were found, else 0."""
        return 1 if self.errors or (strict and self.warnings) else 0


class _Progress:
    """A progress line on a terminal's standard error (none anywhere else)."""

    def __init__(self, stderr: t.TextIO, name: str):
        self.stderr, self.name, self.shown = stderr, one_line(name), False
        self.start = self.last = time.monotonic()

    def update(self, lines: int) -> None:
        now = time.monotonic()
        if now - self.last >= _PROGRESS_SECONDS:
            self.last, self.shown = now, True
            rate = lines / max(now - self.start, 1e-9)
            self.stderr.write(f"\r\x1b[K{self.name}: {lines:,} lines, {rate:,.0f} lines/s")
            self.stderr.flush()

    def clear(self) -> None:
        if self.shown:
            self.shown = False
            self.stderr.write("\r\x1b[K")
            self.stderr.flush()


def _is_tty(stream: t.TextIO) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):
        return False


def _invalid(reason: str) -> list[Problem]:
    return [build.invalid_json("file", reason)]


def _parse_file(data: bytes) -> tuple[object, list[Problem] | None]:
    """Decode a whole UTF-8 JSON file: ``(value, None)`` or ``(None, [invalidJson problem])``."""

    def constant(name: str) -> t.NoReturn:
        raise ValueError(f"{name} is not a JSON number")

    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        return None, _invalid(f"byte {error.start + 1} is not UTF-8 (requests must be UTF-8 JSON)")
    try:
        return json.loads(text, parse_constant=constant), None
    except json.JSONDecodeError as error:
        detail = error.msg.removesuffix(" at")
        where = f"line {error.lineno}, column {error.colno}"
        return None, _invalid(f"{detail[:1].lower()}{detail[1:]} at {where}")
    except RecursionError:
        return None, _invalid("it nests arrays or objects too deeply to read")
    except ValueError as error:
        if "JSON number" in str(error):
            return None, _invalid(str(error))
        # The only other ValueError the decoder raises: an integer beyond Python's digit limit.
        return None, _invalid("a number has too many digits to read")


# --------------------------------------------------------------------------- commands


class _Session:
    """One run of the command line: its streams and the state shared by its commands."""

    def __init__(self, out: _Output, stderr: t.TextIO, stdin: t.BinaryIO | None):
        self.out = out
        self.stderr = stderr
        self._stdin = stdin
        self.unreadable = 0

    def error(self, message: str) -> None:
        self.out.flush()
        self.stderr.write(f"{PROG}: {message}\n")

    @contextlib.contextmanager
    def open(self, name: str) -> cabc.Iterator[t.BinaryIO]:
        """Open a file (``-``: standard input) as bytes; an unreadable one raises _Failed."""
        if name == "-":
            stdin = self._stdin or getattr(sys.stdin, "buffer", None)
            if stdin is None:
                self._unreadable(_STDIN_NAME, OSError(0, "Standard input is not available"))
            try:
                yield t.cast(t.BinaryIO, stdin)
            except OSError as error:
                self._unreadable(_STDIN_NAME, error)
            return
        try:
            handle = open(name, "rb")  # noqa: SIM115 - closed below, after the caller is done
        except (OSError, ValueError) as error:
            self._unreadable(name, error)
        with handle:
            try:
                yield handle
            except OSError as error:
                self._unreadable(name, error)

    def _unreadable(self, name: str, error: BaseException) -> t.NoReturn:
        if isinstance(error, IsADirectoryError):
            reason = "it is a directory"
        elif isinstance(error, OSError) and error.strerror:
            reason = _reason(error)
        else:
            reason = "the name is not a valid file name"
        self.unreadable += 1
        self.error(f"{one_line(name)}: cannot read: {reason}")
        raise _Failed from None

    def load_catalog(self, path: str) -> Catalog:
        from .catalog import Catalog

        try:
            return Catalog.load(path)
        except CatalogError as error:
            self.error(f"cannot load the catalog: {one_line(str(error))}")
        except (OSError, ValueError) as error:
            self.error(f"cannot load the catalog {one_line(path)}: {type(error).__name__}")
        raise _Failed

    def read_json(self, name: str, report: _Report) -> tuple[bool, object]:
        """Read one JSON document; ``(False, None)`` after reporting why it is not JSON."""
        with self.open(name) as source:
            data = source.read()
        data = data.removeprefix(_BOM)
        if not data.strip():
            problems = _invalid("it is empty")
            report.add(_file_name(name), None, problems)
            return False, None
        payload, invalid = _parse_file(data)
        if invalid is not None:
            report.add(_file_name(name), None, invalid)
            return False, None
        return True, payload

    # ----------------------------------------------------------------- check

    def cmd_check(self, args: argparse.Namespace) -> int:
        report = _Report(self.out, args.format)
        catalog = None
        if args.catalog is not None:
            try:
                catalog = self.load_catalog(args.catalog)
            except _Failed:
                return 2
        files = requests = 0
        for name in args.files:
            try:
                if args.jsonl or name.lower().endswith(_BATCH_SUFFIXES):
                    requests += self.check_batch(name, catalog, report, args.jobs)
                else:
                    ok, payload = self.read_json(name, report)
                    if ok:
                        report.add(_file_name(name), None, check_request(payload, catalog=catalog))
                    requests += 1
            except _Failed:
                continue
            except MsgTemplatesError as error:
                # A worker process died: the batch cannot be trusted, and nor can the rest.
                self.error(f"{one_line(_file_name(name))}: {one_line(str(error))}")
                return 2
            files += 1
        if report.is_text:
            unreadable = f" ({self.unreadable} not readable)" if self.unreadable else ""
            report.text(
                f"{_plural(files + self.unreadable, 'file')}{unreadable}, "
                f"{_plural(requests, 'request')}: {report.counts()}\n"
            )
        if self.unreadable:
            return 2
        return report.status(strict=args.strict)

    def check_batch(self, name: str, catalog: Catalog | None, report: _Report, jobs: int) -> int:
        """Stream one batch through :func:`check_batch`; returns how many requests it held."""
        shown = _file_name(name)
        progress = _Progress(self.stderr, shown) if _is_tty(self.stderr) else None
        self.out.before_write = None if progress is None else progress.clear
        count = 0
        add = report.add
        try:
            with self.open(name) as source:
                for verdict in check_batch(source, catalog=catalog, jobs=jobs):
                    count += 1
                    if verdict.problems:
                        add(shown, verdict.line, verdict.problems)
                    if progress is not None and not count % _PROGRESS_EVERY:
                        progress.update(count)
        finally:
            if progress is not None:
                progress.clear()
            self.out.before_write = None
        return count

    # ----------------------------------------------------------------- preview

    def cmd_preview(self, args: argparse.Namespace) -> int:
        report = _Report(self.out, args.format)
        name = _file_name(args.file)
        try:
            catalog = self.load_catalog(args.catalog)
            ok, payload = self.read_json(args.file, report)
        except _Failed:
            return 2
        if not ok:
            return 1
        locales = list(args.locale or _request_languages(payload))
        previews: list[tuple[str, Preview]] = []
        try:
            for locale in locales:
                previews.append((locale, catalog.preview(payload, user_locale=locale)))
        except RequestInvalid as error:
            report.add(name, None, error.problems)
            return 1
        except UnknownTemplate:
            # check_request words it, with the closest code the catalog holds.
            report.add(name, None, check_request(payload, catalog=catalog))
            return 1
        if not locales:
            report.add(name, None, check_request(payload, catalog=catalog))
            self.error(f"{one_line(name)}: no content template has a language to preview")
            return 1
        # A locale comes from the request's languages or the command line; either may hold the
        # access token, which no output shows (the preview text is masked already).
        secret = secret_of(payload)
        previews = [(_masked(locale, secret), preview) for locale, preview in previews]
        for locale, preview in previews:
            if args.format == "json":
                report.text(_preview_json(name, locale, payload, preview))
                report.errors += sum(p.severity == "error" for p in preview.problems)
                report.warnings += sum(p.severity != "error" for p in preview.problems)
            elif args.format == "github":
                report.add(name, None, preview.problems)
            else:
                report.text(_preview_text(one_line(name), locale, payload, preview))
                report.add(name, None, preview.problems)
                report.text("\n")
        if report.is_text:
            report.text(f"{_plural(len(previews), 'locale')} previewed: {report.counts()}\n")
        if args.html is not None:
            from .preview import render_html

            title = f"{one_line(name)} — msgtemplates preview"
            page = render_html(previews, title=title, payload=payload)
            try:
                with open(args.html, "w", encoding="utf-8", errors="backslashreplace") as out:
                    out.write(page)
            except (OSError, ValueError) as error:
                reason = _reason(error) if isinstance(error, OSError) else "not a valid file name"
                self.error(f"{one_line(args.html)}: cannot write: {reason}")
                return 2
        return report.status()

    # ----------------------------------------------------------------- render

    def cmd_render(self, args: argparse.Namespace) -> int:
        try:
            catalog = self.load_catalog(args.catalog)
        except _Failed:
            return 2
        try:
            rendered = catalog.render(args.code, args.language, dict(args.params))
        except MissingParameters as error:
            names = ", ".join(one_line(name) for name in error.names)
            noun = "parameter" if len(error.names) == 1 else "parameters"
            self.error(f"missing {noun} {names}; pass each as -p NAME=VALUE")
            return 1
        except TemplateSyntaxError as error:
            self.error(
                f"the catalog text is not valid: {one_line(error.message)} "
                f"(line {error.lineno}, column {error.column}); run msgtemplates lint"
            )
            return 1
        except MsgTemplatesError as error:
            self.error(one_line(str(error).split("\n", 1)[0]))
            return 1
        self.out.write(rendered.text + "\n")
        if rendered.fallback:
            self.error(
                f"note: {one_line(args.code)} has no {one_line(args.language)} text; "
                f"rendered its {rendered.language} text"
            )
        return 0

    # ----------------------------------------------------------------- lint

    def cmd_lint(self, args: argparse.Namespace) -> int:
        try:
            catalog = self.load_catalog(args.catalog)
        except _Failed:
            return 2
        report = _Report(self.out, args.format)
        # Catalog.where(pointer) -> (file, line) places each problem at its text.
        where = getattr(catalog, "where", None)
        for problem in catalog.lint():
            file, line = where(problem.path) if where is not None else (None, None)
            report.add(args.catalog if file is None else os.fspath(file), line, [problem])
        if report.is_text:
            texts = sum(len(catalog.languages(code)) for code in catalog.codes)
            report.text(
                f"{_plural(len(catalog.codes), 'template')}, {_plural(texts, 'text')}: "
                f"{report.counts()}\n"
            )
        return report.status(strict=args.strict)

    # ----------------------------------------------------------------- schema

    def cmd_schema(self, args: argparse.Namespace) -> int:
        from .validation import schema_text

        text = schema_text(args.which)
        self.out.write(text if text.endswith("\n") else text + "\n")
        return 0

    # ----------------------------------------------------------------- explain

    def cmd_explain(self, args: argparse.Namespace) -> int:
        report = _Report(self.out, "text")
        name = _file_name(args.file)
        try:
            ok, payload = self.read_json(args.file, report)
        except _Failed:
            return 2
        if not ok:
            return 2
        try:
            outcome = interpret_response(payload)
        except ResponseInvalid as error:
            report.add(name, None, error.problems)
            return 2
        report.add(name, None, check_response(payload))
        report.text(one_line(outcome.action) + "\n")
        return 0 if outcome.status in ("S", "A") else 1


# --------------------------------------------------------------------------- previews


def _request_languages(payload: object) -> list[str]:
    """The string languages of the request's content templates, in order, without repeats."""
    if not isinstance(payload, dict) or not isinstance(payload.get("templates"), list):
        return []
    seen: dict[str, None] = {}
    for item in payload["templates"]:
        if isinstance(item, dict) and isinstance(item.get("language"), str):
            seen.setdefault(item["language"], None)
    return list(seen)


def _masked(text: str, secret: str | None) -> str:
    """``text``, or ``***`` when it holds the access token, as messages mask a quoted value."""
    return "***" if secret and secret in text else text


def _request_language(payload: object, index: int) -> str | None:
    try:
        language = t.cast(t.Any, payload)["templates"][index]["language"]
    except (KeyError, IndexError, TypeError):
        return None
    return _masked(language, secret_of(payload)) if isinstance(language, str) else None


def _preview_text(display: str, locale: str, payload: object, preview: Preview) -> str:
    requested = _request_language(payload, preview.request_index)
    shown = one_line(requested) if requested is not None else "no language"
    used = preview.language if preview.language is not None else "none (no catalog text)"
    lines = [
        f"{display}: a user in {one_line(locale)} sees content template "
        f"{preview.request_index} ({shown}), catalog text {used}:"
    ]
    lines += [f"  | {one_line(line)}" for line in preview.text.split("\n")]
    return "\n".join(lines) + "\n"


def _preview_json(name: str, locale: str, payload: object, preview: Preview) -> str:
    record = {
        "file": name,
        "locale": locale,
        "requestIndex": preview.request_index,
        "requestLanguage": _request_language(payload, preview.request_index),
        "language": preview.language,
        "text": preview.text,
        "problems": [
            {"path": p.path, "code": p.code, "severity": p.severity, "message": p.message}
            for p in preview.problems
        ],
    }
    return json.dumps(record, ensure_ascii=True) + "\n"
