"""The component schemas of the fake's OpenAPI document: bodies, answers and error shapes.

``CreateMailRequest`` states B.3's conditional fields with ``anyOf``, as far as OpenAPI 3.0's
JSON Schema allows (it has no ``if``/``then``).
"""

from __future__ import annotations

from typing import Any

from harness.fake._validation import MAX_RESERVATION_UTC

__all__ = ["SCHEMAS", "STATUS", "STR", "obj", "ref"]

_REF = "#/components/schemas/"


def ref(name: str) -> dict[str, str]:
    """A reference to the component schema ``name``."""
    return {"$ref": _REF + name}


STATUS = {"type": "string", "enum": ["P", "R", "I", "S", "F", "U", "C", "PF"]}
_NULLABLE_NES = {"allOf": [ref("NesDateTime")], "nullable": True}
_LABEL = {
    "type": "object",
    "required": ["label", "code"],
    "properties": {"label": {"type": "string"}, "code": {"type": "string"}},
}


def obj(
    required: list[str], *, all_of: list[Any] | None = None, **properties: Any
) -> dict[str, Any]:
    """An object schema with these required fields and properties (and ``allOf`` parts)."""
    schema = {"type": "object", "required": required, "properties": properties}
    return schema if all_of is None else {**schema, "allOf": all_of}


STR = {"type": "string"}
_NSTR = {"type": "string", "nullable": True}
_INT = {"type": "integer"}
_BOOL = {"type": "boolean"}

_RESERVATION_PATTERN = (
    r"^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01]) ([01][0-9]|2[0-3]):[0-5][0-9]$"
)
_PARAMETERS = {
    "type": "object",
    "additionalProperties": {"anyOf": [{"type": "string"}, {"type": "number"}]},
}


def _present(field: str, **schema: Any) -> dict[str, Any]:
    """Satisfied when ``field`` is there (and, with ``schema``, matches it)."""
    return {"required": [field], "properties": {field: schema}} if schema else {"required": [field]}


_CONDITIONS = [
    {"anyOf": [_present("templateSid"), {"required": ["senderAddress", "title", "body"]}]},
    {"anyOf": [_present("recipients", minItems=1), _present("recipientGroupFilter")]},
    {
        "anyOf": [
            {"properties": {"advertising": {"enum": [False]}}},
            _present("useBasicUnsubscribeMsg", enum=[True]),
            _present("unsubscribeMessage", minLength=1),
        ]
    },
]
"""B.3's conditional fields: sender, title and body unless ``templateSid``; recipients unless
``recipientGroupFilter``; for advertising mail an unsubscribe message unless the basic one."""

SCHEMAS: dict[str, Any] = {
    "GatewayError": obj(
        ["error"], error=obj(["errorCode", "message"], errorCode=STR, message=STR, details=STR)
    ),
    "MailerError": obj(
        ["error"],
        error=obj(["code", "errorCode", "message"], code=STR, errorCode=STR, message=STR),
    ),
    "NesDateTime": obj(
        ["utc", "formattedDate", "formattedDateTime"],
        utc=_INT,
        formattedDate=STR,
        formattedDateTime=STR,
    ),
    "Recipient": obj(
        ["address"],
        address={"type": "string", "format": "email"},
        name={"type": "string", "maxLength": 69, "nullable": True},
        type={"type": "string", "enum": ["R", "C", "B"], "nullable": True},
        parameters=_PARAMETERS,
    ),
    "CreateMailRequest": obj(
        [],
        all_of=_CONDITIONS,
        senderAddress={"type": "string", "format": "email"},
        senderName={"type": "string", "maxLength": 69},
        templateSid={"type": "integer", "minimum": 0, "maximum": 2_147_483_647},
        title={"type": "string", "maxLength": 500},
        body={"type": "string"},
        individual=_BOOL,
        confirmAndSend=_BOOL,
        advertising=_BOOL,
        parameters=_PARAMETERS,
        referencesHeader={"type": "string", "pattern": r"^<[^<>\s]+@[^<>\s]+>$"},
        reservationUtc={"type": "integer", "minimum": 0, "maximum": MAX_RESERVATION_UTC},
        reservationDateTime={
            "type": "string",
            "pattern": _RESERVATION_PATTERN,
            "example": "2030-01-01 09:00",
        },
        attachFileIds={"type": "array", "items": STR},
        recipients={"type": "array", "items": ref("Recipient"), "maxItems": 100000},
        recipientGroupFilter=obj(
            ["andFilter", "groups"],
            andFilter=_BOOL,
            groups={
                "type": "array",
                "items": {"type": "string", "minLength": 1},
                "minItems": 1,
                "maxItems": 5,
            },
        ),
        useBasicUnsubscribeMsg=_BOOL,
        unsubscribeMessage=STR,
    ),
    "CreateMailResponse": obj(["requestId", "count"], requestId=STR, count=_INT),
    "MailRequestStatus": obj(
        ["requestId", "readyCompleted", "requestCount", "finishCount", "countsByStatus"],
        requestId=STR,
        readyCompleted=_BOOL,
        allSentSuccess=_BOOL,
        requestCount=_INT,
        sentCount=_INT,
        finishCount=_INT,
        readyCount=_INT,
        reservationDate=_NULLABLE_NES,
        countsByStatus={
            "type": "array",
            "items": obj(["status", "count"], status=_LABEL, count=_INT),
        },
    ),
    "MailRequestItem": obj(
        ["requestId", "requestDate", "emailStatus"],
        requestId=STR,
        requestDate=ref("NesDateTime"),
        templateSid={"type": "integer", "nullable": True},
        templateName=_NSTR,
        emailStatus=_LABEL,
        senderAddress=_NSTR,
        senderName=_NSTR,
        dispatchType=STR,
        sendDate=_NULLABLE_NES,
        reservationDate=_NULLABLE_NES,
        requestCount=_INT,
        recipientCount=_INT,
    ),
    "MailItem": obj(
        ["requestId", "mailId", "emailStatus"],
        requestId=STR,
        requestDate=ref("NesDateTime"),
        mailId=STR,
        title=STR,
        emailStatus=_LABEL,
        senderAddress=_NSTR,
        reservationStatus=_LABEL,
        advertising=_BOOL,
        representativeRecipient=STR,
    ),
    "Mail": obj(
        ["requestId", "mailId", "title", "body", "recipients"],
        requestId=STR,
        mailId=STR,
        title=STR,
        body=STR,
        emailStatus=_LABEL,
        attachFiles={"type": "array", "items": ref("FileInfo")},
        recipients={
            "type": "array",
            "items": obj(["address", "type", "status"], address=STR, type=STR, status=_LABEL),
        },
    ),
    "FileInfo": obj(["fileId", "fileName", "fileSize"], fileId=STR, fileName=STR, fileSize=_INT),
    "CreateFileResponse": obj(
        ["tempRequestId", "files"],
        tempRequestId=STR,
        files={"type": "array", "items": ref("FileInfo")},
    ),
}
