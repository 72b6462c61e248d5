"""Real processes: a drain killed with SIGKILL part-way, twice, restarted; none lost or doubled."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from outbox_kit import SENDER, mail_data

from harness.fake import FakeNcloud, Fault, FaultScript
from harness.outbox import EntryState, Outbox

MAILS = 300


@pytest.fixture
def slow_fake() -> Iterator[FakeNcloud]:
    latency = FaultScript((Fault("latency", method="POST", path="/api/*/mails", delay_ms=15),))
    with FakeNcloud(credentials=("crash-access-key", "crash-secret-key"), faults=latency) as fake:
        yield fake


def drain_process(db: Path, *extra: str) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "harness.outbox", str(db), "--workers", "4"]
    command += ["--check-delay", "0.5", "--backoff", "0.01", *extra]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def kill_after(fake: FakeNcloud, process: subprocess.Popen[bytes], received: int) -> None:
    deadline = time.monotonic() + 60
    while len(fake.mail_requests) < received:
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the drain made no progress"
        time.sleep(0.002)
    process.send_signal(signal.SIGKILL)
    process.communicate()
    assert process.returncode == -signal.SIGKILL


def test_a_drain_killed_twice_sends_every_mail_exactly_once(
    slow_fake: FakeNcloud, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "crash.db"
    with Outbox(db, sender_address=SENDER) as box:
        ids = {box.submit(mail_data(n)): f"Message {n:04d}" for n in range(1, MAILS + 1)}
    credential = slow_fake.credential
    monkeypatch.setenv("NCLOUD_ACCESS_KEY_ID", credential.access_key)
    monkeypatch.setenv("NCLOUD_SECRET_ACCESS_KEY", credential.secret_key)
    monkeypatch.setenv("NCLOUD_MAIL_API_URL", slow_fake.url + "/api/v1")
    monkeypatch.setenv("NCLOUD_MAIL_SENDER_ADDRESS", SENDER)
    monkeypatch.setenv("NCLOUD_RETRY_ATTEMPTS", "1")
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(sys.path))

    kill_after(slow_fake, drain_process(db), 60)
    with Outbox(db) as box:
        assert box.counts()["sending"] > 0  # the kill left claims behind
    kill_after(slow_fake, drain_process(db), 150)
    last = drain_process(db, "--exit-when-done")
    _, err = last.communicate(timeout=120)
    assert last.returncode == 0, err.decode()

    titles = Counter(str(r.body["title"]) for r in slow_fake.mail_requests)
    assert sorted(titles) == sorted(ids.values())
    assert set(titles.values()) == {1}
    by_title = {str(r.body["title"]): r.request_id for r in slow_fake.mail_requests}
    with Outbox(db) as box:
        entries = box.entries()
    assert {e.state for e in entries} == {EntryState.SENT}
    for entry in entries:
        assert entry.request_id == by_title[ids[entry.id]]


def test_the_drain_entry_point_runs_in_process_until_done(
    fake_ncloud: FakeNcloud, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from harness.outbox.__main__ import main

    db = tmp_path / "inline.db"
    with Outbox(db, sender_address=SENDER) as box:
        for number in range(5):
            box.submit(mail_data(number))
    assert main([str(db)]) == 2  # no credentials yet
    monkeypatch.setenv("NCLOUD_ACCESS_KEY_ID", fake_ncloud.credential.access_key)
    monkeypatch.setenv("NCLOUD_SECRET_ACCESS_KEY", fake_ncloud.credential.secret_key)
    monkeypatch.setenv("NCLOUD_MAIL_API_URL", fake_ncloud.url + "/api/v1")
    assert main([str(db), "--workers", "2", "--exit-when-done"]) == 0
    assert len(fake_ncloud.mail_requests) == 5
    with Outbox(db) as box:
        assert box.counts()["sent"] == 5
