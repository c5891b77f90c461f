"""Tests of msgtemplates.ledger: campaigns through a Sender, the ledger, resuming, the rate limit.

The crash test runs the campaign in a child process, kills it with SIGKILL halfway, and runs it
again; the fake wallet serves both runs from this process, so its store is the witness.
"""

from __future__ import annotations

import fcntl
import json
import os
import signal
import subprocess
import sys
import time
import typing as t

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from helpers import private_pem, public_pem

import msgtemplates
from msgtemplates import SignatureInvalid
from msgtemplates.fakewallet import FakeWallet
from msgtemplates.ledger import CampaignSummary, LedgerEntry, read_ledger, send_campaign
from msgtemplates.send import Credentials, Sender

CLIENT_ID = "2021000000000001"
TOKEN = "TOKEN-77aa88bb-secret"


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


@pytest.fixture
def sender(wallet: FakeWallet, creds: Credentials) -> t.Iterator[Sender]:
    with httpx.Client(transport=wallet.transport) as client:
        yield Sender("https://wallet.example", creds, client=client, backoff=0, max_attempts=1)


def request(n: int, **changes: t.Any) -> dict[str, t.Any]:
    payload: dict[str, t.Any] = {
        "appId": "3333010071465913",
        "accessToken": TOKEN,
        "requestId": f"CAMPAIGN-{n:04d}",
        "templateCode": "TP_PAYMENT_SUCCESS",
        "templates": [{"language": "en-US", "templateParameters": {"who": f"user {n}"}}],
    }
    payload.update(changes)
    return payload


def write_campaign(path: t.Any, lines: list[t.Any]) -> None:
    with open(path, "w", encoding="utf-8") as out:
        for line in lines:
            out.write((line if isinstance(line, str) else json.dumps(line)) + "\n")


def ledger_lines(path: t.Any) -> list[dict[str, t.Any]]:
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def test_a_campaign_is_delivered_with_one_final_ledger_line_per_request(
    tmp_path: t.Any, wallet: FakeWallet, sender: Sender
) -> None:
    campaign, ledger = tmp_path / "c.jsonl", tmp_path / "c.ledger"
    write_campaign(campaign, [request(n) for n in range(5)])
    summary = send_campaign(campaign, sender=sender, ledger_path=ledger)
    assert summary == CampaignSummary(
        total=5, skipped=0, succeeded=5, accepted=0, failed=0, pending=0, invalid=0
    )
    assert summary.complete
    assert sorted(wallet.delivered) == [f"CAMPAIGN-{n:04d}" for n in range(5)]
    lines = ledger_lines(ledger)
    assert [(x["line"], x["requestId"], x["status"], x["code"]) for x in lines] == [
        (n + 1, f"CAMPAIGN-{n:04d}", "S", "SUCCESS") for n in range(5)
    ]
    assert all(x["final"] is True and x["attempts"] == 1 for x in lines)


def test_a_rerun_of_a_finished_campaign_sends_nothing(
    tmp_path: t.Any, wallet: FakeWallet, sender: Sender
) -> None:
    campaign, ledger = tmp_path / "c.jsonl", tmp_path / "c.ledger"
    write_campaign(campaign, [request(n) for n in range(3)])
    send_campaign(campaign, sender=sender, ledger_path=ledger)
    again = send_campaign(campaign, sender=sender, ledger_path=ledger)
    assert (again.total, again.skipped) == (3, 3)
    assert len(wallet.received) == 3
    assert len(ledger_lines(ledger)) == 3


def test_an_unknown_outcome_is_sent_again_on_a_rerun_with_the_same_request_id(
    tmp_path: t.Any, wallet: FakeWallet, sender: Sender
) -> None:
    campaign, ledger = tmp_path / "c.jsonl", tmp_path / "c.ledger"
    write_campaign(campaign, [request(n) for n in range(3)])
    wallet.inject("UNKNOWN_EXCEPTION")
    first = send_campaign(campaign, sender=sender, ledger_path=ledger)
    assert (first.succeeded, first.pending) == (2, 1)
    assert not first.complete
    pending = ledger_lines(ledger)[0]
    assert (pending["status"], pending["final"]) == ("U", False)
    second = send_campaign(campaign, sender=sender, ledger_path=ledger)
    assert (second.skipped, second.succeeded) == (2, 1)
    received = wallet.received
    assert len(received) == 4
    assert received[3] == received[0]
    assert sorted(wallet.delivered) == [f"CAMPAIGN-{n:04d}" for n in range(3)]


def test_a_request_id_reused_with_another_body_is_sent_and_refused(
    tmp_path: t.Any, wallet: FakeWallet, sender: Sender
) -> None:
    campaign, ledger = tmp_path / "c.jsonl", tmp_path / "c.ledger"
    write_campaign(campaign, [request(1), request(1, templateCode="TP_OTHER"), request(1)])
    summary = send_campaign(campaign, sender=sender, ledger_path=ledger)
    assert (summary.succeeded, summary.failed, summary.skipped) == (1, 1, 1)
    codes = [x["code"] for x in ledger_lines(ledger)]
    assert codes == ["SUCCESS", "REPEAT_REQ_INCONSISTENT"]


def test_invalid_lines_are_recorded_not_sent_and_the_rest_goes_on(
    tmp_path: t.Any, wallet: FakeWallet, sender: Sender
) -> None:
    campaign, ledger = tmp_path / "c.jsonl", tmp_path / "c.ledger"
    broken = request(2, templates=[{"language": "en_US"}], extendInfo=TOKEN * 200)
    write_campaign(campaign, [request(1), "{not json", "", broken, request(4)])
    summary = send_campaign(campaign, sender=sender, ledger_path=ledger)
    assert (summary.total, summary.succeeded, summary.invalid) == (4, 2, 2)
    assert not summary.complete
    lines = ledger_lines(ledger)
    assert [(x["line"], x["status"], x["code"], x["final"]) for x in lines] == [
        (1, "S", "SUCCESS", True),
        (2, None, "INVALID_JSON", False),
        (4, None, "REQUEST_INVALID", False),
        (5, "S", "SUCCESS", True),
    ]
    assert "languageTag" in lines[2]["message"] or "maxLength" in lines[2]["message"]
    assert len(wallet.received) == 2
    assert TOKEN not in (tmp_path / "c.ledger").read_text()


def test_one_json_request_is_a_campaign_of_one(
    tmp_path: t.Any, wallet: FakeWallet, sender: Sender
) -> None:
    single = tmp_path / "one.json"
    single.write_text(json.dumps(request(9), indent=2))
    summary = send_campaign(single, sender=sender, ledger_path=tmp_path / "l")
    assert summary.succeeded == 1
    assert list(wallet.delivered) == ["CAMPAIGN-0009"]
    assert ledger_lines(tmp_path / "l")[0]["line"] == 1


def test_an_iterable_of_requests_works_without_a_ledger(wallet: FakeWallet, sender: Sender) -> None:
    summary = send_campaign([request(1), request(2)], sender=sender, ledger_path=None)
    assert summary.succeeded == 2
    assert len(wallet.delivered) == 2


class FakeTime:
    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.mark.parametrize(("rate", "burst", "waited"), [(10, 1, 0.4), (10, 3, 0.2), (2, 1, 2.0)])
def test_the_token_bucket_spaces_the_requests(
    wallet: FakeWallet, sender: Sender, rate: float, burst: int, waited: float
) -> None:
    timing = FakeTime()
    send_campaign(
        [request(n) for n in range(5)],
        sender=sender,
        ledger_path=None,
        rate=rate,
        burst=burst,
        clock=timing.clock,
        sleep=timing.sleep,
    )
    assert sum(timing.sleeps) == pytest.approx(waited)
    assert len(wallet.delivered) == 5


def test_a_torn_last_ledger_line_is_ignored_and_the_next_starts_on_its_own_line(
    tmp_path: t.Any, wallet: FakeWallet, sender: Sender
) -> None:
    campaign, ledger = tmp_path / "c.jsonl", tmp_path / "c.ledger"
    write_campaign(campaign, [request(1), request(2)])
    send_campaign([request(1)], sender=sender, ledger_path=ledger)
    with open(ledger, "ab") as out:
        out.write(b'{"line": 2, "requestId": "CAMPAIGN-0002", "sta')
    summary = send_campaign(campaign, sender=sender, ledger_path=ledger)
    assert (summary.skipped, summary.succeeded) == (1, 1)
    entries = read_ledger(ledger)
    assert [e.request_id for e in entries] == ["CAMPAIGN-0001", "CAMPAIGN-0002"]
    assert ledger.read_bytes().count(b"\n") == 3


def test_a_ledger_in_use_by_another_run_is_refused(tmp_path: t.Any, sender: Sender) -> None:
    ledger = tmp_path / "c.ledger"
    with open(ledger, "ab") as held:
        fcntl.flock(held.fileno(), fcntl.LOCK_EX)
        with pytest.raises(BlockingIOError, match="in use"):
            send_campaign([request(1)], sender=sender, ledger_path=ledger)


def test_an_untrusted_answer_is_recorded_and_stops_the_campaign(
    tmp_path: t.Any, wallet: FakeWallet, sender: Sender
) -> None:
    ledger = tmp_path / "c.ledger"
    wallet.inject("BAD_SIGNATURE")
    with pytest.raises(SignatureInvalid):
        send_campaign([request(1), request(2)], sender=sender, ledger_path=ledger)
    [line] = ledger_lines(ledger)
    assert (line["code"], line["final"]) == ("SIGNATURE_INVALID", False)
    assert len(wallet.received) == 1


def test_progress_sees_every_request_with_the_total(
    tmp_path: t.Any, wallet: FakeWallet, sender: Sender
) -> None:
    campaign, ledger = tmp_path / "c.jsonl", tmp_path / "c.ledger"
    write_campaign(campaign, [request(n) for n in range(3)])
    send_campaign(campaign, sender=sender, ledger_path=ledger)
    seen: list[tuple[int, int | None, str]] = []
    write_campaign(campaign, [request(n) for n in range(4)])
    send_campaign(
        campaign,
        sender=sender,
        ledger_path=ledger,
        progress=lambda done, total, entry: seen.append((done, total, entry.code)),
    )
    assert seen == [(1, 4, "SUCCESS"), (2, 4, "SUCCESS"), (3, 4, "SUCCESS"), (4, 4, "SUCCESS")]
    assert len(wallet.received) == 4


def test_a_ledger_entry_is_one_json_object_with_the_documented_keys() -> None:
    entry = LedgerEntry(3, "R3", "U", "NETWORK_ERROR", 5, False, "timed out: ReadTimeout")
    assert set(entry.as_dict()) == {
        "line",
        "requestId",
        "status",
        "code",
        "attempts",
        "final",
        "message",
        "digest",
    }


@pytest.mark.parametrize(
    ("options", "error"),
    [({"rate": 0}, ValueError), ({"rate": "fast"}, ValueError), ({"burst": 0}, ValueError)],
)
def test_bad_options_are_named(
    sender: Sender, options: dict[str, t.Any], error: type[Exception]
) -> None:
    with pytest.raises(error):
        send_campaign([request(1)], sender=sender, ledger_path=None, **options)


CHILD = """
import sys
from msgtemplates.ledger import send_campaign
from msgtemplates.send import Credentials, Sender

url, private, wallet, campaign, ledger, rate = sys.argv[1:]
with open(private, "rb") as a, open(wallet, "rb") as b:
    creds = Credentials("2021000000000001", a.read(), b.read())
with Sender(url, creds, backoff=0) as sender:
    summary = send_campaign(
        campaign, sender=sender, ledger_path=ledger, rate=None if rate == "none" else float(rate)
    )
print(summary.skipped, summary.succeeded)
"""


def _crash_campaign(
    tmp_path: t.Any, wallet: FakeWallet, merchant_key: rsa.RSAPrivateKey, count: int
) -> tuple[t.Any, t.Any, dict[str, str]]:
    """A campaign of ``count`` requests, the keys on disk, and the environment of a child."""
    campaign, ledger = tmp_path / "c.jsonl", tmp_path / "c.ledger"
    write_campaign(campaign, [request(n) for n in range(count)])
    (tmp_path / "merchant.pem").write_bytes(private_pem(merchant_key))
    (tmp_path / "wallet.pem").write_text(wallet.public_key)
    root = os.path.dirname(os.path.dirname(msgtemplates.__file__))
    return campaign, ledger, {**os.environ, "PYTHONPATH": root}


def _kill_when_a_third_is_sent(process: subprocess.Popen[t.Any], ledger: t.Any, count: int) -> None:
    """SIGKILL ``process`` once a third of the campaign has a ledger line."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if ledger.exists() and len(ledger.read_bytes().splitlines()) >= count // 3:
            break
        assert process.poll() is None, "the first run ended before it could be killed"
        time.sleep(0.005)
    process.send_signal(signal.SIGKILL)
    process.wait()


def test_a_campaign_killed_halfway_and_rerun_delivers_every_request_exactly_once(
    tmp_path: t.Any, wallet: FakeWallet, merchant_key: rsa.RSAPrivateKey
) -> None:
    count = 30
    campaign, ledger, env = _crash_campaign(tmp_path, wallet, merchant_key, count)

    with wallet.serve() as url:

        def child(rate: str) -> list[str]:
            return [
                sys.executable,
                "-c",
                CHILD,
                url,
                str(tmp_path / "merchant.pem"),
                str(tmp_path / "wallet.pem"),
                str(campaign),
                str(ledger),
                rate,
            ]

        with subprocess.Popen(child("25"), env=env) as first:
            _kill_when_a_third_is_sent(first, ledger, count)
        killed_at = len(read_ledger(ledger))
        assert 0 < killed_at < count
        second = subprocess.run(child("none"), env=env, capture_output=True, text=True, timeout=60)
    assert second.returncode == 0, second.stderr
    skipped, succeeded = map(int, second.stdout.split())
    assert skipped == killed_at
    assert skipped + succeeded == count

    delivered = wallet.delivered
    assert sorted(delivered) == [f"CAMPAIGN-{n:04d}" for n in range(count)]
    for n in range(count):
        assert json.loads(delivered[f"CAMPAIGN-{n:04d}"]) == request(n)
    # Only the one request in flight at the kill may have reached the wallet twice.
    assert count <= len(wallet.received) <= count + 1
    finals: dict[str, int] = {}
    for entry in read_ledger(ledger):
        assert entry.final
        assert entry.request_id is not None
        finals[entry.request_id] = finals.get(entry.request_id, 0) + 1
    assert finals == {f"CAMPAIGN-{n:04d}": 1 for n in range(count)}


def test_the_send_command_killed_halfway_and_rerun_delivers_every_request_exactly_once(
    tmp_path: t.Any, wallet: FakeWallet, merchant_key: rsa.RSAPrivateKey
) -> None:
    count = 30
    campaign, ledger, env = _crash_campaign(tmp_path, wallet, merchant_key, count)

    with wallet.serve() as url:

        def command(*rate: str) -> list[str]:
            return [
                sys.executable,
                "-m",
                "msgtemplates",
                "send",
                str(campaign),
                "--base-url",
                url,
                "--client-id",
                "2021000000000001",
                "--private-key",
                str(tmp_path / "merchant.pem"),
                "--wallet-public-key",
                str(tmp_path / "wallet.pem"),
                "--ledger",
                str(ledger),
                *rate,
            ]

        with subprocess.Popen(command("--rate", "25"), env=env) as first:
            _kill_when_a_third_is_sent(first, ledger, count)
        killed_at = len(read_ledger(ledger))
        assert 0 < killed_at < count
        second = subprocess.run(command(), env=env, capture_output=True, text=True, timeout=120)
    assert second.returncode == 0, second.stderr
    assert f"{count - killed_at} succeeded" in second.stdout
    assert f"{killed_at} skipped" in second.stdout
    assert sorted(wallet.delivered) == [f"CAMPAIGN-{n:04d}" for n in range(count)]
    assert count <= len(wallet.received) <= count + 1
    finals = [str(entry.request_id) for entry in read_ledger(ledger) if entry.final]
    assert sorted(finals) == [f"CAMPAIGN-{n:04d}" for n in range(count)]
