"""Where the protocol cases run: a fake started in process, or a base URL with real credentials."""

from __future__ import annotations

import ssl
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timezone
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

import requests

from harness.conformance._model import CaseFailure, RunStopped, reference_signature
from harness.fake import FakeNcloud
from harness.mail._sent import _chain
from ncp_config import mask
from ncp_signing import Credentials

__all__ = ["FAKE", "Target", "fake_target", "url_target"]

FAKE_NOW = 1521787414578
WINDOW_MS = 300_000
LIST = "/api/v1/mails/requests?startUtc=0&endUtc=9999999999999"


class FAKE:
    """The accounts the in-process fake is started with, one per gateway or mailer outcome."""

    main = Credentials("test-access-key", "test-secret-key")
    denied = Credentials("denied-access-key", "denied-secret-key")
    unsubscribed = Credentials("no-mail-access-key", "no-mail-secret-key")
    api_key = "test-api-key"


@dataclass
class Target:
    """A base URL, the credentials to sign with, and what the cases may do there."""

    url: str
    credentials: Credentials
    fake: FakeNcloud | None = None
    allow_send: bool = False
    to: str | None = None
    sender: str | None = None
    margin_ms: int = 1
    fixed_now: int | None = None
    offset_ms: int = 0
    timeout: float = 10.0
    verify: bool | str = True
    http: requests.Session = field(default_factory=requests.Session)

    @property
    def label(self) -> str:
        return "fake" if self.fake is not None else self.url

    def now_ms(self) -> int:
        """The server's clock: fixed for the fake, else local time plus the measured offset."""
        if self.fixed_now is not None:
            return self.fixed_now
        return int(time.time() * 1000) + self.offset_ms

    def headers(
        self,
        method: str,
        target: str,
        *,
        stamp: int | None = None,
        credentials: Credentials | None = None,
        signed_stamp: int | None = None,
        signed_target: str | None = None,
        signed_method: str | None = None,
    ) -> dict[str, str]:
        """The three signing headers, built from the rule (optionally signing something else)."""
        creds = credentials or self.credentials
        sent = str(self.now_ms() if stamp is None else stamp)
        signed = sent if signed_stamp is None else str(signed_stamp)
        text = f"{signed_method or method} {signed_target or target}\n{signed}\n{creds.access_key}"
        return {
            "x-ncp-apigw-timestamp": sent,
            "x-ncp-iam-access-key": creds.access_key,
            "x-ncp-apigw-signature-v2": reference_signature(creds.secret_key, text),
        }

    def call(
        self, method: str, target: str, headers: dict[str, str], **kwargs: Any
    ) -> requests.Response:
        """Send one request to ``url + target`` exactly as given; never follow a redirect."""
        try:
            return self.send(method, target, headers, **kwargs)
        except requests.RequestException as exc:
            raise CaseFailure(f"{method} {target[:40]} failed: {type(exc).__name__}") from exc

    def send(
        self, method: str, target: str, headers: dict[str, str], **kwargs: Any
    ) -> requests.Response:
        """:meth:`call`, but a failed connection raises the ``requests`` exception itself."""
        return self.http.request(
            method,
            self.url + target,
            headers=headers,
            timeout=self.timeout,
            allow_redirects=False,
            verify=self.verify,
            **kwargs,
        )

    def signed(self, method: str, target: str, **kwargs: Any) -> requests.Response:
        """Send a correctly signed request."""
        return self.call(method, target, self.headers(method, target), **kwargs)

    def close(self) -> None:
        self.http.close()


@contextmanager
def fake_target() -> Iterator[Target]:
    """Start a fake whose clock stands still, with the accounts in :data:`FAKE`."""
    fake = FakeNcloud(
        credentials=[FAKE.main, FAKE.denied, FAKE.unsubscribed],
        api_keys=[FAKE.api_key],
        denied_access_keys=[FAKE.denied.access_key],
        unsubscribed_accounts=[FAKE.unsubscribed.access_key],
        clock=lambda: FAKE_NOW,
    )
    with fake:
        target = Target(
            fake.url,
            FAKE.main,
            fake=fake,
            allow_send=True,
            to="to@example.com",
            sender="sender@example.com",
            fixed_now=FAKE_NOW,
        )
        try:
            yield target
        finally:
            target.close()


@contextmanager
def url_target(
    url: str,
    credentials: Credentials,
    *,
    sender: str | None,
    allow_send: bool = False,
    to: str | None = None,
    ca_file: str | None = None,
    check_credentials: bool = True,
) -> Iterator[Target]:
    """A real endpoint: skew cases keep 15 s from the window edges, around the server's clock.

    On entry one unsigned and one signed read check that the endpoint answers and accepts the
    credentials (the signed one only with ``check_credentials``); otherwise
    :class:`RunStopped` says which. ``ca_file`` is a PEM bundle to trust
    instead of the default one (which ``REQUESTS_CA_BUNDLE`` replaces, as in requests).
    """
    target = Target(
        url.rstrip("/"),
        credentials,
        allow_send=allow_send and to is not None,
        to=to,
        sender=sender,
        margin_ms=15_000,
        verify=ca_file or True,
    )
    try:
        target.offset_ms = _clock_offset(target)
        if check_credentials:
            _check_credentials(target)
        yield target
    finally:
        target.close()


def _clock_offset(target: Target) -> int:
    """The server clock minus ours, from the ``Date`` header of an unsigned request."""
    before = time.time()
    answer = _reach(target, {})
    return offset_from_date(answer.headers.get("Date"), (before + time.time()) / 2)


def _check_credentials(target: Target) -> None:
    """One signed read: a 401 or 403 means every signed case would be rejected too."""
    answer = _reach(target, target.headers("GET", LIST))
    if answer.status_code in (401, 403):
        key = mask(target.credentials.access_key, secret=False)
        raise RunStopped(
            f"the gateway at {target.url} rejected the credentials of access key {key} "
            f"(HTTP {answer.status_code}); check the settings chain or --profile"
        )


def _reach(target: Target, headers: dict[str, str]) -> requests.Response:
    """``GET`` the list endpoint; a failed connection stops the run with one sentence."""
    try:
        return target.send("GET", LIST, headers)
    except requests.exceptions.SSLError as exc:
        if not _untrusted_certificate(exc):
            raise RunStopped(
                f"cannot connect to {_host(target.url)} over TLS: the TLS handshake failed "
                "(is it an https port, and is --ca-file a PEM certificate?)"
            ) from None
        raise RunStopped(
            f"cannot connect to {_host(target.url)} over TLS: its certificate is not trusted "
            "(pass --ca-file with the CA that signed it, or set REQUESTS_CA_BUNDLE)"
        ) from None
    except requests.Timeout:
        raise RunStopped(
            f"cannot connect to {_host(target.url)}: no answer within {target.timeout:g} s"
        ) from None
    except requests.RequestException as exc:
        raise RunStopped(f"cannot connect to {_host(target.url)} ({type(exc).__name__})") from None


def _untrusted_certificate(error: BaseException) -> bool:
    """Whether an :class:`ssl.SSLCertVerificationError` is among the causes of ``error``."""
    return any(isinstance(item, ssl.SSLCertVerificationError) for item in _chain(error))


def _host(url: str) -> str:
    parts = urlsplit(url)
    return parts.netloc.rpartition("@")[2] or url


def offset_from_date(date: str | None, local: float) -> int:
    """Milliseconds from ``local`` (epoch seconds) to an HTTP ``Date``; 0 when it is unreadable."""
    if not date:
        return 0
    try:
        server = parsedate_to_datetime(date)
    except (TypeError, ValueError):
        return 0
    if server.tzinfo is None:  # '-0000' or no zone: HTTP dates are GMT
        server = server.replace(tzinfo=timezone.utc)
    return int((server.timestamp() - local) * 1000)
