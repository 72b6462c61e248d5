"""Signed JSON over one pooled ``requests.Session``: retries, skew correction, typed errors.

Each attempt goes through ``requests`` from the start, so :class:`ncp_signing.NcpAuth` signs
it again with a fresh timestamp from an :class:`OffsetClock`. Redirects are never followed:
signing headers must not travel to another host. When the gateway answers 401 (``errorCode``
200) with a ``Date`` header that shows this machine's clock off by more than a threshold, the
offset is learned, the request is signed again and sent once more, and every later request
uses the corrected clock.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable, Mapping, Sequence
from email.utils import parsedate_to_datetime
from typing import Any

import requests
import urllib3.exceptions
from requests.adapters import HTTPAdapter

from harness.mail._apierror import SignedRequest, error_from_answer
from harness.mail._errors import AuthenticationError, MailConnectionError, ResponseFormatError
from harness.mail._retry import RetryPolicy, parse_retry_after
from ncp_signing import TIMESTAMP_HEADER, Credentials, Signer, epoch_millis
from ncp_signing.requests_auth import NcpAuth

__all__ = ["DEFAULT_SKEW_THRESHOLD_MS", "OffsetClock", "SignedHttp", "measure_skew"]

DEFAULT_SKEW_THRESHOLD_MS = 30_000
_USER_AGENT = "ncp-toolkit-mail/0.1"
FileTuple = tuple[str, bytes, str]


class OffsetClock:
    """Epoch milliseconds from ``base`` plus a learned offset; safe to share between threads."""

    def __init__(self, base: Callable[[], int] = epoch_millis, offset_ms: int = 0) -> None:
        self._base = base
        self._offset_ms = offset_ms
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"OffsetClock(offset_ms={self._offset_ms})"

    def __call__(self) -> int:
        return self._base() + self._offset_ms

    @property
    def offset_ms(self) -> int:
        """The correction added to the base clock, in milliseconds."""
        return self._offset_ms

    def local_ms(self) -> int:
        """The base clock, without the correction."""
        return self._base()

    def set_offset(self, offset_ms: int) -> None:
        """Replace the correction."""
        with self._lock:
            self._offset_ms = int(offset_ms)


def measure_skew(date_header: str | None, local_ms: int) -> int | None:
    """How far the server's ``Date`` is ahead of ``local_ms`` (negative when behind), in ms.

    ``Date`` has whole seconds, so half a second is added to centre the estimate.
    """
    if not date_header:
        return None
    try:
        moment = parsedate_to_datetime(date_header)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        return None
    return int(moment.timestamp() * 1000) + 500 - local_ms


def _request_was_sent(error: requests.RequestException) -> bool:
    """False only when the connection could not be opened, so nothing reached the server."""
    if isinstance(error, requests.ConnectTimeout | requests.exceptions.SSLError):
        return False
    if isinstance(error, requests.exceptions.InvalidURL | requests.exceptions.MissingSchema):
        return False
    reason = error.args[0] if error.args else None
    if isinstance(reason, urllib3.exceptions.MaxRetryError):
        reason = reason.reason
    return not isinstance(
        reason, urllib3.exceptions.NewConnectionError | urllib3.exceptions.ConnectTimeoutError
    )


def _settle_environment(session: requests.Session, base_url: str) -> None:
    """Read proxy and CA-bundle variables once, instead of on every request.

    ``requests`` scans the whole environment per request when ``trust_env`` is on, which
    costs more than signing; the client's own session resolves it at construction.
    """
    session.proxies.update(requests.utils.get_environ_proxies(base_url))
    bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
    if bundle:
        session.verify = bundle
    session.trust_env = False


class SignedHttp:
    """Make signed calls to one base URL and return the decoded JSON of each answer."""

    def __init__(
        self,
        base_url: str,
        credentials: Credentials,
        *,
        session: requests.Session | None = None,
        timeout: tuple[float, float] = (3.05, 10.0),
        retry: RetryPolicy,
        clock: OffsetClock | None = None,
        skew_threshold_ms: int = DEFAULT_SKEW_THRESHOLD_MS,
        pool_size: int = 16,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.clock = clock or OffsetClock()
        self.retry = retry
        self.timeout = timeout
        self.skew_threshold_ms = skew_threshold_ms
        self._access_key_hint = repr(credentials.access_key[:4] + "…")
        self._auth = NcpAuth(Signer(credentials, clock=self.clock))
        self._owns_session = session is None
        if session is None:
            session = requests.Session()
            adapter = HTTPAdapter(pool_connections=4, pool_maxsize=pool_size, max_retries=0)
            session.mount("https://", adapter)
            session.mount("http://", adapter)
            _settle_environment(session, self.base_url)
        self.session = session

    def __repr__(self) -> str:
        return f"SignedHttp({self.base_url!r}, access_key={self._access_key_hint})"

    def close(self) -> None:
        """Close the session if this object created it."""
        if self._owns_session:
            self.session.close()

    def call(
        self,
        method: str,
        path: str,
        *,
        params: Sequence[tuple[str, str]] | None = None,
        body: Mapping[str, Any] | None = None,
        files: Sequence[tuple[str, FileTuple]] | None = None,
        replay_safe: bool,
    ) -> Any:
        """Send with retries; return the decoded JSON (``None`` for an empty body)."""

        def attempt() -> Any:
            return self._attempt_correcting_skew(method, path, params, body, files)

        return self.retry.call(attempt, replay_safe=replay_safe)

    def _attempt_correcting_skew(self, *args: Any) -> Any:
        try:
            return self._attempt(*args)
        except AuthenticationError as error:
            if not self._learn_offset(error):
                raise
        return self._attempt(*args)

    def _learn_offset(self, error: AuthenticationError) -> bool:
        skew = error.clock_skew_ms
        if error.gateway_code != "200" or skew is None:
            return False
        if abs(skew - self.clock.offset_ms) <= self.skew_threshold_ms:
            return False
        self.clock.set_offset(skew)
        return True

    def _attempt(
        self,
        method: str,
        path: str,
        params: Sequence[tuple[str, str]] | None,
        body: Mapping[str, Any] | None,
        files: Sequence[tuple[str, FileTuple]] | None,
    ) -> Any:
        data = None if body is None else json.dumps(body, ensure_ascii=False).encode("utf-8")
        headers = {"Accept": "application/json", "User-Agent": _USER_AGENT}
        if data is not None:
            headers["Content-Type"] = "application/json; charset=UTF-8"
        try:
            response = self.session.request(
                method,
                self.base_url + path,
                params=params,
                data=data,
                files=files,
                headers=headers,
                auth=self._auth,
                timeout=self.timeout,
                allow_redirects=False,
                stream=True,
            )
        except requests.RequestException as exc:
            sent = _request_was_sent(exc)
            phase = "after sending" if sent else "before sending"
            raise MailConnectionError(
                f"{method} {path} failed {phase}: {type(exc).__name__}.", request_sent=sent
            ) from exc
        local_ms = self.clock.local_ms()
        try:
            content = response.content
        except requests.RequestException as exc:
            raise ResponseFormatError(
                f"The answer to {method} {path} (HTTP {response.status_code}) was cut short.",
                http_status=response.status_code,
            ) from exc
        finally:
            response.close()
        if response.status_code in (200, 201, 202, 204):
            return _decode(content, method, path, response.status_code)
        raise self._error(response, content, method, path, local_ms)

    def _error(
        self, response: requests.Response, content: bytes, method: str, path: str, local_ms: int
    ) -> Exception:
        prepared = response.request
        signed = SignedRequest(
            method=prepared.method or method,
            target=prepared.path_url,
            timestamp=prepared.headers.get(TIMESTAMP_HEADER),
            access_key_hint=self._access_key_hint,
        )
        return error_from_answer(
            status=response.status_code,
            headers=response.headers,
            content=content,
            method=method,
            path=path,
            retry_after=parse_retry_after(response.headers.get("retry-after")),
            signed=signed,
            clock_skew_ms=measure_skew(response.headers.get("date"), local_ms),
        )


def _decode(content: bytes, method: str, path: str, status: int) -> Any:
    if not content.strip():
        return None
    try:
        return json.loads(content.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise ResponseFormatError(
            f"The answer to {method} {path} (HTTP {status}) is not JSON.", http_status=status
        ) from exc
