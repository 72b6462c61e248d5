"""drain_once against a scripted transport: every branch of the worker's decision."""

from __future__ import annotations

import logging
import subprocess
import sys

import pytest
from outbox_kit import ManualClock, ScriptedTransport, mail_data

from harness.outbox import (
    DeliveryOutcomeUnknown,
    DrainPolicy,
    EntryState,
    Outbox,
    PermanentDeliveryError,
    RetryableDeliveryError,
    drain_once,
    recover_abandoned,
)

POLICY = DrainPolicy(
    max_attempts=3, backoff=2.0, max_backoff=10.0, check_delay=5.0, jitter=lambda: 1.0
)


@pytest.fixture
def transport() -> ScriptedTransport:
    return ScriptedTransport()


def drain(box: Outbox, transport: ScriptedTransport) -> bool:
    return drain_once(box, transport, owner="worker", policy=POLICY)


def test_nothing_due_is_not_work(box: Outbox, transport: ScriptedTransport) -> None:
    assert not drain(box, transport)


def test_a_successful_send_records_the_request_id(
    box: Outbox, transport: ScriptedTransport
) -> None:
    entry_id = box.submit(mail_data(1))
    assert drain(box, transport)
    entry = box.get(entry_id)
    assert (entry.state, entry.request_id, entry.attempts) == (EntryState.SENT, "request-1", 1)
    assert [m.title for m in transport.delivered] == ["Message 0001"]


def test_a_retryable_error_waits_with_backoff_then_sends(
    box: Outbox, transport: ScriptedTransport, clock: ManualClock
) -> None:
    entry_id = box.submit(mail_data(1))
    transport.outcomes = [RetryableDeliveryError("throttled"), RetryableDeliveryError("again")]
    assert drain(box, transport)
    first = box.get(entry_id)
    assert (first.state, first.last_error, first.not_before) == (
        EntryState.PENDING,
        "throttled",
        clock.now + 2.0,
    )
    assert not drain(box, transport)
    clock.advance(2.0)
    assert drain(box, transport)
    assert box.get(entry_id).not_before == clock.now + 4.0
    clock.advance(4.0)
    assert drain(box, transport)
    assert box.get(entry_id).state is EntryState.SENT


def test_retry_after_is_honoured_up_to_the_cap(
    box: Outbox, transport: ScriptedTransport, clock: ManualClock
) -> None:
    first, second = box.submit(mail_data(1)), box.submit(mail_data(2))
    transport.outcomes = [
        RetryableDeliveryError("429", retry_after=7.0),
        RetryableDeliveryError("429", retry_after=3600.0),
    ]
    drain(box, transport)
    drain(box, transport)
    assert box.get(first).not_before == clock.now + 7.0
    assert box.get(second).not_before == clock.now + 10.0


def test_attempts_run_out(box: Outbox, transport: ScriptedTransport, clock: ManualClock) -> None:
    entry_id = box.submit(mail_data(1))
    transport.outcomes = [RetryableDeliveryError(f"busy {n}") for n in range(3)]
    for _ in range(3):
        clock.advance(100)
        assert drain(box, transport)
    entry = box.get(entry_id)
    assert entry.state is EntryState.FAILED
    assert entry.last_error == "gave up after 3 attempts; last error: busy 2"
    assert transport.delivered == []


def test_a_permanent_error_fails_with_the_reason(box: Outbox, transport: ScriptedTransport) -> None:
    entry_id = box.submit(mail_data(1))
    transport.outcomes = [PermanentDeliveryError("InvalidRequestError: bad sender")]
    drain(box, transport)
    entry = box.get(entry_id)
    assert (entry.state, entry.last_error) == (EntryState.FAILED, "InvalidRequestError: bad sender")


def test_an_unknown_outcome_found_by_lookup_is_sent_without_a_second_send(
    box: Outbox, transport: ScriptedTransport, clock: ManualClock
) -> None:
    entry_id = box.submit(mail_data(1))
    transport.outcomes = [DeliveryOutcomeUnknown("read timeout")]
    started = clock.now
    drain(box, transport)
    entry = box.get(entry_id)
    assert (entry.state, entry.not_before) == (EntryState.UNKNOWN, clock.now + 5.0)
    assert not drain(box, transport)  # the lookup waits for the check delay
    clock.advance(5.0)
    transport.lookups = [["request-77"]]
    assert drain(box, transport)
    entry = box.get(entry_id)
    assert (entry.state, entry.request_id, entry.attempts) == (EntryState.SENT, "request-77", 1)
    assert transport.delivered == []
    mail, since, until = transport.lookup_calls[0]
    # the window is the attempt: from its start to its end, not to the lookup
    assert (mail.title, since, until) == ("Message 0001", started, started)


def test_a_lookup_skips_requests_other_entries_already_own(
    box: Outbox, transport: ScriptedTransport, clock: ManualClock
) -> None:
    done = box.submit(mail_data(1), idempotency_key="first")
    drain(box, transport)
    assert box.get(done).request_id == "request-1"
    twin = box.submit(mail_data(1), idempotency_key="second")
    transport.outcomes = [DeliveryOutcomeUnknown("reset")]
    drain(box, transport)
    clock.advance(5.0)
    transport.lookups = [["request-1", "request-9"]]
    drain(box, transport)
    assert box.get(twin).request_id == "request-9"


def test_an_unknown_outcome_not_found_is_sent_again(
    box: Outbox, transport: ScriptedTransport, clock: ManualClock
) -> None:
    entry_id = box.submit(mail_data(1))
    transport.outcomes = [DeliveryOutcomeUnknown("reset")]
    drain(box, transport)
    clock.advance(5.0)
    transport.lookups = [[]]
    assert drain(box, transport)
    entry = box.get(entry_id)
    assert (entry.state, entry.attempts) == (EntryState.SENT, 2)
    assert len(transport.delivered) == 1


def test_a_failed_lookup_keeps_the_entry_unknown(
    box: Outbox, transport: ScriptedTransport, clock: ManualClock
) -> None:
    entry_id = box.submit(mail_data(1))
    transport.outcomes = [DeliveryOutcomeUnknown("timeout")]
    drain(box, transport)
    clock.advance(5.0)
    transport.lookups = [ConnectionError("mailer unreachable")]
    assert drain(box, transport)
    entry = box.get(entry_id)
    assert entry.state is EntryState.UNKNOWN
    assert "could not be checked" in (entry.last_error or "")
    assert transport.delivered == []


def test_an_unexpected_transport_error_is_treated_as_unknown(
    box: Outbox, transport: ScriptedTransport
) -> None:
    entry_id = box.submit(mail_data(1))
    transport.outcomes = [RuntimeError("bug")]
    drain(box, transport)
    entry = box.get(entry_id)
    assert entry.state is EntryState.UNKNOWN
    assert entry.last_error == "unexpected RuntimeError: bug"


def test_a_crashed_send_is_recovered_and_looked_up(
    box: Outbox, transport: ScriptedTransport, clock: ManualClock
) -> None:
    entry_id = box.submit(mail_data(1))
    assert box.claim("crashed") is not None
    assert recover_abandoned(box, POLICY, everything=True) == 1
    clock.advance(5.0)
    transport.lookups = [["request-5"]]
    assert drain(box, transport)
    assert box.get(entry_id).request_id == "request-5"
    assert transport.delivered == []


def test_policy_checks_its_values() -> None:
    with pytest.raises(ValueError, match="max_attempts"):
        DrainPolicy(max_attempts=0)
    with pytest.raises(ValueError, match="max_backoff"):
        DrainPolicy(backoff=5, max_backoff=1)
    with pytest.raises(ValueError, match="negative"):
        DrainPolicy(check_delay=-1)
    assert 0.5 <= DrainPolicy(backoff=1.0).retry_delay(1) <= 1.0


def test_an_attempt_in_doubt_not_found_with_no_attempts_left_fails(
    box: Outbox, transport: ScriptedTransport, clock: ManualClock
) -> None:
    entry_id = box.submit(mail_data(1))
    transport.outcomes = [RetryableDeliveryError("busy"), RetryableDeliveryError("busy")]
    transport.outcomes.append(DeliveryOutcomeUnknown("timeout"))
    for _ in range(3):
        clock.advance(100)
        drain(box, transport)
    assert box.get(entry_id).state is EntryState.UNKNOWN
    clock.advance(100)
    transport.lookups = [[]]
    drain(box, transport)
    entry = box.get(entry_id)
    assert entry.state is EntryState.FAILED
    assert entry.last_error == "gave up after 3 attempts; last error: timeout"
    assert transport.delivered == []


def test_every_outcome_is_logged_without_the_mail(
    box: Outbox,
    transport: ScriptedTransport,
    clock: ManualClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="harness")
    sent, failed = box.submit(mail_data(1)), box.submit(mail_data(2))
    retried, doubted = box.submit(mail_data(3)), box.submit(mail_data(4))
    transport.outcomes = [
        None,
        PermanentDeliveryError("InvalidRequestError: bad recipient"),
        RetryableDeliveryError("ThrottledError: slow down"),
        DeliveryOutcomeUnknown("read timeout"),
    ]
    for _ in range(4):
        drain(box, transport)
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert f"Outbox entry {sent} was sent as request request-1" in text
    assert f"Outbox entry {failed} failed: InvalidRequestError: bad recipient" in text
    assert f"Outbox entry {retried}: attempt 1 did not go out (ThrottledError" in text
    assert f"Outbox entry {doubted}: the outcome of its send is unknown (read timeout)" in text
    assert "Body of message" not in text


def test_the_outbox_log_is_redacted_without_importing_the_settings() -> None:
    program = (
        "import logging, sys\n"
        "import harness.outbox\n"
        "logging.basicConfig(stream=sys.stdout, format='%(message)s')\n"
        "logging.getLogger('harness').warning('sent with x-ncp-apigw-signature-v2: %s', 'c2ln=')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout == "sent with x-ncp-apigw-signature-v2: ********\n"
