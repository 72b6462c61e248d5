"""Sign requests made with ``httpx`` (the ``httpx`` extra): ``Client(auth=NcpHttpxAuth(...))``."""

from __future__ import annotations

from collections.abc import Callable, Generator

import httpx

from ncp_signing._headers import drop_owned_headers
from ncp_signing._signer import Credentials, Signer, epoch_millis

__all__ = ["NcpHttpxAuth"]


class NcpHttpxAuth(httpx.Auth):
    """An ``httpx.Auth`` for ``Client`` and ``AsyncClient`` that signs ``request.url.raw_path``.

    httpx does not re-run auth when it follows a redirect, and strips only ``Authorization``
    on a cross-origin hop; keep ``follow_redirects=False`` (the httpx default) for signed calls.
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
        return f"NcpHttpxAuth({self.signer.credentials!r})"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        drop_owned_headers(request.headers)
        target = request.url.raw_path.decode("ascii")
        request.headers.update(self.signer.wire_headers(request.method, target))
        yield request
