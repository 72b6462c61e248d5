"""Submit mail to a durable outbox and let worker threads send it (against the fake server)."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from pydantic import SecretStr

from harness.fake import FakeNcloud
from harness.mail import MailClient
from harness.outbox import ClientTransport, EntryState, Outbox, WorkerPool
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
            path = Path(folder) / "outbox.sqlite3"
            with (
                Outbox(path, sender_address=settings.mail_sender_address) as outbox,
                MailClient(settings) as client,
            ):
                # submit() validates and stores the mail, then returns at once.
                entry_id = outbox.submit(
                    {
                        "title": "Welcome, ${name}!",
                        "body": "<p>Hello ${name}.</p>",
                        "recipients": [
                            {"address": "ada@example.com", "parameters": {"name": "Ada"}}
                        ],
                    }
                )
                print(outbox.get(entry_id).state.value)  # pending
                with WorkerPool(outbox, ClientTransport(client), workers=2):
                    while not outbox.get(entry_id).state.final:
                        time.sleep(0.01)
                entry = outbox.get(entry_id)
                assert entry.state is EntryState.SENT
                print(entry.state.value, entry.request_id)
        print([(mail.to, mail.title) for mail in fake.mails])


if __name__ == "__main__":
    main()
