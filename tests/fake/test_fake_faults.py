"""Every fault type, from Python, JSON files and the admin route; seeded and per route."""

from __future__ import annotations

import json
import time
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest
import requests
from fake_helpers import ACCESS_KEY, MINIMAL_MAIL, SECRET_KEY, hand_headers

from harness.fake import FakeNcloud, Fault, FaultScript, InvalidFaultScriptError
from harness.fake._faults import FaultPlan

MAILS = "/api/v1/mails"


def test_latency_is_added_to_matching_routes_only(
    fake_ncloud: FakeNcloud, session: requests.Session
) -> None:
    fake_ncloud.set_faults(FaultScript((Fault("latency", path="/api/*/mails", delay_ms=300),)))
    started = time.monotonic()
    assert session.post(fake_ncloud.url + MAILS, json=MINIMAL_MAIL).status_code == 201
    slow = time.monotonic() - started
    session.get(fake_ncloud.url + MAILS + "/requests?startUtc=0&endUtc=1")
    assert slow >= 0.3
    assert [r.delay_ms for r in fake_ncloud.requests] == [300, 0]
    logged = requests.get(fake_ncloud.url + "/_fake/requests", timeout=5).json()
    assert [r["delayMs"] for r in logged[:2]] == [300, 0]


@pytest.mark.parametrize(("status", "code"), [(500, "900"), (503, "500"), (504, "510")])
def test_gateway_errors(
    fake_ncloud: FakeNcloud, session: requests.Session, status: int, code: str
) -> None:
    fake_ncloud.set_faults({"faults": [{"kind": "error", "status": status, "count": 2}]})
    answers = [session.post(fake_ncloud.url + MAILS, json=MINIMAL_MAIL) for _ in range(3)]
    assert [a.status_code for a in answers] == [status, status, 201]
    assert answers[0].json()["error"]["errorCode"] == code
    assert [r.fault for r in fake_ncloud.requests] == ["error", "error", None]
    assert len(fake_ncloud.mails) == 1


def test_throttle_without_retry_after(fake_ncloud: FakeNcloud, session: requests.Session) -> None:
    fake_ncloud.set_faults(FaultScript((Fault("throttle", code="420", retry_after=None),)))
    answer = session.post(fake_ncloud.url + MAILS, json=MINIMAL_MAIL)
    assert answer.status_code == 429
    assert "Retry-After" not in answer.headers


def test_connection_reset_before_any_response(
    fake_ncloud: FakeNcloud, session: requests.Session
) -> None:
    fake_ncloud.set_faults(FaultScript((Fault("reset", method="POST", count=1),)))
    with pytest.raises(requests.ConnectionError):
        session.post(fake_ncloud.url + MAILS, json=MINIMAL_MAIL)
    assert session.post(fake_ncloud.url + MAILS, json=MINIMAL_MAIL).status_code == 201
    assert len(fake_ncloud.mails) == 1


def test_truncated_body(fake_ncloud: FakeNcloud, session: requests.Session) -> None:
    fake_ncloud.set_faults(FaultScript((Fault("truncate", count=1),)))
    with pytest.raises(requests.exceptions.ChunkedEncodingError):
        session.post(fake_ncloud.url + MAILS, json=MINIMAL_MAIL)
    assert fake_ncloud.requests[0].fault == "truncate"
    assert len(fake_ncloud.mails) == 1  # the server handled it; only the answer was cut


def test_clock_offset_moves_date_header_and_window() -> None:
    now = 1_700_000_000_000
    fake = FakeNcloud(credentials=(ACCESS_KEY, SECRET_KEY), clock=lambda: now)
    with fake, requests.Session() as http:
        fake.set_faults(FaultScript(clock_offset_ms=120_000))
        ahead = hand_headers("POST", MAILS, now + 120_000)
        answer = http.post(fake.url + MAILS, json=MINIMAL_MAIL, headers=ahead)
        assert answer.status_code == 201
        shown = parsedate_to_datetime(answer.headers["Date"]).timestamp()
        assert shown == (now + 120_000) // 1000
        fake.set_faults({"clockOffsetMs": -400_000})
        on_time = hand_headers("POST", MAILS, now)
        rejected = http.post(fake.url + MAILS, json=MINIMAL_MAIL, headers=on_time)
        assert rejected.status_code == 401
        assert fake.requests[-1].auth_check == "timestamp"


def _statuses(fake: FakeNcloud, session: requests.Session, seed: int) -> list[int]:
    fake.reset()
    fake.set_faults({"seed": seed, "faults": [{"kind": "error", "probability": 0.5}]})
    url = fake.url + MAILS + "/requests?startUtc=0&endUtc=1"
    return [session.get(url).status_code for _ in range(20)]


def test_probability_is_seeded(fake_ncloud: FakeNcloud, session: requests.Session) -> None:
    first = _statuses(fake_ncloud, session, 7)
    assert first == _statuses(fake_ncloud, session, 7)
    assert set(first) == {200, 503}
    assert first != _statuses(fake_ncloud, session, 8)


def test_faults_from_a_json_file_and_the_admin_route(
    fake_ncloud: FakeNcloud, session: requests.Session, tmp_path: Path
) -> None:
    script = {"seed": 1, "faults": [{"kind": "throttle", "code": "400", "count": 1}]}
    path = tmp_path / "faults.json"
    path.write_text(json.dumps(script), encoding="utf-8")
    fake_ncloud.set_faults(FaultScript.from_file(path))
    assert session.post(fake_ncloud.url + MAILS, json=MINIMAL_MAIL).status_code == 429
    admin = fake_ncloud.url + "/_fake/faults"
    with requests.Session() as http:
        put = http.put(admin, json={"faults": [{"kind": "error", "status": 504}]})
        assert put.status_code == 200
        assert session.get(fake_ncloud.url + MAILS + "/requests").status_code == 504
        assert http.get(admin).json()["faults"][0]["status"] == 504
        assert http.put(admin, json={"faults": [{"kind": "boom"}]}).status_code == 400
        http.delete(admin)
        assert fake_ncloud.faults == FaultScript()
        http.post(fake_ncloud.url + "/_fake/reset")
    assert fake_ncloud.requests == []


@pytest.mark.parametrize(
    "bad",
    [
        {"faults": [{"kind": "error", "status": 502}]},
        {"faults": [{"kind": "throttle", "code": "430"}]},
        {"faults": [{"kind": "latency", "probability": 2}]},
        {"faults": [{"kind": "latency", "count": -1}]},
        {"faults": [{"kind": "latency", "delayMs": -5}]},
        {"faults": [{"kind": "latency", "colour": "red"}]},
        {"faults": [{"method": "GET"}]},
        {"faults": {}},
        {"seed": "x"},
        {"extra": 1},
    ],
)
def test_invalid_scripts_are_rejected(bad: dict[str, object]) -> None:
    with pytest.raises(InvalidFaultScriptError):
        FaultScript.from_json(bad)


def test_script_round_trips_through_json() -> None:
    script = FaultScript(
        (Fault("throttle", method="POST", path="/api/*", count=2, code="400"),), seed=3
    )
    assert FaultScript.from_json(json.loads(json.dumps(script.to_json()))) == script


def test_admin_routes_are_not_faulted(fake_ncloud: FakeNcloud) -> None:
    fake_ncloud.set_faults(FaultScript((Fault("reset"),)))
    with requests.Session() as http:
        assert http.get(fake_ncloud.url + "/_fake/health").status_code == 200
        log = http.get(fake_ncloud.url + "/_fake/requests").json()
    assert log[0]["auth"] == "not-required"


def test_a_fault_file_with_a_byte_order_mark_is_read(tmp_path: Path) -> None:
    path = tmp_path / "faults.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps({"faults": [{"kind": "reset"}]}).encode())
    assert FaultScript.from_file(path) == FaultScript((Fault("reset"),))


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (json.dumps({"faults": []}).encode("utf-16"), "is not UTF-8 text"),
        (b"[" * 5000 + b"]" * 5000, "is not JSON"),
    ],
)
def test_an_unreadable_fault_file_is_refused_in_one_sentence(
    tmp_path: Path, content: bytes, message: str
) -> None:
    path = tmp_path / "faults.json"
    path.write_bytes(content)
    with pytest.raises(InvalidFaultScriptError, match=message):
        FaultScript.from_file(path)


def test_a_truncate_count_is_kept_by_requests_the_gateway_refuses() -> None:
    script = FaultScript((Fault("truncate", method="POST", count=1),))
    fake = FakeNcloud(credentials=(ACCESS_KEY, SECRET_KEY), max_body_bytes=1000, faults=script)
    with fake, requests.Session() as session:
        session.auth = fake.auth()
        url = fake.url + MAILS
        unsigned = requests.post(url, json=MINIMAL_MAIL, timeout=5)
        assert unsigned.status_code == 401
        assert unsigned.json()["error"]["errorCode"] == "200"
        oversized = session.post(url, json={**MINIMAL_MAIL, "body": "x" * 2000})
        assert oversized.status_code == 413
        assert oversized.json()["error"]["errorCode"] == "430"
        with pytest.raises(requests.exceptions.ChunkedEncodingError):
            session.post(url, json=MINIMAL_MAIL)
        assert session.post(url, json=MINIMAL_MAIL).status_code == 201
        assert [r.status for r in fake.requests] == [401, 413, 201, 201]
        assert [r.fault for r in fake.requests] == [None, None, "truncate", None]


def test_two_requests_decided_for_one_truncate_take_it_once() -> None:
    truncate, error = Fault("truncate", count=1), Fault("error", status=500)
    plan = FaultPlan(FaultScript((truncate, error)))
    first, second = plan.decide("POST", MAILS), plan.decide("POST", MAILS)
    assert first.fault == second.fault == truncate
    assert (plan.take(first), plan.take(second)) == (True, False)
    third = plan.decide("POST", MAILS)
    assert third.fault == error
    assert plan.take(third) is False
