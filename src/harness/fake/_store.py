"""The in-memory mail store: accepted requests, expanded mails, uploaded files, statuses.

Every method takes the lock, so the server thread and a test thread can use the store at
once. Statuses are computed, not stored: a request moves R → I → final (S, or F/U for
recipients configured to fail or to be unsubscribed) one step per status poll, with time,
or at once, as :class:`Progression` says.
"""

from __future__ import annotations

import copy
import itertools
import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from harness.fake._validation import BASIC_UNSUBSCRIBE_MESSAGE, KST, ValidatedMail

__all__ = ["FileRecord", "MailRequestRecord", "MailStore", "Progression", "SentMail"]

Advance = Literal["poll", "time", "instant"]
_PLACEHOLDER = re.compile(r"\$\{([^}]*)\}")
_UNSUBSCRIBE_MARK = "#{UNSUBSCRIBE_MESSAGE}"


@dataclass
class Progression:
    """How accepted mail moves through statuses, and which recipients do not end in S.

    ``advance``: ``"poll"`` moves a request one step each time its status is read with
    getMailRequestStatus (so the reads see R, I, then the final status); ``"time"`` moves
    one step every ``step_ms`` of server time; ``"instant"`` shows the final status at once.
    Reserved mail stays R until its reservation time; ``confirmAndSend`` mail stays R.
    Addresses in ``failed`` end in F, addresses in ``unsubscribed`` end in U (case-insensitive).
    """

    advance: Advance = "poll"
    step_ms: int = 1000
    failed: frozenset[str] = frozenset()
    unsubscribed: frozenset[str] = frozenset()

    def final_status(self, address: str) -> str:
        lower = address.lower()
        if lower in {a.lower() for a in self.failed}:
            return "F"
        if lower in {a.lower() for a in self.unsubscribed}:
            return "U"
        return "S"


@dataclass(frozen=True)
class SentMail:
    """One accepted mail as one recipient would receive it, ``${key}`` parameters substituted.

    Recipient parameters override mail parameters; unknown placeholders stay as written.
    For advertising mail the unsubscribe message is placed at ``#{UNSUBSCRIBE_MESSAGE}`` or
    appended to the body.
    """

    request_id: str
    mail_id: str
    region: str
    sender_address: str | None
    sender_name: str | None
    to: str
    recipient_name: str | None
    recipient_type: str
    title: str
    body: str
    parameters: Mapping[str, Any]
    attach_file_ids: tuple[str, ...]
    advertising: bool
    template_sid: int | None
    reservation_utc: int | None
    references_header: str | None


@dataclass(frozen=True)
class FileRecord:
    """An uploaded attachment."""

    file_id: str
    temp_request_id: str
    file_name: str
    content: bytes

    @property
    def file_size(self) -> int:
        return len(self.content)


@dataclass
class MailRequestRecord:
    """An accepted createMailRequest: the body exactly as received, and its expansion."""

    request_id: str
    region: str
    access_key: str
    body: Any
    mail: ValidatedMail
    created_ms: int
    recipients: tuple[tuple[str, str | None, str], ...]
    mail_ids: tuple[str, ...]
    sent: tuple[SentMail, ...]
    polls: int = 0

    @property
    def ready_ms(self) -> int:
        reservation = self.mail.reservation_utc
        return max(self.created_ms, reservation) if reservation is not None else self.created_ms


@dataclass
class MailStore:
    """Thread-safe store of requests, mails and files with computed statuses."""

    progression: Progression = field(default_factory=Progression)
    groups: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._lock = threading.RLock()
        self._ids = itertools.count(1)
        self.requests: list[MailRequestRecord] = []
        self.files: dict[str, FileRecord] = {}

    def reset(self) -> None:
        with self._lock:
            self.requests.clear()
            self.files.clear()

    def new_id(self, now_ms: int) -> str:
        """A 20-digit id in the mailer's style: the KST date, then a counter."""
        day = datetime.fromtimestamp(now_ms / 1000, tz=KST).strftime("%Y%m%d")
        with self._lock:
            return f"{day}{next(self._ids):012d}"

    def has_file(self, file_id: str) -> bool:
        with self._lock:
            return file_id in self.files

    def add_files(
        self, now_ms: int, files: list[tuple[str, bytes]]
    ) -> tuple[str, list[FileRecord]]:
        temp_id = self.new_id(now_ms)
        records = [FileRecord(self.new_id(now_ms), temp_id, n, c) for n, c in files]
        with self._lock:
            self.files.update((r.file_id, r) for r in records)
        return temp_id, records

    def add_request(
        self, *, body: Any, mail: ValidatedMail, region: str, access_key: str, now_ms: int
    ) -> MailRequestRecord:
        """Store an accepted request and expand it per recipient."""
        request_id = self.new_id(now_ms)
        recipients = [(r.address, r.name, r.type, r.parameters) for r in mail.recipients]
        if mail.group_filter is not None:
            recipients += [(a, None, "R", {}) for a in self._group_members(*mail.group_filter)]
        if mail.individual:
            mail_ids = tuple(self.new_id(now_ms) for _ in recipients)
        else:
            mail_ids = (self.new_id(now_ms),) * len(recipients)
        sent = tuple(
            _expand(mail, request_id, mail_id, region, rcpt)
            for mail_id, rcpt in zip(mail_ids, recipients, strict=True)
        )
        record = MailRequestRecord(
            request_id=request_id,
            region=region,
            access_key=access_key,
            body=copy.deepcopy(body),
            mail=mail,
            created_ms=now_ms,
            recipients=tuple((a, n, t) for a, n, t, _ in recipients),
            mail_ids=mail_ids,
            sent=sent,
        )
        with self._lock:
            self.requests.append(record)
        return record

    def _group_members(self, and_filter: bool, names: tuple[str, ...]) -> list[str]:
        sets = [set(self.groups.get(name, ())) for name in names]
        chosen = set.intersection(*sets) if and_filter else set.union(*sets)
        return sorted(chosen)

    def find_request(self, region: str, request_id: str) -> MailRequestRecord | None:
        with self._lock:
            return next(
                (r for r in self.requests if r.request_id == request_id and r.region == region),
                None,
            )

    def find_mail(self, region: str, mail_id: str) -> MailRequestRecord | None:
        with self._lock:
            return next(
                (r for r in self.requests if r.region == region and mail_id in r.mail_ids), None
            )

    def region_requests(self, region: str) -> list[MailRequestRecord]:
        with self._lock:
            return [r for r in self.requests if r.region == region]

    def all_mails(self) -> list[SentMail]:
        with self._lock:
            return [mail for r in self.requests for mail in r.sent]

    def poll(self, record: MailRequestRecord, now_ms: int) -> None:
        """Count one status read: in ``"poll"`` mode this moves the request one step."""
        with self._lock:
            if now_ms >= record.ready_ms:
                record.polls += 1

    def step(self, record: MailRequestRecord, now_ms: int) -> int:
        """0 while ready (R), 1 while sending (I), 2 once final."""
        if record.mail.confirm_and_send or now_ms < record.ready_ms:
            return 0
        mode = self.progression.advance
        if mode == "instant":
            return 2
        if mode == "time":
            return min(2, (now_ms - record.ready_ms) // max(1, self.progression.step_ms))
        return min(2, record.polls)

    def recipient_statuses(self, record: MailRequestRecord, now_ms: int) -> list[str]:
        step = self.step(record, now_ms)
        if step < 2:
            return ["R" if step == 0 else "I"] * len(record.recipients)
        return [self.progression.final_status(a) for a, _, _ in record.recipients]


def combined_status(statuses: list[str]) -> str:
    """One status for several recipients: the common one, or PF when some failed."""
    unique = set(statuses)
    if not unique:
        return "S"
    if len(unique) == 1:
        return unique.pop()
    if unique & {"R", "I"}:
        return "I" if "I" in unique else "R"
    return "PF"


def _substitute(text: str, values: Mapping[str, Any]) -> str:
    def replace(match: re.Match[str]) -> str:
        key = match.group(1)
        return str(values[key]) if key in values else match.group(0)

    return _PLACEHOLDER.sub(replace, text)


def _expand(
    mail: ValidatedMail,
    request_id: str,
    mail_id: str,
    region: str,
    recipient: tuple[str, str | None, str, Mapping[str, Any]],
) -> SentMail:
    address, name, kind, own = recipient
    values = {**mail.parameters, **own}
    body = _substitute(mail.body or "", values)
    if mail.advertising:
        message = (
            BASIC_UNSUBSCRIBE_MESSAGE
            if mail.use_basic_unsubscribe_msg
            else mail.unsubscribe_message or ""
        )
        if _UNSUBSCRIBE_MARK in body:
            body = body.replace(_UNSUBSCRIBE_MARK, message)
        else:
            body += message
    return SentMail(
        request_id=request_id,
        mail_id=mail_id,
        region=region,
        sender_address=mail.sender_address,
        sender_name=mail.sender_name,
        to=address,
        recipient_name=name,
        recipient_type=kind,
        title=_substitute(mail.title or "", values),
        body=body,
        parameters=values,
        attach_file_ids=mail.attach_file_ids,
        advertising=mail.advertising,
        template_sid=mail.template_sid,
        reservation_utc=mail.reservation_utc,
        references_header=mail.references_header,
    )
