"""Sign every call of a requests session."""

from __future__ import annotations

import requests

from ncp_signing import Credentials, NcpAuth


def request_status(base_url: str, credentials: Credentials, request_id: str) -> requests.Response:
    """GET the status of one mail request, signed, without following redirects."""
    with requests.Session() as session:
        session.auth = NcpAuth(credentials)  # a fresh timestamp on every call
        return session.get(
            f"{base_url}/api/v1/mails/requests/{request_id}/status",
            timeout=(3.05, 10),
            allow_redirects=False,
        )
