"""Tests of msgtemplates.send: signatures (against openssl), Credentials, Sender and AsyncSender.

Every sender behaviour runs against the fake wallet in four ways: in process (its httpx
transport) and over loopback (its ``serve()``), each with ``Sender`` and ``AsyncSender``.
"""

from __future__ import annotations

import asyncio
import base64
import collections.abc as cabc
import contextlib
import datetime
import ipaddress
import json
import logging
import os
import pickle
import random
import re
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import typing as t
import urllib.parse

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.x509.oid import NameOID
from helpers import private_pem, public_pem

import msgtemplates
from msgtemplates import Catalog, RequestInvalid, SignatureInvalid
from msgtemplates.fakewallet import FakeWallet
from msgtemplates.send import (
    SEND_PATH,
    AsyncSender,
    Credentials,
    Delivery,
    Sender,
    sign_request,
    verify_response,
)

CLIENT_ID = "2021000000000001"
TOKEN = "TOKEN-a1b2c3d4e5f6-secret"
NEW_TOKEN = "TOKEN-fresh-9z8y7x-secret"
MODES = ["transport-sync", "transport-async", "loopback-sync", "loopback-async"]
OPENSSL = shutil.which("openssl")


@pytest.fixture(scope="module")
def merchant_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def other_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def wallet_key() -> bytes:
    return private_pem(rsa.generate_private_key(public_exponent=65537, key_size=2048))


@pytest.fixture
def wallet(merchant_key: rsa.RSAPrivateKey, wallet_key: bytes) -> FakeWallet:
    # A fresh wallet (its own state) per test, with one key per module, to spare key generation.
    return FakeWallet(public_pem(merchant_key), private_key=wallet_key)


@pytest.fixture(scope="module")
def creds(merchant_key: rsa.RSAPrivateKey, wallet_key: bytes) -> Credentials:
    wallet_public = public_pem(serialization.load_pem_private_key(wallet_key, None))
    return Credentials(CLIENT_ID, private_pem(merchant_key), wallet_public)


def request(request_id: str = "REQ-1", **changes: t.Any) -> dict[str, t.Any]:
    payload: dict[str, t.Any] = {
        "appId": "3333010071465913",
        "accessToken": TOKEN,
        "requestId": request_id,
        "templateCode": "TP_PAYMENT_SUCCESS",
        "templates": [
            {
                "language": "en-US",
                "templateParameters": {"merchant": "Sunrise", "amount": "HK$38.00"},
            },
            {"language": "zh-HK", "templateParameters": {"merchant": "日出", "amount": "38"}},
        ],
    }
    payload.update(changes)
    return payload


def compact(payload: object) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


class FakeTime:
    """A clock that moves only when the sender sleeps, and a record of the sleeps."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    async def asleep(self, seconds: float) -> None:
        self.sleep(seconds)


def deliver(
    mode: str,
    wallet: FakeWallet,
    creds: Credentials,
    *payloads: object,
    timing: FakeTime | None = None,
    transport: httpx.MockTransport | None = None,
    **options: t.Any,
) -> list[Delivery]:
    """Send the payloads in order with one sender of the given mode; return the deliveries."""
    timing = timing or FakeTime()
    options.setdefault("backoff", 0)
    kinds, _, flavour = mode.partition("-")
    moved = transport or wallet.transport

    async def run_async(base_url: str, client: httpx.AsyncClient) -> list[Delivery]:
        async with AsyncSender(
            base_url,
            creds,
            client=client,
            sleep=timing.asleep,
            clock=timing.clock,
            **options,
        ) as sender:
            return [await sender.send(payload) for payload in payloads]

    with contextlib.ExitStack() as stack:
        if kinds == "loopback":
            base_url = stack.enter_context(wallet.serve())
            made: dict[str, t.Any] = {"timeout": 0.2}
        else:
            base_url = "https://wallet.example"
            made = {"transport": moved}
        if flavour == "async":

            async def main() -> list[Delivery]:
                async with httpx.AsyncClient(**made) as client:
                    return await run_async(base_url, client)

            return asyncio.run(main())
        with httpx.Client(**made) as client:
            sender = Sender(
                base_url, creds, client=client, sleep=timing.sleep, clock=timing.clock, **options
            )
            return [sender.send(payload) for payload in payloads]


# --- Credentials -----------------------------------------------------------------------------


def test_credentials_repr_and_str_show_the_client_id_and_no_key_material(
    creds: Credentials, merchant_key: rsa.RSAPrivateKey
) -> None:
    pem = private_pem(merchant_key).decode()
    middle = pem.splitlines()[5]
    for text in (repr(creds), str(creds)):
        assert CLIENT_ID in text
        assert "BEGIN" not in text
        assert middle not in text


def test_credentials_refuse_to_be_pickled(creds: Credentials) -> None:
    with pytest.raises(TypeError, match="cannot be pickled"):
        pickle.dumps(creds)


def test_credentials_derive_the_merchant_public_key(
    creds: Credentials, merchant_key: rsa.RSAPrivateKey, wallet: FakeWallet
) -> None:
    assert creds.public_key.encode() == public_pem(merchant_key)
    assert creds.wallet_public_key == wallet.public_key
    assert creds.client_id == CLIENT_ID
    assert creds.key_version == 1


def small_rsa() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=1024)


@pytest.mark.parametrize(
    ("which", "make", "error", "words"),
    [
        ("private", lambda m, w: b"not a key", ValueError, "private_key is not a PEM"),
        ("private", lambda m, w: 42, TypeError, "private_key must be a PEM text"),
        ("private", lambda m, w: public_pem(m), ValueError, "holds a public key"),
        (
            "private",
            lambda m, w: b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
            ValueError,
            "not a PEM private key that can be read",
        ),
        ("private", lambda m, w: private_pem(small_rsa()), ValueError, "1024 bits"),
        (
            "private",
            lambda m, w: private_pem(ec.generate_private_key(ec.SECP256R1())),
            ValueError,
            "not an RSA key",
        ),
        (
            "private",
            lambda m, w: m.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.BestAvailableEncryption(b"pw"),
            ),
            ValueError,
            "encrypted",
        ),
        ("wallet", lambda m, w: "plain words", ValueError, "wallet_public_key is not a PEM"),
        ("wallet", lambda m, w: private_pem(m), ValueError, "holds a private key"),
        ("wallet", lambda m, w: public_pem(small_rsa()), ValueError, "1024 bits"),
        (
            "wallet",
            lambda m, w: public_pem(ed25519.Ed25519PrivateKey.generate()),
            ValueError,
            "not an RSA key",
        ),
        ("wallet", lambda m, w: None, TypeError, "wallet_public_key must be a PEM text"),
    ],
)
def test_credentials_name_what_is_wrong_with_a_key(
    merchant_key: rsa.RSAPrivateKey,
    wallet: FakeWallet,
    which: str,
    make: t.Callable[[rsa.RSAPrivateKey, str], t.Any],
    error: type[Exception],
    words: str,
) -> None:
    bad = make(merchant_key, wallet.public_key)
    private: t.Any = bad if which == "private" else private_pem(merchant_key)
    public: t.Any = bad if which == "wallet" else wallet.public_key
    with pytest.raises(error, match=words) as caught:
        Credentials(CLIENT_ID, private, public)
    text = str(caught.value)
    assert len(text) <= 400
    assert "BEGIN" not in text
    for line in private_pem(merchant_key).decode().splitlines()[1:-1]:
        assert line not in text


@pytest.mark.parametrize(
    ("client_id", "key_version", "error"),
    [
        ("", 1, ValueError),
        ("a\nb", 1, ValueError),
        (" padded", 1, ValueError),
        (7, 1, TypeError),
        (CLIENT_ID, -1, ValueError),
        (CLIENT_ID, True, TypeError),
        (CLIENT_ID, "1", TypeError),
    ],
)
def test_credentials_reject_a_client_id_or_key_version_that_cannot_be_a_header(
    merchant_key: rsa.RSAPrivateKey,
    wallet: FakeWallet,
    client_id: t.Any,
    key_version: t.Any,
    error: type[Exception],
) -> None:
    with pytest.raises(error):
        Credentials(
            client_id, private_pem(merchant_key), wallet.public_key, key_version=key_version
        )


# --- sign_request and verify_response ----------------------------------------------------------


def test_sign_request_gives_the_four_headers_in_the_documented_format(creds: Credentials) -> None:
    headers = sign_request(b'{"a":1}', credentials=creds, path=SEND_PATH)
    assert set(headers) == {"Client-Id", "Request-Time", "Content-Type", "Signature"}
    assert headers["Client-Id"] == CLIENT_ID
    assert headers["Content-Type"] == "application/json; charset=UTF-8"
    when = datetime.datetime.fromisoformat(headers["Request-Time"])
    assert when.tzinfo is not None
    assert "T" in headers["Request-Time"]
    found = re.fullmatch(r"algorithm=RSA256,keyVersion=1,signature=([^,\s]+)", headers["Signature"])
    assert found is not None
    raw = base64.b64decode(urllib.parse.unquote_plus(found.group(1)), validate=True)
    assert len(raw) == 256
    assert found.group(1) == urllib.parse.quote_plus(base64.b64encode(raw).decode())


def test_sign_request_names_the_key_version(
    merchant_key: rsa.RSAPrivateKey, wallet: FakeWallet
) -> None:
    creds = Credentials(CLIENT_ID, private_pem(merchant_key), wallet.public_key, key_version=7)
    headers = sign_request(b"{}", credentials=creds, path=SEND_PATH)
    assert headers["Signature"].startswith("algorithm=RSA256,keyVersion=7,signature=")


def test_sign_request_uses_the_request_time_given(creds: Credentials) -> None:
    headers = sign_request(
        b"{}", credentials=creds, path=SEND_PATH, request_time="2026-12-01T19:48:35+08:00"
    )
    assert headers["Request-Time"] == "2026-12-01T19:48:35+08:00"


@pytest.mark.parametrize(
    ("body", "path", "when", "error"),
    [
        ("{}", SEND_PATH, None, TypeError),
        (b"{}", "v2/no/slash", None, ValueError),
        (b"{}", "/v2/with space", None, ValueError),
        (b"{}", SEND_PATH, "2026-12-01T19:48:35", ValueError),
        (b"{}", SEND_PATH, "yesterday", ValueError),
        (b"{}", SEND_PATH, "2026-12-01T19:48:35+08:00\r\nX: y", ValueError),
        (b"{}", SEND_PATH, 1700000000, TypeError),
    ],
)
def test_sign_request_refuses_what_cannot_be_sent(
    creds: Credentials, body: t.Any, path: t.Any, when: t.Any, error: type[Exception]
) -> None:
    with pytest.raises(error):
        sign_request(body, credentials=creds, path=path, request_time=when)


def signature_of(header: str) -> bytes:
    value = header.rpartition("signature=")[2]
    return base64.b64decode(urllib.parse.unquote_plus(value))


@pytest.mark.skipif(OPENSSL is None, reason="needs the openssl command line")
def test_a_request_signature_verifies_with_openssl(
    creds: Credentials, merchant_key: rsa.RSAPrivateKey, tmp_path: t.Any
) -> None:
    body = compact(request())
    headers = sign_request(body, credentials=creds, path=SEND_PATH)
    content = f"POST {SEND_PATH}\n{CLIENT_ID}.{headers['Request-Time']}.".encode() + body
    (tmp_path / "pub.pem").write_bytes(public_pem(merchant_key))
    (tmp_path / "sig.bin").write_bytes(signature_of(headers["Signature"]))
    (tmp_path / "content.txt").write_bytes(content)
    (tmp_path / "tampered.txt").write_bytes(content.replace(b"Sunrise", b"Sunset!"))
    command = [str(OPENSSL), "dgst", "-sha256", "-verify", "pub.pem", "-signature", "sig.bin"]
    good = subprocess.run([*command, "content.txt"], cwd=tmp_path, capture_output=True)
    assert good.returncode == 0, good.stderr
    assert b"Verified OK" in good.stdout
    bad = subprocess.run([*command, "tampered.txt"], cwd=tmp_path, capture_output=True)
    assert bad.returncode != 0


@pytest.mark.skipif(OPENSSL is None, reason="needs the openssl command line")
def test_a_response_signed_by_openssl_verifies(
    merchant_key: rsa.RSAPrivateKey, other_key: rsa.RSAPrivateKey, tmp_path: t.Any
) -> None:
    # other_key plays the wallet: openssl signs with its private key.
    creds = Credentials(CLIENT_ID, private_pem(merchant_key), public_pem(other_key))
    body = b'{"result":{"resultCode":"SUCCESS","resultStatus":"S","resultMessage":"success"}}'
    when = "2026-12-01T20:01:02+08:00"
    (tmp_path / "key.pem").write_bytes(private_pem(other_key))
    (tmp_path / "content.txt").write_bytes(f"POST {SEND_PATH}\n{CLIENT_ID}.{when}.".encode() + body)
    subprocess.run(
        [str(OPENSSL), "dgst", "-sha256", "-sign", "key.pem", "-out", "sig.bin", "content.txt"],
        cwd=tmp_path,
        check=True,
    )
    value = urllib.parse.quote_plus(base64.b64encode((tmp_path / "sig.bin").read_bytes()).decode())
    headers = {
        "client-id": CLIENT_ID,
        "RESPONSE-TIME": when,
        "Signature": f"algorithm=RSA256, keyVersion=1, signature={value}",
    }
    verify_response(body, headers, credentials=creds, path=SEND_PATH)
    with pytest.raises(SignatureInvalid, match="does not verify"):
        verify_response(
            body.replace(b"SUCCESS", b"SUCCES5"), headers, credentials=creds, path=SEND_PATH
        )
    with pytest.raises(SignatureInvalid, match="does not verify"):
        verify_response(body, headers, credentials=creds, path="/v2/other")


def wallet_headers(
    key: rsa.RSAPrivateKey,
    body: bytes,
    *,
    client_id: str = CLIENT_ID,
    when: str = "2026-12-01T20:00:00+00:00",
) -> dict[str, str]:
    """Response headers signed with ``key``, written out here in the platform's format."""
    content = f"POST {SEND_PATH}\n{client_id}.{when}.".encode() + body
    raw = key.sign(content, padding.PKCS1v15(), hashes.SHA256())
    value = urllib.parse.quote_plus(base64.b64encode(raw).decode())
    return {
        "Client-Id": client_id,
        "Response-Time": when,
        "Signature": f"algorithm=RSA256,keyVersion=1,signature={value}",
    }


@pytest.fixture(scope="module")
def trusting(merchant_key: rsa.RSAPrivateKey, other_key: rsa.RSAPrivateKey) -> Credentials:
    """Credentials that trust ``other_key`` as the wallet's."""
    return Credentials(CLIENT_ID, private_pem(merchant_key), public_pem(other_key))


BODY = b'{"result":{"resultCode":"SUCCESS","resultStatus":"S"}}'


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (lambda h: {k: v for k, v in h.items() if k != "Signature"}, "no Signature header"),
        (lambda h: {k: v for k, v in h.items() if k != "Client-Id"}, "no Client-Id header"),
        (lambda h: {k: v for k, v in h.items() if k != "Response-Time"}, "no Response-Time"),
        (lambda h: {**h, "Client-Id": "2021999999999999"}, "not ours"),
        (lambda h: {**h, "signature": h["Signature"]}, "more than one Signature header"),
        (lambda h: {**h, "Signature": h["Signature"].replace("RSA256", "RSA")}, "algorithm"),
        (lambda h: {**h, "Signature": "algorithm=RSA256,keyVersion=1"}, "no signature="),
        (lambda h: {**h, "Signature": "garbage"}, "is not algorithm=RSA256"),
        (
            lambda h: {**h, "Signature": "algorithm=RSA256,keyVersion=1,signature=%%%not-b64"},
            "not URL-encoded base64",
        ),
        (lambda h: {**h, "Response-Time": "2026-12-01T20:00:01+00:00"}, "does not verify"),
    ],
)
def test_verify_response_distrusts_a_response_that_is_not_signed_for_us(
    trusting: Credentials,
    other_key: rsa.RSAPrivateKey,
    change: t.Callable[[dict[str, str]], dict[str, str]],
    words: str,
) -> None:
    good = wallet_headers(other_key, BODY)
    verify_response(BODY, good, credentials=trusting, path=SEND_PATH)
    with pytest.raises(SignatureInvalid, match=words) as caught:
        verify_response(BODY, change(good), credentials=trusting, path=SEND_PATH)
    assert isinstance(caught.value, msgtemplates.MsgTemplatesError)
    assert isinstance(caught.value, ValueError)
    assert "BEGIN" not in str(caught.value)


def test_verify_response_distrusts_a_response_signed_by_another_key(
    creds: Credentials, other_key: rsa.RSAPrivateKey
) -> None:
    with pytest.raises(SignatureInvalid, match="wallet's public key"):
        verify_response(BODY, wallet_headers(other_key, BODY), credentials=creds, path=SEND_PATH)


def test_signature_invalid_is_one_class_in_both_homes() -> None:
    from msgtemplates import send

    assert send.SignatureInvalid is msgtemplates.SignatureInvalid


# --- Sender and AsyncSender against the fake wallet -------------------------------------------


@pytest.mark.parametrize("mode", MODES)
def test_a_valid_request_is_delivered_once_as_compact_utf8_json(
    mode: str, wallet: FakeWallet, creds: Credentials
) -> None:
    payload = request()
    [delivery] = deliver(mode, wallet, creds, payload)
    assert delivery.outcome.succeeded
    assert (delivery.attempts, delivery.request_id) == (1, "REQ-1")
    assert wallet.received == [compact(payload)]
    assert wallet.delivered == {"REQ-1": compact(payload)}


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    "fault", ["UNKNOWN_EXCEPTION", "HTTP_500", "TIMEOUT", "DROP", "REQUEST_TRAFFIC_EXCEED_LIMIT"]
)
def test_a_retryable_fault_is_retried_with_the_same_bytes_and_request_id(
    mode: str, fault: str, wallet: FakeWallet, creds: Credentials
) -> None:
    wallet.inject(fault, fault)
    [delivery] = deliver(mode, wallet, creds, request())
    assert delivery.outcome.succeeded
    assert delivery.attempts == 3
    assert wallet.received == [compact(request())] * 3
    assert list(wallet.delivered) == ["REQ-1"]


@pytest.mark.parametrize("mode", MODES)
def test_an_answer_signed_by_another_key_raises_signature_invalid(
    mode: str, wallet: FakeWallet, creds: Credentials
) -> None:
    wallet.inject("BAD_SIGNATURE")
    with pytest.raises(SignatureInvalid, match="does not verify"):
        deliver(mode, wallet, creds, request())
    assert wallet.delivered == {}


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    ("fault", "code"),
    [
        ("UNKNOWN_EXCEPTION", "UNKNOWN_EXCEPTION"),
        ("DROP", "NETWORK_ERROR"),
        ("HTTP_500", "HTTP_500"),
    ],
)
def test_it_gives_up_at_max_attempts_with_an_unknown_outcome(
    mode: str, fault: str, code: str, wallet: FakeWallet, creds: Credentials
) -> None:
    wallet.inject(*[fault] * 4)
    [delivery] = deliver(mode, wallet, creds, request(), max_attempts=3)
    assert delivery.attempts == 3
    assert delivery.outcome.status == "U"
    assert delivery.outcome.code == code
    assert delivery.outcome.retry == "same-request"
    assert wallet.received == [compact(request())] * 3
    assert wallet.delivered == {}


@pytest.mark.parametrize("mode", ["transport-sync", "transport-async"])
def test_a_timeout_is_an_unknown_network_outcome(
    mode: str, wallet: FakeWallet, creds: Credentials
) -> None:
    wallet.inject("TIMEOUT")
    [delivery] = deliver(mode, wallet, creds, request(), max_attempts=1)
    outcome = delivery.outcome
    assert (outcome.status, outcome.code, outcome.retry) == ("U", "NETWORK_ERROR", "same-request")
    assert outcome.message is not None
    assert "timed out" in outcome.message


@pytest.mark.parametrize("mode", MODES)
def test_an_expired_token_is_refreshed_and_the_request_resent_with_the_same_request_id(
    mode: str, wallet: FakeWallet, creds: Credentials
) -> None:
    asked: list[str] = []

    def refresh(old: str) -> str:
        asked.append(old)
        return NEW_TOKEN

    wallet.inject("EXPIRED_ACCESS_TOKEN")
    [delivery] = deliver(mode, wallet, creds, request(), refresh_token=refresh)
    assert asked == [TOKEN]
    assert delivery.outcome.succeeded
    assert delivery.attempts == 2
    first, second = (json.loads(body) for body in wallet.received)
    assert first["accessToken"] == TOKEN
    assert second == {**first, "accessToken": NEW_TOKEN}
    assert wallet.delivered == {"REQ-1": compact(request(accessToken=NEW_TOKEN))}


def test_an_async_refresh_may_return_an_awaitable(wallet: FakeWallet, creds: Credentials) -> None:
    async def refresh(old: str) -> str:
        return NEW_TOKEN

    wallet.inject("EXPIRED_ACCESS_TOKEN")
    [delivery] = deliver("transport-async", wallet, creds, request(), refresh_token=refresh)
    assert delivery.outcome.succeeded
    assert json.loads(wallet.received[1])["accessToken"] == NEW_TOKEN


@pytest.mark.parametrize("mode", ["transport-sync", "loopback-async"])
def test_an_expired_token_without_refresh_returns_at_once(
    mode: str, wallet: FakeWallet, creds: Credentials
) -> None:
    wallet.inject("EXPIRED_ACCESS_TOKEN")
    timing = FakeTime()
    [delivery] = deliver(mode, wallet, creds, request(), timing=timing)
    assert delivery.outcome.code == "EXPIRED_ACCESS_TOKEN"
    assert delivery.attempts == 1
    assert timing.sleeps == []


@pytest.mark.parametrize("mode", ["transport-sync", "transport-async"])
@pytest.mark.parametrize("returned", [None, 42, ""])
def test_a_refresh_that_returns_no_usable_token_is_an_error(
    mode: str, returned: t.Any, wallet: FakeWallet, creds: Credentials
) -> None:
    wallet.inject("EXPIRED_ACCESS_TOKEN")
    with pytest.raises((TypeError, RequestInvalid)):
        deliver(mode, wallet, creds, request(), refresh_token=lambda old: returned)
    assert len(wallet.received) == 1


@pytest.mark.parametrize("mode", MODES)
def test_a_request_with_errors_raises_request_invalid_and_sends_nothing(
    mode: str, wallet: FakeWallet, creds: Credentials
) -> None:
    broken = request(templates=[{"language": "en_US"}])
    with pytest.raises(RequestInvalid) as caught:
        deliver(mode, wallet, creds, broken)
    assert [p.code for p in caught.value.problems] == ["languageTag"]
    assert wallet.received == []


def test_the_catalog_checks_apply_before_sending(wallet: FakeWallet, creds: Credentials) -> None:
    catalog = Catalog({"TP_OTHER": {"en-US": "Hello ${who}"}})
    with pytest.raises(RequestInvalid) as caught:
        deliver("transport-sync", wallet, creds, request(), catalog=catalog)
    assert "unknownTemplate" in [p.code for p in caught.value.problems]
    assert wallet.received == []


@pytest.mark.parametrize("mode", MODES)
def test_a_request_id_reused_with_another_body_is_refused_and_not_retried(
    mode: str, wallet: FakeWallet, creds: Credentials
) -> None:
    changed = request(templateCode="TP_REFUND_DONE")
    timing = FakeTime()
    first, second = deliver(mode, wallet, creds, request(), changed, timing=timing)
    assert first.outcome.succeeded
    assert second.outcome.code == "REPEAT_REQ_INCONSISTENT"
    assert (second.outcome.status, second.outcome.retry, second.attempts) == ("F", None, 1)
    assert timing.sleeps == []
    assert wallet.delivered == {"REQ-1": compact(request())}


@pytest.mark.parametrize("mode", ["transport-sync", "loopback-sync"])
def test_the_same_request_with_a_new_token_gets_the_stored_result(
    mode: str, wallet: FakeWallet, creds: Credentials
) -> None:
    first, second = deliver(mode, wallet, creds, request(), request(accessToken=NEW_TOKEN))
    assert first.outcome == second.outcome
    assert second.outcome.succeeded
    assert wallet.delivered == {"REQ-1": compact(request())}


@pytest.mark.parametrize("mode", ["transport-sync", "transport-async"])
def test_same_request_retries_wait_backoff_seconds(
    mode: str, wallet: FakeWallet, creds: Credentials
) -> None:
    timing = FakeTime()
    wallet.inject("UNKNOWN_EXCEPTION", "DROP", "HTTP_500")
    [delivery] = deliver(mode, wallet, creds, request(), backoff=0.25, timing=timing)
    assert delivery.attempts == 4
    assert timing.sleeps == [0.25, 0.25, 0.25]


@pytest.mark.parametrize("mode", ["transport-sync", "transport-async"])
def test_rate_limits_back_off_exponentially_with_full_jitter(
    mode: str, wallet: FakeWallet, creds: Credentials
) -> None:
    timing = FakeTime()
    wallet.inject(*["REQUEST_TRAFFIC_EXCEED_LIMIT"] * 4)
    [delivery] = deliver(
        mode, wallet, creds, request(), backoff=1.0, rng=random.Random(7), timing=timing
    )
    assert delivery.outcome.succeeded
    draws = random.Random(7)
    assert timing.sleeps == [draws.uniform(0.0, 2.0**n) for n in range(4)]
    for n, wait in enumerate(timing.sleeps):
        assert 0.0 <= wait <= 2.0**n


@pytest.mark.parametrize("mode", ["transport-sync", "transport-async"])
def test_a_wait_that_would_end_past_the_deadline_is_not_started(
    mode: str, wallet: FakeWallet, creds: Credentials
) -> None:
    timing = FakeTime()
    wallet.inject(*["UNKNOWN_EXCEPTION"] * 10)
    [delivery] = deliver(
        mode, wallet, creds, request(), backoff=1.0, deadline=2.5, max_attempts=10, timing=timing
    )
    assert timing.sleeps == [1.0, 1.0]
    assert delivery.attempts == 3
    assert delivery.outcome.status == "U"


@pytest.mark.parametrize("mode", MODES)
def test_an_answer_for_another_client_id_is_not_trusted(
    mode: str, merchant_key: rsa.RSAPrivateKey, wallet_key: bytes, creds: Credentials
) -> None:
    wallet = FakeWallet(
        public_pem(merchant_key), client_id="2021000000000999", private_key=wallet_key
    )
    with pytest.raises(SignatureInvalid, match="Client-Id"):
        deliver(mode, wallet, creds, request())
    assert wallet.delivered == {}


def test_a_wrong_wallet_key_in_the_credentials_distrusts_every_answer(
    wallet: FakeWallet, trusting: Credentials
) -> None:
    with pytest.raises(SignatureInvalid):
        deliver("transport-sync", wallet, trusting, request())


def scripted(
    key: rsa.RSAPrivateKey, status: int, body: bytes, *, signed: bool = True
) -> httpx.MockTransport:
    """A wallet that always gives this answer."""

    def handler(incoming: httpx.Request) -> httpx.Response:
        headers = wallet_headers(key, body) if signed else {}
        return httpx.Response(status, headers=headers, content=body)

    return httpx.MockTransport(handler)


@pytest.mark.parametrize("mode", ["transport-sync", "transport-async"])
@pytest.mark.parametrize(
    ("body", "problem"),
    [(b"<html>busy</html>", "not JSON"), (b'{"result":{"resultCode":"X"}}', "malformed")],
)
def test_a_signed_answer_that_is_not_a_response_is_never_trusted(
    mode: str,
    wallet: FakeWallet,
    trusting: Credentials,
    other_key: rsa.RSAPrivateKey,
    body: bytes,
    problem: str,
) -> None:
    transport = scripted(other_key, 200, body)
    [delivery] = deliver(mode, wallet, trusting, request(), transport=transport, max_attempts=2)
    assert (delivery.outcome.status, delivery.outcome.code) == ("U", "INVALID_RESPONSE")
    assert delivery.attempts == 2
    assert delivery.outcome.message is not None
    assert problem in delivery.outcome.message


@pytest.mark.parametrize("mode", ["transport-sync", "transport-async"])
@pytest.mark.parametrize("status", [200, 404])
def test_an_unsigned_answer_raises_signature_invalid(
    mode: str, wallet: FakeWallet, creds: Credentials, other_key: rsa.RSAPrivateKey, status: int
) -> None:
    transport = scripted(other_key, status, BODY, signed=False)
    with pytest.raises(SignatureInvalid, match=f"HTTP {status}.*no Client-Id"):
        deliver(mode, wallet, creds, request(), transport=transport)


def test_secrets_never_reach_the_logs_reprs_or_exception_texts(
    wallet: FakeWallet,
    creds: Credentials,
    merchant_key: rsa.RSAPrivateKey,
    caplog: pytest.LogCaptureFixture,
) -> None:
    key_lines = private_pem(merchant_key).decode().splitlines()[1:-1]
    texts: list[str] = [repr(creds), str(creds)]
    caplog.set_level(logging.DEBUG)
    wallet.inject("EXPIRED_ACCESS_TOKEN", "UNKNOWN_EXCEPTION", "DROP", "HTTP_500")
    deliveries = deliver(
        "transport-sync", wallet, creds, request(), refresh_token=lambda o: NEW_TOKEN
    )
    deliveries += deliver(
        "transport-async", wallet, creds, request("REQ-2"), refresh_token=lambda o: NEW_TOKEN
    )
    texts += [repr(d) for d in deliveries]
    assert any(r.name == "msgtemplates.send" for r in caplog.records)
    for broken in (
        request(extendInfo=TOKEN * 200),
        request(**{TOKEN: "x"}),
        request(templates=[{"language": TOKEN}]),
    ):
        with pytest.raises(RequestInvalid) as caught:
            deliver("transport-sync", wallet, creds, broken)
        texts.append(str(caught.value))
    wallet.inject("BAD_SIGNATURE")
    with pytest.raises(SignatureInvalid) as bad:
        deliver("transport-sync", wallet, creds, request("REQ-3"))
    texts.append(str(bad.value))
    with httpx.Client(transport=wallet.transport) as client:
        texts.append(repr(Sender("https://w.example", creds, client=client)))
    texts.append(caplog.text)
    for text in texts:
        assert TOKEN not in text
        assert NEW_TOKEN not in text
        assert "BEGIN" not in text
        assert not any(line in text for line in key_lines)


@pytest.mark.parametrize(
    ("base_url", "options", "error"),
    [
        ("ftp://wallet.example", {}, ValueError),
        ("https://user:pw@wallet.example", {}, ValueError),
        ("https://wallet.example?x=1", {}, ValueError),
        ("wallet.example", {}, ValueError),
        (42, {}, TypeError),
        ("https://wallet.example", {"max_attempts": 0}, ValueError),
        ("https://wallet.example", {"max_attempts": 2.0}, TypeError),
        ("https://wallet.example", {"deadline": 0}, ValueError),
        ("https://wallet.example", {"backoff": -1}, ValueError),
        ("https://wallet.example", {"backoff": "1"}, TypeError),
        ("https://wallet.example", {"path": "no-slash"}, ValueError),
        ("https://wallet.example", {"refresh_token": "token"}, TypeError),
        ("https://wallet.example", {"catalog": {"TP": {}}}, TypeError),
        ("https://wallet.example", {"client": httpx.AsyncClient()}, TypeError),
    ],
)
def test_sender_names_a_bad_argument(
    creds: Credentials, base_url: t.Any, options: dict[str, t.Any], error: type[Exception]
) -> None:
    with pytest.raises(error):
        Sender(base_url, creds, **options)


def test_sender_wants_credentials(wallet: FakeWallet) -> None:
    with pytest.raises(TypeError, match="Credentials"):
        Sender("https://wallet.example", t.cast("t.Any", {"client_id": CLIENT_ID}))


def test_async_sender_wants_an_async_client(creds: Credentials) -> None:
    with httpx.Client() as client, pytest.raises(TypeError, match="AsyncClient"):
        AsyncSender("https://wallet.example", creds, client=t.cast("t.Any", client))


def test_the_request_timeouts_are_cut_to_the_time_left(
    wallet: FakeWallet, creds: Credentials
) -> None:
    seen: list[dict[str, t.Any]] = []

    def handler(incoming: httpx.Request) -> httpx.Response:
        seen.append(incoming.extensions["timeout"])
        return wallet.transport.handle_request(incoming)

    with httpx.Client(transport=httpx.MockTransport(handler), timeout=30.0) as client:
        Sender("https://w.example", creds, client=client, deadline=2.0).send(request())
    assert seen
    assert all(0 < value <= 2.0 for value in seen[0].values())


def test_tls_certificates_are_verified(creds: Credentials) -> None:
    # A TLS server with a self-signed certificate: a verifying client never gets through.
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    with tempfile.TemporaryDirectory() as folder:
        cert_path, key_path = f"{folder}/cert.pem", f"{folder}/key.pem"
        with open(cert_path, "wb") as out:
            out.write(cert.public_bytes(serialization.Encoding.PEM))
        with open(key_path, "wb") as out:
            out.write(private_pem(key))
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert_path, key_path)
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    requests: list[bytes] = []

    def accept() -> None:
        listener.settimeout(5)
        with contextlib.suppress(OSError):
            for _ in range(2):
                conn, _ = listener.accept()
                with (
                    contextlib.suppress(OSError, ssl.SSLError),
                    context.wrap_socket(conn, server_side=True) as tls,
                ):
                    requests.append(tls.recv(65536))

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        with Sender(f"https://127.0.0.1:{port}", creds, backoff=0, max_attempts=2) as sender:
            delivery = sender.send(request())
    finally:
        listener.close()
        thread.join(5)
    assert (delivery.outcome.status, delivery.outcome.code) == ("U", "NETWORK_ERROR")
    assert delivery.attempts == 2
    assert requests == []


def test_send_is_not_imported_by_import_msgtemplates() -> None:
    code = (
        "import sys, msgtemplates; "
        "print(any(m in sys.modules for m in ('msgtemplates.send', 'httpx', 'cryptography')))"
    )
    env = {**os.environ, "PYTHONPATH": os.path.dirname(os.path.dirname(msgtemplates.__file__))}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert done.stdout.strip() == "False", done.stderr


def test_delivery_is_a_frozen_value(wallet: FakeWallet, creds: Credentials) -> None:
    [delivery] = deliver("transport-sync", wallet, creds, request())
    with pytest.raises(AttributeError):
        delivery.attempts = 2  # type: ignore[misc]
    assert isinstance(delivery, cabc.Hashable)
