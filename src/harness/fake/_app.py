"""The app factory: the gateway middleware around the mailer routes and the admin routes."""

from __future__ import annotations

import json
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from harness.fake._faults import InvalidFaultScriptError, coerce_script
from harness.fake._gateway import ADMIN_PREFIX, ASGIApp, GatewayMiddleware, gateway_error_body
from harness.fake._mailer import REGIONS, MailerError, mailer_body, mailer_router
from harness.fake._openapi import openapi_document
from harness.fake._state import FakeState
from harness.fake._store import Progression, SentMail
from harness.fake._validation import MailerRequestError

__all__ = ["create_app", "progression_json", "sent_mail_json", "update_progression"]

_ADVANCES = ("poll", "time", "instant")


def create_app(state: FakeState) -> ASGIApp:
    """Build the ASGI app of one fake server around its state."""
    app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None, redirect_slashes=False)
    for region in REGIONS:
        app.include_router(mailer_router(state, region), prefix=f"/api/{region}")
    _admin_routes(app, state)
    _error_handlers(app)
    return GatewayMiddleware(app, state)


def _admin_routes(app: FastAPI, state: FakeState) -> None:
    prefix = ADMIN_PREFIX.rstrip("/")

    @app.get(f"{prefix}/health")
    async def health() -> JSONResponse:
        return JSONResponse({"status": "ok"})

    @app.get(f"{prefix}/mails")
    async def mails() -> JSONResponse:
        return JSONResponse([sent_mail_json(m) for m in state.store.all_mails()])

    @app.get(f"{prefix}/requests")
    async def requests() -> JSONResponse:
        return JSONResponse([r.to_json() for r in state.requests()])

    @app.post(f"{prefix}/reset")
    async def reset() -> JSONResponse:
        state.reset()
        return JSONResponse({"reset": True})

    @app.get(f"{prefix}/faults")
    async def get_faults() -> JSONResponse:
        return JSONResponse(state.plan.script.to_json())

    @app.put(f"{prefix}/faults")
    async def put_faults(request: Request) -> JSONResponse:
        try:
            script = coerce_script(await _json_body(request))
        except (InvalidFaultScriptError, ValueError) as exc:
            return JSONResponse({"error": {"message": str(exc)}}, status_code=400)
        state.set_faults(script)
        return JSONResponse(script.to_json())

    @app.delete(f"{prefix}/faults")
    async def clear_faults() -> JSONResponse:
        state.set_faults(coerce_script(None))
        return JSONResponse(state.plan.script.to_json())

    @app.get(f"{prefix}/progression")
    async def get_progression() -> JSONResponse:
        return JSONResponse(progression_json(state.progression))

    @app.put(f"{prefix}/progression")
    async def put_progression(request: Request) -> JSONResponse:
        try:
            update_progression(state.progression, await _json_body(request))
        except ValueError as exc:
            return JSONResponse({"error": {"message": str(exc)}}, status_code=400)
        return JSONResponse(progression_json(state.progression))

    @app.get(f"{prefix}/openapi.json")
    async def openapi() -> JSONResponse:
        return JSONResponse(openapi_document())


async def _json_body(request: Request) -> Any:
    """The request body as strict JSON; raise ``ValueError`` with a one-sentence message."""
    raw = await request.body()
    try:
        return json.loads(raw, parse_constant=_reject_constant)
    except RecursionError as exc:
        raise ValueError("The request body nests too deeply.") from exc
    except ValueError as exc:
        raise ValueError(f"The request body is not JSON ({exc}).") from exc


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _error_handlers(app: FastAPI) -> None:
    @app.exception_handler(MailerError)
    async def mailer_error(_: Request, exc: MailerError) -> JSONResponse:
        return JSONResponse(mailer_body(exc.code, exc.message), status_code=exc.status)

    @app.exception_handler(MailerRequestError)
    async def bad_request(_: Request, exc: MailerRequestError) -> JSONResponse:
        return JSONResponse(mailer_body(exc.code, str(exc)), status_code=400)

    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse(mailer_body("77102", f"request: {exc.errors()!r:.200}"), 400)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 405:
            return JSONResponse(mailer_body("77001", "METHOD_NOT_ALLOWED"), status_code=405)
        if exc.status_code == 404:
            body = gateway_error_body("300", "Not Found Exception", "URL not found.")
            return JSONResponse(body, status_code=404)
        return JSONResponse(gateway_error_body("100", "Bad Request Exception"), exc.status_code)

    @app.exception_handler(Exception)
    async def unexpected(_: Request, exc: Exception) -> JSONResponse:
        return JSONResponse(gateway_error_body("900", "Unexpected Error"), status_code=500)


def sent_mail_json(mail: SentMail) -> dict[str, Any]:
    """The JSON form of one delivered mail, as ``GET /_fake/mails`` shows it."""
    return {
        "requestId": mail.request_id,
        "mailId": mail.mail_id,
        "region": mail.region,
        "senderAddress": mail.sender_address,
        "senderName": mail.sender_name,
        "to": mail.to,
        "recipientName": mail.recipient_name,
        "recipientType": mail.recipient_type,
        "title": mail.title,
        "body": mail.body,
        "parameters": dict(mail.parameters),
        "attachFileIds": list(mail.attach_file_ids),
        "advertising": mail.advertising,
        "templateSid": mail.template_sid,
        "reservationUtc": mail.reservation_utc,
        "referencesHeader": mail.references_header,
    }


def progression_json(progression: Progression) -> dict[str, Any]:
    """The JSON form of the status progression, as ``GET /_fake/progression`` shows it."""
    return {
        "advance": progression.advance,
        "stepMs": progression.step_ms,
        "failed": sorted(progression.failed),
        "unsubscribed": sorted(progression.unsubscribed),
    }


def update_progression(progression: Progression, data: Any) -> None:
    """Apply the keys given in ``data``; raise ``ValueError`` naming the first bad one."""
    if not isinstance(data, dict):
        raise ValueError("The progression must be a JSON object.")
    unknown = set(data) - {"advance", "stepMs", "failed", "unsubscribed"}
    if unknown:
        raise ValueError(f"Unknown progression keys: {sorted(unknown)}.")
    advance = data.get("advance", progression.advance)
    if advance not in _ADVANCES:
        raise ValueError(f"The advance {advance!r} is not one of poll, time, instant.")
    step = data.get("stepMs", progression.step_ms)
    if not isinstance(step, int) or isinstance(step, bool) or step < 1:
        raise ValueError(f"The stepMs {step!r} is not a positive integer.")
    lists = {}
    for name in ("failed", "unsubscribed"):
        value = data.get(name, getattr(progression, name))
        if not isinstance(value, list | tuple | set | frozenset) or not all(
            isinstance(a, str) for a in value
        ):
            raise ValueError(f"The {name} value {value!r} is not a list of addresses.")
        lists[name] = frozenset(a.lower() for a in value)
    progression.advance = advance
    progression.step_ms = step
    progression.failed = lists["failed"]
    progression.unsubscribed = lists["unsubscribed"]
