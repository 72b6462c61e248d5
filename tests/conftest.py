"""Shared by every test: isolation from the developer's machine, and hypothesis settings.

Tests that run on shared two-core machines must not fail because one example was slow; speed
is measured by the benchmarks, never asserted by a test. The isolation fixture lives in
``ncp_isolation``, which ``docs/examples/conftest.py`` uses too.
"""

from __future__ import annotations

from hypothesis import HealthCheck, settings

from ncp_isolation import isolated, no_known_secrets

__all__ = ["isolated", "no_known_secrets"]

settings.register_profile(
    "project",
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile("project")
