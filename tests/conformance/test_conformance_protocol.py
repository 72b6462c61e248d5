"""The protocol cases against the in-process fake, and against a URL as a real endpoint would be."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from harness.conformance import CaseResult, fake_target, url_target
from harness.conformance._catalogue import NOT_APPLICABLE, REGISTRY, run_protocol
from harness.conformance._target import offset_from_date
from harness.fake import FakeNcloud, FaultScript
from ncp_signing import Credentials

KEYS = Credentials("url-access-key", "url-secret-key")
SEND_CASES = {"C21", "C34", "C35", "C38"}
FAKE_ONLY = {"C24", "C28", "C36"}


def _by_status(results: list[CaseResult]) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {"pass": set(), "fail": set(), "n/a": set()}
    for result in results:
        found[result.status].add(result.case_id)
    return found


@pytest.fixture(scope="module")
def endpoint() -> Iterator[FakeNcloud]:
    """A fake on the system clock, used as if it were a real endpoint at a URL."""
    with FakeNcloud(credentials=KEYS) as fake:
        yield fake


def test_every_case_passes_against_the_fake() -> None:
    with fake_target() as target:
        results = run_protocol(target)
    found = _by_status(results)
    assert found["fail"] == set(), [r for r in results if r.status == "fail"]
    assert found["n/a"] == set(NOT_APPLICABLE)
    assert found["pass"] == set(REGISTRY)
    assert {r.suite for r in results} == {"protocol:fake"}
    assert [r.case_id for r in results] == sorted(
        (r.case_id for r in results), key=lambda i: int(i[1:])
    )


def test_url_target_runs_only_read_and_auth_cases(endpoint: FakeNcloud) -> None:
    endpoint.reset()
    with url_target(endpoint.url, KEYS, sender="sender@example.com") as target:
        results = run_protocol(target)
    found = _by_status(results)
    assert found["fail"] == set(), [r for r in results if r.status == "fail"]
    assert found["n/a"] == SEND_CASES | FAKE_ONLY | set(NOT_APPLICABLE)
    assert endpoint.mails == []
    # Read-only: nothing but GET reached the endpoint, so nothing was sent or uploaded.
    assert {r.method for r in endpoint.requests} == {"GET"}
    assert len(endpoint.requests) > 20
    reasons = {r.case_id: r.reason for r in results}
    assert "--allow-send --to ADDR" in reasons["C34"]
    assert "polling needs --allow-send" in reasons["C37"]


def test_url_target_with_allow_send_sends_to_the_given_address(endpoint: FakeNcloud) -> None:
    endpoint.progression.advance = "instant"
    with url_target(
        endpoint.url, KEYS, sender="sender@example.com", allow_send=True, to="me@example.com"
    ) as target:
        results = run_protocol(target)
    found = _by_status(results)
    assert found["fail"] == set(), [r for r in results if r.status == "fail"]
    assert found["n/a"] == FAKE_ONLY | set(NOT_APPLICABLE)
    assert {m.to for m in endpoint.mails} == {"me@example.com"}


def test_send_cases_need_a_sender_address(endpoint: FakeNcloud) -> None:
    with url_target(endpoint.url, KEYS, sender=None, allow_send=True, to="me@example.com") as t:
        results = run_protocol(t)
    reasons = {r.case_id: r.reason for r in results if r.status == "n/a"}
    assert set(reasons) >= SEND_CASES
    assert "mail_sender_address" in reasons["C34"]


def test_wrong_credentials_fail_the_cases_that_need_acceptance(endpoint: FakeNcloud) -> None:
    wrong = Credentials(KEYS.access_key, "not-the-secret")
    with url_target(endpoint.url, wrong, sender=None, check_credentials=False) as target:
        results = run_protocol(target)
    failed = _by_status(results)["fail"]
    assert {"C6", "C7", "C16", "C22", "C23", "C27", "C33"} <= failed
    reasons = {r.case_id: r.reason for r in results}
    assert "HTTP 401, expected 200" in reasons["C16"]


def test_a_server_that_accepts_anything_fails(endpoint: FakeNcloud) -> None:
    """Point the auth cases at the fake's admin routes, which need no signature."""
    with url_target(endpoint.url, KEYS, sender=None) as target:
        results = {r.case_id: r for r in run_protocol(target)}
    assert results["C25"].status == "pass"
    with url_target(endpoint.url + "/_fake/health?", KEYS, sender=None) as target:
        lenient = {r.case_id: r for r in run_protocol(target)}
    assert {"C7", "C14", "C15", "C17", "C25", "C26", "C40"} <= {
        i for i, r in lenient.items() if r.status == "fail"
    }


def test_url_target_measures_the_server_clock(endpoint: FakeNcloud) -> None:
    """Two minutes of server skew: the skew cases centre on the server's clock, and pass."""
    endpoint.set_faults(FaultScript(clock_offset_ms=120_000))
    try:
        with url_target(endpoint.url, KEYS, sender=None) as target:
            results = {r.case_id: r for r in run_protocol(target)}
            offset = target.offset_ms
    finally:
        endpoint.set_faults(None)
    assert abs(offset - 120_000) < 2_000
    assert (results["C16"].status, results["C17"].status) == ("pass", "pass")


@pytest.mark.parametrize(
    ("date", "expected"),
    [
        ("Thu, 01 Jan 1970 00:02:00 GMT", 120_000),
        ("Thu, 01 Jan 1970 00:02:00 -0000", 120_000),
        ("Thu, 01 Jan 1970 09:02:00 +0900", 120_000),
        ("not a date", 0),
        ("", 0),
        (None, 0),
    ],
)
def test_offset_from_date(date: str | None, expected: int) -> None:
    assert offset_from_date(date, 0.0) == expected
