"""The fake over HTTPS: a throwaway CA that clients must trust, and nothing else."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
import requests
from pydantic import SecretStr

from harness.fake import FakeNcloud, FakeServerError
from harness.fake.cli import main
from harness.mail import Mail, MailClient
from ncp_config import NcpSettings
from ncp_signing import Credentials, NcpAuth

CREDENTIALS = Credentials("tls-access-key", "tls-secret-key")
MAIL = Mail(
    sender_address="shop@example.com",
    title="Over TLS",
    body="<p>Encrypted on the way.</p>",
    recipients=["ann@example.com"],
)


def test_https_with_the_fake_ca() -> None:
    with FakeNcloud(credentials=CREDENTIALS, tls=True) as fake:
        assert fake.url.startswith("https://127.0.0.1:")
        ca_file = Path(fake.ca_file)
        answer = requests.post(
            fake.url + "/api/v1/mails",
            json=MAIL.to_request(),
            auth=NcpAuth(CREDENTIALS),
            verify=fake.ca_file,
            timeout=10,
        )
        assert answer.status_code == 201
        assert [mail.title for mail in fake.mails] == ["Over TLS"]
    assert not ca_file.exists()  # the certificate files go with the server


def test_a_client_that_does_not_trust_the_ca_is_refused() -> None:
    with FakeNcloud(credentials=CREDENTIALS, tls=True) as fake:
        with pytest.raises(requests.exceptions.SSLError):
            requests.get(fake.url + "/_fake/health", timeout=10)
        assert fake.requests == []


def test_mail_client_over_tls() -> None:
    with FakeNcloud(credentials=CREDENTIALS, tls=True) as fake, requests.Session() as session:
        session.verify = fake.ca_file
        session.trust_env = False  # else requests lets REQUESTS_CA_BUNDLE override verify
        settings = NcpSettings(
            access_key=CREDENTIALS.access_key,
            secret_key=SecretStr(CREDENTIALS.secret_key),
            mail_api_url=fake.url + "/api/v1",
        )
        with MailClient(settings, session=session) as client:
            result = client.send(MAIL)
        assert fake.mail_requests[0].request_id == result.request_id


def test_plain_fake_has_no_ca() -> None:
    with FakeNcloud(credentials=CREDENTIALS) as fake:
        assert fake.url.startswith("http://")
        with pytest.raises(FakeServerError, match="tls=True"):
            _ = fake.ca_file


def test_cli_writes_the_ca_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    stop = threading.Event()
    ca_file = tmp_path / "ca.pem"
    argv = ["--credential", "tls-access-key:tls-secret-key", "--tls-ca-file", str(ca_file)]
    runner = threading.Thread(target=main, args=(argv,), kwargs={"stop": stop})
    runner.start()
    try:
        deadline = threading.Event()
        while not capsys.readouterr().out and not deadline.wait(0.02):
            pass
        assert ca_file.read_text().startswith("-----BEGIN CERTIFICATE-----")
    finally:
        stop.set()
        runner.join(10)
