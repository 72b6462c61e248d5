"""Problems that make the whole run pointless end it at once with one message and exit 2."""

from __future__ import annotations

import shlex
import socket
import sys
from pathlib import Path

import pytest
import requests

from harness.conformance._model import shorten
from harness.conformance.cli import main
from harness.fake import FakeNcloud

SECRET = "stops-secret-key-do-not-print"
ACCESS = "stops-access-key-0123"


@pytest.fixture
def credentials(isolated_settings: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("NCLOUD_ACCESS_KEY_ID", ACCESS)
    monkeypatch.setenv("NCLOUD_SECRET_ACCESS_KEY", SECRET)
    return isolated_settings


def test_allow_send_without_a_sender_address_is_refused(
    credentials: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with FakeNcloud(credentials=(ACCESS, SECRET)) as fake:
        code = main(["--target", fake.url, "--allow-send", "--to", "ops@example.com"])
        assert fake.mails == []
    err = capsys.readouterr().err
    assert code == 2
    assert "--allow-send needs a sender address" in err
    assert "NCLOUD_MAIL_SENDER_ADDRESS" in err
    assert "--from ADDR" in err


def test_from_supplies_the_sender_and_mail_is_sent(
    credentials: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with FakeNcloud(credentials=(ACCESS, SECRET)) as fake:
        argv = ["--target", fake.url, "--suite", "protocol", "--allow-send"]
        code = main([*argv, "--to", "ops@example.com", "--from", "noreply@example.com"])
        out = capsys.readouterr().out
        assert code == 0, out
        assert fake.mails
    assert "C34" in out


def test_from_is_checked(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["--target", "https://example.com", "--allow-send", "--to", "ops@example.com"]
    assert main([*argv, "--from", "not an address"]) == 2
    assert "--from needs the sender's address" in capsys.readouterr().err
    assert main(["--target", "https://example.com", "--from", "a@example.com"]) == 2
    assert "--from is only used with --allow-send" in capsys.readouterr().err


def test_plain_http_to_a_network_host_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--target", "http://mail.example.com"]) == 2
    err = capsys.readouterr().err
    assert "'http://mail.example.com' uses plain http" in err
    assert "use https" in err


def test_a_connection_failure_is_one_sentence_naming_the_host(
    credentials: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--target", "http://127.0.0.1:9"]) == 2
    captured = capsys.readouterr()
    assert captured.err.strip() == "conformance: cannot connect to 127.0.0.1:9 (ConnectionError)"
    assert captured.out == ""  # stopped before any case ran


def test_wrong_credentials_stop_the_run_with_the_key_masked(
    credentials: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with FakeNcloud(credentials=("other-access-key-0123", "other-secret")) as fake:
        url = fake.url
        assert main(["--target", url]) == 2
    captured = capsys.readouterr()
    assert f"the gateway at {url} rejected the credentials of access key" in captured.err
    assert "(HTTP 401)" in captured.err
    assert ACCESS not in captured.err
    assert ACCESS[:4] in captured.err
    assert SECRET not in captured.out + captured.err
    assert captured.out == ""


def test_a_signer_command_that_cannot_start_stops_the_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    command = shlex.join([sys.executable, "docs/examples/conformance_signer.py"])
    assert main(["--suite", "signing", "--signer-cmd", command]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1
    assert f"the signer command {command!r} failed on its first case with exit 2" in lines[0]
    assert f"current directory, {tmp_path}" in lines[0]
    assert "[Errno 2] No such file or directory" in lines[0]


def test_a_signer_that_prints_nothing_stops_the_run(capsys: pytest.CaptureFixture[str]) -> None:
    command = shlex.join([sys.executable, "-c", "pass"])
    assert main(["--suite", "signing", "--signer-cmd", command]) == 2
    assert "printed no signature for its first case" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        ("short", 10, "short"),
        ("can't open file 'x': [Errno 2] No such file", 30, "can't open file 'x':…"),
        ("abcdefghijkl", 5, "abcd…"),
    ],
)
def test_shorten_cuts_at_a_word_boundary(text: str, limit: int, expected: str) -> None:
    assert shorten(text, limit) == expected
    assert len(shorten(text, limit)) <= limit


def test_an_https_fake_is_trusted_through_ca_file(
    credentials: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
    with FakeNcloud(credentials=(ACCESS, SECRET), tls=True) as fake:
        argv = ["--target", fake.url, "--suite", "protocol"]
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert "certificate is not trusted" in err
        assert "--ca-file" in err
        code = main([*argv, "--ca-file", fake.ca_file])
        out = capsys.readouterr().out
        assert code == 0, out
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", fake.ca_file)
        assert main(argv) == 0, capsys.readouterr().out


def test_ca_file_is_checked(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--target", "https://example.com", "--ca-file", str(tmp_path / "no.pem")]) == 2
    assert "is not a file" in capsys.readouterr().err
    assert main(["--ca-file", str(tmp_path)]) == 2
    assert "--ca-file is only used with an https URL target" in capsys.readouterr().err


def test_a_crashing_signer_is_shown_by_its_last_stderr_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    command = shlex.join([sys.executable, "-c", "raise RuntimeError('signer broke here')"])
    assert main(["--suite", "signing", "--signer-cmd", command]) == 2
    err = capsys.readouterr().err
    assert err.rstrip().endswith("RuntimeError: signer broke here")
    assert "Traceback" not in err


def test_a_broken_signer_is_reported_before_the_target_is_contacted(
    credentials: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("the target was contacted")

    monkeypatch.setattr(requests.Session, "request", no_network)
    command = shlex.join([sys.executable, "-c", "pass"])
    argv = ["--target", "https://example.invalid", "--signer-cmd", command]
    assert main(argv) == 2
    assert "printed no signature for its first case" in capsys.readouterr().err


def test_the_signing_suite_runs_offline_with_a_url_target(
    isolated_settings: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("the target was contacted")

    monkeypatch.setattr(requests.Session, "request", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    for name in ("NCLOUD_ACCESS_KEY_ID", "NCLOUD_SECRET_ACCESS_KEY"):
        monkeypatch.delenv(name, raising=False)
    code = main(["--suite", "signing", "--target", "https://example.invalid"])
    captured = capsys.readouterr()
    assert code == 0, captured.out + captured.err


def test_ca_file_accepts_an_upper_case_https_target(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--target", "HTTPS://example.com", "--ca-file", str(tmp_path / "no.pem")]) == 2
    err = capsys.readouterr().err
    assert "is not a file" in err
    assert "only used with an https URL target" not in err


def test_https_to_a_plain_http_port_is_a_handshake_failure(
    credentials: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with FakeNcloud(credentials=(ACCESS, SECRET)) as fake:
        url = fake.url.replace("http://", "https://")
        host = url.removeprefix("https://").rstrip("/")
        assert main(["--target", url, "--suite", "protocol"]) == 2
    err = capsys.readouterr().err
    assert f"cannot connect to {host} over TLS: the TLS handshake failed" in err
    assert "not trusted" not in err


def test_a_ca_file_that_is_not_a_certificate_is_a_handshake_failure(
    credentials: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bogus = tmp_path / "bogus.pem"
    bogus.write_text("not a certificate\n")
    with FakeNcloud(credentials=(ACCESS, SECRET), tls=True) as fake:
        assert main(["--target", fake.url, "--suite", "protocol", "--ca-file", str(bogus)]) == 2
    err = capsys.readouterr().err
    assert "the TLS handshake failed" in err
    assert "not trusted" not in err
