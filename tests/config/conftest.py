"""Isolation for the config tests: no developer environment, home directory or working tree."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import ncp_config._load


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Give each test an empty HOME, no NCLOUD_* variables, and a fresh working directory."""
    for name in list(os.environ):
        if name.startswith(("NCLOUD_", "PYDANTIC_SETTINGS")):
            monkeypatch.delenv(name)
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setattr(ncp_config._load, "DEFAULT_SECRETS_DIR", tmp_path / "no-secrets")
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    return work
