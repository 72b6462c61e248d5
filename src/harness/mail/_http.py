"""Signed JSON over one pooled ``requests.Session``: retries, skew correction, typed errors.

Each attempt goes through ``requests`` from the start, so :class:`ncp_signing.NcpAuth` signs
it again with a fresh timestamp from an :class:`OffsetClock`. Redirects are never followed:
signing headers must not travel to another host. When the gateway answers 401 (``errorCode``
200) with a ``Date`` header more than a threshold away from the timestamp that attempt signed,
the offset is learned, the request is signed again and sent once more, and every later request
uses the corrected clock. Every successful answer's ``Date`` is read the same way, so a clock
that drifts (or was never refused) is corrected too. An attempt signed before another thread
corrected the clock is signed again too, so that threads that start together all get through.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

import requests
import urllib3.exceptions
from requests.adapters import HTTPAdapter

from harness.mail._apierror import SignedRequest, error_from_answer
from harness.mail._errors import AuthenticationError, MailConnectionError, ResponseFormatError
from harness.mail._retry import RetryPolicy, parse_retry_after
from harness.mail._sent import failure_reason, request_was_sent
from ncp_signing import TIMESTAMP_HEADER, Credentials, Signer, epoch_millis
from ncp_signing.requests_auth import NcpAuth

__all__ = ["DEFAULT_SKEW_THRESHOLD_MS", "OffsetClock", "SignedHttp", "measure_skew"]

DEFAULT_SKEW_THRESHOLD_MS = 30_000
_MIN_TIMEOUT = 0.001
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

    def replace_offset(self, expected_ms: int, offset_ms: int) -> bool:
        """Set the correction to ``offset_ms`` only if it is still ``expected_ms``.

        Returns whether it was replaced; when two threads learn the offset at once, the first
        one wins and the other keeps the first one's value.
        """
        with self._lock:
            if self._offset_ms != expected_ms:
                return False
            self._offset_ms = int(offset_ms)
            return True


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


def _host_of(url: str) -> str:
    """The host (and port, when given) of ``url``, never any user or password in it."""
    parts = urlsplit(url)
    host = parts.hostname or "?"
    if ":" in host:
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError:
        port = None
    return host if port is None else f"{host}:{port}"


def _shown_url(url: str) -> str:
    """``url`` as scheme, host, port and path: no user, password, query or fragment."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{_host_of(url)}{parts.path.rstrip('/')}"


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


@dataclass(frozen=True)
class _Call:
    """One API call, as every attempt of it sends it."""

    method: str
    path: str
    params: Sequence[tuple[str, str]] | None
    body: Mapping[str, Any] | None
    files: Sequence[tuple[str, FileTuple]] | None


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
        self._host = _host_of(self.base_url)
        self._shown_url = _shown_url(self.base_url)
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
        """Send with retries; return the decoded JSON (``None`` for an empty body).

        The whole call, retries and waits included, fits the retry deadline: each attempt's
        timeouts are cut to the time left, and no retry starts with less time left than
        the connect timeout.
        """
        request = _Call(method, path, params, body, files)

        def attempt(remaining: Callable[[], float]) -> Any:
            return self._attempt_correcting_skew(request, remaining)

        return self.retry.run(attempt, replay_safe=replay_safe, min_attempt=self.timeout[0])

    def _attempt_correcting_skew(self, request: _Call, remaining: Callable[[], float]) -> Any:
        used = self.clock.offset_ms
        try:
            return self._attempt(request, remaining())
        except AuthenticationError as error:
            if not self._should_sign_again(error, used) or remaining() < self.timeout[0]:
                raise
        return self._attempt(request, remaining())

    def _should_sign_again(self, error: AuthenticationError, used_offset_ms: int) -> bool:
        """After a 401/200: whether signing again with the clock now in force can help.

        ``used_offset_ms`` is the correction in force when this attempt was signed. If
        another thread has changed it since, this attempt was signed with a stale clock:
        sign again. Otherwise, if the server's ``Date`` is more than the threshold away from
        the timestamp this attempt signed, learn the difference and sign again. Either way
        at most once per attempt.
        """
        if error.gateway_code != "200" or error.mailer_code is not None:
            return False
        if self.clock.offset_ms != used_offset_ms:
            return True
        skew = error.clock_skew_ms
        if skew is None or abs(skew) <= self.skew_threshold_ms:
            return False
        # If another thread learned an offset meanwhile, its value stands: sign with it.
        self.clock.replace_offset(used_offset_ms, used_offset_ms + skew)
        return True

    def _attempt(self, request: _Call, remaining: float) -> Any:
        method, path = request.method, request.path
        body = request.body
        data = None if body is None else json.dumps(body, ensure_ascii=False).encode("utf-8")
        headers = {"Accept": "application/json", "User-Agent": _USER_AGENT}
        if data is not None:
            headers["Content-Type"] = "application/json; charset=UTF-8"
        left = max(remaining, _MIN_TIMEOUT)
        connect, read = self.timeout
        deadline = time.monotonic() + left
        used = self.clock.offset_ms
        try:
            response = self.session.request(
                method,
                self.base_url + path,
                params=request.params,
                data=data,
                files=request.files,
                headers=headers,
                auth=self._auth,
                timeout=(min(connect, left), min(read, left)),
                allow_redirects=False,
                stream=True,
            )
        except requests.RequestException as exc:
            sent = request_was_sent(exc)
            phase = "after sending" if sent else "before sending"
            raise MailConnectionError(
                f"{method} {path} to {self._host} failed {phase}: {failure_reason(exc)}.",
                request_sent=sent,
            ) from exc
        try:
            content = _read_within(response, deadline)
        except (
            requests.RequestException,
            urllib3.exceptions.HTTPError,
            OSError,
        ) as exc:
            raise ResponseFormatError(
                f"The answer to {method} {path} (HTTP {response.status_code}) was cut short.",
                http_status=response.status_code,
            ) from exc
        finally:
            response.close()
        if response.status_code in (200, 201, 202, 204):
            self._learn_skew(response, used)
            return _decode(content, method, path, response.status_code)
        raise self._error(response, content, method, path)

    def _learn_skew(self, response: requests.Response, used_offset_ms: int) -> None:
        """Correct the clock from a successful answer's ``Date`` when it is over the threshold.

        ``used_offset_ms`` is the correction in force when the attempt was signed; if another
        thread has changed it since, its value stands (as after a 401).
        """
        timestamp = response.request.headers.get(TIMESTAMP_HEADER)
        if not timestamp or not timestamp.isdigit():
            return
        skew = measure_skew(response.headers.get("date"), int(timestamp))
        if skew is None or abs(skew) <= self.skew_threshold_ms:
            return
        self.clock.replace_offset(used_offset_ms, used_offset_ms + skew)

    def _error(
        self, response: requests.Response, content: bytes, method: str, path: str
    ) -> Exception:
        prepared = response.request
        timestamp = prepared.headers.get(TIMESTAMP_HEADER)
        signed = SignedRequest(
            method=prepared.method or method,
            target=prepared.path_url,
            timestamp=timestamp,
            access_key_hint=self._access_key_hint,
        )
        signed_ms = int(timestamp) if timestamp and timestamp.isdigit() else None
        return error_from_answer(
            status=response.status_code,
            headers=response.headers,
            content=content,
            method=method,
            path=path,
            retry_after=parse_retry_after(response.headers.get("retry-after")),
            signed=signed,
            clock_skew_ms=(
                None if signed_ms is None else measure_skew(response.headers.get("date"), signed_ms)
            ),
            url=self._shown_url + path,
        )


def _read_within(response: requests.Response, deadline: float) -> bytes:
    """The whole body, or ``TimeoutError`` once the deadline (``time.monotonic``) passes.

    The read timeout bounds each wait for data only; an answer trickled slowly enough could
    otherwise keep an attempt going for as long as the server likes.
    """
    read1 = getattr(response.raw, "read1", None)
    if read1 is None:  # an adapter that gives the body at once
        return response.content
    parts: list[bytes] = []
    while chunk := read1(65536, decode_content=True):
        parts.append(chunk)
        if time.monotonic() > deadline:
            raise TimeoutError("the answer took longer than the time left for the call")
    return b"".join(parts)


def _decode(content: bytes, method: str, path: str, status: int) -> Any:
    if not content.strip():
        return None
    try:
        return json.loads(content.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise ResponseFormatError(
            f"The answer to {method} {path} (HTTP {status}) is not JSON.", http_status=status
        ) from exc
