"""The OpenAPI 3 document of the fake's mailer routes (region ``/api/v1``; the others match).

Written by hand rather than generated, so it states what NCloud documents, including the
gateway and mailer error bodies, and so schemathesis can check the fake against it.
"""

from __future__ import annotations

from typing import Any

from harness.fake._openapi_schemas import SCHEMAS, STATUS, STR, obj, ref
from harness.fake._validation import MAX_RESERVATION_UTC

__all__ = ["openapi_document"]


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _errors(*extra: int) -> dict[str, Any]:
    gateway = {
        "401": "Authentication failed (gateway errorCode 200 or 210)",
        "404": "Route not found (gateway errorCode 300)",
        "413": "Request body too large (gateway errorCode 430)",
        "429": "Throttled (gateway errorCode 400, 410 or 420)",
        "500": "Unexpected error (gateway errorCode 900)",
        "503": "Endpoint error (gateway errorCode 500)",
        "504": "Endpoint timeout (gateway errorCode 510)",
    }
    answers = {code: _json(ref("GatewayError"), text) for code, text in gateway.items()}
    answers["400"] = _json(ref("MailerError"), "Invalid request (77102) or unknown id (77103)")
    answers["403"] = _json(ref("MailerError"), "Not subscribed to the mail service (77202)")
    answers["405"] = _json(ref("MailerError"), "Method not allowed (77001)")
    for code in extra:
        answers[str(code)] = _json(ref("MailerError"), "Unsupported media type (77002)")
    return answers


def _query(name: str, schema: dict[str, Any], *, repeat: bool = False) -> dict[str, Any]:
    if repeat:
        schema = {"type": "array", "items": schema}
    return {"name": name, "in": "query", "required": False, "schema": schema, "explode": True}


def _path(name: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}


def _page(item: str) -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["content", "totalElements", "totalPages", "number", "size", "sort"],
        "properties": {
            "content": {"type": "array", "items": ref(item)},
            "totalElements": {"type": "integer"},
            "totalPages": {"type": "integer"},
            "numberOfElements": {"type": "integer"},
            "first": {"type": "boolean"},
            "last": {"type": "boolean"},
            "number": {"type": "integer"},
            "size": {"type": "integer"},
            "sort": {"type": "array", "items": {"type": "object"}},
        },
    }


_PAGING = [
    _query("page", {"type": "integer", "minimum": 0, "maximum": 1000}),
    _query("size", {"type": "integer", "minimum": 1, "maximum": 1000}),
]


def _sort(*properties: str) -> dict[str, Any]:
    """``sort=property(,asc|desc)``, repeatable."""
    pattern = f"^({'|'.join(properties)})(,(asc|desc|ASC|DESC))?$"
    return _query("sort", {"type": "string", "pattern": pattern}, repeat=True)


def _operations() -> dict[str, Any]:
    moment = {"type": "integer", "minimum": -MAX_RESERVATION_UTC, "maximum": MAX_RESERVATION_UTC}
    list_query = [
        *(_query(f"{edge}Utc", moment) for edge in ("start", "end")),
        *(_query(f"{edge}DateTime", STR) for edge in ("start", "end")),
        *(_query(name, STR) for name in ("requestId", "mailId", "title", "senderAddress")),
        _query("recipientAddress", STR),
        _query("dispatchType", {"type": "string", "enum": ["CONSOLE", "API"]}),
        _query("templateSid", {"type": "integer", "minimum": 0}),
        _query("sendStatus", STATUS, repeat=True),
        *_PAGING,
        _sort("createUtc", "recipientCount", "reservationUtc", "sendUtc", "statusCode"),
    ]
    mail_query = [
        _path("requestId"),
        *(_query(name, STR) for name in ("mailId", "recipientAddress", "title")),
        _query("sendStatus", STATUS, repeat=True),
        *_PAGING,
        _sort("id", "createUtc", "statusCode"),
    ]
    return {
        "/mails": {
            "post": {
                "operationId": "createMailRequest",
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": ref("CreateMailRequest")}},
                },
                "responses": {"201": _json(ref("CreateMailResponse"), "Accepted"), **_errors(415)},
            }
        },
        "/mails/requests": {
            "get": {
                "operationId": "getMailRequestList",
                "description": "startUtc or startDateTime, and endUtc or endDateTime, are "
                "required; the Utc form wins.",
                "parameters": list_query,
                "responses": {"200": _json(_page("MailRequestItem"), "A page"), **_errors()},
            }
        },
        "/mails/requests/{requestId}/status": {
            "get": {
                "operationId": "getMailRequestStatus",
                "parameters": [_path("requestId")],
                "responses": {"200": _json(ref("MailRequestStatus"), "Status"), **_errors()},
            }
        },
        "/mails/requests/{requestId}/mails": {
            "get": {
                "operationId": "getMailList",
                "parameters": mail_query,
                "responses": {"200": _json(_page("MailItem"), "A page"), **_errors()},
            }
        },
        "/files": {
            "post": {
                "operationId": "createFile",
                "requestBody": {
                    "required": True,
                    "content": {
                        "multipart/form-data": {
                            "schema": obj(
                                ["fileList"],
                                fileList={
                                    "type": "array",
                                    "minItems": 1,
                                    "items": {"type": "string", "format": "binary"},
                                },
                            )
                        }
                    },
                },
                "responses": {
                    "201": _json(ref("CreateFileResponse"), "Uploaded (10 MB per file)"),
                    **_errors(415),
                },
            }
        },
        "/mails/{mailId}": {
            "get": {
                "operationId": "getMail",
                "parameters": [_path("mailId")],
                "responses": {"200": _json(ref("Mail"), "One mail"), **_errors()},
            }
        },
    }


def openapi_document(base_path: str = "/api/v1") -> dict[str, Any]:
    """The OpenAPI 3.0 document of the mailer routes, served at ``/_fake/openapi.json``."""
    return {
        "openapi": "3.0.3",
        "info": {"title": "Fake NCloud Cloud Outbound Mailer v1", "version": "1.0.0"},
        "servers": [{"url": base_path}],
        "paths": _operations(),
        "components": {"schemas": SCHEMAS},
    }
