"""``ncp-harness serve`` in a real process: it serves, its workers send, its log shows outcomes."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import requests
from outbox_kit import SENDER, mail_data, wait_until

from harness.fake import FakeNcloud
from harness.outbox import EntryState, Outbox

SENTINEL = "SENTINEL-serve-process-3c2b1a"


def test_serve_sends_in_the_background_logs_outcomes_and_stops_on_sigterm(
    tmp_path: Path,
) -> None:
    run, data = tmp_path / "run", tmp_path / "data"
    run.mkdir()
    data.mkdir()
    db = data / "served.db"
    with FakeNcloud(credentials=("serve-access-key", SENTINEL)) as fake:
        env = {
            **os.environ,
            "NCLOUD_ACCESS_KEY_ID": "serve-access-key",
            "NCLOUD_SECRET_ACCESS_KEY": SENTINEL,
            "NCLOUD_MAIL_API_URL": fake.url + "/api/v1",
            "NCLOUD_MAIL_SENDER_ADDRESS": SENDER,
            "PYTHONPATH": os.pathsep.join(sys.path),
        }
        command = [sys.executable, "-m", "harness.cli", "serve", "--port", "0"]
        command += ["--db", str(db), "--workers", "2"]
        server = subprocess.Popen(
            command,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            cwd=run,
        )
        try:
            url = _listening_url(server)
            answer = requests.post(f"{url}/api/v1/email/send", json=mail_data(1), timeout=10)
            assert answer.status_code == 202
            status_url = f"{url}/api/v1/email/{answer.json()['id']}"
            wait_until(lambda: requests.get(status_url, timeout=10).json()["status"] == "sent")
            health = requests.get(f"{url}/healthz", timeout=10).json()
            assert health["workers"] == {"alive": 2, "configured": 2}
        finally:
            server.send_signal(signal.SIGTERM)
            _, rest = server.communicate(timeout=60)
        # uvicorn shuts down gracefully, then ends as the signal asks (or with 0)
        assert server.returncode in (0, -signal.SIGTERM), rest
        log = server.log + rest  # type: ignore[attr-defined]
        assert "Application shutdown complete." in log
        assert len(fake.mail_requests) == 1
        request_id = fake.mail_requests[0].request_id
        assert re.search(rf"Outbox entry \w+ was sent as request {request_id}", log), log
        assert "Mail service started with 2 workers" in log
        assert SENTINEL not in log
    with Outbox(db) as box:
        assert [e.state for e in box.entries()] == [EntryState.SENT]
    assert list(run.iterdir()) == []  # nothing left in the folder it ran in


def _listening_url(server: subprocess.Popen[str]) -> str:
    """Read the server's log up to uvicorn's "running on" line; keep what was read."""
    assert server.stderr is not None
    lines: list[str] = []
    for line in server.stderr:
        lines.append(line)
        found = re.search(r"Uvicorn running on (http://\S+)", line)
        if found:
            server.log = "".join(lines)  # type: ignore[attr-defined]
            return found.group(1)
    pytest.fail("the server stopped before listening:\n" + "".join(lines))
