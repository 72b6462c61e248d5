"""The lookup of an attempt in doubt: only this entry's own requests count, and doubt stays doubt.

Against the fake server with the real transport: look-alike mails (the same title template to
the same customer) are told apart by the marker each entry's sends carry, or by their content
when the caller set their own ``referencesHeader``; a request id is recorded at most once; a
lookup that cannot be certain leaves the entry ``unknown``.
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

from harness.fake import FakeNcloud
from harness.mail import MailClient
from harness.outbox import (
    ClientTransport,
    DeliveryOutcomeUnknown,
    DrainPolicy,
    EntryState,
    Outbox,
    drain_once,
    marker_for,
)
from harness.outbox._db import SCHEMA_VERSION

POLICY = DrainPolicy(backoff=0.001, max_backoff=0.01, check_delay=0.0, jitter=lambda: 1.0)


def receipt(number: str, **extra: Any) -> dict[str, Any]:
    """Receipts share their title template and their customer; only the parameter differs."""
    data = {
        "title": "Your receipt ${number}",
        "body": "<p>Order ${number}</p>",
        "parameters": {"number": number},
        "recipients": ["bob@example.com"],
    }
    data.update(extra)
    return data


@pytest.fixture
def client(fake_ncloud: FakeNcloud) -> Iterator[MailClient]:
    with MailClient(make_settings(fake_ncloud)) as mail_client:
        yield mail_client


def sent_numbers(fake: FakeNcloud) -> list[tuple[str, str]]:
    return sorted((r.request_id, str(r.body["parameters"]["number"])) for r in fake.mail_requests)


def drain_all(box: Outbox, transport: ClientTransport) -> None:
    deadline = time.monotonic() + 20
    while not settled(box):
        assert time.monotonic() < deadline, box.counts()
        if not drain_once(box, transport, owner="final", policy=POLICY):
            time.sleep(0.01)


@pytest.mark.parametrize("own_header", [None, "<order-thread@shop.example.com>"])
def test_look_alike_mails_in_doubt_are_told_apart(
    fake_ncloud: FakeNcloud, client: MailClient, tmp_path: Path, own_header: str | None
) -> None:
    extra = {} if own_header is None else {"referencesHeader": own_header}
    with Outbox(tmp_path / "o.db", sender_address=SENDER) as box:
        first = box.submit(receipt("A-1", **extra))
        second = box.submit(receipt("B-2", **extra))
        lost = box.claim("died-before-sending")  # the first never reached NCloud
        reached = box.claim("died-after-sending")  # the second did, unrecorded
        assert lost is not None
        assert reached is not None
        assert (lost.id, reached.id) == (first, second)
        client.send(reached.mail)
        assert box.recover(lease=600, check_delay=0, everything=True) == 2
        drain_all(box, ClientTransport(client))
        by_number = {number: rid for rid, number in sent_numbers(fake_ncloud)}
        assert sorted(by_number) == ["A-1", "B-2"]
        assert len(fake_ncloud.mail_requests) == 2  # nothing went out twice
        assert box.get(first).request_id == by_number["A-1"]
        assert box.get(second).request_id == by_number["B-2"]
        assert {e.state for e in box.entries()} == {EntryState.SENT}


def test_every_send_carries_the_entry_marker_unless_the_caller_set_a_header(
    fake_ncloud: FakeNcloud, client: MailClient, tmp_path: Path
) -> None:
    with Outbox(tmp_path / "o.db", sender_address=SENDER) as box:
        marked = box.submit(receipt("A-1"))
        own = box.submit(receipt("B-2", referencesHeader="<thread-7@shop.example.com>"))
        drain_all(box, ClientTransport(client))
        headers = {
            str(r.body["parameters"]["number"]): r.body.get("referencesHeader")
            for r in fake_ncloud.mail_requests
        }
        assert headers == {"A-1": marker_for(marked), "B-2": "<thread-7@shop.example.com>"}
        assert box.get(marked).mail.references_header is None  # stored as submitted
        assert box.get(own).state is EntryState.SENT


def test_a_lookup_reads_every_page_and_finds_a_request_of_a_group_mail(
    fake_ncloud: FakeNcloud, client: MailClient, tmp_path: Path
) -> None:
    for number in range(120):  # other mail from the same sender in the window
        client.send(client.prepare(_mail(mail_data(number))))
    with Outbox(tmp_path / "o.db", sender_address=SENDER) as box:
        group = receipt("G-1", individual=False, recipients=["a@example.com", "b@example.com"])
        entry_id = box.submit(group)
        claim = box.claim("died-after-sending")
        assert claim is not None
        client.send(claim.mail)
        box.recover(lease=600, check_delay=0, everything=True)
        drain_all(box, ClientTransport(client))
        assert len(fake_ncloud.mail_requests) == 121
        assert box.get(entry_id).request_id == fake_ncloud.mail_requests[-1].request_id


def test_a_lookup_past_the_page_limit_leaves_the_entry_unknown(
    fake_ncloud: FakeNcloud, client: MailClient, tmp_path: Path
) -> None:
    for number in range(101):  # other mail to the same customer: every one a candidate
        client.send(client.prepare(_mail(mail_data(number, recipients=["bob@example.com"]))))
    with Outbox(tmp_path / "o.db", sender_address=SENDER) as box:
        entry_id = box.submit(receipt("A-1"))
        assert box.claim("died-before-sending") is not None
        box.recover(lease=600, check_delay=0, everything=True)
        assert drain_once(box, ClientTransport(client, max_pages=1), policy=POLICY)
        entry = box.get(entry_id)
        assert entry.state is EntryState.UNKNOWN
        assert "were not all checked" in (entry.last_error or "")
        assert len(fake_ncloud.mail_requests) == 101  # not sent while in doubt


def _mail(data: dict[str, Any]) -> Any:
    from harness.mail import Mail

    return Mail(**data)


# the decision, with a scripted transport -------------------------------------------------


def in_doubt(box: Outbox, transport: ScriptedTransport, clock: ManualClock) -> str:
    entry_id = box.submit(mail_data(1))
    transport.outcomes = [DeliveryOutcomeUnknown("read timeout")]
    drain_once(box, transport, owner="w", policy=POLICY)
    clock.advance(1)
    return entry_id


def test_several_fitting_requests_leave_the_entry_unknown(box: Outbox, clock: ManualClock) -> None:
    transport = ScriptedTransport()
    entry_id = in_doubt(box, transport, clock)
    transport.lookups = [["request-8", "request-9"]]
    assert drain_once(box, transport, owner="w", policy=POLICY)
    entry = box.get(entry_id)
    assert (entry.state, entry.request_id) == (EntryState.UNKNOWN, None)
    assert "several requests" in (entry.last_error or "")
    assert transport.delivered == []


def test_a_request_id_is_recorded_by_one_entry_at_most(tmp_path: Path) -> None:
    with Outbox(tmp_path / "o.db", sender_address=SENDER) as box:
        first, second = box.submit(mail_data(1)), box.submit(mail_data(2))
        for entry_id in (first, second):
            claim = box.claim("w")
            assert claim is not None
            assert claim.id == entry_id
            assert box.mark_sent(claim, "request-1" if entry_id == first else "request-2")
    connection = sqlite3.connect(tmp_path / "o.db")
    try:
        with pytest.raises(sqlite3.IntegrityError):
            connection.execute("UPDATE outbox SET request_id = 'request-1' WHERE id = ?", (second,))
    finally:
        connection.close()


def test_a_send_answer_takes_back_a_request_another_entry_had_wrongly_found(
    box: Outbox, clock: ManualClock
) -> None:
    wrong = box.submit(mail_data(1))
    right = box.submit(mail_data(2))
    first = box.claim("w")
    second = box.claim("w")
    assert first is not None
    assert second is not None
    assert box.settle_found(first, ["request-5"]) == "sent"  # as a lax lookup once did
    assert box.mark_sent(second, "request-5")  # NCloud's own answer to this send
    assert box.get(right).request_id == "request-5"
    reopened = box.get(wrong)
    assert (reopened.state, reopened.request_id) == (EntryState.UNKNOWN, None)


def old_file(path: Path, *request_ids: str) -> None:
    """An outbox file as the first schema wrote it (no unique index, user_version 0)."""
    connection = sqlite3.connect(path)
    try:
        connection.executescript(
            """
            CREATE TABLE outbox (seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE,
              idempotency_key TEXT NOT NULL UNIQUE, mail_hash TEXT NOT NULL,
              mail_json TEXT NOT NULL, state TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,
              not_before REAL NOT NULL, owner TEXT, claimed_at REAL, in_doubt_since REAL,
              checking INTEGER NOT NULL DEFAULT 0, request_id TEXT, last_error TEXT,
              created_at REAL NOT NULL, updated_at REAL NOT NULL);
            CREATE INDEX outbox_due ON outbox (state, not_before, seq);
            CREATE INDEX outbox_request ON outbox (request_id);
            """
        )
        mail = json.dumps(mail_data(1) | {"senderAddress": SENDER})
        for number, request_id in enumerate(request_ids):
            connection.execute(
                "INSERT INTO outbox (id, idempotency_key, mail_hash, mail_json, state, "
                "not_before, request_id, created_at, updated_at) "
                "VALUES (?, ?, 'h', ?, 'sent', 0, ?, 0, 0)",
                (f"e{number}", f"k{number}", mail, request_id),
            )
        connection.commit()
    finally:
        connection.close()


def test_an_older_file_gains_the_unique_index(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    old_file(path, "request-1", "request-2")
    with Outbox(path) as box:
        assert box.get("e0").request_id == "request-1"
    connection = sqlite3.connect(path)
    try:
        assert connection.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        with pytest.raises(sqlite3.IntegrityError):
            connection.execute("UPDATE outbox SET request_id = 'request-1' WHERE id = 'e1'")
    finally:
        connection.close()


def test_an_older_file_recording_a_request_twice_is_refused_with_the_entries(
    tmp_path: Path,
) -> None:
    path = tmp_path / "old.db"
    old_file(path, "request-1", "request-1")
    with pytest.raises(sqlite3.IntegrityError, match="request-1 recorded by entries e0, e1"):
        Outbox(path)
