"""Helpers for the fake server's tests: an independent reference signer and sample bodies."""

from __future__ import annotations

import base64
import hashlib
import hmac

ACCESS_KEY = "test-access-key"
SECRET_KEY = "test-secret-key"


def reference_signature(secret: str, method: str, target: str, stamp: str, access_key: str) -> str:
    """Signature v2 computed here from the published rule, independently of ``ncp_signing``."""
    message = method + " " + target + "\n" + stamp + "\n" + access_key
    digest = hmac.new(secret.encode("utf-8"), message.encode("utf-8"), hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def hand_headers(
    method: str,
    target: str,
    stamp: int | str,
    *,
    access_key: str = ACCESS_KEY,
    secret: str = SECRET_KEY,
    signed_stamp: int | str | None = None,
    signed_target: str | None = None,
) -> dict[str, str]:
    """The three signing headers built by hand (optionally signing something else)."""
    signed = str(stamp if signed_stamp is None else signed_stamp)
    signature = reference_signature(secret, method, signed_target or target, signed, access_key)
    return {
        "x-ncp-apigw-timestamp": str(stamp),
        "x-ncp-iam-access-key": access_key,
        "x-ncp-apigw-signature-v2": signature,
    }


MINIMAL_MAIL = {
    "senderAddress": "sender@example.com",
    "title": "Hello",
    "body": "Body",
    "recipients": [{"address": "to@example.com", "type": "R"}],
}
