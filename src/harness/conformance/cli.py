"""``ncp-harness conformance``: run the conformance suite and print a table of cases.

Exit status: 0 when no case failed (n/a cases do not fail), 1 when any case failed, 2 for a
usage or settings error, a signer command that fails its first case, a target that cannot be
reached or that rejects the credentials, or a report that cannot be written.
"""

from __future__ import annotations

import argparse
import math
import os
import shlex
import shutil
import sys
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from harness.conformance._model import CaseFailure, RunStopped
from harness.conformance._report import render_table, summary, write_report
from harness.conformance._suite import SuiteOptions, run_suite
from harness.conformance._target import Target, fake_target, url_target
from harness.mail._models import check_address
from ncp_config import is_loopback

__all__ = ["add_conformance_parser", "build_parser", "main", "run_conformance"]

DESCRIPTION = (
    "Run the NCloud signature v2 conformance suite: the packaged vectors against this project's "
    "signer (and an external signer program with --signer-cmd), then the protocol cases C1-C40 "
    "against the in-process fake or a base URL."
)
MAX_SIGNER_TIMEOUT = 3600.0
MAX_JOBS = 64


def _configure(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    parser.add_argument(
        "--target",
        default="fake",
        metavar="fake|URL",
        help="where the protocol cases run: 'fake' (default, started in process) or a base URL "
        "such as https://mail.apigw.ntruss.com, signed with credentials from the settings chain",
    )
    parser.add_argument(
        "--signer-cmd",
        metavar="CMD",
        help="an external signer program: reads one JSON case on stdin, prints the signature, "
        "exits non-zero for an input it refuses",
    )
    parser.add_argument(
        "--signer-timeout",
        type=float,
        default=10.0,
        metavar="SECONDS",
        help="time allowed for each run of the signer command, up to 3600 (default: 10)",
    )
    parser.add_argument(
        "--jobs",
        type=int,
        default=min(8, os.cpu_count() or 1),
        metavar="N",
        help="signer commands run at once, 1 to 64 (default: up to 8)",
    )
    parser.add_argument(
        "--suite",
        choices=("all", "signing", "protocol"),
        default="all",
        help="run the signer suites, the protocol cases, or both (default)",
    )
    parser.add_argument(
        "--report",
        type=Path,
        metavar="FILE.xml|FILE.json",
        help="also write a JUnit XML or JSON report",
    )
    parser.add_argument(
        "--allow-send",
        action="store_true",
        help="against a URL, also run the cases that send mail (needs --to)",
    )
    parser.add_argument("--to", metavar="ADDR", help="the recipient of mail sent by --allow-send")
    parser.add_argument(
        "--from",
        dest="sender",
        metavar="ADDR",
        help="the sender of mail sent by --allow-send (default: the settings' "
        "mail_sender_address, NCLOUD_MAIL_SENDER_ADDRESS)",
    )
    parser.add_argument(
        "--ca-file",
        metavar="FILE",
        help="a PEM file of the CA to trust for an https URL target, such as the one "
        "ncp-fake-server --tls-ca-file writes (default: REQUESTS_CA_BUNDLE or CURL_CA_BUNDLE, "
        "else the certifi bundle that requests uses)",
    )
    parser.add_argument("--profile", help="the NCloud configure-file profile for a URL target")
    parser.set_defaults(func=run_conformance)
    return parser


def add_conformance_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``conformance`` sub-command to an ``argparse`` sub-parsers object."""
    parser = subparsers.add_parser(
        "conformance", help="run the conformance suite", description=DESCRIPTION
    )
    return _configure(parser)


def build_parser(prog: str = "ncp-harness conformance") -> argparse.ArgumentParser:
    """A stand-alone parser for ``python -m harness.conformance``."""
    return _configure(argparse.ArgumentParser(prog=prog, description=DESCRIPTION))


def run_conformance(args: argparse.Namespace) -> int:
    """Run the suite as ``args`` say; print the table; write the report; return the exit code."""
    problem = _usage_problem(args)
    if problem:
        print(f"conformance: {problem}", file=sys.stderr)
        return 2
    options = SuiteOptions(
        signer_cmd=args.signer_cmd,
        signer_timeout=args.signer_timeout,
        jobs=args.jobs,
        signing=args.suite in ("all", "signing"),
        protocol=args.suite in ("all", "protocol"),
    )
    try:
        target = _target(args) if options.protocol else None
        results = run_suite(options, target)
    except (CaseFailure, _SettingsUnavailable) as exc:
        print(f"conformance: cannot use the target {args.target!r}: {exc}", file=sys.stderr)
        return 2
    except RunStopped as exc:
        print(f"conformance: {exc}", file=sys.stderr)
        return 2
    print(render_table(results))
    if args.report is not None:
        signers = ["project"] + (["external"] if args.signer_cmd else [])
        signers = signers if options.signing else []
        label = args.target if options.protocol else "none"
        try:
            write_report(args.report, results, target=label, signers=signers)
        except OSError as exc:
            print(
                f"conformance: cannot write the report {str(args.report)!r}: {exc.strerror}",
                file=sys.stderr,
            )
            return 2
        print(f"report written to {args.report}")
    return 1 if summary(results)["fail"] else 0


def _usage_problem(args: argparse.Namespace) -> str:
    if args.report is not None and args.report.suffix.lower() not in (".xml", ".json"):
        return f"the report file {str(args.report)!r} must end in .xml or .json"
    if args.report is not None and not args.report.parent.is_dir():
        return f"the report file's folder {str(args.report.parent)!r} does not exist"
    if args.target != "fake":
        problem = _target_problem(args.target)
        if problem:
            return problem
    if args.allow_send and not args.to:
        return "--allow-send needs --to ADDR, the recipient of the mail it sends"
    if args.to and not args.allow_send and args.target != "fake":
        return "--to is only used with --allow-send"
    if args.sender is not None and not (args.allow_send and args.target != "fake"):
        return "--from is only used with --allow-send and a URL target"
    if args.to:
        try:
            check_address(args.to)
        except ValueError as exc:
            return f"--to needs the recipient's address: {exc}"
    if args.sender is not None:
        try:
            check_address(args.sender)
        except ValueError as exc:
            return f"--from needs the sender's address: {exc}"
    if args.ca_file is not None:
        if urlsplit(args.target).scheme.lower() != "https":
            return "--ca-file is only used with an https URL target"
        if not Path(args.ca_file).is_file():
            return f"--ca-file {args.ca_file!r} is not a file"
    if not (math.isfinite(args.signer_timeout) and 0 < args.signer_timeout <= MAX_SIGNER_TIMEOUT):
        return (
            f"--signer-timeout must be more than 0 and at most {MAX_SIGNER_TIMEOUT:g} seconds, "
            f"not {args.signer_timeout:g}"
        )
    if not 1 <= args.jobs <= MAX_JOBS:
        return f"--jobs must be from 1 to {MAX_JOBS}, not {args.jobs}"
    if args.signer_cmd is not None:
        return _signer_problem(args.signer_cmd)
    return ""


def _target_problem(target: str) -> str:
    """Why ``target`` is not 'fake' or a base URL (scheme and host, no path), or ''."""
    try:
        parts = urlsplit(target)
        parts.port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError:
        parts = None
    if parts is not None and (parts.username is not None or parts.password is not None):
        # Not echoed: what sits before the '@' may be a password.
        return "--target must not carry a user name or password; credentials come from settings"
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        return f"--target must be 'fake' or an http(s) base URL, not {target!r}"
    if parts.path.strip("/") or parts.query or parts.fragment:
        base = f"{parts.scheme}://{parts.netloc}"
        return f"--target must be a base URL without a path, such as {base!r}, not {target!r}"
    if parts.scheme == "http" and not is_loopback(parts.hostname):
        return (
            f"--target {target!r} uses plain http, which would send signed requests in clear "
            "text; use https (plain http is allowed only for loopback hosts)"
        )
    return ""


def _signer_problem(command: str) -> str:
    """Why ``command`` cannot be run as a signer program, or ''."""
    try:
        argv = shlex.split(command)
    except ValueError as exc:
        return f"--signer-cmd {command!r} cannot be split into words: {exc}"
    if not argv:
        return "--signer-cmd is empty; give the command line of a signer program"
    if shutil.which(argv[0]) is None:
        return f"--signer-cmd: cannot find the program {argv[0]!r}, or it is not executable"
    return ""


class _SettingsUnavailable(Exception):
    """The settings chain gave no usable credentials for a URL target."""


def _target(args: argparse.Namespace) -> AbstractContextManager[Target]:
    if args.target == "fake":
        return fake_target()
    from ncp_config import ConfigError, load_settings

    try:
        settings = load_settings(profile=args.profile)
    except ConfigError as exc:
        raise _SettingsUnavailable(str(exc)) from None
    sender = args.sender or settings.mail_sender_address
    if args.allow_send and not sender:
        raise RunStopped(
            "--allow-send needs a sender address: set NCLOUD_MAIL_SENDER_ADDRESS "
            "(mail_sender_address in the settings) or pass --from ADDR"
        )
    return url_target(
        args.target,
        settings.credentials(),
        sender=sender,
        allow_send=args.allow_send,
        to=args.to,
        ca_file=args.ca_file,
    )


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``python -m harness.conformance``."""
    args = build_parser().parse_args(argv)
    return run_conformance(args)
