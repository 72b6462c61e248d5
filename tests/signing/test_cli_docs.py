"""Every ``ncp-sign`` command the signing guide shows, run as the installed program.

The guide's shell block exports the credential variables and then runs ``ncp-sign``; each
command here runs the same way, with test credentials under the names the guide exports, an
empty home and working directory, and its output checked against :func:`ncp_signing.sign`.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from ncp_signing import sign

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "signing.md"
PROGRAM = Path(sys.executable).parent / "ncp-sign"
ACCESS_KEY = "docs-access-key"
SECRET = "docs-Secret-Sentinel-7f"
_SHELL_BLOCK = re.compile(r"^```sh\n(.*?)^```$", re.MULTILINE | re.DOTALL)


def _shell_lines() -> list[str]:
    text = GUIDE.read_text(encoding="utf-8")
    return [line for block in _SHELL_BLOCK.findall(text) for line in block.splitlines()]


def _exported_names() -> list[str]:
    """The variable names of the guide's ``export NAME=...`` lines."""
    words = [w for line in _shell_lines() if line.startswith("export ") for w in line.split()[1:]]
    return [word.split("=", 1)[0] for word in words]


COMMANDS = [shlex.split(line) for line in _shell_lines() if line.startswith("ncp-sign ")]


def _environment(home: Path) -> dict[str, str]:
    names = _exported_names()
    assert len(names) == 2, names
    access_name, secret_name = sorted(names, key=lambda name: "SECRET" in name)
    return {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(home),
        "NCLOUD_SECRETS_DIR": str(home / "no-secrets"),
        access_name: ACCESS_KEY,
        secret_name: SECRET,
    }


def _signed_headers(output: str, fmt: str) -> dict[str, str]:
    """The headers an output shows, whichever format it is in."""
    if fmt == "json":
        headers: dict[str, str] = json.loads(output)["headers"]
        return headers
    if fmt == "curl":
        words = shlex.split(output)
        lines = [words[i + 1] for i, word in enumerate(words) if word == "-H"]
    else:
        lines = output.splitlines()
    return dict(line.split(": ", 1) for line in lines)


def test_the_guide_shows_ncp_sign_commands() -> None:
    assert len(COMMANDS) >= 3
    assert {"--format" in command for command in COMMANDS} == {True, False}


@pytest.mark.parametrize("command", COMMANDS, ids=[" ".join(c[1:])[:70] for c in COMMANDS])
def test_shown_command_runs_and_signs(command: list[str], tmp_path: Path) -> None:
    result = subprocess.run(
        [str(PROGRAM), *command[1:]],
        env=_environment(tmp_path),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    method, url = command[1], command[2]
    fmt = command[command.index("--format") + 1] if "--format" in command else "headers"
    headers = _signed_headers(result.stdout, fmt)
    stamp = headers["x-ncp-apigw-timestamp"]
    if "--timestamp" in command:
        assert stamp == command[command.index("--timestamp") + 1]
    assert headers["x-ncp-iam-access-key"] == ACCESS_KEY
    assert headers["x-ncp-apigw-signature-v2"] == sign(method, url, stamp, ACCESS_KEY, SECRET)
    assert SECRET not in result.stdout + result.stderr
