"""``ncp-harness send`` end to end against the fake, with a sentinel secret that must not leak."""

from __future__ import annotations

import socket
import subprocess
import sys
import traceback
from collections.abc import Iterator
from pathlib import Path

import pytest
from mail_helpers import make_settings

from harness.cli import main
from harness.fake import FakeNcloud, Fault, FaultScript
from harness.mail import AuthenticationError, Mail, MailClient, RetryPolicy
from ncp_signing import Credentials

SENTINEL = "SENTINEL-s3cr3t-7f1d-do-not-print"
SENTINEL_KEY = "sentinel-access-key"
SEND_ARGS = ("send", "--from", "sender@example.com", "--to", "a@example.com", "--subject", "S")


@pytest.fixture(scope="module")
def sentinel_fake() -> Iterator[FakeNcloud]:
    with FakeNcloud(credentials=Credentials(SENTINEL_KEY, SENTINEL)) as fake:
        yield fake


@pytest.fixture
def fake(sentinel_fake: FakeNcloud, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeNcloud]:
    sentinel_fake.reset()
    monkeypatch.setenv("NCLOUD_ACCESS_KEY_ID", SENTINEL_KEY)
    monkeypatch.setenv("NCLOUD_SECRET_ACCESS_KEY", SENTINEL)
    monkeypatch.setenv("NCLOUD_MAIL_API_URL", sentinel_fake.url + "/api/v1")
    monkeypatch.setenv("NCLOUD_RETRY_ATTEMPTS", "1")
    yield sentinel_fake
    sentinel_fake.raise_errors()


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    assert SENTINEL not in out + err
    return status, out, err


def test_send_prints_the_request_id(fake: FakeNcloud, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(
        capsys,
        "send",
        "--from", "sender@example.com",
        "--to", "a@example.com",
        "--to", "b@example.com",
        "--cc", "c@example.com",
        "--subject", "Hi ${name}",
        "--body", "Hello ${name}",
        "--param", "name=Ada=Lovelace",
    )  # fmt: skip
    assert (status, err) == (0, "")
    [record] = fake.mail_requests
    assert out == record.request_id + "\n"
    assert [(m.to, m.recipient_type, m.title) for m in fake.mails] == [
        ("a@example.com", "R", "Hi Ada=Lovelace"),
        ("b@example.com", "R", "Hi Ada=Lovelace"),
        ("c@example.com", "C", "Hi Ada=Lovelace"),
    ]


def test_send_and_wait_prints_the_final_status(
    fake: FakeNcloud, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    body = tmp_path / "body.html"
    body.write_text("<p>본문</p>", encoding="utf-8")
    status, out, _ = run(
        capsys,
        "send", "--from", "sender@example.com", "--to", "a@example.com",
        "--subject", "S", "--body-file", str(body), "--wait", "--interval", "0.01",
    )  # fmt: skip
    request_id, summary = out.splitlines()
    assert status == 0
    assert summary == f"{request_id} finished: 1/1 done, 1 sent (S=1)"
    assert fake.mails[0].body == "<p>본문</p>"


def test_a_failed_recipient_makes_wait_exit_non_zero(
    fake: FakeNcloud, capsys: pytest.CaptureFixture[str]
) -> None:
    fake.progression.failed = frozenset({"a@example.com"})
    try:
        status, out, err = run(
            capsys,
            "send", "--from", "sender@example.com", "--to", "a@example.com",
            "--to", "b@example.com",
            "--subject", "S", "--body", "B", "--wait", "--interval", "0.01",
        )  # fmt: skip
    finally:
        fake.progression.failed = frozenset()
    [record] = fake.mail_requests
    assert status == 1
    assert "(F=1 S=1)" in out
    assert err == (
        f"ncp-harness send: error: 1 of 2 recipients of request {record.request_id} was not "
        f"sent (F=1); MailClient.list_mails('{record.request_id}') lists its mails with the "
        "reason.\n"
    )


def test_ctrl_c_while_waiting_says_the_mail_was_sent(
    fake: FakeNcloud, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(MailClient, "wait", interrupted)
    status, out, err = run(capsys, *SEND_ARGS, "--body", "B", "--wait")
    [record] = fake.mail_requests
    assert (status, out) == (130, record.request_id + "\n")
    assert err == (
        f"ncp-harness send: the mail was sent as request {record.request_id} and waiting for "
        "its final status was interrupted; check it later with "
        f"MailClient.status('{record.request_id}').\n"
    )


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("NCLOUD_RETRY_ATTEMPTS", "many", "NCLOUD_RETRY_ATTEMPTS"),
        ("NCLOUD_SECRET_ACCESS_KEY", None, "NCLOUD_SECRET_ACCESS_KEY"),
    ],
)
def test_a_wrong_or_missing_setting_exits_2_before_sending(
    fake: FakeNcloud,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    name: str,
    value: str | None,
    expected: str,
) -> None:
    if value is None:
        monkeypatch.delenv(name)
    else:
        monkeypatch.setenv(name, value)
    status, out, err = run(capsys, *SEND_ARGS, "--body", "B")
    assert (status, out) == (2, "")
    assert err.startswith("ncp-harness send: error: ")
    assert expected in err
    assert fake.requests == []


ERROR_CASES = [
    (["--to", "not-an-address"], "recipients[0].address"),
    (["--to", "a@example.com", "--param", "novalue"], "KEY=VALUE"),
    (["--to", "a@example.com", "--body-file", "/no/such/file"], "cannot read the body file"),
    (["--to", "a@example.com", "--body-file", "{latin1}"], "is not UTF-8 text (byte 3)"),
]


@pytest.mark.parametrize(("extra", "expected"), ERROR_CASES)
def test_bad_input_gives_one_clear_line(
    fake: FakeNcloud,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    extra: list[str],
    expected: str,
) -> None:
    latin1 = tmp_path / "body.txt"
    latin1.write_bytes("Caf\u00e9".encode("latin-1"))
    extra = [item.replace("{latin1}", str(latin1)) for item in extra]
    args = ["send", "--from", "sender@example.com", "--subject", "S"]
    if "--body-file" not in extra:
        args += ["--body", "B"]
    status, out, err = run(capsys, *args, *extra)
    assert (status, out) == (2, "")  # a wrong argument: nothing was sent
    assert err.startswith("ncp-harness send: error: ")
    assert expected in err
    assert len(err.splitlines()) == 1
    assert fake.requests == []


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        (["--wait", "--interval", "0"], "--interval must be a positive number of seconds"),
        (["--wait", "--interval", "-1"], "--interval must be a positive number of seconds"),
        (["--wait", "--interval", "nan"], "--interval must be a positive number of seconds"),
        (["--wait", "--timeout", "-5"], "--timeout must be zero or more seconds"),
    ],
)
def test_wrong_wait_arguments_are_refused_before_sending(
    fake: FakeNcloud, capsys: pytest.CaptureFixture[str], extra: list[str], expected: str
) -> None:
    args = ["send", "--from", "sender@example.com", "--to", "a@example.com"]
    status, out, err = run(capsys, *args, "--subject", "S", "--body", "B", *extra)
    assert (status, out) == (2, "")
    assert err.startswith("ncp-harness send: error: ")
    assert expected in err
    assert len(err.splitlines()) == 1
    assert fake.requests == []


def test_missing_settings_and_wrong_secret_are_reported_without_the_secret(
    fake: FakeNcloud, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    args = ["send", "--to", "a@example.com", "--subject", "S", "--body", "B"]
    status, out, err = run(capsys, *args)
    assert (status, out) == (2, "")  # no sender anywhere: a wrong argument, nothing sent
    assert err == (
        "ncp-harness send: error: senderAddress: is required unless templateSid is set; set "
        "it on the mail or in the settings (NCLOUD_MAIL_SENDER_ADDRESS)\n"
    )
    assert fake.requests == []
    monkeypatch.setenv("NCLOUD_SECRET_ACCESS_KEY", SENTINEL + "-wrong")
    status, _, err = run(capsys, *args, "--from", "sender@example.com")
    assert status == 1
    assert "HTTP 401" in err
    assert "signed POST /api/v1/mails" in err
    assert ".;" not in err
    assert ".." not in err
    monkeypatch.delenv("NCLOUD_SECRET_ACCESS_KEY")
    status, _, err = run(capsys, *args, "--from", "sender@example.com")
    assert status == 2  # a missing setting: nothing was sent
    assert "NCLOUD_SECRET_ACCESS_KEY" in err


def test_a_wait_that_runs_out_of_time_exits_2_after_printing_the_request_id(
    fake: FakeNcloud, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, err = run(
        capsys,
        "send", "--from", "sender@example.com", "--to", "a@example.com",
        "--subject", "S", "--body", "B", "--wait", "--timeout", "0",
    )  # fmt: skip
    [record] = fake.mail_requests
    assert (status, out) == (2, record.request_id + "\n")
    assert err.startswith(f"ncp-harness send: Request {record.request_id} did not finish ")
    assert "within 0 s: " in err
    assert len(err.splitlines()) == 1
    assert [r.path.endswith("/status") for r in fake.requests] == [False, True]


def test_a_server_that_cannot_be_reached_is_named_without_credentials(
    fake: FakeNcloud, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    monkeypatch.setenv("NCLOUD_MAIL_API_URL", f"http://127.0.0.1:{port}/api/v1")
    status, out, err = run(capsys, *SEND_ARGS, "--body", "B")
    assert (status, out) == (1, "")
    assert err == (
        f"ncp-harness send: error: POST /mails to 127.0.0.1:{port} failed before sending: "
        "the connection was refused (ConnectionError).\n"
    )
    assert SENTINEL_KEY not in err


def test_a_host_name_that_does_not_resolve_is_said_so(
    fake: FakeNcloud, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_such_host(*args: object, **kwargs: object) -> None:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setenv("NCLOUD_MAIL_API_URL", "https://mail.example.invalid/api/v1")
    monkeypatch.setattr(socket, "getaddrinfo", no_such_host)
    status, out, err = run(capsys, *SEND_ARGS, "--body", "B")
    assert (status, out) == (1, "")
    assert err == (
        "ncp-harness send: error: POST /mails to mail.example.invalid failed before sending: "
        "the host name could not be resolved (ConnectionError).\n"
    )


def test_an_untrusted_certificate_points_at_requests_ca_bundle(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    with FakeNcloud(credentials=Credentials(SENTINEL_KEY, SENTINEL), tls=True) as tls_fake:
        monkeypatch.setenv("NCLOUD_ACCESS_KEY_ID", SENTINEL_KEY)
        monkeypatch.setenv("NCLOUD_SECRET_ACCESS_KEY", SENTINEL)
        monkeypatch.setenv("NCLOUD_MAIL_API_URL", tls_fake.url + "/api/v1")
        monkeypatch.setenv("NCLOUD_RETRY_ATTEMPTS", "1")
        monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
        monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)
        status, out, err = run(capsys, *SEND_ARGS, "--body", "B")
        assert tls_fake.requests == []
    assert (status, out) == (1, "")
    assert "failed before sending: the server's TLS certificate is not trusted (SSLError); " in err
    assert "set REQUESTS_CA_BUNDLE to that CA's certificate file.\n" in err
    assert len(err.splitlines()) == 1


def test_a_base_url_without_its_api_path_is_shown_in_the_404(
    fake: FakeNcloud, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NCLOUD_MAIL_API_URL", fake.url)
    status, out, err = run(capsys, *SEND_ARGS, "--body", "B")
    assert (status, out) == (1, "")
    assert err.endswith(f"URL not found; the URL called was {fake.url}/mails.\n")
    assert ".." not in err


def test_errors_of_the_service_exit_non_zero(
    fake: FakeNcloud, capsys: pytest.CaptureFixture[str]
) -> None:
    fake.set_faults(FaultScript(faults=(Fault("throttle", code="400"),)))
    status, out, err = run(
        capsys,
        "send", "--from", "sender@example.com", "--to", "a@example.com",
        "--subject", "S", "--body", "B",
    )  # fmt: skip
    assert (status, out) == (1, "")
    assert "HTTP 429 (gateway code 400): Quota Exceeded" in err


def test_a_lost_answer_is_looked_up_not_resent(
    fake: FakeNcloud, capsys: pytest.CaptureFixture[str]
) -> None:
    fake.set_faults(FaultScript(faults=(Fault("truncate", "POST", count=1),)))
    status, out, err = run(capsys, *SEND_ARGS, "--body", "B", "--wait", "--interval", "0.1")
    [record] = fake.mail_requests  # sent once, never repeated
    assert status == 0
    assert out.splitlines()[0] == record.request_id
    assert f"the mailer holds it as request {record.request_id}" in err


def test_a_lost_answer_matching_several_requests_is_not_guessed(
    fake: FakeNcloud, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, *SEND_ARGS, "--body", "B")[0] == 0
    fake.set_faults(FaultScript(faults=(Fault("truncate", "POST", count=1),)))
    status, out, err = run(capsys, *SEND_ARGS, "--body", "B")
    assert len(fake.mail_requests) == 2
    assert (status, out) == (1, "")
    assert "2 identical requests match" in err
    assert all(record.request_id in err for record in fake.mail_requests)


def test_a_lost_answer_with_no_request_found_says_so(
    fake: FakeNcloud, capsys: pytest.CaptureFixture[str]
) -> None:
    fake.set_faults(FaultScript(faults=(Fault("reset", "POST", count=1),)))
    status, out, err = run(capsys, *SEND_ARGS, "--body", "B")
    assert fake.mail_requests == []
    assert (status, out) == (1, "")
    assert "holds no such request yet" in err


def test_no_secret_in_any_repr_error_or_traceback(sentinel_fake: FakeNcloud) -> None:
    sentinel_fake.reset()
    settings = make_settings(sentinel_fake)
    wrong = make_settings(sentinel_fake, Credentials(SENTINEL_KEY, SENTINEL + "-wrong"))
    mail = Mail(sender_address="s@example.com", title="t", body="b", recipients=["a@b.co"])
    texts: list[str] = []
    with MailClient(settings) as client:
        texts += [repr(client), str(client), repr(client.backend), repr(client.retry)]
        texts.append(repr(client.send(mail)))
    client = MailClient(wrong, retry=RetryPolicy(attempts=1))
    with client, pytest.raises(AuthenticationError) as caught:
        client.send(mail)
    error = caught.value
    texts += [str(error), repr(error), repr(vars(error))]
    texts += traceback.format_exception(error)
    joined = "\n".join(texts)
    assert "SENTINEL" not in joined
    assert "sentinel-access-key" not in joined  # only its first characters are shown
    assert "'sent…'" in joined


def test_the_console_script_runs(sentinel_fake: FakeNcloud) -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "harness.cli", "send", "--help"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0
    assert "--body-file" in completed.stdout
    with pytest.raises(SystemExit) as caught:
        main(["send", "--to", "a@example.com"])
    assert caught.value.code == 2


def test_a_secret_typed_into_an_option_is_not_echoed(
    fake: FakeNcloud, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = 'SENTINELX= a b"é-secret'
    monkeypatch.setenv("NCLOUD_SECRET_ACCESS_KEY", secret)
    monkeypatch.setenv("NCLOUD_ACCESS_KEY_ID", "AKIDSENTINEL1")
    status, _, err = run(
        capsys, "send", "--from", secret, "--to", "a@example.com", "--subject", "S", "--body", "B"
    )
    assert status == 2
    assert "senderAddress" in err
    assert "SENTINELX" not in err
