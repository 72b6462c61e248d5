"""``MailClient``: send mail through NCloud, follow it, and never send it twice by accident."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from datetime import datetime
from types import TracebackType
from typing import TYPE_CHECKING

import requests

from harness.mail._backend import MailBackend
from harness.mail._errors import (
    MailApiError,
    MailError,
    MailValidationError,
    ResponseFormatError,
    SendOutcomeUnknownError,
    WaitTimeoutError,
)
from harness.mail._http import DEFAULT_SKEW_THRESHOLD_MS, SignedHttp
from harness.mail._lookup import LOOKUP_MARGIN_MS, find_requests
from harness.mail._models import Mail
from harness.mail._queries import filters, paging, window
from harness.mail._responses import (
    MailDetail,
    MailSummary,
    Page,
    RequestStatus,
    RequestSummary,
    SendResult,
)
from harness.mail._retry import RetryPolicy, send_outcome_unknown
from harness.mail._upload import UploadSource, file_parts
from harness.mail._v1 import OutboundMailerV1

if TYPE_CHECKING:
    from ncp_config import NcpSettings

__all__ = ["MailClient", "UploadSource"]


class MailClient:
    """A Cloud Outbound Mailer v1 client; one instance is meant to be shared, also by threads.

    ``settings`` default to :func:`ncp_config.load_settings`. The client keeps one
    ``requests.Session`` (pass ``session`` to use your own, ``pool_size`` connections at
    most), signs every attempt afresh, retries per ``retry`` (defaults from the settings),
    corrects its clock when the gateway is more than ``skew_threshold_ms`` off (30 s by
    default), and never follows redirects.

    ``backend`` (a :class:`MailBackend`) replaces the v1 API and its transport entirely: the
    client still validates, fills in the sender, polls and turns unknown send outcomes into
    :class:`SendOutcomeUnknownError`, and ``retry`` still paces :meth:`wait` (its ``clock``
    and ``sleep``), but connections, signing and retries are the backend's own. So
    ``session``, ``skew_threshold_ms`` and ``pool_size`` cannot be given with it: a
    ``TypeError`` names the one given rather than letting it be silently ignored.
    """

    def __init__(
        self,
        settings: NcpSettings | None = None,
        *,
        session: requests.Session | None = None,
        retry: RetryPolicy | None = None,
        backend: MailBackend | None = None,
        skew_threshold_ms: int | None = None,
        pool_size: int | None = None,
    ) -> None:
        if backend is not None:
            _refuse_transport_options(
                session=session, skew_threshold_ms=skew_threshold_ms, pool_size=pool_size
            )
        if settings is None:
            from ncp_config import load_settings

            settings = load_settings()
        self.settings = settings
        self.retry = (retry or RetryPolicy()).with_defaults(
            settings.retry_attempts, settings.retry_deadline
        )
        if backend is None:
            http = SignedHttp(
                settings.mail_api_url,
                settings.credentials(),
                session=session,
                timeout=(settings.connect_timeout, settings.read_timeout),
                retry=self.retry,
                skew_threshold_ms=(
                    DEFAULT_SKEW_THRESHOLD_MS if skew_threshold_ms is None else skew_threshold_ms
                ),
                pool_size=16 if pool_size is None else pool_size,
            )
            backend = OutboundMailerV1(http)
        self.backend: MailBackend = backend

    def __repr__(self) -> str:
        return f"MailClient({self.backend!r})"

    def __enter__(self) -> MailClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Release pooled connections (a session passed in is left open)."""
        self.backend.close()

    @property
    def clock_offset_ms(self) -> int:
        """How far the gateway's clock is ahead of this machine's, as learned so far (ms)."""
        return self.backend.clock_offset_ms

    # Sending -----------------------------------------------------------------------------

    def prepare(self, mail: Mail) -> Mail:
        """The mail as it would be sent: checked afresh, the settings' sender filled in.

        The mail is validated again here (:meth:`Mail.revalidated`), so a mail whose lists or
        dicts were changed after it was built, or one made with ``model_copy(update=)`` or
        ``model_construct``, is held to every rule before any call is made; what is sent is
        the fresh copy, which later changes to ``mail`` cannot reach.

        Raises:
            MailValidationError: the mail breaks a rule (:class:`MailLimitError` for a
                limit), or has no sender and no template.
        """
        mail = mail.revalidated().with_sender(
            self.settings.mail_sender_address, self.settings.mail_sender_name
        )
        if mail.template_sid is None and mail.sender_address is None:
            raise MailValidationError(
                "senderAddress",
                "is required unless templateSid is set; set it on the mail or in the settings "
                "(NCLOUD_MAIL_SENDER_ADDRESS)",
            )
        return mail

    def send(self, mail: Mail) -> SendResult:
        """Submit ``mail``; return the request id and how many mails it makes.

        A send is never repeated once it may have reached the mailer: if the connection
        broke after sending or timed out, the answer was cut short, or a 5xx answer does
        not show that the mailer refused it (the gateway's 504/510 and 500/900, a 502, ...;
        not the 503/500 of a mailer that could not be reached, nor the mailer's own 77xxx),
        :class:`SendOutcomeUnknownError` is raised; see :meth:`check_outcome`.
        """
        mail = self.prepare(mail)
        started = self.backend.now_ms()
        try:
            return self.backend.send(mail)
        except MailError as error:
            if not send_outcome_unknown(error):
                raise
            status = (
                error.http_status if isinstance(error, ResponseFormatError | MailApiError) else None
            )
            unknown = SendOutcomeUnknownError(
                f"The send may or may not have been accepted ({error}); it was not repeated. "
                "Check with MailClient.check_outcome(error) before sending again.",
                mail=mail,
                started_ms=started,
                finished_ms=self.backend.now_ms(),
                http_status=status,
            )
            raise unknown from error

    def check_outcome(self, error: SendOutcomeUnknownError) -> list[RequestSummary]:
        """The requests that are exactly the send that ended in ``error``, oldest first.

        Looks at the requests made while the send was in flight (six minutes either side:
        the gateway accepts clocks up to five minutes apart) and keeps those whose mails are
        exactly what the mail renders to (see :meth:`find_requests`). Empty: the mailer did
        not accept it (allow a few seconds for the request list to catch up). One: the
        request it made. More than one: as many identical mails were sent in that window,
        and which one is this send cannot be told.

        Raises:
            OutcomePendingError: a request that may be this send has no readable mails yet.
            MailError: a lookup failed; nothing can be concluded.
        """
        return self.find_requests(
            error.mail,
            error.started_ms - LOOKUP_MARGIN_MS,
            error.finished_ms + LOOKUP_MARGIN_MS,
            in_flight=(error.started_ms, error.finished_ms),
        )

    def find_requests(
        self,
        mail: Mail,
        start: datetime | int,
        end: datetime | int,
        *,
        in_flight: tuple[int, int] | None = None,
        max_pages: int | None = None,
    ) -> list[RequestSummary]:
        """Requests made between ``start`` and ``end`` (server clock) that carry exactly ``mail``.

        Candidates come from getMailRequestList, filtered by the sender (or template), the
        first recipient and, when it has no placeholders, the title. Each is confirmed by
        reading its mails (getMailList, then getMail for each): the recipients with their
        types, each mail's title and body rendered for its recipients (a recipient's
        parameters override the mail's), and the ``referencesHeader`` when the mail has one
        must all be the mail's. Only exact matches are returned, oldest first; identical
        mails sent in the window all match.

        A candidate whose mails are not readable yet (it is still being prepared, or its
        recipient group is empty) may be this mail only if it was made while the send was
        in flight: with ``in_flight`` (server clock, ms), one made more than a minute outside
        it is skipped; without, every such candidate raises. ``max_pages`` of 100 candidates
        at most are read; more raise :class:`MailError`.

        Raises:
            OutcomePendingError: a candidate that may be this mail has no readable mails yet.
            MailError: more than ``max_pages`` pages of candidates, or a failed call.
        """
        return find_requests(
            self, self.prepare(mail), start, end, in_flight=in_flight, max_pages=max_pages
        )

    # Following a request ---------------------------------------------------------------

    def status(self, request_id: str) -> RequestStatus:
        """The progress of a request (getMailRequestStatus)."""
        return self.backend.status(request_id)

    def wait(
        self, request_id: str, *, timeout: float = 300.0, interval: float = 2.0
    ) -> RequestStatus:
        """Poll until the request is finished; return its final status.

        Finished means every mail is ready and reached a final state (``finished_count ==
        request_count``); labels are never read. Raises :class:`WaitTimeoutError` with the
        last status seen when ``timeout`` seconds pass first.
        """
        if not (interval > 0 and math.isfinite(interval)) or not timeout >= 0:
            raise ValueError(
                f"interval must be a positive number of seconds, not {interval}, "
                f"and timeout not negative, not {timeout}."
            )
        clock, sleep = self.retry.clock, self.retry.sleep
        deadline = clock() + timeout
        while True:
            current = self.status(request_id)
            if current.finished:
                return current
            remaining = deadline - clock()
            if remaining <= 0:
                raise WaitTimeoutError(
                    f"Request {request_id} did not finish within {timeout:g} s: "
                    f"{current.summary()}.",
                    request_id=request_id,
                    last_status=current,
                )
            sleep(min(interval, remaining))

    def list_mails(
        self,
        request_id: str,
        *,
        page: int = 0,
        size: int = 10,
        send_status: Sequence[str] = (),
        recipient_address: str | None = None,
        mail_id: str | None = None,
        title: str | None = None,
        sort: Sequence[str] = (),
    ) -> Page[MailSummary]:
        """One page of the mails of a request; ``sort`` items are ``"property[,asc|desc]"``."""
        query = filters(
            ("mailId", mail_id), ("recipientAddress", recipient_address), ("title", title)
        )
        return self.backend.list_mails(request_id, query + paging(send_status, sort, page, size))

    def list_requests(
        self,
        start: datetime | int,
        end: datetime | int,
        *,
        page: int = 0,
        size: int = 10,
        request_id: str | None = None,
        mail_id: str | None = None,
        title: str | None = None,
        sender_address: str | None = None,
        recipient_address: str | None = None,
        template_sid: int | None = None,
        send_status: Sequence[str] = (),
        sort: Sequence[str] = (),
    ) -> Page[RequestSummary]:
        """One page of requests made between ``start`` and ``end`` (aware datetimes or ms)."""
        query = window(start, end) + filters(
            ("requestId", request_id),
            ("mailId", mail_id),
            ("title", title),
            ("senderAddress", sender_address),
            ("recipientAddress", recipient_address),
            ("templateSid", None if template_sid is None else str(template_sid)),
        )
        return self.backend.list_requests(query + paging(send_status, sort, page, size))

    def get_mail(self, mail_id: str) -> MailDetail:
        """One mail with its body, attachments and per-recipient results."""
        return self.backend.get_mail(mail_id)

    # Attachments -----------------------------------------------------------------------

    def upload(self, files: Iterable[UploadSource]) -> list[str]:
        """Upload attachments; return their file ids, in order, for ``Mail.attach_file_ids``.

        Each file may be at most 10 MB; a larger one raises :class:`MailLimitError` before
        anything is sent.
        """
        return [item.file_id for item in self.backend.upload(file_parts(files))]


def _refuse_transport_options(**given: object) -> None:
    """Raise ``TypeError`` for a transport option given with a backend, which ignores it."""
    for name, value in given.items():
        if value is not None:
            raise TypeError(
                f"MailClient takes no {name} together with backend=, since the backend "
                f"makes its own connections and would ignore {name}."
            )
