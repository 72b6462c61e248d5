"""The command line: exit codes, the table, the reports, and the settings chain for a URL."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from conformance_kit import broken_signer

from harness.conformance import add_conformance_parser, run_conformance
from harness.conformance.cli import main
from harness.fake import FakeNcloud

SECRET = "cli-secret-key-do-not-print"


@pytest.fixture(scope="module")
def endpoint() -> Iterator[FakeNcloud]:
    with FakeNcloud(credentials=("cli-access-key", SECRET)) as fake:
        yield fake


def test_fake_run_passes_and_writes_junit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = tmp_path / "conformance.xml"
    assert main(["--target", "fake", "--report", str(report)]) == 0
    out = capsys.readouterr().out
    assert "== signer:project" in out
    assert "== protocol:fake" in out
    assert "0 failed" in out
    root = ET.fromstring(report.read_bytes())  # noqa: S314 - our own report
    assert root.tag == "testsuites"
    suites = {s.get("name"): s for s in root.iter("testsuite")}
    assert set(suites) == {"signer:project", "protocol:fake"}
    cases = list(root.iter("testcase"))
    assert int(root.get("tests", "0")) == len(cases) > 150
    assert root.get("failures") == "0"
    skipped = [c for c in cases if c.find("skipped") is not None]
    assert int(root.get("skipped", "0")) == len(skipped) == 3  # C29-C31 are n/a
    assert all(c.find("failure") is None for c in cases)


def test_failures_exit_1_and_appear_in_the_junit_report(tmp_path: Path) -> None:
    report = tmp_path / "broken.xml"
    args = ["--suite", "signing", "--signer-cmd", broken_signer("upper-method")]
    assert main([*args, "--report", str(report)]) == 1
    root = ET.fromstring(report.read_bytes())  # noqa: S314 - our own report
    external = next(s for s in root.iter("testsuite") if s.get("name") == "signer:external")
    failed = [c.get("name", "").split()[0] for c in external if c.find("failure") is not None]
    assert sorted(failed) == sorted(
        ["V10", "edge-017", "edge-017/url", "edge-018", "edge-018/url", "C13"]
    )
    assert external.get("failures") == "6"
    message = external.find("testcase/failure")
    assert message is not None
    assert "expected" in message.get("message", "")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--report", "out.txt"], "must end in .xml or .json"),
        (["--report", "no-such-folder/out.xml"], "folder 'no-such-folder' does not exist"),
        (["--target", "ftp://example.com"], "--target must be"),
        (["--target", "https://"], "an http(s) base URL, not 'https://'"),
        (["--target", "https://example.com:99999"], "an http(s) base URL, not"),
        (
            ["--target", "https://mail.apigw.ntruss.com/api/v1"],
            "without a path, such as 'https://mail.apigw.ntruss.com', not",
        ),
        (["--target", "https://example.com/?x=1"], "without a path"),
        (["--target", "https://example.com", "--allow-send"], "--allow-send needs --to"),
        (["--target", "https://example.com", "--to", "a@example.com"], "only used with"),
        (["--signer-timeout", "0"], "more than 0 and at most 3600 seconds, not 0"),
        (["--signer-timeout", "nan"], "more than 0 and at most 3600 seconds, not nan"),
        (["--signer-timeout", "inf"], "more than 0 and at most 3600 seconds, not inf"),
        (["--signer-timeout", "1e300"], "not 1e+300"),
        (["--jobs", "0"], "--jobs must be from 1 to 64, not 0"),
        (["--signer-cmd", "  "], "--signer-cmd is empty"),
        (["--signer-cmd", "python 'x"], "cannot be split into words: No closing quotation"),
        (
            ["--signer-cmd", "/nonexistent/signer -v"],
            "cannot find the program '/nonexistent/signer'",
        ),
        (["--jobs", "65"], "--jobs must be from 1 to 64, not 65"),
        (
            ["--target", "https://example.com", "--allow-send", "--to", "me at example"],
            "--to needs the recipient's address: 'me at example' is not an e-mail address",
        ),
        (
            ["--target", "https://example.com", "--allow-send", "--to", "me@example.com\x1b[2J"],
            "'me@example.com\\x1b[2J' is not",
        ),
    ],
)
def test_usage_errors_exit_2(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    assert message in capsys.readouterr().err


def test_a_target_with_a_password_is_refused_without_echoing_it(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["--target", f"https://user:{SECRET}@example.com"]) == 2
    captured = capsys.readouterr()
    assert "must not carry a user name or password" in captured.err
    assert SECRET not in captured.out + captured.err


def test_a_report_that_cannot_be_written_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    taken = tmp_path / "taken.json"
    taken.mkdir()
    assert main(["--suite", "signing", "--report", str(taken)]) == 2
    captured = capsys.readouterr()
    assert "0 failed" in captured.out
    assert f"cannot write the report {str(taken)!r}: Is a directory" in captured.err


def test_url_target_reads_the_settings_chain(
    endpoint: FakeNcloud,
    isolated_settings: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("NCLOUD_ACCESS_KEY_ID", "cli-access-key")
    monkeypatch.setenv("NCLOUD_SECRET_ACCESS_KEY", SECRET)
    report = isolated_settings / "report.json"
    code = main(["--target", endpoint.url, "--suite", "protocol", "--report", str(report)])
    captured = capsys.readouterr()
    assert code == 0, captured.out
    document = json.loads(report.read_text(encoding="utf-8"))
    assert document["target"] == endpoint.url
    assert document["signers"] == []  # --suite protocol runs no signer
    assert document["summary"]["fail"] == 0
    assert document["summary"]["total"] == len(document["cases"]) > 20
    assert {c["suite"] for c in document["cases"]} == {f"protocol:{endpoint.url}"}
    assert SECRET not in captured.out + captured.err + report.read_text(encoding="utf-8")
    assert endpoint.mails == []


def test_url_target_without_credentials_exits_2(
    isolated_settings: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--target", "http://127.0.0.1:9", "--suite", "protocol"]) == 2
    assert "cannot use the target" in capsys.readouterr().err


def test_unreachable_url_exits_2(
    isolated_settings: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("NCLOUD_ACCESS_KEY_ID", "ak")
    monkeypatch.setenv("NCLOUD_SECRET_ACCESS_KEY", SECRET)
    assert main(["--target", "http://127.0.0.1:9", "--suite", "protocol"]) == 2
    err = capsys.readouterr().err
    assert "ConnectionError" in err
    assert SECRET not in err


def test_parser_plugs_into_a_dispatcher(capsys: pytest.CaptureFixture[str]) -> None:
    parser = argparse.ArgumentParser(prog="ncp-harness")
    add_conformance_parser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["conformance", "--suite", "signing"])
    assert args.func is run_conformance
    assert args.func(args) == 0
    assert "== protocol" not in capsys.readouterr().out
    with pytest.raises(SystemExit):
        parser.parse_args(["conformance", "--help"])
    assert "--signer-cmd" in capsys.readouterr().out


def test_module_entry_point_runs() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "harness.conformance", "--suite", "signing"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "0 failed" in done.stdout
