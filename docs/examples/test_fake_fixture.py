"""The ``fake_ncloud`` fixture: a clean fake per test, with known test credentials."""

import pytest
import requests

from harness.fake import FakeNcloud, Fault, FaultScript


def test_retry_after_a_throttle(fake_ncloud: FakeNcloud) -> None:
    fake_ncloud.set_faults(FaultScript((Fault("throttle", code="410", count=1),)))
    mail = {
        "senderAddress": "shop@example.com",
        "title": "Hi",
        "body": "Hello",
        "recipients": [{"address": "ann@example.com"}],
    }
    with requests.Session() as http:
        http.auth = fake_ncloud.auth()  # signs with fake_ncloud.credential
        first = http.post(fake_ncloud.url + "/api/v1/mails", json=mail)
        assert first.status_code == 429
        assert first.headers["Retry-After"] == "1"
        second = http.post(fake_ncloud.url + "/api/v1/mails", json=mail)
        assert second.status_code == 201


@pytest.mark.fake_ncloud_faults({"faults": [{"kind": "reset", "count": 1}]})
def test_a_dropped_connection_then_success(fake_ncloud: FakeNcloud) -> None:
    mail = {
        "senderAddress": "shop@example.com",
        "title": "Hi",
        "body": "Hello",
        "recipients": [{"address": "ann@example.com"}],
    }
    with requests.Session() as http:
        http.auth = fake_ncloud.auth()
        with pytest.raises(requests.ConnectionError):
            http.post(fake_ncloud.url + "/api/v1/mails", json=mail)
        assert http.post(fake_ncloud.url + "/api/v1/mails", json=mail).status_code == 201


def test_polling_until_done(fake_ncloud: FakeNcloud) -> None:
    fake_ncloud.progression.failed = frozenset({"bounce@example.com"})
    mail = {
        "senderAddress": "shop@example.com",
        "title": "Hi",
        "body": "Hello",
        "recipients": [{"address": "ann@example.com"}, {"address": "bounce@example.com"}],
    }
    with requests.Session() as http:
        http.auth = fake_ncloud.auth()
        request_id = http.post(fake_ncloud.url + "/api/v1/mails", json=mail).json()["requestId"]
        url = f"{fake_ncloud.url}/api/v1/mails/requests/{request_id}/status"
        seen = []
        while True:
            status = http.get(url).json()
            seen.append([c["status"]["code"] for c in status["countsByStatus"]])
            if status["finishCount"] == status["requestCount"]:
                break
    assert seen == [["R"], ["I"], ["F", "S"]]
