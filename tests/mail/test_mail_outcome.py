"""``check_outcome`` names a request only when its mails are exactly the mail that was sent."""

from __future__ import annotations

from typing import Any, Literal

import pytest

from harness.fake import FakeNcloud, Fault, FaultScript
from harness.mail import (
    Mail,
    MailClient,
    OutcomePendingError,
    Page,
    SendOutcomeUnknownError,
)

SEND_PATH = "/api/v1/mails"
SENDER = "shop@example.com"


def mail(**fields: Any) -> Mail:
    values: dict[str, Any] = {
        "sender_address": SENDER,
        "title": "Hello",
        "body": "Body",
        "recipients": ["bob@example.com"],
        **fields,
    }
    return Mail(**values)


def unknown_send(
    client: MailClient, fake: FakeNcloud, sent: Mail, kind: Literal["reset", "truncate"]
) -> SendOutcomeUnknownError:
    """Send ``sent`` with ``kind`` (``reset``: never stored, ``truncate``: stored) on the POST."""
    fake.set_faults(FaultScript(faults=(Fault(kind, "POST", SEND_PATH, count=1),)))
    with pytest.raises(SendOutcomeUnknownError) as caught:
        client.send(sent)
    fake.set_faults(None)
    return caught.value


def ids(found: list[Any]) -> list[str]:
    return [item.request_id for item in found]


def test_another_mail_from_the_same_sender_is_not_this_one(
    client: MailClient, fake_ncloud: FakeNcloud
) -> None:
    client.send(mail(title="Welcome", body="hi", recipients=["alice@example.com"]))
    error = unknown_send(
        client, fake_ncloud, mail(title="Password reset", body="token"), kind="reset"
    )
    assert client.check_outcome(error) == []


def test_same_recipient_and_template_text_but_other_parameters_is_not_this_one(
    client: MailClient, fake_ncloud: FakeNcloud
) -> None:
    def receipt(number: str) -> Mail:
        return mail(
            title="Your receipt ${number}",
            body="<p>Order ${number}</p>",
            parameters={"number": number},
        )

    first = client.send(receipt("A-1"))
    lost = unknown_send(client, fake_ncloud, receipt("B-2"), kind="reset")
    assert client.check_outcome(lost) == []
    cut = unknown_send(client, fake_ncloud, receipt("C-3"), kind="truncate")
    stored = fake_ncloud.mail_requests[-1].request_id
    assert ids(client.check_outcome(cut)) == [stored]
    assert stored != first.request_id


def test_recipient_parameters_types_and_names_must_all_agree(
    client: MailClient, fake_ncloud: FakeNcloud
) -> None:
    recipients: list[dict[str, Any]] = [
        {"address": "ann@example.com", "name": "Ann", "parameters": {"name": "Ann"}},
        {"address": "bob@example.com", "type": "C"},
        {"address": "cat@example.com", "type": "B", "parameters": {"name": "Cat"}},
    ]
    sent = mail(
        title="Hi ${name}", body="Dear ${name}", parameters={"name": "all"}, recipients=recipients
    )
    as_bcc = [*recipients[:1], {"address": "bob@example.com", "type": "B"}, recipients[2]]
    client.send(sent.model_copy(update={"recipients": mail(recipients=as_bcc).recipients}))
    renamed = [{**recipients[0], "name": "Anne"}, *recipients[1:]]
    client.send(sent.model_copy(update={"recipients": mail(recipients=renamed).recipients}))
    cut = unknown_send(client, fake_ncloud, sent, kind="truncate")
    [expected] = [r.request_id for r in fake_ncloud.mail_requests][-1:]
    assert ids(client.check_outcome(cut)) == [expected]
    titles = sorted(m.title for m in fake_ncloud.mails if m.request_id == expected)
    assert titles == ["Hi Ann", "Hi Cat", "Hi all"]


def test_one_mail_for_all_recipients_is_recognised(
    client: MailClient, fake_ncloud: FakeNcloud
) -> None:
    sent = mail(individual=False, recipients=["ann@example.com", "bob@example.com"])
    client.send(sent.model_copy(update={"body": "Other body"}))
    cut = unknown_send(client, fake_ncloud, sent, kind="truncate")
    assert ids(client.check_outcome(cut)) == [fake_ncloud.mail_requests[-1].request_id]


def test_the_references_header_must_agree_when_set(
    client: MailClient, fake_ncloud: FakeNcloud
) -> None:
    client.send(mail(references_header="<order-1@shop.example.com>"))
    lost = unknown_send(
        client, fake_ncloud, mail(references_header="<order-2@shop.example.com>"), kind="reset"
    )
    assert client.check_outcome(lost) == []


def test_identical_mails_all_match(client: MailClient, fake_ncloud: FakeNcloud) -> None:
    same = mail(title="Reminder", body="Same text")
    earlier = [client.send(same).request_id for _ in range(2)]
    cut = unknown_send(client, fake_ncloud, same, kind="truncate")
    found = ids(client.check_outcome(cut))
    # Three requests carry exactly this mail: which one the cut-short send made is unknowable.
    assert found == [*earlier, fake_ncloud.mail_requests[-1].request_id]


def test_advertising_mail_with_its_unsubscribe_text(
    client: MailClient, fake_ncloud: FakeNcloud
) -> None:
    sent = mail(advertising=True, unsubscribe_message=" Unsubscribe: reply STOP.")
    basic = mail(advertising=True, use_basic_unsubscribe_msg=True, body="Sale ${x} today")
    cut = unknown_send(client, fake_ncloud, sent, kind="truncate")
    assert ids(client.check_outcome(cut)) == [fake_ncloud.mail_requests[-1].request_id]
    cut = unknown_send(client, fake_ncloud, basic, kind="truncate")
    assert ids(client.check_outcome(cut)) == [fake_ncloud.mail_requests[-1].request_id]


def test_a_candidate_whose_mails_are_not_readable_yet_is_pending(
    client: MailClient, fake_ncloud: FakeNcloud, monkeypatch: pytest.MonkeyPatch
) -> None:
    cut = unknown_send(client, fake_ncloud, mail(), kind="truncate")
    monkeypatch.setattr(client, "list_mails", lambda *args, **kwargs: Page())
    with pytest.raises(OutcomePendingError) as caught:
        client.check_outcome(cut)
    assert caught.value.request_id == fake_ncloud.mail_requests[-1].request_id
