"""Settings shared by every test: hypothesis without per-example deadlines.

Tests that run on shared two-core machines must not fail because one example was slow; speed
is measured by the benchmarks, never asserted by a test.
"""

from __future__ import annotations

from hypothesis import HealthCheck, settings

settings.register_profile(
    "project",
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile("project")
