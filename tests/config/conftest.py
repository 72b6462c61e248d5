"""Isolation for the config tests: the shared isolation, plus the default secrets directory.

The shared fixture points ``NCLOUD_SECRETS_DIR`` at an empty folder; these tests exercise the
variable itself, so they unset it and move the built-in default instead.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import ncp_config._load


@pytest.fixture(autouse=True)
def isolated(isolated: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The shared isolation, with no NCLOUD_SECRETS_DIR and a private default folder."""
    monkeypatch.delenv("NCLOUD_SECRETS_DIR")
    monkeypatch.setattr(ncp_config._load, "DEFAULT_SECRETS_DIR", tmp_path / "no-secrets")
    return isolated
