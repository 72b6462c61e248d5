"""Cloud Outbound Mailer v1 routes: send, request status and lists, mail detail, file upload."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException as StarletteHTTPException

from harness.fake._state import FakeState
from harness.fake._validation import (
    MAX_RESERVATION_UTC,
    MailerRequestError,
    decode_mail_body,
    kst_to_utc_ms,
    validate_mail_request,
)
from harness.fake._views import (
    mail_detail,
    mail_items,
    page,
    parse_sort,
    request_item,
    request_status,
)

__all__ = ["REGIONS", "MailerError", "mailer_body", "mailer_router"]

REGIONS = ("v1", "v1-sgn", "v1-jpn")
_DATETIME_FORMATS = ("%Y-%m-%d %H:%M:%S.%f", "%Y-%m-%d %H:%M:%S %f", "%Y-%m-%d %H:%M", "%Y-%m-%d")


class MailerError(Exception):
    """A mailer-level error: an HTTP status, a 77xxx code and a message."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


def mailer_body(code: str, message: str) -> dict[str, Any]:
    """The mailer's error body: ``{"error": {"code", "errorCode", "message"}}``."""
    return {"error": {"code": code, "errorCode": code, "message": message}}


def mailer_router(state: FakeState, region: str) -> APIRouter:
    """The mailer operations of one region (``v1``, ``v1-sgn`` or ``v1-jpn``)."""
    router = APIRouter()
    store = state.store

    def account(request: Request) -> str:
        access_key: str = request.scope.get("state", {}).get("access_key", "")
        if access_key in state.unsubscribed_accounts:
            raise MailerError(403, "77202", "The account has not subscribed to the e-mail service.")
        return access_key

    def lang(request: Request) -> str:
        return request.headers.get("x-ncp-lang", "en")

    @router.post("/mails")
    async def create_mail_request(request: Request) -> JSONResponse:
        access_key = account(request)
        _require_media(request, "application/json")
        data = decode_mail_body(await request.body())
        mail = validate_mail_request(data, store.has_file)
        record = store.add_request(
            body=data, mail=mail, region=region, access_key=access_key, now_ms=state.now_ms()
        )
        return JSONResponse(
            {"requestId": record.request_id, "count": len(record.recipients)}, status_code=201
        )

    @router.get("/mails/requests")
    async def get_mail_request_list(request: Request) -> JSONResponse:
        account(request)
        query = request.query_params
        start = _moment(query, "start")
        end = _moment(query, "end")
        statuses = set(query.getlist("sendStatus"))
        now = state.now_ms()
        items = []
        for record in store.region_requests(region):
            if not start <= record.created_ms <= end:
                continue
            item = request_item(store, record, now, lang(request))
            if _keep_request(record, item, query, statuses):
                items.append(item)
        orders = parse_sort(
            query.getlist("sort") or ["createUtc"],
            ("createUtc", "recipientCount", "reservationUtc", "sendUtc", "statusCode"),
        )
        keys = {
            "createUtc": lambda i: i["requestDate"]["utc"],
            "recipientCount": lambda i: i["recipientCount"],
            "reservationUtc": lambda i: (i["reservationDate"] or {"utc": 0})["utc"],
            "sendUtc": lambda i: (i["sendDate"] or {"utc": 0})["utc"],
            "statusCode": lambda i: i["emailStatus"]["code"],
        }
        number, size = _paging(query)
        return JSONResponse(page(items, number=number, size=size, orders=orders, keys=keys))

    @router.get("/mails/requests/{request_id}/status")
    async def get_mail_request_status(request: Request, request_id: str) -> JSONResponse:
        account(request)
        record = store.find_request(region, request_id)
        if record is None:
            raise _missing("requestId", request_id)
        now = state.now_ms()
        answer = request_status(store, record, now, lang(request))
        store.poll(record, now)
        return JSONResponse(answer)

    @router.get("/mails/requests/{request_id}/mails")
    async def get_mail_list(request: Request, request_id: str) -> JSONResponse:
        account(request)
        record = store.find_request(region, request_id)
        if record is None:
            raise _missing("requestId", request_id)
        query = request.query_params
        items = mail_items(store, record, state.now_ms(), lang(request))
        statuses = set(query.getlist("sendStatus"))
        items = [_public(i) for i in items if _keep_mail(i, query, statuses)]
        orders = parse_sort(query.getlist("sort") or ["id"], ("id", "createUtc", "statusCode"))
        keys = {
            "id": lambda i: i["mailId"],
            "createUtc": lambda i: i["requestDate"]["utc"],
            "statusCode": lambda i: i["emailStatus"]["code"],
        }
        number, size = _paging(query)
        return JSONResponse(page(items, number=number, size=size, orders=orders, keys=keys))

    @router.get("/mails/{mail_id}")
    async def get_mail(request: Request, mail_id: str) -> JSONResponse:
        account(request)
        record = store.find_mail(region, mail_id)
        if record is None:
            raise _missing("mailId", mail_id)

        def file_info(file_id: str) -> dict[str, Any]:
            info = store.files[file_id]
            return {"fileId": file_id, "fileName": info.file_name, "fileSize": info.file_size}

        now = state.now_ms()
        return JSONResponse(mail_detail(store, record, mail_id, now, lang(request), file_info))

    @router.post("/files")
    async def create_file(request: Request) -> JSONResponse:
        account(request)
        _require_media(request, "multipart/form-data")
        uploads: list[tuple[str, bytes]] = []
        try:
            form = await request.form()
        except StarletteHTTPException as exc:
            raise MailerRequestError(
                "fileList", f"the multipart body cannot be read: {exc.detail}"
            ) from exc
        try:
            parts = form.getlist("fileList")
            if not parts:
                raise MailerRequestError("fileList", "at least one file part is required")
            for index, part in enumerate(parts):
                if not isinstance(part, UploadFile):
                    raise MailerRequestError(f"fileList[{index}]", "must be a file")
                content = await part.read()
                if len(content) > state.max_file_bytes:
                    raise MailerRequestError(
                        f"fileList[{index}]",
                        f"{part.filename!r} is larger than {state.max_file_bytes} bytes",
                    )
                uploads.append((part.filename or f"file-{index}", content))
        finally:
            await form.close()
        temp_id, records = store.add_files(state.now_ms(), uploads)
        files = [
            {"fileId": r.file_id, "fileName": r.file_name, "fileSize": r.file_size} for r in records
        ]
        return JSONResponse({"tempRequestId": temp_id, "files": files}, status_code=201)

    return router


def _require_media(request: Request, media_type: str) -> None:
    given = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if given != media_type:
        raise MailerError(
            415, "77002", f"UNSUPPORTED_MEDIA_TYPE: the Content-Type must be {media_type}."
        )


def _missing(field: str, value: str) -> MailerError:
    return MailerError(400, "77103", f"{field}: {value[:40]!r} does not exist.")


def _moment(query: Any, prefix: str) -> int:
    """``startUtc``/``startDateTime`` (or ``end…``); the ``Utc`` form wins; one is required."""
    utc, text = query.get(f"{prefix}Utc"), query.get(f"{prefix}DateTime")
    if utc is not None:
        return _bounded_int(f"{prefix}Utc", utc, -MAX_RESERVATION_UTC, MAX_RESERVATION_UTC)
    if text is None:
        raise MailerRequestError(f"{prefix}Utc", f"{prefix}Utc or {prefix}DateTime is required")
    for fmt in _DATETIME_FORMATS:
        try:
            return kst_to_utc_ms(datetime.strptime(text, fmt))
        except ValueError:
            continue
    raise MailerRequestError(f"{prefix}DateTime", f"{text[:40]!r} is not a supported date format")


def _paging(query: Any) -> tuple[int, int]:
    values = []
    for name, default, low in (("page", 0, 0), ("size", 10, 1)):
        raw = query.get(name)
        if raw is None:
            values.append(default)
            continue
        values.append(_bounded_int(name, raw, low, 100_000))
    return values[0], values[1]


def _bounded_int(name: str, raw: str, low: int, high: int) -> int:
    """An ASCII decimal integer from ``low`` to ``high``, else a 400 naming the parameter."""
    if len(raw) > 20 or not re.fullmatch(r"-?[0-9]+", raw) or not low <= int(raw) <= high:
        raise MailerRequestError(name, f"{raw[:40]!r} is not an integer from {low} to {high}")
    return int(raw)


def _keep_request(record: Any, item: dict[str, Any], query: Any, statuses: set[str]) -> bool:
    checks = (
        ("requestId", lambda v: record.request_id == v),
        ("mailId", lambda v: v in record.mail_ids),
        ("dispatchType", lambda v: v == "API"),
        ("title", lambda v: v in (record.mail.title or "")),
        ("templateSid", lambda v: str(record.mail.template_sid) == v),
        ("senderAddress", lambda v: record.mail.sender_address == v),
        ("recipientAddress", lambda v: any(a == v for a, _, _ in record.recipients)),
    )
    if statuses and item["emailStatus"]["code"] not in statuses:
        return False
    return all(check(query[name]) for name, check in checks if name in query)


def _public(item: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in item.items() if k != "recipientAddresses"}


def _keep_mail(item: dict[str, Any], query: Any, statuses: set[str]) -> bool:
    if statuses and item["emailStatus"]["code"] not in statuses:
        return False
    if "mailId" in query and item["mailId"] != query["mailId"]:
        return False
    if "recipientAddress" in query and query["recipientAddress"] not in item["recipientAddresses"]:
        return False
    return not ("title" in query and query["title"] not in item["title"])
