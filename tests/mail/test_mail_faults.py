"""Every scripted fault of the fake, over real sockets, with the client outcome it must give."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import pytest
from mail_helpers import Sleeps, make_settings

from harness.fake import FakeNcloud, Fault, FaultScript, RequestRecord
from harness.mail import (
    EndpointError,
    EndpointTimeoutError,
    Mail,
    MailClient,
    MailConnectionError,
    QuotaExceededError,
    RetryPolicy,
    SendOutcomeUnknownError,
    ThrottledError,
    UnexpectedServerError,
)
from ncp_signing import TIMESTAMP_HEADER

SEND_PATH = "/api/v1/mails"
STATUS_PATH = "/api/v1/mails/requests/*/status"


def a_mail(title: str = "Hello") -> Mail:
    return Mail(
        sender_address="sender@example.com",
        title=title,
        body="Body",
        recipients=["to@example.com"],
    )


def fault(fake: FakeNcloud, *faults: Fault) -> None:
    fake.set_faults(FaultScript(faults=faults))


def hits(fake: FakeNcloud, method: str, suffix: str) -> list[RequestRecord]:
    return [r for r in fake.requests if r.method == method and r.path.endswith(suffix)]


def timestamps(records: list[RequestRecord]) -> list[str | None]:
    return [r.header(TIMESTAMP_HEADER) for r in records]


@pytest.fixture
def request_id(client: MailClient, fake_ncloud: FakeNcloud) -> str:
    """A request already accepted, for faults on status calls."""
    return client.send(a_mail()).request_id


@pytest.mark.parametrize(("code", "retry_after"), [("410", 1), ("420", None)])
def test_throttling_is_retried_with_a_fresh_signature(
    client: MailClient, fake_ncloud: FakeNcloud, sleeps: Sleeps, code: str, retry_after: int | None
) -> None:
    fault(
        fake_ncloud,
        Fault("throttle", "POST", SEND_PATH, count=2, code=code, retry_after=retry_after),
    )
    result = client.send(a_mail())
    posts = hits(fake_ncloud, "POST", "/mails")
    assert [r.status for r in posts] == [429, 429, 201]
    assert len(set(timestamps(posts))) == 3
    assert [m.request_id for m in fake_ncloud.mails] == [result.request_id]
    if retry_after is None:
        assert len(sleeps.calls) == 2
        assert all(0 <= s <= 0.002 for s in sleeps.calls)
    else:
        assert sleeps.calls == [1.0, 1.0]


def test_quota_exceeded_is_not_retried(
    client: MailClient, fake_ncloud: FakeNcloud, sleeps: Sleeps
) -> None:
    fault(fake_ncloud, Fault("throttle", "POST", SEND_PATH, code="400", retry_after=3))
    with pytest.raises(QuotaExceededError) as caught:
        client.send(a_mail())
    error = caught.value
    assert (error.http_status, error.gateway_code, error.retry_after) == (429, "400", 3.0)
    assert error.message == "Quota Exceeded"
    assert len(hits(fake_ncloud, "POST", "/mails")) == 1
    assert sleeps.calls == []
    assert fake_ncloud.mails == []


def test_throttling_that_never_ends_stops_after_the_attempts(
    fake_ncloud: FakeNcloud, sleeps: Sleeps
) -> None:
    fault(fake_ncloud, Fault("throttle", "POST", SEND_PATH, code="410", retry_after=0))
    policy = RetryPolicy(attempts=3, sleep=sleeps)
    with (
        MailClient(make_settings(fake_ncloud), retry=policy) as client,
        pytest.raises(ThrottledError),
    ):
        client.send(a_mail())
    assert len(hits(fake_ncloud, "POST", "/mails")) == 3
    assert len(sleeps.calls) == 2


def test_a_retry_after_beyond_the_deadline_ends_the_retries(
    fake_ncloud: FakeNcloud, sleeps: Sleeps
) -> None:
    fault(fake_ncloud, Fault("throttle", "POST", SEND_PATH, code="420", retry_after=20))
    policy = RetryPolicy(deadline=5.0, sleep=sleeps)
    client = MailClient(make_settings(fake_ncloud), retry=policy)
    with client, pytest.raises(ThrottledError) as caught:
        client.send(a_mail())
    assert caught.value.retry_after == 20.0
    assert len(hits(fake_ncloud, "POST", "/mails")) == 1
    assert sleeps.calls == []


def test_endpoint_error_503_is_retried_even_for_a_send(
    client: MailClient, fake_ncloud: FakeNcloud
) -> None:
    fault(fake_ncloud, Fault("error", "POST", SEND_PATH, count=1, status=503))
    client.send(a_mail())
    posts = hits(fake_ncloud, "POST", "/mails")
    assert [r.status for r in posts] == [503, 201]
    assert len(set(timestamps(posts))) == 2
    assert len(fake_ncloud.mails) == 1


def test_endpoint_error_503_that_persists_raises_typed(
    client: MailClient, fake_ncloud: FakeNcloud
) -> None:
    fault(fake_ncloud, Fault("error", "GET", STATUS_PATH, status=503))
    with pytest.raises(EndpointError) as caught:
        client.status("20300101000000000001")
    assert (caught.value.http_status, caught.value.gateway_code) == (503, "500")
    assert len(hits(fake_ncloud, "GET", "/status")) == client.retry.attempts


def test_gateway_timeout_504_is_retried_for_a_read(
    client: MailClient, fake_ncloud: FakeNcloud, request_id: str
) -> None:
    fault(fake_ncloud, Fault("error", "GET", STATUS_PATH, count=1, status=504))
    assert client.status(request_id).request_id == request_id
    statuses = hits(fake_ncloud, "GET", "/status")
    assert [r.status for r in statuses] == [504, 200]
    assert len(set(timestamps(statuses))) == 2


def test_gateway_timeout_504_on_a_send_is_an_unknown_outcome(
    client: MailClient, fake_ncloud: FakeNcloud
) -> None:
    fault(fake_ncloud, Fault("error", "POST", SEND_PATH, count=1, status=504))
    with pytest.raises(SendOutcomeUnknownError) as caught:
        client.send(a_mail())
    assert isinstance(caught.value.__cause__, EndpointTimeoutError)
    assert len(hits(fake_ncloud, "POST", "/mails")) == 1
    assert client.check_outcome(caught.value) == []


def test_unexpected_error_500_on_a_send_is_an_unknown_outcome(
    client: MailClient, fake_ncloud: FakeNcloud
) -> None:
    fault(fake_ncloud, Fault("error", "POST", SEND_PATH, count=1, status=500))
    with pytest.raises(SendOutcomeUnknownError) as caught:
        client.send(a_mail())
    assert isinstance(caught.value.__cause__, UnexpectedServerError)
    assert caught.value.http_status == 500
    assert len(hits(fake_ncloud, "POST", "/mails")) == 1
    assert client.check_outcome(caught.value) == []


def test_unexpected_error_500_is_not_retried(client: MailClient, fake_ncloud: FakeNcloud) -> None:
    fault(fake_ncloud, Fault("error", "*", "*", status=500))
    with pytest.raises(UnexpectedServerError) as caught:
        client.status("20300101000000000001")
    assert caught.value.gateway_code == "900"
    assert len(fake_ncloud.requests) == 1


def test_a_reset_before_the_answer_is_retried_for_a_read(
    client: MailClient, fake_ncloud: FakeNcloud, request_id: str
) -> None:
    fault(fake_ncloud, Fault("reset", "GET", STATUS_PATH, count=1))
    assert client.status(request_id).request_count == 1
    statuses = hits(fake_ncloud, "GET", "/status")
    assert [r.fault for r in statuses] == ["reset", None]
    assert len(set(timestamps(statuses))) == 2


def test_a_reset_on_a_send_is_never_resent(client: MailClient, fake_ncloud: FakeNcloud) -> None:
    fault(fake_ncloud, Fault("reset", "POST", SEND_PATH, count=1))
    with pytest.raises(SendOutcomeUnknownError) as caught:
        client.send(a_mail())
    error = caught.value
    assert isinstance(error.__cause__, MailConnectionError)
    assert error.__cause__.request_sent
    assert error.mail.title == "Hello"
    assert error.started_ms <= error.finished_ms
    assert len(hits(fake_ncloud, "POST", "/mails")) == 1
    assert client.check_outcome(error) == []


def test_a_truncated_answer_to_a_send_can_be_checked(
    client: MailClient, fake_ncloud: FakeNcloud
) -> None:
    fault(fake_ncloud, Fault("truncate", "POST", SEND_PATH, count=1))
    with pytest.raises(SendOutcomeUnknownError) as caught:
        client.send(a_mail("Cut short"))
    assert caught.value.http_status == 201
    assert len(hits(fake_ncloud, "POST", "/mails")) == 1
    [stored] = fake_ncloud.mail_requests
    found = client.check_outcome(caught.value)
    assert [item.request_id for item in found] == [stored.request_id]


def test_a_truncated_answer_to_a_read_is_retried(
    client: MailClient, fake_ncloud: FakeNcloud, request_id: str
) -> None:
    fault(fake_ncloud, Fault("truncate", "GET", STATUS_PATH, count=1))
    assert client.status(request_id).request_id == request_id
    assert [r.fault for r in hits(fake_ncloud, "GET", "/status")] == ["truncate", None]


@pytest.fixture
def impatient(fake_ncloud: FakeNcloud, fast_retry: RetryPolicy) -> Iterator[MailClient]:
    settings = make_settings(fake_ncloud, read_timeout=0.2)
    with MailClient(settings, retry=fast_retry) as client:
        yield client


def test_latency_under_the_timeout_only_slows_down(
    impatient: MailClient, fake_ncloud: FakeNcloud
) -> None:
    fault(fake_ncloud, Fault("latency", "POST", SEND_PATH, delay_ms=50))
    started = time.monotonic()
    impatient.send(a_mail())
    assert time.monotonic() - started >= 0.05
    assert len(hits(fake_ncloud, "POST", "/mails")) == 1


def test_a_read_timeout_is_retried_for_a_read(
    impatient: MailClient, fake_ncloud: FakeNcloud, request_id: str
) -> None:
    fault(fake_ncloud, Fault("latency", "GET", STATUS_PATH, count=1, delay_ms=600))
    assert impatient.status(request_id).request_id == request_id
    assert len(hits(fake_ncloud, "GET", "/status")) == 2


def test_a_read_timeout_on_a_send_is_an_unknown_outcome(
    impatient: MailClient, fake_ncloud: FakeNcloud
) -> None:
    fault(fake_ncloud, Fault("latency", "POST", SEND_PATH, count=1, delay_ms=600))
    with pytest.raises(SendOutcomeUnknownError) as caught:
        impatient.send(a_mail("Slow"))
    assert "ReadTimeout" in str(caught.value)
    assert len(hits(fake_ncloud, "POST", "/mails")) == 1
    deadline = time.monotonic() + 5
    while hits(fake_ncloud, "POST", "/mails")[0].status is None and time.monotonic() < deadline:
        time.sleep(0.02)
    # Whether the server went on after the client gave up is exactly what the check tells.
    found = impatient.check_outcome(caught.value)
    assert [item.request_id for item in found] == [r.request_id for r in fake_ncloud.mail_requests]


def test_a_refused_connection_is_retried_then_raised(
    fake_ncloud: FakeNcloud, sleeps: Sleeps
) -> None:
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    settings = make_settings(fake_ncloud, mail_api_url=f"http://127.0.0.1:{port}/api/v1")
    policy = RetryPolicy(attempts=3, backoff=0.001, max_backoff=0.002, sleep=sleeps)
    client = MailClient(settings, retry=policy)
    with client, pytest.raises(MailConnectionError) as caught:
        client.send(a_mail())
    assert caught.value.request_sent is False
    assert "before sending" in str(caught.value)
    assert len(sleeps.calls) == 2
