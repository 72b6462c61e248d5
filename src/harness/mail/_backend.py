"""The seam between :class:`~harness.mail.MailClient` and one mail API.

The client validates, fills defaults, polls and turns unknown send outcomes into
:class:`~harness.mail.SendOutcomeUnknownError`; a backend only speaks one API's paths and
shapes. :class:`~harness.mail.OutboundMailerV1` is Cloud Outbound Mailer v1; a SENS mail v2
backend would implement the same protocol.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from harness.mail._models import Mail
from harness.mail._responses import (
    AttachedFile,
    MailDetail,
    MailSummary,
    Page,
    RequestStatus,
    RequestSummary,
    SendResult,
)

__all__ = ["FileTuple", "MailBackend", "MailQuery", "RequestQuery"]

FileTuple = tuple[str, bytes, str]
"""An upload: file name, content, media type."""
MailQuery = Sequence[tuple[str, str]]
"""Filters, paging and sorting of a mail list, as ``(name, value)`` pairs named as in v1.

The seam's format, whatever the backend: ``mailId``, ``recipientAddress``, ``title``,
``sendStatus`` (repeated, one code each), ``sort`` (repeated, ``property[,asc|desc]``),
then always ``page`` and ``size`` (decimal strings), in that order.
"""
RequestQuery = Sequence[tuple[str, str]]
"""Filters, paging and sorting of a request list, as ``(name, value)`` pairs named as in v1.

The seam's format, whatever the backend: always ``startUtc`` and ``endUtc`` (epoch ms,
decimal strings) first; then, when set, ``requestId``, ``mailId``, ``title``,
``senderAddress``, ``recipientAddress``, ``templateSid``; ``sendStatus`` and ``sort``
(repeated); then always ``page`` and ``size``.
"""


@runtime_checkable
class MailBackend(Protocol):
    """What a mail API offers the client. Every method raises only ``MailError`` subclasses.

    Queries cross the seam as the v1 API's own query pairs (:data:`MailQuery`,
    :data:`RequestQuery`), already checked and in a fixed order: the v1 backend sends them
    as they are, and a backend for another API (such as SENS mail v2) translates each name.
    A mail reaches :meth:`send` already validated afresh, with the default sender filled in.
    """

    @property
    def clock_offset_ms(self) -> int:
        """The learned difference between the server clock and this one, in ms."""
        ...

    def now_ms(self) -> int:
        """The current time by the server's clock (this clock plus the learned offset)."""
        ...

    def send(self, mail: Mail) -> SendResult:
        """Submit one mail request; never resent when its outcome is unknown."""
        ...

    def status(self, request_id: str) -> RequestStatus:
        """The progress of a request."""
        ...

    def list_mails(self, request_id: str, query: MailQuery) -> Page[MailSummary]:
        """One page of the mails of a request."""
        ...

    def list_requests(self, query: RequestQuery) -> Page[RequestSummary]:
        """One page of requests."""
        ...

    def get_mail(self, mail_id: str) -> MailDetail:
        """One mail with its recipients."""
        ...

    def upload(self, files: Sequence[FileTuple]) -> list[AttachedFile]:
        """Upload attachments; return them in order, with their ids."""
        ...

    def close(self) -> None:
        """Release connections."""
        ...
