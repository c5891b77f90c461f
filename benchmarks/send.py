"""Sending: `Sender.send` to the in-process FakeWallet against signing the same bodies alone.

Run: ``python benchmarks/send.py [--count 10000] [--json OUT]``. ``count`` distinct requests
(each its own requestId, 2 templates x 3 parameters) are sent through ``Sender`` to
``FakeWallet.transport`` (an ``httpx.MockTransport``: no sockets), and the same compact bodies
are signed with ``sign_request`` alone; the work is split into interleaved rounds whose order
alternates, and each figure is the median over rounds of the time per request.

What the Sender's figure holds: validating the request, serialising it, signing it, httpx
building and sending it, the fake wallet verifying the signature, checking the request with
``check_request``, storing it and signing its answer, then the Sender verifying that answer
and reading the outcome. The fake wallet is kept cheap the honest way: its keys are parsed
once, and since RSA PKCS#1 v1.5 signatures are deterministic it reuses the signature of an
identical answer within the same second of ``Response-Time`` (the same bytes it would compute).
Verifying (public exponent 65537) costs a few percent of signing; the private-key operation
of the merchant's signature is most of both figures.
Target: the Sender's time per request at most 3x signing alone.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import sys
import time
import typing as t

from timing import finish, parser, row

TARGET = 3.0
ROUNDS = 5


def _request(n: int) -> dict[str, t.Any]:
    return {
        "appId": "2171000000000001",
        "accessToken": "2019112719074101000700000077771abcd",
        "requestId": f"BENCH{n:012d}",
        "templateCode": "TP_PAYMENT_SUCCESS",
        "templates": [
            {
                "templateParameters": {
                    "who": f"user {n}",
                    "amount": "12.50",
                    "pushContentUrl": "https://example.com/orders/1",
                },
                "language": "en-US",
            },
            {
                "templateParameters": {
                    "who": f"用户 {n}",
                    "amount": "12.50",
                    "pushContentUrl": "https://example.com/orders/1",
                },
                "language": "zh-CN",
            },
        ],
    }


def run(count: int = 10_000) -> list[dict[str, t.Any]]:
    """Time ``count`` sends and ``count`` signatures in interleaved rounds; one row each."""
    import httpx
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    from msgtemplates.fakewallet import FakeWallet
    from msgtemplates.send import SEND_PATH, AsyncSender, Credentials, Sender, sign_request

    merchant = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = merchant.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    public = merchant.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    wallet = FakeWallet(public)
    creds = Credentials("2021000000000001", private, wallet.public_key)
    client = httpx.Client(transport=wallet.transport)
    sender = Sender("https://wallet.example", creds, client=client, backoff=0)
    per_round = max(1, count // ROUNDS)
    payloads = [_request(n) for n in range(per_round * ROUNDS * 2)]
    bodies = [json.dumps(p, ensure_ascii=False, separators=(",", ":")).encode() for p in payloads]

    def send(chunk: list[dict[str, t.Any]]) -> float:
        start = time.perf_counter()
        for payload in chunk:
            if not sender.send(payload).outcome.succeeded:
                raise AssertionError("the fake wallet refused a benchmark request")
        return (time.perf_counter() - start) / len(chunk)

    def sign(chunk: list[bytes]) -> float:
        start = time.perf_counter()
        for body in chunk:
            sign_request(body, credentials=creds, path=SEND_PATH)
        return (time.perf_counter() - start) / len(chunk)

    async def send_async(chunk: list[dict[str, t.Any]]) -> float:
        async with httpx.AsyncClient(transport=wallet.transport) as async_client:
            async_sender = AsyncSender(
                "https://wallet.example", creds, client=async_client, backoff=0
            )
            start = time.perf_counter()
            for payload in chunk:
                if not (await async_sender.send(payload)).outcome.succeeded:
                    raise AssertionError("the fake wallet refused a benchmark request")
            return (time.perf_counter() - start) / len(chunk)

    # One untimed warm-up of each path: first calls load schemas and OpenSSL state.
    sender.send(_request(-1))
    sign(bodies[:1])
    sends: list[float] = []
    signs: list[float] = []
    async_sends: list[float] = []
    for index in range(ROUNDS):
        low = index * per_round
        sync_chunk = payloads[low : low + per_round]
        async_chunk = payloads[per_round * ROUNDS + low : per_round * ROUNDS + low + per_round]
        order = ["send", "sign", "async"] if index % 2 == 0 else ["async", "sign", "send"]
        for step in order:
            if step == "send":
                sends.append(send(sync_chunk))
            elif step == "sign":
                signs.append(sign(bodies[low : low + per_round]))
            else:
                async_sends.append(asyncio.run(send_async(async_chunk)))
    client.close()
    signed = statistics.median(signs)
    if len(wallet.delivered) != 2 * per_round * ROUNDS + 1:
        raise AssertionError("not every benchmark request was delivered exactly once")
    return [
        row(
            f"Sender.send to the in-process FakeWallet ({per_round * ROUNDS:,} requests)",
            statistics.median(sends),
            "sign_request alone",
            signed,
            TARGET,
        ),
        row(
            "AsyncSender.send, the same",
            statistics.median(async_sends),
            "sign_request alone",
            signed,
            None,
        ),
    ]


def main() -> int:
    """Print the table with the target and verdict; optionally write the rows as JSON."""
    made = parser(__doc__)
    made.add_argument("--count", type=int, default=10_000, help="requests of each kind")
    args = made.parse_args()
    return finish(run(args.count), args.json)


if __name__ == "__main__":
    sys.exit(main())
