"""``create_app``: the HTTP face of the outbox.

``POST /api/v1/email/send`` validates and stores the mail, then answers 202 with the entry's
id and state; nothing waits for NCloud. A resubmission that finds the mail already queued or
sent answers 200 with that entry as it is. ``GET /api/v1/email/{id}`` reports the entry;
``GET /healthz`` says whether the service and its workers run. A mail the outbox cannot store
(its file locked past the busy timeout, a full disk) answers 503 with ``Retry-After``, so the
caller knows it was not queued; so does a read the outbox cannot serve. Error answers name
fields and carry messages with the submitted values taken out, and every text is passed
through the secret redactor.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from harness._log import logger
from harness.mail import MailClient, MailValidationError
from harness.outbox import (
    ClientTransport,
    DrainPolicy,
    EntryNotFoundError,
    IdempotencyConflictError,
    MailTransport,
    Outbox,
    OutboxEntry,
    WorkerPool,
)
from ncp_config import NcpSettings, redact, register_secret

__all__ = ["DEFAULT_DB_PATH", "ServiceState", "create_app"]

DEFAULT_DB_PATH = Path("ncp-outbox.sqlite3")
_MAX_BODY_BYTES = 1024 * 1024


class ServiceState:
    """What the app holds while it runs: the outbox, the transport and the worker pool."""

    def __init__(self, outbox: Outbox, pool: WorkerPool | None) -> None:
        self.outbox = outbox
        self.pool = pool


def create_app(
    settings: NcpSettings,
    *,
    outbox: Outbox | None = None,
    workers: int = 4,
    db_path: str | Path | None = None,
    policy: DrainPolicy | None = None,
    transport: MailTransport | None = None,
) -> FastAPI:
    """The mail service for ``settings``; its workers start and stop with the app.

    Without ``outbox`` the app opens (and later closes) one at ``db_path`` (default
    ``ncp-outbox.sqlite3``), with the settings' sender as the default sender. ``workers=0``
    runs no workers: entries wait for a drain elsewhere. ``transport`` replaces the
    :class:`~harness.outbox.ClientTransport` over a new :class:`~harness.mail.MailClient`.
    A ``policy`` whose lease is not longer than the retry deadline of a send raises
    ``ValueError``: a send could outlive its claim and be made twice. That deadline is the
    one the client uses: a ``ClientTransport``'s client's retry policy (its own ``deadline``
    when set), otherwise the settings' ``retry_deadline``.
    """
    register_secret(settings.secret_key.get_secret_value())
    if workers < 0:
        raise ValueError(f"workers must not be negative, not {workers}.")
    if policy is not None:
        policy.check_lease(_send_deadline(settings, transport))

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        own_outbox = outbox is None
        box = outbox or Outbox(
            db_path or DEFAULT_DB_PATH,
            sender_address=settings.mail_sender_address,
            sender_name=settings.mail_sender_name,
        )
        client: MailClient | None = None
        pool: WorkerPool | None = None
        try:
            if workers:
                used = transport
                if used is None:
                    client = MailClient(settings, pool_size=max(16, workers))
                    used = ClientTransport(client)
                pool = WorkerPool(box, used, workers=workers, policy=policy).start()
            app.state.service = ServiceState(box, pool)
            logger.info("Mail service started with %d workers on %s", workers, box.path)
            yield
        finally:
            if pool is not None and not pool.stop():
                logger.warning("Some outbox workers did not stop in time; their claims expire")
            if client is not None:
                client.close()
            if own_outbox:
                box.close()

    app = FastAPI(title="ncp-toolkit mail service", lifespan=lifespan)

    @app.post("/api/v1/email/send", status_code=202)
    async def send_email(request: Request) -> JSONResponse:
        state: ServiceState = request.app.state.service
        raw = await request.body()
        if len(raw) > _MAX_BODY_BYTES:
            return _problems(413, [("body", f"is larger than {_MAX_BODY_BYTES} bytes")])
        try:
            data = json.loads(raw)
        except RecursionError:
            return _problems(422, [("body", "is nested too deeply")])
        except (ValueError, UnicodeDecodeError):
            return _problems(422, [("body", "is not valid JSON")])
        key = request.headers.get("idempotency-key")
        try:
            done = await run_in_threadpool(state.outbox.accept, data, idempotency_key=key)
        except RecursionError:
            return _problems(422, [("body", "is nested too deeply")])
        except MailValidationError as error:
            problems = [
                ("Idempotency-Key" if field == "idempotencyKey" else field, message)
                for field, message in error.problems
            ]
            return _problems(422, _without_input(problems, data))
        except IdempotencyConflictError as error:
            return _problems(409, [("Idempotency-Key", f"is already used for {error.entry_id}")])
        entry = done.entry
        location = {"Location": f"/api/v1/email/{entry.id}"}
        if done.queued:
            body = {"id": entry.id, "status": entry.state.value}
            return JSONResponse(body, status_code=202, headers=location)
        return JSONResponse(_public(entry), status_code=200, headers=location)

    @app.exception_handler(sqlite3.Error)
    async def outbox_unavailable(request: Request, error: sqlite3.Error) -> JSONResponse:
        # Locked past the busy timeout, a full disk, a broken file: nothing was stored or read.
        logger.warning("The outbox is unavailable: %s: %s", type(error).__name__, error)
        if request.method == "POST":
            problem = ("outbox", "could not store the mail now; nothing was queued")
        else:
            problem = ("outbox", "cannot be read now")
        answer = _problems(503, [problem])
        answer.headers["Retry-After"] = "1"
        return answer

    @app.get("/api/v1/email/{entry_id}")
    async def email_status(entry_id: str, request: Request) -> JSONResponse:
        state: ServiceState = request.app.state.service
        try:
            entry = await run_in_threadpool(state.outbox.get, entry_id)
        except EntryNotFoundError:
            return _problems(404, [("id", "no mail has this id")])
        return JSONResponse(_public(entry))

    @app.get("/healthz")
    async def healthz(request: Request) -> JSONResponse:
        state: ServiceState = request.app.state.service
        counts = await run_in_threadpool(state.outbox.counts)
        alive = state.pool.alive if state.pool is not None else 0
        wanted = state.pool.workers if state.pool is not None else 0
        healthy = alive == wanted
        body: dict[str, Any] = {
            "status": "ok" if healthy else "degraded",
            "workers": {"alive": alive, "configured": wanted},
            "outbox": counts,
        }
        return JSONResponse(body, status_code=200 if healthy else 503)

    return app


def _send_deadline(settings: NcpSettings, transport: MailTransport | None) -> float:
    """The most one send may take: the retry deadline of the client that will make it.

    The app's own client (no ``transport``) takes its deadline from ``settings``, as
    :class:`~harness.mail.MailClient` does; another transport is held to the settings.
    """
    if isinstance(transport, ClientTransport):
        return transport.send_deadline
    return settings.retry_deadline


def _public(entry: OutboxEntry) -> dict[str, Any]:
    public = entry.to_public()
    if public["error"] is not None:
        public["error"] = redact(str(public["error"]))
    return public


_QUOTED = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"")
_MIN_ECHO = 4  # shorter values are common words of the messages themselves


def _leaves(data: Any, depth: int = 0) -> list[str]:
    """The submitted values (strings and numbers) found in ``data``."""
    if depth > 20:
        return []
    if isinstance(data, dict):
        return [text for value in data.values() for text in _leaves(value, depth + 1)]
    if isinstance(data, list):
        return [text for value in data for text in _leaves(value, depth + 1)]
    if isinstance(data, str | int | float) and not isinstance(data, bool):
        return [str(data)]
    return []


def _without_input(problems: Any, data: Any) -> list[tuple[str, str]]:
    """``(field, message)`` pairs with every submitted value taken out of the messages.

    A quoted part of a message is taken out when it holds a submitted value; the quoted
    literals the model itself names (an enum's allowed values) stay, so the caller learns
    what is allowed.
    """
    leaves = set(_leaves(data))
    values: set[str] = set()
    for text in leaves:
        values.add(text)
        values.update(part for part in re.split(r"[@\s]", text) if part)
    echoes = sorted((v for v in values if len(v) >= _MIN_ECHO), key=len, reverse=True)
    quoted_forms = leaves | {repr(text)[1:-1] for text in leaves}

    def scrub(match: re.Match[str]) -> str:
        inner = match.group(0)[1:-1]
        submitted = inner in quoted_forms or any(echo in inner for echo in echoes)
        if len(inner) >= _MIN_ECHO:
            submitted = submitted or any(inner in form for form in quoted_forms)
        return "the value" if submitted else match.group(0)

    cleaned = []
    for field, message in problems:
        text = _QUOTED.sub(scrub, str(message))
        for value in echoes:
            text = text.replace(value, "the value")
        cleaned.append((str(field), text))
    return cleaned


def _problems(status: int, problems: Any) -> JSONResponse:
    """An error answer listing ``(field, message)`` pairs, redacted, never echoing input."""
    errors = [{"field": redact(str(f)), "message": redact(str(m))} for f, m in problems]
    detail = {413: "too large", 409: "conflict", 404: "not found", 503: "unavailable"}.get(
        status, "invalid mail"
    )
    return JSONResponse({"detail": detail, "errors": errors}, status_code=status)
