"""``FakeNcloud``: the fake gateway and mailer served by uvicorn on a loopback thread."""

from __future__ import annotations

import logging
import socket
from collections.abc import Callable, Iterable, Mapping
from types import TracebackType
from typing import Any

from harness._serving import BackgroundServer
from harness.fake._app import create_app
from harness.fake._faults import FaultScript, coerce_script
from harness.fake._state import DEFAULT_MAX_BODY_BYTES, FakeState, RequestRecord, system_clock_ms
from harness.fake._store import Advance, MailRequestRecord, Progression, SentMail
from harness.fake._tls import LoopbackTls
from ncp_config import is_loopback
from ncp_signing import Credentials

__all__ = ["FakeNcloud", "FakeServerError"]

_START_TIMEOUT_S = 10.0


class FakeServerError(RuntimeError):
    """The fake failed to start, or a request raised on the server thread."""


def base_url(scheme: str, host: str, port: int) -> str:
    """``scheme://host:port``, with an IPv6 address in brackets (``http://[::1]:8080``)."""
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"{scheme}://{host}:{port}"


def bind_failure(host: str, port: int) -> str | None:
    """Why a listening socket cannot be bound to ``host``:``port`` (``None`` if it can).

    uvicorn logs the reason and exits, so after a failed start the fake binds once itself to
    tell the caller why, such as ``address already in use``.
    """
    try:
        infos = socket.getaddrinfo(
            host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )
    except socket.gaierror as exc:
        return f"the host {host!r} does not resolve ({_lower(exc.strerror)})"
    except (OverflowError, UnicodeError, ValueError) as exc:
        return f"the host {host!r} cannot be used ({_lower(str(exc))})"
    for family, kind, proto, _, address in infos:
        try:
            with socket.socket(family, kind, proto) as probe:
                if hasattr(socket, "SO_REUSEADDR"):
                    probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                probe.bind(address)
        except OSError as exc:
            return _lower(exc.strerror or str(exc))
    return None


class _QuietStartupErrors(logging.Filter):
    """Drop uvicorn's own "could not bind" line: :class:`FakeServerError` gives the reason."""

    message = ""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno >= logging.ERROR and record.funcName == "startup":
            self.message = _lower(record.getMessage())
            return False
        return True


def _lower(text: str | None) -> str:
    text = (text or "unknown error").rstrip(".")
    return text[:1].lower() + text[1:]


CredentialsLike = Credentials | tuple[str, str]


class FakeNcloud:
    """A fake NCloud API Gateway and Cloud Outbound Mailer v1 on a real loopback socket.

    Use it as a context manager (``with FakeNcloud(credentials=...) as fake:``) or call
    :meth:`start` and :meth:`stop`. ``fake.url`` is the base URL (add ``/api/v1/mails``).
    Every request must be signed with one of ``credentials``; ``debug=True`` adds the
    string to sign the server expected and the failed check to a 401 (loopback only).

    ``tls=True`` serves HTTPS with a throwaway certificate that clients trust through
    :attr:`ca_file`, so a test can exercise what TLS costs and how the client verifies it.

    ``advance``, ``step_ms``, ``failed`` and ``unsubscribed`` set how statuses move (see
    :class:`~harness.fake.Progression`); ``groups`` maps address book group names to
    addresses for ``recipientGroupFilter``; ``clock`` (epoch ms) replaces the system clock.
    """

    def __init__(
        self,
        *,
        credentials: Iterable[CredentialsLike] | CredentialsLike = (),
        host: str = "127.0.0.1",
        port: int = 0,
        debug: bool = False,
        faults: FaultScript | Mapping[str, Any] | None = None,
        advance: Advance = "poll",
        step_ms: int = 1000,
        failed: Iterable[str] = (),
        unsubscribed: Iterable[str] = (),
        groups: Mapping[str, Iterable[str]] | None = None,
        api_keys: Iterable[str] = (),
        denied_access_keys: Iterable[str] = (),
        unsubscribed_accounts: Iterable[str] = (),
        max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
        clock: Callable[[], int] = system_clock_ms,
        tls: bool = False,
    ) -> None:
        if not isinstance(port, int) or isinstance(port, bool) or not 0 <= port <= 65535:
            raise ValueError(f"The port {port!r} is not an integer from 0 to 65535.")
        if debug and not is_loopback(host):
            raise ValueError(f"Debug mode is only allowed on a loopback host, not {host!r}.")
        self.host = host
        self.port = port
        self.credentials = _credential_list(credentials)
        progression = Progression(
            advance,
            step_ms,
            frozenset(a.lower() for a in failed),
            frozenset(a.lower() for a in unsubscribed),
        )
        self._state = FakeState(
            secrets={c.access_key: c.secret_key for c in self.credentials},
            clock=clock,
            debug=debug,
            max_body_bytes=max_body_bytes,
            api_keys=frozenset(api_keys),
            denied_keys=frozenset(denied_access_keys),
            unsubscribed_accounts=frozenset(unsubscribed_accounts),
            progression=progression,
            groups={k: tuple(v) for k, v in (groups or {}).items()},
        )
        self._state.set_initial_faults(coerce_script(faults))
        self._server: BackgroundServer | None = None
        self._thread_error: BaseException | None = None
        self._tls_wanted = tls
        self._tls: LoopbackTls | None = None

    def __repr__(self) -> str:
        where = self.url if self._server is not None else "not started"
        return f"FakeNcloud({where}, {len(self.credentials)} credentials)"

    @property
    def credential(self) -> Credentials:
        """The first configured credentials (the usual single test key)."""
        if not self.credentials:
            raise FakeServerError("This fake has no credentials.")
        return self.credentials[0]

    @property
    def url(self) -> str:
        """The base URL, such as ``http://127.0.0.1:54321`` (``https`` with ``tls=True``)."""
        if self._server is None:
            raise FakeServerError("The fake server is not running; use it as a context manager.")
        scheme = "https" if self._tls is not None else "http"
        return base_url(scheme, self.host, self.port)

    @property
    def ca_file(self) -> str:
        """The PEM file of the CA that signed the server certificate (``tls=True`` only)."""
        if self._tls is None:
            raise FakeServerError("The fake server is not serving TLS; pass tls=True.")
        return str(self._tls.ca_file)

    @property
    def progression(self) -> Progression:
        """How statuses move; its fields may be changed while the server runs."""
        return self._state.progression

    def start(self) -> FakeNcloud:
        """Start serving on a background thread; return once the socket is listening."""
        tls: dict[str, Any] = {}
        if self._tls_wanted:
            self._tls = LoopbackTls()
            tls = {"ssl_certfile": self._tls.cert_file, "ssl_keyfile": self._tls.key_file}
        server = BackgroundServer(
            create_app(self._state),
            host=self.host,
            port=self.port,
            name="fake-ncloud",
            start_timeout=_START_TIMEOUT_S,
            lifespan="off",
            ws="none",
            http="h11",
            date_header=False,
            server_header=False,
            **tls,
        )
        quiet = _QuietStartupErrors()
        uvicorn_log = logging.getLogger("uvicorn.error")
        uvicorn_log.addFilter(quiet)
        try:
            server.start()
        except RuntimeError as exc:
            self._close_tls()
            where = base_url("", self.host, self.port).removeprefix("://")
            reason = bind_failure(self.host, self.port)
            reason = reason or quiet.message or "the server thread ended"
            because = f": {reason}"
            raise FakeServerError(f"The fake server did not start on {where}{because}.") from (
                exc.__cause__
            )
        finally:
            uvicorn_log.removeFilter(quiet)
        self.port = server.port
        self._server = server
        return self

    def stop(self) -> None:
        """Stop the server and wait for its thread; raise any error seen on that thread."""
        if self._server is not None:
            self._server.stop(timeout=_START_TIMEOUT_S, grace=0.5)
            self._thread_error = self._server.error
        self._server = None
        self._close_tls()
        self.raise_errors()

    def _close_tls(self) -> None:
        if self._tls is not None:
            self._tls.close()
            self._tls = None

    def __enter__(self) -> FakeNcloud:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc is None:
            self.stop()
            return
        self._state.take_errors()
        self.stop()

    def raise_errors(self) -> None:
        """Raise :class:`FakeServerError` for the first error a request raised on the server."""
        errors = self._state.take_errors()
        if self._thread_error is not None:
            errors.insert(0, self._thread_error)
            self._thread_error = None
        if errors:
            raise FakeServerError(
                f"The fake server raised {len(errors)} error(s); the first: {errors[0]!r}."
            ) from errors[0]

    # Inspection -----------------------------------------------------------------------

    @property
    def mails(self) -> list[SentMail]:
        """Every accepted mail, one entry per recipient, parameters substituted."""
        return self._state.store.all_mails()

    @property
    def mail_requests(self) -> list[MailRequestRecord]:
        """Every accepted createMailRequest, with its body exactly as received."""
        with self._state.store._lock:
            return list(self._state.store.requests)

    @property
    def requests(self) -> list[RequestRecord]:
        """Every request received, in order, with its auth outcome and status."""
        return self._state.requests()

    def reset(self) -> None:
        """Forget mail, files, the request log and errors; restore the initial fault script."""
        self._state.reset()

    # Faults -----------------------------------------------------------------------------

    @property
    def faults(self) -> FaultScript:
        """The fault script in force."""
        return self._state.plan.script

    @faults.setter
    def faults(self, script: FaultScript | Mapping[str, Any] | None) -> None:
        self.set_faults(script)

    def set_faults(self, script: FaultScript | Mapping[str, Any] | None) -> None:
        """Replace the fault script (a :class:`FaultScript`, its JSON form, or ``None``)."""
        self._state.set_faults(coerce_script(script))

    def auth(self, credentials: Credentials | None = None) -> Any:
        """A ``requests`` auth signing with ``credentials`` (default: the first configured)."""
        from ncp_signing.requests_auth import NcpAuth

        return NcpAuth(credentials or self.credential)


def _credential_list(value: Iterable[CredentialsLike] | CredentialsLike) -> list[Credentials]:
    if isinstance(value, Credentials):
        return [value]
    if isinstance(value, tuple) and len(value) == 2 and all(isinstance(v, str) for v in value):
        return [Credentials(str(value[0]), str(value[1]))]
    result: list[Credentials] = []
    for item in value:
        if isinstance(item, Credentials):
            result.append(item)
        else:
            result.append(Credentials(str(item[0]), str(item[1])))
    return result
