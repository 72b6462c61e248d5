"""Scrubbing of error messages: no secret, and no quoted value when a secret may be unknown."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

from pydantic import ValidationError

from ncp_config._redact import REDACTED, secret_forms
from ncp_config._settings import NcpSettings
from ncp_config._sources import PAIR

__all__ = ["scrub_errors", "scrub_text", "scrubbed_error"]

# Inputs of these fields may appear in messages; the two keys never do.
_SHOWN_FIELDS = frozenset(NcpSettings.model_fields) - set(PAIR)
# Error types whose input is not one value the user typed (or is an unknown key's value).
_NO_VALUE_TYPES = frozenset({"missing", "extra_forbidden", "value_error"})
# A value this long that is part of a secret is hidden too; shorter ones are ordinary words.
_MIN_HIDDEN = 6
_MAX_SHOWN = 60
# A value quoted as repr() quotes it, with either quote and any escapes.
_QUOTED = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"")
_Error = TypeVar("_Error", bound=BaseException)


def scrub_text(text: str, secrets: Sequence[str], *, hide_quoted: bool = False) -> str:
    """Return ``text`` with every form of every secret replaced.

    With ``hide_quoted`` (a source could not be searched, so a secret may be unknown), every
    quoted value is replaced as well, whatever it is.
    """
    return _scrub_forms(text, _forms(secrets), hide_quoted=hide_quoted)


def _forms(secrets: Sequence[str]) -> list[str]:
    """Every form of every secret, longest first, so that no shorter one splits a longer one."""
    return sorted(
        {form for secret in secrets if secret for form in secret_forms(secret)},
        key=len,
        reverse=True,
    )


def _scrub_forms(text: str, forms: Sequence[str], *, hide_quoted: bool) -> str:
    for form in forms:
        text = text.replace(form, REDACTED)
    if hide_quoted:
        text = _QUOTED.sub(f"'{REDACTED}'", text)
    return text


def scrubbed_error(error: _Error, secrets: Sequence[str], *, hide_quoted: bool = False) -> _Error:
    """Return ``error`` itself if its message is clean, else a copy with a scrubbed message.

    The copy has the same class and attributes but no traceback, cause or context, so that
    raising it ``from None`` outside the handler links it to nothing holding a secret.
    """
    text = str(error)
    clean = scrub_text(text, secrets, hide_quoted=hide_quoted)
    if clean == text:
        return error
    copy = type(error).__new__(type(error))
    copy.__dict__.update(error.__dict__)
    copy.args = (clean,)
    return copy


def scrub_errors(
    error: ValidationError,
    origins: Mapping[str, str],
    secrets: Sequence[str],
    inputs: Mapping[str, Any] | None = None,
) -> list[dict[str, Any]]:
    """Keep only the location, type, message and source of each error, minus any secret.

    pydantic's own messages ("Input should be ...") get the offending input from ``inputs``
    appended, for a field that is not a credential and a value that holds no known secret.
    ``inputs=None`` means a secret may be unknown: then no input is appended and every value
    a validator quoted in its message is hidden too.
    """
    forms = _forms(secrets)
    scrubbed = []
    for item in error.errors(include_url=False, include_input=False, include_context=False):
        message = str(item["msg"]).removeprefix("Value error, ")
        field = str(item["loc"][0]) if item["loc"] else ""
        if (
            item["type"] not in _NO_VALUE_TYPES
            and len(item["loc"]) == 1
            and field in _SHOWN_FIELDS
            and inputs is not None
            and field in inputs
        ):
            shown = _shown_value(inputs[field], secrets)
            if shown is not None:
                message = f"{message} (got {shown})"
        scrubbed.append(
            {
                "loc": list(item["loc"]),
                "type": item["type"],
                "msg": _scrub_forms(
                    message,
                    forms,
                    # Only this package's validators quote a value; pydantic quotes choices.
                    hide_quoted=inputs is None and item["type"] == "value_error",
                ),
                "source": origins.get(field, "default" if field else "the combined settings"),
            }
        )
    return scrubbed


def _shown_value(value: Any, secrets: Sequence[str]) -> str | None:
    """Return the ``repr`` of a plain input value fit for a message, or ``None`` to hide it."""
    if value is None or not isinstance(value, (str, int, float)):
        return None
    text = str(value)
    for secret in secrets:
        if secret and (secret in text or (len(text) >= _MIN_HIDDEN and text in secret)):
            return None
    shown = repr(value)
    return shown if len(shown) <= _MAX_SHOWN else shown[: _MAX_SHOWN - 4] + "...'"
