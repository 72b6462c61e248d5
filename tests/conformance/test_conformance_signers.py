"""External signers: a correct one passes every case, each broken one fails exactly its cases."""

from __future__ import annotations

import json
import shlex
import sys
from pathlib import Path
from typing import Any

import pytest
from conformance_kit import EXAMPLES, broken_signer, python_command

from harness.conformance import (
    COMPUTED_FILE,
    EDGE_FILE,
    ExternalSigner,
    SigningInput,
    load_vector_file,
)
from harness.conformance._signing_cases import SIGNING_CASES
from harness.conformance.cli import main
from ncp_signing import InvalidInputError, canonical_uri

SIGNING_CASE_IDS = {*SIGNING_CASES, "C18", "C19"}


def _vectors() -> list[tuple[str, str, str, str | None]]:
    """(id, method, signed target, expected signature) of every signer case, from the files."""
    rows: list[tuple[str, str, str, str | None]] = []
    for c in load_vector_file(COMPUTED_FILE)["cases"]:
        rows.append((c["id"], c["method"], c["uri"], c["signature"]))
    for c in load_vector_file(EDGE_FILE)["cases"]:
        for suffix in ("", "/url"):
            rows.append((c["id"] + suffix, c["method"], c["uri_signed"], c["signature"]))
    for n, r in enumerate(load_vector_file(EDGE_FILE)["rejected_inputs"], start=1):
        rows.append((f"rejected-{n}", r["method"], r["uri_as_given"], None))
    return rows


def _signs_without_query(uri: str) -> bool:
    try:
        canonical_uri(uri.partition("?")[0])
    except InvalidInputError:
        return False
    return True


def _c_cases_with(predicate: Any) -> set[str]:
    return {
        key
        for key, (_, make) in SIGNING_CASES.items()
        if any(predicate(given, expected) for given, expected in make())
    }


EXPECTED_FAILURES = {
    "drop-query": {i for i, _, uri, sig in _vectors() if sig and "?" in uri}
    | {i for i, _, uri, sig in _vectors() if sig is None and _signs_without_query(uri)}
    | _c_cases_with(lambda given, _: "?" in canonical_uri(given.uri)),
    "upper-method": {i for i, method, _, _ in _vectors() if method != method.upper()}
    | _c_cases_with(lambda given, _: given.method != given.method.upper()),
    "urlsafe": {i for i, _, _, sig in _vectors() if sig and ("+" in sig or "/" in sig)}
    | _c_cases_with(lambda _, expected: "+" in expected or "/" in expected)
    | {"C19"},
    "never-refuse": {i for i, _, _, sig in _vectors() if sig is None},
}


def _run(command: str, report: Path) -> tuple[int, dict[str, Any]]:
    code = main(["--suite", "signing", "--signer-cmd", command, "--report", str(report)])
    document: dict[str, Any] = json.loads(report.read_text(encoding="utf-8"))
    return code, document


def _external(document: dict[str, Any], status: str) -> set[str]:
    return _ids(document, "signer:external", status)


def _ids(document: dict[str, Any], suite: str, status: str) -> set[str]:
    return {c["id"] for c in document["cases"] if (c["suite"], c["status"]) == (suite, status)}


@pytest.mark.parametrize("bug", sorted(EXPECTED_FAILURES))
def test_broken_signer_fails_exactly_its_cases(
    bug: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, document = _run(broken_signer(bug), tmp_path / "report.json")
    assert code == 1
    assert _external(document, "fail") == EXPECTED_FAILURES[bug]
    assert _ids(document, "signer:project", "fail") == set()
    assert "FAIL" in capsys.readouterr().out


def test_guide_signer_passes_every_case(tmp_path: Path) -> None:
    command = python_command(EXAMPLES / "conformance_signer.py")
    code, document = _run(command, tmp_path / "report.json")
    assert code == 0
    assert _external(document, "fail") == set()
    assert _external(document, "n/a") == {"C18"}
    passed = _external(document, "pass")
    assert len(passed) == len(_vectors()) + len(SIGNING_CASE_IDS) - 1
    assert document["summary"]["fail"] == 0


def test_expected_failure_sets_are_not_trivial() -> None:
    sizes = {bug: len(ids) for bug, ids in EXPECTED_FAILURES.items()}
    assert sizes["upper-method"] == 6  # V10, edge-017 and edge-018 in both forms, and C13
    assert 40 < sizes["drop-query"] < len(_vectors())
    assert "rejected-3" in EXPECTED_FAILURES["drop-query"]  # the control character was in the query
    assert EXPECTED_FAILURES["never-refuse"] == {f"rejected-{n}" for n in range(1, 5)}


def _one() -> SigningInput:
    return SigningInput("GET", "/", "1521787414578", "test-access-key", "test-secret-key")


def test_slow_signer_times_out() -> None:
    sleeper = shlex.join([sys.executable, "-c", "import time; time.sleep(30)"])
    [outcome] = ExternalSigner(sleeper, timeout=0.3).sign_many([_one()])
    assert (outcome.signature, outcome.refused) == (None, False)
    assert outcome.detail == "no answer within 0.3 s"


def test_refusal_keeps_the_last_line_of_stderr() -> None:
    [outcome] = ExternalSigner(broken_signer("none")).sign_many(
        [SigningInput("GET", "/a%zz", "1", "ak", "sk")]
    )
    assert outcome.refused
    assert outcome.describe() == "refused (exit 3: refused: invalid % escape in the path)"


def test_unrunnable_command_is_an_error_not_a_refusal() -> None:
    [outcome] = ExternalSigner("/nonexistent/signer-program").sign_many([_one()])
    assert (outcome.signature, outcome.refused) == (None, False)
    assert "could not run" in outcome.describe()
    with pytest.raises(ValueError, match="empty"):
        ExternalSigner("   ")


def test_a_flood_of_output_is_cut_short_in_the_reason() -> None:
    flood = shlex.join([sys.executable, "-c", "print('A' * 100_000)"])
    [outcome] = ExternalSigner(flood).sign_many([_one()])
    assert outcome.signature == "A" * 100_000
    assert outcome.describe() == "signed '" + "A" * 79 + "…'"
