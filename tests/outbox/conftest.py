"""Fixtures for the outbox and service tests: an isolated environment, settings, an outbox.

``box`` is an outbox on ``clock``, a :class:`~outbox_kit.ManualClock` that moves only when the
test advances it; ``outbox`` runs on the real clock.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from outbox_kit import SENDER, ManualClock, make_settings

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


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def box(tmp_path: Path, clock: ManualClock) -> Iterator[Outbox]:
    with Outbox(tmp_path / "o.db", sender_address=SENDER, clock=clock) as outbox:
        yield outbox
