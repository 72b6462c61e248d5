"""The CLI's start-up errors and warnings: one sentence each, exit 2, no traceback, no secret."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.fake import FakeNcloud, FakeServerError
from harness.fake.cli import CREDENTIALS_ENV, _all_credentials, main
from ncp_signing import Credentials

SECRET = "s3cret-never-shown"


@pytest.fixture(autouse=True)
def _no_credentials_in_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(CREDENTIALS_ENV, raising=False)


@pytest.fixture
def busy_port() -> Iterator[int]:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        yield taken.getsockname()[1]


def _stopped() -> threading.Event:
    stop = threading.Event()
    stop.set()
    return stop


def _one_error_line(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("ncp-fake-server: ")
    return lines[0]


def test_a_busy_port_is_one_sentence_with_the_reason(
    busy_port: int, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--port", str(busy_port), "--credential", f"AK:{SECRET}"]) == 2
    line = _one_error_line(capsys)
    assert line.endswith(f"did not start on 127.0.0.1:{busy_port}: address already in use.")


def test_the_python_error_carries_the_reason_too(busy_port: int) -> None:
    with pytest.raises(FakeServerError, match="address already in use"):
        FakeNcloud(port=busy_port).start()
    with pytest.raises(FakeServerError, match=r"'nohost\.invalid' does not resolve"):
        FakeNcloud(host="nohost.invalid").start()


def test_an_unbindable_host_is_one_sentence(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--host", "nohost.invalid", "--credential", f"AK:{SECRET}"]) == 2
    assert "'nohost.invalid' does not resolve" in _one_error_line(capsys)


@pytest.mark.parametrize("port", ["99999", "-1", "http"])
def test_a_port_out_of_range_is_a_usage_error(
    port: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--port", port])
    assert exited.value.code == 2
    assert f"argument --port: {port!r} is not a port from 0 to 65535" in capsys.readouterr().err
    with pytest.raises(ValueError, match="99999 is not an integer from 0 to 65535"):
        FakeNcloud(port=99999)


def test_a_non_loopback_host_starts_with_a_warning(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--host", "0.0.0.0", "--credential", f"AK:{SECRET}"], stop=_stopped()) == 0
    out, err = capsys.readouterr()
    assert out.startswith("http://0.0.0.0:")
    assert err.count("\n") == 1
    assert "--host 0.0.0.0" in err
    assert "test credentials" in err
    assert "loopback" in err


def test_a_loopback_host_starts_without_a_warning(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--credential", f"AK:{SECRET}"], stop=_stopped()) == 0
    assert capsys.readouterr().err == ""


def test_a_missing_fault_file_is_named_in_one_sentence(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = str(tmp_path / "nofile.json")
    assert main(["--faults", missing]) == 2
    line = _one_error_line(capsys)
    assert line == (
        f"ncp-fake-server: The fault file {missing!r} cannot be read: no such file or directory."
    )


def test_a_ca_file_that_cannot_be_written_is_named_in_one_sentence(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = str(tmp_path / "no-such-folder" / "ca.pem")
    argv = ["--tls-ca-file", target, "--credential", f"AK:{SECRET}"]
    assert main(argv, stop=_stopped()) == 2
    line = _one_error_line(capsys)
    assert line == (
        f"ncp-fake-server: The CA file {target!r} cannot be written: no such file or directory."
    )
    assert SECRET not in line


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (f":{SECRET}", "the access key is empty."),
        ("AK:", "is empty."),
        (SECRET, "must look like ACCESS_KEY:SECRET_KEY."),
    ],
)
def test_a_bad_credential_names_the_option_but_not_the_secret(
    value: str, reason: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--credential", value]) == 2
    line = _one_error_line(capsys)
    assert "The --credential value" in line
    assert line.endswith(reason)
    assert SECRET not in line


def test_credentials_come_from_a_file_and_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    keys = tmp_path / "keys.txt"
    keys.write_text("# test keys\nAK1:SK1\n\n  AK2:SK2  \n")
    monkeypatch.setenv(CREDENTIALS_ENV, "AK3:SK3, AK4:SK4")
    assert _all_credentials(["AK0:SK0"], str(keys)) == [
        Credentials(f"AK{n}", f"SK{n}") for n in range(5)
    ]
    assert main(["--credential-file", str(keys)], stop=_stopped()) == 0
    assert capsys.readouterr().err == ""


def test_a_bad_credential_in_a_file_or_the_environment_names_where(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    keys = tmp_path / "keys.txt"
    keys.write_text(f"AK1:SK1\n:{SECRET}\n")
    assert main(["--credential-file", str(keys)]) == 2
    line = _one_error_line(capsys)
    assert f"line 2 of --credential-file {str(keys)!r}" in line
    assert SECRET not in line
    monkeypatch.setenv(CREDENTIALS_ENV, f"AK1:SK1,{SECRET}")
    assert main([]) == 2
    line = _one_error_line(capsys)
    assert f"item 2 of {CREDENTIALS_ENV}" in line
    assert SECRET not in line
    assert main(["--credential-file", str(tmp_path / "none.txt")]) == 2
    assert "no such file or directory." in _one_error_line(capsys)
