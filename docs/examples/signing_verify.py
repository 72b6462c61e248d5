"""Check a received request on the server side and answer like the API Gateway."""

from __future__ import annotations

from collections.abc import Mapping

from ncp_signing import VerificationError, verify

KNOWN_SECRETS = {"EXAMPLE-ACCESS-KEY": "example-secret-key"}


def authenticate(
    method: str, raw_target: str, headers: Mapping[str, str]
) -> tuple[int, dict[str, object]]:
    """Return (status, body): 200 and the caller's key, or the gateway's 401 body."""
    try:
        verified = verify(method, raw_target, headers, KNOWN_SECRETS)
    except VerificationError as error:
        body: dict[str, object] = {
            "error": {
                "errorCode": error.error_code,
                "message": error.message,
                "details": error.details,
            }
        }
        return error.http_status, body
    return 200, {"accessKey": verified.access_key, "skewMs": verified.skew_ms}
