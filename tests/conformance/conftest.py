"""Isolation for the runner's tests that read the settings chain."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import ncp_config._load


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
