"""Campaign sending: a JSON Lines campaign through a Sender, rate-limited, with a resumable ledger.

This module owns the ledger's format and the rule of resuming: a request whose ledger line is
final (status S or A, or F with no retry) is never sent again; anything else (U, a retryable
F, a request not sent) is sent again on a rerun, with the same requestId, so a campaign that
crashed or was interrupted can simply be run again.
"""

from __future__ import annotations

import collections.abc as cabc
import dataclasses
import hashlib
import json
import os
import time
import typing as t

from .errors import RequestInvalid, SignatureInvalid
from .problems import secret_of

if t.TYPE_CHECKING:
    from .catalog import Catalog
    from .send import Sender

__all__ = ["CampaignSummary", "LedgerEntry", "read_ledger", "send_campaign", "send_file"]

Source = t.Union[str, "os.PathLike[str]", cabc.Iterable[object]]
Progress = cabc.Callable[[int, "int | None", "LedgerEntry"], object]


@dataclasses.dataclass(frozen=True, slots=True)
class LedgerEntry:
    """One line of the ledger: what became of one request of the campaign.

    :param line: the request's 1-based line in the campaign file (its position, for an
        iterable; 1 for a single ``.json`` request).
    :param request_id: its requestId, or ``None`` when it has none that can be read.
    :param status: the last outcome's status (``"S"``, ``"A"``, ``"U"``, ``"F"``), or ``None``
        when nothing was sent (the request has errors).
    :param code: the last outcome's code; ``"REQUEST_INVALID"`` or ``"INVALID_JSON"`` when
        nothing was sent, ``"SIGNATURE_INVALID"`` when the answer could not be trusted.
    :param attempts: how many requests were sent for it in this run.
    :param final: the outcome is final and a rerun skips the request.
    :param message: the outcome's message, or the first error of an invalid request.
    :param digest: SHA-256 (hex) of the request without its ``accessToken``, as canonical
        JSON: a rerun skips a request only when the final line is for this same content, so a
        requestId reused with another body is still sent (and refused by the wallet).
    """

    line: int
    request_id: str | None
    status: str | None
    code: str
    attempts: int
    final: bool
    message: str | None = None
    digest: str | None = None

    def as_dict(self) -> dict[str, object]:
        """The ledger line's JSON object: ``line``, ``requestId``, ``status``, ``code``, ...

        >>> LedgerEntry(3, "R3", "S", "SUCCESS", 1, True).as_dict()["requestId"]
        'R3'
        """
        return {
            "line": self.line,
            "requestId": self.request_id,
            "status": self.status,
            "code": self.code,
            "attempts": self.attempts,
            "final": self.final,
            "message": self.message,
            "digest": self.digest,
        }


@dataclasses.dataclass(frozen=True, slots=True)
class CampaignSummary:
    """The counts of one run of :func:`send_campaign`.

    :param total: requests read from the source (blank lines aside).
    :param skipped: requests not sent because the ledger already holds a final outcome.
    :param succeeded: sent in this run with status S.
    :param accepted: sent in this run with status A.
    :param failed: sent in this run with a final F.
    :param pending: sent in this run and not final (U, or an F that may be retried): a
        rerun sends them again.
    :param invalid: not sent because they have errors (or are not JSON).
    """

    total: int
    skipped: int
    succeeded: int
    accepted: int
    failed: int
    pending: int
    invalid: int

    @property
    def complete(self) -> bool:
        """Every request has a final outcome (nothing is pending, nothing is invalid)."""
        return self.pending == 0 and self.invalid == 0


class _Bucket:
    """A token bucket: ``rate`` tokens a second, at most ``burst`` saved up."""

    def __init__(
        self,
        rate: float,
        burst: int,
        clock: cabc.Callable[[], float],
        sleep: cabc.Callable[[float], object],
    ) -> None:
        self._rate = rate
        self._burst = float(burst)
        self._clock = clock
        self._sleep = sleep
        self._tokens = float(burst)
        self._stamp = clock()

    def take(self) -> None:
        now = self._clock()
        self._tokens = min(self._burst, self._tokens + (now - self._stamp) * self._rate)
        self._stamp = now
        if self._tokens < 1.0:
            self._sleep((1.0 - self._tokens) / self._rate)
            now = self._clock()
            self._tokens = min(self._burst, self._tokens + (now - self._stamp) * self._rate)
            self._stamp = now
            # The sleep was for exactly the missing share: the token is ours even if the
            # clock says a hair less.
            self._tokens = max(self._tokens, 1.0)
        self._tokens -= 1.0


def read_ledger(path: str | os.PathLike[str], /) -> list[LedgerEntry]:
    """The entries of a ledger file, in order; a line that cannot be read is left out.

    A crash can leave a torn last line; it holds no final outcome, so dropping it is safe.

    :param path: the ledger file; a missing file is an empty ledger.
    :returns: the entries.
    """
    entries: list[LedgerEntry] = []
    try:
        handle = open(path, "rb")  # noqa: SIM115 - closed by the with below
    except FileNotFoundError:
        return entries
    with handle:
        for raw in handle:
            try:
                item = json.loads(raw)
                entries.append(
                    LedgerEntry(
                        line=int(item["line"]),
                        request_id=item["requestId"],
                        status=item["status"],
                        code=str(item["code"]),
                        attempts=int(item["attempts"]),
                        final=item["final"] is True,
                        message=item.get("message"),
                        digest=item.get("digest"),
                    )
                )
            except (ValueError, TypeError, KeyError, AttributeError):
                continue
    return entries


def _requests(source: Source) -> tuple[cabc.Iterator[tuple[int, object]], int | None]:
    """(line, payload or a ``ValueError`` for a line that is not JSON), and the total."""
    if isinstance(source, str | os.PathLike):
        path = os.fspath(source)
        if not path.lower().endswith(".jsonl"):
            with open(path, "rb") as handle:
                raw = handle.read()

            def one() -> cabc.Iterator[tuple[int, object]]:
                yield 1, _parse(raw)

            return one(), 1
        with open(path, "rb") as handle:
            total = sum(1 for raw in handle if raw.strip())

        def lines() -> cabc.Iterator[tuple[int, object]]:
            with open(path, "rb") as handle:
                for number, raw in enumerate(handle, 1):
                    if raw.strip():
                        yield number, _parse(raw)

        return lines(), total
    if isinstance(source, bytes | bytearray) or not isinstance(source, cabc.Iterable):
        raise TypeError(
            "source must be a path (.json or .jsonl) or an iterable of requests, "
            f"not a {type(source).__name__}"
        )
    size = len(source) if isinstance(source, cabc.Sized) else None
    return enumerate(source, 1), size


def _parse(raw: bytes) -> object:
    try:
        return json.loads(raw)
    except ValueError as err:
        return err


def _masked(text: str | None, token: str | None) -> str | None:
    if text is None or not token:
        return text
    return text.replace(token, "***")


def _digest(payload: object) -> str | None:
    if not isinstance(payload, dict):
        return None
    kept = {k: v for k, v in payload.items() if k != "accessToken"}
    try:
        text = json.dumps(kept, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    except (TypeError, ValueError):
        return None
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _request_id(payload: object) -> str | None:
    if isinstance(payload, dict):
        value = payload.get("requestId")
        if isinstance(value, str) and value:
            return str.__str__(value)
    return None


class _Ledger:
    """The ledger file opened for appending, locked against a second run."""

    def __init__(self, path: str | os.PathLike[str] | None) -> None:
        self._handle: t.BinaryIO | None = None
        if path is None:
            return
        handle = open(path, "ab")  # noqa: SIM115 - closed by close()
        try:
            import fcntl
        except ImportError:  # pragma: no cover - Windows has no flock
            pass
        else:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                handle.close()
                raise BlockingIOError(
                    f"ledger {os.fspath(path)!r:.100} is in use by another run"
                ) from None
        # A crash may have torn the last line; start ours on a line of its own.
        if handle.tell() > 0:
            with open(path, "rb") as reader:
                reader.seek(-1, os.SEEK_END)
                if reader.read(1) != b"\n":
                    handle.write(b"\n")
        self._handle = handle

    def write(self, entry: LedgerEntry) -> None:
        if self._handle is None:
            return
        line = json.dumps(entry.as_dict(), ensure_ascii=False, separators=(",", ":"))
        self._handle.write(line.encode("utf-8", "backslashreplace") + b"\n")
        self._handle.flush()
        os.fsync(self._handle.fileno())

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()


def send_campaign(
    source: Source,
    /,
    *,
    sender: Sender,
    ledger_path: str | os.PathLike[str] | None,
    rate: float | None = None,
    burst: int = 1,
    progress: Progress | None = None,
    clock: cabc.Callable[[], float] = time.monotonic,
    sleep: cabc.Callable[[float], object] = time.sleep,
) -> CampaignSummary:
    """Send every request of a campaign once, in order, recording each outcome in the ledger.

    Each request is validated first (an invalid one is recorded and not sent), then sent with
    ``sender`` (which retries as its outcomes say). After each request one JSON line (see
    :class:`LedgerEntry`) is appended to the ledger, flushed and synced to disk. A request
    whose requestId already has a final line for the same content (see
    :attr:`LedgerEntry.digest`), from an earlier run or earlier in this one, is skipped; so
    after a crash or Ctrl-C, running the same campaign with the same ledger sends only what has
    no final outcome yet, with the same requestIds (the wallet's idempotency makes
    the one request that was in flight at the crash safe to send again).

    :param source: a ``.jsonl`` campaign (one request per line), a ``.json`` file holding one
        request, or an iterable of requests.
    :param sender: the :class:`msgtemplates.send.Sender` to send with.
    :param ledger_path: the ledger file (created if missing, appended to); ``None`` keeps no
        ledger.
    :param rate: at most this many requests a second (a token bucket); ``None``: no limit.
    :param burst: how many requests the bucket lets through at once after a pause.
    :param progress: called after each request as ``progress(done, total, entry)``; ``total``
        is ``None`` for an iterable without a length; a skipped request comes with its earlier
        final entry.
    :param clock: monotonic seconds for the rate limit.
    :param sleep: how to wait for the rate limit.
    :returns: the counts of this run.
    :raises SignatureInvalid: when an answer cannot be trusted; it is recorded first (not
        final), and the campaign stops, since every later answer would be as doubtful.
    :raises BlockingIOError: when another run holds the ledger.
    :raises OSError: when the source or the ledger cannot be read or written.
    """
    if rate is not None and (
        not isinstance(rate, int | float) or isinstance(rate, bool) or not rate > 0
    ):
        raise ValueError(f"rate must be a number of requests a second above 0, not {rate!r:.40}")
    if not isinstance(burst, int) or isinstance(burst, bool) or burst < 1:
        raise ValueError(f"burst must be an int of 1 or more, not {burst!r:.40}")
    if progress is not None and not callable(progress):
        raise TypeError("progress must be a callable or None")
    requests, total = _requests(source)
    # Lock the ledger before reading it, so two runs can never both read it as unsent.
    ledger = _Ledger(ledger_path)
    try:
        finals = {
            (entry.request_id, entry.digest): entry
            for entry in (read_ledger(ledger_path) if ledger_path is not None else ())
            if entry.final and entry.request_id is not None
        }
    except BaseException:
        ledger.close()
        raise
    bucket = None if rate is None else _Bucket(float(rate), burst, clock, sleep)
    counts = dict.fromkeys(("skipped", "S", "A", "F", "pending", "invalid"), 0)
    done = 0
    try:
        for line, payload in requests:
            done += 1
            request_id = _request_id(payload)
            digest = _digest(payload)
            earlier = None if request_id is None else finals.get((request_id, digest))
            if earlier is not None:
                counts["skipped"] += 1
                if progress is not None:
                    progress(done, total, earlier)
                continue
            entry = _send_one(line, payload, request_id, digest, sender, bucket, ledger)
            if entry.status is None:
                counts["invalid"] += 1
            elif entry.final:
                counts[entry.status if entry.status in ("S", "A") else "F"] += 1
                if request_id is not None:
                    finals[request_id, digest] = entry
            else:
                counts["pending"] += 1
            if progress is not None:
                progress(done, total, entry)
    finally:
        ledger.close()
    return CampaignSummary(
        total=done,
        skipped=counts["skipped"],
        succeeded=counts["S"],
        accepted=counts["A"],
        failed=counts["F"],
        pending=counts["pending"],
        invalid=counts["invalid"],
    )


def _send_one(
    line: int,
    payload: object,
    request_id: str | None,
    digest: str | None,
    sender: Sender,
    bucket: _Bucket | None,
    ledger: _Ledger,
) -> LedgerEntry:
    token = secret_of(payload)
    if isinstance(payload, ValueError):
        entry = LedgerEntry(line, None, None, "INVALID_JSON", 0, False, "the line is not JSON")
        ledger.write(entry)
        return entry
    if bucket is not None:
        bucket.take()
    try:
        delivery = sender.send(payload)
    except RequestInvalid as err:
        errors = [p for p in err.problems if p.severity == "error"] or err.problems
        first = str(errors[0]) if errors else "the request is invalid"
        entry = LedgerEntry(line, request_id, None, "REQUEST_INVALID", 0, False, first, digest)
        ledger.write(entry)
        return entry
    except SignatureInvalid as err:
        entry = LedgerEntry(
            line, request_id, "U", "SIGNATURE_INVALID", 0, False, _masked(str(err), token), digest
        )
        ledger.write(entry)
        raise
    outcome = delivery.outcome
    final = outcome.status in ("S", "A") or (outcome.status == "F" and outcome.retry is None)
    entry = LedgerEntry(
        line,
        delivery.request_id,
        outcome.status,
        outcome.code,
        delivery.attempts,
        final,
        _masked(outcome.message, token),
        digest,
    )
    ledger.write(entry)
    return entry


def send_file(
    path: str | os.PathLike[str],
    /,
    *,
    base_url: str,
    client_id: str,
    private_key: str | bytes,
    wallet_public_key: str | bytes,
    key_version: int = 1,
    rate: float | None = None,
    ledger_path: str | os.PathLike[str] | None = None,
    catalog: Catalog | None = None,
    progress: Progress | None = None,
) -> CampaignSummary:
    """Send a request file or a campaign with a ledger: what ``msgtemplates send`` does.

    :param path: a ``.json`` request or a ``.jsonl`` campaign.
    :param ledger_path: the ledger; by default ``<path>.ledger`` beside the campaign, so that
        running the same command again resends only what has no final outcome.
    :returns: as :func:`send_campaign`.
    :raises ValueError: a key that is not a usable PEM key, or a bad ``base_url``.
    :raises SignatureInvalid: as :func:`send_campaign`.
    :raises OSError: as :func:`send_campaign`.
    """
    from .send import Credentials, Sender

    credentials = Credentials(client_id, private_key, wallet_public_key, key_version=key_version)
    ledger = f"{os.fspath(path)}.ledger" if ledger_path is None else ledger_path
    with Sender(base_url, credentials, catalog=catalog) as sender:
        return send_campaign(path, sender=sender, ledger_path=ledger, rate=rate, progress=progress)
