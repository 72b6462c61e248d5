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

from ncp_signing._canonical import canonical_uri
from ncp_signing._signer import Credentials, Signer, epoch_millis
from ncp_signing._validate import timestamp_text
from ncp_signing.exc import NcpSigningError

__all__ = ["main"]

_ACCESS_NAMES = ("NCLOUD_ACCESS_KEY_ID", "NCLOUD_ACCESS_KEY")
_SECRET_NAMES = ("NCLOUD_SECRET_ACCESS_KEY", "NCLOUD_SECRET_KEY")


class CredentialsNotFound(Exception):
    """No usable credentials were found; the message says how to set them."""


def credentials_from_environment(environ: Mapping[str, str]) -> Credentials:
    """Read credentials from either spelling of the NCloud environment variables."""
    access = _one_of(environ, _ACCESS_NAMES)
    secret = _one_of(environ, _SECRET_NAMES)
    if not access or not secret:
        raise CredentialsNotFound(
            "No credentials found: set NCLOUD_ACCESS_KEY_ID and NCLOUD_SECRET_ACCESS_KEY "
            "(or NCLOUD_ACCESS_KEY and NCLOUD_SECRET_KEY) in the environment."
        )
    return Credentials(access, secret)


def _one_of(environ: Mapping[str, str], names: tuple[str, str]) -> str:
    values = {name: environ[name] for name in names if environ.get(name)}
    if len(set(values.values())) > 1:
        raise CredentialsNotFound(f"{names[0]} and {names[1]} are both set and differ; unset one.")
    return next(iter(values.values()), "")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ncp-sign",
        description="Print NCloud API Gateway signature v2 headers for one request. "
        "Credentials come from NCLOUD_ACCESS_KEY_ID / NCLOUD_SECRET_ACCESS_KEY "
        "(or NCLOUD_ACCESS_KEY / NCLOUD_SECRET_KEY).",
    )
    parser.add_argument("method", help="HTTP method, signed exactly as given (e.g. GET)")
    parser.add_argument("url", help="full URL or request target, e.g. /api/v1/mails")
    parser.add_argument("--timestamp", help="epoch milliseconds to sign with (default: now)")
    parser.add_argument(
        "--format", choices=("headers", "json", "curl"), default="headers", help="output format"
    )
    return parser


def main(
    argv: Sequence[str] | None = None,
    *,
    credentials: Callable[[], Credentials] | None = None,
    errors: tuple[type[Exception], ...] = (),
) -> int:
    """Run the CLI; return the process exit status.

    ``credentials`` supplies the credentials (default: the environment variables); a wrapper
    with a richer source passes its own, and the exception types it raises in ``errors``.
    """
    args = _parser().parse_args(argv)
    caught: tuple[type[Exception], ...] = (NcpSigningError, CredentialsNotFound, *errors)
    try:
        found = credentials() if credentials else credentials_from_environment(os.environ)
        clock = epoch_millis
        if args.timestamp is not None:
            fixed = int(timestamp_text(args.timestamp))
            clock = lambda: fixed  # noqa: E731
        signer = Signer(found, clock=clock)
        headers = signer.headers(args.method, args.url)
        print(_render(args.format, args.method, args.url, headers))
    except caught as error:
        print(f"ncp-sign: error: {error}", file=sys.stderr)
        return 2
    return 0


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
