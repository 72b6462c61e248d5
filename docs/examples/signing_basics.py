"""Sign one request by hand and look at exactly what was signed."""

from __future__ import annotations

from ncp_signing import Credentials, Signer, canonical_uri, sign, string_to_sign

URL = "https://mail.apigw.ntruss.com/api/v1/mails/requests?startDateTime=2024-01-01%2000:00#top"


def signed_headers(credentials: Credentials) -> dict[str, str]:
    """The three headers to send with a GET of URL, stamped now."""
    return Signer(credentials).headers("GET", URL)


def explain(credentials: Credentials, timestamp: int) -> tuple[str, str, str]:
    """The target, the string to sign and the signature, for a fixed timestamp."""
    target = canonical_uri(URL)  # scheme, host and fragment dropped
    message = string_to_sign("GET", URL, timestamp, credentials.access_key)
    signature = sign("GET", URL, timestamp, credentials.access_key, credentials.secret_key)
    return target, message, signature
