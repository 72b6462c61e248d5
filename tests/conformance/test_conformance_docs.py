"""The guide's stdin sample is a valid signer input that the guide's sample signer signs."""

from __future__ import annotations

import json
import shlex
import subprocess
from pathlib import Path

import jsonschema_rs
from conformance_kit import EXAMPLES, python_command

from harness.conformance import load_vector_file
from ncp_signing import sign

SAMPLE = EXAMPLES / "conformance_case.json"
GUIDE = EXAMPLES.parent / "conformance.md"


def test_the_stdin_sample_is_included_in_the_guide() -> None:
    assert '--8<-- "docs/examples/conformance_case.json"' in GUIDE.read_text(encoding="utf-8")


def test_the_stdin_sample_matches_the_schema_and_is_signed_by_the_sample_signer() -> None:
    case = json.loads(SAMPLE.read_text(encoding="utf-8"))
    schema = load_vector_file("schema.json")
    only_input = {"$schema": schema["$schema"], "$defs": schema["$defs"]}
    validator = jsonschema_rs.validator_for({**only_input, "$ref": "#/$defs/signerInput"})
    validator.validate(case)
    done = subprocess.run(
        shlex.split(python_command(Path(EXAMPLES / "conformance_signer.py"))),
        input=SAMPLE.read_bytes(),
        capture_output=True,
        timeout=30,
        check=True,
    )
    assert done.stdout.decode().strip() == sign(**case)
