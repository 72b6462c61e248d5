"""The CLI, the debug mode, errors raised on the server thread, and the pytest fixtures."""

from __future__ import annotations

import io
import json
import threading
from contextlib import redirect_stdout
from pathlib import Path

import pytest
import requests
from fake_helpers import ACCESS_KEY, MINIMAL_MAIL, SECRET_KEY, hand_headers

from harness.fake import FakeNcloud, FakeServerError, Fault, FaultScript, Progression
from harness.fake.cli import main
from ncp_signing import Credentials


def _run_cli(argv: list[str]) -> tuple[threading.Thread, threading.Event, io.StringIO]:
    stop = threading.Event()
    out = io.StringIO()

    def run() -> None:
        with redirect_stdout(out):
            main(argv, stop=stop)

    thread = threading.Thread(target=run)
    thread.start()
    for _ in range(400):
        if out.getvalue().endswith("\n") or not thread.is_alive():
            break
        stop.wait(0.01)
    return thread, stop, out


def test_cli_prints_its_url_and_serves_with_a_fault_file(tmp_path: Path) -> None:
    faults = tmp_path / "faults.json"
    faults.write_text(json.dumps({"faults": [{"kind": "throttle", "count": 1}]}))
    argv = ["--credential", f"{ACCESS_KEY}:{SECRET_KEY}", "--faults", str(faults)]
    thread, stop, out = _run_cli(argv)
    try:
        url = out.getvalue().strip()
        assert url.startswith("http://127.0.0.1:")
        from ncp_signing.requests_auth import NcpAuth

        with requests.Session() as http:
            http.auth = NcpAuth(Credentials(ACCESS_KEY, SECRET_KEY))
            assert http.post(url + "/api/v1/mails", json=MINIMAL_MAIL).status_code == 429
            assert http.post(url + "/api/v1/mails", json=MINIMAL_MAIL).status_code == 201
    finally:
        stop.set()
        thread.join(10)
    assert not thread.is_alive()


@pytest.mark.parametrize(
    "argv",
    [
        ["--credential", "no-colon"],
        ["--faults", "/nonexistent/faults.json"],
        ["--host", "0.0.0.0", "--debug"],
    ],
)
def test_cli_rejects_bad_arguments(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 2
    assert "ncp-fake-server:" in capsys.readouterr().err


def test_debug_mode_explains_a_401_without_the_secret() -> None:
    with FakeNcloud(credentials=(ACCESS_KEY, SECRET_KEY), debug=True) as fake:
        target = "/api/v1/mails/requests?startUtc=0&endUtc=1"
        headers = hand_headers("GET", target, 1, signed_target="/api/v1/mails/requests")
        answer = requests.get(fake.url + target, headers=headers, timeout=5)
    assert answer.status_code == 401
    debug = answer.json()["debug"]
    assert debug["failedCheck"] == "timestamp"
    assert debug["expectedStringToSign"] == f"GET {target}\n1\n{ACCESS_KEY}"
    assert SECRET_KEY not in answer.text


def test_debug_is_off_by_default_and_loopback_only(fake_ncloud: FakeNcloud) -> None:
    answer = requests.get(fake_ncloud.url + "/api/v1/mails/requests", timeout=5)
    assert "debug" not in answer.json()
    with pytest.raises(ValueError, match="loopback"):
        FakeNcloud(host="0.0.0.0", debug=True)
    assert FakeNcloud(host="::1", debug=True).host == "::1"


def test_errors_on_the_server_thread_surface_in_the_test() -> None:
    fake = FakeNcloud(credentials=(ACCESS_KEY, SECRET_KEY), advance="time").start()
    with requests.Session() as http:
        http.auth = fake.auth()
        request_id = http.post(fake.url + "/api/v1/mails", json=MINIMAL_MAIL).json()["requestId"]
        fake.progression.step_ms = "broken"  # type: ignore[assignment]
        status = http.get(f"{fake.url}/api/v1/mails/requests/{request_id}/status")
    assert status.status_code == 500
    assert status.json()["error"]["errorCode"] == "900"
    with pytest.raises(FakeServerError, match="TypeError"):
        fake.stop()


def test_fixture_gives_a_clean_fake_with_test_credentials(
    fake_ncloud: FakeNcloud, fake_ncloud_credentials: Credentials
) -> None:
    assert fake_ncloud.credential == fake_ncloud_credentials
    assert fake_ncloud.mails == []
    assert fake_ncloud.requests == []
    assert fake_ncloud.progression == Progression()
    fake_ncloud.progression.advance = "instant"  # undone for the next test
    assert "127.0.0.1" in repr(fake_ncloud)


def test_credentials_in_every_form() -> None:
    keys: list[Credentials | tuple[str, str]] = [Credentials("a", "1"), ("b", "2")]
    assert [c.access_key for c in FakeNcloud(credentials=keys).credentials] == ["a", "b"]
    assert FakeNcloud(credentials=Credentials("c", "3")).credential.access_key == "c"
    with pytest.raises(FakeServerError):
        _ = FakeNcloud().credential
    with pytest.raises(FakeServerError):
        _ = FakeNcloud().url


@pytest.mark.fake_ncloud_faults({"faults": [{"kind": "throttle", "code": "420", "count": 1}]})
def test_a_marker_sets_the_fixture_fault_script(fake_ncloud: FakeNcloud) -> None:
    with requests.Session() as http:
        http.auth = fake_ncloud.auth()
        first = http.post(fake_ncloud.url + "/api/v1/mails", json=MINIMAL_MAIL, timeout=5)
        second = http.post(fake_ncloud.url + "/api/v1/mails", json=MINIMAL_MAIL, timeout=5)
    assert first.status_code == 429
    assert first.json()["error"]["errorCode"] == "420"
    assert second.status_code == 201


@pytest.mark.fake_ncloud_faults(script=FaultScript((Fault("reset", path="/api/v1/mails"),)))
def test_the_marker_takes_a_script_object_by_keyword(fake_ncloud: FakeNcloud) -> None:
    assert fake_ncloud.faults == FaultScript((Fault("reset", path="/api/v1/mails"),))


def test_without_the_marker_the_fixture_has_no_faults(fake_ncloud: FakeNcloud) -> None:
    assert fake_ncloud.faults == FaultScript()


@pytest.mark.fake_ncloud_faults
def test_a_marker_without_a_script_is_a_usage_error(
    fake_ncloud_server: FakeNcloud, request: pytest.FixtureRequest
) -> None:
    with pytest.raises(pytest.UsageError, match="takes one fault script"):
        request.getfixturevalue("fake_ncloud")
