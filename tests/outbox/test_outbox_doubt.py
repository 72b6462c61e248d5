"""Entries in doubt end sent once or failed with a reason, never sent again blindly.

Against the fake server with the real transport, and with a scripted transport for the
decisions: a server clock minutes off, group and advertising mail with the caller's own
``referencesHeader``, attempts left in doubt by a release without markers, identical mails
in doubt together, unrelated requests without mails, lookups that stay inconclusive, a send
answered after its claim was lost, and files of every past schema.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from outbox_kit import SENDER, ManualClock, ScriptedTransport, mail_data, make_settings, settled

from harness.fake import FakeNcloud, Fault, FaultScript
from harness.mail import Mail, MailClient, SendOutcomeUnknownError
from harness.outbox import (
    ClientTransport,
    DeliveryOutcomeUnknown,
    DrainPolicy,
    EntryState,
    Outbox,
    classify,
    drain_once,
)
from harness.outbox._db import SCHEMA_VERSION

POLICY = DrainPolicy(backoff=0.001, max_backoff=0.01, check_delay=0.0, jitter=lambda: 1.0)
CUT_SHORT = Fault("truncate", "POST", "/api/*/mails", count=1)


@pytest.fixture
def fake() -> Iterator[FakeNcloud]:
    with FakeNcloud(credentials=("AK", "SK"), groups={"vip": ["g1@example.com"], "empty": []}) as f:
        yield f


@pytest.fixture
def client(fake: FakeNcloud) -> Iterator[MailClient]:
    with MailClient(make_settings(fake)) as mail_client:
        yield mail_client


def as_mail(data: dict[str, Any]) -> Mail:
    return Mail(**{"senderAddress": SENDER, **data})


def drain_all(box: Outbox, transport: Any, policy: DrainPolicy = POLICY) -> None:
    deadline = time.monotonic() + 20
    while not settled(box):
        assert time.monotonic() < deadline, box.counts()
        if not drain_once(box, transport, owner="w", policy=policy):
            time.sleep(0.01)


# The real transport --------------------------------------------------------------------------


@pytest.mark.parametrize("offset_ms", [-90_000, 240_000])
def test_a_send_in_doubt_is_found_with_the_server_clock_minutes_off(
    fake: FakeNcloud, client: MailClient, tmp_path: Path, offset_ms: int
) -> None:
    fake.set_faults(FaultScript(faults=(CUT_SHORT,), clock_offset_ms=offset_ms))
    with Outbox(tmp_path / "o.db", sender_address=SENDER) as box:
        entry_id = box.submit(mail_data(1))
        drain_all(box, ClientTransport(client))
        entry = box.get(entry_id)
    assert len(fake.mail_requests) == 1
    assert (entry.state, entry.attempts) == (EntryState.SENT, 1)
    assert entry.request_id == fake.mail_requests[0].request_id


CALLER_HEADER_MAILS: dict[str, dict[str, Any]] = {
    "group": {
        "title": "T",
        "body": "B",
        "recipientGroupFilter": {"andFilter": False, "groups": ["vip"]},
    },
    "advertising with its own unsubscribe text": {
        "title": "T",
        "body": "B #{UNSUBSCRIBE_MESSAGE} end",
        "advertising": True,
        "useBasicUnsubscribeMsg": False,
        "unsubscribeMessage": "bye #{UNSUBSCRIBE_URL}",
        "recipients": ["a@example.com"],
    },
}


@pytest.mark.parametrize("kind", sorted(CALLER_HEADER_MAILS))
def test_a_mail_with_the_callers_header_in_doubt_is_recognised(
    fake: FakeNcloud, client: MailClient, tmp_path: Path, kind: str
) -> None:
    fake.set_faults(FaultScript(faults=(CUT_SHORT,)))
    data = dict(CALLER_HEADER_MAILS[kind], referencesHeader="<order-42@shop.example>")
    with Outbox(tmp_path / "o.db", sender_address=SENDER) as box:
        entry_id = box.submit(data)
        drain_all(box, ClientTransport(client))
        entry = box.get(entry_id)
    assert len(fake.mail_requests) == 1
    assert (entry.state, entry.request_id) == (EntryState.SENT, fake.mail_requests[0].request_id)


def test_identical_mails_both_in_doubt_each_take_one_request(
    fake: FakeNcloud, client: MailClient, tmp_path: Path
) -> None:
    fake.set_faults(FaultScript(faults=(Fault("truncate", "POST", "/api/*/mails", count=2),)))
    data = mail_data(1, referencesHeader="<ticket-7@help.example>")
    with Outbox(tmp_path / "o.db", sender_address=SENDER) as box:
        first = box.submit(data, idempotency_key="click-1")
        second = box.submit(data, idempotency_key="click-2")
        drain_all(box, ClientTransport(client))
        entries = [box.get(first), box.get(second)]
    assert len(fake.mail_requests) == 2
    assert [e.state for e in entries] == [EntryState.SENT, EntryState.SENT]
    assert sorted(e.request_id or "" for e in entries) == sorted(
        r.request_id for r in fake.mail_requests
    )


def test_unrelated_requests_neither_block_nor_slow_the_lookup(
    fake: FakeNcloud, client: MailClient, tmp_path: Path
) -> None:
    # the same sender's group send to an empty group: a request without mails
    nobody = {"andFilter": False, "groups": ["empty"]}
    client.send(as_mail({"title": "news", "body": "b", "recipientGroupFilter": nobody}))
    for number in range(30):
        client.send(Mail(**mail_data(100 + number, senderAddress=SENDER)))
    fake.set_faults(FaultScript(faults=(CUT_SHORT,)))
    with Outbox(tmp_path / "o.db", sender_address=SENDER) as box:
        entry_id = box.submit(mail_data(1))
        drain_once(box, ClientTransport(client), policy=POLICY)
        assert box.get(entry_id).state is EntryState.UNKNOWN
        before = len(fake.requests)
        drain_once(box, ClientTransport(client), policy=POLICY)
        calls = len(fake.requests) - before
        entry = box.get(entry_id)
    assert (entry.state, entry.attempts) == (EntryState.SENT, 1)
    assert calls <= 4  # the candidates are narrowed to this mail's recipient and title
    assert len(fake.mail_requests) == 32


def test_a_request_without_mails_made_long_before_the_attempt_is_skipped(
    fake: FakeNcloud, tmp_path: Path
) -> None:
    group: dict[str, Any] = {
        "title": "news",
        "body": "b",
        "recipientGroupFilter": {"andFilter": False, "groups": ["vip"]},
    }
    empty = dict(group, recipientGroupFilter={"andFilter": False, "groups": ["empty"]})
    fake.set_faults(FaultScript(clock_offset_ms=-180_000))  # made three minutes earlier
    with MailClient(make_settings(fake)) as other:
        other.send(as_mail(empty))  # to nobody: it has no mails
    fake.set_faults(FaultScript(faults=(CUT_SHORT,)))
    with (
        Outbox(tmp_path / "o.db", sender_address=SENDER) as box,
        MailClient(make_settings(fake)) as client,
    ):
        entry_id = box.submit(group)
        drain_all(box, ClientTransport(client))
        entry = box.get(entry_id)
    assert len(fake.mail_requests) == 2  # the blocker, and this mail once
    assert (entry.state, entry.attempts) == (EntryState.SENT, 1)


def old_release_file(path: Path, *, checking: bool, version: int = 0) -> None:
    """An outbox file of a past schema: the first (no ``checking``) or the second."""
    column = "checking INTEGER NOT NULL DEFAULT 0," if checking else ""
    connection = sqlite3.connect(path)
    try:
        connection.executescript(
            f"""
            CREATE TABLE outbox (seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE,
              idempotency_key TEXT NOT NULL UNIQUE, mail_hash TEXT NOT NULL,
              mail_json TEXT NOT NULL, state TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,
              not_before REAL NOT NULL, owner TEXT, claimed_at REAL, in_doubt_since REAL,
              {column} request_id TEXT, last_error TEXT,
              created_at REAL NOT NULL, updated_at REAL NOT NULL);
            CREATE INDEX outbox_due ON outbox (state, not_before, seq);
            CREATE INDEX outbox_request ON outbox (request_id);
            PRAGMA user_version = {version};
            """
        )
        connection.commit()
    finally:
        connection.close()


def add_row(path: Path, mail: dict[str, Any], *, state: str, attempts: int, since: float) -> None:
    connection = sqlite3.connect(path)
    try:
        connection.execute(
            "INSERT INTO outbox (id, idempotency_key, mail_hash, mail_json, state, attempts, "
            "not_before, in_doubt_since, created_at, updated_at) "
            "VALUES ('e1', 'k1', 'h1', ?, ?, ?, 0, ?, ?, ?)",
            (json.dumps(mail), state, attempts, since, since, since),
        )
        connection.commit()
    finally:
        connection.close()


def test_an_attempt_in_doubt_from_a_release_without_markers_is_found(
    fake: FakeNcloud, client: MailClient, tmp_path: Path
) -> None:
    path = tmp_path / "old.db"
    old_release_file(path, checking=True)
    mail = mail_data(1, senderAddress=SENDER)
    started = time.time()
    add_row(path, mail, state="unknown", attempts=1, since=started)
    client.send(Mail(**mail))  # what the old release sent: no marker
    with Outbox(path, sender_address=SENDER) as box:
        drain_all(box, ClientTransport(client))
        entry = box.get("e1")
    assert len(fake.mail_requests) == 1
    assert (entry.state, entry.request_id) == (EntryState.SENT, fake.mail_requests[0].request_id)


@pytest.mark.parametrize("schema", ["first", "second", "current"])
def test_a_file_of_every_past_schema_is_brought_up_to_date(tmp_path: Path, schema: str) -> None:
    path = tmp_path / "old.db"
    if schema == "current":
        Outbox(path).close()
        connection = sqlite3.connect(path)
        connection.execute("PRAGMA user_version = 1")
        for name in ("marked", "lookups", "doubt_until"):
            connection.execute(f"ALTER TABLE outbox DROP COLUMN {name}")
        connection.commit()
        connection.close()
    else:
        old_release_file(path, checking=schema == "second")
    with Outbox(path, sender_address=SENDER) as box:
        entry_id = box.submit(mail_data(1))
        claim = box.claim("w")
        assert claim is not None
        assert claim.id == entry_id
        assert box.mark_sent(claim, "request-1")
    connection = sqlite3.connect(path)
    try:
        assert connection.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    finally:
        connection.close()


# The decisions, with a scripted transport ------------------------------------------------------


def in_doubt(box: Outbox, transport: ScriptedTransport, clock: ManualClock) -> str:
    entry_id = box.submit(mail_data(1))
    transport.outcomes = [DeliveryOutcomeUnknown("read timeout")]
    drain_once(box, transport, owner="w", policy=POLICY)
    clock.advance(1)
    return entry_id


def test_inconclusive_lookups_back_off_and_then_fail_naming_the_requests(
    box: Outbox, clock: ManualClock
) -> None:
    policy = DrainPolicy(
        backoff=1.0, max_backoff=8.0, check_delay=0.0, max_lookups=6, jitter=lambda: 1.0
    )
    transport = ScriptedTransport()
    entry_id = in_doubt(box, transport, clock)
    both = ["request-8", "request-9"]
    transport.lookups = [both, both, both, RuntimeError("down"), RuntimeError("down"), both]
    waits = []
    for _ in range(5):
        assert drain_once(box, transport, owner="w", policy=policy)
        entry = box.get(entry_id)
        assert entry.state is EntryState.UNKNOWN
        waits.append(entry.not_before - clock())
        clock.advance(waits[-1])
    assert waits == [1.0, 2.0, 4.0, 8.0, 8.0]
    assert drain_once(box, transport, owner="w", policy=policy)
    entry = box.get(entry_id)
    assert entry.state is EntryState.FAILED
    assert "could not tell whether it was sent" in (entry.last_error or "")
    assert entry.last_error == (
        "could not tell whether it was sent after 6 lookups (it may be one of the requests "
        "request-8, request-9); submitting the same mail again looks the earlier attempt up "
        "first (last: the outcome of an earlier attempt could not be checked: several "
        "requests NCloud holds carry this mail)"
    )
    assert transport.delivered == []  # never sent again while in doubt


def test_a_send_answered_after_its_claim_was_lost_is_recorded(
    box: Outbox, clock: ManualClock
) -> None:
    entry_id = box.submit(mail_data(1))

    class SlowTransport(ScriptedTransport):
        def deliver(self, mail: Mail) -> str:
            clock.advance(1000)  # past the lease: another worker frees the claim
            assert box.recover(lease=300, check_delay=30) == 1
            return super().deliver(mail)

    assert drain_once(box, SlowTransport(), owner="w", policy=POLICY)
    entry = box.get(entry_id)
    assert (entry.state, entry.request_id) == (EntryState.SENT, "request-1")


def test_the_error_stored_for_a_send_in_doubt_is_one_sentence_of_the_outbox() -> None:
    cause = RuntimeError("The answer to POST /mails (HTTP 201) was cut short.")
    error = SendOutcomeUnknownError(
        "The send may or may not have been accepted. Check with MailClient.check_outcome(error).",
        mail=Mail(**mail_data(1, senderAddress=SENDER)),
        started_ms=0,
        finished_ms=1,
        http_status=201,
    )
    error.__cause__ = cause
    text = str(classify(error))
    assert text == (
        "The send may have reached NCloud (The answer to POST /mails (HTTP 201) was cut "
        "short); it will be looked up before any new attempt."
    )


def test_the_guide_draws_every_move_a_final_entry_can_make() -> None:
    guide = (Path(__file__).parents[2] / "docs" / "background.md").read_text()
    assert "sent --> unknown" in guide
    assert "failed --> pending" in guide
    assert "goes back to ``unknown``" in (EntryState.final.__doc__ or "")
