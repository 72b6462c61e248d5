"""Finding a send in doubt: a skewed server clock, its ``Date`` learned, bounded answers.

The lookup window reaches six minutes either side of the send, since the gateway accepts
clocks up to five minutes apart; every successful answer's ``Date`` corrects the clock; a
request with no readable mails blocks the lookup only when it was made during the send; and
an answer trickled slowly cannot keep a call going past its deadline.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest
from mail_helpers import make_settings

from harness.fake import FakeNcloud, Fault, FaultScript
from harness.mail import (
    Mail,
    MailClient,
    OutcomePendingError,
    ResponseFormatError,
    RetryPolicy,
    SendOutcomeUnknownError,
)

SENDER = "sender@example.com"


def mail(**extra: object) -> Mail:
    data: dict[str, object] = {
        "sender_address": SENDER,
        "title": "Hello",
        "body": "Body",
        "recipients": ["to@example.com"],
    }
    data.update(extra)
    return Mail(**data)


@pytest.mark.parametrize("offset_ms", [-90_000, 200_000, -290_000])
def test_a_send_is_found_with_the_server_clock_minutes_off(
    fake_ncloud: FakeNcloud, offset_ms: int
) -> None:
    fake_ncloud.set_faults(
        FaultScript(
            faults=(Fault("truncate", "POST", "/api/*/mails", count=1),),
            clock_offset_ms=offset_ms,
        )
    )
    with MailClient(make_settings(fake_ncloud, retry_attempts=1)) as client:
        with pytest.raises(SendOutcomeUnknownError) as caught:
            client.send(mail())
        found = client.check_outcome(caught.value)
    assert [r.request_id for r in found] == [fake_ncloud.mail_requests[0].request_id]


def test_the_clock_is_corrected_from_a_successful_answer(fake_ncloud: FakeNcloud) -> None:
    fake_ncloud.set_faults(FaultScript(clock_offset_ms=-90_000))
    with MailClient(make_settings(fake_ncloud)) as client:
        assert client.clock_offset_ms == 0
        client.list_requests(0, 1)  # accepted: 90 s is inside the gateway's window
        assert abs(client.clock_offset_ms + 90_000) < 3_000


def test_a_small_skew_is_left_alone(fake_ncloud: FakeNcloud) -> None:
    fake_ncloud.set_faults(FaultScript(clock_offset_ms=5_000))
    with MailClient(make_settings(fake_ncloud)) as client:
        client.list_requests(0, 1)
        assert client.clock_offset_ms == 0


def test_a_request_without_mails_blocks_only_when_made_during_the_send() -> None:
    group = mail(recipients=[], recipient_group_filter={"and_filter": False, "groups": ["empty"]})
    with (
        FakeNcloud(credentials=("AK", "SK"), groups={"empty": []}) as fake,
        MailClient(make_settings(fake)) as client,
    ):
        blocker = client.send(group)  # no mails: its group has no members
        made = fake.mail_requests[0].created_ms
        window = (made - 600_000, made + 600_000)
        with pytest.raises(OutcomePendingError):
            client.find_requests(group, *window, in_flight=(made - 1_000, made + 1_000))
        with pytest.raises(OutcomePendingError):
            client.find_requests(group, *window)
        later = (made + 120_000, made + 130_000)
        assert client.find_requests(group, *window, in_flight=later) == []
    assert blocker.request_id


class TrickledAnswer:
    """An HTTP server that answers 200 with its body sent one byte every 50 ms."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}/api/v1"
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            with conn:
                try:
                    data = b""
                    while b"\r\n\r\n" not in data:
                        chunk = conn.recv(65536)
                        if not chunk:
                            break
                        data += chunk
                    body = b" " * 200 + b"{}"
                    conn.sendall(
                        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                        b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n"
                    )
                    for byte in body:
                        conn.sendall(bytes([byte]))
                        time.sleep(0.05)
                except OSError:
                    pass

    def close(self) -> None:
        self.listener.close()
        self.thread.join(15)


@pytest.fixture
def trickled() -> Iterator[TrickledAnswer]:
    server = TrickledAnswer()
    yield server
    server.close()


def test_a_trickled_answer_cannot_outlast_the_deadline(
    fake_ncloud: FakeNcloud, trickled: TrickledAnswer
) -> None:
    settings = make_settings(fake_ncloud, mail_api_url=trickled.url, read_timeout=1.0)
    policy = RetryPolicy(attempts=1, deadline=1.0)
    started = time.monotonic()
    with MailClient(settings, retry=policy) as client, pytest.raises(ResponseFormatError):
        client.status("20300101000000000001")
    # Each byte comes well within the 1 s read timeout; the whole answer would take 10 s.
    assert time.monotonic() - started < 3.0
