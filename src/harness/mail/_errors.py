"""The mail client's exceptions: one root, :class:`MailError`, and a class per failure.

Three families sit under the root. :class:`MailValidationError` means nothing was sent: a
mail broke a documented rule. :class:`MailApiError` means NCloud answered with an error; its
subclasses follow the API Gateway table and the mailer's ``77xxx`` codes, so code can catch
by meaning (:class:`RateLimitError`, :class:`ServerError`, ...). The rest are transport
outcomes: a connection that failed, an answer that could not be read, a send whose outcome is
unknown, a wait that ran out of time. No message ever holds a secret key.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from harness.mail._models import Mail
    from harness.mail._responses import RequestStatus

__all__ = [
    "AuthenticationError",
    "EndpointError",
    "EndpointTimeoutError",
    "InvalidRequestError",
    "MailApiError",
    "MailConnectionError",
    "MailError",
    "MailLimitError",
    "MailValidationError",
    "MailerServerError",
    "NotFoundError",
    "NotSubscribedError",
    "OutcomePendingError",
    "PermissionDeniedError",
    "QuotaExceededError",
    "RateLimitError",
    "RequestTooLargeError",
    "ResponseFormatError",
    "SendOutcomeUnknownError",
    "ServerError",
    "ThrottledError",
    "UnexpectedServerError",
    "WaitTimeoutError",
]


class MailError(Exception):
    """Root of every exception the mail client raises."""


class MailValidationError(MailError, ValueError):
    """A mail or an argument breaks a documented rule; nothing was sent.

    ``field`` is the JSON path of the first offending field (``recipients[3].address``);
    ``problems`` lists every ``(field, message)`` found.
    """

    def __init__(self, field: str, message: str, problems: Sequence[tuple[str, str]] = ()) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.problems: tuple[tuple[str, str], ...] = tuple(problems) or ((field, message),)


class MailLimitError(MailValidationError):
    """A documented size or count limit is exceeded; ``limit`` is that limit."""

    def __init__(
        self,
        field: str,
        message: str,
        problems: Sequence[tuple[str, str]] = (),
        *,
        limit: int | None = None,
    ) -> None:
        super().__init__(field, message, problems)
        self.limit = limit


class MailApiError(MailError):
    """NCloud answered with an error status.

    ``http_status`` is the HTTP status; ``gateway_code`` the API Gateway's ``errorCode`` (for
    example ``"429"``'s sub-code ``"410"``), ``None`` for a mailer error whose ``errorCode``
    only repeats its mailer code; ``mailer_code`` the mailer's ``77xxx`` code;
    ``message`` and ``details`` the texts of the body; ``trace_id`` and ``request_id`` the
    ``x-ncp-trace-id`` and ``x-ncp-apigw-request-id`` headers; ``retry_after`` the
    ``Retry-After`` header in seconds. Any of them is ``None`` when the answer lacks it.
    """

    def __init__(
        self,
        text: str,
        *,
        http_status: int,
        method: str = "",
        path: str = "",
        gateway_code: str | None = None,
        mailer_code: str | None = None,
        message: str | None = None,
        details: str | None = None,
        trace_id: str | None = None,
        request_id: str | None = None,
        retry_after: float | None = None,
        body: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(text)
        self.http_status = http_status
        self.method = method
        self.path = path
        self.gateway_code = gateway_code
        self.mailer_code = mailer_code
        self.message = message
        self.details = details
        self.trace_id = trace_id
        self.request_id = request_id
        self.retry_after = retry_after
        self.body = body


class AuthenticationError(MailApiError):
    """The gateway rejected the signature (401, ``errorCode`` 200), or the mailer's 77101.

    For a gateway rejection the error says what was signed (``signed_method``,
    ``signed_target``, ``signed_timestamp``, ``access_key_hint``: the first characters of the
    access key) and ``clock_skew_ms``: how far the server's ``Date`` header was ahead of the
    timestamp that was signed (negative when behind), measured on the response. Beyond the
    client's threshold (30 s by default) the client has already corrected its clock and
    tried once more.
    """

    signed_method: str | None = None
    signed_target: str | None = None
    signed_timestamp: str | None = None
    access_key_hint: str | None = None
    clock_skew_ms: int | None = None


class PermissionDeniedError(MailApiError):
    """The caller lacks permission: 401 ``errorCode`` 210, or the mailer's 77201."""


class NotSubscribedError(PermissionDeniedError):
    """The account has not subscribed to the mail service (mailer code 77202)."""


class NotFoundError(MailApiError):
    """The route (404 ``errorCode`` 300) or the resource (mailer 77103) does not exist."""


class RequestTooLargeError(MailApiError):
    """The request body is over the gateway's limit (413 ``errorCode`` 430)."""


class InvalidRequestError(MailApiError):
    """The request was refused as invalid: 400 (``errorCode`` 100, mailer 77102), 405, 415."""


class RateLimitError(MailApiError):
    """Any 429 from the gateway: a :class:`QuotaExceededError` or a :class:`ThrottledError`."""


class QuotaExceededError(RateLimitError):
    """The quota is used up (429 ``errorCode`` 400); retrying does not help."""


class ThrottledError(RateLimitError):
    """Too many requests: a 429 other than the quota's (``errorCode`` 410, 420, or a code
    that is missing or unknown); retried, honouring ``Retry-After``, and raised when the
    retries ran out."""


class ServerError(MailApiError):
    """A 5xx answer."""


class EndpointError(ServerError):
    """The gateway could not reach the mailer (503 ``errorCode`` 500)."""


class EndpointTimeoutError(ServerError):
    """The mailer did not answer the gateway in time (504 ``errorCode`` 510)."""


class UnexpectedServerError(ServerError):
    """An unhandled gateway error (500 ``errorCode`` 900)."""


class MailerServerError(ServerError):
    """The mailer failed internally (500 with code 77301, 77302 or 77303)."""


class MailConnectionError(MailError):
    """No answer could be had: the connection failed, was reset, or timed out.

    ``request_sent`` is false only when the request provably never left (the connection
    could not be opened), so the server cannot have acted on it.
    """

    def __init__(self, text: str, *, request_sent: bool) -> None:
        super().__init__(text)
        self.request_sent = request_sent


class ResponseFormatError(MailError):
    """An answer arrived but could not be read (cut short, not JSON, or the wrong shape).

    ``http_status`` is the status line of that answer.
    """

    def __init__(self, text: str, *, http_status: int) -> None:
        super().__init__(text)
        self.http_status = http_status


class SendOutcomeUnknownError(MailError):
    """A send may or may not have been accepted, so it was not sent again.

    It happens when the connection broke or timed out after the request left, when the
    answer was cut short, or on a 5xx answer that does not show the mailer refused it (the
    gateway's 504/510 or 500/900, a 502; the error it replaces is its ``__cause__``).
    Check with :meth:`MailClient.check_outcome`, which looks for requests made around
    ``started_ms`` to ``finished_ms`` (server clock, epoch milliseconds) whose mails are
    exactly ``mail``. ``http_status`` is the status line when one arrived.
    """

    def __init__(
        self,
        text: str,
        *,
        mail: Mail,
        started_ms: int,
        finished_ms: int,
        http_status: int | None = None,
    ) -> None:
        super().__init__(text)
        self.mail = mail
        self.started_ms = started_ms
        self.finished_ms = finished_ms
        self.http_status = http_status


class OutcomePendingError(MailError):
    """A request that may be the mail looked for has no readable mails yet; ask again later.

    ``request_id`` is that request.
    """

    def __init__(self, text: str, *, request_id: str) -> None:
        super().__init__(text)
        self.request_id = request_id


class WaitTimeoutError(MailError, TimeoutError):
    """A request did not reach a final state in time; ``last_status`` is the last one seen."""

    def __init__(self, text: str, *, request_id: str, last_status: RequestStatus | None) -> None:
        super().__init__(text)
        self.request_id = request_id
        self.last_status = last_status
