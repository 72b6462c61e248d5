"""Credentials and the signer that turns them into the three ``x-ncp-*`` headers."""

from __future__ import annotations

import hashlib
import time
from binascii import b2a_base64
from collections.abc import Callable
from dataclasses import dataclass

from ncp_signing._canonical import canonical_uri, check_wire_target
from ncp_signing._validate import (
    check_access_key,
    check_method,
    check_secret_key,
    timestamp_text,
)
from ncp_signing.exc import InvalidArgumentTypeError, InvalidInputError

__all__ = [
    "ACCESS_KEY_HEADER",
    "SIGNATURE_HEADER",
    "SIGNATURE_V1_HEADER",
    "TIMESTAMP_HEADER",
    "Credentials",
    "Signer",
    "epoch_millis",
]

TIMESTAMP_HEADER = "x-ncp-apigw-timestamp"
ACCESS_KEY_HEADER = "x-ncp-iam-access-key"
SIGNATURE_HEADER = "x-ncp-apigw-signature-v2"
SIGNATURE_V1_HEADER = "x-ncp-apigw-signature-v1"


def epoch_millis() -> int:
    """Return the current time in whole milliseconds since the Unix epoch."""
    return time.time_ns() // 1_000_000


@dataclass(frozen=True, repr=False)
class Credentials:
    """An NCloud access key and its secret key; neither ``repr`` nor ``str`` shows the secret."""

    access_key: str
    secret_key: str

    def __post_init__(self) -> None:
        check_access_key(self.access_key)
        check_secret_key(self.secret_key, self.access_key)
        if not self.access_key:
            raise InvalidInputError("The access key is empty.")
        if self.access_key != self.access_key.strip(" "):
            # HTTP trims spaces around header values, so such a key could never verify.
            raise InvalidInputError(
                f"The access key {_prefix(self.access_key)} starts or ends with a space."
            )
        if not self.secret_key:
            raise InvalidInputError(
                f"The secret key for access key {_prefix(self.access_key)} is empty."
            )

    def __repr__(self) -> str:
        return f"Credentials(access_key={_prefix(self.access_key)}, secret_key='********')"

    __str__ = __repr__


def _prefix(access_key: str) -> str:
    """Show only the first four characters of an access key."""
    return repr(access_key[:4] + "…") if len(access_key) > 4 else repr("…")


class Signer:
    """Sign requests for one set of credentials with a fresh timestamp on every call.

    The keyed HMAC state is computed once and copied per call, so signing costs little more
    than hashing the message. ``clock`` returns epoch milliseconds; inject one in tests, or
    to correct a known clock skew.
    """

    __slots__ = ("_access_key", "_clock", "_inner", "_outer", "_signature_header", "credentials")

    def __init__(
        self,
        credentials: Credentials,
        *,
        clock: Callable[[], int] = epoch_millis,
        signature_header: str = SIGNATURE_HEADER,
    ) -> None:
        if not isinstance(credentials, Credentials):
            raise InvalidArgumentTypeError(
                f"credentials must be Credentials, not {type(credentials).__name__}."
            )
        if signature_header not in (SIGNATURE_HEADER, SIGNATURE_V1_HEADER):
            raise InvalidInputError(
                f"The signature header {signature_header!r} is neither "
                f"{SIGNATURE_HEADER!r} nor {SIGNATURE_V1_HEADER!r}."
            )
        self.credentials = credentials
        self._access_key = credentials.access_key
        self._clock = clock
        self._signature_header = signature_header
        self._inner, self._outer = _keyed_hashes(credentials.secret_key.encode())

    def __repr__(self) -> str:
        return f"Signer({self.credentials!r})"

    def signature(self, method: str, url: str, timestamp: int | str) -> str:
        """Return the signature of ``method`` and ``url`` at ``timestamp`` (epoch ms)."""
        return self._signature(check_method(method), canonical_uri(url), timestamp_text(timestamp))

    def headers(self, method: str, url: str) -> dict[str, str]:
        """Return the three ``x-ncp-*`` headers for a request to ``url`` sent now.

        ``url`` is a full URL or a target; it is signed as :func:`canonical_uri` gives it, the
        official Go SDK's rule. One timestamp is read per call and used both in the header
        and in the signature.
        """
        return self._headers(check_method(method), canonical_uri(url))

    def wire_headers(self, method: str, target: str) -> dict[str, str]:
        """Return the headers for a request target signed exactly as it goes on the wire.

        HTTP adapters call this with the target their client will send (``path_url`` in
        requests, ``url.raw_path`` in httpx): clients escape paths differently from the Go
        SDK (httpx keeps a raw backslash, for one), and the gateway checks the bytes it gets.
        """
        return self._headers(check_method(method), check_wire_target(target))

    def _headers(self, method: str, target: str) -> dict[str, str]:
        now = self._clock()
        stamp = str(now) if type(now) is int and 0 <= now < _MAX_TIMESTAMP else timestamp_text(now)
        return {
            TIMESTAMP_HEADER: stamp,
            ACCESS_KEY_HEADER: self._access_key,
            self._signature_header: self._signature(method, target, stamp),
        }

    def _signature(self, method: str, target: str, stamp: str) -> str:
        inner = self._inner.copy()
        inner.update(f"{method} {target}\n{stamp}\n{self._access_key}".encode())
        outer = self._outer.copy()
        outer.update(inner.digest())
        return b2a_base64(outer.digest(), newline=False).decode()


def _keyed_hashes(key: bytes) -> tuple[hashlib._Hash, hashlib._Hash]:
    """Return SHA-256 states already fed the HMAC inner and outer padded keys (RFC 2104).

    Copying these two states per message gives exactly ``hmac.new(key, message, sha256)``
    (the vectors, long, 64-byte and empty keys included, pin it) without re-keying each time.
    """
    if len(key) > _BLOCK_SIZE:
        key = hashlib.sha256(key).digest()
    key = key.ljust(_BLOCK_SIZE, b"\0")
    inner = hashlib.sha256(key.translate(_IPAD))
    outer = hashlib.sha256(key.translate(_OPAD))
    return inner, outer


_MAX_TIMESTAMP = 10**19
_BLOCK_SIZE = 64
_IPAD = bytes(b ^ 0x36 for b in range(256))
_OPAD = bytes(b ^ 0x5C for b in range(256))
