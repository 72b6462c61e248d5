"""The request models: every documented limit gives a typed error naming the field, offline."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from harness.fake import LIMITS as FAKE_LIMITS
from harness.fake import FakeNcloud
from harness.mail import (
    LIMITS,
    Mail,
    MailClient,
    MailLimitError,
    MailValidationError,
    Recipient,
    RecipientGroupFilter,
    RecipientType,
)

SENDER = "sender@example.com"


def base(**changes: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "sender_address": SENDER,
        "title": "Hello",
        "body": "Body",
        "recipients": ["to@example.com"],
    }
    fields.update(changes)
    return fields


def recipients(count: int, kind: RecipientType = "R") -> list[Recipient]:
    return [Recipient(address=f"r{i}@example.com", type=kind) for i in range(count)]


LIMIT_CASES = [
    ("title", base(title="가" * 167), 500),  # 501 bytes in UTF-8
    ("senderName", base(sender_name="é" * 35), 69),  # 70 bytes
    ("body", base(body="x" * (500 * 1024 + 1)), 500 * 1024),
    (
        "body",
        base(
            body="x" * (500 * 1024 - 5),
            advertising=True,
            unsubscribe_message="unsubscribe",
        ),
        500 * 1024,
    ),
    ("recipients", base(recipients=recipients(31, "C")), 30),
    ("recipients", base(recipients=recipients(31, "B")), 30),
    ("recipients", base(recipients=recipients(100_001)), 100_000),
    ("recipients[0].name", base(recipients=[{"address": "a@example.com", "name": "n" * 70}]), 69),
    (
        "recipientGroupFilter.groups",
        base(recipients=[], recipient_group_filter={"and_filter": True, "groups": list("abcdef")}),
        5,
    ),
]


@pytest.mark.parametrize(("field", "fields", "limit"), LIMIT_CASES)
def test_each_limit_raises_a_typed_error_naming_the_field(
    field: str, fields: dict[str, Any], limit: int
) -> None:
    with pytest.raises(MailLimitError) as caught:
        Mail(**fields)
    assert caught.value.field == field
    assert caught.value.limit == limit
    assert str(caught.value).startswith(f"{field}: ")


def test_values_at_each_limit_are_accepted() -> None:
    mail = Mail(
        **base(
            title="가" * 166 + "ab",
            sender_name="é" * 34 + "a",
            body="x" * (500 * 1024),
            recipients=[
                *recipients(30, "C"),
                *recipients(30, "B"),
                Recipient(address="n@example.com", name="n" * 69),
            ],
        )
    )
    assert len(mail.title.encode()) == 500  # type: ignore[union-attr]
    assert len(mail.recipients) == 61


def test_limits_match_the_fakes_documented_limits() -> None:
    for key, value in FAKE_LIMITS.items():
        assert LIMITS[key] == value


RULE_CASES = [
    ("title", base(title=None)),
    ("body", base(body=None)),
    ("recipients", base(recipients=[])),
    ("recipients[1].address", base(recipients=["ok@example.com", "not-an-address"])),
    ("recipients[0].type", base(recipients=[{"address": "a@example.com", "type": "X"}])),
    ("senderAddress", base(sender_address="someone@naver.com")),
    ("senderAddress", base(sender_address="nobody")),
    ("unsubscribeMessage", base(advertising=True)),
    ("reservationDateTime", base(reservation_date_time="2030-01-01T10:00")),
    ("reservationDateTime", base(reservation_date_time="2030-1-1 9:05")),
    ("reservationDateTime", base(reservation_date_time="2030-01-01  10:00")),
    ("reservationDateTime", base(reservation_date_time="\uff12030-01-01 10:00")),
    ("reservationDateTime", base(reservation_date_time="2030-02-30 10:00")),
    ("reservationUtc", base(reservation_utc=datetime(2030, 1, 1))),
    ("referencesHeader", base(references_header="no-angle@brackets")),
    ("referencesHeader", base(references_header="<id\x00@example.com>")),
    ("parameters.flag", base(parameters={"flag": True})),
    ("parameters.score", base(parameters={"score": float("nan")})),
    ("parameters.score", base(parameters={"score": float("-inf")})),
    (
        "recipients[0].parameters.score",
        base(recipients=[{"address": "a@example.com", "parameters": {"score": float("inf")}}]),
    ),
    ("title", base(title="Hello\r\nBcc: someone@example.com")),
    ("title", base(title="nul\x00")),
    ("senderName", base(sender_name="Ops\nX-Header: 1")),
    ("recipients[0].name", base(recipients=[{"address": "a@example.com", "name": "A\x1b[2J"}])),
    ("recipients[0].address", base(recipients=["a\x00b@example.com"])),
    ("senderAddress", base(sender_address="s\x7f@example.com")),
    ("templateSid", base(template_sid=-1)),
    ("templateSid", base(template_sid=True)),
    ("templateSid", base(template_sid="12")),
    ("reservationUtc", base(reservation_utc=True)),
    ("reservationUtc", base(reservation_utc="1893456000000")),
    ("individual", base(individual="no")),
    ("advertising", base(advertising=1)),
    ("confirmAndSend", base(confirm_and_send="false")),
    ("useBasicUnsubscribeMsg", base(advertising=True, use_basic_unsubscribe_msg="true")),
    (
        "recipientGroupFilter.andFilter",
        base(recipient_group_filter={"and_filter": "yes", "groups": ["g"]}),
    ),
    ("attachFileIds", base(attach_file_ids="one-id")),
    ("surprise", base(surprise=1)),
    (
        "recipientGroupFilter.groups",
        base(recipient_group_filter={"and_filter": True, "groups": []}),
    ),
]


@pytest.mark.parametrize(("field", "fields"), RULE_CASES)
def test_each_rule_names_the_field(field: str, fields: dict[str, Any]) -> None:
    with pytest.raises(MailValidationError) as caught:
        Mail(**fields)
    assert caught.value.field == field
    assert not isinstance(caught.value, MailLimitError)


def test_a_template_send_needs_no_title_body_or_sender() -> None:
    mail = Mail(
        template_sid=42, recipients=[Recipient(address="a@example.com", parameters={"n": 1})]
    )
    assert mail.to_request() == {
        "templateSid": 42,
        "recipients": [{"address": "a@example.com", "type": "R", "parameters": {"n": 1}}],
        "individual": True,
        "confirmAndSend": False,
        "advertising": False,
    }


def test_the_request_body_uses_the_documented_names() -> None:
    when = datetime(2030, 1, 2, 3, 4, tzinfo=timezone(timedelta(hours=9)))
    mail = Mail(
        **base(
            sender_name="Shop",
            recipients=["a@example.com", Recipient(address="c@example.com", name="C", type="C")],
            recipient_group_filter=RecipientGroupFilter(and_filter=False, groups=["vip"]),
            parameters={"n": 1.5},
            advertising=True,
            use_basic_unsubscribe_msg=True,
            references_header="<thread-1@example.com>",
            reservation_utc=when,
            attach_file_ids=["f1"],
        )
    )
    body = mail.to_request()
    assert body["recipients"] == [
        {"address": "a@example.com", "type": "R"},
        {"address": "c@example.com", "name": "C", "type": "C"},
    ]
    assert body["recipientGroupFilter"] == {"andFilter": False, "groups": ["vip"]}
    assert body["reservationUtc"] == int(when.timestamp() * 1000)
    assert body["useBasicUnsubscribeMsg"] is True
    assert body["referencesHeader"] == "<thread-1@example.com>"
    assert body["attachFileIds"] == ["f1"]
    assert body["senderName"] == "Shop"


def test_camel_case_names_are_accepted_too() -> None:
    mail = Mail.model_validate(
        {"senderAddress": SENDER, "title": "t", "body": "b", "recipients": [{"address": "a@b.co"}]}
    )
    assert mail.sender_address == SENDER


def test_every_problem_is_listed_and_no_input_is_echoed() -> None:
    with pytest.raises(MailValidationError) as caught:
        Mail(**base(title="secret-title-" + "x" * 600, recipients=["bad-address-value"]))
    fields = [field for field, _ in caught.value.problems]
    assert fields == ["title", "recipients[0].address"]
    assert "x" * 100 not in str(caught.value)


def test_an_invalid_mail_never_reaches_the_network(
    fake_ncloud: FakeNcloud, client: MailClient
) -> None:
    with pytest.raises(MailValidationError) as caught:
        client.send(Mail(title="t", body="b", recipients=["a@example.com"]))
    assert caught.value.field == "senderAddress"
    with pytest.raises(MailLimitError) as too_big:
        client.upload([("big.bin", b"x" * (10 * 1024 * 1024 + 1))])
    assert too_big.value.field == "files[0]"
    with pytest.raises(MailValidationError):
        client.upload([])
    with pytest.raises(MailValidationError) as naive:
        client.list_requests(datetime(2030, 1, 1), 0)
    assert naive.value.field == "start"
    assert fake_ncloud.requests == []


def test_control_characters_are_refused_only_where_they_become_headers() -> None:
    mail = Mail(**base(body="line one\r\n\tline two\x00", unsubscribe_message="a\nb"))
    assert mail.body == "line one\r\n\tline two\x00"
    with pytest.raises(MailValidationError) as caught:
        Mail(**base(title="Hello\r\nBcc: someone@example.com"))
    assert str(caught.value) == (
        "title: must not contain control characters such as line breaks (U+000D at index 5)"
    )
    with pytest.raises(MailValidationError) as caught:
        Mail(**base(sender_name=None)).with_sender(None, "Shop\nBcc: x")
    assert caught.value.field == "senderName"
    assert "Bcc" not in str(caught.value)


def test_a_file_over_the_limit_is_refused_before_it_is_read(
    fake_ncloud: FakeNcloud, client: MailClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    small, huge = tmp_path / "small.txt", tmp_path / "huge.bin"
    small.write_bytes(b"ok")
    with huge.open("wb") as sparse:
        sparse.truncate(10 * 1024 * 1024 + 1)
    reads: list[str] = []
    real_read = Path.read_bytes

    def read_bytes(path: Path) -> bytes:
        reads.append(path.name)
        return real_read(path)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    with pytest.raises(MailLimitError) as caught:
        client.upload([small, huge])
    assert (caught.value.field, caught.value.limit) == ("files[1]", 10 * 1024 * 1024)
    assert "'huge.bin' is larger than 10485760 bytes" in str(caught.value)
    assert reads == ["small.txt"]
    assert fake_ncloud.requests == []
