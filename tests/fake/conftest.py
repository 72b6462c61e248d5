"""Fixtures for the fake server's tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from harness.fake import FakeNcloud


@pytest.fixture
def session(fake_ncloud: FakeNcloud) -> Iterator[requests.Session]:
    """A keep-alive session signing every request with the fake's test credentials."""
    with requests.Session() as http:
        http.auth = fake_ncloud.auth()
        yield http
