"""``load_settings``: resolve the credential chain, validate once, and never echo a secret."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from pydantic_settings import BaseSettings

from ncp_config._redact import REDACTED, register_secret
from ncp_config._settings import NcpSettings
from ncp_config._sources import (
    ENV_NAMES,
    ChainSource,
    ConfigureFileSource,
    DotEnvSource,
    EnvironmentSource,
    ExplicitSource,
    SecretsDirSource,
    default_config_file,
)
from ncp_config.exc import MissingSettingError, SettingsValidationError

__all__ = ["DEFAULT", "DEFAULT_SECRETS_DIR", "Chain", "load_settings"]


class _Default:
    """Marker for "use the default location", distinct from ``None`` meaning "skip it"."""

    def __repr__(self) -> str:
        return "DEFAULT"


DEFAULT: Any = _Default()
DEFAULT_SECRETS_DIR = Path("/run/secrets")
_REQUIRED = ("access_key", "secret_key")
_DERIVED = {"api_gw_url": "derived from site", "mail_api_url": "derived from site and region"}


@dataclass
class Chain:
    """The sources of one load, highest priority first."""

    sources: tuple[ChainSource, ...]

    @classmethod
    def build(
        cls,
        settings_cls: type[BaseSettings],
        *,
        explicit: Mapping[str, Any],
        environ: Mapping[str, str],
        profile: str | None = None,
        env_file: str | os.PathLike[str] | None = DEFAULT,
        secrets_dir: str | os.PathLike[str] | None = DEFAULT,
        config_file: str | os.PathLike[str] | None = DEFAULT,
    ) -> Chain:
        """Assemble the chain; ``DEFAULT`` picks the usual place, ``None`` leaves a source out."""
        if env_file is DEFAULT:
            env_file = Path(".env")
        if secrets_dir is DEFAULT:
            secrets_dir = environ.get("NCLOUD_SECRETS_DIR") or DEFAULT_SECRETS_DIR
        if config_file is DEFAULT:
            config_file = default_config_file(environ)
        sources: list[ChainSource] = [
            ExplicitSource(settings_cls, explicit),
            EnvironmentSource(settings_cls, environ),
        ]
        if env_file is not None:
            sources.append(DotEnvSource(settings_cls, Path(env_file).absolute()))
        if secrets_dir is not None:
            sources.append(SecretsDirSource(settings_cls, Path(secrets_dir)))
        if config_file is not None:
            chosen = profile or environ.get("NCLOUD_PROFILE") or None
            sources.append(ConfigureFileSource(settings_cls, Path(config_file), chosen))
        return cls(tuple(sources))

    @classmethod
    def default(cls, settings_cls: type[BaseSettings]) -> Chain:
        """The chain with every default: the process environment, ``./.env`` and so on."""
        return cls.build(settings_cls, explicit={}, environ=dict(os.environ))

    def read(self) -> tuple[dict[str, Any], dict[str, str]]:
        """Return the merged values and the origin of each, the first source winning."""
        merged: dict[str, Any] = {}
        origins: dict[str, str] = {}
        for source in self.sources:
            for field, value in source.values().items():
                if field not in merged:
                    merged[field] = value
                    origins[field] = source.origins[field]
        return merged, origins

    def secret_candidates(self) -> list[str]:
        """Every value any source holds for the secret key, read or not yet winning."""
        found = []
        for source in self.sources:
            value = source.values().get("secret_key")
            if value is not None:
                found.append(
                    str(value.get_secret_value() if hasattr(value, "get_secret_value") else value)
                )
        return found

    def missing_error(self, fields: list[str]) -> MissingSettingError:
        """Build the error for required settings no source supplied."""
        names = " and ".join(f"{field} ({' or '.join(ENV_NAMES[field])})" for field in fields)
        looked = "; ".join(source.where for source in self.sources)
        return MissingSettingError(
            f"No value for {names} was found (looked in: {looked}); set the environment "
            "variable, add it to .env or the secrets directory, or run `ncloud configure`.",
            fields=fields,
        )


def load_settings(
    *,
    profile: str | None = None,
    env_file: str | os.PathLike[str] | None = DEFAULT,
    secrets_dir: str | os.PathLike[str] | None = DEFAULT,
    config_file: str | os.PathLike[str] | None = DEFAULT,
    environ: Mapping[str, str] | None = None,
    **explicit: Any,
) -> NcpSettings:
    """Load the settings from the credential chain and validate them.

    Precedence, highest first: keyword arguments, the environment, ``env_file`` (default
    ``./.env``), ``secrets_dir`` (default ``$NCLOUD_SECRETS_DIR`` or ``/run/secrets``), the
    configure file (default ``$NCLOUD_CONFIG_FILE`` or ``~/.ncloud/configure``, profile from
    ``profile`` or ``NCLOUD_PROFILE``), then defaults. Pass ``None`` to skip a file source.

    Raises:
        ConfigError: a subclass saying what is wrong and how to fix it; never with a secret.
    """
    unknown = sorted(set(explicit) - set(NcpSettings.model_fields))
    if unknown:
        raise TypeError(f"load_settings() got unexpected keyword arguments: {', '.join(unknown)}")
    chain = Chain.build(
        NcpSettings,
        explicit=explicit,
        environ=os.environ if environ is None else environ,
        profile=profile,
        env_file=env_file,
        secrets_dir=secrets_dir,
        config_file=config_file,
    )
    merged, origins = chain.read()
    candidates = chain.secret_candidates()
    for candidate in candidates:
        register_secret(candidate)
    missing = [field for field in _REQUIRED if field not in merged]
    if missing:
        raise chain.missing_error(missing)
    problems: list[dict[str, Any]] = []
    try:
        settings = NcpSettings(_build_sources=(chain.sources, {}))
    except ValidationError as error:
        problems = scrub_errors(error, origins, candidates)
    if problems:
        # Raised outside the handler so that not even __context__ keeps pydantic's error,
        # whose text and errors() carry every input value.
        raise SettingsValidationError(problems) from None
    for field in NcpSettings.model_fields:
        origins.setdefault(field, _DERIVED.get(field, "default"))
    settings._sources.update(origins)
    return settings


def scrub_errors(
    error: ValidationError, origins: Mapping[str, str], secrets: list[str]
) -> list[dict[str, Any]]:
    """Keep only the location, type, message and source of each error, minus any secret."""
    scrubbed = []
    for item in error.errors(include_url=False, include_input=False, include_context=False):
        message = str(item["msg"])
        for secret in sorted(secrets, key=len, reverse=True):
            if secret:
                message = message.replace(secret, REDACTED)
        field = str(item["loc"][0]) if item["loc"] else ""
        scrubbed.append(
            {
                "loc": list(item["loc"]),
                "type": item["type"],
                "msg": message,
                "source": origins.get(field, "default" if field else "the combined settings"),
            }
        )
    return scrubbed
