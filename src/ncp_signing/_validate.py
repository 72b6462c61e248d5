"""Argument checks shared by the signer: types, control characters, timestamps."""

from __future__ import annotations

import re

from ncp_signing.exc import (
    InvalidAccessKeyError,
    InvalidArgumentTypeError,
    InvalidInputError,
    InvalidMethodError,
    InvalidTimestampError,
)

# RFC 9110 section 5.6.2: a method is a token of these characters.
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
# C0 controls, DEL and C1 controls: none may reach a header or the string to sign.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_DIGITS = re.compile(r"[0-9]{1,19}")
_MAX_SHOWN = 60
_COMMON_METHODS = frozenset({"GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"})
_MAX_TIMESTAMP = 10**19


def shown(value: str) -> str:
    """Return ``repr(value)`` shortened, so a huge input never floods a message."""
    if len(value) <= _MAX_SHOWN:
        return repr(value)
    return repr(value[:_MAX_SHOWN]) + f"... ({len(value)} characters)"


def require_str(name: str, value: object) -> str:
    """Return ``value`` if it is a ``str``; otherwise raise naming its type (never its value)."""
    if isinstance(value, str):
        return value
    raise InvalidArgumentTypeError(f"{name} must be a str, not {type(value).__name__}.")


def check_method(method: object) -> str:
    """Return the method unchanged if it is a non-empty HTTP token."""
    # The type is checked first: a list or dict cannot be looked up in the set.
    if type(method) is str and method in _COMMON_METHODS:
        return method
    method = require_str("method", method)
    if not method:
        raise InvalidMethodError("The HTTP method is empty.")
    if _TOKEN.fullmatch(method) is None:
        raise InvalidMethodError(f"The HTTP method {shown(method)} is not an HTTP token.")
    return method


def check_access_key(access_key: object) -> str:
    """Return the access key unchanged if it has no control character."""
    access_key = require_str("access_key", access_key)
    match = _CONTROL.search(access_key) or _SURROGATE.search(access_key)
    if match is not None:
        what = "a lone surrogate" if _SURROGATE.match(match.group()) else "the control character"
        raise InvalidAccessKeyError(
            f"The access key {shown(access_key)} contains {what} "
            f"{match.group()!r} at index {match.start()}."
        )
    return access_key


def check_secret_key(secret_key: object, access_key: str = "") -> str:
    """Return the secret key if it is a ``str`` that encodes as UTF-8; never show it."""
    secret_key = require_str("secret_key", secret_key)
    if _SURROGATE.search(secret_key) is not None:
        # Checked without encoding: a UnicodeEncodeError would carry the secret in its chain.
        owner = f" for access key {access_key[:4]!r}…" if access_key else ""
        raise InvalidInputError(
            f"The secret key{owner} is not valid UTF-8 text (it has a lone surrogate)."
        )
    return secret_key


def timestamp_text(timestamp: object) -> str:
    """Return the decimal text of a millisecond timestamp given as ``int`` or digit string."""
    if type(timestamp) is int and 0 <= timestamp < _MAX_TIMESTAMP:
        return str(timestamp)
    if isinstance(timestamp, bool) or not isinstance(timestamp, (int, str)):
        raise InvalidArgumentTypeError(
            f"timestamp must be an int or a str of digits, not {type(timestamp).__name__}."
        )
    text = str(timestamp) if isinstance(timestamp, int) else timestamp
    if _DIGITS.fullmatch(text) is None:
        raise InvalidTimestampError(
            f"The timestamp {shown(text)} is not a non-negative integer of milliseconds "
            "(at most 19 digits)."
        )
    return text
