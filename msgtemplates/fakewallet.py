"""FakeWallet: the platform's sendByAccessToken in a box, for tests in process and on loopback.

This module owns the wallet's side of the signature (verifying merchants' requests, signing
answers). It implements the platform's format on its own rather than through the merchant's code
in :mod:`msgtemplates.send`, so a test of the sender against the fake checks two readings of
the format against each other, not one reading against itself.
"""

from __future__ import annotations

import base64
import binascii
import collections
import collections.abc as cabc
import contextlib
import dataclasses
import datetime
import functools
import http.server
import json
import os
import pathlib
import sys
import tempfile
import threading
import typing as t
import urllib.parse

import httpx
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from .send import SEND_PATH
from .validation import check_request

__all__ = ["FAULTS", "FakeWallet", "serve_forever"]

#: The faults :meth:`FakeWallet.inject` knows.
FAULTS: tuple[str, ...] = (
    "UNKNOWN_EXCEPTION",
    "REQUEST_TRAFFIC_EXCEED_LIMIT",
    "EXPIRED_ACCESS_TOKEN",
    "HTTP_500",
    "TIMEOUT",
    "DROP",
    "BAD_SIGNATURE",
)

# How long a TIMEOUT fault holds a loopback connection open at most (server shutdown ends it
# sooner): far beyond any sensible client timeout, short enough that nothing hangs for good.
HOLD_SECONDS = 30.0
# The largest request body the loopback server reads; the API's requests are far smaller.
MAX_BODY = 1 << 20

_PADDING = padding.PKCS1v15()
_HASH = hashes.SHA256()

_RESULTS: dict[str, tuple[str, str]] = {
    "SUCCESS": ("S", "success"),
    "UNKNOWN_EXCEPTION": ("U", "unknown exception, retry with the same requestId"),
    "REQUEST_TRAFFIC_EXCEED_LIMIT": ("F", "request traffic exceeds the limit"),
    "EXPIRED_ACCESS_TOKEN": ("F", "the access token expired"),
    "INVALID_SIGNATURE": ("F", "the signature did not verify"),
    "INVALID_API": ("F", "no such API"),
    "REPEAT_REQ_INCONSISTENT": ("F", "this requestId came before with a different body"),
}


def _result_body(code: str, message: str | None = None) -> bytes:
    status, default = _RESULTS.get(code, ("F", code))
    result = {"resultCode": code, "resultStatus": status, "resultMessage": message or default}
    return json.dumps({"result": result}, ensure_ascii=False, separators=(",", ":")).encode()


def _pem(value: object, name: str) -> bytes:
    if isinstance(value, str):
        return value.encode("utf-8", "replace")
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value)
    raise TypeError(f"{name} must be a PEM text (str or bytes), not a {type(value).__name__}")


def _now() -> str:
    return datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")


def _public_key(value: object) -> rsa.RSAPublicKey:
    data = _pem(value, "merchant_public_key")
    if b"PRIVATE KEY-----" in data:
        raise ValueError(
            "merchant_public_key holds a private key; pass the merchant's public key "
            "(Credentials.public_key gives it)"
        )
    try:
        key = serialization.load_pem_public_key(data)
    except (ValueError, UnsupportedAlgorithm) as err:
        raise ValueError("merchant_public_key is not a PEM public key that can be read") from err
    if not isinstance(key, rsa.RSAPublicKey) or key.key_size < 2048:
        raise ValueError("merchant_public_key must be an RSA key of at least 2048 bits")
    return key


def _private_key(value: object) -> rsa.RSAPrivateKey:
    data = _pem(value, "private_key")
    try:
        # The wallet's key is the test's own; its primes need no check (a costly one).
        key = serialization.load_pem_private_key(
            data, password=None, unsafe_skip_rsa_key_validation=True
        )
    except (TypeError, ValueError, UnsupportedAlgorithm) as err:
        raise ValueError("private_key is not an unencrypted PEM private key") from err
    if not isinstance(key, rsa.RSAPrivateKey) or key.key_size < 2048:
        raise ValueError("private_key must be an RSA key of at least 2048 bits")
    return key


def _new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@functools.cache
def _foreign_key() -> rsa.RSAPrivateKey:
    """The key BAD_SIGNATURE answers are signed with: any key but a wallet's own will do."""
    return _new_key()


@dataclasses.dataclass(frozen=True, slots=True)
class _Answer:
    """What the wallet does with one request: answer it, hold it open, or hang up."""

    kind: t.Literal["respond", "timeout", "drop"]
    status: int = 200
    headers: dict[str, str] = dataclasses.field(default_factory=dict)
    body: bytes = b""


_Lookup = cabc.Callable[[str], "str | None"]


class FakeWallet:
    """The platform in a box: verifies, validates, remembers requestIds, signs its answers.

    It checks every request's signature with ``merchant_public_key`` (``INVALID_SIGNATURE``
    otherwise; with ``client_id``, a request from another ``Client-Id`` too), validates the body
    with :func:`msgtemplates.check_request` (``PARAM_ILLEGAL``, the message
    ``<path>: <message>`` of the first error, the root as ``(root)``, cut to 256 characters),
    and keeps the requestIds it accepted: the same requestId with the same body (``accessToken``
    aside) gets the stored result again, another body ``REPEAT_REQ_INCONSISTENT``. A call to
    another path or with another method gets ``INVALID_API``. Every answer but ``HTTP_500`` is
    signed with the wallet's own RSA-2048 key over the path called, with headers ``Client-Id``
    (``client_id``, else the request's), ``Response-Time`` and ``Signature``.

    :param merchant_public_key: the merchant's RSA public key, PEM (``Credentials.public_key``).
    :param client_id: accept only this ``Client-Id``; ``None`` accepts any and echoes it.
    :param path: the API path it serves.
    :param private_key: the wallet's own RSA private key, PEM, for a wallet whose public key
        must stay the same across runs; default: a new RSA-2048 key pair.
    :raises TypeError: for a key that is not str or bytes.
    :raises ValueError: for a key that is not an RSA public key of at least 2048 bits, or a
        client id or path that cannot be a header or a URL path.
    """

    def __init__(
        self,
        merchant_public_key: str | bytes,
        /,
        *,
        client_id: str | None = None,
        path: str = SEND_PATH,
        private_key: str | bytes | None = None,
    ) -> None:
        self._merchant = _public_key(merchant_public_key)
        if client_id is not None and (
            not isinstance(client_id, str)
            or not client_id.isascii()
            or not client_id.isprintable()
            or not client_id
        ):
            raise ValueError("client_id must be None or non-empty printable ASCII")
        if not isinstance(path, str) or not path.startswith("/") or not path.isascii():
            raise ValueError(f"path must be an absolute URL path such as {SEND_PATH}")
        self._client_id = client_id
        self._path = path
        self._key = _new_key() if private_key is None else _private_key(private_key)
        self._public_pem = (
            self._key.public_key()
            .public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
            .decode("ascii")
        )
        self._lock = threading.Lock()
        self._faults: collections.deque[str] = collections.deque()
        self._received: list[bytes] = []
        self._delivered: dict[str, bytes] = {}
        # requestId -> (the accepted request without its token, the answer's body)
        self._seen: dict[str, tuple[object, bytes]] = {}
        # PKCS#1 v1.5 is deterministic, so a signature over the same content can be reused:
        # most answers repeat within the second of their Response-Time.
        self._signatures: dict[tuple[str, str, str, bytes], str] = {}
        self._transport = httpx.MockTransport(self._handle)

    @property
    def public_key(self) -> str:
        """The wallet's public key, PEM (SubjectPublicKeyInfo): the merchant verifies with it."""
        return self._public_pem

    @property
    def transport(self) -> httpx.MockTransport:
        """An in-process transport for ``httpx.Client(transport=...)`` and ``AsyncClient``."""
        return self._transport

    @property
    def received(self) -> list[bytes]:
        """A copy of every body that reached the wallet, in order, faulted ones included."""
        with self._lock:
            return list(self._received)

    @property
    def delivered(self) -> dict[str, bytes]:
        """A copy of requestId -> the body the wallet accepted (status S), once each."""
        with self._lock:
            return dict(self._delivered)

    def inject(self, *faults: str) -> None:
        """Queue faults; each answers the next request instead of processing it.

        A faulted request is never stored under its requestId. ``"UNKNOWN_EXCEPTION"``,
        ``"REQUEST_TRAFFIC_EXCEED_LIMIT"``, ``"EXPIRED_ACCESS_TOKEN"``: that signed result;
        ``"HTTP_500"``: an unsigned HTTP 500; ``"TIMEOUT"``: no answer (in process
        ``httpx.ReadTimeout``; on the port the connection is held open, at most
        :data:`HOLD_SECONDS` or until the server stops); ``"DROP"``: the connection closes
        without an answer (``httpx.RemoteProtocolError``); ``"BAD_SIGNATURE"``: a ``SUCCESS``
        answer signed with another key.

        :param faults: names from :data:`FAULTS`.
        :raises ValueError: for a name that is not a fault.
        """
        for fault in faults:
            if fault not in FAULTS:
                raise ValueError(f"unknown fault {fault!r:.50}; the faults are {', '.join(FAULTS)}")
        if "BAD_SIGNATURE" in faults:
            # Made now, not while a client waits for the answer.
            _foreign_key()
        with self._lock:
            self._faults.extend(faults)

    @contextlib.contextmanager
    def serve(self, *, port: int = 0) -> cabc.Iterator[str]:
        """Serve on 127.0.0.1 in a background thread while the block runs.

        :param port: the port; ``0`` (the default) picks a free one.
        :returns: a context manager giving the base URL, ``"http://127.0.0.1:<port>"``.
        :raises OSError: when the port cannot be bound.
        """
        if not isinstance(port, int) or isinstance(port, bool) or not 0 <= port <= 65535:
            raise ValueError(f"port must be an int from 0 to 65535, not {port!r:.40}")
        closing = threading.Event()
        handler = type("_BoundHandler", (_Handler,), {"wallet": self, "closing": closing})
        server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
        thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="FakeWallet",
            daemon=True,
        )
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.server_address[1]}"
        finally:
            closing.set()
            server.shutdown()
            server.server_close()
            thread.join()

    def __repr__(self) -> str:
        return f"FakeWallet(client_id={self._client_id!r}, path={self._path!r})"

    def _handle(self, request: httpx.Request) -> httpx.Response:
        path = request.url.raw_path.decode("ascii", "replace").partition("?")[0]
        answer = self._answer(
            request.method, path, _lookup(request.headers.multi_items()), request.content
        )
        if answer.kind == "timeout":
            raise httpx.ReadTimeout("the fake wallet held the request (TIMEOUT)", request=request)
        if answer.kind == "drop":
            raise httpx.RemoteProtocolError(
                "Server disconnected without sending a response.", request=request
            )
        return httpx.Response(answer.status, headers=answer.headers, content=answer.body)

    def _answer(self, method: str, path: str, header: _Lookup, body: bytes) -> _Answer:
        with self._lock:
            self._received.append(body)
            client_id = self._client_id or _header_text(header("Client-Id")) or "unknown"
            if self._faults:
                return self._fault(self._faults.popleft(), path, client_id)
            code, message, answer = self._process(method, path, header, body)
            if answer is None:
                answer = _result_body(code, message)
            return self._signed(200, answer, path, client_id, self._key)

    def _fault(self, fault: str, path: str, client_id: str) -> _Answer:
        if fault == "TIMEOUT":
            return _Answer("timeout")
        if fault == "DROP":
            return _Answer("drop")
        if fault == "HTTP_500":
            return _Answer(
                "respond",
                500,
                {"Content-Type": "text/plain; charset=UTF-8"},
                b"internal server error",
            )
        if fault == "BAD_SIGNATURE":
            return self._signed(200, _result_body("SUCCESS"), path, client_id, _foreign_key())
        return self._signed(200, _result_body(fault), path, client_id, self._key)

    def _process(
        self, method: str, path: str, header: _Lookup, body: bytes
    ) -> tuple[str, str | None, bytes | None]:
        """The result code and message for one request, or a stored answer to repeat."""
        if method != "POST" or path != self._path:
            return "INVALID_API", f"no API at {method} {path[:100]}", None
        problem = self._signature_problem(path, header, body)
        if problem is not None:
            return "INVALID_SIGNATURE", problem, None
        media = (header("Content-Type") or "").partition(";")[0].strip().lower()
        if media != "application/json":
            return "PARAM_ILLEGAL", "Content-Type must be application/json; charset=UTF-8", None
        try:
            payload = json.loads(body.decode("utf-8"))
        except ValueError:
            return "PARAM_ILLEGAL", "(root): the body is not UTF-8 JSON", None
        errors = [p for p in check_request(payload) if p.severity == "error"]
        if errors:
            text = f"{errors[0].path or '(root)'}: {errors[0].message}"
            return "PARAM_ILLEGAL", text if len(text) <= 256 else text[:255] + "…", None
        request_id = payload["requestId"]
        kept = {k: v for k, v in payload.items() if k != "accessToken"}
        seen = self._seen.get(request_id)
        if seen is not None:
            if seen[0] == kept:
                return "SUCCESS", None, seen[1]
            return "REPEAT_REQ_INCONSISTENT", None, None
        answer = _result_body("SUCCESS")
        self._seen[request_id] = (kept, answer)
        self._delivered[request_id] = body
        return "SUCCESS", None, answer

    def _signature_problem(self, path: str, header: _Lookup, body: bytes) -> str | None:
        client_id = _header_text(header("Client-Id"))
        when = _header_text(header("Request-Time"))
        signature = _header_text(header("Signature"))
        if client_id is None or when is None or signature is None:
            return "Client-Id, Request-Time and Signature headers are required"
        if self._client_id is not None and client_id != self._client_id:
            return "unknown Client-Id"
        try:
            parsed = datetime.datetime.fromisoformat(when)
        except ValueError:
            parsed = None
        if parsed is None or parsed.tzinfo is None or "T" not in when:
            return "Request-Time is not ISO 8601 with an offset"
        fields = {}
        for part in signature.split(","):
            name, _, value = part.strip().partition("=")
            fields[name] = value
        if fields.get("algorithm") != "RSA256" or not fields.get("keyVersion", "").isdigit():
            return "the Signature header needs algorithm=RSA256 and a numeric keyVersion"
        try:
            raw = base64.b64decode(
                urllib.parse.unquote_plus(fields.get("signature", "")), validate=True
            )
        except (binascii.Error, ValueError):
            return "the signature is not URL-encoded base64"
        content = f"POST {path}\n{client_id}.{when}.".encode() + body
        try:
            self._merchant.verify(raw, content, _PADDING, _HASH)
        except InvalidSignature:
            return "the signature does not verify with the merchant's public key"
        return None

    def _signed(
        self, status: int, body: bytes, path: str, client_id: str, key: rsa.RSAPrivateKey
    ) -> _Answer:
        when = _now()
        which = "own" if key is self._key else "foreign"
        cached = self._signatures.get((which, client_id, when, body))
        if cached is None:
            content = f"POST {path}\n{client_id}.{when}.".encode() + body
            raw = key.sign(content, _PADDING, _HASH)
            cached = urllib.parse.quote_plus(base64.b64encode(raw).decode("ascii"))
            if len(self._signatures) >= 64:
                self._signatures.clear()
            self._signatures[(which, client_id, when, body)] = cached
        headers = {
            "Content-Type": "application/json; charset=UTF-8",
            "Client-Id": client_id,
            "Response-Time": when,
            "Signature": f"algorithm=RSA256,keyVersion=1,signature={cached}",
        }
        return _Answer("respond", status, headers, body)


def _lookup(pairs: cabc.Iterable[tuple[str, str]]) -> _Lookup:
    """Case-insensitive header lookup, built in one pass (the last of repeated names wins)."""
    lowered = {name.lower(): value for name, value in pairs}
    return lambda name: lowered.get(name.lower())


def _header_text(value: object) -> str | None:
    if isinstance(value, str) and value.isascii() and value.isprintable() and value:
        return value
    return None


class _Handler(http.server.BaseHTTPRequestHandler):
    """One loopback connection of :meth:`FakeWallet.serve`; the subclass made there binds it."""

    protocol_version = "HTTP/1.1"
    # An idle keep-alive connection ends after this long, so no thread lingers for good.
    timeout = HOLD_SECONDS + 5
    wallet: FakeWallet
    closing: threading.Event

    def _serve(self) -> None:
        try:
            length = int(self.headers.get("Content-Length", "0"))
        except ValueError:
            length = -1
        if not 0 <= length <= MAX_BODY:
            self.send_error(413 if length > MAX_BODY else 400)
            self.close_connection = True
            return
        body = self.rfile.read(length)
        path = self.path.partition("?")[0]
        answer = self.wallet._answer(self.command, path, _lookup(self.headers.items()), body)
        if answer.kind != "respond":
            if answer.kind == "timeout":
                self.closing.wait(HOLD_SECONDS)
            self.close_connection = True
            return
        try:
            self.send_response(answer.status)
            for name, value in answer.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(answer.body)))
            self.end_headers()
            self.wfile.write(answer.body)
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            # The client gave up waiting (its timeout); that is its business, not an error here.
            self.close_connection = True

    do_POST = do_GET = do_PUT = do_DELETE = do_PATCH = _serve

    def log_message(self, format: str, *args: t.Any) -> None:
        """Keep quiet: a test's output is the test's."""


def serve_forever(
    port: int,
    merchant_public_key: str | bytes,
    /,
    *,
    key_out: str | os.PathLike[str] | None = None,
    client_id: str | None = None,
    path: str = SEND_PATH,
    private_key: str | bytes | None = None,
    stdout: t.TextIO | None = None,
    stop: threading.Event | None = None,
) -> None:
    """Run a :class:`FakeWallet` on 127.0.0.1 until interrupted, for tests in any language.

    Line 1 of ``stdout`` is the base URL, line 2 the path of the file holding the wallet's
    public key (``key_out``, else a temporary file removed on exit); the key is written before
    either line is printed. Returns on ``KeyboardInterrupt`` (Ctrl-C, SIGINT) or when ``stop``
    is set.

    :param port: the port; ``0`` picks a free one.
    :param merchant_public_key: the merchant's public key, PEM.
    :param key_out: where to write the wallet's public key.
    :param client_id: as for :class:`FakeWallet`.
    :param path: as for :class:`FakeWallet`.
    :param private_key: as for :class:`FakeWallet`.
    :param stdout: where to print (default :data:`sys.stdout`).
    :param stop: an event that ends the serving when set.
    :raises OSError: when the port cannot be bound or the key cannot be written.
    """
    wallet = FakeWallet(
        merchant_public_key, client_id=client_id, path=path, private_key=private_key
    )
    out = sys.stdout if stdout is None else stdout
    made: str | None = None
    if key_out is None:
        handle, made = tempfile.mkstemp(prefix="fake-wallet-", suffix=".pem")
        os.close(handle)
        key_out = made
    try:
        pathlib.Path(key_out).write_text(wallet.public_key, encoding="ascii")
        with wallet.serve(port=port) as url:
            print(url, file=out)
            print(os.fspath(key_out), file=out)
            out.flush()
            waiter = threading.Event() if stop is None else stop
            with contextlib.suppress(KeyboardInterrupt):
                while not waiter.wait(3600):
                    pass
    finally:
        if made is not None:
            with contextlib.suppress(OSError):
                os.unlink(made)
