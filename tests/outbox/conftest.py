"""Fixtures for the outbox and service tests: an isolated environment, settings, an outbox."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from outbox_kit import SENDER, make_settings

from harness.fake import FakeNcloud
from harness.outbox import Outbox
from ncp_config import NcpSettings


@pytest.fixture
def settings(fake_ncloud: FakeNcloud) -> NcpSettings:
    return make_settings(fake_ncloud)


@pytest.fixture
def outbox(tmp_path: Path) -> Iterator[Outbox]:
    with Outbox(tmp_path / "outbox.sqlite3", sender_address=SENDER) as box:
        yield box
