"""Batches: streaming JSON Lines through the checks, duplicate requestIds and worker processes."""

from __future__ import annotations

import array
import collections
import collections.abc as cabc
import contextlib
import dataclasses
import functools
import io
import itertools
import json
import os
import threading
import typing as t

from . import problems as build
from .errors import MsgTemplatesError
from .problems import Problem, describe
from .validation import check_request

if t.TYPE_CHECKING:
    from .catalog import Catalog

__all__ = [
    "MAX_DEPTH",
    "BatchVerdict",
    "check_batch",
    "check_bytes",
    "parse_request",
    "usable_cpus",
]

#: The deepest nesting of arrays and objects a batch line may have; a valid request nests 4.
#: A deeper line is an ``invalidJson`` problem found before parsing, so neither Python's
#: recursion limit, nor the caller's stack, nor the parser decides its verdict.
MAX_DEPTH = 256

_BOM = b"\xef\xbb\xbf"
_SPACE = frozenset(b" \t\r\n")
# How many bytes of whole lines one worker process checks per task.
_BLOCK_BYTES = 1 << 20


class _BinaryReadable(t.Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


@dataclasses.dataclass(frozen=True, slots=True)
class BatchVerdict:
    """The verdict on one non-blank line of a batch.

    :param line: the 1-based line number, counting blank lines too.
    :param request_id: the line's ``requestId`` when it is a JSON object holding a string
        there, else ``None`` (a line that is not JSON has none).
    :param problems: every problem of the line, ``()`` for a valid request.

    >>> BatchVerdict(3, "REQ-1", ()).problems
    ()
    """

    line: int
    request_id: str | None
    problems: tuple[Problem, ...]


# --------------------------------------------------------------------------- one line


class _Unreadable(Exception):
    """A line that cannot be read as JSON; the argument says why, as a clause."""


def _reject_constant(name: str) -> t.NoReturn:
    raise _Unreadable(f"{name} is not a JSON number")


_DECODER = json.JSONDecoder(parse_constant=_reject_constant)
_DECODE = _DECODER.decode
_SCAN = t.cast(t.Any, _DECODER).scan_once
# Opening brackets become 1, closing ones -1 (as a signed byte), everything else goes.
_DEPTH_STEPS = bytes.maketrans(b"[{]}", b"\x01\x01\xff\xff")
_NOT_BRACKETS = bytes(set(range(256)) - set(b"[]{}"))


def _too_deep(raw: bytes) -> bool:
    """Whether ``raw`` nests arrays or objects deeper than :data:`MAX_DEPTH`.

    Linear in the line's length: the C-speed count of opening brackets rules out nearly every
    line; only a line with more of them than the limit is scanned, outside its strings.

    >>> _too_deep(b'{"a": "' + b"[" * 300 + b'"}'), _too_deep(b"[" * 257 + b"]" * 257)
    (False, True)
    """
    if raw.count(b"[") + raw.count(b"{") <= MAX_DEPTH:
        return False
    # Escapes go first (a run of backslashes pairs up from its left), so every quote left
    # opens or closes a string; what lies outside the strings holds the brackets that count.
    unescaped = raw.replace(b"\\\\", b"").replace(b'\\"', b"")
    outside = b"".join(unescaped.split(b'"')[::2])
    brackets = outside.translate(_DEPTH_STEPS, _NOT_BRACKETS)
    return (
        len(brackets) > MAX_DEPTH
        and max(itertools.accumulate(array.array("b", brackets))) > MAX_DEPTH
    )


def _parse(raw: bytes) -> object:
    """Decode one batch line (UTF-8 JSON); the one place a batch line is parsed.

    :raises _Unreadable: with the ``invalidJson`` message when the line is not JSON.
    """
    if _too_deep(raw):
        raise _Unreadable(f"it nests arrays or objects too deeply (more than {MAX_DEPTH} levels)")
    # A line end kept by the source is no part of the line: columns count within the line.
    raw = raw.rstrip(b"\r\n")
    try:
        return _DECODE(raw.decode("utf-8"))
    except UnicodeDecodeError as error:
        raise _Unreadable(
            f"byte {error.start + 1} is not UTF-8 (requests must be UTF-8 JSON)"
        ) from None
    except json.JSONDecodeError as error:
        detail = error.msg.removesuffix(" at")
        raise _Unreadable(f"{detail[:1].lower()}{detail[1:]} at column {error.colno}") from None
    except ValueError:
        # The only other ValueError the decoder raises: an integer beyond Python's digit limit.
        raise _Unreadable("a number has too many digits to read") from None


@functools.cache
def _fast_loads() -> cabc.Callable[[bytes], object]:
    """The parser of typical lines; it raises a ValueError for a line it refuses.

    msgspec where it is installed: it parses a typical request about twice as fast as
    :mod:`json`, and reads every value as the standard parser does (integers of any size stay
    integers; orjson, the other candidate, turns those beyond 64 bits into floats). Every line
    it refuses (a lone surrogate escape, NaN, 1e400, bad UTF-8, any syntax error) goes to
    :func:`_parse` and so gets the standard parser's verdict; a test compares the two on
    hostile lines.
    """
    try:
        import msgspec
    except ImportError:
        return lambda raw: _parse_typical(raw.decode())
    # msgspec's errors are ValueErrors.
    return t.cast("cabc.Callable[[bytes], object]", msgspec.json.Decoder().decode)


def _parse_typical(text: str) -> object:
    """The fast parse of a typical line: a JSON value right at its start, then a line end.

    With :func:`_parse` (which says what is wrong with any other line), the one place a batch
    line is parsed: a faster parser goes here, falling back to :func:`_parse` where it refuses.
    """
    payload, end = _SCAN(text, 0)
    if end != len(text) and text[end:].strip(" \t\r\n"):
        raise _Unreadable
    return payload


def _canonical_encoder() -> cabc.Callable[[object], str]:
    """The canonical JSON of a parsed line: sorted keys, no spaces, text left as it is."""
    encoder = json.JSONEncoder(
        sort_keys=True, separators=(",", ":"), ensure_ascii=False, check_circular=False
    )
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:
        return encoder.encode

    def default(value: object) -> t.NoReturn:
        raise TypeError(type(value).__name__)

    # The C encoder itself, without JSONEncoder.encode's checks on every call.
    one_shot = make(
        None, default, json.encoder.encode_basestring, None, ":", ",", True, False, True
    )
    return lambda payload: "".join(one_shot(payload, 0))


_CANONICAL = _canonical_encoder()

_BODY_BITS = 0x7FFF_FFFF


def _body_digest(payload: object) -> int:
    """A 31-bit digest of the canonical JSON of a parsed line (its "body").

    The same JSON written differently (spacing, key order) is the same body. A line nests at
    most :data:`MAX_DEPTH` levels, so the C encoder cannot overflow on its own; a caller's
    deep stack is left behind by :func:`_on_fresh_stack`.
    """
    body = _CANONICAL(payload).encode("utf-8", "surrogatepass")
    import hashlib

    return int.from_bytes(hashlib.blake2b(body, digest_size=4).digest(), "little") & _BODY_BITS


_R = t.TypeVar("_R")


def _on_fresh_stack(function: cabc.Callable[..., _R], *args: object) -> _R:
    """``function(*args)``, run again on a new thread's empty stack if it overflowed here.

    So the caller's own stack depth never changes a verdict. Only a recursion limit set far
    below the default still raises :class:`RecursionError`, the same way every time.
    """
    try:
        return function(*args)
    except RecursionError:
        pass
    result: list[_R] = []
    thread = threading.Thread(target=lambda: result.append(function(*args)))
    thread.start()
    thread.join()
    if not result:
        raise RecursionError("the recursion limit is too low to check this line")
    return result[0]


_TOO_LOW = "it nests arrays or objects too deeply to read under this recursion limit"

#: What checking one line gives: its problems, requestId and the parsed payload.
_Checked = tuple[tuple[Problem, ...], "str | None", object]


def _check_line(raw: bytes, catalog: Catalog | None) -> _Checked:
    try:
        payload = _parse(raw)
    except _Unreadable as error:
        return (build.invalid_json("line", str(error)),), None, None
    problems = check_request(payload, catalog=catalog)
    request_id = payload.get("requestId") if type(payload) is dict else None
    return tuple(problems), request_id if type(request_id) is str else None, payload


def _line_digest(raw: bytes) -> int | None:
    """The body digest of a line read again, or ``None`` when it no longer parses."""
    try:
        return _body_digest(_parse(raw))
    except _Unreadable:
        return None


def _as_bytes(item: object) -> bytes:
    if isinstance(item, bytes):
        return item
    if isinstance(item, str):
        return item.encode("utf-8", "surrogatepass")
    if isinstance(item, (bytearray, memoryview)):
        return bytes(item)
    raise TypeError(f"check_batch() source lines must be bytes or str, got a {type(item).__name__}")


# What the body of a line with a requestId is sent on as: the payload itself (checked here),
# its digest (the batch cannot be read again), or nothing (the parent reads the line again).
_PAYLOAD, _DIGEST, _NOTHING = 0, 1, 2

#: (line, byte offset, length, problems, requestId, body): one line's verdict before the
#: requestId table has seen it.
_Compact = tuple[int, int, int, tuple[Problem, ...], "str | None", object]


def _compact(
    lines: cabc.Iterable[object],
    first: int,
    offset: int,
    catalog: Catalog | None,
    body: int,
    ids: _RequestIds | None = None,
    reader: _Reader | None = None,
) -> cabc.Iterator[t.Any]:
    """Check each non-blank line; line numbers start at ``first`` and count blank lines.

    ``offset`` is the byte offset of the first line. A UTF-8 BOM opening line 1 is skipped.
    Without ``ids`` it yields :data:`_Compact` tuples for the parent to merge; with them (one
    process) it yields the :class:`BatchVerdict` of each line itself.
    This loop is the cost of a batch beyond the parse and ``check_request``, so a typical line
    calls no helper of its own.
    """
    parse, check, count = _fast_loads(), check_request, bytes.count
    for lineno, raw in enumerate(lines, first):
        if type(raw) is not bytes:
            raw = _as_bytes(raw)
        start = offset
        offset += len(raw)
        if lineno == 1 and raw.startswith(_BOM):
            raw = raw[3:]
            start += 3
        # A line that starts with anything but JSON whitespace is not blank; JSON whitespace
        # only (not a form feed or vertical tab, which the parser refuses) is.
        if not raw or (raw[0] in _SPACE and not raw.strip(b" \t\r\n")):
            continue
        # The fast way of a typical line: the scanner right at its "{", nothing after but a
        # line end. Anything else takes _check_line, which says what is wrong.
        try:
            if count(raw, b"[") + count(raw, b"{") > MAX_DEPTH:
                raise _Unreadable
            payload = parse(raw)
            found = check(payload, catalog=catalog)
            problems: tuple[Problem, ...] = tuple(found) if found else ()
            request_id = payload.get("requestId") if type(payload) is dict else None
            if type(request_id) is not str:
                request_id = None
        except (_Unreadable, ValueError, StopIteration, RecursionError):
            try:
                problems, request_id, payload = _on_fresh_stack(_check_line, raw, catalog)
            except RecursionError:
                problems, request_id, payload = (build.invalid_json("line", _TOO_LOW),), None, None
        content: object = None
        if request_id is not None:
            if body == _PAYLOAD:
                content = payload
            elif body == _DIGEST:
                try:
                    content = _on_fresh_stack(_body_digest, payload)
                except RecursionError:
                    content = None
        if ids is None:
            yield lineno, start, len(raw), problems, request_id, content
            continue
        # Checked here, in the same loop: the requestId table and the verdict.
        if request_id is not None:
            if body == _DIGEST:
                entry = ids.first(request_id, lineno, t.cast(int, content or 0), True)
            else:
                entry = ids.first(request_id, lineno, start, False)
            if entry >= 0:
                same = _same_body(ids, entry, reader, content, start, len(raw), body)
                problems = (*problems, _duplicate(ids.line(entry), same))
        yield BatchVerdict(lineno, request_id, problems)


# --------------------------------------------------------------------------- requestIds


class _Reader:
    """Reads lines of a seekable batch again, by byte offset, without moving its reader."""

    __slots__ = ("_fd", "_source")

    def __init__(self, source: t.BinaryIO, fd: int | None):
        self._source = source
        self._fd = fd

    @classmethod
    def of(cls, source: object) -> _Reader | None:
        """A reader for ``source``, or ``None`` when it cannot be read again (a pipe)."""
        try:
            if not source.seekable():  # type: ignore[attr-defined]
                return None
            source.tell()  # type: ignore[attr-defined]
        except (AttributeError, OSError, ValueError):
            return None
        fd = None
        if hasattr(os, "pread"):
            try:
                fd = source.fileno()  # type: ignore[attr-defined]
                os.pread(fd, 0, 0)
            except (AttributeError, OSError, ValueError, io.UnsupportedOperation):
                fd = None
        return cls(t.cast(t.BinaryIO, source), fd)

    def read(self, offset: int, length: int) -> bytes:
        """``length`` bytes at ``offset``."""
        if self._fd is not None:
            return os.pread(self._fd, length, offset)
        here = self._source.tell()
        try:
            self._source.seek(offset)
            return self._source.read(length)
        finally:
            self._source.seek(here)

    def line(self, offset: int) -> bytes:
        """The line that starts at ``offset``, read in growing pieces up to its end."""
        parts = []
        size = 4096
        while True:
            data = self.read(offset, size)
            end = data.find(b"\n")
            if end >= 0:
                parts.append(data[:end])
                break
            parts.append(data)
            if len(data) < size:
                break
            offset += len(data)
            size *= 2
        return b"".join(parts)


class _RequestIds:
    """The requestIds of a batch, each with its first line and body, in about 21 bytes each.

    A campaign has a new requestId on every line, so this table is what grows with the batch.
    It keeps no requestId. Dense arrays hold each distinct requestId's 64-bit fingerprint
    (``hash()``), its first line number and a reference to its first body (16 bytes): the
    31-bit BLAKE2b digest of the body's canonical JSON, or, while no later line has needed it,
    the byte offset of a line that can be read again. An open-addressing index of 32-bit slots,
    at most four fifths full, points into them (5 to 10 bytes more per requestId). Each first
    line is read again at most once, the first time a repeat needs its digest, so time stays
    linear however often a requestId repeats.

    Collisions: two distinct requestIds share a fingerprint with probability about
    ``n**2 / 2**65`` over ``n`` distinct requestIds (under 3e-6 for ten million), and since
    ``hash()`` of a string is keyed per process, a batch cannot be written to collide on
    purpose. Two different bodies of one requestId share a digest with probability ``2**-31``;
    that would report a conflict as a repeat (a warning instead of an error).

    >>> ids = _RequestIds()
    >>> ids.first("a", 1, 7, True), ids.first("b", 2, 7, True), ids.first("a", 3, 0, True)
    (-1, -1, 0)
    >>> ids.line(0), ids.digest(0)
    (1, 7)
    """

    __slots__ = ("_fingerprints", "_lines", "_mask", "_refs", "_room", "_slots", "known")

    def __init__(self) -> None:
        self._fingerprints: array.array[int] = array.array("Q")
        self._lines: array.array[int] = array.array("I")
        self._refs: array.array[int] = array.array("I")
        #: The bit of a reference that marks it a digest, not an offset.
        self.known = 1 << 31
        self._slots: array.array[int] = array.array("i")
        self._mask = 0
        self._room = 0
        self._resize(1 << 10)

    def first(self, request_id: str, line: int, ref: int, is_digest: bool) -> int:
        """The entry of ``request_id``, or -1 after remembering it with ``line`` and ``ref``.

        :param ref: the body digest (``is_digest``) or the byte offset of the line.
        """
        fingerprint = hash(request_id) & 0xFFFF_FFFF_FFFF_FFFF
        slots, mask, fingerprints = self._slots, self._mask, self._fingerprints
        slot = fingerprint & mask
        perturb = fingerprint
        entry = slots[slot]
        while entry:
            if fingerprints[entry - 1] == fingerprint:
                return entry - 1
            # CPython's dict probe: every slot is reached, and the higher bits of the
            # fingerprint soon spread keys that share their lower bits.
            perturb >>= 5
            slot = (slot * 5 + perturb + 1) & mask
            entry = slots[slot]
        fingerprints.append(fingerprint)
        slots[slot] = len(fingerprints)
        try:
            self._lines.append(line)
        except OverflowError:
            self._lines = array.array("Q", self._lines)
            self._lines.append(line)
        if is_digest:
            ref |= self.known
        elif ref >= self.known:
            self._widen_refs()
        self._refs.append(ref)
        self._room -= 1
        if not self._room:
            self._resize(2 * len(slots))
        return -1

    def line(self, entry: int) -> int:
        """The first line of ``entry``."""
        return self._lines[entry]

    def digest(self, entry: int) -> int | None:
        """The body digest of ``entry``, or ``None`` while only its offset is known."""
        ref = self._refs[entry]
        return ref & _BODY_BITS if ref & self.known else None

    def offset(self, entry: int) -> int:
        """The byte offset of ``entry``'s first line (when :meth:`digest` is ``None``)."""
        return self._refs[entry]

    def learn(self, entry: int, digest: int) -> None:
        """Remember the body digest of ``entry``'s first line, read again."""
        self._refs[entry] = digest | self.known

    def nbytes(self) -> int:
        """The bytes the table's arrays hold (without the arrays' spare capacity)."""
        arrays = (self._fingerprints, self._lines, self._refs, self._slots)
        return sum(len(a) * a.itemsize for a in arrays)

    def _widen_refs(self) -> None:
        # An offset past 2 GiB: references become 64-bit, the digest mark their top bit.
        wide = 1 << 63
        old, known = self._refs, self.known
        self._refs = array.array("Q", ((r & _BODY_BITS) | wide if r & known else r for r in old))
        self.known = wide

    def _resize(self, size: int) -> None:
        # Slots hold entry + 1 (0 is empty); repetition fills the array without a bytes copy.
        slots = array.array("i" if size <= 1 << 31 else "q", [0]) * size
        mask = size - 1
        for entry, fingerprint in enumerate(self._fingerprints, 1):
            slot = fingerprint & mask
            perturb = fingerprint
            while slots[slot]:
                perturb >>= 5
                slot = (slot * 5 + perturb + 1) & mask
            slots[slot] = entry
        self._slots, self._mask = slots, mask
        self._room = size * 4 // 5 - len(self._fingerprints)


def _duplicate(first: int, same: bool) -> Problem:
    """The ``duplicateRequestId`` problem of a line whose requestId line ``first`` used."""
    return build.duplicate_request_id(first, same=same)


# --------------------------------------------------------------------------- workers


def usable_cpus() -> int:
    """How many CPUs this process may run on (its affinity where the system tells it).

    >>> usable_cpus() >= 1
    True
    """
    affinity = getattr(os, "sched_getaffinity", None)
    if affinity is not None:
        try:
            return max(1, len(affinity(0)))
        except OSError:
            pass
    return max(1, os.cpu_count() or 1)


_WORKER: dict[str, t.Any] = {}

#: A block of whole lines: its first line number, its byte offset, and the lines.
_Block = tuple[int, int, "bytes | list[object]"]


def _init_worker(catalog: Catalog | None, body: int) -> None:
    import signal

    # Ctrl-C is the parent's to handle; a worker would otherwise print its own traceback.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _WORKER["catalog"] = catalog
    _WORKER["body"] = body


def _lines_of(block: bytes | list[object]) -> cabc.Iterable[object]:
    """The lines of a block, each with its line end (so that offsets add up)."""
    return io.BytesIO(block) if isinstance(block, bytes) else block


def _check_block(block: _Block) -> list[_Compact]:
    """Check a block of whole lines in a worker process."""
    first, offset, lines = block
    return list(_compact(_lines_of(lines), first, offset, _WORKER["catalog"], _WORKER["body"]))


def _blocks(source: object) -> cabc.Iterator[_Block]:
    """The batch cut into blocks of about :data:`_BLOCK_BYTES` of whole lines."""
    read = getattr(source, "read", None)
    first, offset = 1, 0
    if read is None:
        block: list[object] = []
        size = 0
        for item in t.cast("cabc.Iterable[object]", source):
            block.append(item)
            size += len(item) if isinstance(item, (bytes, str, bytearray)) else 1
            if size >= _BLOCK_BYTES:
                yield first, 0, block
                first += len(block)
                block, size = [], 0
        if block:
            yield first, 0, block
        return
    with contextlib.suppress(AttributeError, OSError, ValueError):
        offset = source.tell()  # type: ignore[attr-defined]
    parts: list[bytes] = []
    while data := read(_BLOCK_BYTES):
        cut = data.rfind(b"\n") + 1
        if not cut:
            parts.append(data)
            continue
        whole = b"".join([*parts, data[:cut]]) if parts else data[:cut]
        parts = [data[cut:]] if cut < len(data) else []
        yield first, offset, whole
        first += whole.count(b"\n")
        offset += len(whole)
    if parts:
        yield first, offset, b"".join(parts)


def _worker(connection: t.Any, catalog: Catalog | None, body: int) -> None:
    """A worker process: check each block the parent sends, until the parent hangs up."""
    _init_worker(catalog, body)
    while True:
        try:
            connection.send(_check_block(connection.recv()))
        except (EOFError, OSError):
            # The parent hung up (done, or failing): leave quietly.
            return


def _parallel(
    source: object, catalog: Catalog | None, jobs: int, body: int
) -> cabc.Iterator[_Compact]:
    """Check the batch in ``jobs`` processes, yielding its lines in order.

    A batch of one block is checked here, without starting a process. Each worker has its own
    pipe, of which the parent keeps only its end, and at most one block in flight, so memory
    stays flat however long the batch is and nothing can deadlock. A worker that dies (killed,
    out of memory) closes its pipe: the parent's next read fails at once, even in the middle
    of a message, where a shared multiprocessing queue would wait forever.
    """
    import multiprocessing

    blocks = _blocks(source)
    head = next(blocks, None)
    if head is None:
        return
    second = next(blocks, None)
    if second is None:
        yield from _compact(_lines_of(head[2]), head[0], head[1], catalog, body)
        return
    # Not "fork": the caller may have threads, which fork can deadlock.
    methods = multiprocessing.get_all_start_methods()
    context: t.Any = multiprocessing.get_context(
        "forkserver" if "forkserver" in methods else "spawn"
    )
    workers: list[tuple[t.Any, t.Any]] = []
    pending: collections.deque[t.Any] = collections.deque()
    died = MsgTemplatesError(
        "a worker process of check_batch died (killed, or out of memory); "
        "the batch was not checked to the end"
    )
    try:
        for _ in range(jobs):
            mine, theirs = context.Pipe()
            process = context.Process(target=_worker, args=(theirs, catalog, body), daemon=True)
            process.start()
            theirs.close()
            workers.append((process, mine))
        for number, block in enumerate(itertools.chain((head, second), blocks)):
            connection = workers[number % jobs][1]
            if len(pending) == jobs:
                # The oldest block in flight is this worker's: take its result first.
                try:
                    yield from pending.popleft().recv()
                except (EOFError, OSError):
                    raise died from None
            try:
                connection.send(block)
            except OSError:
                raise died from None
            pending.append(connection)
        while pending:
            try:
                yield from pending.popleft().recv()
            except (EOFError, OSError):
                raise died from None
    finally:
        for _, connection in workers:
            connection.close()
        for process, _ in workers:
            process.join(timeout=1)
            if process.is_alive():
                process.kill()
                process.join(timeout=1)


# --------------------------------------------------------------------------- the API


def check_batch(
    source: str
    | os.PathLike[str]
    | t.BinaryIO
    | _BinaryReadable
    | cabc.Iterable[bytes]
    | cabc.Iterable[str],
    /,
    *,
    catalog: Catalog | None = None,
    jobs: int = 1,
) -> cabc.Iterator[BatchVerdict]:
    """Check a JSON Lines batch of requests: one verdict per non-blank line, in line order.

    Each line gets every problem :func:`~msgtemplates.check_request` reports, and a line
    whose ``requestId`` an earlier line used gets a ``duplicateRequestId`` problem: an error
    when the body differs, a warning when it is the same (the same JSON written with other
    spacing or key order is the same body). A line that is not JSON (a form feed, nesting
    deeper than :data:`MAX_DEPTH`, a number with too many digits, bad UTF-8) is an
    ``invalidJson`` problem of that line, and the batch goes on. Lines split on ``\\n``; a blank
    line holds only spaces, tabs, CR and LF; a UTF-8 BOM opening the batch is skipped. Time is
    linear in the input; memory grows only with the number of distinct requestIds.

    :param source: a path (``str`` or :class:`os.PathLike`) of a JSON Lines file, a binary
        file object, or an iterable of lines (``bytes`` or ``str``, each item one line, with
        or without its line ending).
    :param catalog: also check each request against this catalog.
    :param jobs: check in up to this many processes (at most :func:`usable_cpus`); the
        verdicts are the same for every value.
    :returns: an iterator of :class:`BatchVerdict`; the source is read as it advances.
    :raises TypeError: for a ``source``, ``catalog`` or ``jobs`` of the wrong type.
    :raises ValueError: for ``jobs`` below 1.
    :raises OSError: when the path cannot be opened or the source cannot be read.
    :raises MsgTemplatesError: when a worker process dies before the batch is checked.

    >>> lines = ['{"requestId": "r1"}', "", '{ "requestId":"r1" }', "{oops"]
    >>> for verdict in check_batch(lines):
    ...     last = verdict.problems[-1]
    ...     print(verdict.line, verdict.request_id, last.code, last.severity)
    1 r1 required error
    3 r1 duplicateRequestId warning
    4 None invalidJson error
    """
    from .catalog import Catalog

    if catalog is not None and not isinstance(catalog, Catalog):
        raise TypeError(
            f"check_batch() catalog must be a Catalog or None, not {type(catalog).__name__}"
        )
    if type(jobs) is not int:
        raise TypeError(f"check_batch() jobs must be an int, not {type(jobs).__name__}")
    if jobs < 1:
        raise ValueError(f"check_batch() jobs must be at least 1, got {jobs}")
    is_path = isinstance(source, (str, os.PathLike))
    if isinstance(source, (bytes, bytearray, memoryview)) or not (
        is_path or hasattr(source, "read") or isinstance(source, cabc.Iterable)
    ):
        raise TypeError(
            "check_batch() source must be a path, a binary file object or an iterable of "
            f"lines, not {type(source).__name__}; for bytes in memory pass io.BytesIO(data)"
        )
    if is_path:
        # Opened now, so that a missing file raises here, not at the first verdict.
        handle = open(t.cast("str | os.PathLike[str]", source), "rb")  # noqa: SIM115
        return _closing(handle, _verdicts(handle, catalog, min(jobs, usable_cpus())))
    return _verdicts(source, catalog, min(jobs, usable_cpus()))


def _closing(
    handle: t.BinaryIO, verdicts: cabc.Iterator[BatchVerdict]
) -> cabc.Iterator[BatchVerdict]:
    with handle:
        yield from verdicts


def _verdicts(source: object, catalog: Catalog | None, jobs: int) -> cabc.Iterator[BatchVerdict]:
    if isinstance(source, io.TextIOBase):
        # Text lines: an iterable of str like any other, never read again.
        source = iter(source)
    reader = _Reader.of(source)
    if jobs > 1:
        body = _DIGEST if reader is None else _NOTHING
        compacts = _parallel(source, catalog, jobs, body)
    else:
        body = _DIGEST if reader is None else _PAYLOAD
        offset = 0
        if reader is not None:
            offset = t.cast(t.BinaryIO, source).tell()
        lines = t.cast("cabc.Iterable[object]", source)
        if hasattr(source, "read") and not isinstance(source, io.IOBase):
            # A file-like object without line iteration of its own.
            lines = (line for _, _, block in _blocks(source) for line in _lines_of(block))
        yield from _compact(lines, 1, offset, catalog, body, _RequestIds(), reader)
        return
    ids = _RequestIds()
    first = ids.first
    for lineno, start, length, problems, request_id, content in compacts:
        if request_id is not None:
            if body == _DIGEST:
                entry = first(request_id, lineno, t.cast(int, content or 0), True)
            else:
                entry = first(request_id, lineno, start, False)
            if entry >= 0:
                same = _same_body(ids, entry, reader, content, start, length, body)
                problems = (*problems, _duplicate(ids.line(entry), same))
        yield BatchVerdict(lineno, request_id, problems)


def _same_body(
    ids: _RequestIds,
    entry: int,
    reader: _Reader | None,
    content: object,
    start: int,
    length: int,
    body: int,
) -> bool:
    """Whether a repeat of ``entry``'s requestId has the same body as its first line."""
    try:
        if body == _DIGEST:
            here = t.cast("int | None", content)
        elif body == _PAYLOAD:
            here = _on_fresh_stack(_body_digest, content)
        else:
            here = _on_fresh_stack(_line_digest, t.cast(_Reader, reader).read(start, length))
        earlier = ids.digest(entry)
        if earlier is None and reader is not None:
            earlier = _on_fresh_stack(_line_digest, reader.line(ids.offset(entry)))
            if earlier is not None:
                ids.learn(entry, earlier)
    except RecursionError:
        return False
    return here is not None and here == earlier


# --------------------------------------------------------------------------- one request


def parse_request(data: bytes, /) -> tuple[object, Problem | None]:
    """Decode one request file (UTF-8 JSON, a leading BOM allowed), as the command line reads it.

    :returns: ``(payload, None)``, or ``(None, problem)`` with the ``invalidJson`` problem
        that says why the bytes are not one JSON value.

    >>> parse_request(b'{"a": 1}'), parse_request(b"  ")[1].message
    (({'a': 1}, None), 'the file is not valid JSON: it is empty')
    """
    if not isinstance(data, bytes | bytearray | memoryview):
        raise TypeError(f"data must be bytes, not {describe(data)}")
    data = bytes(data).removeprefix(b"\xef\xbb\xbf")
    if not data.strip():
        return None, build.invalid_json("file", "it is empty")
    if _too_deep(data):
        return None, build.invalid_json(
            "file", f"it nests arrays or objects too deeply (more than {MAX_DEPTH} levels)"
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        reason = f"byte {error.start + 1} is not UTF-8 (requests must be UTF-8 JSON)"
        return None, build.invalid_json("file", reason)
    try:
        return _on_fresh_stack(_DECODE, text), None
    except json.JSONDecodeError as error:
        detail = error.msg.removesuffix(" at")
        where = f"line {error.lineno}, column {error.colno}"
        return None, build.invalid_json("file", f"{detail[:1].lower()}{detail[1:]} at {where}")
    except _Unreadable as error:
        return None, build.invalid_json("file", str(error))
    except RecursionError:
        return None, build.invalid_json("file", "it nests arrays or objects too deeply to read")
    except ValueError:
        # The only other ValueError the decoder raises: an integer beyond Python's digit limit.
        return None, build.invalid_json("file", "a number has too many digits to read")


def check_bytes(data: bytes, /, *, catalog: Catalog | None = None) -> list[Problem]:
    """Every problem of a request given as its JSON body, for servers that hold bytes.

    A body that is not JSON is one ``invalidJson`` problem; otherwise this is
    :func:`~msgtemplates.check_request` of the decoded request.

    :param data: the request body, UTF-8 JSON.
    :param catalog: as for :func:`~msgtemplates.check_request`.
    :raises TypeError: ``data`` is not bytes, or ``catalog`` is of the wrong type.

    >>> [p.code for p in check_bytes(b'{"appId": 1}')][:2]
    ['type', 'required']
    """
    payload, invalid = parse_request(data)
    if invalid is not None:
        return [invalid]
    return check_request(payload, catalog=catalog)
