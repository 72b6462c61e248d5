"""Every way to build NcpSettings validates the same safe way; none hands back the input."""

from __future__ import annotations

import json
import logging
import traceback

import pytest

from ncp_config import ConfigError, NcpSettings, redact, register_secret

SENTINEL = "SENTINELX= a b\"é'ZQJ7=="


def _text(error: BaseException) -> str:
    parts = ["".join(traceback.format_exception(error)), repr(error), str(vars(error))]
    errors = getattr(error, "errors", None)
    if callable(errors):
        parts.append(repr(errors()))
    return "\n".join(parts)


@pytest.mark.parametrize(
    "build",
    [
        lambda: NcpSettings.model_validate(
            {"access_key": "AKIDSENT01", "secret_key": SENTINEL, "region": "XX"}
        ),
        lambda: NcpSettings.model_validate_strings(
            {"access_key": "AKIDSENT01", "secret_key": SENTINEL, "site": "moon"}
        ),
        lambda: NcpSettings.model_validate_json(
            json.dumps({"access_key": "AKIDSENT01", "secret_key": SENTINEL, "read_timeout": -1})
        ),
        lambda: NcpSettings.model_validate_json('{"secret_key": "' + SENTINEL + '", oops'),
    ],
    ids=["model_validate", "model_validate_strings", "model_validate_json", "malformed-json"],
)
def test_pydantic_constructors_never_return_the_input(build: object) -> None:
    with pytest.raises(ConfigError) as info:
        build()  # type: ignore[operator]
    assert SENTINEL not in _text(info.value)
    assert "SENTINELX" not in _text(info.value)


def test_model_validate_builds_like_init() -> None:
    settings = NcpSettings.model_validate({"access_key": "AKIDSENT01", "secret_key": SENTINEL})
    assert settings.secret_key.get_secret_value() == SENTINEL
    assert settings.sources["secret_key"] == "argument"
    with pytest.raises(TypeError, match="mapping"):
        NcpSettings.model_validate(["not", "a", "mapping"])


def test_copies_with_changes_are_refused() -> None:
    settings = NcpSettings(access_key="AKIDSENT01", secret_key=SENTINEL)
    assert settings.model_copy() == settings
    with pytest.raises(TypeError, match="load new settings"):
        settings.model_copy(update={"region": "XX"})


def test_json_written_with_non_ascii_is_redacted(caplog: pytest.LogCaptureFixture) -> None:
    register_secret(SENTINEL)
    text = json.dumps({"url": "https://h.example/" + SENTINEL}, ensure_ascii=False)
    assert "SENTINELX" not in redact(text)
    with caplog.at_level(logging.INFO, logger="ncp_config"):
        logging.getLogger("ncp_config").info("loaded %s", text)
    assert "SENTINELX" not in caplog.text
