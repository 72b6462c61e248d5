"""The outbox store: submit, idempotency, validation, claims, state changes and recovery."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from outbox_kit import SENDER, ManualClock, mail_data

from harness.mail import Mail, MailValidationError
from harness.outbox import (
    EntryNotFoundError,
    EntryState,
    IdempotencyConflictError,
    Outbox,
    OutboxError,
    OutboxFileError,
    new_owner,
    owner_is_dead,
)


def test_submit_stores_a_pending_entry_with_the_default_sender(outbox: Outbox) -> None:
    entry_id = outbox.submit(mail_data(1))
    entry = outbox.get(entry_id)
    assert entry.state is EntryState.PENDING
    assert entry.attempts == 0
    assert entry.request_id is None
    assert entry.mail.sender_address == SENDER
    assert entry.mail.title == "Message 0001"
    assert entry.to_public()["status"] == "pending"


def test_the_same_mail_submitted_again_returns_the_same_id(outbox: Outbox) -> None:
    first = outbox.submit(mail_data(1))
    assert outbox.submit(Mail(**mail_data(1))) == first
    assert outbox.submit(mail_data(2)) != first
    assert outbox.counts()["pending"] == 2


def test_the_derived_key_ignores_spelling_and_key_order(outbox: Outbox) -> None:
    camel = {"recipients": ["user1@example.com"], "title": "Message 1", "body": "<p>Body</p>"}
    snake = {
        "body": "<p>Body</p>",
        "title": "Message 1",
        "recipients": [{"address": "user1@example.com"}],
    }
    assert outbox.submit(camel) == outbox.submit(snake)
    entry = outbox.entries()[0]
    assert entry.idempotency_key == outbox.derived_key(camel)


def test_a_caller_key_allows_identical_content_twice_and_dedupes_its_own_resubmit(
    outbox: Outbox,
) -> None:
    first = outbox.submit(mail_data(1), idempotency_key="signup-42")
    second = outbox.submit(mail_data(1), idempotency_key="signup-43")
    assert first != second
    assert outbox.submit(mail_data(1), idempotency_key="signup-42") == first


def test_a_key_reused_for_another_mail_is_a_conflict(outbox: Outbox) -> None:
    first = outbox.submit(mail_data(1), idempotency_key="k")
    with pytest.raises(IdempotencyConflictError) as caught:
        outbox.submit(mail_data(2), idempotency_key="k")
    assert caught.value.entry_id == first
    assert len(outbox.entries()) == 1


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"title": "t", "body": "b", "recipients": ["not-an-address"]}, "recipients[0].address"),
        ({"title": "t", "recipients": ["a@example.com"]}, "body"),
        ({"title": "t", "body": "b"}, "recipients"),
        ({"title": "t", "body": "b", "recipients": ["a@example.com"], "bogus": 1}, "bogus"),
    ],
)
def test_an_invalid_mail_is_refused_naming_the_field(
    outbox: Outbox, data: dict[str, object], field: str
) -> None:
    with pytest.raises(MailValidationError) as caught:
        outbox.submit(data)
    assert field in [name for name, _ in caught.value.problems]
    assert outbox.entries() == []


def test_a_mail_without_any_sender_is_refused(tmp_path: Path) -> None:
    with Outbox(tmp_path / "o.db") as box, pytest.raises(MailValidationError) as caught:
        box.submit(mail_data(1))
    assert caught.value.field == "senderAddress"


def test_a_non_object_and_an_empty_key_are_refused(outbox: Outbox) -> None:
    with pytest.raises(MailValidationError):
        outbox.submit(["not", "a", "mail"])  # type: ignore[arg-type]
    with pytest.raises(MailValidationError):
        outbox.submit(mail_data(1), idempotency_key="")


def test_get_of_an_unknown_id_raises(outbox: Outbox) -> None:
    with pytest.raises(EntryNotFoundError, match="nope"):
        outbox.get("nope")


def test_the_database_is_in_wal_mode_and_survives_reopening(tmp_path: Path) -> None:
    path = tmp_path / "o.db"
    with Outbox(path, sender_address=SENDER) as box:
        entry_id = box.submit(mail_data(1))
    connection = sqlite3.connect(path)
    try:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        connection.close()
    with Outbox(path) as again:
        assert again.get(entry_id).state is EntryState.PENDING


def test_claims_take_due_entries_in_order_and_never_twice(tmp_path: Path) -> None:
    clock = ManualClock()
    with Outbox(tmp_path / "o.db", sender_address=SENDER, clock=clock) as box:
        first, second = box.submit(mail_data(1)), box.submit(mail_data(2))
        a, b = box.claim("a"), box.claim("b")
        assert a is not None
        assert b is not None
        assert (a.id, b.id) == (first, second)
        assert box.claim("c") is None
        assert box.get(first).state is EntryState.SENDING


def test_state_changes_need_the_claim(tmp_path: Path) -> None:
    clock = ManualClock()
    with Outbox(tmp_path / "o.db", sender_address=SENDER, clock=clock) as box:
        entry_id = box.submit(mail_data(1))
        claim = box.claim("a")
        assert claim is not None
        stolen = type(claim)(claim.id, "intruder", claim.mail_json, 0, None, None)
        assert not box.mark_sent(stolen, "r-1")
        assert claim.in_doubt_since is None  # a fresh claim: its attempt has started
        assert box.mark_retry(claim, "throttled", clock.now + 5)
        entry = box.get(entry_id)
        assert (entry.state, entry.attempts, entry.last_error) == (
            EntryState.PENDING,
            1,
            "throttled",
        )
        assert box.claim("a") is None  # not due yet
        clock.advance(5)
        again = box.claim("a")
        assert again is not None
        assert again.in_doubt_since is None
        assert box.mark_sent(again, "r-1")
        done = box.get(entry_id)
        assert (done.state, done.request_id, done.last_error) == (EntryState.SENT, "r-1", None)
        assert box.is_known_request("r-1")
        assert not box.is_known_request("r-2")
        assert not box.mark_failed(again, "too late")  # no longer claimed


def test_recovery_frees_expired_claims_for_a_lookup(tmp_path: Path) -> None:
    clock = ManualClock()
    with Outbox(tmp_path / "o.db", sender_address=SENDER, clock=clock) as box:
        entry_id = box.submit(mail_data(1))
        claimed_at = clock.now
        assert box.claim("gone") is not None
        assert box.recover(lease=60, check_delay=10) == 0
        clock.advance(61)
        assert box.recover(lease=60, check_delay=10) == 1
        unknown = box.get(entry_id)
        assert unknown.state is EntryState.UNKNOWN
        assert unknown.not_before == clock.now  # the check delay has long passed
        assert "outcome" in (unknown.last_error or "")
        again = box.claim("next")
        assert again is not None
        assert again.in_doubt_since == claimed_at
        assert again.attempts == 1
        assert box.start_attempt(again)
        assert box.get(entry_id).attempts == 2


def test_recovery_of_everything_and_its_spacing(tmp_path: Path) -> None:
    clock = ManualClock()
    with Outbox(tmp_path / "o.db", sender_address=SENDER, clock=clock) as box:
        entry_id = box.submit(mail_data(1))
        assert box.claim("live-looking") is not None
        assert box.recover(lease=600, check_delay=10, every=30) == 0
        assert box.recover(lease=600, check_delay=10, every=30, everything=True) == 0  # spaced
        clock.advance(31)
        assert box.recover(lease=600, check_delay=10, every=30, everything=True) == 1
        entry = box.get(entry_id)
        assert entry.state is EntryState.UNKNOWN
        assert entry.not_before == pytest.approx(clock.now - 31 + 10)


def test_owners_of_dead_processes_on_this_host_are_dead() -> None:
    mine = new_owner("t")
    assert not owner_is_dead(mine)
    done = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    host = mine.split(":")[0]
    assert owner_is_dead(f"{host}:{done.stdout.strip()}:t:x:y")
    assert not owner_is_dead(f"another-host:{done.stdout.strip()}:t:x:y")
    assert not owner_is_dead("not an owner token")


def test_a_dead_pid_of_another_pid_namespace_with_our_host_name_is_not_called_dead() -> None:
    """Two containers with host networking share a host name but number their own processes."""
    mine = new_owner("t")
    host = mine.split(":")[0]
    name, _, namespace = host.partition("/")
    done = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    pid = done.stdout.strip()
    assert owner_is_dead(f"{host}:{pid}:t:x:y")
    assert not owner_is_dead(f"{name}/1{namespace}:{pid}:t:x:y")  # another namespace
    if Path("/proc/self/ns/pid").exists():  # Linux: the namespace is part of the owner
        assert namespace.isdigit()
        assert not owner_is_dead(f"{name}:{pid}:t:x:y")  # an owner that does not name it


def test_the_derived_key_is_the_stored_key_with_the_default_sender(outbox: Outbox) -> None:
    mail = Mail(**mail_data(1))
    assert mail.sender_address is None
    entry_id = outbox.submit(mail)
    assert outbox.derived_key(mail) == outbox.get(entry_id).idempotency_key


def finish(box: Outbox, state: str) -> str:
    entry_id = box.submit(mail_data(1))
    claim = box.claim("w")
    assert claim is not None
    if state == "sent":
        assert box.mark_sent(claim, "r-1")
    else:
        assert box.mark_failed(claim, "QuotaExceededError: quota used up")
    return entry_id


def test_a_resubmitted_failed_mail_is_queued_again(tmp_path: Path) -> None:
    clock = ManualClock()
    with Outbox(tmp_path / "o.db", sender_address=SENDER, clock=clock) as box:
        entry_id = finish(box, "failed")
        clock.advance(60)
        again = box.accept(mail_data(1))
        assert (again.entry.id, again.outcome, again.queued) == (entry_id, "requeued", True)
        entry = box.get(entry_id)
        assert (entry.state, entry.attempts, entry.last_error) == (EntryState.PENDING, 0, None)
        assert entry.not_before == clock.now
        keyed = box.submit(mail_data(2), idempotency_key="order-9")
        claim = box.claim("w")
        assert claim is not None
        assert box.mark_failed(claim, "refused")  # the requeued entry comes first
        claim = box.claim("w")
        assert claim is not None
        assert claim.id == keyed
        assert box.mark_failed(claim, "refused")
        assert box.accept(mail_data(2), idempotency_key="order-9").outcome == "requeued"


def test_a_resubmission_reports_the_entry_as_it_is(tmp_path: Path) -> None:
    clock = ManualClock()
    with Outbox(tmp_path / "o.db", sender_address=SENDER, clock=clock) as box:
        entry_id = finish(box, "sent")
        again = box.accept(mail_data(1))
        assert (again.entry.id, again.outcome, again.queued) == (entry_id, "existing", False)
        assert again.entry.state is EntryState.SENT
        assert again.entry.request_id == "r-1"


def test_derived_keys_match_only_within_the_window(tmp_path: Path) -> None:
    clock = ManualClock()
    with Outbox(tmp_path / "o.db", sender_address=SENDER, clock=clock, dedupe_window=3600) as box:
        sent = finish(box, "sent")
        clock.advance(3599)
        assert box.submit(mail_data(1)) == sent
        clock.advance(2)
        later = box.accept(mail_data(1))
        assert (later.outcome, later.entry.state) == ("new", EntryState.PENDING)
        assert later.entry.id != sent
        assert box.get(sent).state is EntryState.SENT  # the old entry keeps its history
        clock.advance(7200)  # still pending: the same content is still this entry
        assert box.submit(mail_data(1)) == later.entry.id
        keyed = box.submit(mail_data(3), idempotency_key="signup-1")
        clock.advance(10 * 86400)
        assert box.submit(mail_data(3), idempotency_key="signup-1") == keyed  # keys never expire
    with pytest.raises(ValueError, match="dedupe_window"):
        Outbox(tmp_path / "x.db", dedupe_window=-1)


def test_a_file_that_cannot_be_the_outbox_is_named_in_one_sentence(tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_bytes(b"not a database " * 100)
    missing = tmp_path / "missing" / "o.db"
    for path in (missing, notes, tmp_path):
        with pytest.raises(OutboxFileError) as caught:
            Outbox(path)
        message = str(caught.value)
        if path is missing:
            assert message == (
                f"The folder {str(missing.parent)!r} for the outbox file {str(missing)!r} "
                "does not exist; create it first."
            )
        else:
            assert message.startswith(f"The outbox file {str(path)!r} cannot be used: ")
        assert message.endswith(".")
        assert message.count(". ") == 0
        assert isinstance(caught.value.__cause__, sqlite3.Error)
        assert isinstance(caught.value, OutboxError)
    assert notes.read_bytes() == b"not a database " * 100


@pytest.mark.parametrize(
    ("key", "message"),
    [
        ("", "must be 1 to 255 characters long, not 0"),
        ("k" * 256, "must be 1 to 255 characters long, not 256"),
        ("   ", "must not be blank"),
        ("order\n7", "must not contain control characters"),
        ("order\x007", "must not contain control characters"),
        (7, "must be a string, not int"),
    ],
)
def test_an_unusable_idempotency_key_is_refused_before_anything_is_stored(
    outbox: Outbox, key: object, message: str
) -> None:
    with pytest.raises(MailValidationError) as caught:
        outbox.submit(mail_data(1), idempotency_key=key)  # type: ignore[arg-type]
    assert caught.value.problems == (("idempotencyKey", message),)
    assert outbox.entries() == []
    assert outbox.submit(mail_data(1), idempotency_key="k" * 255) != outbox.submit(mail_data(1))
    kept = outbox.submit(mail_data(1), idempotency_key="order 7 / ünïcode")
    assert outbox.get(kept).idempotency_key == "order 7 / ünïcode"
