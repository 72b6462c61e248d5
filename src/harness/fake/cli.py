"""``ncp-fake-server``: run the fake NCloud server for tests in any language.

    ncp-fake-server --host 127.0.0.1 --port 8080 --credential AK:SK [--faults faults.json]
                    [--advance poll|time|instant] [--step-ms MS] [--failed ADDR]
                    [--unsubscribed ADDR] [--max-body-bytes N] [--tls-ca-file ca.pem]

It prints its base URL on the first line of standard output, then serves until interrupted.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import threading
from collections.abc import Sequence

from harness.fake._faults import FaultScript, InvalidFaultScriptError
from harness.fake._server import FakeNcloud
from harness.fake._state import DEFAULT_MAX_BODY_BYTES
from ncp_signing import Credentials, NcpSigningError

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ncp-fake-server",
        description="Serve a fake NCloud API Gateway and Cloud Outbound Mailer v1.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port (default 0: any free port)")
    parser.add_argument(
        "--credential",
        action="append",
        default=[],
        metavar="AK:SK",
        help="an accepted access key and its secret key; repeat for more",
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
        credentials = [_credential(text) for text in args.credential]
        faults = FaultScript.from_file(args.faults) if args.faults else None
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
        print(f"ncp-fake-server: {exc}", file=sys.stderr)
        return 2
    if not credentials:
        print("ncp-fake-server: no --credential given; signed calls will fail.", file=sys.stderr)
    with fake:
        if args.tls_ca_file:
            shutil.copyfile(fake.ca_file, args.tls_ca_file)
        print(fake.url, flush=True)
        waiter = stop or threading.Event()
        try:
            while not waiter.wait(0.2):
                pass
        except KeyboardInterrupt:
            pass
    return 0


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive integer")
    return value


def _credential(text: str) -> Credentials:
    access_key, sep, secret_key = text.partition(":")
    if not sep:
        raise ValueError("A --credential must look like ACCESS_KEY:SECRET_KEY.")
    return Credentials(access_key, secret_key)


if __name__ == "__main__":
    raise SystemExit(main())
