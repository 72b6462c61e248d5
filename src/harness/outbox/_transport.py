"""The seam between a worker and NCloud: a two-method protocol and its ``MailClient`` version.

A worker needs only two things from the mail side: deliver a mail and get its request id, or
learn what became of an attempt; and, after an attempt whose outcome is unknown, find the
requests NCloud holds that could be that attempt. Tests pass their own transport.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from harness.mail import (
    EndpointError,
    Mail,
    MailApiError,
    MailClient,
    MailConnectionError,
    MailError,
    MailerServerError,
    MailValidationError,
    QuotaExceededError,
    SendOutcomeUnknownError,
    ServerError,
    ThrottledError,
)
from harness.outbox._errors import (
    DeliveryOutcomeUnknown,
    PermanentDeliveryError,
    RetryableDeliveryError,
)

__all__ = ["ClientTransport", "MailTransport", "classify"]

_MAX_PAGES = 50
_MAILER_PERMANENT = frozenset({"77301"})
"""The mailer's 500 codes that no retry mends: 77301, the default project does not exist."""


@runtime_checkable
class MailTransport(Protocol):
    """What a worker calls to send mail and to settle an unknown outcome."""

    def deliver(self, mail: Mail) -> str:
        """Send ``mail`` once and return NCloud's request id.

        Raises:
            RetryableDeliveryError: it provably did not go out.
            PermanentDeliveryError: it was refused for good.
            DeliveryOutcomeUnknown: it may have gone out.
        """
        ...

    def find_sent(self, mail: Mail, *, since: float, until: float) -> Sequence[str]:
        """Request ids, oldest first, of the requests that carry exactly ``mail``.

        A request counts only when it is provably this mail: the same rendered content and
        ``referencesHeader`` (the outbox marks each entry's sends with its own, so a marked
        mail matches that entry's requests alone). ``since`` and ``until`` are the start and
        end of the attempt in doubt, in epoch seconds by this machine's clock; the transport
        widens them for clock differences. Raise when the answer is not certain (an error, a
        request made during the attempt whose mails are not readable yet, too many
        candidates): the entry then stays ``unknown``.
        """
        ...


def classify(error: MailError) -> Exception:
    """The delivery error a worker acts on for an error of a mail send.

    Retried: throttling, the gateway's 503, connections that never opened, and the mailer's
    500 for a failure of its own (77302, an external system; 77303, another internal
    error): the mailer said the send failed, and the mail client takes it as a refusal too
    (it raises no ``SendOutcomeUnknownError`` for it). Unknown: any answer that leaves open
    whether the mail was accepted (a timeout, a cut-short answer, another 5xx but 503).
    Permanent: every refusal, including an exhausted quota and the mailer's 77301 (the
    account has no default project, which no retry mends).
    """
    reason = f"{type(error).__name__}: {error}"
    if isinstance(error, SendOutcomeUnknownError):
        return DeliveryOutcomeUnknown(_in_doubt(error.__cause__ or error))
    if isinstance(error, ThrottledError | EndpointError):
        return RetryableDeliveryError(reason, retry_after=error.retry_after)
    if isinstance(error, MailConnectionError):
        if error.request_sent:
            return DeliveryOutcomeUnknown(_in_doubt(error))
        return RetryableDeliveryError(reason)
    if isinstance(error, QuotaExceededError | MailValidationError):
        return PermanentDeliveryError(reason)
    if isinstance(error, MailerServerError):
        if error.mailer_code in _MAILER_PERMANENT:
            return PermanentDeliveryError(reason)
        return RetryableDeliveryError(reason, retry_after=error.retry_after)
    if isinstance(error, ServerError):
        return DeliveryOutcomeUnknown(_in_doubt(error))
    if isinstance(error, MailApiError):
        return PermanentDeliveryError(reason)
    return DeliveryOutcomeUnknown(_in_doubt(error))


def _in_doubt(cause: BaseException) -> str:
    """The one sentence stored for an attempt in doubt, naming what happened."""
    what = str(cause).strip().rstrip(".") or type(cause).__name__
    return (
        f"The send may have reached NCloud ({what}); it will be looked up before any new attempt."
    )


class ClientTransport:
    """:class:`MailTransport` over a :class:`~harness.mail.MailClient`.

    The lookup is :meth:`MailClient.find_requests <harness.mail.MailClient.find_requests>`,
    the one comparison of a request with a mail in the project: the requests from the mail's
    sender (or template) to its first recipient (and with its title, when that has no
    placeholders) made from ``margin`` seconds before the attempt started to ``margin``
    seconds after it ended, each confirmed by reading its mails. The default margin, six
    minutes, covers a server clock up to five minutes off (the gateway refuses more) that
    the client has not corrected yet. A candidate whose mails are not readable counts as
    in doubt only when it was made while the attempt was in flight. More than ``max_pages``
    pages of 100 candidates raise, so the entry stays ``unknown``.
    """

    def __init__(
        self, client: MailClient, *, margin: float = 360.0, max_pages: int = _MAX_PAGES
    ) -> None:
        if max_pages < 1:
            raise ValueError(f"max_pages must be at least 1, not {max_pages}.")
        self.client = client
        self.margin = margin
        self.max_pages = max_pages

    def __repr__(self) -> str:
        return f"ClientTransport({self.client!r})"

    @property
    def send_deadline(self) -> float:
        """Seconds one send may take: the deadline of the client's own retry policy.

        That is the policy the client was given, with its unset fields from the settings
        (:meth:`RetryPolicy.with_defaults <harness.mail.RetryPolicy.with_defaults>`), so a
        ``RetryPolicy(deadline=...)`` counts, not the settings' ``retry_deadline``.
        """
        deadline = self.client.retry.deadline
        return math.inf if deadline is None else deadline

    def deliver(self, mail: Mail) -> str:
        try:
            return self.client.send(mail).request_id
        except MailError as error:
            raise classify(error) from error

    def find_sent(self, mail: Mail, *, since: float, until: float) -> Sequence[str]:
        offset = self.client.clock_offset_ms
        start, end = int(since * 1000) + offset, int(until * 1000) + offset
        margin = int(self.margin * 1000)
        try:
            found = self.client.find_requests(
                mail,
                start - margin,
                end + margin,
                in_flight=(start, end),
                max_pages=self.max_pages,
            )
        except MailError as error:
            raise DeliveryOutcomeUnknown(str(error)) from error
        return [item.request_id for item in found]
