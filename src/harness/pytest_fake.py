"""Pytest fixtures for the fake NCloud server, registered through the ``pytest11`` entry point.

``fake_ncloud`` gives each test a clean fake (one server per session, reset per test);
``fake_ncloud_credentials`` are the keys it accepts. Errors raised on the server thread
fail the test that caused them. Importing this module starts nothing and imports nothing of
the project (it lives outside ``harness.fake`` for that reason), so coverage measurement of
the packages starts before they are first imported.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from harness.fake import FakeNcloud
    from ncp_signing import Credentials

TEST_ACCESS_KEY = "test-access-key"
TEST_SECRET_KEY = "test-secret-key"  # noqa: S105 (a published test key)


@pytest.fixture(scope="session")
def fake_ncloud_credentials() -> Credentials:
    """The credentials the ``fake_ncloud`` server accepts."""
    from ncp_signing import Credentials

    return Credentials(TEST_ACCESS_KEY, TEST_SECRET_KEY)


@pytest.fixture(scope="session")
def fake_ncloud_server(fake_ncloud_credentials: Credentials) -> Iterator[FakeNcloud]:
    """One fake server for the whole session; prefer ``fake_ncloud``, which resets it."""
    from harness.fake import FakeNcloud

    with FakeNcloud(credentials=fake_ncloud_credentials) as fake:
        yield fake


@pytest.fixture
def fake_ncloud(fake_ncloud_server: FakeNcloud) -> Iterator[FakeNcloud]:
    """A clean fake NCloud server: no mail, no log, no faults, default status progression.

    After the test, any error raised on the server thread is raised here.
    """
    fake = fake_ncloud_server
    _restore(fake)
    yield fake
    try:
        fake.raise_errors()
    finally:
        _restore(fake)


def _restore(fake: FakeNcloud) -> None:
    from harness.fake import Progression

    fake.reset()
    defaults = Progression()
    progression = fake.progression
    progression.advance = defaults.advance
    progression.step_ms = defaults.step_ms
    progression.failed = defaults.failed
    progression.unsubscribed = defaults.unsubscribed
