"""Sending: the OpenAPI signature, response verification, and senders that retry safely.

This module owns the merchant's side of the platform's signature (signing requests, verifying
the wallet's responses) and the retry policy that follows :attr:`msgtemplates.Outcome.retry`.
It imports httpx and cryptography (the ``msgtemplates[send]`` extra), so ``import msgtemplates``
never imports it.

The signed content is ``POST <path>\\n<Client-Id>.<Request-Time>.<body>`` (``Response-Time`` for
a response), signed with RSA PKCS#1 v1.5 over SHA-256; the header is
``Signature: algorithm=RSA256,keyVersion=<n>,signature=<quote_plus(base64(signature))>``.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import collections.abc as cabc
import dataclasses
import datetime
import inspect
import json
import logging
import random
import time
import typing as t
import urllib.parse

import httpx
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from .errors import ResponseInvalid, SignatureInvalid
from .problems import quote
from .responses import Outcome, interpret_response
from .validation import validate_request

if t.TYPE_CHECKING:
    from .catalog import Catalog

__all__ = [
    "SEND_PATH",
    "AsyncSender",
    "Credentials",
    "Delivery",
    "Sender",
    "SignatureInvalid",
    "sign_request",
    "verify_response",
]

#: The path of the sendByAccessToken OpenAPI, signed as part of every request.
SEND_PATH = "/v2/customers/message/sendByAccessToken"

#: The smallest RSA modulus accepted, in bits.
MIN_KEY_BITS = 2048

_CONTENT_TYPE = "application/json; charset=UTF-8"
_PADDING = padding.PKCS1v15()
_HASH = hashes.SHA256()

_log = logging.getLogger("msgtemplates.send")


def _pem_bytes(value: object, name: str) -> bytes:
    if isinstance(value, str):
        try:
            return value.encode("ascii")
        except UnicodeEncodeError:
            raise ValueError(f"{name} is not a PEM text: it holds non-ASCII characters") from None
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value)
    raise TypeError(f"{name} must be a PEM text (str or bytes), not a {type(value).__name__}")


def _check_rsa(key: object, name: str) -> None:
    if not isinstance(key, rsa.RSAPrivateKey | rsa.RSAPublicKey):
        kind = type(key).__name__.lstrip("_")
        raise ValueError(f"{name} is not an RSA key ({kind}); the platform signs with RSA256")
    if key.key_size < MIN_KEY_BITS:
        raise ValueError(
            f"{name} is an RSA key of {key.key_size} bits; at least {MIN_KEY_BITS} are needed"
        )


def _load_private(value: object) -> rsa.RSAPrivateKey:
    data = _pem_bytes(value, "private_key")
    if b"-----BEGIN" not in data:
        raise ValueError("private_key is not a PEM text: it has no PEM header line")
    if b"PUBLIC KEY-----" in data and b"PRIVATE KEY-----" not in data:
        raise ValueError("private_key holds a public key; pass the merchant's private key")
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except TypeError as err:
        # cryptography raises TypeError for an encrypted key read without a password.
        raise ValueError("private_key is encrypted; pass it decrypted (PKCS#8 or PKCS#1)") from err
    except (ValueError, UnsupportedAlgorithm) as err:
        raise ValueError("private_key is not a PEM private key that can be read") from err
    _check_rsa(key, "private_key")
    return t.cast("rsa.RSAPrivateKey", key)


def _load_public(value: object) -> rsa.RSAPublicKey:
    data = _pem_bytes(value, "wallet_public_key")
    if b"-----BEGIN" not in data:
        raise ValueError("wallet_public_key is not a PEM text: it has no PEM header line")
    if b"PRIVATE KEY-----" in data:
        # Never read it: a private key has no business here, and must not be echoed anywhere.
        raise ValueError("wallet_public_key holds a private key; pass the wallet's public key")
    try:
        key = serialization.load_pem_public_key(data)
    except (ValueError, UnsupportedAlgorithm) as err:
        raise ValueError("wallet_public_key is not a PEM public key that can be read") from err
    _check_rsa(key, "wallet_public_key")
    return t.cast("rsa.RSAPublicKey", key)


def _public_pem(key: rsa.RSAPublicKey) -> str:
    return key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode("ascii")


def _header_safe(value: str) -> bool:
    return value.isascii() and value.isprintable() and value == value.strip()


class Credentials:
    """The merchant's client id and private key, and the wallet's public key.

    Keys are PEM texts (``str`` or ``bytes``): the private key as PKCS#8 or PKCS#1, the public
    key as SubjectPublicKeyInfo or PKCS#1; both RSA of at least 2048 bits. They are parsed once
    here. ``repr()`` and ``str()`` show the client id and key version, never key material, and
    credentials refuse to be pickled.

    :param client_id: the ``Client-Id`` the platform gave the merchant.
    :param private_key: the merchant's RSA private key, unencrypted.
    :param wallet_public_key: the wallet's RSA public key, to verify responses.
    :param key_version: the ``keyVersion`` named in the ``Signature`` header.
    :raises TypeError: for a client id, key or version of the wrong type.
    :raises ValueError: for a key that is not PEM, a public key given as the private one (or
        the reverse), a key that is not RSA or is under 2048 bits, an empty client id.
    """

    __slots__ = ("_client_id", "_key_version", "_private", "_public_pem", "_wallet", "_wallet_pem")

    def __init__(
        self,
        client_id: str,
        private_key: str | bytes,
        wallet_public_key: str | bytes,
        /,
        *,
        key_version: int = 1,
    ) -> None:
        if not isinstance(client_id, str):
            raise TypeError(f"client_id must be a str, not a {type(client_id).__name__}")
        if not client_id or not _header_safe(client_id):
            raise ValueError(
                f"client_id {quote(client_id)} must be non-empty printable ASCII without "
                "surrounding spaces (it is sent as a header)"
            )
        if not isinstance(key_version, int) or isinstance(key_version, bool):
            raise TypeError(f"key_version must be an int, not a {type(key_version).__name__}")
        if key_version < 0:
            raise ValueError(f"key_version must be 0 or more, not {key_version}")
        self._client_id = client_id
        self._key_version = key_version
        self._private = _load_private(private_key)
        self._wallet = _load_public(wallet_public_key)
        self._public_pem = _public_pem(self._private.public_key())
        self._wallet_pem = _public_pem(self._wallet)

    @property
    def client_id(self) -> str:
        """The ``Client-Id`` sent with every request and expected on every response."""
        return self._client_id

    @property
    def key_version(self) -> int:
        """The ``keyVersion`` named in the ``Signature`` header."""
        return self._key_version

    @property
    def public_key(self) -> str:
        """The merchant's public key (PEM, SubjectPublicKeyInfo), derived from the private key.

        This is what the wallet (or :class:`msgtemplates.testing.FakeWallet`) verifies with.
        """
        return self._public_pem

    @property
    def wallet_public_key(self) -> str:
        """The wallet's public key (PEM, SubjectPublicKeyInfo) that responses must verify with."""
        return self._wallet_pem

    def sign(self, content: bytes, /) -> bytes:
        """Sign ``content`` with the merchant's key: RSA PKCS#1 v1.5 over SHA-256.

        :param content: the exact bytes to sign.
        :returns: the raw signature.
        """
        return self._private.sign(content, _PADDING, _HASH)

    def verify(self, signature: bytes, content: bytes, /) -> bool:
        """Whether ``signature`` over ``content`` verifies with the wallet's public key.

        :param signature: the raw signature.
        :param content: the exact bytes that were signed.
        :returns: ``True`` when it verifies.
        """
        try:
            self._wallet.verify(signature, content, _PADDING, _HASH)
        except InvalidSignature:
            return False
        return True

    def __repr__(self) -> str:
        return f"Credentials({self._client_id!r}, key_version={self._key_version})"

    __str__ = __repr__

    def __reduce__(self) -> t.NoReturn:
        raise TypeError("Credentials hold a private key and cannot be pickled or copied")


def _now() -> str:
    return datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")


def _check_time(value: object, name: str) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, not a {type(value).__name__}")
    try:
        parsed = datetime.datetime.fromisoformat(value)
    except ValueError:
        parsed = None
    if parsed is None or parsed.tzinfo is None or "T" not in value or not _header_safe(value):
        raise ValueError(
            f"{name} {quote(value)} is not an ISO 8601 time with an offset, "
            "such as 2026-12-01T19:48:35+08:00"
        )
    return value


def _check_path(path: object) -> str:
    if not isinstance(path, str):
        raise TypeError(f"path must be a str, not a {type(path).__name__}")
    if not path.startswith("/") or not _header_safe(path) or " " in path:
        raise ValueError(f"path {quote(path)} must be an absolute URL path such as {SEND_PATH}")
    return path


def _content(path: str, client_id: str, when: str, body: bytes) -> bytes:
    return b"".join(
        (b"POST ", path.encode("ascii"), b"\n", f"{client_id}.{when}.".encode("ascii"), body)
    )


def sign_request(
    body: bytes,
    /,
    *,
    credentials: Credentials,
    path: str,
    request_time: str | None = None,
) -> dict[str, str]:
    """The four headers of a signed request: Client-Id, Request-Time, Content-Type, Signature.

    The signature is RSA PKCS#1 v1.5 over SHA-256 of
    ``POST <path>\\n<Client-Id>.<Request-Time>.<body>``; the header reads
    ``algorithm=RSA256,keyVersion=<n>,signature=<value>`` where the value is
    :func:`urllib.parse.quote_plus` of the standard base64 of the signature.

    :param body: the exact bytes that will be sent.
    :param credentials: whose key signs.
    :param path: the URL path of the API, such as :data:`SEND_PATH`.
    :param request_time: ISO 8601 with an offset; default: now, in UTC, to the second.
    :returns: the four headers, to send with ``body`` unchanged.
    :raises TypeError: for a body that is not bytes, or credentials of another type.
    :raises ValueError: for a path or request time that cannot be sent as given.
    """
    if not isinstance(body, bytes):
        raise TypeError(f"body must be bytes, not a {type(body).__name__}")
    if not isinstance(credentials, Credentials):
        raise TypeError(f"credentials must be Credentials, not a {type(credentials).__name__}")
    _check_path(path)
    when = _now() if request_time is None else _check_time(request_time, "request_time")
    raw = credentials.sign(_content(path, credentials.client_id, when, body))
    value = base64.b64encode(raw).decode("ascii").translate(_QUOTED)
    return {
        "Client-Id": credentials.client_id,
        "Request-Time": when,
        "Content-Type": _CONTENT_TYPE,
        "Signature": f"algorithm=RSA256,keyVersion={credentials.key_version},signature={value}",
    }


def _parse_signature(header: str) -> dict[str, str]:
    fields: dict[str, str] = {}
    for part in header.split(","):
        name, sep, value = part.strip().partition("=")
        if not sep or not name:
            raise SignatureInvalid(
                "the Signature header is not algorithm=RSA256,keyVersion=<n>,signature=<value>"
            )
        fields[name] = value
    return fields


_WANTED = {"client-id": "Client-Id", "response-time": "Response-Time", "signature": "Signature"}


def _wanted_headers(headers: cabc.Mapping[str, str]) -> dict[str, str]:
    """The three signature headers, found case-insensitively in one pass; at most one each."""
    pairs = headers.multi_items() if isinstance(headers, httpx.Headers) else headers.items()
    found: dict[str, str] = {}
    for key, value in pairs:
        name = _WANTED.get(key.lower()) if isinstance(key, str) else None
        if name is None:
            continue
        if name in found:
            raise SignatureInvalid(f"the response has more than one {name} header")
        if not isinstance(value, str):
            raise SignatureInvalid(f"the response's {name} header is not text")
        found[name] = value
    return found


# quote_plus leaves base64's letters, digits and nothing else alone: these three are the rest.
_QUOTED = str.maketrans({"+": "%2B", "/": "%2F", "=": "%3D"})


def verify_response(
    body: bytes,
    headers: cabc.Mapping[str, str],
    /,
    *,
    credentials: Credentials,
    path: str,
) -> None:
    """Check that a response was signed by the wallet, for this client, over this body.

    The content verified is ``POST <path>\\n<Client-Id>.<Response-Time>.<body>``, with the
    response's own ``Client-Id`` header, which must equal ``credentials.client_id``. Header
    names are matched case-insensitively; spaces after the commas of the ``Signature`` header
    are accepted.

    :param body: the response body, exactly as received.
    :param headers: the response headers (``httpx.Headers`` or any mapping of str to str).
    :param credentials: the wallet's public key and our client id.
    :param path: the URL path that was called.
    :raises SignatureInvalid: when a header is missing or malformed, the ``Client-Id`` is
        another client's, or the signature does not verify with the wallet's key.
    :raises TypeError: for a body that is not bytes or credentials of another type.
    """
    if not isinstance(body, bytes):
        raise TypeError(f"body must be bytes, not a {type(body).__name__}")
    if not isinstance(credentials, Credentials):
        raise TypeError(f"credentials must be Credentials, not a {type(credentials).__name__}")
    if not isinstance(headers, cabc.Mapping):
        raise TypeError(f"headers must be a mapping, not a {type(headers).__name__}")
    _check_path(path)
    found = _wanted_headers(headers)
    for name in ("Client-Id", "Response-Time", "Signature"):
        if name not in found:
            raise SignatureInvalid(f"the response has no {name} header, so it cannot be trusted")
    client_id = found["Client-Id"]
    if client_id != credentials.client_id:
        raise SignatureInvalid(
            f"the response is for Client-Id {quote(client_id)}, "
            f"not ours ({quote(credentials.client_id)})"
        )
    when = found["Response-Time"]
    if not _header_safe(when):
        raise SignatureInvalid("the response's Response-Time header is not printable ASCII")
    fields = _parse_signature(found["Signature"])
    algorithm = fields.get("algorithm")
    if algorithm != "RSA256":
        raise SignatureInvalid(
            f"the response's signature algorithm is {quote(algorithm)}; only RSA256 is accepted"
        )
    encoded = fields.get("signature")
    if not encoded:
        raise SignatureInvalid("the response's Signature header has no signature= value")
    try:
        raw = base64.b64decode(urllib.parse.unquote_plus(encoded), validate=True)
    except (binascii.Error, ValueError):
        raise SignatureInvalid(
            "the response's signature is not URL-encoded base64 (quote_plus of base64)"
        ) from None
    if not credentials.verify(raw, _content(path, client_id, when, body)):
        raise SignatureInvalid(
            "the response's signature does not verify with the wallet's public key"
        )


@dataclasses.dataclass(frozen=True, slots=True)
class Delivery:
    """What became of one send: the last outcome, how many attempts it took, the requestId.

    :param outcome: the last outcome; status ``"U"`` when it stayed unknown.
    :param attempts: how many requests were sent (a resend after a token refresh counts).
    :param request_id: the requestId every attempt carried.
    """

    outcome: Outcome
    attempts: int
    request_id: str


def _synthetic(code: str, message: str) -> Outcome:
    """An unknown outcome that no trusted response gave: a network failure, an HTTP 5xx, ..."""
    # Read through interpret_response so that these outcomes get the same advice as a U answer.
    cut = message if len(message) <= 256 else message[:255] + "…"
    return interpret_response(
        {"result": {"resultCode": code, "resultStatus": "U", "resultMessage": cut}}
    )


def _network_outcome(error: httpx.TransportError) -> Outcome:
    # The exception's own text may name the URL; its type says enough and holds no secret.
    kind = "timed out" if isinstance(error, httpx.TimeoutException) else "network failure"
    return _synthetic("NETWORK_ERROR", f"{kind}: {type(error).__name__}")


_Sleep = t.Callable[[float], object]
_AsyncSleep = t.Callable[[float], cabc.Awaitable[object]]


@dataclasses.dataclass(frozen=True, slots=True)
class _Wait:
    seconds: float


@dataclasses.dataclass(frozen=True, slots=True)
class _Refresh:
    token: str


class _Policy:
    """The settings and decisions both senders share; I/O stays in the senders."""

    def __init__(
        self,
        base_url: object,
        credentials: object,
        *,
        path: object,
        catalog: Catalog | None,
        max_attempts: object,
        deadline: object,
        backoff: object,
        refresh_token: object,
        clock: t.Callable[[], float],
        rng: random.Random | None,
    ) -> None:
        if not isinstance(base_url, str):
            raise TypeError(f"base_url must be a str, not a {type(base_url).__name__}")
        parsed = urllib.parse.urlsplit(base_url)
        if parsed.scheme not in ("http", "https") or not parsed.hostname:
            raise ValueError(
                f"base_url {quote(base_url)} must be an http:// or https:// URL with a host"
            )
        if parsed.username is not None or parsed.query or parsed.fragment:
            raise ValueError(
                "base_url must not carry user information, a query or a fragment; "
                "give the scheme, host, port and any path prefix only"
            )
        if not isinstance(credentials, Credentials):
            raise TypeError(f"credentials must be Credentials, not a {type(credentials).__name__}")
        self.path = _check_path(path)
        if catalog is not None:
            from .catalog import Catalog

            # The real type: a mock or an object whose __class__ lies is no Catalog.
            if not issubclass(type(catalog), Catalog):
                raise TypeError(
                    f"catalog must be a Catalog or None, not a {type(catalog).__name__}"
                )
        if not isinstance(max_attempts, int) or isinstance(max_attempts, bool):
            raise TypeError(f"max_attempts must be an int, not a {type(max_attempts).__name__}")
        if max_attempts < 1:
            raise ValueError(f"max_attempts must be 1 or more, not {max_attempts}")
        for name, value in (("deadline", deadline), ("backoff", backoff)):
            if not isinstance(value, int | float) or isinstance(value, bool):
                raise TypeError(f"{name} must be a number of seconds, not a {type(value).__name__}")
        deadline = float(t.cast("float", deadline))
        backoff = float(t.cast("float", backoff))
        if not deadline > 0:
            raise ValueError(f"deadline must be more than 0 seconds, not {deadline}")
        if not backoff >= 0 or backoff == float("inf"):
            raise ValueError(f"backoff must be 0 or more seconds, and finite, not {backoff}")
        if refresh_token is not None and not callable(refresh_token):
            raise TypeError("refresh_token must be a callable taking the old token, or None")
        self.url = base_url.rstrip("/") + self.path
        # Parsed once: httpx would otherwise parse the text again for every attempt.
        self.target = httpx.URL(self.url)
        self.credentials = credentials
        self.catalog = catalog
        self.max_attempts = max_attempts
        self.deadline = deadline
        self.backoff = backoff
        self.refresh_token = refresh_token
        self.clock = clock
        self.rng = rng if rng is not None else random.Random()

    def describe(self, name: str) -> str:
        return f"{name}({self.url!r}, {self.credentials!r}, max_attempts={self.max_attempts})"

    def prepare(self, payload: object) -> tuple[dict[str, t.Any], bytes, str]:
        validate_request(payload, catalog=self.catalog)
        # Valid means a dict of JSON values; a copy keeps later changes by the caller out.
        request = dict(t.cast("dict[str, t.Any]", payload))
        return request, _serialise(request), t.cast("str", request["requestId"])

    def retoken(self, request: dict[str, t.Any], token: object) -> tuple[dict[str, t.Any], bytes]:
        if not isinstance(token, str):
            raise TypeError(
                f"refresh_token must return the new token as a str, not a {type(token).__name__}"
            )
        renewed = {**request, "accessToken": token}
        validate_request(renewed, catalog=self.catalog)
        return renewed, _serialise(renewed)

    def headers(self, body: bytes) -> dict[str, str]:
        return sign_request(body, credentials=self.credentials, path=self.path)

    def timeout(self, configured: httpx.Timeout, started: float) -> httpx.Timeout:
        left = max(0.001, self.deadline - (self.clock() - started))

        def cap(value: float | None) -> float:
            return left if value is None else min(value, left)

        return httpx.Timeout(
            connect=cap(configured.connect),
            read=cap(configured.read),
            write=cap(configured.write),
            pool=cap(configured.pool),
        )

    def read(self, status: int, headers: httpx.Headers, body: bytes) -> Outcome:
        if 500 <= status <= 599:
            return _synthetic(f"HTTP_{status}", f"the wallet answered HTTP {status}")
        try:
            verify_response(body, headers, credentials=self.credentials, path=self.path)
        except SignatureInvalid as err:
            raise SignatureInvalid(f"HTTP {status} response: {err}") from None
        try:
            payload = json.loads(body)
        except ValueError:
            return _synthetic("INVALID_RESPONSE", "the wallet's signed answer is not JSON")
        try:
            return interpret_response(payload)
        except ResponseInvalid as err:
            errors = [p for p in err.problems if p.severity == "error"]
            return _synthetic("INVALID_RESPONSE", f"the wallet's answer is malformed: {errors[0]}")

    def next_step(
        self, outcome: Outcome, *, attempts: int, backoffs: int, started: float, token: str
    ) -> _Wait | _Refresh | None:
        """What to do after an attempt: wait, refresh the token, or stop (``None``)."""
        if outcome.retry is None or attempts >= self.max_attempts:
            return None
        if outcome.retry == "after-token-refresh":
            if self.refresh_token is None or self.clock() - started >= self.deadline:
                return None
            return _Refresh(token)
        if outcome.retry == "after-backoff":
            # Full jitter: anywhere between no wait and the exponential cap.
            wait = self.rng.uniform(0.0, self.backoff * 2 ** (backoffs - 1))
        else:
            wait = self.backoff
        if self.clock() - started + wait > self.deadline:
            return None
        return _Wait(wait)


def _serialise(request: dict[str, t.Any]) -> bytes:
    return json.dumps(request, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _logged(request_id: str, attempt: int, outcome: Outcome) -> None:
    if _log.isEnabledFor(logging.DEBUG):
        _log.debug(
            "requestId %s attempt %d: %s %s",
            quote(request_id),
            attempt,
            outcome.status,
            outcome.code,
        )


class Sender:
    """Send requests to the wallet, signed, with retries that never change the body.

    Every send validates the request first (:func:`msgtemplates.validate_request`, with the
    catalog's checks when one is given), serialises it once as compact UTF-8 JSON, and sends
    those same bytes and requestId on every attempt, each with a fresh ``Request-Time`` and
    signature. Retries follow :attr:`msgtemplates.Outcome.retry`:

    - ``"same-request"`` (status U), network failures, timeouts and HTTP 5xx: wait
      ``backoff`` seconds, then resend;
    - ``"after-backoff"`` (rate limited): the n-th such wait lasts a random time between 0 and
      ``backoff * 2**(n-1)`` seconds (full jitter);
    - ``"after-token-refresh"``: ``refresh_token(old_token)`` gives the new token, and the
      request is re-serialised with it (same requestId) and sent at once; without
      ``refresh_token`` the outcome is returned;
    - ``None``: the outcome is returned at once.

    It gives up after ``max_attempts`` requests, or when a wait would end later than
    ``deadline`` seconds after the send began (that wait is not started), and returns the last
    outcome. Each request's timeouts are the client's, cut to the time left. A network failure
    or timeout is an outcome with status ``U``, code ``NETWORK_ERROR``; HTTP 5xx is status
    ``U``, code ``HTTP_<status>``; a signed answer that is not a well-formed response is status
    ``U``, code ``INVALID_RESPONSE``. An answer whose signature does not verify raises
    :class:`SignatureInvalid`. TLS certificates are verified (a client made here uses httpx's
    defaults; never pass one with ``verify=False``). Log records (logger
    ``msgtemplates.send``, DEBUG) name the requestId, attempt and outcome, never the token.

    :param base_url: ``https://...`` (or ``http://`` for a loopback fake), without the path.
    :param credentials: the client id and keys.
    :param path: the API path, signed with every request.
    :param catalog: also check each request against the merchant's catalog.
    :param client: an ``httpx.Client`` to send with (its timeouts apply; it is not closed
        here); default: one made and owned by this sender.
    :param max_attempts: at most this many requests per send.
    :param deadline: seconds a send may take, waits included.
    :param backoff: the base wait, in seconds; ``0`` in tests.
    :param refresh_token: called with the expired token, returns a new one.
    :param sleep: how to wait (default :func:`time.sleep`); tests pass a recorder.
    :param clock: monotonic seconds for the deadline (default :func:`time.monotonic`).
    :param rng: the source of jitter (default: a fresh :class:`random.Random`).
    :raises TypeError: for an argument of the wrong type.
    :raises ValueError: for a base URL, path or number out of range.
    """

    def __init__(
        self,
        base_url: str,
        credentials: Credentials,
        /,
        *,
        path: str = SEND_PATH,
        catalog: Catalog | None = None,
        client: httpx.Client | None = None,
        max_attempts: int = 5,
        deadline: float = 60.0,
        backoff: float = 0.5,
        refresh_token: t.Callable[[str], str] | None = None,
        sleep: _Sleep = time.sleep,
        clock: t.Callable[[], float] = time.monotonic,
        rng: random.Random | None = None,
    ) -> None:
        self._policy = _Policy(
            base_url,
            credentials,
            path=path,
            catalog=catalog,
            max_attempts=max_attempts,
            deadline=deadline,
            backoff=backoff,
            refresh_token=refresh_token,
            clock=clock,
            rng=rng,
        )
        if client is not None and not isinstance(client, httpx.Client):
            raise TypeError(
                f"client must be an httpx.Client or None, not a {type(client).__name__}"
            )
        self._owned = client is None
        self._client = httpx.Client() if client is None else client
        self._sleep = sleep

    def send(self, payload: object, /) -> Delivery:
        """Send one request, retrying as its outcomes say; see :class:`Sender`.

        :param payload: the request (a dict as :func:`msgtemplates.check_request` takes).
        :returns: the last outcome, the number of attempts and the requestId.
        :raises RequestInvalid: when the request has errors; nothing is sent.
        :raises SignatureInvalid: when an answer is not signed by the wallet for this client.
        :raises TypeError: when ``refresh_token`` returns something other than a str (and
            whatever ``refresh_token`` itself raises, unchanged).
        """
        policy = self._policy
        request, body, request_id = policy.prepare(payload)
        started = policy.clock()
        attempts = backoffs = 0
        while True:
            attempts += 1
            headers = policy.headers(body)
            try:
                response = self._client.post(
                    policy.target,
                    content=body,
                    headers=headers,
                    timeout=policy.timeout(self._client.timeout, started),
                )
            except httpx.TransportError as err:
                outcome = _network_outcome(err)
            else:
                outcome = policy.read(response.status_code, response.headers, response.content)
            _logged(request_id, attempts, outcome)
            if outcome.retry == "after-backoff":
                backoffs += 1
            step = policy.next_step(
                outcome,
                attempts=attempts,
                backoffs=backoffs,
                started=started,
                token=t.cast("str", request["accessToken"]),
            )
            if step is None:
                return Delivery(outcome, attempts, request_id)
            if isinstance(step, _Refresh):
                refresh = t.cast("t.Callable[[str], str]", policy.refresh_token)
                request, body = policy.retoken(request, refresh(step.token))
                continue
            self._sleep(step.seconds)

    def close(self) -> None:
        """Close the HTTP client, when this sender made it."""
        if self._owned:
            self._client.close()

    def __enter__(self) -> Sender:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return self._policy.describe("Sender")


class AsyncSender:
    """:class:`Sender` for asyncio: the same checks, retries and arguments, with ``await``.

    ``client`` is an ``httpx.AsyncClient``; ``sleep`` (default :func:`asyncio.sleep`) returns
    an awaitable; ``refresh_token`` may return the new token or an awaitable of it.
    """

    def __init__(
        self,
        base_url: str,
        credentials: Credentials,
        /,
        *,
        path: str = SEND_PATH,
        catalog: Catalog | None = None,
        client: httpx.AsyncClient | None = None,
        max_attempts: int = 5,
        deadline: float = 60.0,
        backoff: float = 0.5,
        refresh_token: t.Callable[[str], str | cabc.Awaitable[str]] | None = None,
        sleep: _AsyncSleep = asyncio.sleep,
        clock: t.Callable[[], float] = time.monotonic,
        rng: random.Random | None = None,
    ) -> None:
        self._policy = _Policy(
            base_url,
            credentials,
            path=path,
            catalog=catalog,
            max_attempts=max_attempts,
            deadline=deadline,
            backoff=backoff,
            refresh_token=refresh_token,
            clock=clock,
            rng=rng,
        )
        if client is not None and not isinstance(client, httpx.AsyncClient):
            raise TypeError(
                f"client must be an httpx.AsyncClient or None, not a {type(client).__name__}"
            )
        self._owned = client is None
        self._client = httpx.AsyncClient() if client is None else client
        self._sleep = sleep

    async def send(self, payload: object, /) -> Delivery:
        """Send one request, retrying as its outcomes say; see :class:`Sender`.

        :param payload: the request.
        :returns: the last outcome, the number of attempts and the requestId.
        :raises RequestInvalid: when the request has errors; nothing is sent.
        :raises SignatureInvalid: when an answer is not signed by the wallet for this client.
        :raises TypeError: when ``refresh_token`` returns something other than a str (and
            whatever ``refresh_token`` itself raises, unchanged).
        """
        policy = self._policy
        request, body, request_id = policy.prepare(payload)
        started = policy.clock()
        attempts = backoffs = 0
        while True:
            attempts += 1
            headers = policy.headers(body)
            try:
                response = await self._client.post(
                    policy.target,
                    content=body,
                    headers=headers,
                    timeout=policy.timeout(self._client.timeout, started),
                )
            except httpx.TransportError as err:
                outcome = _network_outcome(err)
            else:
                outcome = policy.read(response.status_code, response.headers, response.content)
            _logged(request_id, attempts, outcome)
            if outcome.retry == "after-backoff":
                backoffs += 1
            step = policy.next_step(
                outcome,
                attempts=attempts,
                backoffs=backoffs,
                started=started,
                token=t.cast("str", request["accessToken"]),
            )
            if step is None:
                return Delivery(outcome, attempts, request_id)
            if isinstance(step, _Refresh):
                refresh = t.cast("t.Callable[[str], object]", policy.refresh_token)
                new = refresh(step.token)
                if inspect.isawaitable(new):
                    new = await new
                request, body = policy.retoken(request, new)
                continue
            await self._sleep(step.seconds)

    async def aclose(self) -> None:
        """Close the HTTP client, when this sender made it."""
        if self._owned:
            await self._client.aclose()

    async def __aenter__(self) -> AsyncSender:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        return self._policy.describe("AsyncSender")
