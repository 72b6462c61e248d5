"""NCloud API Gateway signature v2: sign requests, and verify them on the server side.

The core uses the standard library only::

    from ncp_signing import Credentials, Signer

    signer = Signer(Credentials("ACCESS_KEY", "SECRET_KEY"))
    headers = signer.headers("GET", "https://mail.apigw.ntruss.com/api/v1/mails/requests/1/status")

Adapters: :class:`ncp_signing.requests_auth.NcpAuth` for requests (also exported here) and
:class:`ncp_signing.httpx_auth.NcpHttpxAuth` for httpx (the ``httpx`` extra).
"""

from typing import TYPE_CHECKING, Any

from ncp_signing._canonical import canonical_uri
from ncp_signing._sign import sign, string_to_sign
from ncp_signing._signer import (
    ACCESS_KEY_HEADER,
    SIGNATURE_HEADER,
    SIGNATURE_V1_HEADER,
    TIMESTAMP_HEADER,
    Credentials,
    Signer,
    epoch_millis,
)
from ncp_signing._verify import WINDOW_MS, VerifiedRequest, verify
from ncp_signing.exc import (
    InvalidAccessKeyError,
    InvalidArgumentTypeError,
    InvalidInputError,
    InvalidMethodError,
    InvalidTargetError,
    InvalidTimestampError,
    MissingAuthHeadersError,
    NcpSigningError,
    SignatureMismatchError,
    TimestampOutOfWindowError,
    UnknownAccessKeyError,
    VerificationError,
)

if TYPE_CHECKING:
    from ncp_signing.requests_auth import NcpAuth


def __getattr__(name: str) -> Any:
    # The requests adapter is imported on first use, so the core needs only the standard library.
    if name == "NcpAuth":
        from ncp_signing.requests_auth import NcpAuth

        return NcpAuth
    raise AttributeError(f"module 'ncp_signing' has no attribute {name!r}")


__all__ = [
    "ACCESS_KEY_HEADER",
    "SIGNATURE_HEADER",
    "SIGNATURE_V1_HEADER",
    "TIMESTAMP_HEADER",
    "WINDOW_MS",
    "Credentials",
    "InvalidAccessKeyError",
    "InvalidArgumentTypeError",
    "InvalidInputError",
    "InvalidMethodError",
    "InvalidTargetError",
    "InvalidTimestampError",
    "MissingAuthHeadersError",
    "NcpAuth",
    "NcpSigningError",
    "SignatureMismatchError",
    "Signer",
    "TimestampOutOfWindowError",
    "UnknownAccessKeyError",
    "VerificationError",
    "VerifiedRequest",
    "canonical_uri",
    "epoch_millis",
    "sign",
    "string_to_sign",
    "verify",
]
