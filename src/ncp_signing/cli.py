"""``ncp-sign METHOD URL``: print the signature v2 headers for a request.

The secret key is read from the environment or the settings chain, never from a flag: a flag
would show in ``ps`` output and in shell history.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import sys
from collections.abc import Callable, Mapping, Sequence
from urllib.parse import urlsplit

from ncp_signing._canonical import canonical_uri, shown_url
from ncp_signing._signer import Credentials, Signer, epoch_millis
from ncp_signing._validate import timestamp_text
from ncp_signing.exc import InvalidInputError, NcpSigningError

__all__ = ["main"]

_ACCESS_NAMES = ("NCLOUD_ACCESS_KEY_ID", "NCLOUD_ACCESS_KEY")
_SECRET_NAMES = ("NCLOUD_SECRET_ACCESS_KEY", "NCLOUD_SECRET_KEY")


class _CredentialsNotFound(NcpSigningError):
    """No usable credentials were found; the message says how to set them."""


class _UsageError(InvalidInputError):
    """The command line cannot be honoured as given; the message says what to change."""


def credentials_from_environment(environ: Mapping[str, str]) -> Credentials:
    """Read credentials from either spelling of the NCloud environment variables."""
    access = _one_of(environ, _ACCESS_NAMES)
    secret = _one_of(environ, _SECRET_NAMES)
    if not access or not secret:
        raise _CredentialsNotFound(
            "No credentials found: set NCLOUD_ACCESS_KEY_ID and NCLOUD_SECRET_ACCESS_KEY "
            "(or NCLOUD_ACCESS_KEY and NCLOUD_SECRET_KEY) in the environment."
        )
    return Credentials(access, secret)


def _one_of(environ: Mapping[str, str], names: tuple[str, str]) -> str:
    values = {name: environ[name] for name in names if environ.get(name)}
    if len(set(values.values())) > 1:
        raise _CredentialsNotFound(f"{names[0]} and {names[1]} are both set and differ; unset one.")
    return next(iter(values.values()), "")


ENVIRONMENT_HELP = (
    "Credentials come from NCLOUD_ACCESS_KEY_ID / NCLOUD_SECRET_ACCESS_KEY "
    "(or NCLOUD_ACCESS_KEY / NCLOUD_SECRET_KEY)."
)


def build_parser(credentials_help: str = ENVIRONMENT_HELP) -> argparse.ArgumentParser:
    """The ``ncp-sign`` parser; ``credentials_help`` says where credentials come from."""
    parser = argparse.ArgumentParser(
        prog="ncp-sign",
        description="Print NCloud API Gateway signature v2 headers for one request. "
        + credentials_help,
    )
    parser.add_argument("method", help="HTTP method, signed exactly as given (e.g. GET)")
    parser.add_argument("url", help="full URL or request target, e.g. /api/v1/mails")
    parser.add_argument("--timestamp", help="epoch milliseconds to sign with (default: now)")
    parser.add_argument(
        "--format",
        choices=("headers", "json", "curl"),
        default="headers",
        help="output format; curl needs a full URL",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI with credentials from the environment; return the exit status."""
    args = build_parser().parse_args(argv)
    return run(args, lambda: credentials_from_environment(os.environ))


def run(
    args: argparse.Namespace,
    credentials: Callable[[], Credentials],
    errors: tuple[type[Exception], ...] = (),
) -> int:
    """Sign as ``args`` say and print the result; return the exit status.

    ``credentials`` supplies the credentials; a wrapper with a richer source (the settings
    chain) passes its own, and the exception types it raises in ``errors``.
    """
    caught: tuple[type[Exception], ...] = (NcpSigningError, *errors)
    try:
        _check_url(args.url, args.format)
        clock = epoch_millis
        if args.timestamp is not None:
            fixed = int(timestamp_text(args.timestamp))
            clock = lambda: fixed  # noqa: E731
        signer = Signer(credentials(), clock=clock)
        headers = signer.headers(args.method, args.url)
        print(_render(args.format, args.method, args.url, headers))
    except caught as error:
        print(f"ncp-sign: error: {error}", file=sys.stderr)
        return 2
    return 0


def _check_url(url: str, fmt: str) -> None:
    """Refuse an empty URL (an unset shell variable, most likely) and what curl cannot send."""
    if not url:
        raise _UsageError("The URL '' is empty; give a full URL or a target starting with '/'.")
    if fmt == "curl":
        _check_curl_url(url)


def _check_curl_url(url: str) -> None:
    """curl needs a host, and refuses a raw space; say so before signing anything."""
    parts = urlsplit(url)
    if not (parts.scheme and parts.netloc):
        raise _UsageError(f"--format curl needs a full URL with a host, not {shown_url(url)}.")
    if " " in canonical_uri(url):
        raise _UsageError(
            f"The URL {shown_url(url)} has a raw space, which curl will not send; write it as %20."
        )


def _wire_url(url: str) -> str:
    """Return the URL with its target exactly as signed, so curl sends what was signed."""
    parts = urlsplit(url)
    origin = f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""
    return origin + canonical_uri(url)


def _render(fmt: str, method: str, url: str, headers: dict[str, str]) -> str:
    if fmt == "json":
        document = {"method": method, "url": url, "signed_target": canonical_uri(url)}
        return json.dumps({**document, "headers": headers}, ensure_ascii=False, indent=2)
    if fmt == "curl":
        parts = ["curl", "--globoff", "-X", method]
        for name, value in headers.items():
            parts += ["-H", f"{name}: {value}"]
        return shlex.join([*parts, _wire_url(url)])
    return "\n".join(f"{name}: {value}" for name, value in headers.items())
