"""The isolation every test gets, from ``tests/conftest.py`` and ``docs/examples/conftest.py``.

A module of its own, so that both test folders use the one fixture instead of two copies.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

__all__ = ["isolated", "no_known_secrets"]


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No developer environment, home directory, secrets directory or working tree."""
    for name in list(os.environ):
        if name.startswith(("NCLOUD_", "PYDANTIC_SETTINGS")):
            monkeypatch.delenv(name)
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("NCLOUD_SECRETS_DIR", str(tmp_path / "no-secrets"))
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    return work


@pytest.fixture
def no_known_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    """Start with no secret registered for redaction, so none from another test hides a leak.

    Not automatic everywhere: a test may rely on a secret registered when a module loaded.
    """
    import ncp_config._redact as registry

    monkeypatch.setattr(registry, "_secrets", set())
    monkeypatch.setattr(registry, "_forms", set())
    monkeypatch.setattr(registry, "_ordered", ())
