"""The per-field rules of a createMailRequest body, and the documented limits they enforce.

Each check takes one value and returns it unchanged or raises: ``ValueError`` for a broken
rule, or a pydantic error of type :data:`LIMIT_ERROR` (made by :func:`limit_error`) for a
broken limit, which :func:`~harness.mail._request_model.validation_error` turns into
:class:`~harness.mail.MailLimitError`. Addresses, header-bound text (no control characters),
byte lengths, substitution parameters, the reservation time and the references header are
checked here; the models in :mod:`harness.mail._models` apply them field by field.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable
from datetime import datetime
from typing import Any

from pydantic_core import PydanticCustomError

from harness.mail._errors import MailLimitError, MailValidationError

__all__ = [
    "LIMITS",
    "LIMIT_ERROR",
    "check_address",
    "check_parameters",
    "check_references",
    "check_reservation_text",
    "check_sender",
    "check_sender_name",
    "limit_error",
    "max_bytes",
    "no_controls",
    "revalidate",
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

LIMIT_ERROR = "mail_limit"
"""The pydantic error type of a broken limit; its context holds ``limit`` and ``field``."""

_LOCAL = r"[^@\s\x00-\x1f\x7f-\x9f\"<>(),;:\\\[\]]{1,64}"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_ADDRESS = re.compile(rf"{_LOCAL}@{_LABEL}(?:\.{_LABEL})+")
_REFERENCES = re.compile(r"<[^<>\s\x00-\x1f\x7f-\x9f]+@[^<>\s\x00-\x1f\x7f-\x9f]+>")
_RESERVATION_FORMAT = "%Y-%m-%d %H:%M"
_RESERVATION_SHAPE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}")
"""``strptime`` alone also takes ``2030-1-1 1:0``, doubled spaces and non-ASCII digits."""
_FORBIDDEN_SENDER_DOMAINS = frozenset({"naver.com", "navercorp.com"})


def limit_error(problem: str, limit: int, field: str = "") -> PydanticCustomError:
    """A broken limit, raised inside a validator; ``field`` names it when the path cannot."""
    return PydanticCustomError(LIMIT_ERROR, problem, {"limit": limit, "field": field})


def check_address(value: str) -> str:
    """Return ``value`` if it is an e-mail address the mailer takes, else raise ``ValueError``."""
    if len(value) > 254 or not _ADDRESS.fullmatch(value):
        raise ValueError(f"{value[:80]!r} is not an e-mail address")
    return value


def check_sender(value: str) -> str:
    """Return ``value`` if it can be a sender address, else raise ``ValueError``."""
    check_address(value)
    domain = value.rsplit("@", 1)[1].lower()
    if domain in _FORBIDDEN_SENDER_DOMAINS:
        raise ValueError(f"the domain {domain} cannot be used to send mail")
    return value


def check_parameters(value: Any) -> Any:
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


def no_controls(value: str | None) -> str | None:
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


def max_bytes(value: str | None, limit: int) -> str | None:
    """``value`` unless its UTF-8 encoding is longer than ``limit`` bytes."""
    if value is not None and len(value.encode("utf-8")) > limit:
        raise limit_error(f"is longer than {limit} bytes (UTF-8)", limit)
    return value


def check_reservation_text(value: str | None) -> str | None:
    """``value`` unless it is not a ``yyyy-MM-dd HH:mm`` time (ASCII digits, one space)."""
    if value is not None:
        try:
            if not _RESERVATION_SHAPE.fullmatch(value):
                raise ValueError(value)
            datetime.strptime(value, _RESERVATION_FORMAT)
        except ValueError:
            raise ValueError(f"{value[:40]!r} is not in the form yyyy-MM-dd HH:mm") from None
    return value


def check_references(value: str | None) -> str | None:
    """``value`` unless it is not a ``<unique-id@domain>`` message reference."""
    if value is not None and not _REFERENCES.fullmatch(value):
        raise ValueError("must look like <unique-id@domain>")
    return value


def check_sender_name(value: str) -> str:
    """A default sender name, checked outside a model: raises :class:`MailLimitError`."""
    no_controls(value)
    limit = LIMITS["sender_name_bytes"]
    if len(value.encode("utf-8")) > limit:
        raise MailLimitError("senderName", f"is longer than {limit} bytes (UTF-8)", limit=limit)
    return value


def revalidate(field: str, check: Callable[[str], Any], value: str) -> str:
    """Apply ``check`` outside a model, a ``ValueError`` becoming :class:`MailValidationError`."""
    try:
        return str(check(value))
    except MailValidationError:
        raise
    except ValueError as error:
        raise MailValidationError(field, str(error)) from None
