"""The configuration guide's code samples run, and its pages include what they claim to."""

from __future__ import annotations

import runpy
from pathlib import Path

import pytest

from ncp_config import load_settings

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "docs" / "examples").glob("config_*.py"))
CONFIGURE_SAMPLE = ROOT / "docs" / "examples" / "configure.ini"


def test_there_are_examples() -> None:
    assert EXAMPLES


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda path: path.name)
def test_example_runs(path: Path) -> None:
    runpy.run_path(str(path), run_name="__main__")


def test_guide_includes_the_examples_and_the_generated_sample() -> None:
    guide = (ROOT / "docs" / "config.md").read_text(encoding="utf-8")
    assert '--8<-- "docs/generated/ncp-config-show.txt"' in guide
    for path in [*EXAMPLES, CONFIGURE_SAMPLE]:
        assert f'--8<-- "docs/examples/{path.name}"' in guide


def load_sample(profile: str | None) -> dict[str, object]:
    settings = load_settings(
        profile=profile,
        config_file=CONFIGURE_SAMPLE,
        environ={},
        env_file=None,
        secrets_dir=None,
    )
    return {
        "access_key": settings.access_key,
        "secret_key": settings.secret_key.get_secret_value(),
        "api_gw_url": settings.api_gw_url,
        "sources": {name: settings.sources[name] for name in ("secret_key", "api_gw_url")},
    }


def test_configure_sample_gives_the_prod_profile_with_the_default_url() -> None:
    where = f"configure file {CONFIGURE_SAMPLE}"
    assert load_sample("prod") == {
        "access_key": "AKIDPRODEXAMPLE1",
        "secret_key": "prod-secret",
        "api_gw_url": "https://ncloud.apigw.ntruss.com",
        "sources": {"secret_key": f"{where} [prod]", "api_gw_url": f"{where} [DEFAULT]"},
    }


def test_configure_sample_keeps_a_secret_with_an_equals_sign_whole() -> None:
    sample = load_sample(None)
    assert (sample["access_key"], sample["secret_key"]) == ("AKIDEXAMPLE00001", "example=secret")
