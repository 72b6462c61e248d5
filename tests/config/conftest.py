"""Isolation for the config tests: the shared isolation, the default secrets directory, and an
empty registry of known secrets.

The shared fixture points ``NCLOUD_SECRETS_DIR`` at an empty folder; these tests exercise the
variable itself, so they unset it and move the built-in default instead. Each test starts with
no secret registered for redaction, so a secret one test registered cannot hide another's leak.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import ncp_config._load


@pytest.fixture(autouse=True)
def isolated(
    isolated: Path, no_known_secrets: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """The shared isolation, with no NCLOUD_SECRETS_DIR, a private default folder, and no
    secret registered for redaction."""
    monkeypatch.delenv("NCLOUD_SECRETS_DIR")
    monkeypatch.setattr(ncp_config._load, "DEFAULT_SECRETS_DIR", tmp_path / "no-secrets")
    return isolated
