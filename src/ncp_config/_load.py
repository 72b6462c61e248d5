"""``load_settings``: resolve the credential chain, validate once, and never echo a secret."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import SecretStr, ValidationError
from pydantic_settings import BaseSettings

from ncp_config._redact import REDACTED, register_secret, secret_forms
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
from ncp_config.exc import (
    ConfigError,
    IncompleteCredentialsError,
    MissingSettingError,
    SettingsValidationError,
)

__all__ = [
    "DEFAULT",
    "DEFAULT_SECRETS_DIR",
    "INVALID",
    "Chain",
    "diagnose",
    "load_settings",
    "scrub_errors",
    "validate_chain",
]


class _Default:
    """Marker for "use the default location", distinct from ``None`` meaning "skip it"."""

    def __repr__(self) -> str:
        return "DEFAULT"


DEFAULT: Any = _Default()
DEFAULT_SECRETS_DIR = Path("/run/secrets")
_PAIR = ("access_key", "secret_key")
_LABELS = {"access_key": "access key", "secret_key": "secret key"}
_DERIVED = {"api_gw_url": "derived from site", "mail_api_url": "derived from site and region"}
# Inputs of these fields may appear in messages; the two keys never do.
_SHOWN_FIELDS = frozenset(NcpSettings.model_fields) - set(_PAIR)
# Error types whose input is not one value the user typed (or is an unknown key's value).
_NO_VALUE_TYPES = frozenset({"missing", "extra_forbidden", "value_error"})
# A value this long that is part of a secret is hidden too; shorter ones are ordinary words.
_MIN_HIDDEN = 6
_MAX_SHOWN = 60


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
            if pair_source is None and any(field in (values.keys() | clashing) for field in _PAIR):
                pair_source = source
                absent = [field for field in _PAIR if field not in (values.keys() | clashing)]
                if absent:
                    incomplete = _incomplete(source, absent[0])
                    if problems is None:
                        raise incomplete
                    problems.append(incomplete)
            for field, value in values.items():
                if field in _PAIR and source is not pair_source:
                    continue
                if field not in merged:
                    merged[field] = value
                    origins[field] = source.origins[field]
        return merged, origins

    def secret_candidates(self) -> list[str]:
        """Every value any readable source holds for the secret key, winning or not."""
        found = []
        for source in self.sources:
            try:
                value = source.values().get("secret_key")
            except ConfigError:
                found.extend(source.withheld)
                value = (source.partial or {}).get("secret_key")
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

    Every secret key candidate is registered for redaction first. pydantic's
    ``ValidationError`` never escapes: it becomes :class:`SettingsValidationError`, raised
    outside the handler so that not even ``__context__`` keeps it, since its text and
    ``errors()`` carry every input value.
    """
    merged, origins = chain.read()
    candidates = chain.secret_candidates()
    for candidate in candidates:
        register_secret(candidate)
    missing = [field for field in _PAIR if field not in merged]
    if missing:
        raise chain.missing_error(missing)
    problems: list[dict[str, Any]] = []
    try:
        construct()
    except ValidationError as error:
        problems = scrub_errors(error, origins, candidates, merged)
    if problems:
        raise SettingsValidationError(problems) from None
    for field in NcpSettings.model_fields:
        origins.setdefault(field, _DERIVED.get(field, "default"))
    return origins


def scrub_errors(
    error: ValidationError,
    origins: Mapping[str, str],
    secrets: list[str],
    inputs: Mapping[str, Any] | None = None,
) -> list[dict[str, Any]]:
    """Keep only the location, type, message and source of each error, minus any secret.

    pydantic's own messages ("Input should be ...") get the offending input from ``inputs``
    appended, for a field that is not a credential and a value that holds no known secret;
    the messages of this package's validators already say what is wrong, without a secret.
    """
    forms = sorted(
        {form for secret in secrets if secret for form in secret_forms(secret)},
        key=len,
        reverse=True,
    )
    scrubbed = []
    for item in error.errors(include_url=False, include_input=False, include_context=False):
        message = str(item["msg"]).removeprefix("Value error, ")
        field = str(item["loc"][0]) if item["loc"] else ""
        if (
            item["type"] not in _NO_VALUE_TYPES
            and len(item["loc"]) == 1
            and field in _SHOWN_FIELDS
            and inputs is not None
            and field in inputs
        ):
            shown = _shown_value(inputs[field], secrets)
            if shown is not None:
                message = f"{message} (got {shown})"
        for form in forms:
            message = message.replace(form, REDACTED)
        scrubbed.append(
            {
                "loc": list(item["loc"]),
                "type": item["type"],
                "msg": message,
                "source": origins.get(field, "default" if field else "the combined settings"),
            }
        )
    return scrubbed


def _shown_value(value: Any, secrets: list[str]) -> str | None:
    """Return the ``repr`` of a plain input value fit for a message, or ``None`` to hide it."""
    if value is None or not isinstance(value, (str, int, float)):
        return None
    text = str(value)
    for secret in secrets:
        if secret and (secret in text or (len(text) >= _MIN_HIDDEN and text in secret)):
            return None
    shown = repr(value)
    return shown if len(shown) <= _MAX_SHOWN else shown[: _MAX_SHOWN - 4] + "...'"


def _incomplete(source: ChainSource, missing: str) -> IncompleteCredentialsError:
    present = next(field for field in _PAIR if field != missing)
    origin = source.origins.get(present) or source.conflicts[present]
    return IncompleteCredentialsError(
        f"The {_LABELS[present]} comes from {'an argument' if origin == 'argument' else origin} "
        f"but there is no {_LABELS[missing]} in {source.where} ({source.names_of(missing)}); "
        "the two keys are only used as a pair from one place, so set both there or neither.",
        fields=[missing],
    )


#: Marks a setting whose value is invalid in :func:`diagnose`'s result.
INVALID: Any = type("Invalid", (), {"__repr__": lambda self: "<invalid>"})()


def diagnose(chain: Chain) -> tuple[dict[str, tuple[Any, str]], list[ConfigError]]:
    """Resolve every setting that can be resolved, and list every problem, without raising.

    Returns, for each field, its value (``INVALID`` when invalid, ``None`` when not set; the
    raw value for the two keys, the validated one otherwise) and its source, plus the errors
    that :func:`load_settings` would raise one at a time.
    """
    problems: list[ConfigError] = []
    conflicts: dict[str, str] = {}
    merged, origins = chain.read(problems, conflicts)
    candidates = chain.secret_candidates()
    for candidate in candidates:
        register_secret(candidate)
    unread = any(not isinstance(problem, MissingSettingError) for problem in problems)
    reported = {
        field
        for problem in problems
        if isinstance(problem, MissingSettingError)
        for field in problem.fields
    }
    missing = [field for field in _PAIR if field not in merged and field not in reported]
    if missing and not unread:
        # When a source could not be read, the value may well be in it.
        problems.append(chain.missing_error(missing))
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
                # A source that could not be read may hold the secret key, unknown here, so
                # no input is echoed then.
                inputs = None if unread else merged
                problems.append(
                    SettingsValidationError(scrub_errors(error, origins, candidates, inputs))
                )
            failed = {str(item["loc"][0]) for item in error.errors() if item["loc"]}
        else:
            break
        if failed <= invalid:
            break
        invalid |= failed
    resolved: dict[str, tuple[Any, str]] = {}
    for field in NcpSettings.model_fields:
        source = origins.get(field) or _DERIVED.get(field, "default")
        value: Any
        if field in conflicts and field not in merged:
            value, source = INVALID, conflicts[field]
        elif field in invalid:
            value = INVALID
        elif field in _PAIR:
            value = merged.get(field)
            source = origins.get(field, "not found")
        elif field in _DERIVED and field not in merged and invalid & {"site", "region"}:
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
