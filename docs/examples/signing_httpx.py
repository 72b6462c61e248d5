"""Sign httpx calls, sync or async, with one auth object."""

from __future__ import annotations

import asyncio

import httpx

from ncp_signing import Credentials
from ncp_signing.httpx_auth import signed_async_client, signed_client


def list_requests(base_url: str, credentials: Credentials) -> httpx.Response:
    """A signed GET with a query, from a client that never carries the signature elsewhere."""
    with signed_client(credentials, base_url=base_url) as client:
        return client.get(
            "/api/v1/mails/requests",
            params={"startDateTime": "2024-01-01 00:00", "endDateTime": "2024-01-02"},
        )


def statuses(base_url: str, credentials: Credentials, request_ids: list[str]) -> list[int]:
    """Several signed GETs at once on one AsyncClient."""

    async def run() -> list[int]:
        async with signed_async_client(credentials, base_url=base_url) as client:
            paths = [f"/api/v1/mails/requests/{rid}/status" for rid in request_ids]
            responses = await asyncio.gather(*(client.get(path) for path in paths))
        return [response.status_code for response in responses]

    return asyncio.run(run())
