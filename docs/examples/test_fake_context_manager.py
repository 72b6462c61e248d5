"""Send one mail to the fake server and assert on what would have been delivered."""

import requests

from harness.fake import FakeNcloud
from ncp_signing import Credentials
from ncp_signing.requests_auth import NcpAuth


def test_send_and_inspect() -> None:
    credentials = Credentials("my-access-key", "my-secret-key")
    with FakeNcloud(credentials=credentials) as fake, requests.Session() as http:
        http.auth = NcpAuth(credentials)
        answer = http.post(
            fake.url + "/api/v1/mails",
            json={
                "senderAddress": "shop@example.com",
                "title": "Your order, ${name}",
                "body": "Thank you, ${name}.",
                "recipients": [
                    {"address": "ann@example.com", "type": "R", "parameters": {"name": "Ann"}}
                ],
            },
        )
        assert answer.status_code == 201

        (mail,) = fake.mails
        assert mail.to == "ann@example.com"
        assert mail.title == "Your order, Ann"
        assert fake.requests[0].auth == "ok"
