"""Mailer conformance cases C34-C38: send, validation, reservations, polling, files."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from fake_helpers import MINIMAL_MAIL

from harness.fake import FakeNcloud

MAILS = "/api/v1/mails"


def _post(fake: FakeNcloud, session: requests.Session, body: Any) -> requests.Response:
    return session.post(fake.url + MAILS, json=body, timeout=5)


def _assert_rejects(answer: requests.Response, field: str) -> None:
    assert answer.status_code == 400, answer.text
    error = answer.json()["error"]
    assert error["code"] == error["errorCode"] == "77102"
    assert error["message"].startswith(field + ":"), error["message"]


def test_c34_minimal_send(fake_ncloud: FakeNcloud, session: requests.Session) -> None:
    answer = _post(fake_ncloud, session, MINIMAL_MAIL)
    assert answer.status_code == 201
    body = answer.json()
    assert set(body) == {"requestId", "count"}
    assert isinstance(body["requestId"], str)
    assert body["count"] == 1
    assert fake_ncloud.mail_requests[0].body == MINIMAL_MAIL


def _recipients(n: int, kind: str) -> list[dict[str, str]]:
    return [{"address": f"r{i}@example.com", "type": kind} for i in range(n)]


C35 = {
    "a-no-sender": (
        {k: v for k, v in MINIMAL_MAIL.items() if k != "senderAddress"},
        "senderAddress",
    ),
    "a-no-title": ({k: v for k, v in MINIMAL_MAIL.items() if k != "title"}, "title"),
    "a-no-body": ({k: v for k, v in MINIMAL_MAIL.items() if k != "body"}, "body"),
    "b-no-recipients": ({**MINIMAL_MAIL, "recipients": []}, "recipients"),
    "c-too-many-cc": ({**MINIMAL_MAIL, "recipients": _recipients(31, "C")}, "recipients"),
    "c-too-many-bcc": ({**MINIMAL_MAIL, "recipients": _recipients(31, "B")}, "recipients"),
    "d-six-groups": (
        {
            **MINIMAL_MAIL,
            "recipientGroupFilter": {"andFilter": True, "groups": list("abcdef")},
        },
        "recipientGroupFilter.groups",
    ),
    "e-body-over-500kb": ({**MINIMAL_MAIL, "body": "x" * (500 * 1024 + 1)}, "body"),
    "f-advertising-without-unsubscribe": (
        {**MINIMAL_MAIL, "advertising": True, "useBasicUnsubscribeMsg": False},
        "unsubscribeMessage",
    ),
}


@pytest.mark.parametrize("case", sorted(C35))
def test_c35_validation(fake_ncloud: FakeNcloud, session: requests.Session, case: str) -> None:
    body, field = C35[case]
    _assert_rejects(_post(fake_ncloud, session, body), field)
    assert fake_ncloud.mails == []


def test_c35_limits_at_the_edge_are_accepted(
    fake_ncloud: FakeNcloud, session: requests.Session
) -> None:
    body = {
        **MINIMAL_MAIL,
        "recipients": _recipients(30, "C") + _recipients(30, "B") + _recipients(1, "R"),
        "body": "x" * (500 * 1024),
        "title": "가" * 166,  # 498 bytes
        "senderName": "n" * 69,
    }
    assert _post(fake_ncloud, session, body).status_code == 201
    templated = {"templateSid": 7, "recipients": [{"address": "to@example.com"}]}
    assert _post(fake_ncloud, session, templated).status_code == 201
    advertising = {**MINIMAL_MAIL, "advertising": True, "unsubscribeMessage": "Stop: ${u}"}
    assert _post(fake_ncloud, session, advertising).status_code == 201
    assert fake_ncloud.mails[-1].body == "BodyStop: ${u}"


def test_c36_reservation_utc_wins_and_datetime_is_kst(
    fake_ncloud: FakeNcloud, session: requests.Session
) -> None:
    both = {
        **MINIMAL_MAIL,
        "reservationUtc": 1893456000000,
        "reservationDateTime": "2031-01-01 09:00",
    }
    only_local = {**MINIMAL_MAIL, "reservationDateTime": "2030-01-01 09:00"}
    assert _post(fake_ncloud, session, both).status_code == 201
    assert _post(fake_ncloud, session, only_local).status_code == 201
    first, second = fake_ncloud.mails
    assert first.reservation_utc == 1893456000000
    assert second.reservation_utc == 1893456000000  # 2030-01-01 09:00 KST is 00:00 UTC
    status = session.get(f"{fake_ncloud.url}{MAILS}/requests/{first.request_id}/status").json()
    assert status["reservationDate"]["formattedDateTime"] == "2030-01-01 09:00:00 000"
    assert status["countsByStatus"][0]["status"]["code"] == "R"
    _assert_rejects(
        _post(fake_ncloud, session, {**MINIMAL_MAIL, "reservationDateTime": "01/01/2030"}),
        "reservationDateTime",
    )


def _poll_until_done(session: requests.Session, url: str) -> list[dict[str, Any]]:
    seen = []
    for _ in range(10):
        status: dict[str, Any] = session.get(url).json()
        seen.append(status)
        if status["readyCompleted"] and status["finishCount"] == status["requestCount"]:
            return seen
    raise AssertionError("the request never finished")


def test_c37_status_polling(fake_ncloud: FakeNcloud, session: requests.Session) -> None:
    fake_ncloud.progression.failed = frozenset({"bad@example.com"})
    fake_ncloud.progression.unsubscribed = frozenset({"gone@example.com"})
    body = {
        **MINIMAL_MAIL,
        "recipients": [
            {"address": "to@example.com"},
            {"address": "bad@example.com"},
            {"address": "gone@example.com"},
        ],
    }
    request_id = _post(fake_ncloud, session, body).json()["requestId"]
    seen = _poll_until_done(session, f"{fake_ncloud.url}{MAILS}/requests/{request_id}/status")
    codes = [[c["status"]["code"] for c in s["countsByStatus"]] for s in seen]
    assert codes == [["R"], ["I"], ["F", "S", "U"]]
    assert seen[-1]["sentCount"] == 1
    assert not seen[-1]["allSentSuccess"]
    listing = session.get(
        f"{fake_ncloud.url}{MAILS}/requests",
        params={"startDateTime": "2000-01-01 00:00", "endUtc": "99999999999999"},
    ).json()
    assert listing["content"][0]["emailStatus"]["code"] == "PF"
    assert listing["totalElements"] == 1
    mails = session.get(
        f"{fake_ncloud.url}{MAILS}/requests/{request_id}/mails", params={"sendStatus": "F"}
    ).json()
    assert [m["representativeRecipient"] for m in mails["content"]] == ["bad@example.com"]
    detail = session.get(f"{fake_ncloud.url}{MAILS}/{mails['content'][0]['mailId']}").json()
    assert detail["recipients"][0]["status"]["code"] == "F"
    _assert_rejects(session.get(f"{fake_ncloud.url}{MAILS}/requests"), "startUtc")
    _assert_rejects(session.get(f"{fake_ncloud.url}{MAILS}/requests?startUtc=0"), "endUtc")


def test_c37_time_and_instant_progression(
    fake_ncloud: FakeNcloud, session: requests.Session
) -> None:
    fake_ncloud.progression.advance = "instant"
    request_id = _post(fake_ncloud, session, MINIMAL_MAIL).json()["requestId"]
    url = f"{fake_ncloud.url}{MAILS}/requests/{request_id}/status"
    assert session.get(url).json()["finishCount"] == 1
    fake_ncloud.progression.advance = "time"
    fake_ncloud.progression.step_ms = 60_000
    request_id = _post(fake_ncloud, session, MINIMAL_MAIL).json()["requestId"]
    url = f"{fake_ncloud.url}{MAILS}/requests/{request_id}/status"
    for _ in range(3):
        assert session.get(url).json()["countsByStatus"][0]["status"]["code"] == "R"


def test_c38_file_upload_and_attachment(fake_ncloud: FakeNcloud, session: requests.Session) -> None:
    files = [("fileList", ("a.txt", b"hello")), ("fileList", ("b.bin", b"\0" * 10))]
    answer = session.post(fake_ncloud.url + "/api/v1/files", files=files)
    assert answer.status_code == 201
    uploaded = answer.json()
    assert [(f["fileName"], f["fileSize"]) for f in uploaded["files"]] == [
        ("a.txt", 5),
        ("b.bin", 10),
    ]
    ids = [f["fileId"] for f in uploaded["files"]]
    sent = _post(fake_ncloud, session, {**MINIMAL_MAIL, "attachFileIds": ids})
    assert sent.status_code == 201
    assert fake_ncloud.mails[0].attach_file_ids == tuple(ids)
    mail_id = fake_ncloud.mails[0].mail_id
    detail = session.get(f"{fake_ncloud.url}{MAILS}/{mail_id}").json()
    assert [f["fileId"] for f in detail["attachFiles"]] == ids
    _assert_rejects(
        _post(fake_ncloud, session, {**MINIMAL_MAIL, "attachFileIds": ["nope"]}), "attachFileIds[0]"
    )


def test_c38_file_over_10_mb_is_rejected(
    fake_ncloud: FakeNcloud, session: requests.Session
) -> None:
    big = ("fileList", ("big.bin", b"\0" * (10 * 1024 * 1024 + 1)))
    _assert_rejects(session.post(fake_ncloud.url + "/api/v1/files", files=[big]), "fileList[0]")
    _assert_rejects(
        session.post(fake_ncloud.url + "/api/v1/files", files=[("other", ("x", b"1"))]), "fileList"
    )
    wrong_type = session.post(fake_ncloud.url + "/api/v1/files", data=b"x")
    assert wrong_type.status_code == 415
    assert wrong_type.json()["error"]["code"] == "77002"


def test_parameters_are_substituted_per_recipient(
    fake_ncloud: FakeNcloud, session: requests.Session
) -> None:
    body = {
        **MINIMAL_MAIL,
        "title": "Hi ${name} from ${team}",
        "body": "${greeting}, ${name}! ${unknown}",
        "parameters": {"team": "Ops", "greeting": "Hello", "name": "everyone"},
        "recipients": [
            {"address": "a@example.com", "parameters": {"name": "Ann"}},
            {"address": "b@example.com", "type": "C"},
        ],
    }
    assert _post(fake_ncloud, session, body).json()["count"] == 2
    first, second = fake_ncloud.mails
    assert (first.title, first.body) == ("Hi Ann from Ops", "Hello, Ann! ${unknown}")
    assert (second.title, second.recipient_type) == ("Hi everyone from Ops", "C")
    admin = requests.get(fake_ncloud.url + "/_fake/mails", timeout=5).json()
    assert [m["to"] for m in admin] == ["a@example.com", "b@example.com"]


def test_group_filter_expands_configured_groups() -> None:
    groups = {"vip": ["a@example.com", "b@example.com"], "kr": ["b@example.com", "c@example.com"]}
    with FakeNcloud(credentials=("ak", "sk"), groups=groups) as fake, requests.Session() as http:
        http.auth = fake.auth()
        body = {k: v for k, v in MINIMAL_MAIL.items() if k != "recipients"}
        both = {**body, "recipientGroupFilter": {"andFilter": True, "groups": ["vip", "kr"]}}
        either = {**body, "recipientGroupFilter": {"andFilter": False, "groups": ["vip", "kr"]}}
        assert http.post(fake.url + MAILS, json=both).json()["count"] == 1
        assert http.post(fake.url + MAILS, json=either).json()["count"] == 3


def test_other_operations_and_methods(fake_ncloud: FakeNcloud, session: requests.Session) -> None:
    for method, path in [
        ("GET", "/address-book"),
        ("DELETE", "/files/1"),
        ("GET", "/unsubscribers"),
    ]:
        answer = session.request(method, fake_ncloud.url + "/api/v1" + path)
        assert answer.status_code == 404
        assert answer.json()["error"]["errorCode"] == "300"
    wrong = session.put(fake_ncloud.url + MAILS, json={})
    assert wrong.status_code == 405
    assert wrong.json()["error"]["code"] == "77001"
    missing = session.get(fake_ncloud.url + MAILS + "/requests/123/status")
    assert (missing.status_code, missing.json()["error"]["code"]) == (400, "77103")
    not_json = session.post(
        fake_ncloud.url + MAILS, data=b"{", headers={"Content-Type": "application/json"}
    )
    _assert_rejects(not_json, "body")
    assert session.post(fake_ncloud.url + MAILS, data=b"x").status_code == 415
