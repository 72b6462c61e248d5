"""Validated NCloud settings with a credential chain and secret masking.

One place loads, validates and explains the settings::

    from ncp_config import load_settings

    settings = load_settings()
    signer_credentials = settings.credentials()

Importing the package attaches a redacting filter to the project's loggers, so a secret that
settings have loaded, or a signature header value, never reaches a log record.
"""

from ncp_config._load import DEFAULT, load_settings
from ncp_config._redact import (
    REDACTED,
    RedactingFilter,
    install_log_redaction,
    mask,
    redact,
    register_secret,
)
from ncp_config._settings import NcpSettings
from ncp_config.exc import (
    ConfigError,
    ConfigFileError,
    ConflictingSettingError,
    MissingSettingError,
    ProfileNotFoundError,
    SettingsValidationError,
)

install_log_redaction()

__all__ = [
    "DEFAULT",
    "REDACTED",
    "ConfigError",
    "ConfigFileError",
    "ConflictingSettingError",
    "MissingSettingError",
    "NcpSettings",
    "ProfileNotFoundError",
    "RedactingFilter",
    "SettingsValidationError",
    "install_log_redaction",
    "load_settings",
    "mask",
    "redact",
    "register_secret",
]
