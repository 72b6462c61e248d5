"""A state machine against the fake: submits, resubmits, worker steps, faults, crashes, restarts.

Whatever the interleaving, no mail ever reaches the fake twice, and once the faults stop and
the workers finish, every accepted mail is either sent exactly once (under the request id the
outbox recorded) or failed with a reason and never sent. Some mails are look-alikes: the same
title template to the same customer, told apart only by their parameters.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import tempfile
import time
from collections import Counter
from pathlib import Path

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, invariant, rule
from outbox_kit import SENDER, mail_data, make_settings

from harness.fake import FakeNcloud, Fault, FaultScript
from harness.mail import Mail, MailClient, MailError
from harness.outbox import ClientTransport, DrainPolicy, EntryState, Outbox, drain_once

READ_TIMEOUT = 0.1
LATENCY_MS = 300  # longer than the read timeout: the send times out after it was made
POLICY = DrainPolicy(max_attempts=6, backoff=0.001, max_backoff=0.01, check_delay=0.4, lease=60)
SENDS = "/api/*/mails"
FAULTS = {
    "429": Fault("throttle", method="POST", path=SENDS, count=1, code="410", retry_after=None),
    "503": Fault("error", method="POST", path="/api/*/mails", count=1, status=503),
    "reset": Fault("reset", method="POST", path="/api/*/mails", count=1),
    "truncate": Fault("truncate", method="POST", path="/api/*/mails", count=1),
    "timeout": Fault("latency", method="POST", path="/api/*/mails", count=1, delay_ms=LATENCY_MS),
}


class OutboxMachine(RuleBasedStateMachine):
    entries = Bundle("entries")

    def __init__(self) -> None:
        super().__init__()
        self.folder = Path(tempfile.mkdtemp(prefix="outbox-machine-"))
        self.fake = FakeNcloud(credentials=("machine-access-key", "machine-secret-key")).start()
        self.client = MailClient(make_settings(self.fake, read_timeout=READ_TIMEOUT))
        self.transport = ClientTransport(self.client, margin=5.0)
        self.outbox = self._open()
        self.numbers: dict[str, int] = {}
        self.next_number = 1

    def _open(self) -> Outbox:
        return Outbox(self.folder / "outbox.db", sender_address=SENDER)

    @rule(target=entries, recipients=st.integers(1, 3), lookalike=st.booleans())
    def submit(self, recipients: int, lookalike: bool) -> tuple[str, int]:
        number = self.next_number
        self.next_number += 1
        extra = [f"cc{number}-{i}@example.com" for i in range(1, recipients)]
        data = mail_data(number, recipients=[f"user{number}@example.com", *extra])
        if lookalike:
            data = receipt(number)
        entry_id = self.outbox.submit(data)
        self.numbers[entry_id] = number
        return entry_id, number

    @rule(reached=st.tuples(st.booleans(), st.booleans()))
    def lookalikes_in_flight(self, reached: tuple[bool, bool]) -> None:
        """Two workers die sending look-alike receipts to one customer; some sends arrived."""
        claims = []
        for _ in range(2):
            number = self.next_number
            self.next_number += 1
            entry_id = self.outbox.submit(receipt(number))
            self.numbers[entry_id] = number
            claims.append(self.outbox.claim(f"crashed-{number}"))
        for claim, arrived in zip(claims, reached, strict=True):
            if claim is not None and arrived:
                with contextlib.suppress(MailError):
                    self.client.send(claim.mail)

    @rule(entry=entries)
    def resubmit(self, entry: tuple[str, int]) -> None:
        entry_id, number = entry
        data = self.outbox.get(entry_id).mail
        assert self.outbox.submit(data) == entry_id
        assert self.numbers[entry_id] == number

    @rule(kind=st.sampled_from(sorted(FAULTS)))
    def fault(self, kind: str) -> None:
        self.fake.set_faults(FaultScript((FAULTS[kind],)))

    @rule()
    def work(self) -> None:
        drain_once(self.outbox, self.transport, owner="machine-worker", policy=POLICY)

    @rule(reached=st.booleans())
    def crash(self, reached: bool) -> None:
        """A worker claims an entry, maybe sends it, and dies before recording anything."""
        claim = self.outbox.claim("crashed-worker")
        if claim is None:
            return
        if reached:
            # the worker died anyway; whether the mail went out is for the lookup
            with contextlib.suppress(MailError):
                self.client.send(claim.mail)

    @rule()
    def restart(self) -> None:
        """The process restarts: a new connection frees every claim left behind."""
        self.outbox.close()
        self.outbox = self._open()
        self.outbox.recover(lease=POLICY.lease, check_delay=POLICY.check_delay, everything=True)

    def sent_titles(self) -> Counter[str]:
        return Counter(identity(r.body) for r in self.fake.mail_requests)

    @invariant()
    def never_sent_twice(self) -> None:
        duplicates = [title for title, n in self.sent_titles().items() if n > 1]
        assert duplicates == [], f"sent twice: {duplicates}"

    @invariant()
    def sent_entries_match_the_fake(self) -> None:
        by_title = {identity(r.body): r.request_id for r in self.fake.mail_requests}
        for entry in self.outbox.entries([EntryState.SENT]):
            assert by_title.get(identity(entry.mail)) == entry.request_id

    def teardown(self) -> None:
        try:
            self._finish_and_check()
        finally:
            self.outbox.close()
            self.client.close()
            self.fake.stop()
            shutil.rmtree(self.folder, ignore_errors=True)

    def _finish_and_check(self) -> None:
        self.fake.set_faults(None)
        self.outbox.recover(lease=POLICY.lease, check_delay=POLICY.check_delay, everything=True)
        deadline = time.monotonic() + 20
        while True:
            counts = self.outbox.counts()
            if not (counts["pending"] or counts["sending"] or counts["unknown"]):
                break
            assert time.monotonic() < deadline, f"not settled: {counts}"
            if not drain_once(self.outbox, self.transport, owner="final", policy=POLICY):
                time.sleep(0.02)
        sent = self.sent_titles()
        requests = {identity(r.body): r.request_id for r in self.fake.mail_requests}
        entries = self.outbox.entries()
        assert len(entries) == len(self.numbers)
        for entry in entries:
            title = identity(entry.mail)
            if entry.state is EntryState.SENT:
                assert sent[title] == 1
                assert requests[title] == entry.request_id
            else:
                assert entry.state is EntryState.FAILED
                assert entry.last_error
                assert sent[title] == 0
        assert sum(sent.values()) == sum(e.state is EntryState.SENT for e in entries)


def receipt(number: int) -> dict[str, object]:
    """A look-alike: the same title template to the same customer, its own parameter."""
    return {
        "title": "Your receipt ${number}",
        "body": "<p>Order ${number}</p>",
        "parameters": {"number": f"R-{number}"},
        "recipients": ["customer@example.com"],
    }


def identity(mail: Mail | object) -> str:
    """What tells two mails apart: the title (a template for look-alikes) and parameters."""
    body = mail.to_request() if isinstance(mail, Mail) else mail
    assert isinstance(body, dict)
    return json.dumps([body["title"], body.get("parameters")], sort_keys=True)


OutboxMachine.TestCase.settings = settings(max_examples=15, stateful_step_count=20, deadline=None)
TestOutboxMachine = OutboxMachine.TestCase
