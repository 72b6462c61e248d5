"""The configuration guide's code samples run, and its pages include what they claim to."""

from __future__ import annotations

import runpy
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "docs" / "examples").glob("config_*.py"))


def test_there_are_examples() -> None:
    assert EXAMPLES


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda path: path.name)
def test_example_runs(path: Path) -> None:
    runpy.run_path(str(path), run_name="__main__")


def test_guide_includes_the_examples_and_the_generated_sample() -> None:
    guide = (ROOT / "docs" / "config.md").read_text(encoding="utf-8")
    assert '--8<-- "docs/generated/ncp-config-show.txt"' in guide
    for path in EXAMPLES:
        assert f'--8<-- "docs/examples/{path.name}"' in guide
