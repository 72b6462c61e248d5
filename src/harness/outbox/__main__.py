"""``python -m harness.outbox``: drain an outbox file in this process until stopped.

Settings come from the usual chain (``NCLOUD_*`` environment variables and so on). At start
the claims of workers that died on this machine are freed, so a restart after a crash picks
their entries up (through a lookup when a send may have gone out). SIGTERM and SIGINT stop
the workers after the entries in their hands.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from types import FrameType

from harness.mail import MailClient
from harness.outbox._drain import DrainPolicy
from harness.outbox._errors import OutboxFileError
from harness.outbox._outbox import Outbox
from harness.outbox._pool import WorkerPool
from harness.outbox._transport import ClientTransport
from ncp_config import NcpSettings

_SIGNALS = (signal.SIGTERM, signal.SIGINT)


_DESCRIPTION = (
    "Drain an outbox file in this process until stopped. Settings come from the usual chain "
    "(NCLOUD_* environment variables and so on). At start the claims of workers that died on "
    "this machine are freed, so a restart after a crash picks their entries up (through a "
    "lookup when a send may have gone out). SIGTERM and SIGINT stop the workers after the "
    "entries in their hands."
)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m harness.outbox", description=_DESCRIPTION)
    parser.add_argument("db", help="the outbox SQLite file (created if missing)")
    parser.add_argument(
        "--workers", type=int, default=4, help="worker threads (default: %(default)s)"
    )
    parser.add_argument(
        "--check-delay",
        type=float,
        default=DrainPolicy.check_delay,
        help="seconds after a send with an unknown outcome before it is looked up "
        "(default: %(default)s)",
    )
    parser.add_argument(
        "--lease",
        type=float,
        default=DrainPolicy.lease,
        help="seconds after which another worker takes over a claim; must be longer than "
        "the settings' retry deadline (default: %(default)s)",
    )
    parser.add_argument(
        "--backoff",
        type=float,
        default=DrainPolicy.backoff,
        help="seconds before the first retry of a send that did not go out, doubling with "
        "each retry (default: %(default)s)",
    )
    parser.add_argument(
        "--exit-when-done",
        action="store_true",
        help="exit once no entry is pending, sending or unknown",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    """Drain until a signal (or, with ``--exit-when-done``, until nothing is left).

    Returns 2, with one sentence on stderr, when the settings, the options or the outbox
    file are unusable: nothing is drained then.
    """
    from ncp_config import ConfigError, load_settings

    args = _parser().parse_args(argv)
    try:
        settings = load_settings()
        policy = _policy(args, settings)
    except (ConfigError, ValueError) as error:
        print(f"python -m harness.outbox: {error}", file=sys.stderr)
        return 2
    stop = threading.Event()

    def on_signal(number: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {number: signal.signal(number, on_signal) for number in _SIGNALS}
    try:
        _drain(args, settings, policy, stop)
    except OutboxFileError as error:
        print(f"python -m harness.outbox: {error}", file=sys.stderr)
        return 2
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
    return 0


def _policy(args: argparse.Namespace, settings: NcpSettings) -> DrainPolicy:
    """The policy the options ask for, refused before anything opens when it is unsafe."""
    if args.workers < 1:
        raise ValueError(f"--workers must be at least 1, not {args.workers}.")
    policy = DrainPolicy(backoff=args.backoff, check_delay=args.check_delay, lease=args.lease)
    policy.check_lease(settings.retry_deadline)
    return policy


def _drain(
    args: argparse.Namespace, settings: NcpSettings, policy: DrainPolicy, stop: threading.Event
) -> None:
    outbox = Outbox(
        args.db,
        sender_address=settings.mail_sender_address,
        sender_name=settings.mail_sender_name,
    )
    transport = ClientTransport(MailClient(settings, pool_size=max(16, args.workers)))
    pool = WorkerPool(outbox, transport, workers=args.workers, policy=policy)
    with outbox, transport.client:
        with pool:
            while not stop.wait(0.05):
                counts = outbox.counts()
                if args.exit_when_done and not (
                    counts["pending"] or counts["sending"] or counts["unknown"]
                ):
                    break
        print(f"python -m harness.outbox: {summary(outbox.counts())}", flush=True)


def summary(counts: dict[str, int]) -> str:
    """One line with the entries per state, such as ``2 sent, 0 failed, 0 unknown, 0 pending``.

    ``sending`` is only shown when some entry is still in a worker's hands (another process).
    """
    order = ["sent", "failed", "unknown", "pending"]
    if counts.get("sending"):
        order.append("sending")
    return ", ".join(f"{counts.get(state, 0)} {state}" for state in order) + "."


if __name__ == "__main__":
    sys.exit(main())
