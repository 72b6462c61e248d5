"""Helpers shared by the mail tests: settings for a fake server and a recording sleep."""

from __future__ import annotations

import time
from typing import Any

from pydantic import SecretStr

from harness.fake import FakeNcloud
from ncp_config import NcpSettings
from ncp_signing import Credentials


def make_settings(
    fake: FakeNcloud, credentials: Credentials | None = None, **overrides: Any
) -> NcpSettings:
    """Settings that point the client at ``fake`` with its (or the given) credentials."""
    used = credentials or fake.credential
    values: dict[str, Any] = {
        "access_key": used.access_key,
        "secret_key": SecretStr(used.secret_key),
        "mail_api_url": fake.url + "/api/v1",
        "read_timeout": 5.0,
        "retry_deadline": 30.0,
        **overrides,
    }
    return NcpSettings(**values)


class Sleeps:
    """A ``sleep`` that records what it was asked to wait and waits only 2 ms.

    The short real wait keeps two attempts from sharing one millisecond timestamp.
    """

    def __init__(self) -> None:
        self.calls: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)
        time.sleep(0.002)
