"""``ncp-harness send``: send one mail from the command line with the settings chain.

It prints the request id (and, with ``--wait``, the final status), and exits non-zero with
one line on standard error for any failure. Credentials come only from the settings chain
(environment, ``.env``, secrets directory, ``~/.ncloud/configure``), never from arguments,
so no secret reaches the shell history or the output.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path
from typing import Any

__all__ = ["add_send_parser", "send_command"]

# How long a lost answer waits before the request list is read: it may lag behind a send.
_LIST_CATCH_UP_S = 2.0


def add_send_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``send`` subcommand to an ``argparse`` subparsers object."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "send",
        help="send one mail through Cloud Outbound Mailer",
        description="Send one mail. Credentials and the mailer URL come from the settings "
        "chain (NCLOUD_* variables, .env, secrets directory, ~/.ncloud/configure).",
    )
    parser.add_argument("--from", dest="sender", metavar="ADDR", help="sender address")
    parser.add_argument("--sender-name", metavar="NAME", help="sender display name")
    parser.add_argument(
        "--to", action="append", default=[], metavar="ADDR", required=True, help="recipient"
    )
    parser.add_argument("--cc", action="append", default=[], metavar="ADDR", help="cc recipient")
    parser.add_argument("--bcc", action="append", default=[], metavar="ADDR", help="bcc recipient")
    parser.add_argument("--subject", required=True, metavar="S", help="title; may use ${key}")
    body = parser.add_mutually_exclusive_group(required=True)
    body.add_argument("--body", metavar="TEXT", help="body (HTML allowed); may use ${key}")
    body.add_argument("--body-file", metavar="F", type=Path, help="read the body from a file")
    parser.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a ${key} substitution for every recipient (repeatable)",
    )
    parser.add_argument("--profile", help="profile of ~/.ncloud/configure to use")
    parser.add_argument("--wait", action="store_true", help="wait for the final status")
    parser.add_argument(
        "--timeout", type=float, default=300.0, metavar="SECONDS", help="limit for --wait"
    )
    parser.add_argument(
        "--interval", type=float, default=2.0, metavar="SECONDS", help="poll interval for --wait"
    )
    parser.set_defaults(func=send_command)
    return parser


def _parameters(items: list[str]) -> dict[str, str]:
    from harness.mail import MailValidationError

    values: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise MailValidationError("parameters", f"--param {item[:40]!r} is not KEY=VALUE")
        values[key] = value
    return values


def _usage_problem(args: argparse.Namespace) -> str | None:
    """What is wrong with the arguments that the parser cannot see, or ``None``."""
    if not (args.interval > 0 and math.isfinite(args.interval)):
        return f"--interval must be a positive number of seconds, not {args.interval:g}"
    if not args.timeout >= 0:
        return f"--timeout must be zero or more seconds, not {args.timeout:g}"
    return None


def send_command(args: argparse.Namespace) -> int:
    """Run ``send``; return the exit status.

    0 sent; 1 failed (or a recipient was not sent); 2 a wrong argument or setting (nothing
    sent) or sent but not finished in time; 130 interrupted while waiting (after sending).
    Settings are loaded first, so every known secret is redacted from whatever is printed.
    """
    from harness.mail import (
        MailClient,
        MailError,
        MailValidationError,
        SendOutcomeUnknownError,
        WaitTimeoutError,
    )
    from ncp_config import ConfigError, load_settings, redact

    def fail(message: object, status: int) -> int:
        print(redact(f"ncp-harness send: error: {message}"), file=sys.stderr)
        return status

    problem = _usage_problem(args)
    if problem is not None:  # checked before anything is sent
        return fail(problem, 2)
    try:
        settings = load_settings(profile=args.profile)
        mail = _mail(args)
    except ConfigError as error:
        return fail(error, 2)  # a wrong or missing setting: nothing was sent
    except MailValidationError as error:
        return fail(error, 2)
    except OSError as error:
        reason = error.strerror or type(error).__name__
        return fail(f"cannot read the body file {str(args.body_file)!r}: {reason}", 2)
    except UnicodeDecodeError as error:
        return fail(
            f"cannot read the body file {str(args.body_file)!r}: it is not UTF-8 text "
            f"(byte {error.start})",
            2,
        )
    try:
        with MailClient(settings) as client:
            try:
                mail = client.prepare(mail)  # the sender may come from the settings
            except MailValidationError as error:
                return fail(error, 2)  # a wrong argument: nothing was sent
            try:
                request_id = client.send(mail).request_id
            except SendOutcomeUnknownError as unknown:
                request_id = _settle(client, unknown)
            print(request_id, flush=True)
            if args.wait:
                try:
                    final = client.wait(request_id, timeout=args.timeout, interval=args.interval)
                except WaitTimeoutError as error:
                    print(redact(f"ncp-harness send: {error}"), file=sys.stderr)
                    return 2
                except KeyboardInterrupt:
                    print(
                        f"ncp-harness send: the mail was sent as request {request_id} and "
                        "waiting for its final status was interrupted; check it later with "
                        f"MailClient.status({request_id!r}).",
                        file=sys.stderr,
                    )
                    return 130
                print(final.summary(), flush=True)
                if final.all_sent_success:
                    return 0
                return fail(_not_sent(final), 1)
    except MailError as error:
        return fail(error, 1)
    return 0


def _not_sent(final: Any) -> str:
    """The error line for a finished request in which some recipient was not sent."""
    counts = " ".join(f"{code}={n}" for code, n in sorted(final.counts.items()) if code != "S")
    missing = final.request_count - final.sent_count
    noun = "recipient" if final.request_count == 1 else "recipients"
    return (
        f"{missing} of {final.request_count} {noun} of request {final.request_id} "
        f"{'was' if missing == 1 else 'were'} not sent"
        + (f" ({counts})" if counts else "")
        + f"; MailClient.list_mails({final.request_id!r}) lists its mails with the reason."
    )


def _settle(client: Any, unknown: Any) -> str:
    """The request id of a send whose answer was lost, looked up in the mailer's request list.

    The send is never repeated: when the lookup cannot tell, the error says what to check.
    """
    from harness.mail import MailError

    time.sleep(_LIST_CATCH_UP_S)  # the request list may lag a moment behind the send
    try:
        found = client.check_outcome(unknown)
    except MailError as error:
        raise MailError(
            f"the answer to the send was lost and the lookup failed ({error}); check the "
            "mailer's request list before sending again"
        ) from unknown
    if len(found) == 1:
        print(
            "ncp-harness send: the answer to the send was lost; the mailer holds it as "
            f"request {found[0].request_id}",
            file=sys.stderr,
        )
        return str(found[0].request_id)
    if not found:
        raise MailError(
            "the answer to the send was lost and the mailer holds no such request yet, so it "
            "was most likely not accepted; look at the request list again in a minute before "
            "sending again"
        ) from unknown
    ids = ", ".join(summary.request_id for summary in found)
    raise MailError(
        f"the answer to the send was lost and {len(found)} identical requests match ({ids}); "
        "check which one is this send before sending again"
    ) from unknown


def _mail(args: argparse.Namespace) -> Any:
    """The mail the arguments describe; raises ``MailValidationError`` naming the field."""
    from harness.mail import Mail

    body = args.body_file.read_text(encoding="utf-8") if args.body_file else args.body
    recipients = [
        {"address": address, "type": kind}
        for kind, given in (("R", args.to), ("C", args.cc), ("B", args.bcc))
        for address in given
    ]
    return Mail(
        sender_address=args.sender,
        sender_name=args.sender_name,
        title=args.subject,
        body=body,
        recipients=recipients,
        parameters=_parameters(args.param) or None,
    )
