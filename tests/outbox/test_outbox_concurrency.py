"""Two outboxes (two connections) on one file, each with several workers: no row sent twice."""

from __future__ import annotations

import threading
from collections import Counter
from pathlib import Path

from outbox_kit import SENDER, mail_data, make_settings, settled, wait_until

from harness.fake import FakeNcloud
from harness.mail import MailClient
from harness.outbox import ClientTransport, DrainPolicy, EntryState, Outbox, WorkerPool


def test_concurrent_claims_on_two_connections_never_overlap(tmp_path: Path) -> None:
    path = tmp_path / "claims.db"
    with Outbox(path, sender_address=SENDER) as first, Outbox(path) as second:
        ids = {first.submit(mail_data(n)) for n in range(200)}
        claimed: list[str] = []
        lock = threading.Lock()

        def take(box: Outbox, owner: str) -> None:
            while (claim := box.claim(owner)) is not None:
                with lock:
                    claimed.append(claim.id)

        threads = [
            threading.Thread(target=take, args=(box, f"w{i}"))
            for i, box in enumerate([first, second] * 4)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert sorted(claimed) == sorted(ids)


def test_two_worker_pools_on_one_file_send_each_mail_once(
    fake_ncloud: FakeNcloud, tmp_path: Path
) -> None:
    path = tmp_path / "shared.db"
    policy = DrainPolicy(backoff=0.01, check_delay=0.3)
    with (
        Outbox(path, sender_address=SENDER) as first,
        Outbox(path) as second,
        MailClient(make_settings(fake_ncloud)) as client,
    ):
        ids = [first.submit(mail_data(n)) for n in range(120)]
        transport = ClientTransport(client)
        with (
            WorkerPool(first, transport, workers=4, policy=policy),
            WorkerPool(second, transport, workers=4, policy=policy),
        ):
            wait_until(lambda: settled(first), timeout=30)
        entries = second.entries()
    titles = Counter(str(r.body["title"]) for r in fake_ncloud.mail_requests)
    assert len(titles) == len(ids)
    assert set(titles.values()) == {1}
    assert {e.state for e in entries} == {EntryState.SENT}
    assert len({e.request_id for e in entries}) == len(ids)
