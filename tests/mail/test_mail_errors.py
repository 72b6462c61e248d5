"""Error answers become typed errors; a 401 explains itself; clock skew is corrected once."""

from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from mail_helpers import make_settings

from harness.fake import FakeNcloud, Fault, FaultScript
from harness.mail import (
    AuthenticationError,
    EndpointError,
    EndpointTimeoutError,
    InvalidRequestError,
    Mail,
    MailApiError,
    MailClient,
    MailerServerError,
    NotFoundError,
    NotSubscribedError,
    PermissionDeniedError,
    QuotaExceededError,
    RateLimitError,
    RequestTooLargeError,
    RetryPolicy,
    ServerError,
    ThrottledError,
    UnexpectedServerError,
)
from harness.mail._apierror import SignedRequest, error_from_answer
from harness.mail._retry import should_retry
from ncp_signing import Credentials

MAIL = Mail(
    sender_address="sender@example.com",
    title="Hello",
    body="Body",
    recipients=["to@example.com"],
)


def answer(status: int, body: Any, headers: dict[str, str] | None = None) -> MailApiError:
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    return error_from_answer(
        status=status,
        headers=headers or {},
        content=content,
        method="GET",
        path="/mails/x",
        retry_after=None,
    )


GATEWAY_TABLE = [
    (400, "100", InvalidRequestError),
    (401, "200", AuthenticationError),
    (401, "210", PermissionDeniedError),
    (404, "300", NotFoundError),
    (413, "430", RequestTooLargeError),
    (429, "400", QuotaExceededError),
    (429, "410", ThrottledError),
    (429, "420", ThrottledError),
    (503, "500", EndpointError),
    (504, "510", EndpointTimeoutError),
    (500, "900", UnexpectedServerError),
]


@pytest.mark.parametrize(("status", "code", "cls"), GATEWAY_TABLE)
@pytest.mark.parametrize("as_number", [False, True])
def test_the_gateway_table_maps_to_typed_errors(
    status: int, code: str, cls: type[MailApiError], as_number: bool
) -> None:
    body = {"error": {"errorCode": int(code) if as_number else code, "message": "M"}}
    error = answer(status, body, {"x-ncp-trace-id": "trace-1", "x-ncp-apigw-request-id": "req-1"})
    assert type(error) is cls
    assert (error.http_status, error.gateway_code, error.mailer_code) == (status, code, None)
    assert (error.message, error.details) == ("M", None)
    assert (error.trace_id, error.request_id) == ("trace-1", "req-1")
    assert "trace-1" in str(error)


MAILER_TABLE = [
    (400, "77101", AuthenticationError),
    (400, "77102", InvalidRequestError),
    (400, "77103", NotFoundError),
    (403, "77201", PermissionDeniedError),
    (403, "77202", NotSubscribedError),
    (405, "77001", InvalidRequestError),
    (415, "77002", InvalidRequestError),
    (500, "77301", MailerServerError),
    (500, "77302", MailerServerError),
    (500, "77303", MailerServerError),
]


@pytest.mark.parametrize(("status", "code", "cls"), MAILER_TABLE)
def test_mailer_codes_map_to_typed_errors(status: int, code: str, cls: type[MailApiError]) -> None:
    both = answer(status, {"error": {"code": code, "errorCode": "999", "message": "m"}})
    assert type(both) is cls
    assert (both.mailer_code, both.gateway_code) == (code, "999")
    only = answer(status, {"error": {"errorCode": int(code), "message": "m"}})
    assert type(only) is cls
    assert (only.mailer_code, only.gateway_code) == (code, None)


def test_details_detail_and_odd_bodies_are_tolerated() -> None:
    assert answer(401, {"error": {"errorCode": "200", "details": "D"}}).details == "D"
    standard = answer(
        400, {"error": {"errorCode": "InvalidParameter", "detail": "x", "fieldErrors": []}}
    )
    assert (type(standard), standard.details, standard.gateway_code) == (
        InvalidRequestError,
        "x",
        "InvalidParameter",
    )
    assert type(answer(502, b"<html>bad gateway</html>")) is ServerError
    assert type(answer(429, b"")) is ThrottledError
    assert type(answer(404, [1, 2])) is NotFoundError
    flat = answer(400, {"errorCode": 77102, "message": "flat", "requestId": "r-9"})
    assert (type(flat), flat.request_id) == (InvalidRequestError, "r-9")


def test_mailer_errors_from_the_fake(client: MailClient, fake_ncloud: FakeNcloud) -> None:
    """Each 4xx is answered to exactly one request: none of them is retried."""
    assert client.retry.attempts is not None
    assert client.retry.attempts > 1  # a retry would show as a second request
    with pytest.raises(NotFoundError) as missing:
        client.status("20300101000000000001")
    assert (missing.value.http_status, missing.value.mailer_code) == (400, "77103")
    assert [r.status for r in fake_ncloud.requests] == [400]
    raw = client.backend.http  # type: ignore[attr-defined]
    with pytest.raises(InvalidRequestError) as invalid:
        raw.call("POST", "/mails", body={"title": "t"}, replay_safe=False)
    assert invalid.value.mailer_code == "77102"
    assert [r.status for r in fake_ncloud.requests] == [400, 400]
    with pytest.raises(NotFoundError) as route:
        raw.call("GET", "/no-such-route", replay_safe=True)
    assert (route.value.http_status, route.value.gateway_code) == (404, "300")
    assert [r.status for r in fake_ncloud.requests] == [400, 400, 404]
    fake_ncloud.set_faults(FaultScript(faults=(Fault("throttle", "GET", code="400"),)))
    with pytest.raises(QuotaExceededError):
        raw.call("GET", "/mails/requests/1/status", replay_safe=True)
    assert [r.status for r in fake_ncloud.requests] == [400, 400, 404, 429]


def test_a_too_large_body_is_413(fake_ncloud: FakeNcloud, fast_retry: RetryPolicy) -> None:
    small = FakeNcloud(credentials=fake_ncloud.credential, max_body_bytes=1000)
    with small:
        client = MailClient(make_settings(small), retry=fast_retry)
        with client, pytest.raises(RequestTooLargeError) as caught:
            client.send(MAIL.model_copy(update={"body": "x" * 2000}))
    assert (caught.value.http_status, caught.value.gateway_code) == (413, "430")


def test_permission_denied_and_unsubscribed_accounts(fast_retry: RetryPolicy) -> None:
    denied = Credentials("denied-key", "denied-secret")
    absent = Credentials("absent-key", "absent-secret")
    fake = FakeNcloud(
        credentials=[denied, absent],
        denied_access_keys=["denied-key"],
        unsubscribed_accounts=["absent-key"],
    )
    with fake:
        with MailClient(make_settings(fake, denied), retry=fast_retry) as client:
            with pytest.raises(PermissionDeniedError) as caught:
                client.send(MAIL)
            assert (caught.value.http_status, caught.value.gateway_code) == (401, "210")
        with MailClient(make_settings(fake, absent), retry=fast_retry) as client:
            with pytest.raises(NotSubscribedError) as unsubscribed:
                client.send(MAIL)
            assert unsubscribed.value.mailer_code == "77202"


def test_a_bad_signature_says_what_was_signed(
    fake_ncloud: FakeNcloud, fast_retry: RetryPolicy
) -> None:
    wrong = Credentials(fake_ncloud.credential.access_key, "not-the-secret")
    client = MailClient(make_settings(fake_ncloud, wrong), retry=fast_retry)
    with client, pytest.raises(AuthenticationError) as caught:
        client.send(MAIL)
    error = caught.value
    [record] = fake_ncloud.requests
    assert (error.http_status, error.gateway_code) == (401, "200")
    assert error.signed_method == "POST"
    assert error.signed_target == "/api/v1/mails" == record.target
    assert error.signed_timestamp == record.header("x-ncp-apigw-timestamp")
    assert error.clock_skew_ms is not None
    assert abs(error.clock_skew_ms) < 5000
    assert f"signed POST /api/v1/mails at timestamp {error.signed_timestamp}" in str(error)
    assert "not-the-secret" not in str(error) + repr(error) + repr(client)
    assert client.clock_offset_ms == 0


@pytest.mark.parametrize("offset_ms", [600_000, -420_000])
def test_clock_skew_is_learned_once_and_reused(
    client: MailClient, fake_ncloud: FakeNcloud, offset_ms: int
) -> None:
    fake_ncloud.set_faults(FaultScript(clock_offset_ms=offset_ms))
    result = client.send(MAIL)
    first, second = fake_ncloud.requests
    assert (first.status, first.auth_check, second.status) == (401, "timestamp", 201)
    assert abs(client.clock_offset_ms - offset_ms) < 1500
    assert first.header("x-ncp-apigw-timestamp") != second.header("x-ncp-apigw-timestamp")
    client.status(result.request_id)
    assert [r.status for r in fake_ncloud.requests] == [401, 201, 200]
    fake_ncloud.set_faults(FaultScript())
    client.status(result.request_id)
    assert [r.status for r in fake_ncloud.requests][-2:] == [401, 200]
    assert abs(client.clock_offset_ms) < 1500


def test_skew_inside_the_threshold_is_not_retried(
    fake_ncloud: FakeNcloud, fast_retry: RetryPolicy
) -> None:
    fake_ncloud.set_faults(FaultScript(clock_offset_ms=310_000))
    settings = make_settings(fake_ncloud)
    client = MailClient(settings, retry=fast_retry, skew_threshold_ms=400_000)
    with client, pytest.raises(AuthenticationError) as caught:
        client.send(MAIL)
    assert len(fake_ncloud.requests) == 1
    assert caught.value.clock_skew_ms is not None
    assert caught.value.clock_skew_ms > 300_000
    assert "ahead of the signed timestamp" in str(caught.value)


@pytest.mark.parametrize(
    "body",
    [
        b"",
        {"error": {"message": "Too Many Requests"}},
        {"error": {"errorCode": "999", "message": "Something new"}},
        {"error": {"errorCode": 430, "message": "odd"}},
    ],
)
def test_any_429_but_the_quota_is_throttling_and_retried(body: Any) -> None:
    error = answer(429, body)
    assert isinstance(error, ThrottledError)
    assert isinstance(error, RateLimitError)
    assert should_retry(error, replay_safe=False)
    quota = answer(429, {"error": {"errorCode": "400", "message": "Quota Exceeded"}})
    assert type(quota) is QuotaExceededError
    assert not should_retry(quota, replay_safe=True)


def test_a_mailer_code_repeated_as_error_code_is_no_gateway_code() -> None:
    error = answer(400, {"error": {"code": "77102", "errorCode": "77102", "message": "bad"}})
    assert (type(error), error.mailer_code, error.gateway_code) == (
        InvalidRequestError,
        "77102",
        None,
    )
    assert "HTTP 400 (mailer code 77102): bad" in str(error)
    assert "gateway code" not in str(error)
    both = answer(403, {"error": {"code": "77201", "errorCode": "210", "message": "no"}})
    assert "(mailer code 77201, gateway code 210)" in str(both)


def test_mailer_errors_from_the_fake_name_only_the_mailer_code(
    client: MailClient, fake_ncloud: FakeNcloud
) -> None:
    with pytest.raises(NotFoundError) as missing:
        client.status("20300101000000000001")
    assert (missing.value.mailer_code, missing.value.gateway_code) == ("77103", None)
    assert "77103, " not in str(missing.value)


def test_eight_threads_at_once_all_get_through_a_clock_ten_minutes_off(
    fake_ncloud: FakeNcloud,
) -> None:
    fake_ncloud.set_faults(FaultScript(clock_offset_ms=600_000))
    barrier = threading.Barrier(8)

    def send(number: int) -> str:
        barrier.wait()
        return client.send(MAIL.model_copy(update={"title": f"m{number}"})).request_id

    for _ in range(3):  # a fresh client each time: every thread starts with the wrong clock
        with MailClient(make_settings(fake_ncloud, retry_attempts=1)) as client:
            with ThreadPoolExecutor(8) as pool:
                request_ids = list(pool.map(send, range(8)))
            assert len(set(request_ids)) == 8
            assert abs(client.clock_offset_ms - 600_000) < 1500
    assert len(fake_ncloud.mail_requests) == 24


@pytest.mark.parametrize(
    ("message", "details", "expected"),
    [
        ("Not Found Exception", "URL not found.", ": Not Found Exception - URL not found."),
        ("Invalid mail.", "Request does not exist..", ": Invalid mail - Request does not exist."),
        ("Ends with a semicolon;", None, ": Ends with a semicolon."),
    ],
)
def test_message_and_details_join_with_one_period(
    message: str, details: str | None, expected: str
) -> None:
    body = {"error": {"errorCode": "100", "message": message, "details": details}}
    assert str(answer(400, body)).endswith(expected)


def test_the_401_diagnosis_follows_the_message_without_doubled_punctuation() -> None:
    body = {"error": {"errorCode": "200", "message": "Invalid authentication information."}}
    text = str(
        error_from_answer(
            status=401,
            headers={},
            content=json.dumps(body).encode(),
            method="GET",
            path="/mails/x",
            retry_after=None,
            signed=SignedRequest("GET", "/api/v1/mails/x", "1700000000000", "'AKID…'"),
        )
    )
    assert "Invalid authentication information; " in text
    assert ".;" not in text
    assert ".." not in text


def test_a_gateway_404_names_the_url_called() -> None:
    body = {"error": {"errorCode": "300", "message": "Not Found", "details": "URL not found."}}
    error = error_from_answer(
        status=404,
        headers={},
        content=json.dumps(body).encode(),
        method="POST",
        path="/mails",
        retry_after=None,
        url="https://mail.example.com/mails",
    )
    assert str(error).endswith(
        "Not Found - URL not found; the URL called was https://mail.example.com/mails."
    )
