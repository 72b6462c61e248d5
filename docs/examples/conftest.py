"""The examples run under the same isolation as the test suite: no developer environment.

The fixture is the one ``tests/conftest.py`` uses, imported from ``tests/ncp_isolation.py``,
so that running these files alone (``pytest docs/examples``) is isolated as well.
"""

from __future__ import annotations

import sys
from pathlib import Path

_TESTS = str(Path(__file__).resolve().parents[2] / "tests")
if _TESTS not in sys.path:
    sys.path.insert(0, _TESTS)

import pytest  # noqa: E402

from ncp_isolation import isolated, no_known_secrets  # noqa: E402

__all__ = ["isolated", "no_known_secrets", "unknown_secrets"]


@pytest.fixture(autouse=True)
def unknown_secrets(no_known_secrets: None) -> None:
    """Each example starts with no secret registered, so none hides another example's leak."""
