"""A template send: the template gives sender, title and body; recipients give parameters."""

from harness.fake import FakeNcloud
from harness.mail import Mail, MailClient, Recipient
from ncp_config import load_settings

ORDER_SHIPPED_TEMPLATE = 1042


def notify_shipped(client: MailClient, orders: dict[str, str]) -> int:
    """One request, one mail per customer, each with its own order number."""
    mail = Mail(
        template_sid=ORDER_SHIPPED_TEMPLATE,
        recipients=[
            Recipient(address=address, parameters={"order": order})
            for address, order in orders.items()
        ],
        parameters={"shop": "Example Shop"},  # shared by every recipient
    )
    return client.send(mail).count


def test_notify_shipped(fake_ncloud: FakeNcloud) -> None:
    settings = load_settings(
        environ={},
        env_file=None,
        secrets_dir=None,
        config_file=None,
        access_key=fake_ncloud.credential.access_key,
        secret_key=fake_ncloud.credential.secret_key,
        mail_api_url=fake_ncloud.url + "/api/v1",
    )
    with MailClient(settings) as client:
        count = notify_shipped(client, {"ann@example.com": "A-1", "bob@example.com": "B-2"})

    assert count == 2
    (request,) = fake_ncloud.mail_requests
    assert request.body["templateSid"] == ORDER_SHIPPED_TEMPLATE
    assert [dict(m.parameters) for m in fake_ncloud.mails] == [
        {"shop": "Example Shop", "order": "A-1"},
        {"shop": "Example Shop", "order": "B-2"},
    ]
