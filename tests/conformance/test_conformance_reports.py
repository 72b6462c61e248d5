"""Reports stay well-formed whatever a signer prints; a hanging signer is ended with its helpers."""

from __future__ import annotations

import os
import time
import xml.etree.ElementTree as ET
from pathlib import Path

from conformance_kit import HERE, python_command

from harness.conformance import ExternalSigner, SigningInput
from harness.conformance._model import CaseResult
from harness.conformance._report import to_junit
from harness.conformance.cli import main

CASE = SigningInput("GET", "/api/v1/mails", "1521787414578", "ak", "sk")


def test_junit_is_well_formed_when_a_signer_prints_control_characters(tmp_path: Path) -> None:
    report = tmp_path / "ansi.xml"
    command = python_command(HERE / "ansi_signer.py")
    assert main(["--suite", "signing", "--signer-cmd", command, "--report", str(report)]) == 1
    root = ET.fromstring(report.read_bytes())  # noqa: S314 - our own report
    failures = [f for f in root.iter("failure") if "cannot sign" in f.get("message", "")]
    assert failures
    message = failures[0].get("message", "")
    assert "error: cannot sign" in message
    assert not any(ord(c) < 0x20 for c in message)


def test_junit_drops_characters_xml_forbids_from_any_reason() -> None:
    result = CaseResult("protocol:x", "C1", "T\x00itle", "fail", "bad\x1b[0m \x0b\ud800answer")
    root = ET.fromstring(to_junit([result]))  # noqa: S314 - our own report
    failure = root.find("testsuite/testcase/failure")
    assert failure is not None
    assert failure.get("message") == "bad[0m answer"


def test_a_timed_out_signer_is_killed_with_the_helpers_it_started(tmp_path: Path) -> None:
    pid_file = tmp_path / "helper.pid"
    signer = ExternalSigner(python_command(HERE / "spawning_signer.py", str(pid_file)), timeout=1)
    started = time.monotonic()
    (outcome,) = signer.sign_many([CASE])
    assert time.monotonic() - started < 10
    assert outcome.signature is None
    assert "no answer within 1 s" in outcome.detail
    helper = int(pid_file.read_text(encoding="ascii"))
    for _ in range(100):
        if not _alive(helper):
            break
        time.sleep(0.05)
    assert not _alive(helper)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return stat.read().split(") ")[-1][:1] != "Z"
    except OSError:
        return True
