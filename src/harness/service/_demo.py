"""The demo: the fake NCloud server, the outbox, workers and the service, end to end on loopback.

Three mails go in through ``POST /api/v1/email/send`` (one with ``${name}`` parameters, one to
several recipients); each is followed from ``pending`` to ``sent``; then the mails the fake
received are printed. The fake answers with a little injected latency, so the 202 visibly
comes back before NCloud does.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import requests
from pydantic import SecretStr

from harness._serving import BackgroundServer
from harness.fake import FakeNcloud, Fault, FaultScript
from harness.outbox import DrainPolicy, Outbox
from harness.service._app import create_app
from ncp_config import NcpSettings

__all__ = ["DEMO_MAILS", "run_demo"]

_ACCESS_KEY = "demo-access-key"
_SECRET_KEY = "demo-secret-key-not-a-real-one"  # noqa: S105 (the fake's own key)
SENDER = "no-reply@example.com"

DEMO_MAILS: tuple[tuple[str, dict[str, Any]], ...] = (
    (
        "welcome",
        {
            "title": "Welcome, ${name}!",
            "body": "<p>Hello ${name}, your account is ready.</p>",
            "recipients": [
                {"address": "ada@example.com", "name": "Ada", "parameters": {"name": "Ada"}}
            ],
        },
    ),
    (
        "newsletter",
        {
            "title": "The June newsletter",
            "body": "<p>Three things we shipped this month.</p>",
            "recipients": ["grace@example.com", "alan@example.com", "edsger@example.com"],
        },
    ),
    (
        "receipt",
        {
            "title": "Your receipt ${number}",
            "body": "<p>Thank you for your order ${number}.</p>",
            "parameters": {"number": "A-1001"},
            "recipients": ["barbara@example.com"],
        },
    ),
)


def run_demo(
    *,
    latency_ms: int = 300,
    workers: int = 2,
    timeout: float = 15.0,
    out: Callable[[str], None] = print,
) -> int:
    """Run the demo, printing as it goes; return 0 when every mail was sent exactly once."""
    send = Fault("latency", method="POST", path="/api/*/mails", delay_ms=latency_ms)
    faults = FaultScript((send,))
    started = time.monotonic()

    def say(text: str) -> None:
        out(f"[{time.monotonic() - started:6.3f}s] {text}")

    with (
        tempfile.TemporaryDirectory(prefix="ncp-demo-") as folder,
        FakeNcloud(
            credentials=(_ACCESS_KEY, _SECRET_KEY), faults=faults, advance="instant"
        ) as fake,
    ):
        settings = NcpSettings(
            access_key=_ACCESS_KEY,
            secret_key=SecretStr(_SECRET_KEY),
            mail_api_url=fake.url + "/api/v1",
            mail_sender_address=SENDER,
            mail_sender_name="ncp-toolkit demo",
            retry_attempts=2,
            read_timeout=10.0,
        )
        say(f"fake NCloud listening on {fake.url} ({latency_ms} ms latency on POST /mails)")
        path = Path(folder) / "outbox.sqlite3"
        with Outbox(path, sender_address=SENDER, sender_name="ncp-toolkit demo") as outbox:
            app = create_app(
                settings, outbox=outbox, workers=workers, policy=DrainPolicy(backoff=0.1)
            )
            with BackgroundServer(app) as server, requests.Session() as http:
                say(f"mail service on {server.url} with {workers} workers, outbox {path.name}")
                ids = _submit(http, server.url, say)
                finals = _follow(http, server.url, ids, timeout, say)
            return _report(fake, ids, finals, say)


def _submit(http: requests.Session, url: str, say: Callable[[str], None]) -> dict[str, str]:
    ids: dict[str, str] = {}
    for label, mail in DEMO_MAILS:
        begun = time.perf_counter()
        answer = http.post(f"{url}/api/v1/email/send", json=mail, timeout=5)
        took = (time.perf_counter() - begun) * 1000
        if answer.status_code != 202:
            raise RuntimeError(f"POST {label} answered {answer.status_code}: {answer.text}")
        body = answer.json()
        ids[label] = body["id"]
        say(f"POST {label:<10} -> 202 {body['status']:<7} id={body['id'][:8]} in {took:.1f} ms")
    return ids


def _follow(
    http: requests.Session,
    url: str,
    ids: dict[str, str],
    timeout: float,
    say: Callable[[str], None],
) -> dict[str, dict[str, Any]]:
    seen = dict.fromkeys(ids, "pending")
    finals: dict[str, dict[str, Any]] = {}
    deadline = time.monotonic() + timeout
    while len(finals) < len(ids) and time.monotonic() < deadline:
        for label, entry_id in ids.items():
            if label in finals:
                continue
            state = http.get(f"{url}/api/v1/email/{entry_id}", timeout=5).json()
            if state["status"] != seen[label]:
                extra = f" request_id={state['request_id']}" if state["request_id"] else ""
                error = f" error={state['error']}" if state["error"] else ""
                say(f"{label:<10} {seen[label]} -> {state['status']}{extra}{error}")
                seen[label] = state["status"]
            if state["status"] in ("sent", "failed"):
                finals[label] = state
        time.sleep(0.02)
    return finals


def _report(
    fake: FakeNcloud,
    ids: dict[str, str],
    finals: dict[str, dict[str, Any]],
    say: Callable[[str], None],
) -> int:
    received = fake.mails
    say(f"the fake received {len(fake.mail_requests)} requests, {len(received)} mails:")
    for mail in received:
        say(f"  {mail.request_id}  to {mail.to:<22} {mail.title!r}: {mail.body!r}")
    expected = sum(len(mail["recipients"]) for _, mail in DEMO_MAILS)
    sent = [label for label, state in finals.items() if state["status"] == "sent"]
    ok = len(sent) == len(ids) and len(received) == expected
    ok = ok and len(fake.mail_requests) == len(ids)
    say(
        f"{len(sent)}/{len(ids)} mails sent, {len(received)}/{expected} recipients: "
        + ("OK" if ok else "FAILED")
    )
    return 0 if ok else 1
