"""``ncp-harness``: one command, a subcommand per job; each lives with its own package."""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from harness.conformance.cli import add_conformance_parser
from harness.mail.cli import add_send_parser
from harness.service import add_demo_parser, add_serve_parser

__all__ = ["build_parser", "main"]


def build_parser() -> argparse.ArgumentParser:
    """The parser with every subcommand registered."""
    parser = argparse.ArgumentParser(
        prog="ncp-harness",
        description="Send NCloud mail, run the mail service, and check conformance.",
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    add_demo_parser(subparsers)
    add_send_parser(subparsers)
    add_serve_parser(subparsers)
    add_conformance_parser(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Parse ``argv`` and run the chosen subcommand; return its exit status."""
    args = build_parser().parse_args(argv)
    status: int = args.func(args)
    return status


if __name__ == "__main__":
    raise SystemExit(main())
