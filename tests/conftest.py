"""Shared by every test: isolation from the developer's machine, and hypothesis settings.

Tests that run on shared two-core machines must not fail because one example was slow; speed
is measured by the benchmarks, never asserted by a test.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "project",
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile("project")


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
