"""Finding the requests that are exactly one mail, by reading them back from the mailer.

NCloud has no idempotency key, so whether a send whose answer was lost was accepted can
only be told from the request list: candidates are listed (getMailRequestList) and each is
confirmed by reading every one of its mails (getMailList, then getMail) and comparing them
with what the mail renders to (:func:`~harness.mail._outcome.carries`).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from harness.mail._errors import MailError, OutcomePendingError
from harness.mail._models import Mail
from harness.mail._outcome import carries
from harness.mail._responses import MailDetail, RequestSummary

if TYPE_CHECKING:
    from harness.mail._client import MailClient

__all__ = ["IN_FLIGHT_SLACK_MS", "LOOKUP_MARGIN_MS", "PAGE_SIZE", "find_requests"]

LOOKUP_MARGIN_MS = 360_000
"""How far the lookup of a send reaches past its start and end: the gateway accepts clocks
up to five minutes apart, so an unnoticed skew may be that large, plus a minute of slack."""
IN_FLIGHT_SLACK_MS = 60_000
"""How far from a send a request whose mails are not readable yet may still be that send:
the clock is corrected from every answer once it is more than 30 s off."""
PAGE_SIZE = 100


def find_requests(
    client: MailClient,
    mail: Mail,
    start: datetime | int,
    end: datetime | int,
    *,
    in_flight: tuple[int, int] | None = None,
    max_pages: int | None = None,
) -> list[RequestSummary]:
    """The requests between ``start`` and ``end`` that carry exactly ``mail``, oldest first.

    ``mail`` is the mail as prepared for sending; see :meth:`MailClient.find_requests`.
    """
    first = mail.recipients[0].address if mail.recipients else None
    title = mail.title if mail.template_sid is None else None
    if title is not None and ("${" in title or mail.advertising):
        title = None  # the stored title may differ from the one given
    found: list[RequestSummary] = []
    number = 0
    while True:
        page = client.list_requests(
            start,
            end,
            page=number,
            size=PAGE_SIZE,
            sender_address=mail.sender_address if mail.template_sid is None else None,
            template_sid=mail.template_sid,
            recipient_address=first,
            title=title,
        )
        found.extend(item for item in page.content if _is_mail(client, item, mail, in_flight))
        if page.last or not page.content:
            break
        number += 1
        if max_pages is not None and number >= max_pages:
            raise MailError(
                f"More than {max_pages * PAGE_SIZE} requests could be this mail; "
                "they were not all checked."
            )
    found.sort(key=lambda item: item.request_date.utc if item.request_date else 0)
    return found


def _is_mail(
    client: MailClient, item: RequestSummary, mail: Mail, in_flight: tuple[int, int] | None
) -> bool:
    """Whether the request ``item`` is ``mail``, by reading every one of its mails."""
    if mail.template_sid is None and item.sender_address not in (None, mail.sender_address):
        return False
    count = item.request_count or item.recipient_count
    if mail.recipient_group_filter is None and count not in (0, len(mail.recipients)):
        return False
    details = _read_mails(client, item.request_id)
    if details:
        return carries(details, mail)
    if not _made_in_flight(item, in_flight):
        return False  # made at another time: another send, still being prepared
    raise OutcomePendingError(
        f"Request {item.request_id} may be this mail, but its mails cannot be read "
        "yet; check again in a few seconds.",
        request_id=item.request_id,
    )


def _read_mails(client: MailClient, request_id: str) -> list[MailDetail]:
    """Every mail of a request, each read in full."""
    details: list[MailDetail] = []
    number = 0
    while True:
        page = client.list_mails(request_id, page=number, size=PAGE_SIZE)
        details.extend(client.get_mail(summary.mail_id) for summary in page.content)
        if page.last or not page.content:
            return details
        number += 1


def _made_in_flight(item: RequestSummary, in_flight: tuple[int, int] | None) -> bool:
    """Whether ``item`` may have been made while the send was in flight (true if unknown)."""
    when = item.request_date.utc if item.request_date else None
    if in_flight is None or when is None:
        return True
    return in_flight[0] - IN_FLIGHT_SLACK_MS <= when <= in_flight[1] + IN_FLIGHT_SLACK_MS
