"""Tests of msgtemplates.fakewallet: what the fake platform answers, in process and on loopback.

Requests here are signed and sent by hand (sign_request and a bare httpx client), so that the
fake's answers to requests the Sender would never send (invalid ones, bad signatures) show.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import io
import json
import os
import signal
import subprocess
import sys
import threading
import time
import typing as t
import urllib.parse

import httpx
import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from helpers import private_pem, public_pem

import msgtemplates
from msgtemplates import check_request, interpret_response
from msgtemplates.fakewallet import FAULTS, FakeWallet, serve_forever
from msgtemplates.send import SEND_PATH, Credentials, Sender, sign_request, verify_response

CLIENT_ID = "2021000000000001"
TOKEN = "TOKEN-0f1e2d3c-secret"
PLACES = ["transport", "loopback"]


@pytest.fixture(scope="module")
def merchant_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def wallet_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture
def wallet(merchant_key: rsa.RSAPrivateKey, wallet_key: rsa.RSAPrivateKey) -> FakeWallet:
    return FakeWallet(public_pem(merchant_key), private_key=private_pem(wallet_key))


@pytest.fixture(scope="module")
def creds(merchant_key: rsa.RSAPrivateKey, wallet_key: rsa.RSAPrivateKey) -> Credentials:
    return Credentials(CLIENT_ID, private_pem(merchant_key), public_pem(wallet_key))


def request(request_id: str = "R-1", **changes: t.Any) -> dict[str, t.Any]:
    payload: dict[str, t.Any] = {
        "appId": "3333010071465913",
        "accessToken": TOKEN,
        "requestId": request_id,
        "templateCode": "TP_PAYMENT_SUCCESS",
        "templates": [{"language": "en-US", "templateParameters": {"who": "Ana"}}],
    }
    payload.update(changes)
    return payload


def encode(payload: object) -> bytes:
    return json.dumps(payload, separators=(",", ":")).encode()


@contextlib.contextmanager
def client_for(place: str, wallet: FakeWallet) -> t.Iterator[tuple[httpx.Client, str]]:
    if place == "transport":
        with httpx.Client(transport=wallet.transport) as client:
            yield client, "https://wallet.example"
    else:
        with wallet.serve() as url, httpx.Client(timeout=0.3) as client:
            yield client, url


def post(
    client: httpx.Client,
    base_url: str,
    body: bytes,
    creds: Credentials,
    *,
    path: str = SEND_PATH,
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    signed = sign_request(body, credentials=creds, path=path)
    return client.post(base_url + path, content=body, headers={**signed, **(headers or {})})


def answer(response: httpx.Response, creds: Credentials, path: str = SEND_PATH) -> t.Any:
    """The verified answer: the fake signs everything it processes."""
    verify_response(response.content, response.headers, credentials=creds, path=path)
    return interpret_response(json.loads(response.content))


def test_the_public_key_is_a_subject_public_key_info_pem_of_rsa_2048(
    merchant_key: rsa.RSAPrivateKey,
) -> None:
    wallet = FakeWallet(public_pem(merchant_key))
    assert wallet.public_key.startswith("-----BEGIN PUBLIC KEY-----")
    key = serialization.load_pem_public_key(wallet.public_key.encode())
    assert isinstance(key, rsa.RSAPublicKey)
    assert key.key_size == 2048
    assert FakeWallet(public_pem(merchant_key)).public_key != wallet.public_key


@pytest.mark.parametrize(
    ("key", "error"),
    [
        (b"hello", ValueError),
        (123, TypeError),
        ("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n", ValueError),
    ],
)
def test_a_bad_merchant_key_is_refused(key: t.Any, error: type[Exception]) -> None:
    with pytest.raises(error, match="merchant_public_key"):
        FakeWallet(key)


def test_an_unknown_fault_is_refused_with_the_list(wallet: FakeWallet) -> None:
    with pytest.raises(ValueError, match="BAD_SIGNATURE"):
        wallet.inject("SLOW")


@pytest.mark.parametrize("place", PLACES)
def test_a_valid_signed_request_is_accepted_and_the_answer_signed(
    place: str, wallet: FakeWallet, creds: Credentials
) -> None:
    body = encode(request())
    with client_for(place, wallet) as (client, url):
        response = post(client, url, body, creds)
    assert response.status_code == 200
    assert answer(response, creds).succeeded
    assert response.headers["Client-Id"] == CLIENT_ID
    assert wallet.delivered == {"R-1": body}
    assert wallet.received == [body]


@pytest.mark.parametrize("place", PLACES)
@pytest.mark.parametrize(
    "broken",
    [
        request(templates=[{"language": "en_US"}]),
        request(templateCod="TP"),
        request(extendInfo="x" * 5000),
        {"appId": "1"},
        request(**{"x" * 300: "long member name"}),
    ],
)
def test_an_invalid_request_gets_param_illegal_with_its_first_error(
    place: str, broken: dict[str, t.Any], wallet: FakeWallet, creds: Credentials
) -> None:
    first = next(p for p in check_request(broken) if p.severity == "error")
    expected = f"{first.path or '(root)'}: {first.message}"
    with client_for(place, wallet) as (client, url):
        outcome = answer(post(client, url, encode(broken), creds), creds)
    assert (outcome.code, outcome.status, outcome.retry) == ("PARAM_ILLEGAL", "F", None)
    assert outcome.message is not None
    assert len(outcome.message) <= 256
    if len(expected) <= 256:
        assert outcome.message == expected
    else:
        assert outcome.message == expected[:255] + "…"
    assert wallet.delivered == {}


def test_a_body_that_is_not_json_gets_param_illegal(wallet: FakeWallet, creds: Credentials) -> None:
    with client_for("transport", wallet) as (client, url):
        outcome = answer(post(client, url, b"{not json", creds), creds)
    assert outcome.code == "PARAM_ILLEGAL"
    assert outcome.message is not None
    assert outcome.message.startswith("(root): ")


def test_the_token_never_appears_in_an_answer(wallet: FakeWallet, creds: Credentials) -> None:
    broken = request(templates=[{"language": TOKEN}], extendInfo=TOKEN * 300)
    with client_for("transport", wallet) as (client, url):
        response = post(client, url, encode(broken), creds)
    assert answer(response, creds).code == "PARAM_ILLEGAL"
    assert TOKEN.encode() not in response.content


@pytest.mark.parametrize("place", PLACES)
@pytest.mark.parametrize(
    "spoil",
    [
        "other key",
        "no signature",
        "tampered body",
        "other time",
        "time without offset",
        "plain base64",
    ],
)
def test_a_request_whose_signature_fails_gets_invalid_signature(
    place: str, spoil: str, wallet: FakeWallet, creds: Credentials, wallet_key: rsa.RSAPrivateKey
) -> None:
    body = encode(request())
    signed = sign_request(body, credentials=creds, path=SEND_PATH)
    sent = body
    if spoil == "other key":
        raw = wallet_key.sign(
            f"POST {SEND_PATH}\n{CLIENT_ID}.{signed['Request-Time']}.".encode() + body,
            padding.PKCS1v15(),
            hashes.SHA256(),
        )
        value = urllib.parse.quote_plus(base64.b64encode(raw).decode())
        signed["Signature"] = f"algorithm=RSA256,keyVersion=1,signature={value}"
    elif spoil == "no signature":
        del signed["Signature"]
    elif spoil == "tampered body":
        sent = body.replace(b"Ana", b"Eve")
    elif spoil == "other time":
        signed["Request-Time"] = "2000-01-01T00:00:00+00:00"
    elif spoil == "time without offset":
        again = sign_request(body, credentials=creds, path=SEND_PATH)
        signed = {**again, "Request-Time": again["Request-Time"][:-6]}
    else:
        value = signed["Signature"].rpartition("signature=")[2]
        plain = urllib.parse.unquote_plus(value)
        if "+" not in plain:
            pytest.skip("this signature's base64 reads the same URL-encoded or not")
        signed["Signature"] = f"algorithm=RSA256,keyVersion=1,signature={plain}"
    with client_for(place, wallet) as (client, url):
        response = client.post(url + SEND_PATH, content=sent, headers=signed)
    outcome = answer(response, creds)
    assert (outcome.code, outcome.status, outcome.retry) == ("INVALID_SIGNATURE", "F", None)
    assert wallet.delivered == {}


def test_spaces_after_the_commas_of_a_request_signature_are_accepted(
    wallet: FakeWallet, creds: Credentials
) -> None:
    body = encode(request())
    signed = sign_request(body, credentials=creds, path=SEND_PATH)
    signed["Signature"] = signed["Signature"].replace(",", ", ")
    with client_for("transport", wallet) as (client, url):
        response = client.post(url + SEND_PATH, content=body, headers=signed)
    assert answer(response, creds).succeeded


@pytest.mark.parametrize("place", PLACES)
def test_request_ids_are_kept_the_token_aside(
    place: str, wallet: FakeWallet, creds: Credentials
) -> None:
    with client_for(place, wallet) as (client, url):
        first = answer(post(client, url, encode(request()), creds), creds)
        again = answer(post(client, url, encode(request(accessToken="NEW")), creds), creds)
        reordered = {k: request()[k] for k in reversed(list(request()))}
        same = answer(post(client, url, encode(reordered), creds), creds)
        other = answer(post(client, url, encode(request(templateCode="TP_2")), creds), creds)
    assert first == again == same
    assert first.succeeded
    assert (other.code, other.status, other.retry) == ("REPEAT_REQ_INCONSISTENT", "F", None)
    assert wallet.delivered == {"R-1": encode(request())}
    assert len(wallet.received) == 4


def test_an_invalid_request_is_not_kept_under_its_request_id(
    wallet: FakeWallet, creds: Credentials
) -> None:
    with client_for("transport", wallet) as (client, url):
        bad = answer(post(client, url, encode(request(templateCode="")), creds), creds)
        fixed = answer(post(client, url, encode(request()), creds), creds)
    assert bad.code == "PARAM_ILLEGAL"
    assert fixed.succeeded


@pytest.mark.parametrize("place", PLACES)
def test_another_path_or_method_gets_invalid_api(
    place: str, wallet: FakeWallet, creds: Credentials
) -> None:
    with client_for(place, wallet) as (client, url):
        response = post(client, url, encode(request()), creds, path="/v2/other")
        outcome = answer(response, creds, path="/v2/other")
        fetched = client.get(url + SEND_PATH)
    assert outcome.code == "INVALID_API"
    assert interpret_response(json.loads(fetched.content)).code == "INVALID_API"
    assert wallet.delivered == {}


@pytest.mark.parametrize("place", PLACES)
def test_a_wallet_for_one_client_refuses_another_and_answers_as_itself(
    place: str, merchant_key: rsa.RSAPrivateKey, wallet_key: rsa.RSAPrivateKey, creds: Credentials
) -> None:
    wallet = FakeWallet(
        public_pem(merchant_key), client_id="2021000000000777", private_key=private_pem(wallet_key)
    )
    with client_for(place, wallet) as (client, url):
        response = post(client, url, encode(request()), creds)
    assert response.headers["Client-Id"] == "2021000000000777"
    assert interpret_response(json.loads(response.content)).code == "INVALID_SIGNATURE"
    assert wallet.delivered == {}


@pytest.mark.parametrize("place", PLACES)
@pytest.mark.parametrize(
    ("fault", "code", "status"),
    [
        ("UNKNOWN_EXCEPTION", "UNKNOWN_EXCEPTION", "U"),
        ("REQUEST_TRAFFIC_EXCEED_LIMIT", "REQUEST_TRAFFIC_EXCEED_LIMIT", "F"),
        ("EXPIRED_ACCESS_TOKEN", "EXPIRED_ACCESS_TOKEN", "F"),
    ],
)
def test_a_signed_fault_answers_instead_of_processing(
    place: str, fault: str, code: str, status: str, wallet: FakeWallet, creds: Credentials
) -> None:
    body = encode(request())
    wallet.inject(fault)
    with client_for(place, wallet) as (client, url):
        faulted = answer(post(client, url, body, creds), creds)
        normal = answer(post(client, url, body, creds), creds)
    assert (faulted.code, faulted.status) == (code, status)
    assert normal.succeeded
    assert wallet.received == [body, body]
    assert wallet.delivered == {"R-1": body}


@pytest.mark.parametrize("place", PLACES)
def test_http_500_is_unsigned(place: str, wallet: FakeWallet, creds: Credentials) -> None:
    wallet.inject("HTTP_500")
    with client_for(place, wallet) as (client, url):
        response = post(client, url, encode(request()), creds)
    assert response.status_code == 500
    assert "Signature" not in response.headers
    assert wallet.delivered == {}


@pytest.mark.parametrize("place", PLACES)
def test_bad_signature_is_a_success_signed_with_another_key(
    place: str, wallet: FakeWallet, creds: Credentials
) -> None:
    wallet.inject("BAD_SIGNATURE")
    with client_for(place, wallet) as (client, url):
        response = post(client, url, encode(request()), creds)
    assert interpret_response(json.loads(response.content)).succeeded
    with pytest.raises(msgtemplates.SignatureInvalid):
        verify_response(response.content, response.headers, credentials=creds, path=SEND_PATH)
    assert wallet.delivered == {}


@pytest.mark.parametrize(
    ("place", "fault", "error"),
    [
        ("transport", "TIMEOUT", httpx.ReadTimeout),
        ("transport", "DROP", httpx.RemoteProtocolError),
        ("loopback", "TIMEOUT", httpx.ReadTimeout),
        ("loopback", "DROP", httpx.RemoteProtocolError),
    ],
)
def test_timeout_and_drop_give_no_answer(
    place: str, fault: str, error: type[Exception], wallet: FakeWallet, creds: Credentials
) -> None:
    wallet.inject(fault)
    with client_for(place, wallet) as (client, url), pytest.raises(error):
        post(client, url, encode(request()), creds)
    assert wallet.received == [encode(request())]
    assert wallet.delivered == {}


def test_a_held_connection_is_released_when_the_server_stops(
    wallet: FakeWallet, creds: Credentials
) -> None:
    wallet.inject("TIMEOUT")
    failures: list[BaseException] = []
    with wallet.serve() as url:

        def hang() -> None:
            with httpx.Client(timeout=60) as client:
                try:
                    post(client, url, encode(request()), creds)
                except httpx.HTTPError as err:
                    failures.append(err)

        thread = threading.Thread(target=hang)
        thread.start()
        while not wallet.received:
            time.sleep(0.01)
        started = time.monotonic()
    thread.join(10)
    assert time.monotonic() - started < 5
    assert not thread.is_alive()
    assert failures


def test_the_transport_serves_async_clients(wallet: FakeWallet, creds: Credentials) -> None:
    body = encode(request())

    async def main() -> httpx.Response:
        async with httpx.AsyncClient(transport=wallet.transport) as client:
            signed = sign_request(body, credentials=creds, path=SEND_PATH)
            return await client.post("https://w.example" + SEND_PATH, content=body, headers=signed)

    assert answer(asyncio.run(main()), creds).succeeded


def test_received_and_delivered_are_copies(wallet: FakeWallet, creds: Credentials) -> None:
    with client_for("transport", wallet) as (client, url):
        post(client, url, encode(request()), creds)
    wallet.received.clear()
    wallet.delivered.clear()
    assert len(wallet.received) == 1
    assert len(wallet.delivered) == 1


def test_concurrent_loopback_requests_are_each_delivered_once(
    wallet: FakeWallet, creds: Credentials
) -> None:
    with wallet.serve() as url:

        def send(n: int) -> None:
            with httpx.Client(timeout=10) as client:
                sender = Sender(url, creds, client=client, backoff=0)
                for i in range(n, 40, 4):
                    assert sender.send(request(f"R-{i}")).outcome.succeeded

        threads = [threading.Thread(target=send, args=(n,)) for n in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
    assert sorted(wallet.delivered) == sorted(f"R-{i}" for i in range(40))


def test_serve_forever_prints_the_url_then_the_key_path_and_stops_when_told(
    merchant_key: rsa.RSAPrivateKey, creds: Credentials, tmp_path: t.Any
) -> None:
    out = io.StringIO()
    stop = threading.Event()
    key_out = tmp_path / "wallet.pem"
    thread = threading.Thread(
        target=serve_forever,
        args=(0, public_pem(merchant_key)),
        kwargs={"key_out": key_out, "stdout": out, "stop": stop, "client_id": CLIENT_ID},
    )
    thread.start()
    try:
        for _ in range(500):
            if out.getvalue().count("\n") >= 2:
                break
            time.sleep(0.01)
        url, path = out.getvalue().splitlines()
        assert url.startswith("http://127.0.0.1:")
        assert path == str(key_out)
        mine = Credentials(CLIENT_ID, private_pem(merchant_key), key_out.read_text())
        with Sender(url, mine, backoff=0) as sender:
            assert sender.send(request()).outcome.succeeded
    finally:
        stop.set()
        thread.join(10)
    assert not thread.is_alive()


def test_serve_forever_ends_on_ctrl_c_and_removes_its_temporary_key(
    merchant_key: rsa.RSAPrivateKey, tmp_path: t.Any
) -> None:
    (tmp_path / "merchant.pem").write_bytes(public_pem(merchant_key))
    script = (
        "import sys\n"
        "from msgtemplates.fakewallet import serve_forever\n"
        "serve_forever(0, open(sys.argv[1], 'rb').read())\n"
    )
    root = os.path.dirname(os.path.dirname(msgtemplates.__file__))
    with subprocess.Popen(
        [sys.executable, "-c", script, str(tmp_path / "merchant.pem")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": root},
    ) as process:
        try:
            assert process.stdout is not None
            url = process.stdout.readline().strip()
            key_path = process.stdout.readline().strip()
            assert url.startswith("http://127.0.0.1:")
            with open(key_path) as key_file:
                assert key_file.read().startswith("-----BEGIN PUBLIC KEY-----")
            assert httpx.get(url + SEND_PATH).status_code == 200
            process.send_signal(signal.SIGINT)
            assert process.wait(10) == 0
            assert process.stderr is not None
            assert process.stderr.read() == ""
            assert not os.path.exists(key_path)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()


def test_faults_are_the_documented_seven() -> None:
    assert set(FAULTS) == {
        "UNKNOWN_EXCEPTION",
        "REQUEST_TRAFFIC_EXCEED_LIMIT",
        "EXPIRED_ACCESS_TOKEN",
        "HTTP_500",
        "TIMEOUT",
        "DROP",
        "BAD_SIGNATURE",
    }
