"""Pytest fixtures for the fake NCloud server, registered through the ``pytest11`` entry point.

``fake_ncloud`` gives each test a clean fake (one server per session, reset per test);
``fake_ncloud_credentials`` are the keys it accepts; the ``fake_ncloud_faults(script)`` marker
sets the fault script a test starts with. Errors raised on the server thread fail the test
that caused them. Importing this module starts nothing and imports nothing of
the project (it lives outside ``harness.fake`` for that reason), so coverage measurement of
the packages starts before they are first imported.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from harness.fake import FakeNcloud
    from ncp_signing import Credentials

TEST_ACCESS_KEY = "test-access-key"
TEST_SECRET_KEY = "test-secret-key"  # noqa: S105 (a published test key)
FAULTS_MARKER = "fake_ncloud_faults"


def pytest_configure(config: pytest.Config) -> None:
    """Register the ``fake_ncloud_faults`` marker."""
    config.addinivalue_line(
        "markers",
        f"{FAULTS_MARKER}(script): the fault script the fake_ncloud fixture starts the test "
        "with (a FaultScript or its JSON form)",
    )


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
def fake_ncloud(
    fake_ncloud_server: FakeNcloud, request: pytest.FixtureRequest
) -> Iterator[FakeNcloud]:
    """A clean fake NCloud server: no mail, no log, no faults, default status progression.

    ``@pytest.mark.fake_ncloud_faults(script)`` on the test (or its class or module) starts
    it with that fault script instead. After the test, any error raised on the server thread
    is raised here.
    """
    fake = fake_ncloud_server
    _restore(fake)
    marker = request.node.get_closest_marker(FAULTS_MARKER)
    if marker is not None:
        fake.set_faults(_marker_script(marker))
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


def _marker_script(marker: pytest.Mark) -> Any:
    if len(marker.args) + len(marker.kwargs) != 1 or set(marker.kwargs) - {"script"}:
        raise pytest.UsageError(
            f"The {FAULTS_MARKER} marker takes one fault script, as in "
            f'@pytest.mark.{FAULTS_MARKER}({{"faults": [{{"kind": "reset", "count": 1}}]}}).'
        )
    return marker.args[0] if marker.args else marker.kwargs["script"]
