"""The seam between a worker and NCloud: a two-method protocol and its ``MailClient`` version.

A worker needs only two things from the mail side: deliver a mail and get its request id, or
learn what became of an attempt; and, after an attempt whose outcome is unknown, find the
requests NCloud holds that could be that attempt. Tests pass their own transport.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any, Protocol, runtime_checkable

from harness.mail import (
    EndpointError,
    Mail,
    MailApiError,
    MailClient,
    MailConnectionError,
    MailDetail,
    MailError,
    MailValidationError,
    QuotaExceededError,
    SendOutcomeUnknownError,
    ServerError,
    ThrottledError,
)
from harness.outbox._entry import MARKER_DOMAIN
from harness.outbox._errors import (
    DeliveryOutcomeUnknown,
    PermanentDeliveryError,
    RetryableDeliveryError,
)

__all__ = ["ClientTransport", "MailTransport", "classify"]

_PAGE_SIZE = 100
_MAX_PAGES = 50
_PLACEHOLDER = re.compile(r"\$\{([^}]*)\}")


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
        """Request ids, oldest first, of the requests made in the window that carry ``mail``.

        A request counts only when it is provably this mail: the same ``referencesHeader``
        (the outbox marks each entry's sends with its own) and, when the caller set that
        header themselves, the same rendered content. ``since`` and ``until`` are epoch
        seconds by this machine's clock; the transport widens them for clock differences.
        Raise when the answer is not certain (an error, or too many candidates to read):
        the entry then stays ``unknown``.
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

    The lookup lists every request from the mail's sender (and template) made in the window,
    widened by ``margin`` seconds on both sides, reading every page (up to ``max_pages`` of
    100; beyond that it raises, so the entry stays ``unknown``). Each candidate is confirmed
    by reading its mails (getMailList, getMail): the ``referencesHeader`` must be the mail's,
    and when the caller set that header themselves, the title, body, every recipient and
    recipient type must be what this mail renders to.
    """

    def __init__(self, client: MailClient, *, margin: float = 60.0, max_pages: int = _MAX_PAGES):
        if max_pages < 1:
            raise ValueError(f"max_pages must be at least 1, not {max_pages}.")
        self.client = client
        self.margin = margin
        self.max_pages = max_pages

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
        candidates: list[tuple[int, str]] = []
        for number in range(self.max_pages):
            page = self.client.list_requests(
                start,
                end,
                page=number,
                size=_PAGE_SIZE,
                sender_address=mail.sender_address,
                template_sid=mail.template_sid,
            )
            for item in page.content:
                when = item.request_date.utc if item.request_date else 0
                candidates.append((when, item.request_id))
            if page.last or not page.content:
                break
        else:
            raise DeliveryOutcomeUnknown(
                f"more than {self.max_pages * _PAGE_SIZE} requests from this sender in the "
                "lookup window; they were not all checked"
            )
        candidates.sort()
        ordered = list(dict.fromkeys(request_id for _, request_id in candidates))
        return [request_id for request_id in ordered if self._carries(request_id, mail)]

    def _carries(self, request_id: str, mail: Mail) -> bool:
        """Whether request ``request_id`` is provably ``mail``."""
        details: list[MailDetail] = []
        for number in range(self.max_pages):
            page = self.client.list_mails(request_id, page=number, size=_PAGE_SIZE)
            for item in page.content:
                detail = self.client.get_mail(item.mail_id)
                if detail.references_header != mail.references_header:
                    return False
                if is_marker(mail.references_header):
                    return True  # the entry's own marker: nothing else carries it
                details.append(detail)
            if page.last or not page.content:
                break
        else:
            raise DeliveryOutcomeUnknown(f"request {request_id} has too many mails to check")
        if not details:  # listed, but its mails are not readable yet: it may be this one
            raise DeliveryOutcomeUnknown(f"the mails of request {request_id} are not listed yet")
        return same_content(details, mail)


def is_marker(header: str | None) -> bool:
    """Whether ``header`` is an outbox entry's marker (see :func:`~harness.outbox.marker_for`)."""
    return header is not None and header.endswith(f"@{MARKER_DOMAIN}>")


def same_content(details: Sequence[MailDetail], mail: Mail) -> bool:
    """Whether the mails NCloud holds for a request are exactly what ``mail`` renders to.

    Every recipient, with its type, must appear as often as in the mail; each stored mail's
    title and body must be the mail's rendered for one of its recipients. A template mail
    carries no title or body here, so only its recipients are compared. Advertising mail
    may gain NCloud's notices, so its rendered title and body need only be contained.
    """
    wanted = Counter((r.address.lower(), r.type) for r in mail.recipients)
    found = Counter(
        (r.address.lower(), r.type or "R") for detail in details for r in detail.recipients
    )
    if mail.recipients and wanted != found:
        return False
    if mail.template_sid is not None and mail.title is None and mail.body is None:
        return True
    rendered = {r.address.lower(): _render(mail, r.parameters or {}) for r in mail.recipients}
    for detail in details:
        options = [rendered.get(r.address.lower()) for r in detail.recipients] or [
            _render(mail, {})
        ]
        if not any(o is not None and _fits(o, detail, mail.advertising) for o in options):
            return False
    return True


def _render(mail: Mail, own: Mapping[str, Any]) -> tuple[str, str]:
    values = {**(mail.parameters or {}), **own}

    def replace(match: re.Match[str]) -> str:
        key = match.group(1)
        return str(values[key]) if key in values else match.group(0)

    return _PLACEHOLDER.sub(replace, mail.title or ""), _PLACEHOLDER.sub(replace, mail.body or "")


def _fits(rendered: tuple[str, str], detail: MailDetail, advertising: bool) -> bool:
    title, body = rendered
    if advertising:
        return title in (detail.title or "") and body.replace("#{UNSUBSCRIBE_MESSAGE}", "") in (
            detail.body or ""
        )
    return (title, body) == (detail.title or "", detail.body or "")
