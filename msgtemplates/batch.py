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
import struct
import typing as t
from zlib import crc32 as _crc32

from . import problems as build
from .errors import MsgTemplatesError
from .problems import MESSAGE_LIMIT, Problem, cut, describe, one_line
from .validation import check_request, fastpath

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
# How many bytes one process reads at a time to cut into lines.
_PIECE_BYTES = 1 << 18


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
        # This one reads 1e400 as an infinity; without msgspec, digests take the standard
        # encoder's way, which keeps infinities apart (see _body_digest).
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


def _body_digest(payload: object, finite: bool = False) -> int:
    """A 31-bit digest of the canonical JSON of a parsed line (its "body"): its CRC-32.

    The same JSON written differently (spacing, key order) is the same body. msgspec writes the
    canonical text where it is installed, the standard encoder where msgspec cannot tell values
    apart (see below). A line nests at most :data:`MAX_DEPTH` levels, so neither C encoder
    overflows on its own; a caller's deep stack is left behind by :func:`_on_fresh_stack`.
    The digest is the same in every process (workers send it); zlib is small, where hashlib
    would map OpenSSL (3 MB) into a batch at its first repeated requestId, and 31 bits of
    BLAKE2b were no harder to match on purpose.

    :param finite: the payload surely holds no infinity (the fast parser gave it).
    """
    encode = _SORTED if _SORTED is not None else _sorted_encoder()
    if encode is not False:
        try:
            text = encode(payload)
        except (TypeError, ValueError):
            pass  # A lone surrogate (UTF-8 cannot hold it): the standard encoder's way.
        else:
            # msgspec writes an infinity (the standard parser reads 1e400 as one; msgspec
            # refuses it) as null, where the standard encoder keeps the two apart: a value that
            # holds one takes the standard way, so the way is a function of the value alone
            # (both parsers' payloads of a line get one digest).
            if finite or b"null" not in text or not _holds_infinity(payload):
                return _crc32(text) & _BODY_BITS
    return _crc32(_CANONICAL(payload).encode("utf-8", "surrogatepass")) & _BODY_BITS


def _holds_infinity(payload: object) -> bool:
    """Whether a parsed line holds a float that is not finite, at any depth."""
    stack = [payload]
    while stack:
        value = stack.pop()
        kind = type(value)
        if kind is float:
            if t.cast(float, value) - t.cast(float, value) != 0.0:  # NaN for inf and NaN
                return True
        elif kind is dict:
            stack.extend(t.cast(dict[object, object], value).values())
        elif kind is list:
            stack.extend(t.cast(list[object], value))
    return False


#: msgspec's JSON encoder with sorted keys, once loaded; ``False`` without msgspec.
_SORTED: t.Any = None


def _sorted_encoder() -> cabc.Callable[[object], bytes] | t.Literal[False]:
    """msgspec's JSON encoder with sorted keys: a canonical body at a fifth of the cost."""
    global _SORTED
    try:
        import msgspec
    except ImportError:
        _SORTED = False
    else:
        _SORTED = msgspec.json.Encoder(order="sorted").encode
    return t.cast("cabc.Callable[[object], bytes] | t.Literal[False]", _SORTED)


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
    return _on_new_stack(function, *args)


def _on_new_stack(function: cabc.Callable[..., _R], *args: object) -> _R:
    """``function(*args)`` on a new thread's empty stack (:func:`_on_fresh_stack`'s retry)."""
    # Loaded here, on the rare deep line: the check of one file never needs a thread.
    import threading

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


def _line_facts(raw: bytes) -> tuple[str | None, int | None]:
    """The requestId and body digest of a line read again; ``None`` for what it lacks."""
    try:
        payload = _parse(raw)
    except _Unreadable:
        return None, None
    request_id = payload.get("requestId") if type(payload) is dict else None
    return request_id if type(request_id) is str else None, _body_digest(payload)


def _line_digest(raw: bytes) -> int | None:
    """The body digest of a line read again, or ``None`` when it no longer parses."""
    try:
        return _body_digest(_parse(raw))
    except _Unreadable:
        return None


def _digest_of(payload: object, finite: bool = False) -> int | None:
    """The body digest of a parsed line, ``None`` when no stack is deep enough to encode it."""
    # _on_fresh_stack's two steps, inline: a pipe digests every line, so no *args call here.
    try:
        return _body_digest(payload, finite)
    except RecursionError:
        pass
    try:
        return _on_new_stack(_body_digest, payload, finite)
    except RecursionError:
        return None


class _Misfit:
    """In a block for a worker, in place of a line that was neither bytes nor str."""

    __slots__ = ("error",)

    def __init__(self, error: TypeError):
        self.error = error


def _as_bytes(item: object) -> bytes:
    """A line of the caller's as exact bytes; a subclass's own methods are never called."""
    kind = type(item)  # not isinstance: that would ask the object for its __class__
    if kind is _Misfit:
        raise t.cast(_Misfit, item).error
    if issubclass(kind, (bytes, bytearray, memoryview)):
        return b"".join((t.cast(bytes, item),))
    if issubclass(kind, str):
        return str.encode(t.cast(str, item), "utf-8", "surrogatepass")
    raise TypeError(f"check_batch() source lines must be bytes or str, got a {kind.__name__}")


# --------------------------------------------------------------------------- reading


def _pieces(read: cabc.Callable[[int], bytes]) -> cabc.Iterator[list[bytes]]:
    """The lines of a binary stream without their ``\\n``, a list per read of up to 256 KiB.

    Cutting big reads costs no more than reading line by line, for any object with a read
    method; a line longer than a read is joined from its parts once, so time stays linear.
    """
    parts: list[bytes] = []
    while data := read(_PIECE_BYTES):
        lines = data.split(b"\n")
        if len(lines) == 1:
            parts.append(data)
            continue
        if parts:
            parts.append(lines[0])
            lines[0] = b"".join(parts)
        last = lines.pop()
        parts = [last] if last else []
        yield lines
    if parts:
        yield [b"".join(parts)]


def _block_lines(lines: bytes | list[object]) -> cabc.Sequence[object]:
    """The lines of a block of :func:`_blocks` (whole lines of a stream, or the caller's)."""
    if not isinstance(lines, bytes):
        return lines
    pieces = lines.split(b"\n")
    if not pieces[-1]:
        pieces.pop()
    return pieces


# --------------------------------------------------------------------------- requestIds


class _Reader:
    """Reads lines of a seekable batch again, by byte offset, without moving its reader."""

    __slots__ = ("_fd", "_source")

    def __init__(self, source: t.BinaryIO, fd: int | None):
        self._source = source
        self._fd = fd

    @classmethod
    def of(cls, source: object) -> _Reader | None:
        """A reader for ``source``, or ``None`` when it cannot be read again (a pipe, an
        iterator); a list or tuple of lines gets a :class:`_LineList`."""
        if type(source) is list or type(source) is tuple:
            return _LineList(source)
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

    def line(self, offset: int, number: int = 0) -> bytes:
        """The line that starts at ``offset``, read in growing pieces up to its end.

        :param number: its line number, which a :class:`_LineList` reads it by instead.
        """
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


class _LineList(_Reader):
    """Reads lines of a list or tuple of lines again, by line number.

    The caller holds every line, so a repeated requestId's first line is looked up in place
    instead of each line's body being digested and kept as for a pipe. A line the caller has
    since removed, or replaced by something that is not a line, reads as empty (no requestId),
    as a line of a file that changed does.
    """

    __slots__ = ("_lines",)

    def __init__(self, lines: list[object] | tuple[object, ...]):
        super().__init__(t.cast(t.BinaryIO, None), None)
        self._lines = lines

    def read(self, offset: int, length: int) -> bytes:
        """Nothing: a list has lines, not bytes at offsets."""
        return b""

    def line(self, offset: int, number: int = 0) -> bytes:
        """Line ``number`` (from 1), without a UTF-8 BOM where it opens the batch."""
        try:
            raw = _as_bytes(self._lines[number - 1]) if number >= 1 else b""
        except (IndexError, TypeError):
            return b""
        return raw[3:] if number == 1 and raw.startswith(_BOM) else raw


_FACTS = struct.Struct("<iI")
# The length that marks a first line read again without a requestId (the file changed).
_NO_ID = 0xFFFF_FFFF


class _Spill:
    """What the table learnt about some requestIds: each one's text and body digest.

    Kept in an unnamed temporary file (:func:`tempfile.TemporaryFile`), not in memory, so that
    a batch that cannot be read again (a pipe, an iterator) still costs about 12 bytes of
    memory per distinct requestId while every duplicate is exact. Records are appended in a
    small buffer and written 16 KiB at a time; where no temporary file can be made or written
    (no room on the disk), the rest stay in memory.
    """

    __slots__ = ("_buffer", "_fd", "_file", "_in_memory", "_written")

    def __init__(self) -> None:
        self._buffer = bytearray()
        self._file: t.BinaryIO | None = None
        self._fd: int | None = None
        self._in_memory = False
        self._written = 0

    def add(self, request_id: str | None, digest: int | None) -> int:
        """Keep ``request_id`` and ``digest``; returns where, for :meth:`get`."""
        where = self._written + len(self._buffer)
        text = b"" if request_id is None else request_id.encode("utf-8", "surrogatepass")
        length = _NO_ID if request_id is None else len(text)
        self._buffer += _FACTS.pack(-1 if digest is None else digest, length)
        self._buffer += text
        if len(self._buffer) >= 1 << 14 and not self._in_memory:
            self._flush()
        return where

    def get(self, where: int) -> tuple[str | None, int | None]:
        """The requestId and digest kept at ``where``."""
        digest, length = _FACTS.unpack(self._read(where, _FACTS.size))
        text = None
        if length != _NO_ID:
            text = self._read(where + _FACTS.size, length).decode("utf-8", "surrogatepass")
        return text, None if digest < 0 else digest

    def close(self) -> None:
        """Remove the temporary file."""
        if self._file is not None:
            self._file.close()

    def _read(self, where: int, size: int) -> bytes:
        if where >= self._written:
            start = where - self._written
            return bytes(self._buffer[start : start + size])
        # Records go to the file whole, so one is either all in the file or all in the buffer.
        if self._fd is not None:
            return os.pread(self._fd, size, where)
        file = t.cast(t.BinaryIO, self._file)
        file.seek(where)
        return file.read(size)

    def _flush(self) -> None:
        if self._file is None:
            import tempfile

            try:
                self._file = t.cast(t.BinaryIO, tempfile.TemporaryFile())  # noqa: SIM115
            except OSError:
                # No temporary file: the records stay in memory, exact all the same.
                self._in_memory = True
                return
            if hasattr(os, "pread"):
                with contextlib.suppress(AttributeError, OSError, io.UnsupportedOperation):
                    self._fd = self._file.fileno()
        try:
            self._file.seek(self._written)
            self._file.write(self._buffer)
            self._file.flush()
        except OSError:
            # The disk is full: what is written stays readable, the rest stays in memory.
            self._in_memory = True
            return
        self._written += len(self._buffer)
        self._buffer.clear()


_U32 = 0xFFFF_FFFF
# The index starts with room for about 100,000 requestIds (512 KiB): growing it costs a
# probe per requestId already in it, which a batch of that size then never pays.
_FIRST_SLOTS = 1 << 17

#: What the probing loops bind of a :class:`_RequestIds`: the fingerprints, slots and mask,
#: the room left before the index grows, the spill mark, and the appends of three arrays.
_State = tuple[
    "array.array[int]",
    "array.array[int]",
    int,
    int,
    int,
    cabc.Callable[[int], None],
    cabc.Callable[[int], None],
    cabc.Callable[[int], None],
]


class _RequestIds:
    """The requestIds of a batch, each with its first line and body, in about 17 bytes each.

    A campaign has a new requestId on every line, so this table is what grows with the batch.
    It keeps no requestId in memory. Dense arrays hold each distinct requestId's 32-bit
    fingerprint (``hash()``), its first line number and a reference (12 bytes): the byte
    offset of a first line that can be read again, or, marked by the reference's top bit,
    where the :class:`_Spill` keeps the requestId's text and body digest. An open-addressing
    index of 32-bit slots, at most four fifths full, points into them (5 to 10 bytes more per
    requestId).

    A fingerprint that matches is only a candidate: the requestId it stands for is compared
    in full, read from the spill or from its first line. A first line is read again at most
    once (its requestId and digest then go to the spill), so time stays linear however often
    a requestId repeats, and two requestIds that share a fingerprint are never taken for one.
    The loops of :func:`_serial` and :func:`_merge` probe the index themselves (a method call
    per line would cost more than the probe); this class adds, grows and learns.

    Two different bodies of one requestId share a digest with probability ``2**-31``; that
    would report a conflict as a repeat (a warning instead of an error).

    >>> ids = _RequestIds(None)
    >>> ids.add(ids.free(7), 7, 1, 0, "a", 5, _DIGEST)
    >>> entry = ids.slots[7 & ids.mask] - 1
    >>> ids.line(entry), ids.facts(entry)
    (1, ('a', 5))
    """

    __slots__ = (
        "_reader",
        "_spill",
        "fingerprints",
        "known",
        "lines",
        "mask",
        "refs",
        "room",
        "slots",
    )

    def __init__(self, reader: _Reader | None) -> None:
        self.fingerprints: array.array[int] = array.array("I")
        self.lines: array.array[int] = array.array("I")
        self.refs: array.array[int] = array.array("I")
        #: The bit of a reference that marks it a place in the spill, not a line's offset.
        self.known = 1 << 31
        self.slots: array.array[int] = array.array("i")
        self.mask = 0
        self.room = 0
        self._reader = reader
        self._spill: _Spill | None = None
        self._resize(_FIRST_SLOTS)

    def state(self) -> _State:
        """What the probing loops bind: bind it again after a method call (it may grow)."""
        fingerprints, refs, lines = self.fingerprints, self.refs, self.lines
        return (
            fingerprints,
            self.slots,
            self.mask,
            self.room,
            self.known,
            fingerprints.append,
            lines.append,
            refs.append,
        )

    def free(self, fingerprint: int) -> int:
        """The first empty slot on ``fingerprint``'s probe path (for a doctest and tests)."""
        slots, mask = self.slots, self.mask
        slot = fingerprint & mask
        perturb = fingerprint
        while slots[slot]:
            perturb >>= 5
            slot = (slot * 5 + perturb + 1) & mask
        return slot

    def add(
        self,
        slot: int,
        fingerprint: int,
        line: int,
        offset: int,
        request_id: str,
        digest: int | None,
        body: int,
    ) -> None:
        """Remember a new requestId, found missing at ``slot`` (the probe's empty slot).

        :param offset: the byte offset of its line, kept where the batch can be read again.
        :param digest: the body digest, kept (with the requestId) where it cannot be.
        """
        if body == _DIGEST:
            where = self._spill_add(request_id, digest)
            if where >= self.known:
                self._widen_refs()
            ref = where | self.known
        else:
            if offset >= self.known:
                self._widen_refs()
            ref = offset
        self.fingerprints.append(fingerprint)
        self.slots[slot] = len(self.fingerprints)
        try:
            self.lines.append(line)
        except OverflowError:
            self.lines = array.array("Q", self.lines)
            self.lines.append(line)
        self.refs.append(ref)
        self.room -= 1
        if not self.room:
            self._resize(2 * len(self.slots))

    def facts(self, entry: int) -> tuple[str | None, int | None]:
        """The requestId and body digest of ``entry``'s first line.

        The first time, a first line that can be read again is read, and what it holds goes
        to the spill; ``None`` for what the line no longer holds (the file changed).
        """
        ref = self.refs[entry]
        if ref & self.known:
            return t.cast(_Spill, self._spill).get(ref ^ self.known)
        raw = t.cast(_Reader, self._reader).line(ref, self.lines[entry])
        try:
            request_id, digest = _on_fresh_stack(_line_facts, raw)
        except RecursionError:
            request_id, digest = None, None
        where = self._spill_add(request_id, digest)
        if where >= self.known:
            self._widen_refs()
        self.refs[entry] = where | self.known
        return request_id, digest

    def line(self, entry: int) -> int:
        """The first line of ``entry``."""
        return self.lines[entry]

    def close(self) -> None:
        """Remove the spill's temporary file."""
        if self._spill is not None:
            self._spill.close()

    def nbytes(self) -> int:
        """The bytes the table's arrays hold (without the arrays' spare capacity)."""
        arrays = (self.fingerprints, self.lines, self.refs, self.slots)
        return sum(len(a) * a.itemsize for a in arrays)

    def _spill_add(self, request_id: str | None, digest: int | None) -> int:
        if self._spill is None:
            self._spill = _Spill()
        return self._spill.add(request_id, digest)

    def _widen_refs(self) -> None:
        # An offset past 2 GiB: references become 64-bit, the spill mark their top bit.
        if self.refs.typecode == "Q":
            return
        wide = 1 << 63
        old, known = self.refs, self.known
        self.refs = array.array("Q", ((r ^ known) | wide if r & known else r for r in old))
        self.known = wide

    def _resize(self, size: int) -> None:
        # Slots hold entry + 1 (0 is empty); repetition fills the array without a bytes copy.
        # The old index goes first (it is rebuilt from the fingerprints), so that growing
        # never holds both.
        self.slots = array.array("i")
        slots = array.array("i" if size <= 1 << 31 else "q", [0]) * size
        mask = size - 1
        for entry, fingerprint in enumerate(self.fingerprints, 1):
            slot = fingerprint & mask
            perturb = fingerprint
            while slots[slot]:
                perturb >>= 5
                slot = (slot * 5 + perturb + 1) & mask
            slots[slot] = entry
        self.slots, self.mask = slots, mask
        self.room = size * 4 // 5 - len(self.fingerprints)


def _duplicate(first: int, same: bool) -> Problem:
    """The ``duplicateRequestId`` problem of a line whose requestId line ``first`` used."""
    return build.duplicate_request_id(first, same=same)


_new = object.__new__
_set_line = t.cast(t.Any, BatchVerdict).line.__set__
_set_id = t.cast(t.Any, BatchVerdict).request_id.__set__
_set_problems = t.cast(t.Any, BatchVerdict).problems.__set__


# --------------------------------------------------------------------------- checking lines

# What the body of a line with a requestId is sent on as: the payload itself (checked here),
# its digest (the batch cannot be read again), or nothing (the parent reads the line again).
_PAYLOAD, _DIGEST, _NOTHING = 0, 1, 2


def _serial(
    pieces: cabc.Iterable[cabc.Iterable[object]],
    catalog: Catalog | None,
    offset: int,
    reader: _Reader | None,
    handle: t.BinaryIO | None,
) -> cabc.Iterator[BatchVerdict]:
    """The verdict of each non-blank line, checked in this process.

    ``pieces`` hold the lines in order; ``offset`` is the byte offset of the first one,
    where the batch can be read again (by ``reader``). A UTF-8 BOM opening line 1 is skipped.
    ``handle`` (a file opened for the caller) is closed at the end.
    This loop is the cost of a batch beyond the parse and ``check_request``, so a typical
    line calls no helper of its own: the requestId index is probed here, and the verdict is
    made without the dataclass's ``__init__`` (which sets each frozen field the slow way).
    """
    parse: cabc.Callable[[bytes], t.Any] = _fast_loads()
    check, count = check_request, bytes.count
    # The dict path's test, made on the first line that needs it (where the struct path
    # takes every line, none does).
    clean: cabc.Callable[[object], bool] | None = None
    # The struct path, where a first line can be read again (its body is digested only for a
    # repeated requestId, from the dict then parsed), and where the catalog's quick test is
    # Catalog's own (a subclass's is asked of the dict).
    struct = _struct_path(catalog) if reader is not None else None
    decode, clean_struct = struct if struct is not None else (None, _never_clean)
    new, set_line, set_id, set_problems = _new, _set_line, _set_id, _set_problems
    verdict_class, space, u32, deepest = BatchVerdict, _SPACE, _U32, MAX_DEPTH
    ids = _RequestIds(reader)
    fingerprints, slots, mask, room, known, add_fingerprint, add_line, add_ref = ids.state()
    # Offsets below this are kept in the index as they are (where the batch can be read again).
    plain = known if reader is not None else -1
    lineno = 0
    try:
        for piece in pieces:
            for raw in piece:
                lineno += 1
                if type(raw) is not bytes:
                    raw = _as_bytes(raw)
                start = offset
                offset += len(raw) + 1
                # The fastest way of a typical line: msgspec decodes it into the Structs,
                # which check types, lengths and members in C, and the generated test asks
                # the rest. Whatever they refuse goes the dict way below.
                try:
                    decoded = None if decode is None else decode(raw)
                except ValueError:
                    decoded = None
                if (
                    decoded is not None
                    and clean_struct(decoded)
                    and (catalog is None or catalog._struct_clean(decoded, len(raw)))
                ):
                    problems: tuple[Problem, ...] = ()
                    request_id = t.cast(t.Any, decoded).requestId
                    payload, finite = None, True
                # The fast way of a typical line. A line without problems nests at most 4
                # levels (the schema's) and holds a string requestId; only a line with
                # problems needs its brackets counted. Whatever the fast parser refuses
                # (blank lines and a BOM too) and a line nested too deeply go below.
                else:
                    try:
                        payload = parse(raw)
                        # The fast parser gives no infinity (see _body_digest).
                        finite = True
                        # check_request's own first step, without its call: a clean line is done.
                        try:
                            if clean is None:
                                clean = fastpath.request_test()
                            passed = clean(payload)
                        except Exception:
                            passed = False  # check_request says what went wrong
                        if passed and (
                            catalog is None or catalog.request_clean(payload, text_length=len(raw))
                        ):
                            found = None
                        else:
                            found = check(payload, catalog=catalog)
                        if found:
                            if count(raw, b"[") + count(raw, b"{") > deepest:
                                raise _Unreadable
                            problems = tuple(found)
                            request_id = payload.get("requestId") if type(payload) is dict else None
                            if type(request_id) is not str:
                                request_id = None
                        else:
                            problems = ()
                            request_id = payload["requestId"]
                    except (_Unreadable, ValueError, StopIteration, RecursionError):
                        if lineno == 1 and raw.startswith(_BOM):
                            raw = raw[3:]
                            start += 3
                        # A line that starts with anything but JSON whitespace is not blank; JSON
                        # whitespace only (not a form feed or vertical tab, which the parser
                        # refuses) is.
                        if not raw or (raw[0] in space and not raw.strip(b" \t\r\n")):
                            continue
                        problems, request_id, payload = _checked_slowly(raw, catalog)
                        finite = False
                if request_id is not None:
                    fingerprint = hash(request_id) & u32
                    slot = fingerprint & mask
                    perturb = fingerprint
                    while entry := slots[slot]:
                        if fingerprints[entry - 1] == fingerprint:
                            ids.room = room
                            first_id, digest = ids.facts(entry - 1)
                            fingerprints, slots, mask, room, known, *appends = ids.state()
                            add_fingerprint, add_line, add_ref = appends
                            plain = known if reader is not None else -1
                            if first_id == request_id:
                                if payload is None:
                                    # Decoded into the Structs: the digest is of the dict.
                                    payload = parse(raw)
                                here = _digest_of(payload, finite)
                                same = here is not None and here == digest
                                problems = (*problems, _duplicate(ids.line(entry - 1), same))
                                break
                        perturb >>= 5
                        slot = (slot * 5 + perturb + 1) & mask
                    else:
                        if start < plain and room > 1:
                            # A new requestId, as _RequestIds.add would add it.
                            add_fingerprint(fingerprint)
                            slots[slot] = len(fingerprints)
                            add_line(lineno)
                            add_ref(start)
                            room -= 1
                        else:
                            ids.room = room
                            # Let go of the index: growing it frees the old one first.
                            del slots
                            body = _PAYLOAD if reader is not None else _DIGEST
                            digest = None if body == _PAYLOAD else _digest_of(payload, finite)
                            ids.add(slot, fingerprint, lineno, start, request_id, digest, body)
                            fingerprints, slots, mask, room, known, *appends = ids.state()
                            add_fingerprint, add_line, add_ref = appends
                            plain = known if reader is not None else -1
                verdict = new(verdict_class)
                set_line(verdict, lineno)
                set_id(verdict, request_id)
                set_problems(verdict, problems)
                yield verdict
    finally:
        ids.close()
        if handle is not None:
            handle.close()


def _struct_path(
    catalog: Catalog | None,
) -> tuple[cabc.Callable[[bytes], object], cabc.Callable[[object], bool]] | None:
    """The struct path's decoder and clean test, where a batch with ``catalog`` may take it.

    Not where the catalog's quick test is a subclass's own (that one is asked of the dict),
    nor for a ``catalog`` that is not a Catalog at all (the dict path says what is wrong).
    """
    if catalog is not None:
        from .catalog import Catalog

        kind = type(catalog)
        if not issubclass(kind, Catalog) or kind.request_clean is not Catalog.request_clean:
            return None
    return fastpath.struct_test()


def _never_clean(value: object) -> bool:
    """The struct path's test where there is no struct path (never called: nothing decodes)."""
    return False


def _checked_slowly(raw: bytes, catalog: Catalog | None) -> _Checked:
    """:func:`_check_line` on a fresh stack where this one is too deep."""
    try:
        return _on_fresh_stack(_check_line, raw, catalog)
    except RecursionError:
        return (build.invalid_json("line", _TOO_LOW),), None, None


#: What a worker sends back for a block: the line number (within the block), requestId,
#: reference (byte offset, or body digest) and problems of each non-blank line, as four lists
#: (quick to pickle), and how many lines the block held, or the exception to raise once the
#: lines before it have their verdicts (a TypeError where a line of the caller's was neither
#: bytes nor str; whatever else stopped the block).
_Result = tuple[
    list[int], "list[str | None]", "list[int | None]", list[tuple[Problem, ...]], "int | Exception"
]


def _check_block(
    lines: cabc.Sequence[object], opening: bool, offset: int, catalog: Catalog | None, body: int
) -> _Result:
    """Check a block of lines, numbered from 1; byte offsets start at ``offset``.

    :param opening: whether the block opens the batch (where a BOM is skipped).
    :returns: the verdicts' parts, then the block's line count, or in its place the exception
        that stopped the block after the lines before it, for :func:`_merge` to raise in line
        order, where :func:`_serial` would have raised it.
    """
    result: _Result = ([], [], [], [], 0)
    try:
        return _check_lines(lines, opening, offset, catalog, body, result)
    except Exception as error:
        # Not a line's problem (a bug, no memory, a catalog subclass's own exception): the
        # lines before it keep their verdicts.
        return (*result[:4], error)


def _check_lines(
    lines: cabc.Sequence[object],
    opening: bool,
    offset: int,
    catalog: Catalog | None,
    body: int,
    result: _Result,
) -> _Result:
    """:func:`_check_block`'s loop, adding each line's parts to the lists of ``result``."""
    parse, check, count = _fast_loads(), check_request, bytes.count
    clean: cabc.Callable[[object], bool] | None = None
    # As in _serial: the struct path where bodies are not digested.
    struct = _struct_path(catalog) if body != _DIGEST else None
    decode, clean_struct = struct if struct is not None else (None, _never_clean)
    numbers, request_ids, references, found_problems, _ = result
    lineno = 0
    for raw in lines:
        lineno += 1
        if type(raw) is not bytes:
            try:
                raw = _as_bytes(raw)
            except TypeError as error:
                # Raised in line order by _merge, as _serial raises it, not here in a worker.
                return numbers, request_ids, references, found_problems, error
        start = offset
        offset += len(raw) + 1
        if opening and lineno == 1 and raw.startswith(_BOM):
            raw = raw[3:]
            start += 3
        if not raw or (raw[0] in _SPACE and not raw.strip(b" \t\r\n")):
            continue
        try:
            decoded = None if decode is None else decode(raw)
        except ValueError:
            decoded = None
        if (
            decoded is not None
            and clean_struct(decoded)
            and (catalog is None or catalog._struct_clean(decoded, len(raw)))
        ):
            problems: tuple[Problem, ...] = ()
            request_id = t.cast(t.Any, decoded).requestId
            payload, finite = None, True
        else:
            try:
                payload = parse(raw)
                finite = True
                # As in _serial: the clean test first, check_request only for a line it refuses.
                try:
                    if clean is None:
                        clean = fastpath.request_test()
                    passed = clean(payload)
                except Exception:
                    passed = False
                if passed and (
                    catalog is None or catalog.request_clean(payload, text_length=len(raw))
                ):
                    found = None
                else:
                    found = check(payload, catalog=catalog)
                if found:
                    if count(raw, b"[") + count(raw, b"{") > MAX_DEPTH:
                        raise _Unreadable
                    problems = tuple(found)
                else:
                    problems = ()
                request_id = payload.get("requestId") if type(payload) is dict else None
                if type(request_id) is not str:
                    request_id = None
            except (_Unreadable, ValueError, StopIteration, RecursionError):
                problems, request_id, payload = _checked_slowly(raw, catalog)
                finite = False
        reference: int | None
        if request_id is None:
            reference = None
        elif body == _DIGEST:
            reference = _digest_of(payload, finite)
        else:
            reference = start
        # All four after whatever could raise, so that the lists stay in step.
        found_problems.append(problems)
        numbers.append(lineno)
        request_ids.append(request_id)
        references.append(reference)
    return numbers, request_ids, references, found_problems, len(lines)


def _merge(
    results: cabc.Iterable[_Result], reader: _Reader | None, handle: t.BinaryIO | None
) -> cabc.Iterator[BatchVerdict]:
    """The verdicts of checked blocks, in order, with the duplicate requestIds among them.

    As in :func:`_serial`, the requestId index is probed and filled here, not by a method.
    """
    new, set_line, set_id, set_problems = _new, _set_line, _set_id, _set_problems
    verdict_class, u32 = BatchVerdict, _U32
    body = _DIGEST if reader is None else _NOTHING
    ids = _RequestIds(reader)
    fingerprints, slots, mask, room, known, add_fingerprint, add_line, add_ref = ids.state()
    plain = known if reader is not None else -1
    try:
        base = 0
        for numbers, request_ids, references, found, size in results:
            for number, request_id, reference, problems in zip(
                numbers, request_ids, references, found, strict=True
            ):
                lineno = base + number
                if request_id is not None:
                    fingerprint = hash(request_id) & u32
                    slot = fingerprint & mask
                    perturb = fingerprint
                    while entry := slots[slot]:
                        if fingerprints[entry - 1] == fingerprint:
                            ids.room = room
                            first_id, digest = ids.facts(entry - 1)
                            fingerprints, slots, mask, room, known, *appends = ids.state()
                            add_fingerprint, add_line, add_ref = appends
                            plain = known if reader is not None else -1
                            if first_id == request_id:
                                here = (
                                    reference
                                    if body == _DIGEST
                                    else _reread_digest(
                                        t.cast(_Reader, reader), t.cast(int, reference), lineno
                                    )
                                )
                                same = here is not None and here == digest
                                problems = (*problems, _duplicate(ids.line(entry - 1), same))
                                break
                        perturb >>= 5
                        slot = (slot * 5 + perturb + 1) & mask
                    else:
                        if reference is not None and reference < plain and room > 1:
                            # A new requestId, as _RequestIds.add would add it.
                            add_fingerprint(fingerprint)
                            slots[slot] = len(fingerprints)
                            add_line(lineno)
                            add_ref(reference)
                            room -= 1
                        else:
                            ids.room = room
                            # Let go of the index: growing it frees the old one first.
                            del slots
                            if body == _DIGEST:
                                ids.add(slot, fingerprint, lineno, 0, request_id, reference, body)
                            else:
                                offset = t.cast(int, reference)
                                ids.add(slot, fingerprint, lineno, offset, "", None, body)
                            fingerprints, slots, mask, room, known, *appends = ids.state()
                            add_fingerprint, add_line, add_ref = appends
                            plain = known if reader is not None else -1
                verdict = new(verdict_class)
                set_line(verdict, lineno)
                set_id(verdict, request_id)
                set_problems(verdict, problems)
                yield verdict
            if type(size) is not int:
                raise t.cast(Exception, size)
            base += size
    finally:
        ids.close()
        if handle is not None:
            handle.close()


def _reread_digest(reader: _Reader, offset: int, number: int) -> int | None:
    """The body digest of line ``number`` at ``offset``, read again; ``None`` without one."""
    try:
        return _on_fresh_stack(_line_digest, reader.line(offset, number))
    except RecursionError:
        return None


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


#: A block of whole lines: whether it opens the batch, its byte offset, and the lines (or, for
#: a file every process can read at an offset, how many bytes of it the block spans).
_Block = tuple[bool, int, "bytes | list[object] | int"]
# How far past a block's nominal end one read looks for the end of its last line.
_WINDOW = 1 << 16


def _spans(source: t.BinaryIO, fd: int) -> cabc.Iterator[_Block]:
    """The blocks of a regular file from where ``source`` stands, as spans the workers read.

    Only the ends of the blocks are read here (a small window past each nominal end, up to the
    next line end), so the parent never copies the batch into a pipe; each worker reads its
    span with ``os.pread`` from the file descriptor it inherited. Once the last span is out,
    ``source`` is left at the end of the file, as a batch read from it would leave it.
    """
    opening, offset = True, source.tell()
    while True:
        end = offset + _BLOCK_BYTES
        while data := os.pread(fd, _WINDOW, end):
            cut = data.find(b"\n")
            if cut >= 0:
                end += cut + 1
                break
            end += len(data)
        else:
            # The last block: whatever the file holds from here.
            end = max(offset, os.fstat(fd).st_size)
        if end <= offset:
            source.seek(offset)
            return
        yield opening, offset, end - offset
        opening = False
        offset = end


def _read_span(fd: int, offset: int, length: int) -> bytes:
    """``length`` bytes of the file at ``offset`` (fewer where it ends sooner)."""
    parts = []
    while length > 0 and (data := os.pread(fd, length, offset)):
        parts.append(data)
        offset += len(data)
        length -= len(data)
    return parts[0] if len(parts) == 1 else b"".join(parts)


def _blocks(source: object) -> cabc.Iterator[_Block]:
    """The batch cut into blocks of about :data:`_BLOCK_BYTES` of whole lines.

    The lines are not counted here (a count costs as much as a worker's split): each worker
    says how many lines its block held.
    """
    read = getattr(source, "read", None)
    opening, offset = True, 0
    if read is None:
        block: list[object] = []
        size = 0
        for item in t.cast("cabc.Iterable[object]", source):
            kind = type(item)
            if kind is not bytes and kind is not str:
                # Only exact bytes and str go to a worker: pickling a subclass runs its
                # code, a memoryview does not pickle, and a line of no line type is a misfit
                # whose TypeError the worker returns in its place.
                try:
                    item = _as_bytes(item)
                except TypeError as error:
                    item = _Misfit(error)
            block.append(item)
            size += len(item) if type(item) is not _Misfit else 1  # type: ignore[arg-type]
            if size >= _BLOCK_BYTES:
                yield opening, 0, block
                opening = False
                block, size = [], 0
        if block:
            yield opening, 0, block
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
        yield opening, offset, whole
        opening = False
        offset += len(whole)
    if parts:
        yield opening, offset, b"".join(parts)


def _checked_block(
    block: _Block, catalog: Catalog | None, body: int, fd: int | None = None
) -> _Result:
    opening, offset, lines = block
    if type(lines) is int:
        lines = _read_span(t.cast(int, fd), offset, lines)
    return _check_block(
        _block_lines(t.cast("bytes | list[object]", lines)), opening, offset, catalog, body
    )


def _worker(
    connection: t.Any,
    catalog: Catalog | None,
    body: int,
    inherited: list[t.Any],
    fd: int | None = None,
) -> None:
    """A worker process: check each block the parent sends, until the parent hangs up.

    :param inherited: the parent's ends of the pipes, which a forked worker holds copies of:
        closed first, so that the parent hanging up (or dying) ends every worker at once.
    :param fd: the batch's file descriptor, inherited, where blocks come as spans of it.
    """
    import signal

    for end in inherited:
        end.close()
    # Ctrl-C is the parent's to handle; a worker would otherwise print its own traceback.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    while True:
        try:
            block = connection.recv()
        except (EOFError, OSError):
            # The parent hung up (done, or failing): leave quietly.
            return
        try:
            # Whatever stops the block arrives in its result, for the parent to raise.
            result = _checked_block(block, catalog, body, fd)
        except Exception as error:
            result = ([], [], [], [], error)
        try:
            connection.send(result)
        except (EOFError, OSError):
            return
        except Exception:
            # Pickling failed before anything was written: the exception does not pickle.
            connection.send((*result[:4], _portable(t.cast(Exception, result[4]))))


def _portable(error: Exception) -> MsgTemplatesError:
    """An exception of a worker's that does not pickle, as one that does, saying what it was."""
    try:
        text = one_line(cut(str(error), MESSAGE_LIMIT))
    except Exception:
        text = "its message could not be read"
    return MsgTemplatesError(
        f"check_batch() stopped on {type(error).__name__} in a worker process: {text}"
    )


def _start_method() -> str:
    """How to start workers: "fork" where this process runs one thread, else never "fork".

    A fork copies this process as it is, so a worker is ready at once, with the modules and
    the catalog loaded; but a thread of the caller's might hold a lock the copy would then
    wait on forever, so a process with more than one thread (counted by the system, so that
    threads started outside Python count too) starts them from a fork server instead.
    """
    import multiprocessing

    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods:
        try:
            if len(os.listdir("/proc/self/task")) == 1:
                return "fork"
        except OSError:
            pass
    return "forkserver" if "forkserver" in methods else "spawn"


def _regular_file(source: object) -> int | None:
    """The file descriptor of ``source`` where it is a regular file read at offsets, else None."""
    import stat

    try:
        fd = t.cast(t.BinaryIO, source).fileno()
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        os.pread(fd, 0, 0)
        t.cast(t.BinaryIO, source).tell()
    except (AttributeError, OSError, ValueError, io.UnsupportedOperation):
        return None
    return fd


def _warm(block: _Block, catalog: Catalog | None, body: int, fd: int | None) -> None:
    """Check the first line of ``block`` here and forget the verdict, before workers fork.

    The first check in a process compiles and learns what every later check reuses (about
    30 ms); a worker forked after it starts with all of that, instead of each paying it again.
    Whatever goes wrong is left for the real check of the block to report.
    """
    opening, offset, lines = block
    with contextlib.suppress(Exception):
        if type(lines) is int:
            lines = _read_span(t.cast(int, fd), offset, min(lines, _WINDOW))
        if isinstance(lines, bytes):
            first: bytes | list[object] = lines[: lines.find(b"\n") + 1 or len(lines)]
        else:
            first = t.cast("list[object]", lines)[:1]
        _check_block(_block_lines(first), opening, offset, catalog, body)


def _parallel(
    source: object, catalog: Catalog | None, jobs: int, body: int
) -> cabc.Iterator[_Result]:
    """Check the batch in ``jobs`` processes, yielding block results in order.

    ``jobs - 1`` workers and this process, which also merges the results: with as many
    processes as cores, the merging never waits for a core (one worker per core beside it was
    measurably slower on two cores). A batch of one block is checked here, without starting a
    process. Each worker has its own pipe, of which the parent keeps only its end, and one
    block in flight (two where blocks are spans of a file, so that it never waits for the
    parent); while the oldest block is not back (the workers are still starting, or busy), the
    parent checks the next block itself, up to a few blocks ahead, so memory stays flat however
    long the batch is and nothing can deadlock. A worker that dies (killed, out of memory)
    closes its pipe: the parent's next read fails at once, even in the middle of a message,
    where a shared multiprocessing queue would wait forever.
    """
    import multiprocessing

    method = _start_method()
    # A forked worker shares the batch's file descriptor: it reads its blocks itself.
    fd = _regular_file(source) if method == "fork" else None
    blocks = _blocks(source) if fd is None else _spans(t.cast(t.BinaryIO, source), fd)
    head = next(blocks, None)
    if head is None:
        return
    second = next(blocks, None)
    if second is None:
        yield _checked_block(head, catalog, body, fd)
        return
    context: t.Any = multiprocessing.get_context(method)
    workers: list[tuple[t.Any, t.Any]] = []
    # Blocks in line order: a worker's connection, or the result checked here.
    order: collections.deque[tuple[t.Any, _Result | None]] = collections.deque()
    ahead = 2 * jobs + 2
    # A span is a few bytes to send, so each worker holds the next one while it checks: it
    # never waits for the parent. A block of bytes goes one at a time, or a worker writing its
    # result and the parent writing it a block could wait on each other.
    depth = 2 if fd is not None else 1
    stream = itertools.chain((head, second), blocks)
    exhausted = False
    died = MsgTemplatesError(
        "a worker process of check_batch died (killed, or out of memory); "
        "the batch was not checked to the end"
    )
    if method == "fork":
        _warm(head, catalog, body, fd)
    try:
        for _ in range(jobs - 1):
            mine, theirs = context.Pipe()
            inherited = [end for _, end in workers] + [mine] if method == "fork" else []
            process = context.Process(
                target=_worker, args=(theirs, catalog, body, inherited, fd), daemon=True
            )
            process.start()
            theirs.close()
            workers.append((process, mine))
        idle: list[t.Any] = [end for _ in range(depth) for _, end in workers]
        while True:
            while idle and not exhausted and len(order) < ahead:
                block = next(stream, None)
                if block is None:
                    exhausted = True
                    break
                connection = idle.pop()
                try:
                    connection.send(block)
                except OSError:
                    raise died from None
                order.append((connection, None))
            if not order:
                return
            connection, result = order[0]
            if connection is not None:
                try:
                    ready = connection.poll()
                except (EOFError, OSError):
                    raise died from None
                if not ready and not exhausted and len(order) < ahead:
                    # The oldest block is not back: check the next one here meanwhile.
                    block = next(stream, None)
                    if block is None:
                        exhausted = True
                    else:
                        order.append((None, _checked_block(block, catalog, body, fd)))
                    continue
                try:
                    result = connection.recv()
                except (EOFError, OSError):
                    raise died from None
                # Its next block goes out (above) before this one is merged.
                idle.append(connection)
                order[0] = (None, result)
                continue
            order.popleft()
            yield t.cast(_Result, result)
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
    linear in the input; memory grows only with the number of distinct requestIds (about 20
    bytes each). Duplicates are exact: two requestIds are compared in full, never by a hash
    alone. A source that cannot be read again (a pipe, an iterator of lines) keeps each
    requestId's text and body digest in an unnamed temporary file for that.

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
    if catalog is not None:
        # Imported only here: a batch without a catalog never loads that module.
        from .catalog import Catalog

        # The real type: a mock or an object whose __class__ lies is no Catalog.
        if not issubclass(type(catalog), Catalog):
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
        try:
            return _verdicts(handle, catalog, min(jobs, usable_cpus()), handle)
        except BaseException:
            handle.close()
            raise
    return _verdicts(source, catalog, min(jobs, usable_cpus()), None)


def _verdicts(
    source: object, catalog: Catalog | None, jobs: int, handle: t.BinaryIO | None
) -> cabc.Iterator[BatchVerdict]:
    """The generator of the verdicts, made here so that no generator wraps it: each verdict
    passes through one generator, which closes ``handle`` (a file opened for the caller)."""
    if isinstance(source, io.TextIOBase):
        # Text lines: an iterable of str like any other, never read again.
        source = iter(source)
    reader = _Reader.of(source)
    if jobs > 1:
        body = _DIGEST if reader is None else _NOTHING
        return _merge(_parallel(source, catalog, jobs, body), reader, handle)
    offset = 0
    if type(reader) is _Reader:  # a file; a _LineList starts at offset 0
        offset = t.cast(t.BinaryIO, source).tell()
    # read1: what is there, up to a piece (a pipe's lines are checked as they come).
    read = getattr(source, "read1", None) or getattr(source, "read", None)
    if read is not None:
        pieces: cabc.Iterable[cabc.Iterable[object]] = _pieces(read)
    else:
        pieces = (t.cast("cabc.Iterable[object]", source),)
    return _serial(pieces, catalog, offset, reader, handle)


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
    if type(data) is bytes:
        # A valid body is done on the struct path, as a batch's line is (see _serial).
        struct = _struct_path(catalog)
        if struct is not None:
            decode, clean = struct
            try:
                decoded = decode(data)
            except ValueError:
                decoded = None
            if (
                decoded is not None
                and clean(decoded)
                and (catalog is None or catalog._struct_clean(decoded, len(data)))
            ):
                return []
    payload, invalid = parse_request(data)
    if invalid is not None:
        return [invalid]
    return check_request(payload, catalog=catalog)
