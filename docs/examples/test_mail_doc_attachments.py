"""Attachments: upload the files first, then send their ids with the mail."""

from pathlib import Path

from harness.fake import FakeNcloud
from harness.mail import Mail, MailClient
from ncp_config import load_settings


def send_invoice(client: MailClient, address: str, invoice: Path) -> str:
    """Upload the invoice (at most 10 MB) and mail it."""
    file_ids = client.upload([invoice, ("terms.txt", b"Payment within 30 days.")])
    mail = Mail(
        sender_address="billing@example.com",
        title="Your invoice",
        body="<p>Please find your invoice attached.</p>",
        recipients=[address],
        attach_file_ids=file_ids,
    )
    return client.send(mail).request_id


def test_send_invoice(fake_ncloud: FakeNcloud, tmp_path: Path) -> None:
    invoice = tmp_path / "invoice-2024-001.pdf"
    invoice.write_bytes(b"%PDF-1.7 ...")
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
        request_id = send_invoice(client, "ann@example.com", invoice)
        (item,) = client.list_mails(request_id).content
        detail = client.get_mail(item.mail_id)

    assert [f.file_name for f in detail.attach_files] == ["invoice-2024-001.pdf", "terms.txt"]
