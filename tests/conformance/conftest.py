"""Shared pieces of the runner's tests: the signer commands and an isolated settings chain."""

from __future__ import annotations

import os
import shlex
import sys
from pathlib import Path

import pytest

import ncp_config._load

HERE = Path(__file__).parent
EXAMPLES = HERE.parent.parent / "docs" / "examples"


def python_command(script: Path, *args: str) -> str:
    """A command line running ``script`` with this interpreter, isolated and without site."""
    return shlex.join([sys.executable, "-I", "-S", str(script), *args])


def broken_signer(bug: str) -> str:
    return python_command(HERE / "broken_signer.py", bug)


@pytest.fixture
def isolated_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No NCLOUD_* variables, an empty HOME, no secrets directory, a fresh working directory."""
    for name in list(os.environ):
        if name.startswith("NCLOUD_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setattr(ncp_config._load, "DEFAULT_SECRETS_DIR", tmp_path / "no-secrets")
    monkeypatch.chdir(tmp_path)
    return tmp_path
