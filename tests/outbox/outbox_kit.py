"""Helpers shared by the outbox tests: settings for a fake, mails, a scripted transport."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

from pydantic import SecretStr

from harness.fake import FakeNcloud
from harness.mail import Mail
from harness.outbox import Outbox
from ncp_config import NcpSettings

SENDER = "no-reply@example.com"


def make_settings(fake: FakeNcloud, **overrides: Any) -> NcpSettings:
    """Settings pointing at ``fake``: one attempt per send, so the outbox does the retrying."""
    values: dict[str, Any] = {
        "access_key": fake.credential.access_key,
        "secret_key": SecretStr(fake.credential.secret_key),
        "mail_api_url": fake.url + "/api/v1",
        "mail_sender_address": SENDER,
        "retry_attempts": 1,
        "read_timeout": 5.0,
    }
    values.update(overrides)
    return NcpSettings(**values)


def mail_data(number: int, **extra: Any) -> dict[str, Any]:
    """A distinct mail as the JSON a caller would post."""
    data: dict[str, Any] = {
        "title": f"Message {number:04d}",
        "body": f"<p>Body of message {number}</p>",
        "recipients": [f"user{number}@example.com"],
    }
    data.update(extra)
    return data


def wait_until(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    """Poll ``condition`` until it holds; fail the test after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"The condition did not hold within {timeout} s.")
        time.sleep(0.01)


def settled(outbox: Outbox) -> bool:
    """Whether every entry is sent or failed."""
    counts = outbox.counts()
    return counts["pending"] + counts["sending"] + counts["unknown"] == 0


class ScriptedTransport:
    """A transport whose outcomes are queued by the test; unqueued deliveries succeed.

    ``outcomes`` holds exceptions to raise (or ``None`` for success), consumed in order;
    ``lookups`` the answers of :meth:`find_sent` (a list of ids, or an exception).
    """

    def __init__(self) -> None:
        self.outcomes: list[BaseException | None] = []
        self.lookups: list[Sequence[str] | BaseException] = []
        self.delivered: list[Mail] = []
        self.lookup_calls: list[tuple[Mail, float, float]] = []
        self._next = 0

    def deliver(self, mail: Mail) -> str:
        outcome = self.outcomes.pop(0) if self.outcomes else None
        if outcome is not None:
            raise outcome
        self.delivered.append(mail)
        self._next += 1
        return f"request-{self._next}"

    def find_sent(self, mail: Mail, *, since: float, until: float) -> Sequence[str]:
        self.lookup_calls.append((mail, since, until))
        answer = self.lookups.pop(0) if self.lookups else []
        if isinstance(answer, BaseException):
            raise answer
        return answer


class ManualClock:
    """Epoch seconds that move only when the test says so."""

    def __init__(self, start: float = 1_800_000_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds
