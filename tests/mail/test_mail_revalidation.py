"""A built mail changed afterwards is checked again before anything reaches the network."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from harness.fake import FakeNcloud
from harness.mail import Mail, MailClient, MailLimitError, MailValidationError, Recipient

SENDER = "sender@example.com"


def a_mail() -> Mail:
    return Mail(
        sender_address=SENDER,
        title="Hello ${name}",
        body="Body",
        recipients=["to@example.com"],
        parameters={"name": "Ada"},
    )


def thirty_one_cc(mail: Mail) -> Mail:
    mail.recipients.extend(Recipient(address=f"cc{i}@example.com", type="C") for i in range(31))
    return mail


def a_constructed_bad_address(mail: Mail) -> Mail:
    mail.recipients.append(Recipient.model_construct(address="not an address", type="R"))
    return mail


def a_parameter_that_is_not_json(mail: Mail) -> Mail:
    assert mail.parameters is not None
    mail.parameters["name"] = float("nan")
    return mail


def a_body_copied_past_the_limit(mail: Mail) -> Mail:
    return mail.model_copy(update={"body": "x" * (500 * 1024 + 1)})


def a_mail_constructed_without_a_title(mail: Mail) -> Mail:
    return Mail.model_construct(sender_address=SENDER, body="b", recipients=mail.recipients)


CHANGES: list[tuple[Callable[[Mail], Mail], str, int | None]] = [
    (thirty_one_cc, "recipients", 30),
    (a_constructed_bad_address, "recipients[1].address", None),
    (a_parameter_that_is_not_json, "parameters.name", None),
    (a_body_copied_past_the_limit, "body", 500 * 1024),
    (a_mail_constructed_without_a_title, "title", None),
]


@pytest.mark.parametrize(("change", "field", "limit"), CHANGES)
def test_a_mail_changed_after_it_was_built_never_reaches_the_network(
    client: MailClient,
    fake_ncloud: FakeNcloud,
    change: Callable[[Mail], Mail],
    field: str,
    limit: int | None,
) -> None:
    mail = change(a_mail())
    with pytest.raises(MailValidationError) as caught:
        client.send(mail)
    assert caught.value.field == field
    if limit is not None:
        assert isinstance(caught.value, MailLimitError)
        assert caught.value.limit == limit
    assert fake_ncloud.requests == []


def test_the_mail_sent_is_a_copy_that_later_changes_cannot_reach(
    client: MailClient, fake_ncloud: FakeNcloud
) -> None:
    mail = a_mail()
    prepared = client.prepare(mail)
    thirty_one_cc(mail)
    assert mail.parameters is not None
    mail.parameters["name"] = "Grace"
    assert len(prepared.recipients) == 1
    assert prepared.parameters == {"name": "Ada"}
    assert prepared.recipients is not mail.recipients
    client.send(prepared)
    [stored] = fake_ncloud.mail_requests
    assert stored.body["recipients"] == [{"address": "to@example.com", "type": "R"}]
    assert stored.body["parameters"] == {"name": "Ada"}


def test_model_validate_reports_nested_errors_with_their_paths() -> None:
    data = {
        "senderAddress": SENDER,
        "title": "t" * 501,
        "body": "b",
        "recipients": [{"address": "bad"}],
    }
    with pytest.raises(MailLimitError) as caught:
        Mail.model_validate(data)
    assert [field for field, _ in caught.value.problems] == ["title", "recipients[0].address"]
