"""The createMailRequest body as typed models, with every documented limit checked locally.

A :class:`Mail` that constructs is a body the mailer accepts: exact field types (``True`` is
no template number, ``"yes"`` no boolean), the conditional fields (sender, title and body
unless a template is used; recipients or a group filter), no control characters in what
becomes a header (the title, the names, the addresses, the references), the size limits
(100 000 recipients, 30 CC, 30 BCC, a 500 KB body, a 500-byte title, a 69-byte sender
name, 5 groups) and the advertising rule. A broken rule raises
:class:`~harness.mail.MailValidationError` (or :class:`~harness.mail.MailLimitError`) naming
the field by its JSON path, before anything touches the network.

The per-field rules and :data:`LIMITS` are in :mod:`harness.mail._checks`; the shared base
model and the error translation in :mod:`harness.mail._request_model`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import (
    Field,
    StrictBool,
    StrictFloat,
    StrictInt,
    StrictStr,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from harness.mail._checks import (
    LIMITS,
    check_address,
    check_parameters,
    check_references,
    check_reservation_text,
    check_sender,
    check_sender_name,
    limit_error,
    max_bytes,
    no_controls,
    revalidate,
)
from harness.mail._request_model import _RequestModel

__all__ = [
    "LIMITS",
    "Mail",
    "ParameterValue",
    "Recipient",
    "RecipientGroupFilter",
    "RecipientType",
    "check_address",
]

RecipientType = Literal["R", "C", "B"]
"""``R`` to, ``C`` cc, ``B`` bcc."""
ParameterValue = StrictStr | StrictInt | StrictFloat
"""A substitution value for ``${key}`` in the title and body."""


class Recipient(_RequestModel):
    """One recipient: an address, an optional name, a type and its own parameters.

    A recipient's ``parameters`` override the mail's for that recipient only.
    """

    address: str
    name: str | None = None
    type: RecipientType = "R"
    parameters: dict[str, ParameterValue] | None = None

    @field_validator("parameters", mode="before")
    @classmethod
    def _check_parameters(cls, value: Any) -> Any:
        return check_parameters(value)

    @field_validator("address")
    @classmethod
    def _address(cls, value: str) -> str:
        return check_address(value)

    @field_validator("name")
    @classmethod
    def _name(cls, value: str | None) -> str | None:
        limit = LIMITS["recipient_name_chars"]
        no_controls(value)
        if value is not None and len(value) > limit:
            raise limit_error(f"is longer than {limit} characters", limit)
        return value


class RecipientGroupFilter(_RequestModel):
    """Send to address-book groups: all of them (``and_filter``) or any of them (at most 5)."""

    and_filter: StrictBool
    groups: list[str] = Field(min_length=1)

    @field_validator("groups")
    @classmethod
    def _groups(cls, value: list[str]) -> list[str]:
        if len(value) > LIMITS["groups"]:
            raise limit_error(f"has more than {LIMITS['groups']} groups", LIMITS["groups"])
        if not all(value):
            raise ValueError("group names must not be empty")
        return value


class Mail(_RequestModel):
    """A createMailRequest body.

    Without ``template_sid``, ``title`` and ``body`` are required (``sender_address`` too,
    unless the client's settings give a default sender). ``recipients`` takes
    :class:`Recipient` objects, dicts, or plain addresses (sent as ``R``). ``reservation_utc``
    takes epoch milliseconds or a timezone-aware ``datetime``; ``reservation_date_time`` is
    ``yyyy-MM-dd HH:mm`` in Korea time. Advertising mail needs ``unsubscribe_message`` unless
    ``use_basic_unsubscribe_msg`` is true.
    """

    sender_address: str | None = None
    sender_name: str | None = None
    template_sid: StrictInt | None = Field(default=None, ge=0)
    title: str | None = None
    body: str | None = None
    recipients: list[Recipient] = Field(default_factory=list)
    recipient_group_filter: RecipientGroupFilter | None = None
    parameters: dict[str, ParameterValue] | None = None
    individual: StrictBool = True

    @field_validator("parameters", mode="before")
    @classmethod
    def _check_parameters(cls, value: Any) -> Any:
        return check_parameters(value)

    confirm_and_send: StrictBool = False
    advertising: StrictBool = False
    use_basic_unsubscribe_msg: StrictBool | None = None
    unsubscribe_message: str | None = None
    references_header: str | None = None
    reservation_utc: StrictInt | None = Field(default=None, ge=0)
    reservation_date_time: str | None = None
    attach_file_ids: list[str] | None = None

    @field_validator("sender_address")
    @classmethod
    def _sender(cls, value: str | None) -> str | None:
        return None if value is None else check_sender(value)

    @field_validator("sender_name")
    @classmethod
    def _sender_name(cls, value: str | None) -> str | None:
        return max_bytes(no_controls(value), LIMITS["sender_name_bytes"])

    @field_validator("title")
    @classmethod
    def _title(cls, value: str | None) -> str | None:
        return max_bytes(no_controls(value), LIMITS["title_bytes"])

    @field_validator("recipients", mode="before")
    @classmethod
    def _plain_addresses(cls, value: Any) -> Any:
        if isinstance(value, list | tuple):
            return [{"address": item} if isinstance(item, str) else item for item in value]
        return value

    @field_validator("recipients")
    @classmethod
    def _recipient_limits(cls, value: list[Recipient]) -> list[Recipient]:
        if len(value) > LIMITS["recipients"]:
            limit = LIMITS["recipients"]
            raise limit_error(f"has more than {limit} recipients", limit)
        for kind, key, label in (("C", "cc", "CC"), ("B", "bcc", "BCC")):
            if sum(1 for r in value if r.type == kind) > LIMITS[key]:
                raise limit_error(f"has more than {LIMITS[key]} {label} recipients", LIMITS[key])
        return value

    @field_validator("reservation_utc", mode="before")
    @classmethod
    def _reservation_moment(cls, value: Any) -> Any:
        if isinstance(value, datetime):
            if value.tzinfo is None:
                raise ValueError("a datetime must be timezone-aware")
            return int(value.timestamp() * 1000)
        return value

    @field_validator("reservation_date_time")
    @classmethod
    def _reservation_text(cls, value: str | None) -> str | None:
        return check_reservation_text(value)

    @field_validator("references_header")
    @classmethod
    def _references(cls, value: str | None) -> str | None:
        return check_references(value)

    @model_validator(mode="after")
    def _rules(self) -> Mail:
        if self.template_sid is None:
            for name, value in (("title", self.title), ("body", self.body)):
                if value is None:
                    raise PydanticCustomError(
                        "missing", "is required unless templateSid is set", {"field": name}
                    )
        if not self.recipients and self.recipient_group_filter is None:
            raise PydanticCustomError(
                "missing",
                "at least one recipient or a recipientGroupFilter is required",
                {"field": "recipients"},
            )
        unsubscribe = self.unsubscribe_message or ""
        if self.advertising and not self.use_basic_unsubscribe_msg and not unsubscribe:
            raise PydanticCustomError(
                "missing",
                "advertising mail needs an unsubscribe message unless "
                "useBasicUnsubscribeMsg is true",
                {"field": "unsubscribeMessage"},
            )
        extra = unsubscribe if self.advertising and not self.use_basic_unsubscribe_msg else ""
        limit = LIMITS["body_bytes"]
        if len((self.body or "").encode("utf-8")) + len(extra.encode("utf-8")) > limit:
            raise limit_error(
                f"is longer than {limit} bytes (UTF-8, with any unsubscribe message)", limit, "body"
            )
        return self

    def revalidated(self) -> Mail:
        """A new mail checked afresh against every rule, sharing no container with this one.

        A constructed mail is frozen, but its lists and dicts are plain Python containers, so
        code can still append to ``recipients`` or edit ``parameters``; ``model_copy(update=)``
        and ``model_construct`` skip validation too. Rather than make the containers
        immutable (tuples and read-only mappings would change what callers read and build),
        :meth:`MailClient.prepare <harness.mail.MailClient.prepare>` sends only the copy this
        returns, so every limit holds for what goes on the wire, whatever happened to the mail.

        Raises:
            MailValidationError: the mail, as it is now, breaks a rule (``MailLimitError`` for
                a limit).
        """
        return Mail.model_validate(self.model_dump(round_trip=True, warnings=False))

    def to_request(self) -> dict[str, Any]:
        """The JSON body for ``POST /mails``: camelCase keys, unset optional fields left out."""
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)

    def with_sender(self, address: str | None, name: str | None) -> Mail:
        """This mail with a default sender filled in where it has none."""
        update: dict[str, Any] = {}
        if self.sender_address is None and address is not None:
            update["sender_address"] = revalidate("senderAddress", check_sender, address)
        if self.sender_name is None and name is not None:
            update["sender_name"] = revalidate("senderName", check_sender_name, name)
        return self.model_copy(update=update) if update else self
