"""The exceptions of ``ncp_signing``: one root, one branch for bad input, one for rejected requests.

Every message is one sentence that names the offending value, and never a secret key.
"""

from __future__ import annotations

__all__ = [
    "InvalidAccessKeyError",
    "InvalidArgumentTypeError",
    "InvalidInputError",
    "InvalidMethodError",
    "InvalidTargetError",
    "InvalidTimestampError",
    "MissingAuthHeadersError",
    "NcpSigningError",
    "SignatureMismatchError",
    "TimestampOutOfWindowError",
    "UnknownAccessKeyError",
    "VerificationError",
]


class NcpSigningError(Exception):
    """Root of every exception this package raises."""


class InvalidInputError(NcpSigningError, ValueError):
    """An argument cannot be signed: nothing was signed and nothing was sent."""


class InvalidArgumentTypeError(NcpSigningError, TypeError):
    """An argument has the wrong type (for example ``bytes`` where ``str`` is needed)."""


class InvalidMethodError(InvalidInputError):
    """The HTTP method is empty or not an HTTP token."""


class InvalidTargetError(InvalidInputError):
    """The URL or request target has a control character, a bad ``%`` escape or no usable path."""


class InvalidTimestampError(InvalidInputError):
    """The timestamp is not a non-negative integer count of milliseconds."""


class InvalidAccessKeyError(InvalidInputError):
    """The access key contains a control character (it would allow header injection)."""


class VerificationError(NcpSigningError):
    """A received request failed verification.

    ``http_status``, ``error_code`` and ``details`` are what the NCloud API Gateway answers in
    this case (see its error table in the error-code reference), so a server maps any of these
    errors to a response in one line.
    ``check`` names the check that failed, for logs and debugging; it never holds a secret.
    """

    http_status = 401
    error_code = "200"
    message = "Authentication Failed"
    details = "Invalid authentication information."
    check = "signature"

    def __init__(self, text: str, *, string_to_sign: str | None = None) -> None:
        super().__init__(text)
        self.string_to_sign = string_to_sign


class MissingAuthHeadersError(VerificationError):
    """A required ``x-ncp-*`` header is absent or empty."""

    details = "Authentication information are missing."
    check = "headers"


class UnknownAccessKeyError(VerificationError):
    """No secret is known for the access key the request carries."""

    check = "access_key"


class TimestampOutOfWindowError(VerificationError):
    """The timestamp is malformed or differs from the server clock by 5 minutes or more."""

    check = "timestamp"


class SignatureMismatchError(VerificationError):
    """The signature is not the one the server computes for the request as received."""

    check = "signature"
