"""The ``msgtemplates`` command line: check, preview, render, lint, schema and explain.

:func:`run` holds all the logic and never raises, so tests drive it with :class:`io.StringIO`;
:func:`main` is the thin console entry point.

Exit codes: 0 no errors (warnings allowed); 1 errors found; 2 usage errors, inputs that cannot
be read at all, and internal errors (a bug: one line naming the exception, never a traceback).
"""

from __future__ import annotations

import argparse
import array
import collections
import collections.abc as cabc
import contextlib
import hashlib
import io
import json
import os
import sys
import time
import typing as t

from .errors import (
    CatalogError,
    MissingParameters,
    MsgTemplatesError,
    RequestInvalid,
    ResponseInvalid,
    TemplateSyntaxError,
    UnknownTemplate,
)
from .problems import Problem, one_line, quote, secret_of
from .responses import check_response, interpret_response
from .validation import check_request

if t.TYPE_CHECKING:
    from .catalog import Catalog, Preview
    from .responses import Outcome

__all__ = ["build_parser", "main", "run"]

PROG = "msgtemplates"

_EXAMPLES = {
    "check": (
        "msgtemplates check examples/send-request.json --catalog examples/catalog\n"
        "msgtemplates check examples/campaign.jsonl --format json --jobs 4\n"
        "cat request.json | msgtemplates check -"
    ),
    "preview": (
        "msgtemplates preview examples/send-request.json --catalog examples/catalog"
        " --locale zh-HK --locale ms-MY --html preview.html"
    ),
    "render": (
        "msgtemplates render examples/catalog TP_PAYMENT_SUCCESS --language th-TH"
        " -p merchant='Sunrise Coffee' -p amount='THB 120.00'"
    ),
    "lint": "msgtemplates lint examples/catalog --format json",
    "schema": "msgtemplates schema request > send-request.schema.json",
    "explain": "msgtemplates explain response.json",
}

_EXIT_HELP = (
    "exit status: 0 no errors (warnings allowed), 1 errors found, "
    "2 usage error or an input that cannot be read"
)

# Reading files: a request file is read whole; a batch is streamed one line at a time.
_BOM = b"\xef\xbb\xbf"
_BATCH_SUFFIXES = (".jsonl", ".ndjson")
_STDIN_NAME = "<stdin>"
# How many bytes of whole lines one worker process checks per task, and how often the
# progress line updates.
_BLOCK_BYTES = 1 << 20
_PROGRESS_EVERY = 4096
_PROGRESS_SECONDS = 0.5
# Buffered output: problem lines are written in chunks, not one write per line.
_FLUSH_LINES = 256
# A requestId longer than the API allows is remembered by its digest, so that memory stays
# bounded by the number of distinct requestIds, not by their length.
_LONG_ID = 64


class _RejectedConstant(ValueError):
    """``NaN``, ``Infinity`` or ``-Infinity``: Python's json reads them, JSON does not."""


def _reject_constant(name: str) -> t.NoReturn:
    raise _RejectedConstant(name)


_DECODER = json.JSONDecoder(parse_constant=_reject_constant)


# --------------------------------------------------------------------------- the parser


def _version() -> str:
    from importlib import metadata

    try:
        return metadata.version("msgtemplates")
    except metadata.PackageNotFoundError:
        return "unknown (not installed)"


class _VersionAction(argparse.Action):
    """``--version``: read the installed version only when asked for."""

    def __init__(self, option_strings: cabc.Sequence[str], dest: str, **kwargs: t.Any) -> None:
        super().__init__(option_strings, dest, nargs=0, help="print the version and exit")

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: str | cabc.Sequence[t.Any] | None,
        option_string: str | None = None,
    ) -> None:
        sys.stdout.write(f"{PROG} {_version()}\n")
        parser.exit(0)


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
        ``lint``, ``schema`` and ``explain``; ``--help`` shows an example for each.

    >>> build_parser().parse_args(["check", "a.json", "--format", "json"]).format
    'json'
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
    parser.add_argument("--version", action=_VersionAction)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def command(name: str, summary: str) -> argparse.ArgumentParser:
        example = "\n".join(f"  {line}" for line in _EXAMPLES[name].split("\n"))
        return commands.add_parser(
            name,
            help=summary,
            description=summary[0].upper() + summary[1:] + ".",
            epilog=f"example:\n{example}\n\n{_EXIT_HELP}",
            formatter_class=argparse.RawDescriptionHelpFormatter,
            allow_abbrev=False,
        )

    def output_format(sub: argparse.ArgumentParser) -> None:
        sub.add_argument(
            "--format",
            choices=("text", "json"),
            default="text",
            help="text lines for people (default) or JSON Lines, one object per problem",
        )

    check = command("check", "check requests (.json) and batches (.jsonl) against the API")
    check.add_argument(
        "files",
        nargs="+",
        metavar="FILE",
        help="a request (.json), a batch with one request per line (.jsonl), or - for stdin",
    )
    check.add_argument("--catalog", metavar="PATH", help="also check against this catalog")
    output_format(check)
    check.add_argument(
        "--jsonl", action="store_true", help="read every FILE (and stdin) as a batch"
    )
    check.add_argument(
        "--jobs",
        type=_positive,
        default=1,
        metavar="N",
        help="check batches in N processes; the output is the same as with one",
    )

    preview = command("preview", "show what users of each locale would see for a request")
    preview.add_argument("file", metavar="FILE", help="a request (.json), or - for stdin")
    preview.add_argument("--catalog", metavar="PATH", required=True, help="the catalog")
    preview.add_argument(
        "--locale",
        action="append",
        metavar="TAG",
        help="a user locale (repeatable; default: each language of the request)",
    )
    preview.add_argument("--html", metavar="OUT", help="also write the previews as an HTML page")
    output_format(preview)

    render = command("render", "render one catalog text with parameters")
    render.add_argument("catalog", metavar="CATALOG", help="a catalog directory or file")
    render.add_argument("code", metavar="CODE", help="the templateCode")
    render.add_argument("--language", required=True, metavar="TAG", help="the language wanted")
    render.add_argument(
        "-p",
        "--param",
        dest="params",
        action="append",
        type=_parameter,
        default=[],
        metavar="NAME=VALUE",
        help="a template parameter (repeatable; the last value of a name wins)",
    )

    lint = command("lint", "check a catalog's texts, languages and placeholders")
    lint.add_argument("catalog", metavar="CATALOG", help="a catalog directory or file")
    output_format(lint)

    schema = command("schema", "print the JSON Schema of the request or the response")
    schema.add_argument("which", choices=("request", "response"))

    explain = command("explain", "say what a response means and what to do next")
    explain.add_argument("file", metavar="RESPONSE", help="a response (.json), or - for stdin")
    return parser


# --------------------------------------------------------------------------- running


class _Failed(Exception):
    """An input that cannot be used at all: its one-line message is already written."""


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
        input or an internal error.

    >>> import io
    >>> out, err = io.StringIO(), io.StringIO()
    >>> run(["check", "-"], out, err, stdin=io.BytesIO(b" "))
    1
    >>> print(out.getvalue(), end="")
    <stdin>: (root): error: the file is empty; expected one JSON object [invalidJson]
    1 file, 1 request: 1 error, 0 warnings
    """
    command = "msgtemplates"
    try:
        parser = build_parser()
        try:
            with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
                args = parser.parse_args(list(argv))
        except SystemExit as exit_:
            return exit_.code if isinstance(exit_.code, int) else 2
        command = args.command
        session = _Session(stdout, stderr, stdin)
        handler = getattr(session, f"cmd_{command}")
        return t.cast(int, handler(args))
    except BrokenPipeError:
        # The reader went away (``| head``); there is no one left to tell.
        return 1
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

    Text that the terminal cannot encode is written escaped instead of failing.

    :returns: the exit code.
    """
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper):
            with contextlib.suppress(Exception):
                stream.reconfigure(errors="backslashreplace")
    try:
        code = run(sys.argv[1:], sys.stdout, sys.stderr)
        sys.stdout.flush()
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        code = 1
    if code == 1 or not _stdout_alive():
        # Python flushes stdout again at exit; a broken pipe must not print a warning then.
        with contextlib.suppress(OSError, ValueError, AttributeError):
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
    return code


def _stdout_alive() -> bool:
    try:
        sys.stdout.flush()
    except (BrokenPipeError, ValueError):
        return False
    return True


# --------------------------------------------------------------------------- output


def _display(name: str) -> str:
    return one_line(name)


def _display_file(name: str) -> str:
    """How output names an input file; ``-`` is standard input."""
    return _STDIN_NAME if name == "-" else one_line(name)


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


class _Report:
    """Problem lines in the chosen format, buffered, with error and warning counts."""

    __slots__ = ("_buffer", "_json", "_progress", "_stdout", "errors", "warnings")

    def __init__(self, stdout: t.TextIO, *, as_json: bool, progress: _Progress | None = None):
        self._stdout = stdout
        self._json = as_json
        self._buffer: list[str] = []
        self._progress = progress
        self.errors = 0
        self.warnings = 0

    def add(self, file: str, line: int | None, problems: cabc.Iterable[Problem]) -> None:
        buffer = self._buffer
        for problem in problems:
            if problem.severity == "error":
                self.errors += 1
            else:
                self.warnings += 1
            if self._json:
                buffer.append(_json_line(file, line, problem))
            else:
                where = file if line is None else f"{file}:{line}"
                path = one_line(problem.path) if problem.path else "(root)"
                buffer.append(
                    f"{where}: {path}: {problem.severity}: "
                    f"{one_line(problem.message)} [{problem.code}]\n"
                )
        if len(buffer) >= _FLUSH_LINES:
            self.flush()

    def text(self, text: str) -> None:
        self._buffer.append(text)

    def flush(self) -> None:
        if self._buffer:
            if self._progress is not None:
                self._progress.clear()
            self._stdout.write("".join(self._buffer))
            self._buffer.clear()

    def counts(self) -> str:
        if not self.errors and not self.warnings:
            return "no problems"
        return f"{_plural(self.errors, 'error')}, {_plural(self.warnings, 'warning')}"


def _json_line(file: str, line: int | None, problem: Problem) -> str:
    record = {
        "file": file,
        "line": line,
        "path": problem.path,
        "code": problem.code,
        "severity": problem.severity,
        "message": problem.message,
    }
    # ASCII only: a JSON line must stay one line for every line splitter (U+0085 and U+2028
    # end lines for some) and survive any output encoding, lone surrogates included.
    return json.dumps(record) + "\n"


class _Progress:
    """A progress line on a terminal's standard error; silent anywhere else."""

    __slots__ = ("_last", "_name", "_shown", "_start", "_stderr")

    def __init__(self, stderr: t.TextIO, name: str):
        self._stderr = stderr
        self._name = name
        self._start = self._last = time.monotonic()
        self._shown = False

    def update(self, lines: int) -> None:
        now = time.monotonic()
        if now - self._last < _PROGRESS_SECONDS:
            return
        self._last = now
        rate = lines / max(now - self._start, 1e-9)
        self._stderr.write(f"\r\x1b[K{self._name}: {lines:,} lines, {rate:,.0f} lines/s")
        self._stderr.flush()
        self._shown = True

    def clear(self) -> None:
        if self._shown:
            self._stderr.write("\r\x1b[K")
            self._stderr.flush()
            self._shown = False


def _is_tty(stream: t.TextIO) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):
        return False


# --------------------------------------------------------------------------- reading


def _invalid(message: str) -> list[Problem]:
    return [Problem("", "invalidJson", message)]


def _parse(data: bytes, what: str) -> tuple[object, list[Problem] | None]:
    """Decode UTF-8 JSON bytes; ``(value, None)`` or ``(None, [invalidJson problem])``."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        return None, _invalid(
            f"the {what} is not valid UTF-8 (byte {error.start + 1} cannot be decoded); "
            "requests must be UTF-8 JSON"
        )
    try:
        return _DECODER.decode(text), None
    except json.JSONDecodeError as error:
        where = f"column {error.colno}"
        if what != "line":
            where = f"line {error.lineno}, {where}"
        detail = error.msg.removesuffix(" at")
        return None, _invalid(f"the {what} is not valid JSON: {detail} at {where}")
    except _RejectedConstant as error:
        return None, _invalid(f"the {what} is not valid JSON: {error} is not a JSON number")
    except RecursionError:
        return None, _invalid(f"the {what} nests arrays or objects too deeply to read")
    except ValueError:
        # The only other ValueError the decoder raises: an integer beyond Python's digit limit.
        return None, _invalid(f"the {what} holds a number with too many digits to read")


def _canonical_digest(payload: object) -> bytes:
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"))
    return hashlib.blake2b(canonical.encode("ascii"), digest_size=16).digest()


def _long_key(request_id: str) -> bytes:
    """The key of a requestId longer than the API allows: its digest, of fixed size."""
    return hashlib.blake2b(request_id.encode("utf-8", "surrogatepass"), digest_size=16).digest()


_Verdict = tuple[int, int, int, list[Problem], "str | bytes | None", "bytes | None"]


def _verdicts(
    source: t.BinaryIO, offset: int, first: int, catalog: Catalog | None, canonical: bool
) -> cabc.Iterator[_Verdict]:
    """Check each non-blank line of a batch: ``(line, offset, problems, requestId key, digest)``.

    Lines split on ``\\n`` only; one trailing ``\\r`` goes; a UTF-8 BOM opening the batch is
    skipped; line numbers count every line, blank or not. The digest of the canonical JSON is
    computed only when ``canonical`` (the batch cannot be re-read). This loop is the cost of a
    batch beyond ``check_request``, so it calls no helper on the way of a valid line.
    """
    decode = _DECODER.decode
    for lineno, raw in enumerate(source, first):
        start = offset
        offset += len(raw)
        if raw.endswith(b"\n"):
            raw = raw[:-1]
        if raw.endswith(b"\r"):
            raw = raw[:-1]
        if lineno == 1 and raw.startswith(_BOM):
            raw = raw[3:]
            start += 3
        if not raw or raw.isspace():
            continue
        try:
            payload = decode(raw.decode("utf-8"))
        except (ValueError, RecursionError):
            # UnicodeDecodeError and JSONDecodeError are ValueErrors; _parse says which.
            invalid = t.cast("list[Problem]", _parse(raw, "line")[1])
            yield lineno, start, len(raw), invalid, None, None
            continue
        problems = check_request(payload, catalog=catalog)
        key: str | bytes | None = None
        digest = None
        if type(payload) is dict:
            request_id = payload.get("requestId")
            if type(request_id) is str:
                key = request_id if len(request_id) <= _LONG_ID else _long_key(request_id)
                if canonical:
                    digest = _canonical_digest(payload)
        yield lineno, start, len(raw), problems, key, digest


_WORKER: dict[str, t.Any] = {}


def _init_worker(catalog_path: str | None, canonical: bool) -> None:
    import signal

    from .catalog import Catalog

    # Ctrl-C is the parent's to handle; a worker would otherwise print its own traceback.
    signal.signal(signal.SIGINT, signal.SIG_IGN)

    _WORKER["catalog"] = None if catalog_path is None else Catalog.load(catalog_path)
    _WORKER["canonical"] = canonical


def _check_block(task: tuple[int, int, bytes]) -> list[_Verdict]:
    """Check a block of whole lines of a batch that starts at line ``lineno``, byte ``offset``."""
    lineno, offset, block = task
    catalog, canonical = _WORKER["catalog"], _WORKER["canonical"]
    return list(_verdicts(io.BytesIO(block), offset, lineno, catalog, canonical))


def _blocks(source: t.BinaryIO, offset: int) -> cabc.Iterator[tuple[int, int, bytes]]:
    """The batch cut into blocks of whole lines: ``(first line number, byte offset, bytes)``."""
    lineno = 1
    parts: list[bytes] = []
    while data := source.read(_BLOCK_BYTES):
        cut = data.rfind(b"\n") + 1
        if not cut:
            # Part of a line longer than a block: keep it until the line ends.
            parts.append(data)
            continue
        block = b"".join([*parts, data[:cut]]) if parts else data[:cut]
        parts = [data[cut:]] if cut < len(data) else []
        yield lineno, offset, block
        lineno += block.count(b"\n")
        offset += len(block)
    if parts:
        yield lineno, offset, b"".join(parts)


def _repeat_problem(lineno: int, same: bool) -> Problem:
    """The ``duplicateRequestId`` problem of a line whose requestId line ``lineno`` used first."""
    if same:
        return Problem(
            "/requestId",
            "duplicateRequestId",
            f"this line repeats the request of line {lineno} (same requestId, same body); "
            "the platform treats it as a retry, so the message is sent at most once",
            "warning",
        )
    return Problem(
        "/requestId",
        "duplicateRequestId",
        f"this requestId was already used on line {lineno} with a different body; a retry "
        "must resend the same body, and a new message needs a new requestId",
    )


def _request_key(raw: bytes) -> str | bytes | None:
    """The requestId key of a batch line, as :func:`_verdicts` computes it, or ``None``."""
    try:
        payload = _DECODER.decode(raw.decode("utf-8"))
    except (ValueError, RecursionError):
        return None
    request_id = payload.get("requestId") if type(payload) is dict else None
    if type(request_id) is not str:
        return None
    return request_id if len(request_id) <= _LONG_ID else _long_key(request_id)


class _SeenIds:
    """The requestIds of a batch that can be re-read, in about 20 bytes each.

    A campaign batch has a new requestId on every line, so this table is the one thing that
    grows with the batch. It keeps no requestId: an open-addressing table of 32-bit
    fingerprints (``hash()`` of the requestId) points into arrays of each first line's number
    and byte offset. A fingerprint that matches is confirmed by re-reading the earlier line, so
    two requestIds with the same fingerprint cost one read, never a wrong report. A million
    distinct requestIds take about 20 MB, where a dictionary of strings took 150 MB.

    >>> seen = _SeenIds(io.BytesIO(b'{"requestId": "a"}\\n{"requestId": "b"}\\n'))
    >>> seen.first("a", 1, 0), seen.first("b", 2, 19), seen.first("a", 3, 38)
    (-1, -1, 0)
    >>> seen.repeated(0, 0, 18).message.startswith("this line repeats the request of line 1")
    True
    """

    __slots__ = (
        "_earlier",
        "_fd",
        "_fingerprints",
        "_lines",
        "_mask",
        "_offsets",
        "_room",
        "_size",
        "_slots",
        "_source",
    )

    def __init__(self, source: t.BinaryIO):
        self._source = source
        self._fd: int | None = None
        self._size = 0
        if hasattr(os, "pread"):
            with contextlib.suppress(OSError, ValueError, AttributeError, io.UnsupportedOperation):
                self._fd = source.fileno()
                self._size = os.fstat(self._fd).st_size
        # 32-bit numbers; line numbers and offsets widen to 64 bits only when one does not fit.
        self._fingerprints: array.array[int] = array.array("I")
        self._lines: array.array[int] = array.array("I")
        self._offsets: array.array[int] = array.array("I")
        self._slots: array.array[int] = array.array("i")
        self._mask = 0
        #: How many more requestIds fit before the table grows.
        self._room = 0
        self._earlier = b""
        self._resize(1 << 12)

    def first(self, key: str | bytes, lineno: int, offset: int) -> int:
        """The entry of the earlier line with requestId ``key``, or -1 after remembering it.

        :param key: the requestId (or, when longer than the API allows, its digest).
        :param lineno: the line's number, for the message of a later repeat.
        :param offset: the line's byte offset, to re-read it.
        """
        fingerprint = hash(key) & 0xFFFFFFFF
        slots, mask, fingerprints = self._slots, self._mask, self._fingerprints
        slot = fingerprint & mask
        perturb = fingerprint
        entry = slots[slot]
        while entry:
            entry -= 1
            if fingerprints[entry] == fingerprint and self._holds(entry, key):
                return entry
            # The probe sequence of CPython's dict: every slot is reached, and the higher
            # bits of the fingerprint soon spread keys that share their lower bits.
            perturb >>= 5
            slot = (slot * 5 + perturb + 1) & mask
            entry = slots[slot]
        slots[slot] = len(fingerprints) + 1
        fingerprints.append(fingerprint)
        try:
            self._lines.append(lineno)
            self._offsets.append(offset)
        except OverflowError:
            self._widen(lineno, offset)
        self._room -= 1
        if not self._room:
            self._grow(offset)
        return -1

    def repeated(self, entry: int, offset: int, length: int) -> Problem:
        """The problem of the line at ``offset`` whose requestId ``entry`` used first.

        Call right after :meth:`first` returned ``entry``: the earlier line is still at hand.
        """
        raw = self._read(offset, length)
        earlier = self._earlier
        same = raw == earlier
        if not same:
            # The same JSON written differently (spacing, key order) is still the same body.
            digests = []
            for text in (earlier, raw):
                payload, invalid = _parse(text, "line")
                if invalid is not None:
                    break
                digests.append(_canonical_digest(payload))
            same = len(digests) == 2 and digests[0] == digests[1]
        return _repeat_problem(self._lines[entry], same)

    def _holds(self, entry: int, key: str | bytes) -> bool:
        raw = self._line_at(self._offsets[entry])
        if _request_key(raw) != key:
            return False
        self._earlier = raw
        return True

    def _widen(self, lineno: int, offset: int) -> None:
        """Append a line number or offset that does not fit 32 bits, widening its array."""
        count = len(self._fingerprints)
        for name, value in (("_lines", lineno), ("_offsets", offset)):
            numbers = getattr(self, name)
            if len(numbers) == count:
                continue
            try:
                numbers.append(value)
            except OverflowError:
                numbers = array.array("Q", numbers)
                numbers.append(value)
                setattr(self, name, numbers)

    def _grow(self, offset: int) -> None:
        """Make room for more requestIds, as many as the rest of the file suggests.

        Every growth rebuilds the table in Python, so a big batch should grow seldom: the
        requestIds so far, scaled by the bytes still to come, give the next size (at most 16
        times the current one, so a batch of retries does not reserve room for every line).
        """
        count = len(self._fingerprints)
        wanted = 2 * count
        if self._size > offset > 0:
            wanted = max(wanted, min(16 * count, count * self._size // offset))
        size = len(self._slots)
        while 2 * size < 3 * wanted:
            size *= 2
        self._resize(size)

    def _resize(self, size: int) -> None:
        # Slots hold entry + 1 (0 is empty) and stay at most two thirds full.
        typecode = "i" if size <= 1 << 31 else "q"
        # Repetition fills the array in place; array(typecode, bytes(n)) would hold both at once.
        slots = array.array(typecode, [0]) * size
        mask = size - 1
        for entry, fingerprint in enumerate(self._fingerprints, 1):
            slot = fingerprint & mask
            perturb = fingerprint
            while slots[slot]:
                perturb >>= 5
                slot = (slot * 5 + perturb + 1) & mask
            slots[slot] = entry
        self._slots, self._mask = slots, mask
        self._room = 2 * size // 3 - len(self._fingerprints)

    def _line_at(self, offset: int) -> bytes:
        """The line that starts at byte ``offset``, without its line end."""
        parts = []
        size = 4096
        while True:
            data = self._read(offset, size)
            end = data.find(b"\n")
            if end >= 0:
                parts.append(data[:end])
                break
            parts.append(data)
            if len(data) < size:
                break
            offset += size
            size *= 2
        raw = b"".join(parts)
        return raw[:-1] if raw.endswith(b"\r") else raw

    def _read(self, offset: int, length: int) -> bytes:
        if self._fd is not None:
            # pread leaves the reader's position and buffer alone: a batch full of retries
            # costs a system call per repeat, not a refilled buffer.
            return os.pread(self._fd, length, offset)
        source = self._source
        here = source.tell()
        try:
            source.seek(offset)
            return source.read(length)
        finally:
            source.seek(here)


class _SeenDigests:
    """The requestIds of a batch that cannot be re-read (a pipe), with a digest of each body.

    Memory grows with the number of distinct requestIds, about 150 bytes each: the requestId
    itself must stay, since nothing can be read again.
    """

    __slots__ = ("_seen",)

    def __init__(self) -> None:
        #: requestId key -> the first line's number (8 bytes) and its canonical JSON digest.
        self._seen: dict[str | bytes, bytes] = {}

    def first(self, key: str | bytes, lineno: int, digest: bytes) -> bytes | None:
        """What the earlier line with requestId ``key`` left, or ``None`` after remembering it."""
        earlier = self._seen.get(key)
        if earlier is None:
            self._seen[key] = lineno.to_bytes(8, "little") + digest
        return earlier

    @staticmethod
    def repeated(earlier: bytes, digest: bytes) -> Problem:
        """The problem of a line with ``digest`` whose requestId left ``earlier``."""
        return _repeat_problem(int.from_bytes(earlier[:8], "little"), earlier[8:] == digest)


def _start(source: t.BinaryIO) -> int | None:
    """Where a re-readable batch starts, or ``None`` for a pipe or terminal."""
    try:
        return source.tell() if source.seekable() else None
    except (OSError, ValueError, AttributeError):
        return None


# --------------------------------------------------------------------------- commands


class _Session:
    """One run of the command line: its streams and the state shared by its commands."""

    def __init__(self, stdout: t.TextIO, stderr: t.TextIO, stdin: t.BinaryIO | None):
        self.stdout = stdout
        self.stderr = stderr
        self._stdin = stdin
        self.unreadable = 0

    # ----------------------------------------------------------------- helpers

    def error(self, message: str) -> None:
        self.stderr.write(f"{PROG}: {message}\n")

    def stdin(self) -> t.BinaryIO:
        if self._stdin is not None:
            return self._stdin
        buffer = getattr(sys.stdin, "buffer", None)
        if buffer is None:
            raise OSError("standard input is not available")
        return t.cast(t.BinaryIO, buffer)

    @contextlib.contextmanager
    def open(self, name: str) -> cabc.Iterator[t.BinaryIO]:
        """Open a file (``-``: standard input) as bytes; an unreadable one raises _Failed."""
        if name == "-":
            try:
                yield self.stdin()
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
            reason = error.strerror[0].lower() + error.strerror[1:]
        else:
            reason = "the name is not a valid file name"
        self.unreadable += 1
        self.error(f"{_display(name)}: cannot read: {reason}")
        raise _Failed from None

    def read(self, name: str) -> bytes:
        with self.open(name) as source:
            return source.read()

    def load_catalog(self, path: str) -> Catalog:
        from .catalog import Catalog

        try:
            return Catalog.load(path)
        except CatalogError as error:
            self.error(f"cannot load the catalog: {one_line(str(error))}")
        except (OSError, ValueError) as error:
            self.error(f"cannot load the catalog {_display(path)}: {type(error).__name__}")
        raise _Failed

    def read_json(self, name: str, report: _Report) -> tuple[bool, object]:
        """Read one JSON document; ``(False, None)`` after reporting why it is not JSON."""
        display = _display_file(name)
        data = self.read(name)
        if data.startswith(_BOM):
            data = data[3:]
        if not data.strip():
            report.add(display, None, _invalid("the file is empty; expected one JSON object"))
            return False, None
        payload, invalid = _parse(data, "file")
        if invalid is not None:
            report.add(display, None, invalid)
            return False, None
        return True, payload

    # ----------------------------------------------------------------- check

    def cmd_check(self, args: argparse.Namespace) -> int:
        report = _Report(self.stdout, as_json=args.format == "json")
        catalog = None
        if args.catalog is not None:
            try:
                catalog = self.load_catalog(args.catalog)
            except _Failed:
                return 2
        files = requests = 0
        for name in args.files:
            batch = args.jsonl or name.lower().endswith(_BATCH_SUFFIXES)
            try:
                if batch:
                    requests += self.check_batch(name, catalog, report, args)
                else:
                    ok, payload = self.read_json(name, report)
                    if ok:
                        problems = check_request(payload, catalog=catalog)
                        report.add(_display_file(name), None, problems)
                    requests += 1
            except _Failed:
                continue
            finally:
                report.flush()
            files += 1
        if not report._json:
            unreadable = f" ({self.unreadable} not readable)" if self.unreadable else ""
            report.text(
                f"{_plural(files + self.unreadable, 'file')}{unreadable}, "
                f"{_plural(requests, 'request')}: {report.counts()}\n"
            )
            report.flush()
        if self.unreadable:
            return 2
        return 1 if report.errors else 0

    def check_batch(
        self,
        name: str,
        catalog: Catalog | None,
        report: _Report,
        args: argparse.Namespace,
    ) -> int:
        """Stream one batch through the checks; returns how many requests it held."""
        display = _display_file(name)
        with self.open(name) as source:
            progress = _Progress(self.stderr, display) if _is_tty(self.stderr) else None
            report._progress = progress
            start = _start(source)
            canonical = start is None
            if args.jobs > 1:
                verdicts = self._parallel(source, start or 0, args.catalog, canonical, args.jobs)
            else:
                verdicts = _verdicts(source, start or 0, 1, catalog, canonical)
            count = 0
            add = report.add
            ids = None if canonical else _SeenIds(source)
            digests = _SeenDigests() if canonical else None
            for lineno, offset, length, problems, key, digest in verdicts:
                count += 1
                if ids is not None:
                    if key is not None:
                        entry = ids.first(key, lineno, offset)
                        if entry >= 0:
                            problems = [*problems, ids.repeated(entry, offset, length)]
                elif key is not None and digests is not None and digest is not None:
                    earlier = digests.first(key, lineno, digest)
                    if earlier is not None:
                        problems = [*problems, digests.repeated(earlier, digest)]
                if problems:
                    add(display, lineno, problems)
                if progress is not None and not count % _PROGRESS_EVERY:
                    progress.update(count)
            if progress is not None:
                progress.clear()
            report._progress = None
        return count

    def _parallel(
        self,
        source: t.BinaryIO,
        offset: int,
        catalog_path: str | None,
        canonical: bool,
        jobs: int,
    ) -> cabc.Iterator[_Verdict]:
        """Check a batch in ``jobs`` processes, yielding verdicts in line order.

        The parent only cuts the input into blocks of whole lines; at most two blocks per
        process are in flight, so memory stays flat however long the batch is (``Pool.imap``
        would read the whole input ahead).
        """
        import multiprocessing

        # Not "fork": run() may be embedded in a program with threads, which fork can deadlock.
        methods = multiprocessing.get_all_start_methods()
        context = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
        with context.Pool(
            jobs, initializer=_init_worker, initargs=(catalog_path, canonical)
        ) as pool:
            pending: collections.deque[t.Any] = collections.deque()
            for block in _blocks(source, offset):
                pending.append(pool.apply_async(_check_block, (block,)))
                if len(pending) >= 2 * jobs:
                    yield from pending.popleft().get()
            while pending:
                yield from pending.popleft().get()

    # ----------------------------------------------------------------- preview

    def cmd_preview(self, args: argparse.Namespace) -> int:
        as_json = args.format == "json"
        report = _Report(self.stdout, as_json=as_json)
        display = _display_file(args.file)
        try:
            catalog = self.load_catalog(args.catalog)
            ok, payload = self.read_json(args.file, report)
        except _Failed:
            return 2
        if not ok:
            report.flush()
            return 1
        locales = list(args.locale or _request_languages(payload))
        previews: list[tuple[str, Preview]] = []
        try:
            for locale in locales:
                previews.append((locale, catalog.preview(payload, user_locale=locale)))
        except RequestInvalid as error:
            report.add(display, None, error.problems)
            report.flush()
            return 1
        except UnknownTemplate as error:
            problem = Problem("/templateCode", "unknownTemplate", one_line(str(error)))
            report.add(display, None, [problem])
            report.flush()
            return 1
        if not locales:
            report.add(display, None, check_request(payload, catalog=catalog))
            report.flush()
            self.error(f"{display}: no content template has a language to preview; use --locale")
            return 1
        # A locale comes from the request's languages or the command line; either may hold the
        # access token, which no output shows (the preview text is masked already).
        secret = secret_of(payload)
        previews = [(_masked(locale, secret), preview) for locale, preview in previews]
        for locale, preview in previews:
            if as_json:
                report.text(_preview_json(display, locale, payload, preview))
                report.errors += sum(p.severity == "error" for p in preview.problems)
                report.warnings += sum(p.severity != "error" for p in preview.problems)
            else:
                report.text(_preview_text(display, locale, payload, preview))
                report.add(display, None, preview.problems)
                report.text("\n")
        if not as_json:
            report.text(f"{_plural(len(previews), 'locale')} previewed: {report.counts()}\n")
        report.flush()
        if args.html is not None:
            from .preview import render_html

            page = render_html(previews, title=f"{display} — msgtemplates preview", payload=payload)
            try:
                with open(args.html, "w", encoding="utf-8", errors="backslashreplace") as out:
                    out.write(page)
            except (OSError, ValueError) as error:
                reason = error.strerror if isinstance(error, OSError) else None
                self.error(
                    f"{_display(args.html)}: cannot write: {reason or 'not a valid file name'}"
                )
                return 2
        return 1 if report.errors else 0

    # ----------------------------------------------------------------- render

    def cmd_render(self, args: argparse.Namespace) -> int:
        try:
            catalog = self.load_catalog(args.catalog)
        except _Failed:
            return 2
        params = dict(args.params)
        try:
            rendered = catalog.render(args.code, args.language, params)
        except MissingParameters as error:
            names = ", ".join(one_line(name) for name in error.names)
            noun = "parameter" if len(error.names) == 1 else "parameters"
            self.error(f"missing {noun} {names}; pass each as -p NAME=VALUE")
            return 1
        except UnknownTemplate as error:
            self.error(one_line(str(error)))
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
        self.stdout.write(rendered.text + "\n")
        if rendered.fallback:
            self.error(
                f"note: {_display(args.code)} has no {_display(args.language)} text; "
                f"rendered its {rendered.language} text"
            )
        return 0

    # ----------------------------------------------------------------- lint

    def cmd_lint(self, args: argparse.Namespace) -> int:
        try:
            catalog = self.load_catalog(args.catalog)
        except _Failed:
            return 2
        report = _Report(self.stdout, as_json=args.format == "json")
        report.add(_display(args.catalog), None, catalog.lint())
        if not report._json:
            texts = sum(len(catalog.languages(code)) for code in catalog.codes)
            report.text(
                f"{_plural(len(catalog.codes), 'template')}, {_plural(texts, 'text')}: "
                f"{report.counts()}\n"
            )
        report.flush()
        return 1 if report.errors else 0

    # ----------------------------------------------------------------- schema

    def cmd_schema(self, args: argparse.Namespace) -> int:
        from .validation import schema_text

        text = schema_text(args.which)
        self.stdout.write(text if text.endswith("\n") else text + "\n")
        return 0

    # ----------------------------------------------------------------- explain

    def cmd_explain(self, args: argparse.Namespace) -> int:
        report = _Report(self.stdout, as_json=False)
        display = _display_file(args.file)
        try:
            ok, payload = self.read_json(args.file, report)
        except _Failed:
            return 2
        if not ok:
            report.flush()
            return 2
        try:
            outcome = interpret_response(payload)
        except ResponseInvalid as error:
            report.add(display, None, error.problems)
            report.flush()
            return 2
        report.add(display, None, check_response(payload))
        report.text(_explain(outcome))
        report.flush()
        return 0 if outcome.status in ("S", "A") else 1


# --------------------------------------------------------------------------- formatting


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


def _preview_json(display: str, locale: str, payload: object, preview: Preview) -> str:
    record = {
        "file": display,
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


_ACTIONS = {
    "same-request": "retry with the same requestId and the same body",
    "after-backoff": "retry later with backoff, with the same requestId and body",
    "after-token-refresh": "refresh the access token (applyToken), then resend",
}
_FAILED_ACTIONS = {
    "PARAM_ILLEGAL": "fix the request; never retry it as is",
    "ACCESS_DENIED": "fix the configuration; do not retry",
    "INVALID_API": "fix the configuration; do not retry",
    "PROCESS_FAIL": "do not retry; a person needs to look at it",
}
_STATUS = {"S": "succeeded", "A": "accepted by the wallet", "U": "unknown", "F": "failed"}


def _explain(outcome: Outcome) -> str:
    if outcome.succeeded:
        action = "done; the message was sent"
    elif outcome.accepted:
        action = "done for now; the wallet accepted it, do not resend"
    elif outcome.retry is not None:
        action = _ACTIONS.get(outcome.retry, "retry with the same requestId and the same body")
    else:
        action = _FAILED_ACTIONS.get(outcome.code, "do not retry")
    lines = [
        f"status: {outcome.status} ({_STATUS.get(outcome.status, 'unknown')})",
        f"code: {quote(outcome.code)}",
    ]
    if outcome.message:
        lines.append(f"message: {quote(outcome.message)}")
    lines.append(f"action: {action}")
    return "\n".join(lines) + "\n"
