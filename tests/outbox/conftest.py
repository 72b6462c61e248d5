"""Fixtures for the outbox and service tests: an isolated environment, settings, an outbox."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from outbox_kit import SENDER, make_settings

from harness.fake import FakeNcloud
from harness.outbox import Outbox
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
def settings(fake_ncloud: FakeNcloud) -> NcpSettings:
    return make_settings(fake_ncloud)


@pytest.fixture
def outbox(tmp_path: Path) -> Iterator[Outbox]:
    with Outbox(tmp_path / "outbox.sqlite3", sender_address=SENDER) as box:
        yield box
