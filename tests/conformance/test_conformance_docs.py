"""The guide's samples: the stdin case is a valid signer input that the sample signer signs,
and the guide's command lines and options table match the parser."""

from __future__ import annotations

import json
import re
import shlex
import subprocess
from pathlib import Path

import jsonschema_rs
from conformance_kit import EXAMPLES, python_command

from harness.conformance import load_vector_file
from harness.conformance.cli import build_parser
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


def _guide_commands() -> list[list[str]]:
    """The argument lists of every ``$ ncp-harness conformance`` line of the guide."""
    commands = []
    for line in GUIDE.read_text(encoding="utf-8").splitlines():
        for prefix in ("$ ncp-harness conformance", "$ python -m harness.conformance"):
            if line.startswith(prefix):
                commands.append(shlex.split(line[len(prefix) :]))
    return commands


def test_the_guide_commands_parse() -> None:
    commands = _guide_commands()
    assert len(commands) == 5
    for argv in commands:
        build_parser().parse_args(argv)


def test_the_guide_options_table_lists_every_option() -> None:
    page = GUIDE.read_text(encoding="utf-8")
    rows = [line for line in page.splitlines() if line.startswith("| `--")]
    table = [re.split(r"(?<!\\)\|", row)[1] for row in rows]  # a cell may hold an escaped |
    spans = re.findall(r"`([^`]*)`", "".join(table))
    documented = {option for span in spans for option in re.findall(r"--[a-z][a-z-]*", span)}
    options = {
        option
        for action in build_parser()._actions
        for option in action.option_strings
        if option.startswith("--") and option != "--help"
    }
    assert documented == options
