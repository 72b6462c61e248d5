"""The API Gateway in front of the mailer: faults, body limit, signature check, Date header.

This is a plain ASGI middleware, outermost in the app, so it sees uvicorn's own ``send``
(needed to reset a connection) and the request target as it came off the wire.
"""

from __future__ import annotations

import asyncio
import json
import socket
import struct
from collections.abc import Awaitable, Callable, MutableMapping
from email.utils import formatdate
from typing import Any

from harness.fake._faults import ERROR_CODES, THROTTLE_CODES, Fault
from harness.fake._state import FakeState, RequestRecord
from ncp_signing import VerificationError, verify

__all__ = ["ADMIN_PREFIX", "GatewayMiddleware", "gateway_error_body"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

ADMIN_PREFIX = "/_fake/"
API_KEY_HEADER = "x-ncp-apigw-api-key"
_JSON = (b"content-type", b"application/json;charset=UTF-8")


def gateway_error_body(error_code: str, message: str, details: str | None = None) -> dict[str, Any]:
    """The gateway's error body: ``{"error": {"errorCode", "message", "details"}}``."""
    error: dict[str, Any] = {"errorCode": error_code, "message": message}
    if details is not None:
        error["details"] = details
    return {"error": error}


class GatewayMiddleware:
    """Answer like the NCloud API Gateway before the mailer routes see a request."""

    def __init__(self, app: ASGIApp, state: FakeState) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state = self.state
        query = scope.get("query_string", b"")
        raw_target = scope.get("raw_path") or scope["path"].encode()
        if query:
            raw_target += b"?" + query
        target = raw_target.decode("latin-1")
        headers = tuple((k.decode("latin-1"), v.decode("latin-1")) for k, v in scope["headers"])
        record = RequestRecord(
            scope["method"], target, scope["path"], headers, received_ms=state.now_ms()
        )
        state.record(record)
        dated = _DatedSend(send, state, record)
        if scope["path"].startswith(ADMIN_PREFIX):
            record.auth = "not-required"
            await self._call_app(scope, receive, dated, record)
            return
        plan = state.plan
        try:
            decision = plan.decide(scope["method"], scope["path"])
        except Exception as exc:
            state.add_error(exc)
            await _json(dated, 500, gateway_error_body("900", "Unexpected Error"))
            return
        if decision.delay_ms:
            record.delay_ms = decision.delay_ms
            await asyncio.sleep(decision.delay_ms / 1000)
        if await _answered_by_fault(decision.fault, record, dated, send):
            return
        body = await _read_body(scope, receive, state.max_body_bytes)
        if body is None:
            await _json(dated, 413, gateway_error_body("430", "Request Entity Too Large"))
            return
        record.body = body
        if not await self._authenticate(scope, raw_target, record, dated):
            return
        outgoing: Send = dated
        if plan.take(decision):
            record.fault = "truncate"
            outgoing = _TruncatingSend(dated, send)
        await self._call_app(scope, _replay(body), outgoing, record)

    async def _authenticate(
        self, scope: Scope, raw_target: bytes, record: RequestRecord, send: Send
    ) -> bool:
        state = self.state
        try:
            target = raw_target.decode("utf-8")
        except UnicodeDecodeError:
            target = raw_target.decode("latin-1")
        headers = record.headers
        secrets: Any = state.secrets
        api_key = record.header(API_KEY_HEADER)
        if api_key is not None:
            headers, secrets = _legacy_headers(headers, api_key, state)
        try:
            verified = verify(scope["method"], target, headers, secrets, now_ms=state.now_ms())
        except VerificationError as exc:
            record.auth, record.auth_check = "failed", exc.check
            body = gateway_error_body(exc.error_code, exc.message, exc.details)
            if state.debug:
                body["debug"] = {
                    "failedCheck": exc.check,
                    "reason": str(exc),
                    "expectedStringToSign": exc.string_to_sign,
                    "receivedTarget": target,
                }
            await _json(send, exc.http_status, body)
            return False
        access_key = verified.access_key.rsplit("\n", 1)[-1]
        record.access_key = access_key
        if access_key in state.denied_keys:
            record.auth, record.auth_check = "failed", "permission"
            await _json(send, 401, gateway_error_body("210", "Permission Denied"))
            return False
        record.auth = "ok"
        scope.setdefault("state", {})["access_key"] = access_key
        return True

    async def _call_app(
        self, scope: Scope, receive: Receive, send: Send, record: RequestRecord
    ) -> None:
        try:
            await self.app(scope, receive, send)
        except Exception as exc:
            self.state.add_error(exc)
            if record.status is None:
                await _json(send, 500, gateway_error_body("900", "Unexpected Error"))


class _DatedSend:
    """Add the ``Date`` header (server clock, with any offset) and record the status."""

    def __init__(self, send: Send, state: FakeState, record: RequestRecord) -> None:
        self.send = send
        self.state = state
        self.record = record

    async def __call__(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.record.status = message["status"]
            date = formatdate(self.state.now_ms() / 1000, usegmt=True).encode()
            message["headers"] = [*message.get("headers", []), (b"date", date)]
        await self.send(message)


class _TruncatingSend:
    """Hold the whole response, then send its start and half its body, and drop the line."""

    def __init__(self, send: _DatedSend, raw_send: Send) -> None:
        self.send = send
        self.raw_send = raw_send
        self.start: Message | None = None
        self.chunks: list[bytes] = []

    async def __call__(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.start = message
            return
        self.chunks.append(message.get("body", b""))
        if message.get("more_body", False) or self.start is None:
            return
        body = b"".join(self.chunks)
        headers = [(k, v) for k, v in self.start.get("headers", []) if k != b"content-length"]
        headers.append((b"content-length", str(len(body)).encode()))
        await self.send({**self.start, "headers": headers})
        half = body[: len(body) // 2]
        await self.send({"type": "http.response.body", "body": half, "more_body": True})
        await _reset(self.raw_send)


async def _reset(send: Send) -> None:
    """Close the connection with a TCP reset (SO_LINGER 0) before anything more is sent."""
    transport = getattr(getattr(send, "__self__", None), "transport", None)
    if transport is None:
        raise RuntimeError("A connection reset needs uvicorn's transport, which is not available.")
    sock = transport.get_extra_info("socket")
    if sock is not None:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    transport.abort()
    await asyncio.sleep(0)


async def _answered_by_fault(
    fault: Fault | None, record: RequestRecord, send: _DatedSend, raw_send: Send
) -> bool:
    """Answer a throttle, error or reset fault in place of the mailer; a truncate waits."""
    if fault is None or fault.kind == "truncate":
        return False
    record.fault = fault.kind
    if fault.kind == "reset":
        await _reset(raw_send)
    else:
        await _answer_fault(send, fault)
    return True


async def _answer_fault(send: Send, fault: Fault) -> None:
    if fault.kind == "throttle":
        retry = fault.retry_after
        extra = [] if retry is None else [(b"retry-after", str(retry).encode())]
        body = gateway_error_body(fault.code, THROTTLE_CODES[fault.code])
        await _json(send, 429, body, extra)
        return
    code, message = ERROR_CODES[fault.status]
    await _json(send, fault.status, gateway_error_body(code, message))


async def _read_body(scope: Scope, receive: Receive, limit: int) -> bytes | None:
    """The whole request body, or ``None`` once it is over ``limit`` bytes."""
    for name, value in scope["headers"]:
        if name == b"content-length" and value.isdigit() and int(value) > limit:
            return None
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replay(body: bytes) -> Receive:
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive


def _legacy_headers(
    headers: tuple[tuple[str, str], ...], api_key: str, state: FakeState
) -> tuple[tuple[tuple[str, str], ...], Callable[[str], str | None]]:
    """Legacy signing with an API key: the key goes on its own line before the access key."""
    joined = tuple(
        (k, f"{api_key}\n{v}" if k.lower() == "x-ncp-iam-access-key" else v) for k, v in headers
    )

    def lookup(combined: str) -> str | None:
        key, _, access_key = combined.rpartition("\n")
        return state.secrets.get(access_key) if key in state.api_keys else None

    return joined, lookup


async def _json(
    send: Send, status: int, body: dict[str, Any], extra: list[tuple[bytes, bytes]] | None = None
) -> None:
    payload = json.dumps(body, ensure_ascii=False).encode()
    headers = [_JSON, (b"content-length", str(len(payload)).encode()), *(extra or [])]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": payload})
