"""The transport: a total retry deadline, 429s without a known code, TLS errors sent or not."""

from __future__ import annotations

import socket
import ssl
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import trustme
import urllib3
from mail_helpers import Sleeps, make_settings
from pydantic import SecretStr
from requests.adapters import BaseAdapter

from harness.fake import FakeNcloud, Fault, FaultScript
from harness.mail import (
    EndpointError,
    Mail,
    MailClient,
    MailConnectionError,
    RetryPolicy,
    SendOutcomeUnknownError,
)
from harness.mail._http import _shown_url
from harness.mail._sent import failure_reason, request_was_sent
from ncp_config import NcpSettings
from ncp_signing import TIMESTAMP_HEADER

MAIL = Mail(
    sender_address="sender@example.com",
    title="Hello",
    body="Body",
    recipients=["to@example.com"],
)


# A total deadline ------------------------------------------------------------------------


def test_no_retry_starts_with_less_time_left_than_the_connect_timeout(
    fake_ncloud: FakeNcloud,
) -> None:
    fake_ncloud.set_faults(
        FaultScript(
            faults=(
                Fault("latency", "GET", "*", delay_ms=1200),
                Fault("error", "GET", "*", status=503),
            )
        )
    )
    settings = make_settings(fake_ncloud, connect_timeout=0.5, read_timeout=5.0)
    policy = RetryPolicy(attempts=10, deadline=1.5, backoff=0.001, max_backoff=0.002)
    with MailClient(settings, retry=policy) as client, pytest.raises(EndpointError):
        client.status("20300101000000000001")
    # After the first 1.2 s answer, 0.3 s are left: less than the 0.5 s connect timeout.
    assert len(fake_ncloud.requests) == 1


def test_the_read_timeout_is_cut_to_the_time_left(fake_ncloud: FakeNcloud) -> None:
    fake_ncloud.set_faults(FaultScript(faults=(Fault("latency", "GET", "*", delay_ms=4000),)))
    settings = make_settings(fake_ncloud, connect_timeout=0.5, read_timeout=30.0)
    policy = RetryPolicy(attempts=10, deadline=1.0, backoff=0.001, max_backoff=0.002)
    with MailClient(settings, retry=policy) as client, pytest.raises(MailConnectionError) as caught:
        client.status("20300101000000000001")
    # Read for the 1 s left, not 30 s (which would have seen the answer after 4 s).
    assert "ReadTimeout" in str(caught.value)
    assert len(fake_ncloud.requests) == 1


def test_each_attempt_is_given_the_time_left() -> None:
    now = [0.0]
    given: list[float] = []

    def attempt(remaining: Any) -> None:
        given.append(remaining())
        now[0] += 4.0
        raise EndpointError("503", http_status=503)

    policy = RetryPolicy(
        attempts=10, deadline=10.0, sleep=lambda _: None, clock=lambda: now[0], jitter=lambda *_: 0
    )
    with pytest.raises(EndpointError):
        policy.run(attempt, replay_safe=True, min_attempt=3.0)
    assert given == [10.0, 6.0]  # then 2 s left: less than 3, no third attempt


# Any 429 but the quota is throttling ------------------------------------------------------


class Scripted(BaseAdapter):
    """Answers from a list, recording each request; no network."""

    def __init__(self, answers: list[tuple[int, dict[str, str], bytes]]) -> None:
        super().__init__()
        self.answers = answers
        self.sent: list[requests.PreparedRequest] = []

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> Any:
        self.sent.append(request)
        status, headers, content = self.answers.pop(0)
        response = requests.Response()
        response.status_code = status
        response.headers.update(headers)
        response._content = content
        response._content_consumed = True  # type: ignore[attr-defined]
        response.request = request
        response.url = request.url or ""
        return response

    def close(self) -> None:
        pass


def scripted_client(adapter: Scripted, sleeps: Sleeps) -> tuple[MailClient, requests.Session]:
    session = requests.Session()
    session.mount("https://", adapter)
    settings = NcpSettings(
        access_key="scripted-key",
        secret_key=SecretStr("scripted-secret"),
        mail_api_url="https://mailer.invalid/api/v1",
    )
    client = MailClient(settings, session=session, retry=RetryPolicy(sleep=sleeps))
    return client, session


@pytest.mark.parametrize(
    "body", [b"", b'{"error": {"message": "Too Many Requests"}}', b'{"errorCode": "999"}']
)
def test_a_429_without_a_known_code_is_retried_after_retry_after(
    sleeps: Sleeps, body: bytes
) -> None:
    adapter = Scripted(
        [
            (429, {"Retry-After": "2"}, body),
            (201, {}, b'{"requestId": "20300101000000000001", "count": 1}'),
        ]
    )
    client, session = scripted_client(adapter, sleeps)
    with session, client:
        assert client.send(MAIL).request_id == "20300101000000000001"
    assert sleeps.calls == [2.0]
    stamps = [request.headers[TIMESTAMP_HEADER] for request in adapter.sent]
    assert len(set(stamps)) == 2


# TLS errors: sent or not -------------------------------------------------------------------


def ssl_failure(inner: BaseException) -> requests.exceptions.SSLError:
    reason = urllib3.exceptions.SSLError(inner)
    retries = urllib3.exceptions.MaxRetryError(None, "/", reason)  # type: ignore[arg-type]
    return requests.exceptions.SSLError(retries)


def test_the_tls_classifier() -> None:
    refused = ssl.SSLCertVerificationError(1, "certificate verify failed")
    assert request_was_sent(ssl_failure(refused)) is False
    mismatch = urllib3.util.ssl_match_hostname.CertificateError("hostname mismatch")
    assert request_was_sent(ssl_failure(mismatch)) is False
    bad_record = ssl.SSLError(1, "[SSL: SSLV3_ALERT_BAD_RECORD_MAC] bad record mac")
    assert request_was_sent(ssl_failure(bad_record)) is True
    assert request_was_sent(ssl_failure(ssl.SSLEOFError(8, "EOF"))) is True
    assert request_was_sent(requests.exceptions.SSLError("read failed")) is True


def test_a_refused_certificate_is_not_sent() -> None:
    with FakeNcloud(credentials=("tls-key", "tls-secret"), tls=True) as fake:
        policy = RetryPolicy(attempts=2, backoff=0.001, max_backoff=0.002)
        client = MailClient(make_settings(fake), retry=policy)
        with client, pytest.raises(MailConnectionError) as caught:
            client.send(MAIL)
        assert caught.value.request_sent is False
        assert "before sending" in str(caught.value)
        assert fake.requests == []


def test_tls_to_a_plain_http_server_fails_in_the_handshake(fake_ncloud: FakeNcloud) -> None:
    url = fake_ncloud.url.replace("http://", "https://") + "/api/v1"
    policy = RetryPolicy(attempts=1)
    client = MailClient(make_settings(fake_ncloud, mail_api_url=url), retry=policy)
    with client, pytest.raises(MailConnectionError) as caught:
        client.send(MAIL)
    assert caught.value.request_sent is False
    assert fake_ncloud.mail_requests == []


class BrokenAnswer:
    """A TLS server that reads a request, then answers with a record that fails to decrypt."""

    def __init__(self, folder: Path) -> None:
        authority = trustme.CA()
        self.ca_file = str(folder / "ca.pem")
        authority.cert_pem.write_to_path(self.ca_file)
        self.context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        authority.issue_cert("127.0.0.1").configure_cert(self.context)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"https://127.0.0.1:{self.listener.getsockname()[1]}/api/v1"
        self.requests: list[bytes] = []
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            raw = conn.dup()
            try:
                with self.context.wrap_socket(conn, server_side=True) as tls:
                    data = b""
                    while b"\r\n\r\n" not in data:
                        chunk = tls.recv(65536)
                        if not chunk:
                            break
                        data += chunk
                    self.requests.append(data)
                    raw.sendall(b"\x17\x03\x03\x00\x20" + bytes(32))  # garbage ciphertext
                    tls.recv(1)  # wait for the client to give up
            except OSError:
                pass
            finally:
                raw.close()

    def close(self) -> None:
        self.listener.close()
        self.thread.join(5)


@pytest.fixture
def broken_answer(tmp_path: Path) -> Iterator[BrokenAnswer]:
    server = BrokenAnswer(tmp_path)
    yield server
    server.close()


def test_a_tls_error_reading_the_answer_may_have_been_sent(
    broken_answer: BrokenAnswer, fake_ncloud: FakeNcloud
) -> None:
    settings = make_settings(fake_ncloud, mail_api_url=broken_answer.url)
    with requests.Session() as session:
        session.verify = broken_answer.ca_file
        session.trust_env = False
        policy = RetryPolicy(attempts=3, backoff=0.001, max_backoff=0.002)
        client = MailClient(settings, session=session, retry=policy)
        with client, pytest.raises(SendOutcomeUnknownError) as caught:
            client.send(MAIL)
    cause = caught.value.__cause__
    assert isinstance(cause, MailConnectionError)
    assert cause.request_sent is True
    assert len(broken_answer.requests) == 1  # never sent again
    assert broken_answer.requests[0].startswith(b"POST /api/v1/mails ")


def test_failure_reasons_are_plain_words_without_the_wrapped_text() -> None:
    mismatch = ssl.SSLCertVerificationError(1, "hostname mismatch for https://x/?secret=1")
    mismatch.verify_code = 62
    assert failure_reason(ssl_failure(mismatch)) == (
        "the server's TLS certificate does not match its host name (SSLError)"
    )
    handshake = ssl.SSLError(1, "[SSL: WRONG_VERSION_NUMBER] wrong version number")
    assert failure_reason(ssl_failure(handshake)) == "the TLS connection failed (SSLError)"
    assert failure_reason(requests.ConnectTimeout("x")) == (
        "the connection timed out (ConnectTimeout)"
    )
    assert failure_reason(requests.ReadTimeout("x")) == "no answer came in time (ReadTimeout)"
    assert failure_reason(requests.ConnectionError("?secret=1")) == "ConnectionError"


def test_the_url_shown_has_no_user_password_or_query() -> None:
    assert _shown_url("https://user:pw@mail.example.com:8443/api/v1/?key=1#x") == (
        "https://mail.example.com:8443/api/v1"
    )
