"""The transport seam: MailClient over a backend of its own, with no HTTP at all."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest
from mail_helpers import Sleeps
from pydantic import SecretStr

from harness.mail import (
    Mail,
    MailApiError,
    MailBackend,
    MailClient,
    MailConnectionError,
    MailError,
    MailLimitError,
    RetryPolicy,
    SendOutcomeUnknownError,
)
from harness.mail._apierror import error_from_answer
from harness.mail._backend import FileTuple, MailQuery, RequestQuery
from harness.mail._responses import (
    AttachedFile,
    MailDetail,
    MailSummary,
    Page,
    RequestStatus,
    RequestSummary,
    SendResult,
)
from ncp_config import NcpSettings

SETTINGS = NcpSettings(
    access_key="seam-access-key",
    secret_key=SecretStr("seam-secret-key"),
    mail_sender_address="default@example.com",
)
NOW_MS = 1_900_000_000_000


def empty_page() -> dict[str, Any]:
    return {"content": [], "totalElements": 0, "totalPages": 0, "number": 0, "size": 10}


class RecordingBackend:
    """A mail API kept in memory that records every call the client makes through the seam."""

    def __init__(self, polls_until_finished: int = 2) -> None:
        self.calls: list[tuple[str, Any]] = []
        self.polls_until_finished = polls_until_finished
        self.fail_send: Exception | None = None
        self.closed = False

    @property
    def clock_offset_ms(self) -> int:
        return 1234

    def now_ms(self) -> int:
        return NOW_MS

    def send(self, mail: Mail) -> SendResult:
        self.calls.append(("send", mail))
        if self.fail_send is not None:
            raise self.fail_send
        return SendResult(request_id="req-1", count=len(mail.recipients))

    def status(self, request_id: str) -> RequestStatus:
        self.calls.append(("status", request_id))
        polls = sum(1 for name, _ in self.calls if name == "status")
        done = polls >= self.polls_until_finished
        return RequestStatus(
            request_id=request_id,
            ready_completed=done,
            all_sent_success=done,
            request_count=1,
            finish_count=1 if done else 0,
        )

    def list_mails(self, request_id: str, query: MailQuery) -> Page[MailSummary]:
        self.calls.append(("list_mails", (request_id, list(query))))
        return Page[MailSummary].model_validate(empty_page())

    def list_requests(self, query: RequestQuery) -> Page[RequestSummary]:
        self.calls.append(("list_requests", list(query)))
        return Page[RequestSummary].model_validate(empty_page())

    def get_mail(self, mail_id: str) -> MailDetail:
        self.calls.append(("get_mail", mail_id))
        return MailDetail(request_id="req-1", mail_id=mail_id)

    def upload(self, files: Sequence[FileTuple]) -> list[AttachedFile]:
        self.calls.append(("upload", list(files)))
        return [
            AttachedFile(file_id=f"file-{i}", file_name=name, file_size=len(content))
            for i, (name, content, _media) in enumerate(files)
        ]

    def close(self) -> None:
        self.closed = True


def client_over(backend: RecordingBackend, sleeps: Sleeps | None = None) -> MailClient:
    policy = RetryPolicy(sleep=sleeps) if sleeps is not None else None
    return MailClient(SETTINGS, backend=backend, retry=policy)


def test_the_recording_backend_is_a_mail_backend() -> None:
    assert isinstance(RecordingBackend(), MailBackend)


def test_send_status_wait_and_upload_go_through_the_backend(sleeps: Sleeps) -> None:
    backend = RecordingBackend(polls_until_finished=3)
    with client_over(backend, sleeps) as client:
        mail = Mail(title="t", body="b", recipients=["to@example.com"])
        assert client.send(mail) == SendResult(request_id="req-1", count=1)
        [(name, sent)] = backend.calls
        assert name == "send"
        assert sent.sender_address == "default@example.com"
        assert sent is not mail
        assert client.status("req-1").finished is False
        final = client.wait("req-1", timeout=60, interval=0.5)
        assert final.finished
        assert [c for c in backend.calls if c[0] == "status"] == [("status", "req-1")] * 3
        assert sleeps.calls == [0.5]
        ids = client.upload([("a.txt", b"abc"), ("b.png", b"\x89PNG")])
        assert ids == ["file-0", "file-1"]
        assert backend.calls[-1] == (
            "upload",
            [("a.txt", b"abc", "text/plain"), ("b.png", b"\x89PNG", "image/png")],
        )
        assert client.clock_offset_ms == 1234
        assert client.get_mail("m-7").mail_id == "m-7"
    assert backend.closed


def test_list_queries_cross_the_seam_as_v1_query_pairs() -> None:
    backend = RecordingBackend()
    client = client_over(backend)
    client.list_requests(
        1000,
        2000,
        page=2,
        size=50,
        sender_address="s@example.com",
        template_sid=7,
        send_status=["S", "F"],
        sort=["createUtc,desc"],
    )
    client.list_mails("req-1", recipient_address="to@example.com", send_status=["PF"])
    assert backend.calls == [
        (
            "list_requests",
            [
                ("startUtc", "1000"),
                ("endUtc", "2000"),
                ("senderAddress", "s@example.com"),
                ("templateSid", "7"),
                ("sendStatus", "S"),
                ("sendStatus", "F"),
                ("sort", "createUtc,desc"),
                ("page", "2"),
                ("size", "50"),
            ],
        ),
        (
            "list_mails",
            (
                "req-1",
                [
                    ("recipientAddress", "to@example.com"),
                    ("sendStatus", "PF"),
                    ("page", "0"),
                    ("size", "10"),
                ],
            ),
        ),
    ]


def test_a_backend_failure_after_sending_is_an_unknown_outcome_checked_by_lookup() -> None:
    backend = RecordingBackend()
    backend.fail_send = MailConnectionError("lost after sending.", request_sent=True)
    client = client_over(backend)
    with pytest.raises(SendOutcomeUnknownError) as caught:
        client.send(Mail(title="t", body="b", recipients=["to@example.com"]))
    assert (caught.value.started_ms, caught.value.finished_ms) == (NOW_MS, NOW_MS)
    assert client.check_outcome(caught.value) == []
    [(_, query)] = [c for c in backend.calls if c[0] == "list_requests"]
    assert query[:2] == [("startUtc", str(NOW_MS - 360_000)), ("endUtc", str(NOW_MS + 360_000))]
    assert ("recipientAddress", "to@example.com") in query


def server_answer(status: int, body: bytes) -> MailApiError:
    return error_from_answer(
        status=status, headers={}, content=body, method="POST", path="/mails", retry_after=None
    )


@pytest.mark.parametrize(
    ("status", "body", "unknown"),
    [
        (502, b"<html>Bad Gateway</html>", True),
        (500, b'{"error":{"errorCode":"900","message":"Unexpected Error"}}', True),
        (504, b'{"error":{"errorCode":"510","message":"Endpoint Timeout"}}', True),
        (500, b"", True),
        (503, b'{"error":{"errorCode":"500","message":"Endpoint Error"}}', False),
        (503, b"<html>Service Unavailable</html>", False),
        (500, b'{"error":{"code":"77303","message":"Internal"}}', False),
        (400, b'{"error":{"code":"77102","message":"Bad"}}', False),
    ],
)
def test_a_5xx_that_does_not_show_a_refusal_makes_a_send_unknown(
    status: int, body: bytes, unknown: bool
) -> None:
    backend = RecordingBackend()
    backend.fail_send = server_answer(status, body)
    client = client_over(backend)
    with pytest.raises(MailError) as caught:
        client.send(Mail(title="t", body="b", recipients=["to@example.com"]))
    if unknown:
        assert type(caught.value) is SendOutcomeUnknownError
        assert caught.value.http_status == status
        assert caught.value.__cause__ is backend.fail_send
    else:
        assert caught.value is backend.fail_send
    assert [name for name, _ in backend.calls] == ["send"]


def test_limits_are_checked_before_the_backend_is_called() -> None:
    backend = RecordingBackend()
    client = client_over(backend)
    with pytest.raises(MailLimitError):
        client.upload([("big.bin", b"x" * (10 * 1024 * 1024 + 1))])
    mail = Mail(title="t", body="b", recipients=["to@example.com"])
    mail.recipients.extend({"address": f"c{i}@example.com", "type": "C"} for i in range(31))  # type: ignore[misc]
    with pytest.raises(MailLimitError):
        client.send(mail)
    assert backend.calls == []


@pytest.mark.parametrize(
    ("option", "value"),
    [("session", object()), ("skew_threshold_ms", 60_000), ("pool_size", 4)],
)
def test_transport_options_are_refused_with_a_backend(option: str, value: object) -> None:
    with pytest.raises(TypeError) as caught:
        MailClient(SETTINGS, backend=RecordingBackend(), **{option: value})  # type: ignore[arg-type]
    assert str(caught.value) == (
        f"MailClient takes no {option} together with backend=, since the backend makes its "
        f"own connections and would ignore {option}."
    )
