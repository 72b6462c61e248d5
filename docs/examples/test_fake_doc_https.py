"""Serve the fake over HTTPS and trust its throwaway certificate authority."""

import requests

from harness.fake import FakeNcloud
from ncp_signing import Credentials, NcpAuth


def test_https_fake() -> None:
    credentials = Credentials("my-access-key", "my-secret-key")
    with FakeNcloud(credentials=credentials, tls=True) as fake, requests.Session() as http:
        http.auth = NcpAuth(credentials)
        http.verify = fake.ca_file  # the fake's CA, valid while the server runs
        http.trust_env = False  # or REQUESTS_CA_BUNDLE from the environment would win
        answer = http.get(
            fake.url + "/api/v1/mails/requests",
            params={"startDateTime": "2024-01-01", "endDateTime": "2024-01-02"},
            timeout=10,
        )
        assert fake.url.startswith("https://")
    assert answer.status_code == 200
