"""``ncp-sign`` with credentials from the full settings chain.

``ncp_signing`` must not import this package, so its CLI takes a credentials provider; this
module supplies one that reads the chain (arguments, environment, ``.env``, secrets directory,
configure file with ``--profile`` or ``NCLOUD_PROFILE``).
"""

from __future__ import annotations

from collections.abc import Sequence

from ncp_config._load import load_settings
from ncp_config._redact import redact
from ncp_config.exc import ConfigError
from ncp_signing import Credentials
from ncp_signing import cli as signing_cli

__all__ = ["main"]

CHAIN_HELP = (
    "Credentials come from the settings chain: NCLOUD_ACCESS_KEY_ID / "
    "NCLOUD_SECRET_ACCESS_KEY (or NCLOUD_ACCESS_KEY / NCLOUD_SECRET_KEY), .env, the secrets "
    "directory, then ~/.ncloud/configure; never from a flag."
)


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``ncp-sign`` with the settings chain; return the process exit status."""
    parser = signing_cli.build_parser(CHAIN_HELP)
    parser.add_argument("--profile", help="profile of the configure file to read")
    args = parser.parse_args(argv)
    return signing_cli.run(args, lambda: _credentials(args.profile), (ConfigError,))


def _credentials(profile: str | None) -> Credentials:
    """The chain's credentials; an error's text passes through the redactor before it is shown."""
    try:
        return load_settings(profile=profile).credentials()
    except ConfigError as error:
        message = redact(str(error))
    # Raised outside the handler, so that no traceback links it to the original.
    raise ConfigError(message)
