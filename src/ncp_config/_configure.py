"""The NCloud CLI configure file as a source of the credential chain."""

from __future__ import annotations

import configparser
import re
from pathlib import Path
from typing import Any

from pydantic_settings import BaseSettings

from ncp_config._sources import CONFIGURE_KEYS, ChainSource, unreadable
from ncp_config.exc import ConfigFileError, ProfileNotFoundError

__all__ = ["DEFAULT_PROFILE", "ConfigureFileSource"]

DEFAULT_PROFILE = "DEFAULT"
_CREDENTIAL_KEYS = ("ncloud_access_key_id", "ncloud_secret_access_key")
_NO_DEFAULT = "\x00"
# A secret key line as configparser reads it (keys are case-insensitive, "=" or ":" separates),
# found in any section, even in a file that does not parse.
_SECRET_LINE = re.compile(r"^\s*ncloud_secret_access_key\s*[=:](.*)$", re.IGNORECASE | re.MULTILINE)


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
            problem = unreadable(error)
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

    def secret_values(self) -> tuple[list[str], bool]:
        try:
            if not self.path.is_file():
                return [], True
            text = self._file_text(self.path, strict=False)
        except OSError:
            return [], False
        return [value.strip() for value in _SECRET_LINE.findall(text) if value.strip()], True

    def names_of(self, field: str) -> str:
        return next(key for key, name in CONFIGURE_KEYS.items() if name == field)

    def _parse(self) -> configparser.ConfigParser:
        # DEFAULT is read as an ordinary section; the fallback to it is explicit above, so the
        # source of each value can name the section it really came from.
        parser = configparser.ConfigParser(interpolation=None, default_section=_NO_DEFAULT)
        problem = ""
        try:
            text = self._file_text(self.path, strict=True)
        except (OSError, UnicodeDecodeError) as error:
            problem = unreadable(error)
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
