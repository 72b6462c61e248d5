"""The seam between a worker and NCloud: a two-method protocol and its ``MailClient`` version.

A worker needs only two things from the mail side: deliver a mail and get its request id, or
learn what became of an attempt; and, after an attempt whose outcome is unknown, find the
requests NCloud holds that could be that attempt. Tests pass their own transport.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from harness.mail import (
    EndpointError,
    Mail,
    MailApiError,
    MailClient,
    MailConnectionError,
    MailError,
    MailValidationError,
    QuotaExceededError,
    RequestSummary,
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

_PAGE_SIZE = 100
_MAX_PAGES = 20


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
        """Request ids, oldest first, of requests that match ``mail`` made in the window.

        ``since`` and ``until`` are epoch seconds by this machine's clock; the transport
        widens them for clock differences. Any error means "could not tell".
        """
        ...


def classify(error: MailError) -> Exception:
    """The delivery error a worker acts on for an error of a mail send.

    Retried: throttling, the gateway's 503 and connections that never opened. Unknown: any
    answer that leaves open whether the mail was accepted (a timeout, a cut-short answer, a
    5xx other than 503). Permanent: every refusal, including an exhausted quota.
    """
    reason = f"{type(error).__name__}: {error}"
    if isinstance(error, SendOutcomeUnknownError):
        return DeliveryOutcomeUnknown(reason)
    if isinstance(error, ThrottledError | EndpointError):
        return RetryableDeliveryError(reason, retry_after=error.retry_after)
    if isinstance(error, MailConnectionError):
        if error.request_sent:
            return DeliveryOutcomeUnknown(reason)
        return RetryableDeliveryError(reason)
    if isinstance(error, QuotaExceededError | MailValidationError):
        return PermanentDeliveryError(reason)
    if isinstance(error, ServerError):
        return DeliveryOutcomeUnknown(reason)
    if isinstance(error, MailApiError):
        return PermanentDeliveryError(reason)
    return DeliveryOutcomeUnknown(reason)


class ClientTransport:
    """:class:`MailTransport` over a :class:`~harness.mail.MailClient`.

    The lookup asks getMailRequestList for requests in the window from the mail's sender (or
    template), to its first recipient, with its title, and keeps those with as many
    recipients as the mail. ``margin`` (seconds) widens the window on both sides.
    """

    def __init__(self, client: MailClient, *, margin: float = 60.0) -> None:
        self.client = client
        self.margin = margin

    def __repr__(self) -> str:
        return f"ClientTransport({self.client!r})"

    def deliver(self, mail: Mail) -> str:
        try:
            return self.client.send(mail).request_id
        except MailError as error:
            raise classify(error) from error

    def find_sent(self, mail: Mail, *, since: float, until: float) -> Sequence[str]:
        offset = self.client.clock_offset_ms
        start = int((since - self.margin) * 1000) + offset
        end = int((until + self.margin) * 1000) + offset
        found: list[RequestSummary] = []
        for number in range(_MAX_PAGES):
            page = self.client.list_requests(
                start,
                end,
                page=number,
                size=_PAGE_SIZE,
                sender_address=mail.sender_address,
                recipient_address=mail.recipients[0].address if mail.recipients else None,
                title=mail.title,
                template_sid=mail.template_sid,
            )
            found.extend(item for item in page.content if _same_size(item, mail))
            if page.last or not page.content:
                break
        found.sort(key=lambda item: item.request_date.utc if item.request_date else 0)
        return [item.request_id for item in found]


def _same_size(item: RequestSummary, mail: Mail) -> bool:
    if not mail.recipients:
        return True
    return item.request_count in (0, len(mail.recipients))
