"""Helpers shared by the test modules: running the command line in-process, a sample request."""

from __future__ import annotations

import collections.abc as cabc
import io
import typing as t

from msgtemplates.cli import run


def run_cli(argv: cabc.Sequence[str], stdin: bytes = b"") -> tuple[int, str, str]:
    """Run the command line in-process; return the exit status, stdout and stderr."""
    stdout, stderr = io.StringIO(), io.StringIO()
    code = run(argv, stdout, stderr, stdin=io.BytesIO(stdin))
    return code, stdout.getvalue(), stderr.getvalue()


def payment_request(token: str, /, **changes: t.Any) -> dict[str, t.Any]:
    """A valid TP_PAYMENT_SUCCESS request for the example catalog, with members replaced."""
    payload: dict[str, t.Any] = {
        "appId": "3333010071465913",
        "accessToken": token,
        "requestId": "REQ-1",
        "templateCode": "TP_PAYMENT_SUCCESS",
        "templates": [
            {
                "language": "en-US",
                "templateParameters": {"merchant": "Sunrise", "amount": "1", "time": "now"},
            }
        ],
    }
    payload.update(changes)
    return payload


def private_pem(key: t.Any) -> bytes:
    """An RSA private key (cryptography's object) as unencrypted PKCS#8 PEM."""
    from cryptography.hazmat.primitives import serialization

    return t.cast(
        "bytes",
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ),
    )


def public_pem(key: t.Any) -> bytes:
    """The public half of an RSA private key as SubjectPublicKeyInfo PEM."""
    from cryptography.hazmat.primitives import serialization

    return t.cast(
        "bytes",
        key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        ),
    )
