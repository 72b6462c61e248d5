"""A mail submitted again after it failed: queued again, but never sent blindly.

An entry that failed because lookups could not tell whether its last attempt reached NCloud
may have gone out. Submitting it again (same key, or same content) must look that attempt
up before anything is sent, however long ago it failed.
"""

from __future__ import annotations

from outbox_kit import ManualClock, ScriptedTransport, mail_data

from harness.mail import Mail
from harness.outbox import DeliveryOutcomeUnknown, DrainPolicy, EntryState, Outbox, drain_once

POLICY = DrainPolicy(
    max_lookups=2, backoff=1.0, max_backoff=1.0, check_delay=1.0, jitter=lambda: 1.0
)


class ReachedThenTimedOut(ScriptedTransport):
    """The first send reaches NCloud, but its answer is lost to a read timeout."""

    def __init__(self) -> None:
        super().__init__()
        self.timed_out = False

    def deliver(self, mail: Mail) -> str:
        request_id = super().deliver(mail)
        if not self.timed_out:
            self.timed_out = True
            raise DeliveryOutcomeUnknown(f"read timeout after {request_id} was made")
        return request_id


def fail_in_doubt(box: Outbox, transport: ScriptedTransport, clock: ManualClock, **key: str) -> str:
    """Submit a mail whose send reaches NCloud unanswered and whose lookups all fail."""
    entry_id = box.submit(mail_data(1), **key)
    assert drain_once(box, transport, owner="w", policy=POLICY)
    transport.lookups = [RuntimeError("list API 500"), RuntimeError("list API 500")]
    for _ in range(2):
        clock.advance(10)
        assert drain_once(box, transport, owner="w", policy=POLICY)
    entry = box.get(entry_id)
    assert entry.state is EntryState.FAILED
    assert entry.last_error == (
        "could not tell whether it was sent after 2 lookups; submitting the same mail again "
        "looks the earlier attempt up first (last: the outcome of an earlier attempt could "
        "not be checked: list API 500)"
    )
    return entry_id


def test_a_mail_failed_in_doubt_and_resubmitted_is_looked_up_not_sent_again(
    box: Outbox, clock: ManualClock
) -> None:
    transport = ReachedThenTimedOut()
    entry_id = fail_in_doubt(box, transport, clock, idempotency_key="order-1")
    again = box.accept(mail_data(1), idempotency_key="order-1")
    assert (again.entry.id, again.outcome) == (entry_id, "requeued")
    assert again.entry.state is EntryState.UNKNOWN
    assert again.entry.attempts == 1
    transport.lookups = [["request-1"]]  # now NCloud's list answers: the first send arrived
    clock.advance(10)
    assert drain_once(box, transport, owner="w", policy=POLICY)
    entry = box.get(entry_id)
    assert (entry.state, entry.request_id) == (EntryState.SENT, "request-1")
    assert len(transport.delivered) == 1  # the mail went out once
    since = transport.lookup_calls[-1][1]
    assert since == transport.lookup_calls[0][1]  # the lookup covers the attempt in doubt


def test_a_resubmitted_mail_whose_attempt_in_doubt_is_not_found_is_sent_once(
    box: Outbox, clock: ManualClock
) -> None:
    transport = ScriptedTransport()
    transport.outcomes = [DeliveryOutcomeUnknown("connection reset")]  # never reached NCloud
    entry_id = fail_in_doubt(box, transport, clock)
    assert box.accept(mail_data(1)).outcome == "requeued"
    transport.lookups = [[]]
    clock.advance(10)
    assert drain_once(box, transport, owner="w", policy=POLICY)
    entry = box.get(entry_id)
    assert (entry.state, entry.request_id, entry.attempts) == (EntryState.SENT, "request-1", 2)
    assert len(transport.delivered) == 1


def test_a_mail_failed_in_doubt_is_not_replaced_after_the_dedupe_window(
    box: Outbox, clock: ManualClock
) -> None:
    transport = ReachedThenTimedOut()
    entry_id = fail_in_doubt(box, transport, clock)
    clock.advance(box.dedupe_window + 1)
    again = box.accept(mail_data(1))
    assert (again.entry.id, again.outcome, again.entry.state) == (
        entry_id,
        "requeued",
        EntryState.UNKNOWN,
    )
    assert len(box.entries()) == 1
    transport.lookups = [RuntimeError("list API 500"), RuntimeError("list API 500")]
    for _ in range(2):
        clock.advance(10)
        assert drain_once(box, transport, owner="w", policy=POLICY)
    assert box.get(entry_id).state is EntryState.FAILED  # failed in doubt again, not sent
    assert len(transport.delivered) == 1
