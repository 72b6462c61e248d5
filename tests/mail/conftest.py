"""Fixtures for the mail client tests: an isolated environment, settings and a fast client."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from mail_helpers import Sleeps, make_settings

from harness.fake import FakeNcloud
from harness.mail import MailClient, RetryPolicy
from ncp_config import NcpSettings


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No developer environment, home directory, secrets directory or working tree."""
    for name in list(os.environ):
        if name.startswith(("NCLOUD_", "PYDANTIC_SETTINGS")):
            monkeypatch.delenv(name)
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("NCLOUD_SECRETS_DIR", str(tmp_path / "no-secrets"))
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    return work


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
def fast_retry(sleeps: Sleeps) -> RetryPolicy:
    """Retries that never wait: backoff draws are tiny and sleeps are recorded."""
    return RetryPolicy(backoff=0.001, max_backoff=0.002, sleep=sleeps)


@pytest.fixture
def settings(fake_ncloud: FakeNcloud) -> NcpSettings:
    return make_settings(fake_ncloud)


@pytest.fixture
def client(settings: NcpSettings, fast_retry: RetryPolicy) -> Iterator[MailClient]:
    with MailClient(settings, retry=fast_retry) as mail_client:
        yield mail_client
