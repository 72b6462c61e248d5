"""The HTTP service over real sockets: 202 before NCloud, status, errors, health, no secrets."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from outbox_kit import SENDER, mail_data, make_settings, settled, wait_until
from pydantic import SecretStr

from harness.fake import FakeNcloud, Fault, FaultScript
from harness.outbox import DrainPolicy, Outbox
from harness.service import BackgroundServer, create_app
from harness.service._app import _without_input
from ncp_config import NcpSettings

SENTINEL = "SENTINEL-secret-9f8e7d6c5b4a"


@pytest.fixture
def secret_fake() -> Iterator[FakeNcloud]:
    with FakeNcloud(credentials=("service-access-key", SENTINEL)) as fake:
        yield fake


@pytest.fixture
def service(secret_fake: FakeNcloud, tmp_path: Path) -> Iterator[tuple[str, Outbox]]:
    settings = make_settings(secret_fake)
    assert settings.secret_key.get_secret_value() == SENTINEL
    with Outbox(tmp_path / "svc.db", sender_address=SENDER) as box:
        app = create_app(settings, outbox=box, workers=2, policy=DrainPolicy(backoff=0.05))
        with BackgroundServer(app) as server:
            yield server.url, box


def post(url: str, data: Any, **headers: str) -> requests.Response:
    return requests.post(f"{url}/api/v1/email/send", json=data, headers=headers, timeout=10)


def test_the_202_comes_back_before_ncloud_has_the_mail(
    secret_fake: FakeNcloud, service: tuple[str, Outbox]
) -> None:
    url, box = service
    secret_fake.set_faults(
        FaultScript((Fault("latency", method="POST", path="/api/*/mails", delay_ms=1000),))
    )
    answer = post(url, mail_data(1))
    assert answer.status_code == 202
    assert secret_fake.mail_requests == []  # NCloud has not answered, nor even stored it yet
    body = answer.json()
    assert body["status"] == "pending"
    assert set(body) == {"id", "status"}
    assert answer.headers["location"] == f"/api/v1/email/{body['id']}"
    wait_until(lambda: settled(box))
    state = requests.get(f"{url}/api/v1/email/{body['id']}", timeout=10).json()
    assert state["status"] == "sent"
    assert state["request_id"] == secret_fake.mail_requests[0].request_id
    assert state["error"] is None
    assert [m.to for m in secret_fake.mails] == ["user1@example.com"]


def test_a_resubmission_returns_the_same_id_and_sends_once(
    secret_fake: FakeNcloud, service: tuple[str, Outbox]
) -> None:
    url, box = service
    first = post(url, mail_data(1)).json()["id"]
    again = post(url, mail_data(1))
    assert again.status_code == 200  # not queued again: the entry as it is
    assert again.json()["id"] == first
    assert again.json()["status"] in ("pending", "sending", "sent")
    assert again.headers["location"] == f"/api/v1/email/{first}"
    keyed = post(url, mail_data(1), **{"Idempotency-Key": "order-7"}).json()["id"]
    assert keyed != first
    conflict = post(url, mail_data(2), **{"Idempotency-Key": "order-7"})
    assert conflict.status_code == 409
    assert conflict.json()["errors"][0]["field"] == "Idempotency-Key"
    wait_until(lambda: settled(box))
    assert len(secret_fake.mail_requests) == 2


@pytest.mark.parametrize(
    ("data", "fields"),
    [
        ({"title": "t", "body": "b", "recipients": ["nobody"]}, {"recipients[0].address"}),
        ({"recipients": ["a@example.com"]}, {"title"}),
        ({"title": "t", "body": "b", "recipients": [], "cc": 1}, {"cc"}),
    ],
)
def test_invalid_input_answers_422_naming_the_fields(
    service: tuple[str, Outbox], data: dict[str, Any], fields: set[str]
) -> None:
    url, box = service
    answer = post(url, data)
    assert answer.status_code == 422
    named = {item["field"] for item in answer.json()["errors"]}
    assert fields <= named
    assert box.entries() == []


def test_an_unusable_idempotency_key_answers_422_naming_the_header(
    service: tuple[str, Outbox],
) -> None:
    url, box = service
    answer = post(url, mail_data(1), **{"Idempotency-Key": "k" * 256})
    assert answer.status_code == 422
    assert answer.json()["errors"] == [
        {"field": "Idempotency-Key", "message": "must be 1 to 255 characters long, not 256"}
    ]
    assert box.entries() == []


def test_a_mail_the_outbox_cannot_store_answers_503_and_is_not_queued(
    secret_fake: FakeNcloud, tmp_path: Path
) -> None:
    settings = make_settings(secret_fake)
    path = tmp_path / "locked.db"
    with Outbox(path, sender_address=SENDER, busy_timeout=0.05) as box:
        app = create_app(settings, outbox=box, workers=0)
        with BackgroundServer(app) as server:
            holder = sqlite3.connect(path, isolation_level=None)
            holder.execute("BEGIN IMMEDIATE")  # another process holds the write lock
            try:
                refused = post(server.url, mail_data(1))
            finally:
                holder.execute("ROLLBACK")
                holder.close()
            accepted = post(server.url, mail_data(1))
        assert refused.status_code == 503
        assert refused.headers["retry-after"] == "1"
        assert refused.json() == {
            "detail": "unavailable",
            "errors": [
                {"field": "outbox", "message": "could not store the mail now; nothing was queued"}
            ],
        }
        assert SENTINEL not in refused.text
        assert accepted.status_code == 202
        assert [e.id for e in box.entries()] == [accepted.json()["id"]]


def test_an_outbox_that_cannot_be_read_answers_503(secret_fake: FakeNcloud, tmp_path: Path) -> None:
    settings = make_settings(secret_fake)
    with Outbox(tmp_path / "gone.db", sender_address=SENDER) as box:
        app = create_app(settings, outbox=box, workers=0)
        with BackgroundServer(app) as server:
            entry_id = post(server.url, mail_data(1)).json()["id"]
            box.close()  # the database is gone from under the service
            status = requests.get(f"{server.url}/api/v1/email/{entry_id}", timeout=10)
            health = requests.get(f"{server.url}/healthz", timeout=10)
    for answer in (status, health):
        assert answer.status_code == 503
        assert answer.headers["retry-after"] == "1"
        assert answer.json()["errors"] == [{"field": "outbox", "message": "cannot be read now"}]


def test_a_body_that_is_not_json_answers_422(service: tuple[str, Outbox]) -> None:
    url, _ = service
    answer = requests.post(f"{url}/api/v1/email/send", data=b"{not json", timeout=10)
    assert answer.status_code == 422
    assert answer.json()["errors"] == [{"field": "body", "message": "is not valid JSON"}]


def test_status_of_an_unknown_id_is_404(service: tuple[str, Outbox]) -> None:
    url, _ = service
    answer = requests.get(f"{url}/api/v1/email/does-not-exist", timeout=10)
    assert answer.status_code == 404


def test_a_refused_mail_reports_failed_with_the_reason(
    secret_fake: FakeNcloud, service: tuple[str, Outbox]
) -> None:
    url, box = service
    secret_fake.set_faults(FaultScript((Fault("throttle", path="/api/*/mails", code="400"),)))
    entry_id = post(url, mail_data(1)).json()["id"]
    wait_until(lambda: settled(box))
    state = requests.get(f"{url}/api/v1/email/{entry_id}", timeout=10).json()
    assert state["status"] == "failed"
    assert "QuotaExceededError" in state["error"]


def test_healthz_reports_workers_and_counts(service: tuple[str, Outbox]) -> None:
    url, _ = service
    answer = requests.get(f"{url}/healthz", timeout=10)
    assert answer.status_code == 200
    body = answer.json()
    assert body["status"] == "ok"
    assert body["workers"] == {"alive": 2, "configured": 2}
    assert body["outbox"]["pending"] == 0


def test_no_answer_or_log_ever_holds_the_secret(
    secret_fake: FakeNcloud, service: tuple[str, Outbox], caplog: pytest.LogCaptureFixture
) -> None:
    url, box = service
    caplog.set_level(logging.DEBUG)
    answers = [
        post(url, {"title": SENTINEL, "body": "b", "recipients": [SENTINEL]}),
        post(url, {"title": "t", "body": "b", "recipients": ["a@example.com"], SENTINEL: 1}),
        post(url, mail_data(1), **{"Idempotency-Key": SENTINEL}),
        post(url, mail_data(2), **{"Idempotency-Key": SENTINEL}),
        requests.get(f"{url}/api/v1/email/{SENTINEL}", timeout=10),
        requests.get(f"{url}/healthz", timeout=10),
    ]
    secret_fake.set_faults(FaultScript((Fault("error", path="/api/*/mails", status=500),)))
    failed = post(url, mail_data(3)).json()["id"]
    wait_until(lambda: settled(box) or box.counts()["unknown"] > 0)
    answers.append(requests.get(f"{url}/api/v1/email/{failed}", timeout=10))
    assert [a.status_code for a in answers[:4]] == [422, 422, 202, 409]
    for answer in answers:
        assert SENTINEL not in answer.text
        assert SENTINEL not in str(answer.headers)
    # the test's own client logs the URLs it requested; everything else is the service's
    own = url.removeprefix("http://")
    logged = [r.getMessage() for r in caplog.records]
    service_logs = [m for m in logged if own not in m]
    assert any("/api/v1/mails" in m for m in service_logs)  # the workers' calls were logged
    assert not [m for m in service_logs if SENTINEL in m]


def test_without_workers_entries_wait(secret_fake: FakeNcloud, tmp_path: Path) -> None:
    settings = make_settings(secret_fake)
    app = create_app(settings, workers=0, db_path=tmp_path / "own.db")
    with BackgroundServer(app) as server:
        entry_id = post(server.url, mail_data(1)).json()["id"]
        health = requests.get(f"{server.url}/healthz", timeout=10).json()
        state = requests.get(f"{server.url}/api/v1/email/{entry_id}", timeout=10).json()
    assert health["workers"] == {"alive": 0, "configured": 0}
    assert state["status"] == "pending"
    assert secret_fake.mail_requests == []
    with Outbox(tmp_path / "own.db") as box:
        assert box.get(entry_id).state.value == "pending"


def test_negative_workers_are_refused() -> None:
    settings = NcpSettings(access_key="ak", secret_key=SecretStr("secret-value"))
    with pytest.raises(ValueError, match="workers"):
        create_app(settings, workers=-1)


def test_a_resubmitted_failed_mail_is_queued_again_and_reported(
    secret_fake: FakeNcloud, service: tuple[str, Outbox]
) -> None:
    url, box = service
    secret_fake.set_faults(FaultScript((Fault("throttle", path="/api/*/mails", code="400"),)))
    entry_id = post(url, mail_data(1)).json()["id"]
    wait_until(lambda: settled(box))
    assert box.get(entry_id).state.value == "failed"
    secret_fake.set_faults(None)
    sent = post(url, mail_data(1))  # the quota is back: the caller sends it again
    assert sent.status_code == 202
    assert sent.json()["id"] == entry_id
    assert sent.json()["status"] in ("pending", "sending", "sent")
    wait_until(lambda: settled(box))
    assert box.get(entry_id).state.value == "sent"
    assert len(secret_fake.mail_requests) == 1
    done = post(url, mail_data(1))
    assert (done.status_code, done.json()["status"]) == (200, "sent")
    assert done.json()["request_id"] == secret_fake.mail_requests[0].request_id


def test_invalid_values_are_not_repeated_in_the_answer(service: tuple[str, Outbox]) -> None:
    url, _ = service
    bodies = [
        {"title": "t", "body": "b", "recipients": ["plain-input-echo"]},
        {"title": "t", "body": "b", "recipients": ["a@b.co"], "senderAddress": "x@naver.com"},
        {"title": "t", "body": "b", "recipients": ["a@b.co"], "reservationDateTime": "echo-me-x"},
    ]
    for body, echo in zip(bodies, ["plain-input-echo", "naver.com", "echo-me-x"], strict=True):
        answer = post(url, body)
        assert answer.status_code == 422
        assert echo not in answer.text
        assert all(item["field"] and item["message"] for item in answer.json()["errors"])
    fields = {item["field"] for item in post(url, bodies[0]).json()["errors"]}
    assert fields == {"recipients[0].address"}


def test_allowed_values_named_by_the_model_are_kept_and_submitted_ones_taken_out(
    service: tuple[str, Outbox],
) -> None:
    url, _ = service
    bad_type = {"title": "t", "body": "b", "recipients": [{"address": "a@b.co", "type": "Q"}]}
    answer = post(url, bad_type)
    assert answer.status_code == 422
    assert answer.json()["errors"] == [
        {"field": "recipients[0].type", "message": "Input should be 'R', 'C' or 'B'"}
    ]
    short = {"title": "t", "body": "b", "recipients": ["a@b.co"], "reservationDateTime": "zq"}
    message = post(url, short).json()["errors"][0]["message"]
    assert message == "the value is not in the form yyyy-MM-dd HH:mm"


def test_a_quoted_literal_is_taken_out_when_it_was_submitted() -> None:
    problems = [("a", "Input should be 'R', 'C' or 'B'"), ("b", "'Bobby' is taken")]
    data = {"a": "R", "b": "Bobby Tables", "c": "it's"}
    assert _without_input(problems, data) == [
        ("a", "Input should be the value, 'C' or 'B'"),
        ("b", "the value is taken"),
    ]
    assert _without_input([("c", '"it\'s" is odd')], data) == [("c", "the value is odd")]


def test_a_deeply_nested_body_answers_422(service: tuple[str, Outbox]) -> None:
    url, _ = service
    for raw in (b"[" * 100_000, b'{"title": ' * 50_000):
        answer = requests.post(
            f"{url}/api/v1/email/send",
            data=raw,
            headers={"content-type": "application/json"},
            timeout=10,
        )
        assert answer.status_code == 422
        assert answer.json()["errors"] in (
            [{"field": "body", "message": "is nested too deeply"}],
            [{"field": "body", "message": "is not valid JSON"}],
        )
