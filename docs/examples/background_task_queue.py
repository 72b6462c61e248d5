"""The drain as a plain function, ready to be the body of a Celery or RQ task.

With Celery the same function becomes a task with one decorator, scheduled by beat::

    @celery_app.task(acks_late=True)
    def drain_outbox() -> int:
        return drain_batch("/var/lib/app/outbox.sqlite3", load_settings())

With RQ: ``queue.enqueue(drain_batch, path, settings)``. The queue only says *when* to
drain; the outbox still decides *what* is sent, so a task run twice sends nothing twice.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from pydantic import SecretStr

from harness.fake import FakeNcloud
from harness.mail import MailClient
from harness.outbox import ClientTransport, DrainPolicy, Outbox, drain_once
from ncp_config import NcpSettings


def drain_batch(path: str | Path, settings: NcpSettings, limit: int = 100) -> int:
    """Move up to ``limit`` due entries one step each; return how many were handled."""
    with (
        Outbox(path, sender_address=settings.mail_sender_address) as outbox,
        MailClient(settings) as client,
    ):
        transport = ClientTransport(client)
        done = 0
        while done < limit and drain_once(outbox, transport, policy=DrainPolicy()):
            done += 1
        return done


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
            with Outbox(path, sender_address=settings.mail_sender_address) as outbox:
                for number in range(5):
                    outbox.submit(
                        {
                            "title": f"Report {number}",
                            "body": "<p>...</p>",
                            "recipients": ["ops@example.com"],
                        }
                    )
            print(drain_batch(path, settings))  # 5: each task run handles what is due
            print(drain_batch(path, settings))  # 0: a second run finds nothing to send
        print(len(fake.mail_requests))  # 5


if __name__ == "__main__":
    main()
