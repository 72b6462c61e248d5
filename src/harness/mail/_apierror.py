"""Read an error answer (gateway or mailer) into the matching :class:`MailApiError` subclass.

The gateway answers ``{"error": {"errorCode", "message", "details"}}`` with ``errorCode`` as
a string or a number; the newer standard shape says ``detail``; the mailer adds its
``77xxx`` ``code`` next to the gateway's ``errorCode``. All are accepted, and a body that is
not JSON at all still gives an error typed by its HTTP status.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from harness.mail._errors import (
    AuthenticationError,
    EndpointError,
    EndpointTimeoutError,
    InvalidRequestError,
    MailApiError,
    MailerServerError,
    NotFoundError,
    NotSubscribedError,
    PermissionDeniedError,
    QuotaExceededError,
    RequestTooLargeError,
    ServerError,
    ThrottledError,
    UnexpectedServerError,
)

__all__ = ["SignedRequest", "error_from_answer", "parse_error_body"]

TRACE_ID_HEADER = "x-ncp-trace-id"
REQUEST_ID_HEADER = "x-ncp-apigw-request-id"

_BY_GATEWAY: dict[tuple[int, str], type[MailApiError]] = {
    (400, "100"): InvalidRequestError,
    (401, "200"): AuthenticationError,
    (401, "210"): PermissionDeniedError,
    (404, "300"): NotFoundError,
    (413, "430"): RequestTooLargeError,
    (429, "400"): QuotaExceededError,
    (429, "410"): ThrottledError,
    (429, "420"): ThrottledError,
    (503, "500"): EndpointError,
    (504, "510"): EndpointTimeoutError,
    (500, "900"): UnexpectedServerError,
}
_BY_MAILER: dict[str, type[MailApiError]] = {
    "77001": InvalidRequestError,
    "77002": InvalidRequestError,
    "77101": AuthenticationError,
    "77102": InvalidRequestError,
    "77103": NotFoundError,
    "77201": PermissionDeniedError,
    "77202": NotSubscribedError,
    "77301": MailerServerError,
    "77302": MailerServerError,
    "77303": MailerServerError,
}
_BY_STATUS: dict[int, type[MailApiError]] = {
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    413: RequestTooLargeError,
    429: ThrottledError,  # any 429 but the quota's: throttling, retried
    503: EndpointError,
    504: EndpointTimeoutError,
}


@dataclass(frozen=True)
class SignedRequest:
    """What the client signed for one attempt, for a 401 diagnosis; no secret, no signature."""

    method: str
    target: str
    timestamp: str | None
    access_key_hint: str


@dataclass(frozen=True)
class ErrorBody:
    """The fields of an error body; each ``None`` when absent."""

    gateway_code: str | None = None
    mailer_code: str | None = None
    message: str | None = None
    details: str | None = None
    request_id: str | None = None
    raw: Mapping[str, Any] | None = None


def _text(value: Any) -> str | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float | str):
        text = str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)
        return text.strip() or None
    return None


def parse_error_body(content: bytes) -> ErrorBody:
    """Read the error fields from a body, tolerating every known shape and none at all."""
    try:
        data = json.loads(content.decode("utf-8")) if content else None
    except (UnicodeDecodeError, ValueError):
        return ErrorBody()
    if not isinstance(data, dict):
        return ErrorBody()
    inner = data.get("error")
    error = inner if isinstance(inner, dict) else data
    gateway = _text(error.get("errorCode"))
    mailer = _text(error.get("code"))
    if mailer is None and gateway is not None and len(gateway) == 5 and gateway.startswith("77"):
        gateway, mailer = None, gateway
    if gateway is not None and gateway == mailer:
        # The mailer repeats its code as ``errorCode``: that is no gateway code.
        gateway = None
    details = error.get("details", error.get("detail"))
    return ErrorBody(
        gateway_code=gateway,
        mailer_code=mailer,
        message=_text(error.get("message")),
        details=details if isinstance(details, str) else _text(details),
        request_id=_text(error.get("requestId")),
        raw=data,
    )


def _clause(text: str | None) -> str | None:
    """``text`` without the closing punctuation it may bring, for joining into one sentence."""
    if text is None:
        return None
    return text.rstrip().rstrip(".;:,").rstrip() or None


def _error_class(status: int, body: ErrorBody) -> type[MailApiError]:
    if body.mailer_code in _BY_MAILER:
        return _BY_MAILER[body.mailer_code]
    if body.gateway_code is not None and (status, body.gateway_code) in _BY_GATEWAY:
        return _BY_GATEWAY[(status, body.gateway_code)]
    if status in _BY_STATUS:
        return _BY_STATUS[status]
    if status >= 500:
        return ServerError
    if status >= 400:
        return InvalidRequestError
    return MailApiError


def error_from_answer(
    *,
    status: int,
    headers: Mapping[str, str],
    content: bytes,
    method: str,
    path: str,
    retry_after: float | None,
    signed: SignedRequest | None = None,
    clock_skew_ms: int | None = None,
    url: str | None = None,
) -> MailApiError:
    """Build the typed error for one error answer; ``signed`` and skew describe a 401.

    ``clock_skew_ms`` is how far the answer's ``Date`` is ahead of the signed timestamp.
    ``url`` (without user, password or query) is named when the gateway knows no such URL,
    so that a base URL missing its ``/api/v1`` shows.
    """
    body = parse_error_body(content)
    cls = _error_class(status, body)
    trace_id = headers.get(TRACE_ID_HEADER)
    request_id = headers.get(REQUEST_ID_HEADER) or body.request_id
    codes = ", ".join(
        f"{name} {code}"
        for name, code in (("mailer code", body.mailer_code), ("gateway code", body.gateway_code))
        if code is not None
    )
    text = f"{method} {path} failed with HTTP {status}"
    text += f" ({codes})" if codes else ""
    message, details = _clause(body.message), _clause(body.details)
    text += f": {message}" if message else ""
    text += f" - {details}" if details else ""
    if url is not None and status == 404 and body.mailer_code is None:
        text += f"; the URL called was {url}"
    diagnosis = cls is AuthenticationError and body.mailer_code is None
    if diagnosis and signed is not None:
        text += (
            f"; signed {signed.method} {signed.target} at timestamp {signed.timestamp}"
            f" with access key {signed.access_key_hint}"
        )
    if diagnosis and clock_skew_ms is not None:
        direction = "ahead of" if clock_skew_ms >= 0 else "behind"
        text += (
            f"; the server clock is {abs(clock_skew_ms) / 1000:.1f} s {direction}"
            " the signed timestamp"
        )
    text += f" [trace id {trace_id}]" if trace_id else ""
    text += f" [request id {request_id}]" if request_id else ""
    error = cls(
        text + ".",
        http_status=status,
        method=method,
        path=path,
        gateway_code=body.gateway_code,
        mailer_code=body.mailer_code,
        message=body.message,
        details=body.details,
        trace_id=trace_id,
        request_id=request_id,
        retry_after=retry_after,
        body=body.raw,
    )
    if isinstance(error, AuthenticationError) and diagnosis:
        error.clock_skew_ms = clock_skew_ms
        if signed is not None:
            error.signed_method = signed.method
            error.signed_target = signed.target
            error.signed_timestamp = signed.timestamp
            error.access_key_hint = signed.access_key_hint
    return error
