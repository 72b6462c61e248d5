"""The server side: check a received request the way the NCloud API Gateway does.

This module deliberately shares no code with the client's canonicalisation: it signs the
request target exactly as it arrived on the request line. Client and server are pinned by
the same vectors, so a bug in one cannot be mirrored by the other.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Protocol

from ncp_signing.exc import (
    InvalidArgumentTypeError,
    MissingAuthHeadersError,
    SignatureMismatchError,
    TimestampOutOfWindowError,
    UnknownAccessKeyError,
)

__all__ = ["WINDOW_MS", "VerifiedRequest", "verify"]

WINDOW_MS = 300_000
"""A timestamp 5 minutes (300 000 ms) or more away from the server clock is rejected."""

_SIGNATURE_HEADERS = ("x-ncp-apigw-signature-v2", "x-ncp-apigw-signature-v1")
_MAX_TIMESTAMP_DIGITS = 19
_SURROGATE = re.compile(r"[\ud800-\udfff]")


class HeaderItems(Protocol):
    """Anything with ``items()`` of name and value pairs (``email.message.Message`` too)."""

    def items(self) -> Iterable[tuple[str, str]]: ...


SecretLookup = Mapping[str, str] | Callable[[str], "str | None"]
Headers = Mapping[str, str] | HeaderItems | Iterable[tuple[str, str]]


@dataclass(frozen=True)
class VerifiedRequest:
    """What a successful :func:`verify` established about the request."""

    access_key: str
    timestamp: int
    skew_ms: int
    """Request timestamp minus server time: positive when the client clock is ahead."""
    signature_header: str


def verify(
    method: str,
    target: str,
    headers: Headers,
    secrets: SecretLookup,
    *,
    now_ms: int | None = None,
    window_ms: int = WINDOW_MS,
) -> VerifiedRequest:
    """Verify a received request's signature v2 headers; return what was verified or raise.

    ``target`` is the request target exactly as received on the request line (path and
    query, still percent-encoded). ``headers`` is a mapping, any object with ``items()``
    (``http.server``'s message, httpx or requests headers) or a list of pairs; names are
    matched case-insensitively, and each signing header must appear exactly once. The
    signature may come in ``x-ncp-apigw-signature-v2`` or, as the official Go, Python and JS
    SDKs send it, ``x-ncp-apigw-signature-v1``; when both are present, ``-v2`` is the one
    checked. ``secrets`` maps an access key to its secret.

    The timestamp must differ from ``now_ms`` (default: the system clock) by strictly less
    than ``window_ms``: exactly 5 minutes away is rejected, following the Korean
    documentation ("5분 이상"). Raises a :class:`~ncp_signing.exc.VerificationError` subclass,
    or :class:`~ncp_signing.exc.InvalidArgumentTypeError` when the server passes something other
    than ``str`` (an ASGI ``raw_path`` is ``bytes``: decode it first).
    """
    _require_str("method", method)
    _require_str("target", target)
    found = _auth_headers(headers)
    access_key, stamp, presented, header_name = found
    now = time.time_ns() // 1_000_000 if now_ms is None else now_ms
    message = f"{method} {target}\n{stamp}\n{access_key}"
    timestamp = _parse_timestamp(stamp, message)
    skew = timestamp - now
    if abs(skew) >= window_ms:
        raise TimestampOutOfWindowError(
            f"The timestamp {stamp} is {skew} ms from the server clock; "
            f"the window is under {window_ms} ms either way.",
            string_to_sign=message,
        )
    secret = secrets.get(access_key) if isinstance(secrets, Mapping) else secrets(access_key)
    if secret is None:
        raise UnknownAccessKeyError(
            f"The access key {access_key[:4]!r}… is not known.", string_to_sign=message
        )
    if not isinstance(secret, str):
        raise InvalidArgumentTypeError(
            f"The secret held for access key {access_key[:4]!r}… must be a str, "
            f"not {type(secret).__name__}."
        )
    if _SURROGATE.search(secret) is not None:
        # Checked without encoding: a UnicodeEncodeError would carry the secret in its chain.
        raise UnknownAccessKeyError(
            f"The secret held for access key {access_key[:4]!r}… is not valid UTF-8 text.",
            string_to_sign=message,
        )
    key = secret.encode()
    # Header values arrive as latin-1 or carry lone surrogates; they must still only mismatch.
    signed = message.encode("utf-8", "surrogatepass")
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest())
    if not hmac.compare_digest(expected, presented.encode("utf-8", "surrogatepass")):
        raise SignatureMismatchError(
            f"The signature for {method} {_short(target)} does not match.", string_to_sign=message
        )
    return VerifiedRequest(access_key, timestamp, skew, header_name)


def _auth_headers(headers: Headers) -> tuple[str, str, str, str]:
    """Pick the access key, timestamp and signature out of headers of any case."""
    wanted = {"x-ncp-iam-access-key", "x-ncp-apigw-timestamp", *_SIGNATURE_HEADERS}
    seen: dict[str, list[str]] = {}
    # Mappings, email.message.Message (http.server) and httpx/requests headers all have items().
    pairs = headers.items() if hasattr(headers, "items") else headers
    for name, value in pairs:
        lower = _require_str("header name", name).lower()
        if lower in wanted:
            seen.setdefault(lower, []).append(_require_str(f"header {lower}", value).strip(" \t"))
    header_name = next((h for h in _SIGNATURE_HEADERS if h in seen), _SIGNATURE_HEADERS[0])
    names = ("x-ncp-iam-access-key", "x-ncp-apigw-timestamp", header_name)
    values = [seen.get(name, []) for name in names]
    if any(len(v) != 1 or not v[0] for v in values):
        bad = [name for name, v in zip(names, values, strict=True) if len(v) != 1 or not v[0]]
        raise MissingAuthHeadersError(
            f"The request needs exactly one non-empty value of each of: {', '.join(bad)}."
        )
    return values[0][0], values[1][0], values[2][0], header_name


def _require_str(what: str, value: object) -> str:
    if not isinstance(value, str):
        raise InvalidArgumentTypeError(f"The {what} must be a str, not {type(value).__name__}.")
    return value


def _parse_timestamp(stamp: str, message: str) -> int:
    if not (stamp.isascii() and stamp.isdigit() and len(stamp) <= _MAX_TIMESTAMP_DIGITS):
        raise TimestampOutOfWindowError(
            f"The timestamp {_short(stamp)} is not a count of milliseconds.",
            string_to_sign=message,
        )
    return int(stamp)


def _short(text: str) -> str:
    return repr(text) if len(text) <= 60 else repr(text[:60]) + "..."
