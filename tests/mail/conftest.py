"""Fixtures for the mail client tests: an isolated environment, settings and a fast client."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from mail_helpers import Sleeps, make_settings

from harness.fake import FakeNcloud
from harness.mail import MailClient, RetryPolicy
from ncp_config import NcpSettings


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
