"""The ``serve`` and ``demo`` commands of ``ncp-harness``."""

from __future__ import annotations

import argparse
import copy
import sys
from typing import Any

from ncp_config import is_loopback

__all__ = ["add_demo_parser", "add_serve_parser", "demo_command", "serve_command"]


def add_serve_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add ``serve``: the mail service and its workers, with settings from the usual chain."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "serve",
        help="run the mail service (POST /api/v1/email/send) with its outbox workers",
        description="Serve the mail service with uvicorn; settings come from ncp_config.",
    )
    parser.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default: %(default)s)"
    )
    parser.add_argument(
        "--port", type=int, default=8000, help="port to listen on (default: %(default)s)"
    )
    parser.add_argument(
        "--db",
        default="ncp-outbox.sqlite3",
        help="the outbox SQLite file, created if missing (default: %(default)s)",
    )
    parser.add_argument(
        "--workers",
        type=_worker_count,
        default=4,
        help="outbox worker threads, 0 for none: entries then wait for a drain elsewhere, such "
        "as python -m harness.outbox (default: %(default)s)",
    )
    parser.set_defaults(func=serve_command)
    return parser


def _worker_count(text: str) -> int:
    """A worker count of 0 or more; anything else is an argparse error (exit status 2)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number, not {text!r}.") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, not {value}.")
    return value


def _exposure_warning(host: str) -> str:
    return (
        f"ncp-harness serve: warning: listening on {host!r}, which is not a loopback address, "
        "but the service has no authentication of its own; keep it on 127.0.0.1 or behind "
        "an authenticating proxy."
    )


def serve_command(args: argparse.Namespace) -> int:
    """Run the service in the foreground until interrupted; 2 when the settings are unusable."""
    import uvicorn

    from harness.outbox import Outbox, OutboxFileError
    from harness.service._app import create_app
    from ncp_config import ConfigError, load_settings

    try:
        settings = load_settings()
    except ConfigError as error:
        print(f"ncp-harness serve: {error}", file=sys.stderr)
        return 2
    try:
        Outbox(args.db).close()  # refuse an unusable file here, not in the app's start-up
    except OutboxFileError as error:
        print(f"ncp-harness serve: {error}", file=sys.stderr)
        return 2
    app = create_app(settings, workers=args.workers, db_path=args.db)
    if not is_loopback(args.host):
        print(_exposure_warning(args.host), file=sys.stderr)
    uvicorn.run(app, host=args.host, port=args.port, log_level="info", log_config=_log_config())
    return 0


def _log_config() -> dict[str, Any]:
    """uvicorn's logging, with the ``harness`` logger's outcomes (sent, failed, ...) shown too."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config["loggers"]["harness"] = {"handlers": ["default"], "level": "INFO", "propagate": False}
    return config


def add_demo_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add ``demo``: the whole background path against the fake NCloud server."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "demo",
        help="send a few mails through the service and outbox to the fake NCloud server",
        description="Start the fake NCloud server, the outbox, workers and the service on "
        "loopback; submit mails over HTTP; follow them to 'sent'; show what arrived.",
    )
    parser.add_argument(
        "--latency-ms",
        type=int,
        default=300,
        help="latency the fake adds to each send (default: %(default)s)",
    )
    parser.add_argument(
        "--workers", type=int, default=2, help="outbox worker threads (default: %(default)s)"
    )
    parser.set_defaults(func=demo_command)
    return parser


def demo_command(args: argparse.Namespace) -> int:
    """Run the demo; 0 when every mail was sent exactly once."""
    from harness.service._demo import run_demo

    if args.workers < 1 or args.latency_ms < 0:
        print("ncp-harness demo: --workers must be >= 1 and --latency-ms >= 0", file=sys.stderr)
        return 2
    try:
        return run_demo(latency_ms=args.latency_ms, workers=args.workers)
    except Exception as error:  # the demo's answer is its exit status, with the reason
        print(f"ncp-harness demo failed: {type(error).__name__}: {error}", file=sys.stderr)
        return 1
