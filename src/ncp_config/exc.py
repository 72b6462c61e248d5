"""The exceptions of ``ncp_config``: one root, one class per way a configuration can be wrong.

Every message is one sentence that names the offending setting, variable, file or profile, and
never a value that could be a secret.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

__all__ = [
    "ConfigError",
    "ConfigFileError",
    "ConflictingSettingError",
    "IncompleteCredentialsError",
    "MissingSettingError",
    "ProfileNotFoundError",
    "SettingsValidationError",
]


class ConfigError(Exception):
    """Root of every exception this package raises."""


class MissingSettingError(ConfigError):
    """A required setting was found in none of the sources; the message says how to set it."""

    def __init__(self, message: str, *, fields: Sequence[str]) -> None:
        super().__init__(message)
        self.fields = tuple(fields)


class IncompleteCredentialsError(MissingSettingError):
    """The first source with an access key or a secret key lacks the other half of the pair.

    The two are only used together from one source, so that an access key is never signed
    with another account's secret key; ``fields`` holds the missing half.
    """


class ConflictingSettingError(ConfigError):
    """Two spellings of one setting (or two secrets files) are both set, with different values."""


class ProfileNotFoundError(ConfigError):
    """The profile asked for is not a section of the configure file."""


class ConfigFileError(ConfigError):
    """A file of the chain (configure file, ``.env``, secrets file) cannot be read or parsed."""


class SettingsValidationError(ConfigError, ValueError):
    """One or more settings are invalid.

    It replaces pydantic's ``ValidationError``, whose text, ``errors()`` and ``json()`` carry the
    merged input of every source in plain text. Here each error keeps only its location, type,
    message (scrubbed of every known secret) and the source the value came from.
    """

    def __init__(self, errors: Sequence[dict[str, Any]]) -> None:
        self._errors = [dict(error) for error in errors]
        super().__init__(self._summary())

    def errors(self) -> list[dict[str, Any]]:
        """Return the scrubbed error dicts: ``loc``, ``type``, ``msg`` and ``source``."""
        return [dict(error) for error in self._errors]

    def error_count(self) -> int:
        """Return how many settings are invalid."""
        return len(self._errors)

    def json(self, *, indent: int | None = None) -> str:
        """Return the scrubbed errors as a JSON array."""
        return json.dumps(self._errors, indent=indent, ensure_ascii=False)

    def _summary(self) -> str:
        parts = [
            f"{'.'.join(str(item) for item in error['loc']) or 'settings'} "
            f"(from {error['source']}): {error['msg']}"
            for error in self._errors
        ]
        noun = "setting is" if len(parts) == 1 else "settings are"
        return f"{len(parts)} {noun} invalid: " + "; ".join(parts)
