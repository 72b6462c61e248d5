"""The mail service: POST answers 202 at once; GET follows the mail to "sent"."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import requests
from pydantic import SecretStr

from harness.fake import FakeNcloud
from harness.service import BackgroundServer, create_app
from ncp_config import NcpSettings


def main() -> None:
    with FakeNcloud(credentials=("example-key", "example-secret")) as fake:
        settings = NcpSettings(
            access_key="example-key",
            secret_key=SecretStr("example-secret"),
            mail_api_url=fake.url + "/api/v1",
            mail_sender_address="no-reply@example.com",
        )
        with tempfile.TemporaryDirectory() as folder:
            app = create_app(settings, workers=2, db_path=Path(folder) / "outbox.sqlite3")
            with BackgroundServer(app) as server:  # or: uvicorn.run(app)
                answer = requests.post(
                    f"{server.url}/api/v1/email/send",
                    json={
                        "title": "Your receipt",
                        "body": "<p>Thank you.</p>",
                        "recipients": ["grace@example.com", "alan@example.com"],
                    },
                    headers={"Idempotency-Key": "order-1001"},
                    timeout=10,
                )
                print(answer.status_code, answer.json()["status"])  # 202 pending
                status_url = f"{server.url}/api/v1/email/{answer.json()['id']}"
                state = requests.get(status_url, timeout=10).json()
                while state["status"] not in ("sent", "failed"):
                    time.sleep(0.01)
                    state = requests.get(status_url, timeout=10).json()
                print(state["status"], state["request_id"], state["error"])
                assert state["status"] == "sent"
        print(sorted(mail.to for mail in fake.mails))


if __name__ == "__main__":
    main()
