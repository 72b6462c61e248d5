"""The filters of the client's list calls as the backend seam's ``(name, value)`` pairs.

:meth:`MailClient.list_requests <harness.mail.MailClient.list_requests>` and
:meth:`MailClient.list_mails <harness.mail.MailClient.list_mails>` build their
:data:`~harness.mail._backend.RequestQuery` and :data:`~harness.mail._backend.MailQuery`
from these pieces, in the seam's fixed order: the time window first (requests only), then
the filters that are set, then :func:`paging` (status codes, sort items, page and size).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from harness.mail._errors import MailValidationError

__all__ = ["filters", "paging", "window"]


def window(start: datetime | int, end: datetime | int) -> list[tuple[str, str]]:
    """``startUtc`` and ``endUtc`` in epoch ms, from aware datetimes or ms."""
    return [
        ("startUtc", str(_epoch_ms(start, "start"))),
        ("endUtc", str(_epoch_ms(end, "end"))),
    ]


def filters(*pairs: tuple[str, str | None]) -> list[tuple[str, str]]:
    """The pairs whose value is set, in the order given."""
    return [(name, value) for name, value in pairs if value is not None]


def paging(
    send_status: Sequence[str], sort: Sequence[str], page: int, size: int
) -> list[tuple[str, str]]:
    """One ``sendStatus`` per code and one ``sort`` per item, then ``page`` and ``size``."""
    query = [("sendStatus", code) for code in send_status]
    query += [("sort", item) for item in sort]
    query += [("page", str(page)), ("size", str(size))]
    return query


def _epoch_ms(value: datetime | int, name: str) -> int:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise MailValidationError(name, "a datetime must be timezone-aware")
        return int(value.timestamp() * 1000)
    return int(value)
