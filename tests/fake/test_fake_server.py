"""The server handle: start, stop, URL, inspection, reset, errors, the Date header."""

from __future__ import annotations

import requests
from fake_helpers import MINIMAL_MAIL

from harness.fake import FakeNcloud


def test_context_manager_serves_on_loopback_and_stops() -> None:
    with FakeNcloud(credentials=("ak", "sk")) as fake:
        assert fake.url.startswith("http://127.0.0.1:")
        with requests.Session() as http:
            answer = http.get(fake.url + "/_fake/health", timeout=5)
        assert answer.json() == {"status": "ok"}
        url = fake.url
    try:
        requests.get(url + "/_fake/health", timeout=1)
    except requests.ConnectionError:
        pass
    else:
        raise AssertionError("the server still answers after the with block")


def test_signed_send_is_accepted_and_stored(
    fake_ncloud: FakeNcloud, session: requests.Session
) -> None:
    answer = session.post(fake_ncloud.url + "/api/v1/mails", json=MINIMAL_MAIL, timeout=5)
    assert answer.status_code == 201
    assert answer.headers["Date"].endswith("GMT")
    assert [m.to for m in fake_ncloud.mails] == ["to@example.com"]
    assert fake_ncloud.requests[-1].auth == "ok"
