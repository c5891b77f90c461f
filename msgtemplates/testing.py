"""Tools for users' own tests: Hypothesis strategies, the fake wallet, and assert_sendable.

Each tool loads what it needs when first used: the strategies need Hypothesis (the ``test``
extra), the fake wallet needs httpx and cryptography (the ``send`` extra), and
``assert_sendable`` needs neither. Nothing else in msgtemplates imports this module::

    from hypothesis import given
    from msgtemplates.testing import send_requests

    @given(send_requests())
    def test_my_sender_accepts_valid_requests(payload):
        my_sender.send(payload)  # your code under test
"""

from __future__ import annotations

import importlib
import typing as t

if t.TYPE_CHECKING:
    from .assertions import assert_sendable
    from .fakewallet import FakeWallet
    from .strategies import (
        BROKEN_CODES,
        broken_requests,
        language_tags,
        send_requests,
        template_sources,
    )

__all__ = [
    "BROKEN_CODES",
    "FakeWallet",
    "assert_sendable",
    "broken_requests",
    "language_tags",
    "send_requests",
    "template_sources",
]

# Where each name lives; the module is imported on first use of one of its names.
_HOMES = {
    "BROKEN_CODES": "strategies",
    "FakeWallet": "fakewallet",
    "assert_sendable": "assertions",
    "broken_requests": "strategies",
    "language_tags": "strategies",
    "send_requests": "strategies",
    "template_sources": "strategies",
}


def __getattr__(name: str) -> t.Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'msgtemplates.testing' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"msgtemplates.{home}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
