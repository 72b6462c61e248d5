"""The worker's unit of work: :func:`drain_once`, a plain function over an outbox and a transport.

It takes one due entry and moves it one step: a send for a fresh entry, a lookup for an entry
whose last attempt may have reached NCloud. Nothing here knows about threads, so the same
function can run in the :class:`~harness.outbox.WorkerPool`, a cron job or a task queue.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from harness._log import logger
from harness.outbox._entry import Claim
from harness.outbox._errors import (
    DeliveryOutcomeUnknown,
    PermanentDeliveryError,
    RetryableDeliveryError,
)
from harness.outbox._outbox import Outbox
from harness.outbox._owner import new_owner
from harness.outbox._transport import MailTransport

__all__ = ["DrainPolicy", "drain_once", "recover_abandoned"]


@dataclass(frozen=True)
class DrainPolicy:
    """How workers pace attempts, wait before lookups, and free abandoned claims.

    ``max_attempts`` sends before an entry fails; retry waits grow from ``backoff`` by
    doubling up to ``max_backoff`` seconds (a server's ``Retry-After`` wins, up to
    ``max_backoff``), each scaled by a random factor in [0.5, 1]. ``check_delay`` is how long
    after an attempt with an unknown outcome the lookup runs, so NCloud has finished with
    the request first. A claim older than ``lease`` seconds is taken to be abandoned: keep it
    well above the mail client's timeouts and retry deadline (by default 3 s + 10 s per
    attempt within a 60 s deadline; the default lease is five times that). A claim of a
    process on the same host and in the same PID namespace that no longer runs is freed at
    once; claims of other hosts or containers (even with the same hostname), or of a
    container restarted, wait for the lease.
    ``recover_every`` spaces the checks for abandoned claims. A lookup that cannot decide
    (several requests fit, or it failed) is repeated after a wait that grows with the number
    of such lookups, as retries do; after ``max_lookups`` of them the entry fails with a
    reason that names the requests that may be it. It is never sent again while in doubt: if the
    same mail is submitted again, the attempt in doubt is looked up again first.
    """

    max_attempts: int = 8
    max_lookups: int = 24
    backoff: float = 1.0
    max_backoff: float = 300.0
    check_delay: float = 30.0
    lease: float = 300.0
    recover_every: float = 30.0
    jitter: Callable[[], float] = field(default=lambda: random.uniform(0.5, 1.0), repr=False)

    def __post_init__(self) -> None:
        if self.max_attempts < 1 or self.max_lookups < 1:
            raise ValueError(
                f"max_attempts and max_lookups must be at least 1, not {self.max_attempts} "
                f"and {self.max_lookups}."
            )
        if min(self.backoff, self.check_delay, self.recover_every) < 0:
            raise ValueError("backoff, check_delay and recover_every must not be negative.")
        if self.max_backoff < self.backoff or self.lease <= 0:
            raise ValueError("max_backoff must be >= backoff and lease must be positive.")

    def check_lease(self, retry_deadline: float) -> None:
        """Refuse a lease no longer than ``retry_deadline``, the mail client's bound on one send.

        A claim older than the lease is taken over, so a send still running past it lets a
        second worker send the same entry.
        """
        if self.lease <= retry_deadline:
            raise ValueError(
                f"The lease of {self.lease:g} s must be longer than the retry deadline of "
                f"{retry_deadline:g} s, or a second worker may send an entry still being sent."
            )

    def retry_delay(self, attempts: int, retry_after: float | None = None) -> float:
        """Seconds to wait after the ``attempts``-th failed attempt."""
        if retry_after is not None:
            return min(max(0.0, retry_after), self.max_backoff)
        ceiling = min(self.max_backoff, self.backoff * 2 ** max(0, attempts - 1))
        return float(ceiling * self.jitter())


def recover_abandoned(
    outbox: Outbox, policy: DrainPolicy | None = None, *, everything: bool = False
) -> int:
    """Free the claims of workers that are gone (see :meth:`Outbox.recover`); return the count."""
    policy = policy or DrainPolicy()
    return outbox.recover(lease=policy.lease, check_delay=policy.check_delay, everything=everything)


def drain_once(
    outbox: Outbox,
    transport: MailTransport,
    *,
    owner: str | None = None,
    policy: DrainPolicy | None = None,
) -> bool:
    """Move one due entry a step forward; return ``False`` when nothing was due.

    Abandoned claims are freed first (at most every ``policy.recover_every`` seconds per
    outbox). An entry in doubt is looked up before anything is sent: if NCloud holds exactly
    one request carrying this entry's mail that no other entry records, the entry is ``sent``
    with that id (identical mails in doubt together take one each, see
    :meth:`Outbox.settle_found`); if it holds none, the mail is sent again; if it holds
    several, or the lookup fails or is incomplete, the entry stays ``unknown`` and is looked
    up again after a growing wait, until ``policy.max_lookups`` such lookups make it
    ``failed`` with the requests that may be it.
    """
    policy = policy or DrainPolicy()
    outbox.recover(lease=policy.lease, check_delay=policy.check_delay, every=policy.recover_every)
    claim = outbox.claim(owner or new_owner())
    if claim is None:
        return False
    attempts = claim.attempts  # a fresh claim has started its attempt
    if claim.in_doubt_since is not None:
        if not _settle(outbox, transport, claim, policy):
            return True
        if claim.attempts >= policy.max_attempts:
            reason = f"gave up after {claim.attempts} attempts; last error: {claim.last_error}"
            _fail(outbox, claim, reason)
            return True
        if not outbox.start_attempt(claim):
            logger.warning("Outbox entry %s: the claim was lost before sending", claim.id)
            return True
        attempts += 1
    _deliver(outbox, transport, claim, attempts, policy)
    return True


def _settle(outbox: Outbox, transport: MailTransport, claim: Claim, policy: DrainPolicy) -> bool:
    """Look up an attempt in doubt; return ``True`` when it provably did not go out.

    The lookup covers the attempt from its start to its end; when its worker stopped during
    it, the end is unknown, but an attempt lasts well under the lease.
    """
    since = claim.in_doubt_since or 0.0
    until = claim.doubt_until
    if until is None:
        until = min(since + policy.lease, outbox.clock())
    candidates: Sequence[str] = ()
    try:
        candidates = transport.find_sent(claim.lookup_mail, since=since, until=until)
        decision = outbox.settle_found(claim, candidates)
    except Exception as error:
        reason = f"the outcome of an earlier attempt could not be checked: {error}"
        _stay_unknown(outbox, claim, policy, reason, candidates)
        return False
    if decision == "sent":
        logger.info("Outbox entry %s was sent (found by lookup)", claim.id)
        return False
    if decision == "ambiguous":
        reason = (
            "the outcome of an earlier attempt could not be checked: several requests "
            "NCloud holds carry this mail"
        )
        _stay_unknown(outbox, claim, policy, reason, candidates)
        return False
    if decision == "lost":
        logger.warning("Outbox entry %s: the claim was lost during the lookup", claim.id)
        return False
    logger.info("Outbox entry %s: the earlier attempt did not reach NCloud", claim.id)
    return True


def _stay_unknown(
    outbox: Outbox, claim: Claim, policy: DrainPolicy, reason: str, candidates: Sequence[str]
) -> None:
    lookups = claim.lookups + 1
    if lookups >= policy.max_lookups:
        found = ""
        if candidates:
            found = f" (it may be one of the requests {', '.join(dict.fromkeys(candidates))})"
        _fail(
            outbox,
            claim,
            f"could not tell whether it was sent after {lookups} lookups{found}; submitting "
            f"the same mail again looks the earlier attempt up first (last: {reason})",
            in_doubt=True,
        )
        return
    check_at = outbox.clock() + policy.retry_delay(lookups)
    logger.warning("Outbox entry %s stays unknown: %s", claim.id, reason)
    outbox.mark_checked(claim, reason, check_at)


def _deliver(
    outbox: Outbox, transport: MailTransport, claim: Claim, attempts: int, policy: DrainPolicy
) -> None:
    try:
        request_id = transport.deliver(claim.mail)
    except RetryableDeliveryError as error:
        if attempts >= policy.max_attempts:
            _fail(outbox, claim, f"gave up after {attempts} attempts; last error: {error}")
            return
        delay = policy.retry_delay(attempts, error.retry_after)
        logger.info(
            "Outbox entry %s: attempt %d did not go out (%s); retrying in %.1f s",
            claim.id,
            attempts,
            error,
            delay,
        )
        outbox.mark_retry(claim, str(error), outbox.clock() + delay)
        return
    except PermanentDeliveryError as error:
        _fail(outbox, claim, str(error))
        return
    except DeliveryOutcomeUnknown as error:
        _unknown(outbox, claim, str(error), policy)
        return
    except Exception as error:  # a bug below us: never resend blindly, look it up instead
        logger.exception("Outbox entry %s: the transport raised unexpectedly", claim.id)
        _unknown(outbox, claim, f"unexpected {type(error).__name__}: {error}", policy)
        return
    if outbox.mark_sent(claim, request_id):
        logger.info("Outbox entry %s was sent as request %s", claim.id, request_id)
        return
    late = outbox.record_late_send(claim, request_id)
    if late == "recorded":
        logger.warning(
            "Outbox entry %s: sent as %s after its claim was recovered; recorded",
            claim.id,
            request_id,
        )
    else:
        logger.error(
            "Outbox entry %s: sent as %s after its claim was recovered, and the entry %s",
            claim.id,
            request_id,
            "records another request: the mail went out twice"
            if late == "duplicate"
            else "could not record it",
        )


def _fail(outbox: Outbox, claim: Claim, reason: str, *, in_doubt: bool = False) -> None:
    if outbox.mark_failed(claim, reason, in_doubt=in_doubt):
        logger.warning("Outbox entry %s failed: %s", claim.id, reason)


def _unknown(outbox: Outbox, claim: Claim, reason: str, policy: DrainPolicy) -> None:
    logger.warning(
        "Outbox entry %s: the outcome of its send is unknown (%s); it is looked up in %.1f s",
        claim.id,
        reason,
        policy.check_delay,
    )
    outbox.mark_unknown(claim, reason, outbox.clock() + policy.check_delay)
