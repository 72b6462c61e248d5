"""The settings sources of the credential chain, each recording where its values came from.

Each source is a pydantic-settings source class, so ``NcpSettings`` merges them with the
library's own machinery; on top, each one keeps ``origins``: for every field it supplies, a
short description of the variable, file or profile it read.
"""

from __future__ import annotations

import difflib
import io
import os
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from dotenv import dotenv_values
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource

from ncp_config.exc import ConfigFileError, ConflictingSettingError

__all__ = [
    "CONFIGURE_KEYS",
    "ENV_NAMES",
    "KNOWN_VARIABLES",
    "PAIR",
    "ChainSource",
    "DotEnvSource",
    "EnvironmentSource",
    "ExplicitSource",
    "SecretsDirSource",
    "unknown_variables",
]

#: The two keys, only ever taken as a pair from one source.
PAIR = ("access_key", "secret_key")
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
#: Every NCLOUD_* variable the chain reads: the settings, and where to look for them.
KNOWN_VARIABLES: tuple[str, ...] = (
    *(name for names in ENV_NAMES.values() for name in names),
    "NCLOUD_PROFILE",
    "NCLOUD_CONFIG_FILE",
    "NCLOUD_SECRETS_DIR",
)
_PREFIX = "NCLOUD_"
CONFIGURE_KEYS = {
    "ncloud_access_key_id": "access_key",
    "ncloud_secret_access_key": "secret_key",
    "ncloud_api_url": "api_gw_url",
}


_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")
# What surrogateescape makes of a byte that is not UTF-8; valid UTF-8 never decodes to these.
_UNDECODABLE = re.compile(r"[\udc80-\udcff]")


def unknown_variables(names: Iterable[str]) -> list[tuple[str, str | None]]:
    """Each ``NCLOUD_*`` name (any case) the chain does not read, with the known name it is
    closest to, if one is close: ``NCLOUD_REGOIN`` gives ``NCLOUD_REGION``.

    Only names are looked at, never values. The shared ``NCLOUD_`` prefix is left out of the
    comparison, so that it alone never makes two names look alike. A name that is not a shell
    identifier (``NCLOUD_KEY:abc``, a control character) is passed over: it may hold pasted
    text, and no shell sets such a name by mistake.
    """
    suffixes = {name.removeprefix(_PREFIX): name for name in KNOWN_VARIABLES}
    found: list[tuple[str, str | None]] = []
    for name in sorted(names):
        upper = name.upper()
        if not upper.startswith(_PREFIX) or name in KNOWN_VARIABLES:
            continue
        if _IDENTIFIER.fullmatch(name) is None:
            continue
        close = difflib.get_close_matches(upper.removeprefix(_PREFIX), suffixes, n=1, cutoff=0.6)
        found.append((name, suffixes[close[0]] if close else None))
    return found


class ChainSource(PydanticBaseSettingsSource):
    """A source that reads once, caches its values, and knows where each one came from."""

    #: What the source is, for the "where it looked" list of a missing-value error.
    where: str = ""

    def __init__(self, settings_cls: type[BaseSettings]) -> None:
        super().__init__(settings_cls)
        self._values: dict[str, Any] | None = None
        self.origins: dict[str, str] = {}
        #: After a ConflictingSettingError: the values that do not conflict, and the conflicting
        #: fields with the variables that disagree.
        self.partial: dict[str, Any] | None = None
        self.conflicts: dict[str, str] = {}
        self._texts: dict[Path, str] = {}

    def values(self) -> dict[str, Any]:
        """Return the field values this source supplies, reading them on first use."""
        if self._values is None:
            self._values = self._load()
        return self._values

    def _load(self) -> dict[str, Any]:
        raise NotImplementedError

    def secret_values(self) -> tuple[list[str], bool]:
        """Every secret key this source holds, and whether the source could be searched whole.

        It reads as leniently as it can (undecodable bytes kept as lone surrogates, a file that
        does not parse searched line by line, every spelling and profile), so that a secret is
        known, and hidden from every message, even when the source itself is in error. The
        values found are only ever used for hiding, never as settings.
        """
        return [], True

    def _file_text(self, path: Path, *, strict: bool) -> str:
        """The text of ``path``, read once for both the secret search and the values.

        Undecodable bytes are kept as lone surrogates, or with ``strict`` make it raise
        :class:`UnicodeDecodeError`; an :class:`OSError` escapes, and a later call reads again.
        """
        text = self._texts.get(path)
        if text is None:
            text = path.read_text(encoding="utf-8-sig", errors="surrogateescape")
            self._texts[path] = text
        if strict:
            bad = _UNDECODABLE.search(text)
            if bad is not None:
                raise UnicodeDecodeError("utf-8", b"", bad.start(), bad.end(), "invalid byte")
        return text

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

    def secret_values(self) -> tuple[list[str], bool]:
        value = self._given.get("secret_key")
        if value is None:
            return [], True
        text = value.get_secret_value() if hasattr(value, "get_secret_value") else value
        return [str(text)], True

    def names_of(self, field: str) -> str:
        return f"the {field} argument"


class _NamedValuesSource(ChainSource):
    """Values found under the environment variable names, with the conflict check for aliases."""

    def _names(self) -> Mapping[str, str]:
        raise NotImplementedError

    def _describe(self, name: str) -> str:
        raise NotImplementedError

    def _lenient_names(self) -> Mapping[str, str]:
        """The names as :meth:`_names` finds them, undecodable bytes kept; OSError escapes."""
        return self._names()

    def secret_values(self) -> tuple[list[str], bool]:
        try:
            found = self._lenient_names()
        except (OSError, ValueError):
            return [], False
        values = [found.get(name) for name in ENV_NAMES["secret_key"]]
        return [value for value in values if value], True

    def _load(self) -> dict[str, Any]:
        self.partial, self.conflicts = None, {}
        found = self._names()
        values: dict[str, Any] = {}
        for field, names in ENV_NAMES.items():
            present = {name: found[name] for name in names if found.get(name)}
            if len(set(present.values())) > 1:
                self.conflicts[field] = ", ".join(self._describe(name) for name in present)
                continue
            if present:
                name = next(iter(present))
                values[field] = present[name]
                self.origins[field] = self._describe(name)
        if self.conflicts:
            # The other values stay available to a diagnosis, which lists every problem.
            self.partial = values
            raise ConflictingSettingError(_conflict_message(list(self.conflicts), self.where))
        return values


def _conflict_message(fields: list[str], where: str) -> str:
    """One sentence naming every pair of spellings that disagree in ``where``."""
    pairs = [" and ".join(ENV_NAMES[field][:2]) for field in fields]
    if len(pairs) == 1:
        return f"{pairs[0]} are both set in {where} and differ; unset one."
    return (
        f"{', and '.join(pairs)}, are each set twice in {where} with different values; "
        "unset one of each pair."
    )


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

    def unknown(self) -> list[tuple[str, str | None]]:
        """The ``NCLOUD_*`` variables set here that the chain does not read; see
        :func:`unknown_variables`."""
        return unknown_variables(self._environ)


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
            read = self._parsed(strict=True)
        except (OSError, UnicodeDecodeError) as error:
            problem = unreadable(error)
        if problem:
            # The decoding error holds the undecodable bytes, which may be a secret, so the
            # error is raised outside the handler and keeps no link to it.
            raise ConfigFileError(f"The .env file {self.path} {problem}.")
        return {name: value for name, value in read.items() if value is not None}

    def _lenient_names(self) -> Mapping[str, str]:
        if not self.path.is_file():
            return {}
        read = self._parsed(strict=False)
        return {name: value for name, value in read.items() if value is not None}

    def _parsed(self, *, strict: bool) -> Mapping[str, str | None]:
        # Read as pydantic-settings reads it, with python-dotenv, but without expanding
        # ${NAME}: that would replace part of a value, quoted or not, by another variable.
        text = self._file_text(self.path, strict=strict)
        return dotenv_values(stream=io.StringIO(text), interpolate=False)

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
                text = self._secret_file_text(entry, strict=True)
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
            problem = unreadable(error)
        if problem:
            what = "secrets directory" if entry == self.path else "secrets file"
            raise ConfigFileError(f"The {what} {entry} {problem}.")
        return found

    def secret_values(self) -> tuple[list[str], bool]:
        wanted = {name.lower() for name in ENV_NAMES["secret_key"]}
        try:
            if not self.path.is_dir():
                return [], True
            # Every spelling, in any case: two files may differ only in case, and disagree.
            return [
                self._secret_file_text(entry, strict=False)
                for entry in self.path.iterdir()
                if entry.name.lower() in wanted and entry.is_file()
            ], True
        except OSError:
            return [], False

    def _describe(self, name: str) -> str:
        return f"secrets file {self._files[name]}"

    def _secret_file_text(self, path: Path, *, strict: bool) -> str:
        """A secrets file's text, less one trailing newline."""
        text = self._file_text(path, strict=strict)
        return text[:-2] if text.endswith("\r\n") else text.removesuffix("\n")


def unreadable(error: OSError | UnicodeDecodeError) -> str:
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
