"""``ncp-fake-server``: run the fake NCloud server for tests in any language.

    ncp-fake-server --host 127.0.0.1 --port 8080 --credential AK:SK [--faults faults.json]
                    [--credential-file FILE] [--advance poll|time|instant] [--step-ms MS]
                    [--failed ADDR] [--unsubscribed ADDR] [--max-body-bytes N]
                    [--tls-ca-file ca.pem]

It prints its base URL on the first line of standard output, then serves until interrupted.
Accepted credentials come from ``--credential``, ``--credential-file`` and the
``NCP_FAKE_CREDENTIALS`` environment variable (``AK:SK[,AK2:SK2]``), the last two keeping
secrets out of ``ps`` and shell history.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import threading
from collections.abc import Sequence
from pathlib import Path

from harness.fake._faults import FaultScript, InvalidFaultScriptError
from harness.fake._server import FakeNcloud, FakeServerError
from harness.fake._state import DEFAULT_MAX_BODY_BYTES
from ncp_config import is_loopback
from ncp_signing import Credentials, NcpSigningError

__all__ = ["CREDENTIALS_ENV", "main"]

CREDENTIALS_ENV = "NCP_FAKE_CREDENTIALS"
"""Accepted credentials as ``AK:SK[,AK2:SK2]``, added to ``--credential`` and the file."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ncp-fake-server",
        description="Serve a fake NCloud API Gateway and Cloud Outbound Mailer v1.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument(
        "--port", type=_port, default=0, help="port, 0 to 65535 (default 0: any free port)"
    )
    parser.add_argument(
        "--credential",
        action="append",
        default=[],
        metavar="AK:SK",
        help="an accepted test access key and its secret key; repeat for more (visible in ps:"
        f" use --credential-file or {CREDENTIALS_ENV}=AK:SK[,AK2:SK2] to hide it)",
    )
    parser.add_argument(
        "--credential-file",
        metavar="FILE",
        help="accepted credentials, one AK:SK per line (blank lines and # comments skipped)",
    )
    parser.add_argument("--faults", metavar="FILE", help="a JSON fault script")
    parser.add_argument(
        "--advance",
        choices=("poll", "time", "instant"),
        default="poll",
        help="how mail statuses move (default: one step per status poll)",
    )
    parser.add_argument(
        "--step-ms",
        type=_positive,
        default=1000,
        metavar="MS",
        help="with --advance time, server milliseconds per status step (default 1000)",
    )
    parser.add_argument(
        "--failed",
        action="append",
        default=[],
        metavar="ADDR",
        help="a recipient address whose mail ends failed (F); repeat for more",
    )
    parser.add_argument(
        "--unsubscribed",
        action="append",
        default=[],
        metavar="ADDR",
        help="a recipient address whose mail ends unsubscribed (U); repeat for more",
    )
    parser.add_argument(
        "--max-body-bytes",
        type=_positive,
        default=DEFAULT_MAX_BODY_BYTES,
        metavar="N",
        help=f"larger request bodies get 413 (default {DEFAULT_MAX_BODY_BYTES})",
    )
    parser.add_argument(
        "--debug", action="store_true", help="explain 401 answers (loopback hosts only)"
    )
    parser.add_argument(
        "--tls-ca-file",
        metavar="FILE",
        help="serve HTTPS with a throwaway certificate; write its CA certificate to FILE",
    )
    return parser


def main(argv: Sequence[str] | None = None, *, stop: threading.Event | None = None) -> int:
    """Run the server until interrupted (or until ``stop`` is set); return the exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        credentials = _all_credentials(args.credential, args.credential_file)
        faults = _fault_script(args.faults) if args.faults else None
        fake = FakeNcloud(
            credentials=credentials,
            host=args.host,
            port=args.port,
            debug=args.debug,
            faults=faults,
            advance=args.advance,
            step_ms=args.step_ms,
            failed=args.failed,
            unsubscribed=args.unsubscribed,
            max_body_bytes=args.max_body_bytes,
            tls=args.tls_ca_file is not None,
        )
    except (ValueError, OSError, NcpSigningError, InvalidFaultScriptError) as exc:
        return _fail(str(exc))
    try:
        fake.start()
    except FakeServerError as exc:
        return _fail(str(exc))
    if not credentials:
        _warn(
            f"no --credential, --credential-file or {CREDENTIALS_ENV} given;"
            " signed calls will fail."
        )
    if not is_loopback(args.host):
        _warn(
            f"--host {args.host} may expose the fake beyond this machine: it accepts test"
            " credentials and its /_fake admin routes are not authenticated, so keep it on a"
            " loopback address unless a container needs it."
        )
    try:
        if args.tls_ca_file:
            try:
                shutil.copyfile(fake.ca_file, args.tls_ca_file)
            except OSError as exc:
                reason = _reason(exc)
                return _fail(f"The CA file {args.tls_ca_file!r} cannot be written: {reason}.")
        print(fake.url, flush=True)
        waiter = stop or threading.Event()
        try:
            while not waiter.wait(0.2):
                pass
        except KeyboardInterrupt:
            pass
    finally:
        fake.stop()
    return 0


def _warn(message: str) -> None:
    print(f"ncp-fake-server: {message}", file=sys.stderr)


def _fail(message: str) -> int:
    _warn(message)
    return 2


def _reason(exc: OSError) -> str:
    return (exc.strerror or type(exc).__name__).lower()


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port from 0 to 65535")
    return value


def _fault_script(path: str) -> FaultScript:
    try:
        return FaultScript.from_file(path)
    except OSError as exc:
        raise ValueError(f"The fault file {path!r} cannot be read: {_reason(exc)}.") from exc


def _all_credentials(given: Sequence[str], file: str | None) -> list[Credentials]:
    """Credentials from ``--credential``, then ``--credential-file``, then the environment."""
    sources = [("--credential", text) for text in given]
    if file is not None:
        try:
            lines = Path(file).read_text(encoding="utf-8-sig").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            reason = getattr(exc, "strerror", None) or "it is not UTF-8 text"
            raise ValueError(
                f"The credential file {file!r} cannot be read: {reason.lower()}."
            ) from exc
        for number, line in enumerate(lines, start=1):
            line = line.strip()
            if line and not line.startswith("#"):
                sources.append((f"line {number} of --credential-file {file!r}", line))
    for index, item in enumerate(os.environ.get(CREDENTIALS_ENV, "").split(","), start=1):
        if item.strip():
            sources.append((f"item {index} of {CREDENTIALS_ENV}", item.strip()))
    return [_credential(source, text) for source, text in sources]


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive integer")
    return value


def _credential(source: str, text: str) -> Credentials:
    """``AK:SK`` as credentials; an error names ``source`` but never the secret key."""
    access_key, sep, secret_key = text.partition(":")
    if not sep:
        raise ValueError(f"The {source} value must look like ACCESS_KEY:SECRET_KEY.")
    try:
        return Credentials(access_key, secret_key)
    except NcpSigningError as exc:
        reason = str(exc).rstrip(".")
        raise ValueError(
            f"The {source} value is refused: {reason[:1].lower()}{reason[1:]}."
        ) from exc


if __name__ == "__main__":
    raise SystemExit(main())
