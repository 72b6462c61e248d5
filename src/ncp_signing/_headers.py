"""Header names the adapters own: these are replaced, never duplicated, on every signing."""

from __future__ import annotations

from collections.abc import MutableMapping

from ncp_signing._signer import (
    ACCESS_KEY_HEADER,
    SIGNATURE_HEADER,
    SIGNATURE_V1_HEADER,
    TIMESTAMP_HEADER,
)

OWNED_HEADERS = frozenset(
    {TIMESTAMP_HEADER, ACCESS_KEY_HEADER, SIGNATURE_HEADER, SIGNATURE_V1_HEADER}
)


def drop_owned_headers(headers: MutableMapping[str, str]) -> None:
    """Remove every signing header, whatever the case of its name."""
    for name in [n for n in headers if n.lower() in OWNED_HEADERS]:
        del headers[name]
