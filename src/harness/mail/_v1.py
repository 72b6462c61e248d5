"""Cloud Outbound Mailer v1: the paths, bodies and answers of its operations."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar
from urllib.parse import quote

from pydantic import BaseModel, ValidationError

from harness.mail._backend import FileTuple, MailQuery, RequestQuery
from harness.mail._errors import ResponseFormatError
from harness.mail._http import SignedHttp
from harness.mail._models import Mail
from harness.mail._responses import (
    AttachedFile,
    MailDetail,
    MailSummary,
    Page,
    RequestStatus,
    RequestSummary,
    SendResult,
)

__all__ = ["OutboundMailerV1"]

ModelT = TypeVar("ModelT", bound=BaseModel)


class _Upload(BaseModel):
    files: list[AttachedFile]


def _parse(model: type[ModelT], data: Any, what: str, status: int = 200) -> ModelT:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ResponseFormatError(
            f"The answer to {what} does not have the documented shape.", http_status=status
        ) from exc


def _segment(value: str) -> str:
    return quote(value, safe="")


class OutboundMailerV1:
    """The v1 API at the settings' ``mail_api_url`` (``.../api/v1``, ``-sgn``, ``-jpn``)."""

    def __init__(self, http: SignedHttp) -> None:
        self.http = http

    def __repr__(self) -> str:
        return f"OutboundMailerV1({self.http!r})"

    @property
    def clock_offset_ms(self) -> int:
        return self.http.clock.offset_ms

    def now_ms(self) -> int:
        return self.http.clock()

    def send(self, mail: Mail) -> SendResult:
        data = self.http.call("POST", "/mails", body=mail.to_request(), replay_safe=False)
        return _parse(SendResult, data, "POST /mails", 201)

    def status(self, request_id: str) -> RequestStatus:
        path = f"/mails/requests/{_segment(request_id)}/status"
        return _parse(RequestStatus, self.http.call("GET", path, replay_safe=True), path)

    def list_mails(self, request_id: str, query: MailQuery) -> Page[MailSummary]:
        path = f"/mails/requests/{_segment(request_id)}/mails"
        data = self.http.call("GET", path, params=query, replay_safe=True)
        return _parse(Page[MailSummary], data, path)

    def list_requests(self, query: RequestQuery) -> Page[RequestSummary]:
        path = "/mails/requests"
        data = self.http.call("GET", path, params=query, replay_safe=True)
        return _parse(Page[RequestSummary], data, path)

    def get_mail(self, mail_id: str) -> MailDetail:
        path = f"/mails/{_segment(mail_id)}"
        return _parse(MailDetail, self.http.call("GET", path, replay_safe=True), path)

    def upload(self, files: Sequence[FileTuple]) -> list[AttachedFile]:
        parts = [("fileList", item) for item in files]
        # A repeated upload leaves an unused temporary file, never a duplicate mail.
        data = self.http.call("POST", "/files", files=parts, replay_safe=True)
        return _parse(_Upload, data, "POST /files", 201).files

    def close(self) -> None:
        self.http.close()
