"""``diagnose``: every setting that can be resolved and every problem, for ``ncp-config``."""

from __future__ import annotations

from typing import Any

from pydantic import SecretStr, ValidationError
from pydantic_settings import BaseSettings

from ncp_config._load import DERIVED, PAIR, Chain
from ncp_config._scrub import scrub_errors
from ncp_config._settings import NcpSettings
from ncp_config._sources import ExplicitSource
from ncp_config.exc import ConfigError, MissingSettingError, SettingsValidationError

__all__ = ["INVALID", "diagnose"]


#: Marks a setting whose value is invalid in :func:`diagnose`'s result.
INVALID: Any = type("Invalid", (), {"__repr__": lambda self: "<invalid>"})()


def diagnose(chain: Chain) -> tuple[dict[str, tuple[Any, str]], list[ConfigError]]:
    """Resolve every setting that can be resolved, and list every problem, without raising.

    Returns, for each field, its value (``INVALID`` when invalid, ``None`` when not set; the
    raw value for the two keys, the validated one otherwise) and its source, plus the errors
    that :func:`load_settings` would raise one at a time.
    """
    secrets = chain.learn_secrets()
    found: list[ConfigError] = []
    conflicts: dict[str, str] = {}
    merged, origins = chain.read(found, conflicts)
    problems = [secrets.scrub(problem) for problem in found]
    unread = any(not isinstance(problem, MissingSettingError) for problem in problems)
    reported = {
        field
        for problem in problems
        if isinstance(problem, MissingSettingError)
        for field in problem.fields
    }
    missing = [field for field in PAIR if field not in merged and field not in reported]
    if missing and not unread:
        # When a source could not be read, the value may well be in it.
        problems.append(secrets.scrub(chain.missing_error(missing)))
    invalid: set[str] = set()
    model: NcpSettings | None = None
    for _ in NcpSettings.model_fields:
        values = {field: value for field, value in merged.items() if field not in invalid}
        values.setdefault("access_key", "AKIDSTANDIN00000")  # lets the other fields be checked
        values.setdefault("secret_key", SecretStr("stand-in-secret"))
        try:
            model = _validated(values)
        except ValidationError as error:
            if not invalid:
                # A source that could not be searched may hold a secret key unknown here; then
                # no input is echoed.
                inputs = merged if secrets.complete else None
                problems.append(
                    SettingsValidationError(scrub_errors(error, origins, secrets.values, inputs))
                )
            failed = {str(item["loc"][0]) for item in error.errors() if item["loc"]}
        else:
            break
        if failed <= invalid:
            break
        invalid |= failed
    resolved: dict[str, tuple[Any, str]] = {}
    for field in NcpSettings.model_fields:
        source = origins.get(field) or DERIVED.get(field, "default")
        value: Any
        if field in conflicts and field not in merged:
            value, source = INVALID, conflicts[field]
        elif field in invalid:
            value = INVALID
        elif field in PAIR:
            value = merged.get(field)
            source = origins.get(field, "not found")
        elif field in DERIVED and field not in merged and invalid & {"site", "region"}:
            value = None
        elif model is not None:
            value = getattr(model, field)
        else:
            value = merged.get(field)
        resolved[field] = (value, source)
    return resolved, problems


def _validated(values: dict[str, Any]) -> NcpSettings:
    """Validate ``values`` alone: no chain, no secret registered; pydantic's error escapes."""
    instance = NcpSettings.__new__(NcpSettings)
    source = ExplicitSource(NcpSettings, values, keep_none=True)
    BaseSettings.__init__(instance, _build_sources=((source,), {}))
    return instance
