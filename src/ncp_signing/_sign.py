"""The signature v2 rule: the string to sign and its HMAC-SHA256, Base64-encoded."""

from __future__ import annotations

import base64
import hashlib
import hmac

from ncp_signing._canonical import canonical_uri
from ncp_signing._validate import (
    check_access_key,
    check_method,
    check_secret_key,
    timestamp_text,
)

__all__ = ["sign", "string_to_sign"]


def string_to_sign(method: str, uri: str, timestamp: int | str, access_key: str) -> str:
    """Return ``METHOD + " " + canonical_uri(uri) + "\\n" + timestamp + "\\n" + access_key``.

    The method is signed exactly as given, as the official SDKs do: ``get`` and ``GET`` give
    different signatures, so pass the method as it goes on the wire (HTTP methods are
    case-sensitive; requests and httpx send them upper-cased).
    """
    method = check_method(method)
    target = canonical_uri(uri)
    stamp = timestamp_text(timestamp)
    access_key = check_access_key(access_key)
    return f"{method} {target}\n{stamp}\n{access_key}"


def sign(method: str, uri: str, timestamp: int | str, access_key: str, secret_key: str) -> str:
    """Return the signature v2 of a request: 44 characters of standard Base64.

    The HMAC-SHA256 key is the UTF-8 encoding of ``secret_key``. ``timestamp`` is epoch
    milliseconds, as an ``int`` or a decimal string, and must equal the
    ``x-ncp-apigw-timestamp`` header sent with the request.
    """
    message = string_to_sign(method, uri, timestamp, access_key)
    key = check_secret_key(secret_key, access_key).encode()
    digest = hmac.new(key, message.encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")
