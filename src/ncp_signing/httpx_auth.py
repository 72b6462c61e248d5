"""Sign requests made with ``httpx`` (the ``httpx`` extra).

Build clients with :func:`signed_client` or :func:`signed_async_client`. A bare
``Client(auth=NcpHttpxAuth(...), follow_redirects=True)`` sends the ``x-ncp-*`` headers to
whatever origin a redirect names: httpx runs an auth flow once, before its redirect loop, so
the auth never sees the hops, and it strips only ``Authorization`` from them. The factories
add the request hook that removes the headers on a hop to another origin.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from typing import Any

import httpx

from ncp_signing._headers import drop_owned_headers
from ncp_signing._signer import Credentials, Signer, epoch_millis

__all__ = ["NcpHttpxAuth", "signed_async_client", "signed_client"]

_SIGNED_ORIGIN = "ncp_signing.origin"


class NcpHttpxAuth(httpx.Auth):
    """An ``httpx.Auth`` for ``Client`` and ``AsyncClient`` that signs ``request.url.raw_path``.

    Every request is signed with a fresh timestamp, replacing any ``x-ncp-*`` headers it
    carries. httpx does not run auth again when it follows a redirect, and strips only
    ``Authorization`` on a cross-origin hop, so the signing headers travel with it unless
    :meth:`strip_on_redirect` (or :meth:`astrip_on_redirect` for an ``AsyncClient``) is
    installed as a ``request`` event hook; prefer the :func:`signed_client` and
    :func:`signed_async_client` factories, which install it.
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
        request.extensions[_SIGNED_ORIGIN] = _origin(request.url)
        yield request

    def strip_on_redirect(self, request: httpx.Request) -> None:
        """A ``request`` event hook: drop the signing headers on a hop to another origin."""
        signed = request.extensions.get(_SIGNED_ORIGIN)
        if signed is not None and signed != _origin(request.url):
            drop_owned_headers(request.headers)

    async def astrip_on_redirect(self, request: httpx.Request) -> None:
        """The same hook for an ``AsyncClient``, whose hooks must be coroutines."""
        self.strip_on_redirect(request)


def signed_client(credentials: Credentials | Signer, **options: Any) -> httpx.Client:
    """An ``httpx.Client`` that signs every request and never carries the signature elsewhere."""
    auth = NcpHttpxAuth(credentials)
    hooks = _hooks(options, auth.strip_on_redirect)
    return httpx.Client(auth=auth, event_hooks=hooks, **options)


def signed_async_client(credentials: Credentials | Signer, **options: Any) -> httpx.AsyncClient:
    """The ``httpx.AsyncClient`` counterpart of :func:`signed_client`."""
    auth = NcpHttpxAuth(credentials)
    hooks = _hooks(options, auth.astrip_on_redirect)
    return httpx.AsyncClient(auth=auth, event_hooks=hooks, **options)


def _hooks(options: dict[str, Any], hook: Callable[..., Any]) -> dict[str, list[Any]]:
    given = options.pop("event_hooks", None) or {}
    return {**given, "request": [*given.get("request", []), hook]}


def _origin(url: httpx.URL) -> tuple[str, str, int | None]:
    default = {"http": 80, "https": 443}.get(url.scheme)
    return url.scheme, url.host, url.port or default
