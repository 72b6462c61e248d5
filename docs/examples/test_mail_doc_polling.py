"""Status polling: wait until every mail of a request reached a final state."""

from harness.fake import FakeNcloud
from harness.mail import Mail, MailClient, RequestStatus
from ncp_config import load_settings


def send_and_wait(client: MailClient, mail: Mail) -> RequestStatus:
    """Send, then poll until finished (or raise WaitTimeoutError after 5 minutes)."""
    request_id = client.send(mail).request_id
    final = client.wait(request_id, timeout=300, interval=0.05)
    failed = final.counts.get("F", 0) + final.counts.get("U", 0)  # codes, never labels
    if failed:
        for page in range(final.request_count // 100 + 1):
            for item in client.list_mails(
                request_id, send_status=["F", "U"], page=page, size=100
            ).content:
                print("not delivered:", item.representative_recipient)
    return final


def test_send_and_wait(fake_ncloud: FakeNcloud) -> None:
    fake_ncloud.progression.failed = frozenset({"bounce@example.com"})
    settings = load_settings(
        environ={},
        env_file=None,
        secrets_dir=None,
        config_file=None,
        access_key=fake_ncloud.credential.access_key,
        secret_key=fake_ncloud.credential.secret_key,
        mail_api_url=fake_ncloud.url + "/api/v1",
    )
    mail = Mail(
        sender_address="news@example.com",
        title="News",
        body="<p>This week...</p>",
        recipients=["ann@example.com", "bounce@example.com"],
    )
    with MailClient(settings) as client:
        final = send_and_wait(client, mail)

    assert final.finished
    assert final.counts == {"S": 1, "F": 1}
