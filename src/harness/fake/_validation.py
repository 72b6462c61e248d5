"""The createMailRequest rules: every field of the body and every documented limit.

Each rule failure raises :class:`MailerRequestError` whose message starts with the JSON path
of the offending field (``recipients[3].address: ...``), so a test or a user sees at once
which field the fake rejected.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from harness.fake._mail_json import MAX_JSON_DEPTH, MailerRequestError, decode_mail_body

__all__ = [
    "BASIC_UNSUBSCRIBE_MESSAGE",
    "LIMITS",
    "MAX_JSON_DEPTH",
    "MAX_RESERVATION_UTC",
    "MAX_TEMPLATE_SID",
    "MailerRequestError",
    "Recipient",
    "ValidatedMail",
    "decode_mail_body",
    "kst_to_utc_ms",
    "validate_mail_request",
]

LIMITS = {
    "recipients": 100_000,
    "cc": 30,
    "bcc": 30,
    "body_bytes": 500 * 1024,
    "title_bytes": 500,
    "sender_name_bytes": 69,
    "recipient_name_chars": 69,
    "groups": 5,
}
"""The documented per-request limits of createMailRequest."""

BASIC_UNSUBSCRIBE_MESSAGE = "If you do not want to receive this mail, unsubscribe here."
"""The fake's stand-in for NCloud's basic unsubscribe text (``useBasicUnsubscribeMsg``).

Its UTF-8 length counts toward the 500 KB body limit of advertising mail, as the real
message does: the size of the body includes the unsubscribe message.
"""

MAX_TEMPLATE_SID = 2_147_483_647
"""The largest ``templateSid``: B.3 types it Integer, a signed 32-bit value on the mailer."""

MAX_RESERVATION_UTC = 253_402_268_399_999
"""The latest ``reservationUtc`` accepted: 9999-12-31 23:59:59.999 KST, the last moment the
mailer's KST-formatted dates can show."""

KST = timezone(timedelta(hours=9))
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
_EMAIL = re.compile(rf"^[^@\s\"<>(),;:\\\[\]]+@{_LABEL}(?:\.{_LABEL})+$")
_FORBIDDEN_SENDER_DOMAINS = ("naver.com", "navercorp.com")
_RESERVATION_FORMAT = "%Y-%m-%d %H:%M"


@dataclass(frozen=True)
class Recipient:
    """One recipient as requested: ``type`` is ``R`` (to), ``C`` (cc) or ``B`` (bcc)."""

    address: str
    name: str | None
    type: str
    parameters: Mapping[str, Any]


@dataclass(frozen=True)
class ValidatedMail:
    """A createMailRequest body that passed every rule, with defaults applied."""

    sender_address: str | None
    sender_name: str | None
    template_sid: int | None
    title: str | None
    body: str | None
    individual: bool
    confirm_and_send: bool
    advertising: bool
    parameters: Mapping[str, Any]
    references_header: str | None
    reservation_utc: int | None
    attach_file_ids: tuple[str, ...]
    recipients: tuple[Recipient, ...]
    group_filter: tuple[bool, tuple[str, ...]] | None
    use_basic_unsubscribe_msg: bool
    unsubscribe_message: str | None


def validate_mail_request(data: Any, known_file: Callable[[str], bool]) -> ValidatedMail:
    """Check a decoded JSON body against every createMailRequest rule; raise on the first."""
    if not isinstance(data, dict):
        raise MailerRequestError("body", "the request body must be a JSON object")
    template_sid = _integer(data, "templateSid", maximum=MAX_TEMPLATE_SID)
    required = template_sid is None
    sender = _string(data, "senderAddress", required=required)
    if sender is not None:
        _check_email("senderAddress", sender)
        domain = sender.rsplit("@", 1)[1].lower()
        if domain in _FORBIDDEN_SENDER_DOMAINS:
            raise MailerRequestError("senderAddress", f"the domain {domain} cannot send mail")
    sender_name = _string(data, "senderName")
    _max_bytes("senderName", sender_name, LIMITS["sender_name_bytes"])
    title = _string(data, "title", required=required)
    _max_bytes("title", title, LIMITS["title_bytes"])
    body = _string(data, "body", required=required)
    advertising = _boolean(data, "advertising", default=False)
    use_basic = _boolean(data, "useBasicUnsubscribeMsg", default=False)
    unsubscribe = _string(data, "unsubscribeMessage")
    if advertising and not use_basic and not unsubscribe:
        raise MailerRequestError(
            "unsubscribeMessage",
            "advertising mail needs an unsubscribe message unless useBasicUnsubscribeMsg is true",
        )
    extra = ""
    if advertising:
        extra = BASIC_UNSUBSCRIBE_MESSAGE if use_basic else unsubscribe or ""
    _max_bytes("body", (body or "") + extra, LIMITS["body_bytes"])
    recipients = _recipients(data)
    group_filter = _group_filter(data)
    if not recipients and group_filter is None:
        raise MailerRequestError(
            "recipients", "at least one recipient or a recipientGroupFilter is required"
        )
    return ValidatedMail(
        sender_address=sender,
        sender_name=sender_name,
        template_sid=template_sid,
        title=title,
        body=body,
        individual=_boolean(data, "individual", default=True),
        confirm_and_send=_boolean(data, "confirmAndSend", default=False),
        advertising=advertising,
        parameters=_parameters(data.get("parameters"), "parameters"),
        references_header=_references(data),
        reservation_utc=_reservation(data),
        attach_file_ids=_attachments(data, known_file),
        recipients=recipients,
        group_filter=group_filter,
        use_basic_unsubscribe_msg=use_basic,
        unsubscribe_message=unsubscribe,
    )


def kst_to_utc_ms(moment: datetime) -> int:
    """Epoch milliseconds of a naive date-time read as Korea Standard Time (UTC+09:00)."""
    return int(moment.replace(tzinfo=KST).timestamp() * 1000)


def _string(data: Mapping[str, Any], field: str, *, required: bool = False) -> str | None:
    value = data.get(field)
    if value is None:
        if required:
            raise MailerRequestError(field, "is required")
        return None
    if not isinstance(value, str):
        raise MailerRequestError(field, "must be a string")
    return value


def _integer(data: Mapping[str, Any], field: str, *, maximum: int | None = None) -> int | None:
    value = data.get(field)
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool):
        raise MailerRequestError(field, "must be an integer")
    if value < 0:
        raise MailerRequestError(field, "must not be negative")
    if maximum is not None and value > maximum:
        raise MailerRequestError(field, f"must not be more than {maximum}")
    return value


def _boolean(data: Mapping[str, Any], field: str, *, default: bool) -> bool:
    value = data.get(field)
    if value is None:
        return default
    if not isinstance(value, bool):
        raise MailerRequestError(field, "must be true or false")
    return value


def _max_bytes(field: str, value: str | None, limit: int) -> None:
    if value is not None and len(value.encode("utf-8")) > limit:
        raise MailerRequestError(field, f"is longer than {limit} bytes (UTF-8)")


def _check_email(field: str, value: str) -> None:
    if len(value) > 320 or not _EMAIL.match(value):
        raise MailerRequestError(field, f"{value[:80]!r} is not an e-mail address")


def _parameters(value: Any, field: str) -> Mapping[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise MailerRequestError(field, "must be an object of parameter names to values")
    for key, item in value.items():
        if not isinstance(item, str | int | float) or isinstance(item, bool):
            raise MailerRequestError(f"{field}.{key}", "must be a string or a number")
    return value


def _references(data: Mapping[str, Any]) -> str | None:
    value = _string(data, "referencesHeader")
    if value is not None and not re.fullmatch(r"<[^<>\s]+@[^<>\s]+>", value):
        raise MailerRequestError("referencesHeader", "must look like <unique-id@domain>")
    return value


def _reservation(data: Mapping[str, Any]) -> int | None:
    utc = _integer(data, "reservationUtc")
    if utc is not None and utc > MAX_RESERVATION_UTC:
        raise MailerRequestError(
            "reservationUtc",
            f"must not be after 9999-12-31 23:59:59.999 KST ({MAX_RESERVATION_UTC})",
        )
    text = _string(data, "reservationDateTime")
    local = None if text is None else _reservation_date_time(text)
    return utc if utc is not None else local


def _reservation_date_time(text: str) -> int:
    """``yyyy-MM-dd HH:mm`` in KST as epoch milliseconds, no earlier than ``reservationUtc`` 0."""
    try:
        local = kst_to_utc_ms(datetime.strptime(text, _RESERVATION_FORMAT))
    except ValueError as exc:
        raise MailerRequestError(
            "reservationDateTime", f"{text[:40]!r} is not in the form yyyy-MM-dd HH:mm"
        ) from exc
    if local < 0:
        raise MailerRequestError(
            "reservationDateTime", f"{text!r} is before 1970-01-01 09:00 KST (reservationUtc 0)"
        )
    return local


def _attachments(data: Mapping[str, Any], known_file: Callable[[str], bool]) -> tuple[str, ...]:
    value = data.get("attachFileIds")
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise MailerRequestError("attachFileIds", "must be a list of file ids")
    for index, file_id in enumerate(value):
        if not known_file(file_id):
            raise MailerRequestError(
                f"attachFileIds[{index}]", f"{file_id[:40]!r} is not an uploaded file id"
            )
    return tuple(value)


def _recipients(data: Mapping[str, Any]) -> tuple[Recipient, ...]:
    value = data.get("recipients")
    if value is None:
        return ()
    if not isinstance(value, list):
        raise MailerRequestError("recipients", "must be a list")
    if len(value) > LIMITS["recipients"]:
        raise MailerRequestError("recipients", f"has more than {LIMITS['recipients']} entries")
    result = tuple(_recipient(item, f"recipients[{i}]") for i, item in enumerate(value))
    for kind, limit, label in (("C", LIMITS["cc"], "CC"), ("B", LIMITS["bcc"], "BCC")):
        if sum(1 for r in result if r.type == kind) > limit:
            raise MailerRequestError("recipients", f"has more than {limit} {label} recipients")
    return result


def _recipient(item: Any, field: str) -> Recipient:
    if not isinstance(item, dict):
        raise MailerRequestError(field, "must be an object")
    address = item.get("address")
    if not isinstance(address, str):
        problem = "is required" if address is None else "must be a string"
        raise MailerRequestError(f"{field}.address", problem)
    _check_email(f"{field}.address", address)
    name = item.get("name")
    if name is not None and not isinstance(name, str):
        raise MailerRequestError(f"{field}.name", "must be a string")
    if name is not None and len(name) > LIMITS["recipient_name_chars"]:
        raise MailerRequestError(
            f"{field}.name", f"is longer than {LIMITS['recipient_name_chars']} characters"
        )
    kind = item.get("type", "R")
    if kind is None:
        kind = "R"
    if kind not in ("R", "C", "B"):
        raise MailerRequestError(f"{field}.type", "must be R, C or B")
    parameters = _parameters(item.get("parameters"), f"{field}.parameters")
    return Recipient(address, name, kind, parameters)


def _group_filter(data: Mapping[str, Any]) -> tuple[bool, tuple[str, ...]] | None:
    value = data.get("recipientGroupFilter")
    if value is None:
        return None
    field = "recipientGroupFilter"
    if not isinstance(value, dict):
        raise MailerRequestError(field, "must be an object")
    and_filter = value.get("andFilter")
    if not isinstance(and_filter, bool):
        raise MailerRequestError(f"{field}.andFilter", "is required and must be true or false")
    groups = value.get("groups")
    if not isinstance(groups, list) or not groups:
        raise MailerRequestError(f"{field}.groups", "is required and must be a non-empty list")
    if not all(isinstance(g, str) and g for g in groups):
        raise MailerRequestError(f"{field}.groups", "must hold group names")
    if len(groups) > LIMITS["groups"]:
        raise MailerRequestError(f"{field}.groups", f"has more than {LIMITS['groups']} groups")
    return and_filter, tuple(groups)
