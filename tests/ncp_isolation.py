"""The isolation every test gets, from ``tests/conftest.py`` and ``docs/examples/conftest.py``.

A module of its own, so that both test folders use the one fixture instead of two copies.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

__all__ = ["empty_secret_registry", "isolated", "no_known_secrets"]


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


@contextlib.contextmanager
def empty_secret_registry() -> Iterator[None]:
    """Empty the process-wide registry of secrets to redact, restoring it afterwards.

    The fixture below uses it for a whole test; a property test uses it for each example, since
    a secret registered by an earlier example (the same one, while shrinking) would otherwise
    hide this example's leak.
    """
    import ncp_config._redact as registry

    saved = (registry._secrets, registry._forms, registry._ordered)
    registry._secrets, registry._forms, registry._ordered = set(), set(), ()
    try:
        yield
    finally:
        registry._secrets, registry._forms, registry._ordered = saved


@pytest.fixture
def no_known_secrets() -> Iterator[None]:
    """Start with no secret registered for redaction, so none from another test hides a leak.

    Not automatic everywhere: a test may rely on a secret registered when a module loaded.
    """
    with empty_secret_registry():
        yield
