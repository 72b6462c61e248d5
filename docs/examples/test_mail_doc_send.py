"""A plain send: build a Mail, send it, keep the request id."""

from harness.fake import FakeNcloud
from harness.mail import Mail, MailClient, Recipient
from ncp_config import load_settings


def send_welcome(client: MailClient, address: str, name: str) -> str:
    """Send one welcome mail; return the request id to follow it with."""
    mail = Mail(
        sender_address="hello@example.com",
        sender_name="Example Shop",
        title="Welcome, ${name}",
        body="<p>Hi ${name}, thanks for joining.</p>",
        recipients=[Recipient(address=address, name=name, parameters={"name": name})],
    )
    return client.send(mail).request_id


def test_send_welcome(fake_ncloud: FakeNcloud) -> None:
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
        request_id = send_welcome(client, "ann@example.com", "Ann")

    (mail,) = fake_ncloud.mails
    assert mail.request_id == request_id
    assert mail.title == "Welcome, Ann"
