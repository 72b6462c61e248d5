"""The OpenAPI 3 document of the fake's mailer routes (region ``/api/v1``; the others match).

Written by hand rather than generated, so it states what NCloud documents, including the
gateway and mailer error bodies, and so schemathesis can check the fake against it.
"""

from __future__ import annotations

from typing import Any

__all__ = ["openapi_document"]

_REF = "#/components/schemas/"


def _ref(name: str) -> dict[str, str]:
    return {"$ref": _REF + name}


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
    answers = {code: _json(_ref("GatewayError"), text) for code, text in gateway.items()}
    answers["400"] = _json(_ref("MailerError"), "Invalid request (77102) or unknown id (77103)")
    answers["403"] = _json(_ref("MailerError"), "Not subscribed to the mail service (77202)")
    answers["405"] = _json(_ref("MailerError"), "Method not allowed (77001)")
    for code in extra:
        answers[str(code)] = _json(_ref("MailerError"), "Unsupported media type (77002)")
    return answers


def _query(name: str, schema: dict[str, Any], *, repeat: bool = False) -> dict[str, Any]:
    if repeat:
        schema = {"type": "array", "items": schema}
    return {"name": name, "in": "query", "required": False, "schema": schema, "explode": True}


def _path(name: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}


_STATUS = {"type": "string", "enum": ["P", "R", "I", "S", "F", "U", "C", "PF"]}
_NULLABLE_NES = {"allOf": [_ref("NesDateTime")], "nullable": True}
_LABEL = {
    "type": "object",
    "required": ["label", "code"],
    "properties": {"label": {"type": "string"}, "code": {"type": "string"}},
}


def _page(item: str) -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["content", "totalElements", "totalPages", "number", "size", "sort"],
        "properties": {
            "content": {"type": "array", "items": _ref(item)},
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


def _obj(required: list[str], **properties: Any) -> dict[str, Any]:
    return {"type": "object", "required": required, "properties": properties}


_STR = {"type": "string"}
_NSTR = {"type": "string", "nullable": True}
_INT = {"type": "integer"}
_BOOL = {"type": "boolean"}

_SCHEMAS: dict[str, Any] = {
    "GatewayError": _obj(
        ["error"], error=_obj(["errorCode", "message"], errorCode=_STR, message=_STR, details=_STR)
    ),
    "MailerError": _obj(
        ["error"],
        error=_obj(["code", "errorCode", "message"], code=_STR, errorCode=_STR, message=_STR),
    ),
    "NesDateTime": _obj(
        ["utc", "formattedDate", "formattedDateTime"],
        utc=_INT,
        formattedDate=_STR,
        formattedDateTime=_STR,
    ),
    "Recipient": _obj(
        ["address"],
        address={"type": "string", "format": "email"},
        name={"type": "string", "maxLength": 69, "nullable": True},
        type={"type": "string", "enum": ["R", "C", "B"]},
        parameters={"type": "object", "additionalProperties": _STR},
    ),
    "CreateMailRequest": _obj(
        [],
        senderAddress={"type": "string", "format": "email"},
        senderName={"type": "string", "maxLength": 69},
        templateSid={"type": "integer", "minimum": 0, "maximum": 2_147_483_647},
        title={"type": "string", "maxLength": 500},
        body={"type": "string"},
        individual=_BOOL,
        confirmAndSend=_BOOL,
        advertising=_BOOL,
        parameters={"type": "object", "additionalProperties": _STR},
        referencesHeader=_STR,
        reservationUtc={"type": "integer", "minimum": 0},
        reservationDateTime={"type": "string", "example": "2030-01-01 09:00"},
        attachFileIds={"type": "array", "items": _STR},
        recipients={"type": "array", "items": _ref("Recipient"), "maxItems": 100000},
        recipientGroupFilter=_obj(
            ["andFilter", "groups"],
            andFilter=_BOOL,
            groups={"type": "array", "items": _STR, "minItems": 1, "maxItems": 5},
        ),
        useBasicUnsubscribeMsg=_BOOL,
        unsubscribeMessage=_STR,
    ),
    "CreateMailResponse": _obj(["requestId", "count"], requestId=_STR, count=_INT),
    "MailRequestStatus": _obj(
        ["requestId", "readyCompleted", "requestCount", "finishCount", "countsByStatus"],
        requestId=_STR,
        readyCompleted=_BOOL,
        allSentSuccess=_BOOL,
        requestCount=_INT,
        sentCount=_INT,
        finishCount=_INT,
        readyCount=_INT,
        reservationDate=_NULLABLE_NES,
        countsByStatus={
            "type": "array",
            "items": _obj(["status", "count"], status=_LABEL, count=_INT),
        },
    ),
    "MailRequestItem": _obj(
        ["requestId", "requestDate", "emailStatus"],
        requestId=_STR,
        requestDate=_ref("NesDateTime"),
        templateSid={"type": "integer", "nullable": True},
        templateName=_NSTR,
        emailStatus=_LABEL,
        senderAddress=_NSTR,
        senderName=_NSTR,
        dispatchType=_STR,
        sendDate=_NULLABLE_NES,
        reservationDate=_NULLABLE_NES,
        requestCount=_INT,
        recipientCount=_INT,
    ),
    "MailItem": _obj(
        ["requestId", "mailId", "emailStatus"],
        requestId=_STR,
        requestDate=_ref("NesDateTime"),
        mailId=_STR,
        title=_STR,
        emailStatus=_LABEL,
        senderAddress=_NSTR,
        reservationStatus=_LABEL,
        advertising=_BOOL,
        representativeRecipient=_STR,
    ),
    "Mail": _obj(
        ["requestId", "mailId", "title", "body", "recipients"],
        requestId=_STR,
        mailId=_STR,
        title=_STR,
        body=_STR,
        emailStatus=_LABEL,
        attachFiles={"type": "array", "items": _ref("FileInfo")},
        recipients={
            "type": "array",
            "items": _obj(["address", "type", "status"], address=_STR, type=_STR, status=_LABEL),
        },
    ),
    "FileInfo": _obj(["fileId", "fileName", "fileSize"], fileId=_STR, fileName=_STR, fileSize=_INT),
    "CreateFileResponse": _obj(
        ["tempRequestId", "files"],
        tempRequestId=_STR,
        files={"type": "array", "items": _ref("FileInfo")},
    ),
}


def _operations() -> dict[str, Any]:
    list_query = [
        _query("startUtc", {"type": "integer", "minimum": 0}),
        _query("endUtc", {"type": "integer", "minimum": 0}),
        _query("startDateTime", _STR),
        _query("endDateTime", _STR),
        _query("requestId", _STR),
        _query("title", _STR),
        _query("sendStatus", _STATUS, repeat=True),
        _query("page", {"type": "integer", "minimum": 0, "maximum": 1000}),
        _query("size", {"type": "integer", "minimum": 1, "maximum": 1000}),
    ]
    return {
        "/mails": {
            "post": {
                "operationId": "createMailRequest",
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": _ref("CreateMailRequest")}},
                },
                "responses": {"201": _json(_ref("CreateMailResponse"), "Accepted"), **_errors(415)},
            }
        },
        "/mails/requests": {
            "get": {
                "operationId": "getMailRequestList",
                "parameters": list_query,
                "responses": {"200": _json(_page("MailRequestItem"), "A page"), **_errors()},
            }
        },
        "/mails/requests/{requestId}/status": {
            "get": {
                "operationId": "getMailRequestStatus",
                "parameters": [_path("requestId")],
                "responses": {"200": _json(_ref("MailRequestStatus"), "Status"), **_errors()},
            }
        },
        "/mails/requests/{requestId}/mails": {
            "get": {
                "operationId": "getMailList",
                "parameters": [
                    _path("requestId"),
                    _query("sendStatus", _STATUS, repeat=True),
                    _query("page", {"type": "integer", "minimum": 0, "maximum": 1000}),
                    _query("size", {"type": "integer", "minimum": 1, "maximum": 1000}),
                ],
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
                            "schema": _obj(
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
                    "201": _json(_ref("CreateFileResponse"), "Uploaded (10 MB per file)"),
                    **_errors(415),
                },
            }
        },
        "/mails/{mailId}": {
            "get": {
                "operationId": "getMail",
                "parameters": [_path("mailId")],
                "responses": {"200": _json(_ref("Mail"), "One mail"), **_errors()},
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
        "components": {"schemas": _SCHEMAS},
    }
