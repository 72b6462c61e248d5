"""A planted secret key never leaves the fake: not in reprs, answers, logs or CLI output."""

from __future__ import annotations

import io
import threading
from contextlib import redirect_stderr, redirect_stdout

import pytest
import requests
from fake_helpers import MINIMAL_MAIL, hand_headers

from harness.fake import FakeNcloud
from harness.fake.cli import main

SENTINEL = "planted-secret-7f3a9c"
LIST = "/api/v1/mails/requests?startUtc=0&endUtc=9999999999999"


def test_a_planted_secret_appears_nowhere_the_fake_shows() -> None:
    seen: list[str] = []
    with FakeNcloud(credentials=("sentinel-key", SENTINEL), debug=True) as fake:
        with requests.Session() as http:
            http.auth = fake.auth()
            answers = [
                http.post(fake.url + "/api/v1/mails", json=MINIMAL_MAIL),
                http.get(fake.url + LIST),
                http.get(fake.url + "/api/v1/nowhere"),
            ]
        stale = hand_headers("GET", LIST, 1, access_key="sentinel-key", secret=SENTINEL)
        wrong = hand_headers("GET", LIST, 1, access_key="sentinel-key", secret="other")
        answers += [requests.get(fake.url + LIST, headers=h, timeout=5) for h in (stale, wrong)]
        for route in ("requests", "mails", "faults", "progression"):
            answers.append(requests.get(f"{fake.url}/_fake/{route}", timeout=5))
        seen += [a.text for a in answers] + [str(dict(a.headers)) for a in answers]
        seen += [repr(fake), repr(fake._state), repr(fake.credentials), repr(fake.requests)]
        seen += [repr(fake.mails), repr(fake.mail_requests)]
    assert [a.status_code for a in answers[:5]] == [201, 200, 404, 401, 401]
    assert "debug" in answers[3].json()
    leaks = [text for text in seen if SENTINEL in text]
    assert leaks == []


@pytest.mark.parametrize(
    "argv",
    [
        ["--credential", f"sentinel-key:{SENTINEL}"],
        ["--credential", f":{SENTINEL}"],
        ["--credential", f"sentinel-key:{SENTINEL}", "--host", "0.0.0.0", "--debug"],
    ],
)
def test_the_cli_never_prints_the_secret(argv: list[str]) -> None:
    out, err, stop = io.StringIO(), io.StringIO(), threading.Event()
    stop.set()  # serve no longer than it takes to start and print the URL
    with redirect_stdout(out), redirect_stderr(err):
        main(argv, stop=stop)
    assert out.getvalue() or err.getvalue()
    assert SENTINEL not in out.getvalue() + err.getvalue()


def test_legacy_api_keys_are_not_in_the_state_repr() -> None:
    api_key = "planted-api-key-5e1d"
    with FakeNcloud(credentials=("ak", "sk"), api_keys=[api_key]) as fake:
        shown = repr(fake._state) + repr(fake)
        assert fake._state.api_keys == frozenset({api_key})
    assert "api_keys" not in shown
    assert api_key not in shown
