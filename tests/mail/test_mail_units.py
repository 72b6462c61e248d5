"""Small pieces: Retry-After and Date parsing, the policy's own checks, the offset clock."""

from __future__ import annotations

from email.utils import formatdate

import pytest
from hypothesis import given
from hypothesis import strategies as st

from harness.mail import OffsetClock, RetryPolicy
from harness.mail._http import _host_of, measure_skew
from harness.mail._retry import MAX_DEADLINE, parse_retry_after


@pytest.mark.parametrize(
    ("url", "host"),
    [
        ("https://mail.apigw.ntruss.com/api/v1", "mail.apigw.ntruss.com"),
        ("https://AK1234:s3cret@mail.apigw.ntruss.com:8443/api/v1", "mail.apigw.ntruss.com:8443"),
        ("http://[::1]:9/api/v1", "[::1]:9"),
        ("http://127.0.0.1:99999/api/v1", "127.0.0.1"),
    ],
)
def test_a_connection_error_names_the_host_and_never_the_user_or_password(
    url: str, host: str
) -> None:
    assert _host_of(url) == host


def test_retry_after_in_seconds_or_as_a_date() -> None:
    assert parse_retry_after("7") == 7.0
    assert parse_retry_after(" 0 ") == 0.0
    assert parse_retry_after(None) is None
    assert parse_retry_after("soon") is None
    now = 1_700_000_000.0
    assert parse_retry_after(formatdate(now + 30, usegmt=True), now=now) == 30.0
    assert parse_retry_after(formatdate(now - 30, usegmt=True), now=now) == 0.0
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00", now=now) is None


@given(st.integers(-(10**9), 10**9))
def test_skew_is_measured_to_within_a_second(skew_ms: int) -> None:
    local_ms = 1_700_000_000_000
    date = formatdate((local_ms + skew_ms) / 1000, usegmt=True)
    measured = measure_skew(date, local_ms)
    assert measured is not None
    assert abs(measured - skew_ms) <= 1000


def test_unusable_date_headers_measure_nothing() -> None:
    assert measure_skew(None, 0) is None
    assert measure_skew("not a date", 0) is None
    assert measure_skew("Wed, 21 Oct 2015 07:28:00", 0) is None


@pytest.mark.parametrize(
    "options",
    [
        {"attempts": 0},
        {"deadline": 0},
        {"deadline": MAX_DEADLINE + 1},
        {"backoff": 2, "max_backoff": 1},
    ],
)
def test_the_policy_refuses_unsafe_values(options: dict[str, float]) -> None:
    with pytest.raises(ValueError, match=next(iter(options)).replace("max_", "")):
        RetryPolicy(**options)  # type: ignore[arg-type]


def test_settings_fill_only_what_the_policy_leaves_open() -> None:
    policy = RetryPolicy(attempts=2).with_defaults(attempts=9, deadline=600)
    assert (policy.attempts, policy.deadline) == (2, MAX_DEADLINE)


def test_backoff_grows_and_stays_under_its_cap() -> None:
    seen: list[tuple[float, float]] = []

    def jitter(low: float, high: float) -> float:
        seen.append((low, high))
        return high

    calls = 0

    def always_fails() -> None:
        nonlocal calls
        calls += 1
        from harness.mail import EndpointError

        raise EndpointError("503", http_status=503)

    sleeps: list[float] = []
    policy = RetryPolicy(
        attempts=6, deadline=100, backoff=1, max_backoff=4, sleep=sleeps.append, jitter=jitter
    )
    with pytest.raises(Exception, match="503"):
        policy.call(always_fails, replay_safe=True)
    assert calls == 6
    assert sleeps == [1, 2, 4, 4, 4]
    assert all(low == 0 for low, _ in seen)


def test_the_offset_clock_adds_its_offset() -> None:
    clock = OffsetClock(lambda: 1_000, offset_ms=5)
    assert (clock(), clock.local_ms(), clock.offset_ms) == (1_005, 1_000, 5)
    clock.set_offset(-400)
    assert clock() == 600
    assert repr(clock) == "OffsetClock(offset_ms=-400)"
