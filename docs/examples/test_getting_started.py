"""A first signed request and a first mail, both against the embedded fake NCloud server."""

import requests

from harness.fake import FakeNcloud
from harness.mail import Mail, MailClient
from ncp_config import load_settings
from ncp_signing import Credentials, NcpAuth


def test_first_signed_request() -> None:
    credentials = Credentials("my-access-key", "my-secret-key")
    with FakeNcloud(credentials=credentials) as fake, requests.Session() as http:
        http.auth = NcpAuth(credentials)  # signs every call with a fresh timestamp
        signed = http.get(
            fake.url + "/api/v1/mails/requests",
            params={"startDateTime": "2024-01-01", "endDateTime": "2024-01-02"},
            timeout=10,
        )
        unsigned = requests.get(fake.url + "/api/v1/mails/requests", timeout=10)

    assert signed.status_code == 200
    assert signed.json()["content"] == []
    assert unsigned.status_code == 401
    assert unsigned.json()["error"]["errorCode"] == "200"


def test_first_mail() -> None:
    with FakeNcloud(credentials=("my-access-key", "my-secret-key")) as fake:
        settings = load_settings(
            environ={},  # in an application: the environment, .env, ~/.ncloud/configure
            env_file=None,
            secrets_dir=None,
            config_file=None,
            access_key="my-access-key",
            secret_key="my-secret-key",
            mail_api_url=fake.url + "/api/v1",
        )
        with MailClient(settings) as client:
            sent = client.send(
                Mail(
                    sender_address="hello@example.com",
                    title="Hello, ${name}",
                    body="<p>It works, ${name}.</p>",
                    recipients=[{"address": "ada@example.com", "parameters": {"name": "Ada"}}],
                )
            )
            final = client.wait(sent.request_id, timeout=10, interval=0.01)

        (delivered,) = fake.mails

    assert final.finished
    assert delivered.to == "ada@example.com"
    assert delivered.title == "Hello, Ada"
