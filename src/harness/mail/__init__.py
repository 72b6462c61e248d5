"""Send mail through NCloud's Cloud Outbound Mailer v1, typed, retried and never twice.

::

    from harness.mail import Mail, MailClient

    with MailClient() as client:  # settings from ncp_config.load_settings()
        result = client.send(
            Mail(sender_address="no-reply@example.com", title="Hello ${name}",
                 body="<p>Hi ${name}</p>", recipients=["ada@example.com"],
                 parameters={"name": "Ada"})
        )
        final = client.wait(result.request_id)

Every documented limit is checked before a request leaves; every error is a
:class:`MailError`.
"""

from harness.mail._backend import FileTuple, MailBackend
from harness.mail._client import MailClient, UploadSource
from harness.mail._errors import (
    AuthenticationError,
    EndpointError,
    EndpointTimeoutError,
    InvalidRequestError,
    MailApiError,
    MailConnectionError,
    MailError,
    MailerServerError,
    MailLimitError,
    MailValidationError,
    NotFoundError,
    NotSubscribedError,
    OutcomePendingError,
    PermissionDeniedError,
    QuotaExceededError,
    RateLimitError,
    RequestTooLargeError,
    ResponseFormatError,
    SendOutcomeUnknownError,
    ServerError,
    ThrottledError,
    UnexpectedServerError,
    WaitTimeoutError,
)
from harness.mail._http import OffsetClock, SignedHttp
from harness.mail._models import (
    LIMITS,
    Mail,
    ParameterValue,
    Recipient,
    RecipientGroupFilter,
    RecipientType,
)
from harness.mail._responses import (
    FINISHED_CODES,
    AttachedFile,
    MailDetail,
    MailStatus,
    MailSummary,
    NesDateTime,
    Page,
    RecipientResult,
    RequestStatus,
    RequestSummary,
    SendResult,
    StatusCount,
)
from harness.mail._retry import RetryPolicy
from harness.mail._v1 import OutboundMailerV1

__all__ = [
    "FINISHED_CODES",
    "LIMITS",
    "AttachedFile",
    "AuthenticationError",
    "EndpointError",
    "EndpointTimeoutError",
    "FileTuple",
    "InvalidRequestError",
    "Mail",
    "MailApiError",
    "MailBackend",
    "MailClient",
    "MailConnectionError",
    "MailDetail",
    "MailError",
    "MailLimitError",
    "MailStatus",
    "MailSummary",
    "MailValidationError",
    "MailerServerError",
    "NesDateTime",
    "NotFoundError",
    "NotSubscribedError",
    "OffsetClock",
    "OutboundMailerV1",
    "OutcomePendingError",
    "Page",
    "ParameterValue",
    "PermissionDeniedError",
    "QuotaExceededError",
    "RateLimitError",
    "Recipient",
    "RecipientGroupFilter",
    "RecipientResult",
    "RecipientType",
    "RequestStatus",
    "RequestSummary",
    "RequestTooLargeError",
    "ResponseFormatError",
    "RetryPolicy",
    "SendOutcomeUnknownError",
    "SendResult",
    "ServerError",
    "SignedHttp",
    "StatusCount",
    "ThrottledError",
    "UnexpectedServerError",
    "UploadSource",
    "WaitTimeoutError",
]
