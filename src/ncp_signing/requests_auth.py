"""Sign requests made with the ``requests`` library: ``session.auth = NcpAuth(credentials)``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests
from requests.auth import AuthBase

from ncp_signing._headers import drop_owned_headers
from ncp_signing._signer import Credentials, Signer, epoch_millis

__all__ = ["NcpAuth"]


class NcpAuth(AuthBase):
    """A ``requests`` auth that signs each prepared request's own target (``path_url``).

    Every call reads a fresh timestamp, so a retried or re-sent request is signed anew.
    Existing ``x-ncp-*`` signing headers are replaced, never duplicated. When a response
    redirects to another origin (scheme, host or port), the signing headers are removed
    before ``requests`` copies the request for the next hop, so they never travel there.
    """

    def __init__(
        self,
        credentials: Credentials | Signer,
        *,
        clock: Callable[[], int] = epoch_millis,
    ) -> None:
        self.signer = (
            credentials if isinstance(credentials, Signer) else Signer(credentials, clock=clock)
        )

    def __repr__(self) -> str:
        return f"NcpAuth({self.signer.credentials!r})"

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        drop_owned_headers(request.headers)
        method = request.method or "GET"
        request.headers.update(self.signer.wire_headers(method, request.path_url))
        hooks = request.hooks.setdefault("response", [])
        if _strip_on_cross_origin_redirect not in hooks:
            hooks.append(_strip_on_cross_origin_redirect)
        return request


def _strip_on_cross_origin_redirect(response: requests.Response, **_: Any) -> requests.Response:
    """Keep the signing headers of a redirected request from reaching another origin."""
    location = response.headers.get("location")
    request = response.request
    if response.is_redirect and location and request.url is not None:
        target = urljoin(request.url, location)
        if _origin(target) != _origin(request.url):
            drop_owned_headers(request.headers)
    return response


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    default = {"http": 80, "https": 443}.get(scheme)
    return scheme, (parts.hostname or ""), parts.port or default
