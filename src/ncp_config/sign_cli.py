"""``ncp-sign`` with credentials from the full settings chain.

``ncp_signing`` must not import this package, so its CLI takes a credentials provider; this
module supplies one that reads the chain (arguments, environment, ``.env``, secrets directory,
configure file with ``NCLOUD_PROFILE``).
"""

from __future__ import annotations

from collections.abc import Sequence

from ncp_config._load import load_settings
from ncp_config.exc import ConfigError
from ncp_signing import Credentials
from ncp_signing import cli as signing_cli

__all__ = ["main"]


def _credentials() -> Credentials:
    return load_settings().credentials()


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``ncp-sign`` with the settings chain; return the process exit status."""
    return signing_cli.main(argv, credentials=_credentials, errors=(ConfigError,))
