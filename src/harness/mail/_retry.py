"""When to try a request again, how long to wait, and when to stop.

Every attempt is a new signed request (a fresh timestamp): the retry loop calls the whole
attempt again, never a lower layer's resend. Retried: throttling (any 429 but the quota's
``errorCode`` 400: 410, 420, or a code that is missing or unknown), the gateway's 503 and
504, and connections that failed before the request was sent. A request that may already
have been handled (a connection lost after sending, a read timeout, a cut-short answer) is
retried only when it is safe to repeat; a send never is. Never retried: quota (429 with 400)
and every other 4xx. ``Retry-After`` is honoured; other waits are exponential with full
jitter; everything fits a total deadline well inside the gateway's five-minute signature
window: each attempt's read timeout is cut to the time left, and no retry starts with less
time left than it takes to connect.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from email.utils import parsedate_to_datetime
from typing import TypeVar

import tenacity

from harness.mail._errors import (
    EndpointError,
    EndpointTimeoutError,
    MailApiError,
    MailConnectionError,
    MailerServerError,
    ResponseFormatError,
    ServerError,
    ThrottledError,
)

__all__ = [
    "MAX_DEADLINE",
    "RetryPolicy",
    "may_have_been_handled",
    "parse_retry_after",
    "send_outcome_unknown",
]

T = TypeVar("T")

MAX_DEADLINE = 240.0
"""No retry budget may come near the gateway's 300 s timestamp window."""


@dataclass(frozen=True)
class RetryPolicy:
    """How the client retries; ``None`` fields come from the settings.

    ``attempts`` counts the first try; ``deadline`` (seconds) bounds the whole call, waits
    included: a wait that would pass it ends the retries at once. ``backoff`` is the first
    wait's upper bound, doubled per retry up to ``max_backoff``, each drawn uniformly below
    it (full jitter). ``sleep`` and ``clock`` are injectable, so tests run without waiting.
    """

    attempts: int | None = None
    deadline: float | None = None
    backoff: float = 0.25
    max_backoff: float = 8.0
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    jitter: Callable[[float, float], float] = field(default=random.uniform, repr=False)

    def __post_init__(self) -> None:
        if self.attempts is not None and self.attempts < 1:
            raise ValueError(f"attempts must be at least 1, not {self.attempts}.")
        if self.deadline is not None and not 0 < self.deadline <= MAX_DEADLINE:
            raise ValueError(f"deadline must be in (0, {MAX_DEADLINE:g}] s, not {self.deadline}.")
        if self.backoff < 0 or self.max_backoff < self.backoff:
            raise ValueError("backoff must be >= 0 and max_backoff >= backoff.")

    def with_defaults(self, attempts: int, deadline: float) -> RetryPolicy:
        """This policy with unset fields taken from the settings."""
        return replace(
            self,
            attempts=self.attempts if self.attempts is not None else attempts,
            deadline=self.deadline if self.deadline is not None else min(deadline, MAX_DEADLINE),
        )

    def call(self, attempt: Callable[[], T], *, replay_safe: bool) -> T:
        """Run ``attempt`` until it succeeds, fails for good, or the budget is spent."""
        return self.run(lambda _remaining: attempt(), replay_safe=replay_safe)

    def run(
        self,
        attempt: Callable[[Callable[[], float]], T],
        *,
        replay_safe: bool,
        min_attempt: float = 0.0,
    ) -> T:
        """Like :meth:`call`, for an attempt that fits itself into the deadline.

        ``attempt`` is given a function that returns the seconds left of the deadline, so
        that it can bound its own timeouts by them. A retry is not started with less than
        ``min_attempt`` seconds left (the connect timeout: an attempt that cannot even
        connect in the time left is not worth making); the last error is raised instead.
        """
        started = self.clock()
        budget = self.deadline if self.deadline is not None else math.inf

        def remaining() -> float:
            return budget - (self.clock() - started)

        retrying = tenacity.Retrying(
            retry=tenacity.retry_if_exception(lambda error: should_retry(error, replay_safe)),
            wait=self._wait,
            stop=lambda state: self._stop(state, started, min_attempt),
            sleep=self.sleep,
            reraise=True,
        )
        return retrying(attempt, remaining)

    def _wait(self, state: tenacity.RetryCallState) -> float:
        """How long to wait after the attempt that just failed: Retry-After, or full jitter."""
        error = state.outcome.exception() if state.outcome is not None else None
        if isinstance(error, MailApiError) and error.retry_after is not None:
            return max(0.0, error.retry_after)
        ceiling = min(self.max_backoff, self.backoff * 2 ** (state.attempt_number - 1))
        return self.jitter(0.0, ceiling)

    def _stop(self, state: tenacity.RetryCallState, started: float, min_attempt: float) -> bool:
        """Whether to give up rather than wait: attempts spent, or no time left after the wait."""
        attempts = self.attempts if self.attempts is not None else 1
        deadline = self.deadline if self.deadline is not None else 0.0
        if state.attempt_number >= attempts:
            return True
        left_after_wait = deadline - (self.clock() - started + state.upcoming_sleep)
        return left_after_wait < max(min_attempt, 0.0)


def should_retry(error: BaseException, replay_safe: bool) -> bool:
    """Whether a failed attempt is worth another one."""
    if isinstance(error, ThrottledError | EndpointError):
        return True
    if isinstance(error, MailConnectionError) and not error.request_sent:
        return True
    return replay_safe and may_have_been_handled(error)


def may_have_been_handled(error: BaseException) -> bool:
    """Whether the server may have acted on a request that ended in ``error``."""
    if isinstance(error, MailConnectionError):
        return error.request_sent
    return isinstance(error, EndpointTimeoutError | ResponseFormatError)


def send_outcome_unknown(error: BaseException) -> bool:
    """Whether a send that ended in ``error`` may have been accepted all the same.

    Besides what :func:`may_have_been_handled` covers, any 5xx answer but two kinds: a 503
    says the request was not handled (with the gateway's ``errorCode`` 500: it could not
    reach the mailer), and a 500 with the mailer's own ``77xxx`` code is the mailer saying
    it failed. The gateway's 500 with ``errorCode`` 900 is an unhandled error that may come
    after the request was forwarded, and a 502 or another 5xx is a proxy on the way that may
    have forwarded it too.
    """
    if may_have_been_handled(error):
        return True
    return isinstance(error, ServerError) and not isinstance(
        error, EndpointError | MailerServerError
    )


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` value: delta-seconds or an HTTP date."""
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        return None
    return max(0.0, moment.timestamp() - (time.time() if now is None else now))
