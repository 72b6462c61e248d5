"""Typed answers of the mailer: send results, request status, pages of requests and mails.

Status values are ``{label, code}`` pairs whose label follows the ``x-ncp-lang`` header, so
every decision here reads the ``code``. Unknown fields are ignored, so a new field on the
server never breaks a client.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic.alias_generators import to_camel

__all__ = [
    "FINISHED_CODES",
    "AttachedFile",
    "MailDetail",
    "MailStatus",
    "MailSummary",
    "NesDateTime",
    "Page",
    "RecipientResult",
    "RequestStatus",
    "RequestSummary",
    "SendResult",
    "StatusCount",
]

FINISHED_CODES = frozenset({"S", "F", "U", "C"})
"""Status codes a recipient does not leave: sent, failed, unsubscribed, cancelled."""


class _Answer(BaseModel):
    model_config = ConfigDict(
        frozen=True, extra="ignore", populate_by_name=True, alias_generator=to_camel
    )


class SendResult(_Answer):
    """The answer to a send: the request id and how many mails it made."""

    request_id: str
    count: int


class MailStatus(_Answer):
    """A status: ``code`` (``P R I S F U C PF``, or ``Y``/``N`` for reservations) and its label."""

    code: str
    label: str = ""


class StatusCount(_Answer):
    """How many recipients of a request have one status."""

    status: MailStatus
    count: int


class NesDateTime(_Answer):
    """A moment as the mailer writes it: epoch milliseconds plus texts in Korea time."""

    utc: int
    formatted_date: str | None = None
    formatted_date_time: str | None = None

    @property
    def datetime(self) -> datetime:
        """The moment as an aware ``datetime`` in UTC."""
        return datetime.fromtimestamp(self.utc / 1000, tz=timezone.utc)


class RequestStatus(_Answer):
    """getMailRequestStatus: the progress of one send request.

    :attr:`finished` is true when every mail is in the database (``ready_completed``) and
    every one reached a final state (``finish_count == request_count``).
    """

    request_id: str
    ready_completed: bool
    all_sent_success: bool = False
    request_count: int
    sent_count: int = 0
    finish_count: int
    ready_count: int = 0
    reservation_date: NesDateTime | None = None
    counts_by_status: list[StatusCount] = Field(default_factory=list)

    @property
    def finished(self) -> bool:
        """Whether the request reached its final state."""
        return self.ready_completed and self.finish_count == self.request_count

    @property
    def counts(self) -> dict[str, int]:
        """Recipients per status code, for example ``{"S": 33502, "F": 1415}``."""
        counts: dict[str, int] = {}
        for item in self.counts_by_status:
            counts[item.status.code] = counts.get(item.status.code, 0) + item.count
        return counts

    def summary(self) -> str:
        """One line: finished or not, and the count per status code."""
        state = "finished" if self.finished else "in progress"
        counts = " ".join(f"{code}={n}" for code, n in sorted(self.counts.items()))
        return (
            f"{self.request_id} {state}: {self.finish_count}/{self.request_count} done, "
            f"{self.sent_count} sent" + (f" ({counts})" if counts else "")
        )


class RequestSummary(_Answer):
    """One entry of the request list."""

    request_id: str
    request_date: NesDateTime | None = None
    template_sid: int | None = None
    template_name: str | None = None
    email_status: MailStatus | None = None
    sender_address: str | None = None
    sender_name: str | None = None
    dispatch_type: str | None = None
    send_date: NesDateTime | None = None
    reservation_date: NesDateTime | None = None
    request_count: int = 0
    recipient_count: int = 0


class MailSummary(_Answer):
    """One entry of a request's mail list."""

    request_id: str
    mail_id: str
    request_date: NesDateTime | None = None
    template_sid: int | None = None
    template_name: str | None = None
    title: str | None = None
    email_status: MailStatus | None = None
    sender_address: str | None = None
    sender_name: str | None = None
    send_date: NesDateTime | None = None
    reservation_status: MailStatus | None = None
    advertising: bool = False
    representative_recipient: str | None = None


class AttachedFile(_Answer):
    """An uploaded file: its id (for ``attach_file_ids``), name and size in bytes."""

    file_id: str
    file_name: str
    file_size: int


class RecipientResult(_Answer):
    """One recipient of a mail and what happened when it was sent."""

    address: str
    name: str | None = None
    type: str = "R"
    received: bool = False
    received_date: NesDateTime | None = None
    status: MailStatus | None = None
    retry_count: int = 0
    send_result_message: str | None = None
    send_result_code: str | None = None
    send_result_code_message: str | None = None

    @field_validator("type", mode="before")
    @classmethod
    def _type_code(cls, value: Any) -> Any:
        """``R``, ``C`` or ``B``, also when given as a ``{label, code}`` pair."""
        if isinstance(value, dict):
            return value.get("code", "R")
        return "R" if value is None else value


class MailDetail(_Answer):
    """getMail: one mail with its body, attachments and recipients."""

    request_id: str
    mail_id: str
    requester_ip: str | None = None
    request_date: NesDateTime | None = None
    title: str | None = None
    body: str | None = None
    template_sid: int | None = None
    template_name: str | None = None
    email_status: MailStatus | None = None
    sender_address: str | None = None
    sender_name: str | None = None
    send_date: NesDateTime | None = None
    reservation_date: NesDateTime | None = None
    advertising: bool = False
    references_header: str | None = None
    attach_files: list[AttachedFile] = Field(default_factory=list)
    recipients: list[RecipientResult] = Field(default_factory=list)


ItemT = TypeVar("ItemT", bound=BaseModel)


class Page(_Answer, Generic[ItemT]):
    """One page of a list (Spring Data style); ``number`` counts from 0."""

    content: list[ItemT] = Field(default_factory=list)
    total_elements: int = 0
    total_pages: int = 0
    number_of_elements: int = 0
    first: bool = True
    last: bool = True
    number: int = 0
    size: int = 0
