"""Helpers for the runner's tests: command lines for the sample and the broken signers."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

HERE = Path(__file__).parent
EXAMPLES = HERE.parent.parent / "docs" / "examples"


def python_command(script: Path, *args: str) -> str:
    """A command line running ``script`` with this interpreter, isolated and without site."""
    return shlex.join([sys.executable, "-I", "-S", str(script), *args])


def broken_signer(bug: str) -> str:
    """The command line of ``broken_signer.py`` with one bug (``none`` for no bug)."""
    return python_command(HERE / "broken_signer.py", bug)
