"""``load_settings``: resolve the credential chain, validate once, and never echo a secret."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from pydantic_settings import BaseSettings

from ncp_config._configure import ConfigureFileSource
from ncp_config._redact import register_secret
from ncp_config._scrub import scrub_errors, scrubbed_error
from ncp_config._settings import NcpSettings
from ncp_config._sources import (
    ENV_NAMES,
    PAIR,
    ChainSource,
    DotEnvSource,
    EnvironmentSource,
    ExplicitSource,
    SecretsDirSource,
    default_config_file,
)
from ncp_config.exc import (
    ConfigError,
    IncompleteCredentialsError,
    MissingSettingError,
    SettingsValidationError,
)

__all__ = [
    "DEFAULT",
    "DEFAULT_SECRETS_DIR",
    "DERIVED",
    "PAIR",
    "Chain",
    "Secrets",
    "load_settings",
    "validate_chain",
]


class _Default:
    """Marker for "use the default location", distinct from ``None`` meaning "skip it"."""

    def __repr__(self) -> str:
        return "DEFAULT"


DEFAULT: Any = _Default()
DEFAULT_SECRETS_DIR = Path("/run/secrets")
_LABELS = {"access_key": "access key", "secret_key": "secret key"}
#: The source shown for a base URL left to be derived.
DERIVED = {"api_gw_url": "derived from site", "mail_api_url": "derived from site and region"}


@dataclass(frozen=True)
class Secrets:
    """Every secret key the sources of a chain hold, and whether every source was searched."""

    values: tuple[str, ...]
    complete: bool

    def scrub(self, error: ConfigError) -> ConfigError:
        """``error``, or a copy with every secret hidden (every quoted value if incomplete)."""
        return scrubbed_error(error, self.values, hide_quoted=not self.complete)


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

    @classmethod
    def direct(cls, settings_cls: type[BaseSettings], explicit: Mapping[str, Any]) -> Chain:
        """The default chain under keyword arguments given to the settings class itself.

        Unlike :func:`load_settings`, an explicit ``None`` counts as a value, as pydantic's
        own init arguments do.
        """
        first = ExplicitSource(settings_cls, explicit, keep_none=True)
        first.where = f"the arguments to {settings_cls.__name__}()"
        return cls((first, *cls.default(settings_cls).sources[1:]))

    def read(
        self,
        problems: list[ConfigError] | None = None,
        conflicts: dict[str, str] | None = None,
    ) -> tuple[dict[str, Any], dict[str, str]]:
        """Return the merged values and the origin of each, the first source winning.

        The access key and the secret key are a pair: both come from the first source that has
        either, which must have both (:class:`IncompleteCredentialsError` otherwise). With a
        ``problems`` list, each error is appended to the list instead of raised, and a source
        that cannot be read is skipped; one whose spellings conflict still gives its other
        values, and the conflicting fields go into ``conflicts`` with the variables named.
        """
        merged: dict[str, Any] = {}
        origins: dict[str, str] = {}
        pair_source: ChainSource | None = None
        for source in self.sources:
            clashing: dict[str, str] = {}
            try:
                values = source.values()
            except ConfigError as error:
                if problems is None:
                    raise
                problems.append(error)
                if source.partial is None:
                    continue
                values, clashing = source.partial, source.conflicts
            for field, where in clashing.items():
                if conflicts is not None and field not in merged:
                    conflicts.setdefault(field, where)
            if pair_source is None and any(field in (values.keys() | clashing) for field in PAIR):
                pair_source = source
                absent = [field for field in PAIR if field not in (values.keys() | clashing)]
                if absent:
                    incomplete = _incomplete(source, absent[0], self.near_misses(absent))
                    if problems is None:
                        raise incomplete
                    problems.append(incomplete)
            for field, value in values.items():
                if field in PAIR and source is not pair_source:
                    continue
                if field not in merged:
                    merged[field] = value
                    origins[field] = source.origins[field]
        return merged, origins

    def learn_secrets(self) -> Secrets:
        """Find every secret key any source holds, register each for redaction, return them.

        Run before :meth:`read`, so that even the errors of reading (a profile, a conflict, a
        file) are scrubbed of them. A value is registered with and without surrounding blanks,
        since the settings strip them.
        """
        found: list[str] = []
        complete = True
        for source in self.sources:
            values, whole = source.secret_values()
            complete = complete and whole
            found.extend(value for value in values if value not in found)
            found.extend(value.strip() for value in values if value.strip() not in found)
        for value in found:
            register_secret(value)
        return Secrets(tuple(value for value in found if value), complete)

    def unknown_variables(self) -> list[tuple[str, str | None]]:
        """The ``NCLOUD_*`` variables of the environment that no setting reads, each with the
        known name it is closest to (or ``None``); names only, never a value."""
        return [
            found
            for source in self.sources
            if isinstance(source, EnvironmentSource)
            for found in source.unknown()
        ]

    def near_misses(self, fields: list[str]) -> str:
        """A clause naming environment variables that look like a misspelling of a variable of
        ``fields``, starting with ``"; "``, or ``""`` when there are none."""
        wanted = {name for field in fields for name in ENV_NAMES[field]}
        misses = [
            f"{name} (did you mean {known}?)"
            for name, known in self.unknown_variables()
            if known in wanted
        ]
        if not misses:
            return ""
        noun = "a variable" if len(misses) == 1 else "variables"
        return f"; the environment has {noun} that no setting reads: {', '.join(misses)}"

    def missing_error(self, fields: list[str]) -> MissingSettingError:
        """Build the error for required settings no source supplied."""
        names = " and ".join(f"{field} ({' or '.join(ENV_NAMES[field])})" for field in fields)
        looked = "; ".join(source.where for source in self.sources)
        return MissingSettingError(
            f"No value for {names} was found (looked in: {looked}); set the environment "
            "variable, add it to .env or the secrets directory, or run `ncloud configure`"
            f"{self.near_misses(fields)}.",
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
    The access key and the secret key come as a pair from the first source that has either.

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
    return NcpSettings(_build_sources=(chain.sources, {}))


def validate_chain(chain: Chain, construct: Callable[[], None]) -> dict[str, str]:
    """Read ``chain``, run ``construct`` (pydantic's validation of it) and return the origins.

    Every secret key any source holds is registered for redaction first, and every error is
    scrubbed of them. pydantic's ``ValidationError`` never escapes: it becomes
    :class:`SettingsValidationError`, raised outside the handler so that not even
    ``__context__`` keeps it, since its text and ``errors()`` carry every input value.
    """
    secrets = chain.learn_secrets()
    failure: ConfigError | None = None
    try:
        merged, origins = chain.read()
    except ConfigError as error:
        failure = secrets.scrub(error)
    if failure is not None:
        raise failure from None
    missing = [field for field in PAIR if field not in merged]
    if missing:
        raise secrets.scrub(chain.missing_error(missing))
    problems: list[dict[str, Any]] = []
    try:
        construct()
    except ValidationError as error:
        inputs = merged if secrets.complete else None
        problems = scrub_errors(error, origins, secrets.values, inputs)
    if problems:
        raise SettingsValidationError(problems) from None
    for field in NcpSettings.model_fields:
        origins.setdefault(field, DERIVED.get(field, "default"))
    return origins


def _incomplete(source: ChainSource, missing: str, hint: str) -> IncompleteCredentialsError:
    present = next(field for field in PAIR if field != missing)
    origin = source.origins.get(present) or source.conflicts[present]
    return IncompleteCredentialsError(
        f"The {_LABELS[present]} comes from {'an argument' if origin == 'argument' else origin} "
        f"but there is no {_LABELS[missing]} in {source.where} ({source.names_of(missing)}); "
        f"the two keys are only used as a pair from one place, so set both there or neither"
        f"{hint}.",
        fields=[missing],
    )
