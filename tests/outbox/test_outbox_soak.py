"""Soak: mail submitted from several threads while workers drain through random faults.

Marked ``soak``. CI runs the bounded form (200 mails); ``NCP_SOAK_SCALE=N`` multiplies the
load for a long run on a developer's machine.
"""

from __future__ import annotations

import os
import threading
from collections import Counter
from pathlib import Path

import pytest
from outbox_kit import SENDER, mail_data, make_settings, settled, wait_until

from harness.fake import FakeNcloud, Fault, FaultScript
from harness.mail import MailClient
from harness.outbox import ClientTransport, DrainPolicy, EntryState, Outbox, WorkerPool

SCALE = int(os.environ.get("NCP_SOAK_SCALE", "1"))
MAILS = 200 * SCALE
SUBMITTERS = 4

FAULTS = FaultScript(
    (
        Fault(
            "throttle",
            method="POST",
            path="/api/*/mails",
            code="410",
            probability=0.08,
            retry_after=None,
        ),
        Fault("error", method="POST", path="/api/*/mails", status=503, probability=0.05),
        Fault("reset", method="POST", path="/api/*/mails", probability=0.03),
        Fault("latency", method="POST", path="/api/*/mails", delay_ms=2),
    ),
    seed=20261203,
)


@pytest.mark.soak
def test_every_mail_is_sent_exactly_once_through_random_faults(tmp_path: Path) -> None:
    with FakeNcloud(credentials=("soak-access-key", "soak-secret-key"), faults=FAULTS) as fake:
        policy = DrainPolicy(backoff=0.01, max_backoff=0.05, check_delay=0.05, recover_every=0.2)
        with (
            Outbox(tmp_path / "soak.sqlite3", sender_address=SENDER) as outbox,
            MailClient(make_settings(fake)) as client,
        ):
            pool = WorkerPool(outbox, ClientTransport(client), workers=4, policy=policy)
            pool.start()
            ids: dict[str, str] = {}
            lock = threading.Lock()

            def submit(start: int) -> None:
                for number in range(start, MAILS + 1, SUBMITTERS):
                    entry = outbox.submit(mail_data(number))
                    with lock:
                        ids[entry] = f"Message {number:04d}"

            submitters = [threading.Thread(target=submit, args=(n,)) for n in range(1, 5)]
            for thread in submitters:
                thread.start()
            for thread in submitters:
                thread.join()
            wait_until(lambda: settled(outbox), timeout=60 * SCALE)
            assert pool.stop()
            entries = outbox.entries()

        faults = Counter(record.fault for record in fake.requests if record.fault)
        titles = Counter(str(request.body["title"]) for request in fake.mail_requests)

    assert len(ids) == MAILS
    assert {entry.state for entry in entries} == {EntryState.SENT}
    assert sorted(titles) == sorted(ids.values())  # none lost
    assert set(titles.values()) == {1}  # none sent twice
    assert {"throttle", "error", "reset"} <= set(faults)  # the faults did happen
