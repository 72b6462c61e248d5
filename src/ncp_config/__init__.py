"""Validated NCloud settings with a credential chain and secret masking.

One place loads, validates and explains the settings::

    from ncp_config import load_settings

    settings = load_settings()
    signer_credentials = settings.credentials()

Importing the package attaches a redacting filter to the loggers named exactly ``ncp_signing``,
``ncp_config``, ``harness`` and ``pydantic_settings``. In records logged on those loggers (not
on their children, such as ``harness.sender``, which need :func:`install_log_redaction`), the
filter replaces every secret key that settings have loaded (six characters or longer, also in
its ``repr`` and JSON escaped forms) and every ``x-ncp-apigw-signature-v1``/``-v2`` header
value. Text it cannot recognise, such as a secret cut in two or encoded, passes unchanged.
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
from ncp_config._sites import is_loopback
from ncp_config.exc import (
    ConfigError,
    ConfigFileError,
    ConflictingSettingError,
    IncompleteCredentialsError,
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
    "IncompleteCredentialsError",
    "MissingSettingError",
    "NcpSettings",
    "ProfileNotFoundError",
    "RedactingFilter",
    "SettingsValidationError",
    "install_log_redaction",
    "is_loopback",
    "load_settings",
    "mask",
    "redact",
    "register_secret",
]
