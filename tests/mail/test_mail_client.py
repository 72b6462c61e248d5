"""MailClient against the fake over real sockets: round trips, threads, polling, lists, files."""

from __future__ import annotations

import http.server
import threading
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mail_helpers import Sleeps, make_settings

from harness.fake import FakeNcloud
from harness.mail import (
    Mail,
    MailApiError,
    MailClient,
    Recipient,
    RetryPolicy,
    WaitTimeoutError,
)

SENDER = "sender@example.com"

addresses = st.builds(
    "{}@{}".format,
    st.from_regex(r"[a-z0-9][a-z0-9._+-]{0,15}", fullmatch=True),
    st.sampled_from(["example.com", "mail.example.org", "a-b.co.kr"]),
)
# Titles and names become headers: any character but a control character.
header_characters = st.characters(exclude_categories=["Cs", "Cc"])
texts = st.text(header_characters, max_size=60)
parameters = st.dictionaries(
    st.text("abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=8),
    st.one_of(
        texts, st.integers(-(2**53), 2**53), st.floats(allow_nan=False, allow_infinity=False)
    ),
    max_size=4,
)


def recipients_of(kind: str, max_size: int) -> st.SearchStrategy[list[Recipient]]:
    one = st.builds(
        Recipient,
        address=addresses,
        name=st.one_of(st.none(), texts),
        type=st.just(kind),
        parameters=st.one_of(st.none(), parameters),
    )
    return st.lists(one, max_size=max_size)


mails = st.builds(
    lambda to, cc, bcc, **fields: Mail(recipients=[*to, *cc, *bcc], **fields),
    to=recipients_of("R", 120).filter(bool),
    cc=recipients_of("C", 5),
    bcc=recipients_of("B", 5),
    sender_address=st.just(SENDER),
    sender_name=st.one_of(st.none(), st.text(header_characters, max_size=20)),
    title=texts.map(lambda t: t + " ${name}"),
    body=st.text(st.characters(exclude_categories=["Cs"]), max_size=400),
    parameters=st.one_of(st.none(), parameters),
    individual=st.booleans(),
)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(mail=mails)
def test_what_the_fake_stored_is_what_was_sent(
    client: MailClient, fake_ncloud: FakeNcloud, mail: Mail
) -> None:
    result = client.send(mail)
    [record] = [r for r in fake_ncloud.mail_requests if r.request_id == result.request_id]
    assert record.body == mail.to_request()
    assert result.count == len(mail.recipients)
    stored = [m for m in fake_ncloud.mails if m.request_id == result.request_id]
    expected = [
        (r.address, r.name, r.type, {**(mail.parameters or {}), **(r.parameters or {})})
        for r in mail.recipients
    ]
    assert [(m.to, m.recipient_name, m.recipient_type, dict(m.parameters)) for m in stored] == (
        expected
    )
    assert {m.sender_name for m in stored} == {mail.sender_name}


def test_one_client_eight_threads_500_sends(client: MailClient, fake_ncloud: FakeNcloud) -> None:
    def send(number: int) -> str:
        mail = Mail(
            sender_address=SENDER, title=f"mail-{number}", body="b", recipients=["a@example.com"]
        )
        return client.send(mail).request_id

    with ThreadPoolExecutor(max_workers=8) as pool:
        request_ids = list(pool.map(send, range(500)))
    assert len(set(request_ids)) == 500
    titles = Counter(m.title for m in fake_ncloud.mails)
    assert titles == Counter(f"mail-{n}" for n in range(500))
    assert Counter(r.status for r in fake_ncloud.requests) == Counter({201: 500})


def test_wait_polls_status_codes_to_the_end(
    client: MailClient, fake_ncloud: FakeNcloud, sleeps: Sleeps
) -> None:
    fake_ncloud.progression.failed = frozenset({"bad@example.com"})
    fake_ncloud.progression.unsubscribed = frozenset({"gone@example.com"})
    mail = Mail(
        sender_address=SENDER,
        title="t",
        body="b",
        recipients=["ok@example.com", "bad@example.com", "gone@example.com"],
    )
    request_id = client.send(mail).request_id
    first = client.status(request_id)
    assert not first.finished
    assert first.counts == {"R": 3}
    final = client.wait(request_id, timeout=10, interval=0.5)
    assert final.finished
    assert final.counts == {"S": 1, "F": 1, "U": 1}
    assert not final.all_sent_success
    assert sleeps.calls == [0.5]
    assert "finished: 3/3 done, 1 sent (F=1 S=1 U=1)" in final.summary()


def test_wait_gives_up_with_the_last_status(client: MailClient, fake_ncloud: FakeNcloud) -> None:
    later = datetime.now(timezone.utc) + timedelta(days=1)
    mail = Mail(
        sender_address=SENDER,
        title="t",
        body="b",
        recipients=["a@example.com"],
        reservation_utc=later,
    )
    request_id = client.send(mail).request_id
    with pytest.raises(WaitTimeoutError) as caught:
        client.wait(request_id, timeout=0.05, interval=0.01)
    assert caught.value.request_id == request_id
    assert caught.value.last_status is not None
    assert caught.value.last_status.counts == {"R": 1}
    with pytest.raises(ValueError, match="interval"):
        client.wait(request_id, interval=0)


def test_lists_and_mail_detail(client: MailClient, fake_ncloud: FakeNcloud) -> None:
    start = datetime.now(timezone.utc) - timedelta(minutes=1)
    mail = Mail(
        sender_address=SENDER,
        title="Hi ${name}",
        body="Dear ${name}",
        recipients=[
            Recipient(address=f"r{n}@example.com", parameters={"name": f"N{n}"}) for n in range(5)
        ],
    )
    request_id = client.send(mail).request_id
    other_id = client.send(mail.model_copy(update={"title": "Other"})).request_id
    first = client.list_mails(request_id, size=2, sort=["id,desc"])
    assert (first.total_elements, first.total_pages, len(first.content)) == (5, 3, 2)
    assert [m.mail_id for m in first.content] == sorted(
        (m.mail_id for m in first.content), reverse=True
    )
    only = client.list_mails(request_id, recipient_address="r3@example.com")
    [summary] = only.content
    assert summary.title == "Hi N3"
    assert client.list_mails(request_id, send_status=["S"]).content == []
    detail = client.get_mail(summary.mail_id)
    assert (detail.body, detail.recipients[0].address) == ("Dear N3", "r3@example.com")
    end = datetime.now(timezone.utc) + timedelta(minutes=1)
    requests_page = client.list_requests(start, end, title="Other")
    assert [(r.request_id, r.request_count) for r in requests_page.content] == [(other_id, 5)]
    everything = client.list_requests(start, end, sender_address=SENDER, size=1)
    assert (everything.total_elements, everything.number_of_elements) == (2, 1)


def test_template_send_and_attachments(
    client: MailClient, fake_ncloud: FakeNcloud, tmp_path: Path
) -> None:
    report = tmp_path / "report.pdf"
    report.write_bytes(b"%PDF-1.4 fake")
    ids = client.upload([report, ("note.txt", "메모".encode())])
    assert len(ids) == 2
    mail = Mail(
        template_sid=12,
        recipients=[Recipient(address="a@example.com", parameters={"code": 7})],
        attach_file_ids=ids,
    )
    result = client.send(mail)
    [record] = fake_ncloud.mail_requests
    assert record.body == {**mail.to_request()}
    assert record.body["attachFileIds"] == ids
    [item] = client.list_mails(result.request_id).content
    detail = client.get_mail(item.mail_id)
    files = [(f.file_name, f.file_size) for f in detail.attach_files]
    assert files == [("report.pdf", 13), ("note.txt", len("메모".encode()))]
    uploads = [r for r in fake_ncloud.requests if r.path.endswith("/files")]
    assert b'name="fileList"' in uploads[0].body


def test_default_sender_comes_from_the_settings(
    fake_ncloud: FakeNcloud, fast_retry: RetryPolicy
) -> None:
    settings_ = make_settings(
        fake_ncloud, mail_sender_address="default@example.com", mail_sender_name="Shop"
    )
    with MailClient(settings_, retry=fast_retry) as client:
        client.send(Mail(title="t", body="b", recipients=["a@example.com"]))
        client.send(Mail(sender_address=SENDER, title="t", body="b", recipients=["a@example.com"]))
    assert [(m.sender_address, m.sender_name) for m in fake_ncloud.mails] == [
        ("default@example.com", "Shop"),
        (SENDER, "Shop"),
    ]


def test_settings_default_to_the_credential_chain(
    fake_ncloud: FakeNcloud, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NCLOUD_ACCESS_KEY_ID", fake_ncloud.credential.access_key)
    monkeypatch.setenv("NCLOUD_SECRET_ACCESS_KEY", fake_ncloud.credential.secret_key)
    monkeypatch.setenv("NCLOUD_MAIL_API_URL", fake_ncloud.url + "/api/v1")
    with MailClient() as client:
        client.send(Mail(sender_address=SENDER, title="t", body="b", recipients=["a@b.co"]))
    assert len(fake_ncloud.mails) == 1


def test_a_given_session_is_used_and_left_open(fake_ncloud: FakeNcloud) -> None:
    session = requests.Session()
    seen: list[str] = []
    session.hooks["response"].append(lambda response, **_: seen.append(response.url))
    with MailClient(make_settings(fake_ncloud), session=session) as client:
        client.send(Mail(sender_address=SENDER, title="t", body="b", recipients=["a@b.co"]))
    assert seen == [fake_ncloud.url + "/api/v1/mails"]
    assert session.adapters  # still usable: close() left it alone
    session.close()


class _Redirecting(http.server.BaseHTTPRequestHandler):
    hits = 0

    def do_POST(self) -> None:
        type(self).hits += 1
        self.send_response(307)
        self.send_header("Location", "http://127.0.0.2:9/steal")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def redirecting_url() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Redirecting)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/api/v1"
    server.shutdown()
    server.server_close()


def test_redirects_are_never_followed(
    fake_ncloud: FakeNcloud, redirecting_url: str, fast_retry: RetryPolicy
) -> None:
    _Redirecting.hits = 0
    settings_ = make_settings(fake_ncloud, mail_api_url=redirecting_url)
    client = MailClient(settings_, retry=fast_retry)
    with client, pytest.raises(MailApiError) as caught:
        client.send(Mail(sender_address=SENDER, title="t", body="b", recipients=["a@b.co"]))
    assert caught.value.http_status == 307
    assert _Redirecting.hits == 1
