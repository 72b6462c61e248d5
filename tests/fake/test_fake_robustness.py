"""Scripted answers only: bounded values, no redirects, checked fault scripts, resets, settings."""

from __future__ import annotations

import io
import json
import socket
import threading
from contextlib import redirect_stdout
from typing import Any

import pytest
import requests
from fake_helpers import MINIMAL_MAIL

from harness.fake import FakeNcloud, FakeServerError, Fault, FaultScript, InvalidFaultScriptError
from harness.fake._faults import MAX_CLOCK_OFFSET_MS, path_matches
from harness.fake._server import base_url
from harness.fake._validation import BASIC_UNSUBSCRIBE_MESSAGE, LIMITS, MAX_RESERVATION_UTC
from harness.fake.cli import main

MAILS = "/api/v1/mails"
LIST = MAILS + "/requests?startUtc=0&endUtc=1"


def _mailer_error(answer: requests.Response, field: str) -> None:
    assert answer.status_code == 400, answer.text
    error = answer.json()["error"]
    assert error["code"] == "77102"
    assert error["message"].split(":")[0] == field


# Values without an upper bound -------------------------------------------------------------


def test_a_reservation_after_year_9999_is_rejected_naming_the_field(
    fake_ncloud: FakeNcloud, session: requests.Session
) -> None:
    late = {**MINIMAL_MAIL, "reservationUtc": 10**17}
    _mailer_error(session.post(fake_ncloud.url + MAILS, json=late), "reservationUtc")
    latest = {**MINIMAL_MAIL, "reservationUtc": MAX_RESERVATION_UTC}
    created = session.post(fake_ncloud.url + MAILS, json=latest)
    assert created.status_code == 201
    request_id = created.json()["requestId"]
    status = session.get(f"{fake_ncloud.url}{MAILS}/requests/{request_id}/status")
    assert status.status_code == 200
    listed = session.get(f"{fake_ncloud.url}{MAILS}/requests?startUtc=0&endUtc=9999999999999")
    assert listed.status_code == 200
    assert listed.json()["content"][0]["reservationDate"]["formattedDate"] == "9999-12-31"


def test_a_template_sid_beyond_32_bits_is_rejected_naming_the_field(
    fake_ncloud: FakeNcloud, session: requests.Session
) -> None:
    templated = {"recipients": MINIMAL_MAIL["recipients"]}
    too_big = session.post(fake_ncloud.url + MAILS, json={**templated, "templateSid": 2**31})
    _mailer_error(too_big, "templateSid")
    largest = session.post(fake_ncloud.url + MAILS, json={**templated, "templateSid": 2**31 - 1})
    assert largest.status_code == 201, largest.text
    assert fake_ncloud.mails[0].template_sid == 2**31 - 1


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("startUtc=--5&endUtc=1", "startUtc"),
        ("startUtc=0&endUtc=1-", "endUtc"),
        ("startUtc=%C2%B2&endUtc=1", "startUtc"),
        ("startUtc=0&endUtc=99999999999999999999999", "endUtc"),
        ("startUtc=0&endUtc=1&page=%C2%B2", "page"),
        ("startUtc=0&endUtc=1&size=%C2%B9", "size"),
        ("startUtc=0&endUtc=1&size=0", "size"),
        ("startUtc=0&endUtc=1&page=-1", "page"),
    ],
)
def test_numeric_query_values_are_ascii_integers_in_range(
    fake_ncloud: FakeNcloud, session: requests.Session, query: str, field: str
) -> None:
    _mailer_error(session.get(f"{fake_ncloud.url}{MAILS}/requests?{query}"), field)
    request_id = session.post(fake_ncloud.url + MAILS, json=MINIMAL_MAIL).json()["requestId"]
    if field in ("page", "size"):
        path = f"{MAILS}/requests/{request_id}/mails?{field}=%C2%B2"
        _mailer_error(session.get(fake_ncloud.url + path), field)


@pytest.mark.parametrize(
    ("method", "path"),
    [("POST", MAILS + "/"), ("GET", MAILS + "/requests/?startUtc=0&endUtc=1")],
)
def test_a_trailing_slash_is_an_unknown_route_not_a_redirect(
    fake_ncloud: FakeNcloud, session: requests.Session, method: str, path: str
) -> None:
    answer = session.request(
        method, fake_ncloud.url + path, json=MINIMAL_MAIL, allow_redirects=False
    )
    assert answer.status_code == 404
    assert answer.json()["error"]["errorCode"] == "300"
    assert fake_ncloud.mails == []


def test_the_basic_unsubscribe_text_counts_toward_the_body_limit(
    fake_ncloud: FakeNcloud, session: requests.Session
) -> None:
    room = LIMITS["body_bytes"] - len(BASIC_UNSUBSCRIBE_MESSAGE.encode())
    body = {**MINIMAL_MAIL, "advertising": True, "useBasicUnsubscribeMsg": True}
    _mailer_error(
        session.post(fake_ncloud.url + MAILS, json={**body, "body": "x" * (room + 1)}), "body"
    )
    assert (
        session.post(fake_ncloud.url + MAILS, json={**body, "body": "x" * room}).status_code == 201
    )
    assert len(fake_ncloud.mails[0].body.encode()) == LIMITS["body_bytes"]


_NOT_STRICT_JSON = [
    ('"title": "\\ud800"', "title"),
    ('"recipients": [{"address": "to@example.com", "name": "\\udfff"}]', "recipients[0].name"),
    ('"parameters": {"k\\ud83d": "v"}', "parameters.k\\ud83d"),
    ('"parameters": {"k": NaN}', "body"),
    ('"parameters": {"k": -Infinity}', "body"),
    ('"extra": ' + "[" * 64 + "]" * 64, "extra"),
    ('"extra": ' + "[" * 5000 + "]" * 5000, "body"),
]


@pytest.mark.parametrize(("member", "field"), _NOT_STRICT_JSON)
def test_a_body_that_is_not_strict_json_is_rejected_naming_the_field(
    fake_ncloud: FakeNcloud, session: requests.Session, member: str, field: str
) -> None:
    raw = json.dumps(MINIMAL_MAIL)[:-1] + ", " + member + "}"
    answer = session.post(
        fake_ncloud.url + MAILS, data=raw, headers={"Content-Type": "application/json"}
    )
    _mailer_error(answer, field)
    assert fake_ncloud.mails == []
    assert session.get(fake_ncloud.url + "/_fake/mails").json() == []


def test_an_escaped_surrogate_pair_is_one_character(
    fake_ncloud: FakeNcloud, session: requests.Session
) -> None:
    raw = json.dumps({**MINIMAL_MAIL, "title": "\U0001f600 \\ud800"})
    assert "\\ud83d\\ude00" in raw
    answer = session.post(
        fake_ncloud.url + MAILS, data=raw, headers={"Content-Type": "application/json"}
    )
    assert answer.status_code == 201, answer.text
    assert fake_ncloud.mails[0].title == "\U0001f600 \\ud800"


def test_a_body_nested_to_the_limit_is_accepted(
    fake_ncloud: FakeNcloud, session: requests.Session
) -> None:
    raw = json.dumps({**MINIMAL_MAIL, "extra": None})
    raw = raw.replace("null", "[" * 63 + "]" * 63)
    answer = session.post(
        fake_ncloud.url + MAILS, data=raw, headers={"Content-Type": "application/json"}
    )
    assert answer.status_code == 201, answer.text
    assert fake_ncloud.mail_requests[0].body["extra"] == json.loads(raw)["extra"]


@pytest.mark.parametrize(
    ("content_type", "data", "reason"),
    [
        ("multipart/form-data; boundary=zz", b"garbage", "Invalid multipart data."),
        ("multipart/form-data", b"garbage", "Missing boundary in multipart."),
    ],
)
def test_an_unreadable_upload_is_a_mailer_400_naming_the_part(
    fake_ncloud: FakeNcloud, session: requests.Session, content_type: str, data: bytes, reason: str
) -> None:
    answer = session.post(
        fake_ncloud.url + "/api/v1/files", data=data, headers={"Content-Type": content_type}
    )
    _mailer_error(answer, "fileList")
    assert answer.json()["error"]["message"].endswith(reason)


def test_too_many_files_in_one_upload_is_a_mailer_400(
    fake_ncloud: FakeNcloud, session: requests.Session
) -> None:
    files = [("fileList", (f"f{i}.txt", b"x")) for i in range(1001)]
    answer = session.post(fake_ncloud.url + "/api/v1/files", files=files)
    _mailer_error(answer, "fileList")
    assert "Too many files" in answer.json()["error"]["message"]


# Fault scripts --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fault", "named"),
    [
        ({"kind": "error", "path": 5}, "path must be a non-empty string, not 5."),
        ({"kind": "error", "method": ["GET"]}, 'method must be a non-empty string, not ["GET"].'),
        ({"kind": "error", "count": 1.5}, "count must be a non-negative integer or null, not 1.5."),
        (
            {"kind": "error", "count": True},
            "count must be a non-negative integer or null, not true.",
        ),
        ({"kind": "error", "count": "2"}, 'count must be a non-negative integer or null, not "2".'),
        (
            {"kind": "latency", "delayMs": "50"},
            'delayMs must be a non-negative integer of milliseconds, not "50".',
        ),
        (
            {"kind": "latency", "delayMs": 1.5},
            "delayMs must be a non-negative integer of milliseconds, not 1.5.",
        ),
        (
            {"kind": "latency", "delayMs": True},
            "delayMs must be a non-negative integer of milliseconds, not true.",
        ),
        (
            {"kind": "latency", "delayMs": False},
            "delayMs must be a non-negative integer of milliseconds, not false.",
        ),
        (
            {"kind": "throttle", "retryAfter": "3"},
            'retryAfter must be a non-negative integer of seconds or null, not "3".',
        ),
        (
            {"kind": "throttle", "retryAfter": 2.5},
            "retryAfter must be a non-negative integer of seconds or null, not 2.5.",
        ),
        (
            {"kind": "error", "probability": "half"},
            'probability must be a number from 0 to 1 or null, not "half".',
        ),
        (
            {"kind": "error", "probability": True},
            "probability must be a number from 0 to 1 or null, not true.",
        ),
        (
            {"kind": "error", "status": 503.0},
            "status must be one of 500, 503, 504 for an error, not 503.0.",
        ),
    ],
)
def test_fault_fields_of_the_wrong_type_are_refused_naming_the_value(
    fake_ncloud: FakeNcloud, fault: dict[str, Any], named: str
) -> None:
    with pytest.raises(InvalidFaultScriptError) as refused:
        FaultScript.from_json({"faults": [fault]})
    assert str(refused.value) == named
    answer = requests.put(fake_ncloud.url + "/_fake/faults", json={"faults": [fault]}, timeout=5)
    assert answer.status_code == 400
    assert named in answer.json()["error"]["message"]
    assert fake_ncloud.faults == FaultScript()


@pytest.mark.parametrize(
    ("pattern", "path", "matched"),
    [
        ("/api/*/mails", "/api/v1/mails", True),
        ("/api/*/mails", "/api/v1/mails/requests/1/mails", False),
        ("/api/v1/mails/*", "/api/v1/mails/requests", True),
        ("/api/v1/mails/*", "/api/v1/mails/requests/1/status", False),
        ("/api/v1/mails/**", "/api/v1/mails/requests/1/status", True),
        ("/api/v1/mails/**", "/api/v1/mails", True),
        ("/api/**/mails", "/api/v1/mails/requests/1/mails", True),
        ("/api/**/mails", "/api/v1/files", False),
        ("/api/v1-*/mails", "/api/v1-sgn/mails", True),
        ("*", "/api/v1/mails/requests/1/mails", True),
    ],
)
def test_fault_paths_match_one_segment_per_star(pattern: str, path: str, matched: bool) -> None:
    assert path_matches(pattern, path) is matched
    assert Fault("error", path=pattern).matches("GET", path) is matched


def test_a_star_does_not_cross_a_slash_on_the_wire(
    fake_ncloud: FakeNcloud, session: requests.Session
) -> None:
    fake_ncloud.set_faults({"faults": [{"kind": "error", "status": 503, "path": "/api/*/mails"}]})
    request_id = "20180323000000000001"
    answer = session.get(f"{fake_ncloud.url}{MAILS}/requests/{request_id}/mails")
    assert answer.status_code == 400
    assert session.post(fake_ncloud.url + MAILS, json=MINIMAL_MAIL).status_code == 503


def test_an_error_while_deciding_faults_is_a_500_and_is_raised(
    fake_ncloud: FakeNcloud, session: requests.Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(method: str, path: str) -> Any:
        raise RuntimeError("deciding failed")

    monkeypatch.setattr(fake_ncloud._state.plan, "decide", broken)
    answer = session.get(fake_ncloud.url + LIST)
    assert answer.status_code == 500
    assert answer.json()["error"]["errorCode"] == "900"
    with pytest.raises(FakeServerError, match="deciding failed"):
        fake_ncloud.raise_errors()


def test_the_admin_reset_restores_the_initial_fault_script() -> None:
    script = {"faults": [{"kind": "throttle", "method": "POST", "code": "420"}]}
    with FakeNcloud(credentials=("ak", "sk"), faults=script) as fake:
        initial = fake.faults
        fake.set_faults(None)
        assert requests.post(fake.url + "/_fake/reset", timeout=5).status_code == 200
        assert fake.faults == initial
        served = requests.get(fake.url + "/_fake/faults", timeout=5).json()
        assert served["faults"][0]["code"] == "420"
        fake.set_faults(None)
        fake.reset()
        assert fake.faults == initial


_BAD_ADMIN_BODIES = [
    ("faults", "not json", "not JSON"),
    ("faults", "[" * 5000 + "]" * 5000, "nests too deeply"),
    ("faults", '{"faults": [{"kind": "latency", "delayMs": NaN}]}', "NaN"),
    ("faults", '{"clockOffsetMs": 99999999999999999999}', "clock offset"),
    ("progression", "[" * 5000 + "]" * 5000, "nests too deeply"),
    ("progression", '{"failed": 5}', "failed value 5"),
    ("progression", '{"unsubscribed": {"a@example.com": 1}}', "unsubscribed value"),
]


@pytest.mark.parametrize(("route", "raw", "message"), _BAD_ADMIN_BODIES)
def test_a_bad_admin_body_is_a_400_that_changes_nothing(
    fake_ncloud: FakeNcloud, route: str, raw: str, message: str
) -> None:
    url = f"{fake_ncloud.url}/_fake/{route}"
    before = requests.get(url, timeout=5).json()
    answer = requests.put(url, data=raw, timeout=5)
    assert answer.status_code == 400
    assert message in answer.json()["error"]["message"]
    assert requests.get(url, timeout=5).json() == before


def test_the_clock_offset_is_bounded_so_server_dates_stay_valid(
    fake_ncloud: FakeNcloud, session: requests.Session
) -> None:
    with pytest.raises(InvalidFaultScriptError, match="clock offset"):
        FaultScript(clock_offset_ms=MAX_CLOCK_OFFSET_MS + 1)
    with pytest.raises(InvalidFaultScriptError, match="clockOffsetMs"):
        FaultScript(clock_offset_ms="5")  # type: ignore[arg-type]
    for offset in (MAX_CLOCK_OFFSET_MS, -MAX_CLOCK_OFFSET_MS):
        fake_ncloud.set_faults(FaultScript(clock_offset_ms=offset))
        answer = session.get(fake_ncloud.url + LIST)
        assert answer.status_code == 401
        assert answer.json()["error"]["details"] == "Invalid authentication information."
        assert answer.headers["Date"].endswith(" GMT")


# Settings -------------------------------------------------------------------------------


def test_failed_addresses_assigned_at_run_time_are_case_insensitive(
    fake_ncloud: FakeNcloud, session: requests.Session
) -> None:
    fake_ncloud.progression.failed = frozenset({"Ann@Example.com"})
    fake_ncloud.progression.unsubscribed = frozenset({"BOB@example.com"})
    fake_ncloud.progression.advance = "instant"
    rcpts = [{"address": "ann@EXAMPLE.com"}, {"address": "Bob@Example.Com"}]
    body = {**MINIMAL_MAIL, "recipients": rcpts}
    request_id = session.post(fake_ncloud.url + MAILS, json=body).json()["requestId"]
    status = session.get(f"{fake_ncloud.url}{MAILS}/requests/{request_id}/status").json()
    assert sorted(c["status"]["code"] for c in status["countsByStatus"]) == ["F", "U"]


def test_the_progression_is_read_and_set_over_the_admin_route(fake_ncloud: FakeNcloud) -> None:
    route = fake_ncloud.url + "/_fake/progression"
    assert requests.get(route, timeout=5).json() == {
        "advance": "poll",
        "stepMs": 1000,
        "failed": [],
        "unsubscribed": [],
    }
    change = {"advance": "time", "stepMs": 50, "failed": ["A@Example.com"]}
    answer = requests.put(route, json=change, timeout=5)
    assert answer.status_code == 200
    assert answer.json()["failed"] == ["a@example.com"]
    assert fake_ncloud.progression.advance == "time"
    assert fake_ncloud.progression.step_ms == 50
    assert fake_ncloud.progression.final_status("a@example.COM") == "F"
    refusals: list[Any] = [
        {"advance": "never"},
        {"stepMs": 0},
        {"failed": "a@example.com"},
        {"x": 1},
        [],
    ]
    for bad in refusals:
        refused = requests.put(route, json=bad, timeout=5)
        assert refused.status_code == 400
        assert refused.json()["error"]["message"]
    assert fake_ncloud.progression.step_ms == 50


def test_an_ipv6_host_is_bracketed_in_the_url() -> None:
    assert base_url("http", "::1", 8080) == "http://[::1]:8080"
    assert base_url("https", "127.0.0.1", 1) == "https://127.0.0.1:1"
    assert base_url("http", "localhost", 2) == "http://localhost:2"


def _has_ipv6_loopback() -> bool:
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as probe:
            probe.bind(("::1", 0))
    except OSError:
        return False
    return True


@pytest.mark.skipif(not _has_ipv6_loopback(), reason="no IPv6 loopback on this machine")
def test_a_fake_on_ipv6_loopback_is_reachable_at_its_url() -> None:
    with FakeNcloud(credentials=("ak", "sk"), host="::1") as fake:
        assert fake.url.startswith("http://[::1]:")
        assert requests.get(fake.url + "/_fake/health", timeout=5).json() == {"status": "ok"}


def test_the_cli_sets_the_progression_and_the_body_limit() -> None:
    stop = threading.Event()
    out = io.StringIO()
    argv = [
        *("--credential", "ak:sk", "--advance", "time", "--step-ms", "250"),
        *("--failed", "F@example.com", "--failed", "g@example.com"),
        *("--unsubscribed", "u@example.com", "--max-body-bytes", "2000"),
    ]

    def run() -> None:
        with redirect_stdout(out):
            main(argv, stop=stop)

    thread = threading.Thread(target=run)
    thread.start()
    try:
        for _ in range(500):
            if out.getvalue().endswith("\n") or not thread.is_alive():
                break
            stop.wait(0.01)
        url = out.getvalue().strip()
        assert requests.get(url + "/_fake/progression", timeout=5).json() == {
            "advance": "time",
            "stepMs": 250,
            "failed": ["f@example.com", "g@example.com"],
            "unsubscribed": ["u@example.com"],
        }
        big = {**MINIMAL_MAIL, "body": "x" * 3000}
        answer = requests.post(url + MAILS, json=big, timeout=5)
        assert answer.status_code == 413
    finally:
        stop.set()
        thread.join(10)
    assert not thread.is_alive()


@pytest.mark.parametrize("flag", ["--step-ms", "--max-body-bytes"])
def test_the_cli_refuses_a_limit_that_is_not_positive(
    flag: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        main([flag, "0"])
    assert exited.value.code == 2
    assert "not a positive integer" in capsys.readouterr().err
