"""The createMailRequest body as typed models, with every documented limit checked locally.

A :class:`Mail` that constructs is a body the mailer accepts: exact field types (``True`` is
no template number, ``"yes"`` no boolean), the conditional fields (sender, title and body
unless a template is used; recipients or a group filter), no control characters in what
becomes a header (the title, the names, the addresses, the references), the size limits
(100 000 recipients, 30 CC, 30 BCC, a 500 KB body, a 500-byte title, a 69-byte sender
name, 5 groups) and the advertising rule. A broken rule raises
:class:`~harness.mail.MailValidationError` (or :class:`~harness.mail.MailLimitError`) naming
the field by its JSON path, before anything touches the network.
"""

from __future__ import annotations

import math
import re
import unicodedata
from contextvars import ContextVar
from datetime import datetime
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictFloat,
    StrictInt,
    StrictStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic.alias_generators import to_camel
from pydantic_core import PydanticCustomError
from typing_extensions import Self

from harness.mail._errors import MailLimitError, MailValidationError

__all__ = [
    "LIMITS",
    "Mail",
    "ParameterValue",
    "Recipient",
    "RecipientGroupFilter",
    "RecipientType",
    "check_address",
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
    "file_bytes": 10 * 1024 * 1024,
}
"""The documented per-request limits of createMailRequest (and of one uploaded file)."""

RecipientType = Literal["R", "C", "B"]
"""``R`` to, ``C`` cc, ``B`` bcc."""
ParameterValue = StrictStr | StrictInt | StrictFloat
"""A substitution value for ``${key}`` in the title and body."""

_LOCAL = r"[^@\s\x00-\x1f\x7f-\x9f\"<>(),;:\\\[\]]{1,64}"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_ADDRESS = re.compile(rf"{_LOCAL}@{_LABEL}(?:\.{_LABEL})+")
_REFERENCES = re.compile(r"<[^<>\s\x00-\x1f\x7f-\x9f]+@[^<>\s\x00-\x1f\x7f-\x9f]+>")
_RESERVATION_FORMAT = "%Y-%m-%d %H:%M"
_RESERVATION_SHAPE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}")
"""``strptime`` alone also takes ``2030-1-1 1:0``, doubled spaces and non-ASCII digits."""
_FORBIDDEN_SENDER_DOMAINS = frozenset({"naver.com", "navercorp.com"})
_LIMIT = "mail_limit"
_VALIDATING: ContextVar[bool] = ContextVar("mail_model_validating", default=False)


def check_address(value: str) -> str:
    """Return ``value`` if it is an e-mail address the mailer takes, else raise ``ValueError``."""
    if len(value) > 254 or not _ADDRESS.fullmatch(value):
        raise ValueError(f"{value[:80]!r} is not an e-mail address")
    return value


def _parameters(value: Any) -> Any:
    """One clear error per bad parameter value, instead of one per member of the union."""
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, bool) or not isinstance(item, str | int | float):
                raise PydanticCustomError(
                    "parameter_type", "must be a string or a number", {"key": str(key)}
                )
            if isinstance(item, float) and not math.isfinite(item):
                # JSON has no NaN or Infinity: the body would not be valid JSON.
                raise PydanticCustomError(
                    "parameter_value",
                    "must be a finite number, not {value}",
                    {"key": str(key), "value": str(item)},
                )
    return value


def _limit(problem: str, limit: int, field: str = "") -> PydanticCustomError:
    return PydanticCustomError(_LIMIT, problem, {"limit": limit, "field": field})


def _no_controls(value: str | None) -> str | None:
    """``value`` unless it holds a control character: these fields become mail headers.

    A line break in a title or a display name could end the header and start another;
    other control characters (NUL, ESC, C1) have no place in a header either.
    """
    if value is not None:
        for index, char in enumerate(value):
            if unicodedata.category(char) == "Cc":
                raise ValueError(
                    f"must not contain control characters such as line breaks "
                    f"(U+{ord(char):04X} at index {index})"
                )
    return value


def _max_bytes(value: str | None, limit: int) -> str | None:
    if value is not None and len(value.encode("utf-8")) > limit:
        raise _limit(f"is longer than {limit} bytes (UTF-8)", limit)
    return value


class _RequestModel(BaseModel):
    """Frozen, strict about unknown fields, camelCase on the wire, typed errors on failure."""

    model_config = ConfigDict(
        frozen=True, extra="forbid", populate_by_name=True, alias_generator=to_camel
    )

    def __init__(self, /, **data: Any) -> None:
        if _VALIDATING.get():
            # A nested model: let pydantic merge the error into the outer one, with its path.
            super().__init__(**data)
            return
        token = _VALIDATING.set(True)
        try:
            super().__init__(**data)
        except ValidationError as error:
            raise validation_error(error) from None
        finally:
            _VALIDATING.reset(token)

    @classmethod
    def model_validate(cls, obj: Any, **options: Any) -> Self:
        """Validate ``obj`` (camelCase or snake_case keys), raising our typed errors."""
        token = _VALIDATING.set(True)  # nested models report their errors with their paths
        try:
            return super().model_validate(obj, **options)
        except ValidationError as error:
            raise validation_error(error) from None
        finally:
            _VALIDATING.reset(token)


def validation_error(error: ValidationError) -> MailValidationError:
    """Turn pydantic's error into ours, naming fields by JSON path and never echoing input."""
    problems: list[tuple[str, str]] = []
    limit: int | None = None
    for item in error.errors(include_url=False, include_input=False):
        context = item.get("ctx") or {}
        field = _json_path(item["loc"]) or str(context.get("field") or "mail")
        if context.get("key") is not None:
            field += f".{context['key']}"
        message = str(item["msg"]).removeprefix("Value error, ")
        problems.append((field, message))
        if item["type"] == _LIMIT and limit is None and len(problems) == 1:
            limit = int(context["limit"])
    field, message = problems[0]
    if limit is not None:
        return MailLimitError(field, message, problems, limit=limit)
    return MailValidationError(field, message, problems)


def _json_path(loc: tuple[int | str, ...]) -> str:
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
            continue
        name = to_camel(part) if part in _FIELD_NAMES else part
        path += f".{name}" if path else name
    return path


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
        return _parameters(value)

    @field_validator("address")
    @classmethod
    def _address(cls, value: str) -> str:
        return check_address(value)

    @field_validator("name")
    @classmethod
    def _name(cls, value: str | None) -> str | None:
        limit = LIMITS["recipient_name_chars"]
        _no_controls(value)
        if value is not None and len(value) > limit:
            raise _limit(f"is longer than {limit} characters", limit)
        return value


class RecipientGroupFilter(_RequestModel):
    """Send to address-book groups: all of them (``and_filter``) or any of them (at most 5)."""

    and_filter: StrictBool
    groups: list[str] = Field(min_length=1)

    @field_validator("groups")
    @classmethod
    def _groups(cls, value: list[str]) -> list[str]:
        if len(value) > LIMITS["groups"]:
            raise _limit(f"has more than {LIMITS['groups']} groups", LIMITS["groups"])
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
        return _parameters(value)

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
        return _max_bytes(_no_controls(value), LIMITS["sender_name_bytes"])

    @field_validator("title")
    @classmethod
    def _title(cls, value: str | None) -> str | None:
        return _max_bytes(_no_controls(value), LIMITS["title_bytes"])

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
            raise _limit(f"has more than {limit} recipients", limit)
        for kind, key, label in (("C", "cc", "CC"), ("B", "bcc", "BCC")):
            if sum(1 for r in value if r.type == kind) > LIMITS[key]:
                raise _limit(f"has more than {LIMITS[key]} {label} recipients", LIMITS[key])
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
        if value is not None:
            try:
                if not _RESERVATION_SHAPE.fullmatch(value):
                    raise ValueError(value)
                datetime.strptime(value, _RESERVATION_FORMAT)
            except ValueError:
                raise ValueError(f"{value[:40]!r} is not in the form yyyy-MM-dd HH:mm") from None
        return value

    @field_validator("references_header")
    @classmethod
    def _references(cls, value: str | None) -> str | None:
        if value is not None and not _REFERENCES.fullmatch(value):
            raise ValueError("must look like <unique-id@domain>")
        return value

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
            raise _limit(
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
            update["sender_address"] = _revalidate("senderAddress", check_sender, address)
        if self.sender_name is None and name is not None:
            update["sender_name"] = _revalidate("senderName", _sender_name_check, name)
        return self.model_copy(update=update) if update else self


_FIELD_NAMES = frozenset(
    name for model in (Mail, Recipient, RecipientGroupFilter) for name in model.model_fields
)


def check_sender(value: str) -> str:
    """Return ``value`` if it can be a sender address, else raise ``ValueError``."""
    check_address(value)
    domain = value.rsplit("@", 1)[1].lower()
    if domain in _FORBIDDEN_SENDER_DOMAINS:
        raise ValueError(f"the domain {domain} cannot be used to send mail")
    return value


def _sender_name_check(value: str) -> str:
    _no_controls(value)
    limit = LIMITS["sender_name_bytes"]
    if len(value.encode("utf-8")) > limit:
        raise MailLimitError("senderName", f"is longer than {limit} bytes (UTF-8)", limit=limit)
    return value


def _revalidate(field: str, check: Any, value: str) -> str:
    try:
        return str(check(value))
    except MailValidationError:
        raise
    except ValueError as error:
        raise MailValidationError(field, str(error)) from None
