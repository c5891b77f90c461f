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

from .batch import check_batch, parse_request
from .errors import CatalogError, MissingParameters, MsgTemplatesError, ResponseInvalid
from .problems import Problem, one_line
from .validation import check_request, schema_text

if t.TYPE_CHECKING:
    from .catalog import Catalog

__all__ = ["build_parser", "main", "run"]

PROG = "msgtemplates"

_EXIT_HELP = (
    "exit status: 0 no errors (warnings allowed), 1 errors found, "
    "2 usage error or an input that cannot be read"
)

_BATCH_SUFFIXES = (".jsonl", ".ndjson")
_BATCH_HINT = "holds one JSON value per line: to check it as a batch, pass --jsonl"
_STDIN_NAME = "<stdin>"
_FORMATS = ("text", "json", "github")
_FLUSH_LINES = 256
_PROGRESS_EVERY = 4096
_PROGRESS_SECONDS = 0.5


# --------------------------------------------------------------------------- the parser


def _version() -> str:
    from importlib import metadata

    with contextlib.suppress(metadata.PackageNotFoundError):
        return metadata.version("msgtemplates")
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


#: The subcommands, in the order --help lists them.
_COMMANDS = (
    "check",
    "preview",
    "render",
    "lint",
    "schema",
    "explain",
    "send",
    "fake-wallet",
    "export",
    "import",
)


def _help(name: str) -> tuple[str, list[str]]:
    """A subcommand's summary and examples: the first line and the rest of its docstring.

    Each command's docstring is its ``--help``: the examples there are the ones shown, and a
    test runs every one of them from the project's top folder.
    """
    doc = getattr(_Session, f"cmd_{name.replace('-', '_')}").__doc__ or name
    summary, *examples = [line.strip() for line in doc.strip().splitlines()]
    return summary, [line for line in examples if line]


class _Formatter(argparse.RawDescriptionHelpFormatter):
    """argparse's layout, at the width it takes from ``shutil.get_terminal_size`` (``COLUMNS``,
    else the terminal's, else 80), found without importing shutil: its archive modules would
    cost a one-file check more start-up time than building every subcommand does."""

    def __init__(self, prog: str) -> None:
        width = 0
        with contextlib.suppress(KeyError, ValueError):
            width = int(os.environ["COLUMNS"])
        with contextlib.suppress(AttributeError, ValueError, OSError):
            if width <= 0:  # sys.__stdout__ may be None (AttributeError), as shutil allows
                width = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
        super().__init__(prog, width=(width if width > 0 else 80) - 2)


class _Unbuilt:
    """A subcommand this run does not need: the arguments given to it are not built."""

    def add_argument(self, *args: object, **kwargs: object) -> None:
        """Build nothing."""


def build_parser(*, only: str | None = None) -> argparse.ArgumentParser:
    """Build the argument parser of the ``msgtemplates`` command.

    :param only: build this subcommand alone (the others cost start-up time and are of no
        use to arguments that begin with its name); ``None`` builds them all.
    :returns: a parser with one subcommand each for ``check``, ``preview``, ``render``,
        ``lint``, ``schema`` and ``explain``; ``--help`` shows examples for each.

    >>> build_parser().parse_args(["check", "a.json", "--format", "github"]).format
    'github'
    >>> build_parser(only="lint").parse_args(["lint", "catalog"]).catalogs
    ['catalog']
    """
    everything = [line for name in _COMMANDS for line in _help(name)[1]]
    examples = "\n".join(f"  {line}" for line in everything)
    parser = argparse.ArgumentParser(
        prog=PROG,
        description=(
            "Validate, render and preview template messages for the Mini Program OpenAPI "
            "POST /v2/customers/message/sendByAccessToken."
        ),
        epilog=f"examples:\n{examples}\n\n{_EXIT_HELP}",
        formatter_class=_Formatter,
        allow_abbrev=False,
    )
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    def command(name: str) -> argparse.ArgumentParser | _Unbuilt:
        if only is not None and name != only:
            return _Unbuilt()
        summary, lines = _help(name)
        example = "\n".join(f"  {line}" for line in lines)
        return commands.add_parser(
            name,
            help=summary,
            description=summary[0].upper() + summary[1:] + ".",
            epilog=f"examples:\n{example}\n\n{_EXIT_HELP}",
            formatter_class=_Formatter,
            allow_abbrev=False,
        )

    def output(sub: argparse.ArgumentParser | _Unbuilt, *, strict: bool) -> None:
        formats = "text lines (default), JSON Lines, or GitHub Actions annotations"
        sub.add_argument("--format", choices=_FORMATS, default="text", help=formats)
        if strict:
            sub.add_argument("--strict", action="store_true", help="fail (exit 1) on warnings too")

    check = command("check")
    arg = check.add_argument
    arg("files", nargs="+", metavar="FILE", help="a request, a batch (.jsonl), or - for stdin")
    arg("--catalog", metavar="PATH", help="also check against this catalog")
    output(check, strict=True)
    arg("--jsonl", action="store_true", help="read every FILE (and stdin) as a batch")
    arg("--jobs", type=_positive, default=1, metavar="N", help="check batches in N processes")

    def typed(sub: argparse.ArgumentParser | _Unbuilt) -> None:
        sub.add_argument("-p", "--param", dest="params", action="append", type=_parameter,
            default=[], metavar="NAME=VALUE", help="a parameter, typed as declared (amount=38.00:HKD)")  # fmt: skip  # noqa: E501
        sub.add_argument("--tz", metavar="ZONE", help="show dates and times in this zone (default: as typed)")  # fmt: skip  # noqa: E501

    preview = command("preview")
    arg = preview.add_argument
    arg("file", metavar="FILE", help="a request (.json), or - for stdin")
    arg("--catalog", metavar="PATH", required=True, help="the catalog")
    arg("--locale", action="append", metavar="TAG", help="a user locale (repeatable)")
    arg("--html", metavar="OUT", help="also write the previews as an HTML page")
    typed(preview)
    output(preview, strict=False)

    render = command("render")
    arg = render.add_argument
    arg("catalog", metavar="CATALOG", help="a catalog directory or file")
    arg("code", metavar="CODE", help="the templateCode")
    arg("--language", required=True, metavar="TAG", help="the language wanted")
    typed(render)

    lint = command("lint")
    arg = lint.add_argument
    arg("catalogs", nargs="+", metavar="CATALOG", help="a catalog directory or file")
    output(lint, strict=True)

    arg = command("send").add_argument
    arg("file", metavar="FILE", help="a request (.json) or a campaign (.jsonl)")
    for option in ("--base-url", "--client-id", "--private-key", "--wallet-public-key"):
        arg(option, required=True, metavar=option[2:].split("-")[-1].upper())
    arg("--key-version", type=_positive, default=1, metavar="N", help="the key's version")
    arg("--rate", type=float, metavar="N", help="at most N requests a second")
    arg("--ledger", metavar="FILE", help="the ledger of outcomes (default: FILE.ledger)")
    arg("--catalog", metavar="PATH", help="also check each request against this catalog")

    arg = command("fake-wallet").add_argument
    arg("--port", type=int, default=0, metavar="N", help="the port (default: a free one)")
    arg("--merchant-public-key", required=True, metavar="PEM", help="the merchant's key")
    arg("--key-out", metavar="PATH", help="where to write the wallet's public key")
    arg("--client-id", metavar="ID", help="the only Client-Id to accept")
    arg("--for", dest="seconds", type=float, metavar="SECONDS", help="stop after SECONDS")

    arg = command("export").add_argument
    arg("catalog", metavar="CATALOG", help="a catalog directory or file")
    arg("--po", required=True, metavar="DIR", help="where to write one PO file per language")

    arg = command("import").add_argument
    arg("po", metavar="DIR", help="the folder of PO files")
    arg("--into", required=True, metavar="CATALOG", help="the catalog to update")

    schema = command("schema")
    schema.add_argument("which", choices=("request", "response"))

    explain = command("explain")
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
        # Arguments that begin with a subcommand's name need that subcommand alone.
        parser = build_parser(only=argv[0] if argv and argv[0] in _COMMANDS else None)
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
        code = t.cast(int, getattr(session, f"cmd_{command.replace('-', '_')}")(args))
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
        for problem in self.count(problems):
            if self._format == "json":
                # ASCII only: a JSON line must stay one line for every line splitter (U+0085
                # and U+2028 end lines for some) and survive any output encoding.
                write(json.dumps({"file": file, "line": line, **problem.as_dict()}) + "\n")
            elif self._format == "github":
                where = f"file={_github(file, prop=True)}"
                if line is not None:
                    where += f",line={line}"
                message = f"{problem.message} [{problem.code}]"
                write(f"::{problem.severity} {where}::{_github(message)}\n")
            else:
                # str(problem) is the library's own line: PATH: SEVERITY: message [code].
                place = one_line(file) if line is None else f"{one_line(file)}:{line}"
                write(f"{place}: {problem}\n")

    def count(self, problems: cabc.Iterable[Problem]) -> list[Problem]:
        """Count ``problems`` as errors and warnings; returns them as a list."""
        found = list(problems)
        errors = sum(problem.severity == "error" for problem in found)
        self.errors, self.warnings = self.errors + errors, self.warnings + len(found) - errors
        return found

    def text(self, text: str) -> None:
        """Write ``text`` as it is (summaries, previews)."""
        self._out.write(text)

    def counts(self, *, read: int | None = None) -> str:
        # With files left unread (``read`` counts the others), a bare "no problems" would pass.
        if not self.errors and not self.warnings:
            return "no problems" + ("" if read is None else f" in the {_plural(read, 'file')} read")
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
        try:
            if name == "-":
                stdin = self._stdin or getattr(sys.stdin, "buffer", None)
                if stdin is None:
                    raise OSError(0, "Standard input is not available")
                handle: t.ContextManager[t.BinaryIO] = contextlib.nullcontext(stdin)
            else:
                handle = open(name, "rb")  # noqa: SIM115 - closed below, after the caller is done
        except (OSError, ValueError) as error:
            self._unreadable(_file_name(name), error)
        with handle as source:
            try:
                yield source
            except OSError as error:
                self._unreadable(_file_name(name), error)

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
        except (CatalogError, OSError, ValueError) as error:
            # A CatalogError names the file; anything else is named, never quoted.
            named = isinstance(error, CatalogError)
            what = str(error) if named else f"{path}: {type(error).__name__}"
            self.error(f"cannot load the catalog: {one_line(what)}")
        raise _Failed

    def read(self, name: str) -> bytes:
        with self.open(name) as source:
            return source.read()

    def read_json(self, name: str, report: _Report) -> tuple[bool, object]:
        """Read one JSON document; ``(False, None)`` after reporting why it is not JSON."""
        payload, invalid = parse_request(data := self.read(name))
        if invalid is not None:
            report.add(shown := _file_name(name), None, [invalid])
            first, _, rest = data.lstrip().partition(b"\n")
            if rest.strip() and parse_request(first)[1] is None:  # a batch read as one request
                self.error(f"{one_line(shown)} {_BATCH_HINT}")
            return False, None
        return True, payload

    # ----------------------------------------------------------------- check

    def cmd_check(self, args: argparse.Namespace) -> int:
        """check requests (.json) and batches (.jsonl) against the API

        msgtemplates check examples/send-request.json --catalog examples/catalog
        msgtemplates check examples/campaign.jsonl --format json --jobs 2
        msgtemplates check - < examples/send-request.json
        msgtemplates check examples/send-request.json --format github --strict
        """
        report = _Report(self.out, args.format)
        try:
            catalog = None if args.catalog is None else self.load_catalog(args.catalog)
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
            found = report.counts(read=files if self.unreadable else None)
            report.text(
                f"{_plural(files + self.unreadable, 'file')}{unreadable}, "
                f"{_plural(requests, 'request')}: {found}\n"
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
        """show what users of each locale would see for a request

        msgtemplates preview examples/send-request.json --catalog examples/catalog --locale zh-HK --locale ms-MY
        msgtemplates preview examples/send-request.json --catalog examples/catalog -p amount=38.00:HKD -p time=2024-05-17T10:30+08:00 --tz Asia/Hong_Kong
        """  # noqa: E501
        from .compose import fill_request
        from .preview import preview_all, preview_record, preview_text, write_html

        report = _Report(self.out, args.format)
        name = _file_name(args.file)
        try:
            catalog = self.load_catalog(args.catalog)
            ok, payload = self.read_json(args.file, report)
            if not ok:
                return 1
            payload = fill_request(catalog, payload, dict(args.params), tz=args.tz)
            previews = preview_all(catalog, payload, args.locale)
        except _Failed:
            return 2
        except (MsgTemplatesError, ValueError) as error:
            self.error(one_line(str(error).split("\n", 1)[0]))
            return 1
        if not previews:
            # Too broken to preview: check_request says why, in its words.
            report.add(name, None, check_request(payload, catalog=catalog))
            self.error(f"{one_line(name)}: no content template could be previewed")
            return 1
        for locale, preview in previews:
            if args.format == "json":
                report.text(preview_record(name, locale, payload, preview))
                report.count(preview.problems)
            else:  # text: the preview, its problems and a blank line; github: the problems
                report.text(preview_text(name, locale, payload, preview) if report.is_text else "")
                report.add(name, None, preview.problems)
                report.text("\n" if report.is_text else "")
        if report.is_text:
            report.text(f"{_plural(len(previews), 'locale')} previewed: {report.counts()}\n")
        if args.html is not None:
            try:
                write_html(args.html, previews, name=name, payload=payload)
            except (OSError, ValueError) as error:
                reason = _reason(error) if isinstance(error, OSError) else "not a valid file name"
                self.error(f"{one_line(args.html)}: cannot write: {reason}")
                return 2
        return report.status()

    # ----------------------------------------------------------------- render

    def cmd_render(self, args: argparse.Namespace) -> int:
        """render one catalog text with parameters

        msgtemplates render examples/catalog TP_PAYMENT_SUCCESS --language th-TH -p merchant='Sunrise Coffee' -p amount=165.00:THB -p time=2024-05-17T10:30+07:00
        """  # noqa: E501
        from .compose import render_typed

        try:
            catalog = self.load_catalog(args.catalog)
            params, tz = dict(args.params), args.tz
            rendered = render_typed(catalog, args.code, args.language, params, tz=tz)
        except _Failed:
            return 2
        except MissingParameters as error:
            self.error(f"{one_line(str(error))}; pass each as -p NAME=VALUE")
            return 1
        except (MsgTemplatesError, ValueError) as error:
            self.error(one_line(str(error).split("\n", 1)[0]))
            return 1
        self.out.write(rendered.text + "\n")
        if rendered.fallback:
            shown = f"{one_line(args.code)} has no {one_line(args.language)} text"
            self.error(f"note: {shown}; rendered its {rendered.language} text")
        return 0

    # ----------------------------------------------------------------- lint

    def cmd_lint(self, args: argparse.Namespace) -> int:
        """check a catalog's texts, languages and placeholders

        msgtemplates lint examples/catalog --format json
        msgtemplates lint examples/catalog/TP_REFUND_DONE.toml examples/catalog/TP_ORDER_SHIPPED.toml
        """  # noqa: E501
        report = _Report(self.out, args.format)
        templates = texts = 0
        for path in args.catalogs:
            try:
                catalog = self.load_catalog(path)
            except _Failed:
                return 2
            for problem in catalog.lint():
                # Each problem stands at its text's line in the catalog file.
                file, line = catalog.where(problem.path)
                report.add(path if file is None else os.fspath(file), line, [problem])
            templates += len(catalog.codes)
            texts += sum(len(catalog.languages(code)) for code in catalog.codes)
        if report.is_text:
            summary = f"{_plural(templates, 'template')}, {_plural(texts, 'text')}"
            report.text(f"{summary}: {report.counts()}\n")
        return report.status(strict=args.strict)

    # ----------------------------------------------------------------- send

    def cmd_send(self, args: argparse.Namespace) -> int:
        """send requests, signed, with retries and a ledger

        msgtemplates fake-wallet --port 8765 --merchant-public-key examples/keys/merchant-public.pem --key-out /tmp/msgtemplates-wallet.pem --for 6 & sleep 3 && msgtemplates send examples/send-request.json --base-url http://127.0.0.1:8765 --client-id demo --private-key examples/keys/merchant.pem --wallet-public-key /tmp/msgtemplates-wallet.pem --ledger /tmp/msgtemplates-demo.ledger
        """  # noqa: E501
        from .errors import SignatureInvalid
        from .ledger import send_file

        try:
            keys = self.read(args.private_key), self.read(args.wallet_public_key)
            catalog = None if args.catalog is None else self.load_catalog(args.catalog)
        except _Failed:
            return 2
        progress = _Progress(self.stderr, args.file) if _is_tty(self.stderr) else None
        try:
            summary = send_file(
                args.file,
                base_url=args.base_url,
                client_id=args.client_id,
                private_key=keys[0],
                wallet_public_key=keys[1],
                key_version=args.key_version,
                rate=args.rate,
                ledger_path=args.ledger,
                catalog=catalog,
                progress=None if progress is None else lambda done, *_: progress.update(done),
            )
        except (OSError, SignatureInvalid, TypeError, ValueError) as error:
            reason = _reason(error) if isinstance(error, OSError) else one_line(str(error))
            self.error(f"{one_line(args.file)}: not sent: {reason}")
            return 2
        finally:
            if progress is not None:
                progress.clear()
        kinds = ("succeeded", "accepted", "failed", "pending", "invalid", "skipped")
        counts = ", ".join(f"{getattr(summary, kind)} {kind}" for kind in kinds)
        self.out.write(f"{one_line(args.file)}: {_plural(summary.total, 'request')}: {counts}\n")
        return 0 if summary.complete and not summary.failed else 1

    def cmd_fake_wallet(self, args: argparse.Namespace) -> int:
        """run a fake wallet on 127.0.0.1 for integration tests

        msgtemplates fake-wallet --merchant-public-key examples/keys/merchant-public.pem --key-out /tmp/msgtemplates-wallet.pem --for 1
        """  # noqa: E501
        import threading

        from .fakewallet import serve_forever

        try:
            key = self.read(args.merchant_public_key)
        except _Failed:
            return 2
        stop = threading.Event()
        if args.seconds is not None:
            timer = threading.Timer(args.seconds, stop.set)
            timer.daemon = True
            timer.start()
        try:
            serve_forever(
                args.port,
                key,
                key_out=args.key_out,
                client_id=args.client_id,
                stdout=t.cast("t.TextIO", self.out),
                stop=stop,
            )
        except (OSError, TypeError, ValueError) as error:
            self.error(f"cannot run the fake wallet: {one_line(str(error))}")
            return 2
        return 0

    # ----------------------------------------------------------------- PO files

    def cmd_export(self, args: argparse.Namespace) -> int:
        """write a catalog's texts as gettext PO files, one per language

        msgtemplates export examples/catalog --po /tmp/msgtemplates-po
        """
        from .po import export_po

        try:
            written = export_po(args.catalog, args.po)
        except (CatalogError, OSError) as error:
            self.error(f"cannot export: {one_line(str(error))}")
            return 2
        self.out.write("".join(one_line(os.fspath(path)) + "\n" for path in written))
        return 0

    def cmd_import(self, args: argparse.Namespace) -> int:
        """take translated PO files back into a catalog

        msgtemplates export examples/catalog --po /tmp/msgtemplates-po && msgtemplates import /tmp/msgtemplates-po --into examples/catalog
        """  # noqa: E501
        from .po import import_po

        report = _Report(self.out, "text")
        try:
            problems = import_po(args.po, args.into)
        except (CatalogError, OSError) as error:
            self.error(f"cannot import: {one_line(str(error))}")
            return 2
        report.add(args.into, None, problems)
        verdict = "refused; the catalog is unchanged" if problems else "imported"
        report.text(f"{one_line(args.po)}: {verdict}: {report.counts()}\n")
        return report.status()

    # ----------------------------------------------------------------- schema

    def cmd_schema(self, args: argparse.Namespace) -> int:
        """print the JSON Schema of the request or the response

        msgtemplates schema request
        """
        self.out.write(schema_text(args.which).rstrip("\n") + "\n")
        return 0

    # ----------------------------------------------------------------- explain

    def cmd_explain(self, args: argparse.Namespace) -> int:
        """say what a response means and what to do next

        echo '{"result": {"resultCode": "SUCCESS", "resultStatus": "S"}}' | msgtemplates explain -
        """
        from .responses import check_response, interpret_response

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
