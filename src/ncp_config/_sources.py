"""The settings sources of the credential chain, each recording where its values came from.

Each source is a pydantic-settings source class, so ``NcpSettings`` merges them with the
library's own machinery; on top, each one keeps ``origins``: for every field it supplies, a
short description of the variable, file or profile it read.
"""

from __future__ import annotations

import configparser
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from dotenv import dotenv_values
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource

from ncp_config.exc import ConfigFileError, ConflictingSettingError, ProfileNotFoundError

__all__ = [
    "CONFIGURE_KEYS",
    "DEFAULT_PROFILE",
    "ENV_NAMES",
    "ChainSource",
    "ConfigureFileSource",
    "DotEnvSource",
    "EnvironmentSource",
    "ExplicitSource",
    "SecretsDirSource",
]

# The first name of each tuple is the preferred spelling, used in messages.
ENV_NAMES: dict[str, tuple[str, ...]] = {
    "access_key": ("NCLOUD_ACCESS_KEY_ID", "NCLOUD_ACCESS_KEY"),
    "secret_key": ("NCLOUD_SECRET_ACCESS_KEY", "NCLOUD_SECRET_KEY"),
    "site": ("NCLOUD_SITE",),
    "region": ("NCLOUD_REGION",),
    "api_gw_url": ("NCLOUD_API_GW",),
    "mail_api_url": ("NCLOUD_MAIL_API_URL",),
    "mail_sender_address": ("NCLOUD_MAIL_SENDER_ADDRESS",),
    "mail_sender_name": ("NCLOUD_MAIL_SENDER_NAME",),
    "connect_timeout": ("NCLOUD_CONNECT_TIMEOUT",),
    "read_timeout": ("NCLOUD_READ_TIMEOUT",),
    "retry_deadline": ("NCLOUD_RETRY_DEADLINE",),
    "retry_attempts": ("NCLOUD_RETRY_ATTEMPTS",),
}
CONFIGURE_KEYS = {
    "ncloud_access_key_id": "access_key",
    "ncloud_secret_access_key": "secret_key",
    "ncloud_api_url": "api_gw_url",
}
_CREDENTIAL_KEYS = ("ncloud_access_key_id", "ncloud_secret_access_key")
DEFAULT_PROFILE = "DEFAULT"
_NO_DEFAULT = "\x00"


class ChainSource(PydanticBaseSettingsSource):
    """A source that reads once, caches its values, and knows where each one came from."""

    #: What the source is, for the "where it looked" list of a missing-value error.
    where: str = ""

    def __init__(self, settings_cls: type[BaseSettings]) -> None:
        super().__init__(settings_cls)
        self._values: dict[str, Any] | None = None
        self.origins: dict[str, str] = {}
        #: After a ConflictingSettingError: the values that do not conflict, the conflicting
        #: fields with the variables that disagree, and the secret keys left out of ``partial``.
        self.partial: dict[str, Any] | None = None
        self.conflicts: dict[str, str] = {}
        self.withheld: list[str] = []

    def values(self) -> dict[str, Any]:
        """Return the field values this source supplies, reading them on first use."""
        if self._values is None:
            self._values = self._load()
        return self._values

    def _load(self) -> dict[str, Any]:
        raise NotImplementedError

    def names_of(self, field: str) -> str:
        """How this source spells ``field``, for messages: variable names, a key or a field."""
        return " or ".join(ENV_NAMES[field])

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return self.values().get(field_name), field_name, False

    def __call__(self) -> dict[str, Any]:
        return dict(self.values())


class ExplicitSource(ChainSource):
    """Values passed as arguments; ``None`` means not given unless ``keep_none`` is set."""

    where = "the arguments to load_settings()"

    def __init__(
        self,
        settings_cls: type[BaseSettings],
        values: Mapping[str, Any],
        *,
        keep_none: bool = False,
    ) -> None:
        super().__init__(settings_cls)
        self._given = {
            name: value for name, value in values.items() if keep_none or value is not None
        }

    def _load(self) -> dict[str, Any]:
        self.origins = dict.fromkeys(self._given, "argument")
        return dict(self._given)

    def names_of(self, field: str) -> str:
        return f"the {field} argument"


class _NamedValuesSource(ChainSource):
    """Values found under the environment variable names, with the conflict check for aliases."""

    def _names(self) -> Mapping[str, str]:
        raise NotImplementedError

    def _describe(self, name: str) -> str:
        raise NotImplementedError

    def _load(self) -> dict[str, Any]:
        self.partial, self.conflicts, self.withheld = None, {}, []
        found = self._names()
        values: dict[str, Any] = {}
        for field, names in ENV_NAMES.items():
            present = {name: found[name] for name in names if found.get(name)}
            if len(set(present.values())) > 1:
                self.conflicts[field] = ", ".join(self._describe(name) for name in present)
                if field == "secret_key":
                    self.withheld.extend(present.values())
                continue
            if present:
                name = next(iter(present))
                values[field] = present[name]
                self.origins[field] = self._describe(name)
        if self.conflicts:
            # The other values stay available to a diagnosis, which lists every problem.
            self.partial = values
            field = next(iter(self.conflicts))
            first, second = ENV_NAMES[field][:2]
            raise ConflictingSettingError(
                f"{first} and {second} are both set in {self.where} and differ; unset one."
            )
        return values


class EnvironmentSource(_NamedValuesSource):
    """The process environment (or a mapping standing in for it)."""

    where = "the environment"

    def __init__(self, settings_cls: type[BaseSettings], environ: Mapping[str, str]) -> None:
        super().__init__(settings_cls)
        self._environ = environ

    def _names(self) -> Mapping[str, str]:
        return self._environ

    def _describe(self, name: str) -> str:
        return f"env {name}"


class DotEnvSource(_NamedValuesSource):
    """A ``.env`` file, parsed by python-dotenv (as pydantic-settings does), values kept whole."""

    def __init__(self, settings_cls: type[BaseSettings], path: Path) -> None:
        super().__init__(settings_cls)
        self.path = path
        self.where = f"the .env file {path}"

    def _names(self) -> Mapping[str, str]:
        problem = ""
        try:
            if not self.path.is_file():
                return {}
            # Read as pydantic-settings reads it, with python-dotenv, but without expanding
            # ${NAME}: that would replace part of a value, quoted or not, by another variable.
            read = dotenv_values(self.path, encoding="utf-8-sig", interpolate=False)
        except (OSError, UnicodeDecodeError) as error:
            problem = _unreadable(error)
        if problem:
            # The decoding error holds the undecodable bytes, which may be a secret, so the
            # error is raised outside the handler and keeps no link to it.
            raise ConfigFileError(f"The .env file {self.path} {problem}.")
        return {name: value for name, value in read.items() if value is not None}

    def _describe(self, name: str) -> str:
        return f"{self.path}: {name}"


class SecretsDirSource(_NamedValuesSource):
    """A directory with one file per setting, named like the variable, as Docker mounts secrets.

    File names match case-insensitively (Kubernetes keys are often lower case), and two files
    whose names differ only in case must agree; one trailing newline is removed, since ``echo``
    and most editors add one.
    """

    def __init__(self, settings_cls: type[BaseSettings], path: Path) -> None:
        super().__init__(settings_cls)
        self.path = path
        self.where = f"the secrets directory {path}"
        self._files: dict[str, Path] = {}

    def _names(self) -> Mapping[str, str]:
        wanted = {name.lower(): name for names in ENV_NAMES.values() for name in names}
        found: dict[str, str] = {}
        problem = ""
        entry = self.path
        try:
            if not self.path.is_dir():
                return {}
            for entry in sorted(self.path.iterdir()):
                name = wanted.get(entry.name.lower())
                if name is None or not entry.is_file():
                    continue
                text = entry.read_text(encoding="utf-8-sig")
                text = text[:-2] if text.endswith("\r\n") else text.removesuffix("\n")
                if name in found:
                    if found[name] != text:
                        raise ConflictingSettingError(
                            f"The secrets files {self._files[name]} and {entry} name the same "
                            "setting and differ; remove one."
                        )
                    continue
                found[name] = text
                self._files[name] = entry
        except (OSError, UnicodeDecodeError) as error:
            problem = _unreadable(error)
        if problem:
            what = "secrets directory" if entry == self.path else "secrets file"
            raise ConfigFileError(f"The {what} {entry} {problem}.")
        return found

    def _describe(self, name: str) -> str:
        return f"secrets file {self._files[name]}"


class ConfigureFileSource(ChainSource):
    """The NCloud CLI configure file: INI with ``[DEFAULT]`` and named profiles.

    A named profile falls back to ``[DEFAULT]`` for a key it lacks, as go-ini does. Values are
    taken whole after the first ``=``, so a secret containing ``=`` survives.
    """

    def __init__(self, settings_cls: type[BaseSettings], path: Path, profile: str | None) -> None:
        super().__init__(settings_cls)
        self.path = path
        self.profile = profile or DEFAULT_PROFILE
        self._required = profile is not None and profile != DEFAULT_PROFILE
        self.where = f"the configure file {path} [{self.profile}]"

    def _load(self) -> dict[str, Any]:
        problem = ""
        try:
            exists = self.path.is_file()
        except OSError as error:
            problem = _unreadable(error)
        if problem:
            raise ConfigFileError(f"The configure file {self.path} {problem}.")
        if not exists:
            if self._required:
                raise ProfileNotFoundError(
                    f"The profile {self.profile!r} was requested but the configure file "
                    f"{self.path} does not exist."
                )
            return {}
        parser = self._parse()
        if self.profile != DEFAULT_PROFILE and not parser.has_section(self.profile):
            existing = ", ".join(repr(name) for name in parser.sections()) or "no profiles"
            raise ProfileNotFoundError(
                f"The profile {self.profile!r} is not in {self.path}; it has {existing}."
            )
        values: dict[str, Any] = {}
        sections = tuple(dict.fromkeys((self.profile, DEFAULT_PROFILE)))
        for keys in (_CREDENTIAL_KEYS, ("ncloud_api_url",)):
            # The two keys are one pair: both come from the first section that has either, so a
            # profile's access key is never paired with the [DEFAULT] secret key.
            for section in sections:
                found = {key: parser.get(section, key, fallback="").strip() for key in keys}
                if any(found.values()):
                    for key, value in found.items():
                        if value:
                            values[CONFIGURE_KEYS[key]] = value
                            self.origins[CONFIGURE_KEYS[key]] = (
                                f"configure file {self.path} [{section}]"
                            )
                    break
        return values

    def names_of(self, field: str) -> str:
        return next(key for key, name in CONFIGURE_KEYS.items() if name == field)

    def _parse(self) -> configparser.ConfigParser:
        # DEFAULT is read as an ordinary section; the fallback to it is explicit above, so the
        # source of each value can name the section it really came from.
        parser = configparser.ConfigParser(interpolation=None, default_section=_NO_DEFAULT)
        problem = ""
        try:
            text = self.path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as error:
            problem = _unreadable(error)
        if problem:
            raise ConfigFileError(f"The configure file {self.path} {problem}.")
        try:
            parser.read_string(text, source=str(self.path))
        except configparser.MissingSectionHeaderError as error:
            problem = (
                f"does not start with a section header such as [DEFAULT] (line {error.lineno})"
            )
        except configparser.ParsingError as error:
            lines = ", ".join(str(number) for number, _ in error.errors)
            problem = f"has lines that are not key = value (line {lines})"
        except configparser.DuplicateSectionError as error:
            problem = f"has the section [{error.section}] twice (line {error.lineno})"
        except configparser.DuplicateOptionError as error:
            problem = (
                f"has the key {error.option!r} twice in the section [{error.section}] "
                f"(line {error.lineno})"
            )
        except configparser.Error as error:
            problem = f"cannot be read as INI ({type(error).__name__})"
        if problem:
            # The parser's own messages quote the offending lines, which may hold a secret, so
            # the error is raised outside the handler and keeps no link to them.
            raise ConfigFileError(f"The configure file {self.path} {problem}.")
        return parser


def _unreadable(error: OSError | UnicodeDecodeError) -> str:
    """Describe why a file could not be read, without its contents."""
    if isinstance(error, UnicodeDecodeError):
        return "is not UTF-8 text"
    return f"cannot be read ({type(error).__name__})"


def default_config_file(environ: Mapping[str, str]) -> Path:
    """Return the configure file path: ``NCLOUD_CONFIG_FILE`` or ``~/.ncloud/configure``."""
    override = environ.get("NCLOUD_CONFIG_FILE")
    if override:
        return Path(override).expanduser()
    home = environ.get("HOME") or os.path.expanduser("~")
    return Path(home) / ".ncloud" / "configure"
