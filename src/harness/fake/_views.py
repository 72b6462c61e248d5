"""The mailer's JSON shapes: NesDateTime, statuses with labels, the Spring-style page."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from harness.fake._store import MailRequestRecord, MailStore, combined_status
from harness.fake._validation import KST, MAX_RESERVATION_UTC, MailerRequestError, kst_to_utc_ms

__all__ = ["mail_detail", "mail_items", "nes_datetime", "page", "request_item", "request_status"]

LABELS = {
    "en": {
        "P": "Preparing",
        "R": "Ready",
        "I": "Sending",
        "S": "Sent",
        "F": "Failed",
        "U": "Unsubscribed",
        "C": "Cancelled",
        "PF": "Partially failed",
        "Y": "Reserved",
        "N": "Immediate",
    },
    "ko": {
        "P": "발송준비중",
        "R": "발송준비",
        "I": "발송중",
        "S": "발송성공",
        "F": "발송실패",
        "U": "수신거부",
        "C": "발송취소",
        "PF": "부분실패",
        "Y": "예약",
        "N": "즉시",
    },
}
FINISHED = frozenset({"S", "F", "U", "C"})


def label(code: str, lang: str) -> dict[str, str]:
    """A ``{label, code}`` pair; the label follows ``x-ncp-lang``, so clients branch on code."""
    table = LABELS["ko"] if lang.lower().startswith("ko") else LABELS["en"]
    return {"label": table[code], "code": code}


_EPOCH_KST = datetime(1970, 1, 1, 9, tzinfo=KST)
_FIRST_MS = kst_to_utc_ms(datetime(1, 1, 1))
"""0001-01-01 00:00 KST, the earliest moment a KST date can show; MAX_RESERVATION_UTC is
the latest."""


def nes_datetime(ms: int | None) -> dict[str, Any] | None:
    """``{utc, formattedDate, formattedDateTime}``, formatted in KST (UTC+09:00).

    Any integer is answered: a moment outside years 1 to 9999 is shown as the nearest one
    inside, so no stored value can fail a view; ``utc`` stays the stored value.
    """
    if ms is None:
        return None
    shown = min(max(ms, _FIRST_MS), MAX_RESERVATION_UTC)
    moment = _EPOCH_KST + timedelta(milliseconds=shown)
    date = f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d}"
    return {
        "utc": ms,
        "formattedDate": date,
        "formattedDateTime": f"{date} {moment:%H:%M:%S} {shown % 1000:03d}",
    }


def request_status(
    store: MailStore, record: MailRequestRecord, now: int, lang: str
) -> dict[str, Any]:
    """The getMailRequestStatus answer for one request."""
    statuses = store.recipient_statuses(record, now)
    counts: dict[str, int] = {}
    for status in statuses:
        counts[status] = counts.get(status, 0) + 1
    total = len(statuses)
    sent = counts.get("S", 0)
    return {
        "requestId": record.request_id,
        "readyCompleted": True,
        "allSentSuccess": total > 0 and sent == total,
        "requestCount": total,
        "sentCount": sent,
        "finishCount": sum(n for code, n in counts.items() if code in FINISHED),
        "readyCount": total,
        "reservationDate": nes_datetime(record.mail.reservation_utc),
        "countsByStatus": [
            {"status": label(code, lang), "count": n} for code, n in sorted(counts.items())
        ],
    }


def _send_date(store: MailStore, record: MailRequestRecord, now: int) -> int | None:
    return record.ready_ms if store.step(record, now) >= 1 else None


def request_item(
    store: MailStore, record: MailRequestRecord, now: int, lang: str
) -> dict[str, Any]:
    """One entry of getMailRequestList's ``content``."""
    mail = record.mail
    status = combined_status(store.recipient_statuses(record, now))
    return {
        "requestId": record.request_id,
        "requestDate": nes_datetime(record.created_ms),
        "templateSid": mail.template_sid,
        "templateName": None,
        "emailStatus": label(status, lang),
        "senderAddress": mail.sender_address,
        "senderName": mail.sender_name,
        "dispatchType": "API",
        "sendDate": nes_datetime(_send_date(store, record, now)),
        "reservationDate": nes_datetime(mail.reservation_utc),
        "requestCount": len(record.recipients),
        "recipientCount": len(record.recipients),
    }


MailGroup = tuple[str, list[int], list[str]]


def _mail_groups(store: MailStore, record: MailRequestRecord, now: int) -> list[MailGroup]:
    statuses = store.recipient_statuses(record, now)
    groups: dict[str, list[int]] = {}
    for index, mail_id in enumerate(record.mail_ids):
        groups.setdefault(mail_id, []).append(index)
    return [(m, idx, [statuses[i] for i in idx]) for m, idx in groups.items()]


def mail_items(
    store: MailStore, record: MailRequestRecord, now: int, lang: str
) -> list[dict[str, Any]]:
    """Every mail of a request, as getMailList's ``content`` entries."""
    items = []
    reserved = "N" if record.mail.reservation_utc is None else "Y"
    for mail_id, indexes, statuses in _mail_groups(store, record, now):
        first = record.sent[indexes[0]]
        extra = f"({len(indexes) - 1})" if len(indexes) > 1 else ""
        items.append(
            {
                "requestId": record.request_id,
                "requestDate": nes_datetime(record.created_ms),
                "mailId": mail_id,
                "templateSid": record.mail.template_sid,
                "templateName": None,
                "title": first.title,
                "emailStatus": label(combined_status(statuses), lang),
                "senderAddress": record.mail.sender_address,
                "senderName": record.mail.sender_name,
                "sendDate": nes_datetime(_send_date(store, record, now)),
                "reservationStatus": label(reserved, lang),
                "advertising": record.mail.advertising,
                "representativeRecipient": first.to + extra,
                "recipientAddresses": [record.sent[i].to for i in indexes],
            }
        )
    return items


def mail_detail(
    store: MailStore,
    record: MailRequestRecord,
    mail_id: str,
    now: int,
    lang: str,
    files: Callable[[str], dict[str, Any]],
) -> dict[str, Any]:
    """The getMail answer for one mail of a request."""
    indexes, statuses = next((i, s) for m, i, s in _mail_groups(store, record, now) if m == mail_id)
    first = record.sent[indexes[0]]
    done = [s in FINISHED for s in statuses]
    return {
        "requestId": record.request_id,
        "requesterIp": "127.0.0.1",
        "requestDate": nes_datetime(record.created_ms),
        "mailId": mail_id,
        "title": first.title,
        "body": first.body,
        "templateSid": record.mail.template_sid,
        "templateName": None,
        "emailStatus": label(combined_status(statuses), lang),
        "senderAddress": record.mail.sender_address,
        "senderName": record.mail.sender_name,
        "sendDate": nes_datetime(_send_date(store, record, now)),
        "reservationDate": nes_datetime(record.mail.reservation_utc),
        "advertising": record.mail.advertising,
        "referencesHeader": record.mail.references_header,
        "attachFiles": [files(f) for f in record.mail.attach_file_ids],
        "recipients": [
            {
                "address": record.sent[i].to,
                "name": record.sent[i].recipient_name,
                "type": record.sent[i].recipient_type,
                "received": status == "S",
                "receivedDate": nes_datetime(record.ready_ms) if status == "S" else None,
                "status": label(status, lang),
                "retryCount": 0,
                "sendResultMessage": _result(status) if finished else None,
                "sendResultCode": ("250" if status == "S" else "550") if finished else None,
                "sendResultCodeMessage": _result(status) if finished else None,
            }
            for i, status, finished in zip(indexes, statuses, done, strict=True)
        ],
    }


def _result(status: str) -> str:
    return {"S": "OK", "F": "Mailbox unavailable", "U": "Recipient unsubscribed"}.get(status, "")


def page(
    items: Sequence[dict[str, Any]],
    *,
    number: int,
    size: int,
    orders: list[tuple[str, str]],
    keys: dict[str, Callable[[dict[str, Any]], Any]],
) -> dict[str, Any]:
    """Sort and cut ``items`` into a Spring Data page envelope."""
    ordered = list(items)
    for prop, direction in reversed(orders):
        ordered.sort(key=keys[prop], reverse=direction == "DESC")
    content = ordered[number * size : (number + 1) * size]
    total_pages = math.ceil(len(ordered) / size) if ordered else 0
    return {
        "content": content,
        "totalElements": len(ordered),
        "totalPages": total_pages,
        "numberOfElements": len(content),
        "first": number == 0,
        "last": number >= total_pages - 1,
        "number": number,
        "size": size,
        "sort": [
            {
                "direction": d,
                "property": p,
                "ignoreCase": False,
                "nullHandling": "NATIVE",
                "ascending": d == "ASC",
                "descending": d == "DESC",
            }
            for p, d in orders
        ],
    }


def parse_sort(values: list[str], allowed: Sequence[str]) -> list[tuple[str, str]]:
    """``sort=property(,asc|desc)``, repeatable; an unknown property is a 400 naming ``sort``."""
    orders = []
    for value in values:
        prop, _, direction = value.partition(",")
        direction = (direction or "asc").upper()
        if prop not in allowed or direction not in ("ASC", "DESC"):
            raise MailerRequestError(
                "sort", f"{value[:40]!r} is not one of {', '.join(allowed)} with asc or desc"
            )
        orders.append((prop, direction))
    return orders
