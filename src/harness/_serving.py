"""``BackgroundServer``: an ASGI app served by uvicorn on a thread, for the fake and the service."""

from __future__ import annotations

import threading
import time
from types import TracebackType
from typing import Any

import uvicorn

__all__ = ["BackgroundServer"]


class BackgroundServer:
    """Serve ``app`` with uvicorn on ``host``:``port`` (0 picks a free port) in a thread.

    Used by the fake NCloud server, and by the mail service in the demo, the tests and the
    benchmark (``ncp-harness serve`` runs uvicorn in the foreground instead). Extra keyword
    arguments go to ``uvicorn.Config``. An exception that ends the serving thread is kept in
    :attr:`error` and chained to the error :meth:`start` raises.
    """

    def __init__(
        self,
        app: Any,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        name: str = "mail-service",
        start_timeout: float = 10.0,
        **options: Any,
    ) -> None:
        self.host = host
        self.port = port
        self.start_timeout = start_timeout
        options = {"log_level": "warning", "access_log": False, "lifespan": "on", **options}
        self._server = uvicorn.Server(uvicorn.Config(app, host=host, port=port, **options))
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self.error: BaseException | None = None

    def _run(self) -> None:
        try:
            self._server.run()
        except BaseException as exc:  # kept for start() and for the owner to report
            self.error = exc

    def __repr__(self) -> str:
        return f"BackgroundServer({self.host}:{self.port})"

    @property
    def url(self) -> str:
        """The base URL, such as ``http://127.0.0.1:54321``."""
        return f"http://{self.host}:{self.port}"

    def start(self) -> BackgroundServer:
        """Start serving; return once the socket listens and the app's start-up ran."""
        self._thread.start()
        deadline = time.monotonic() + self.start_timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(
                    f"The server did not start on {self.host}:{self.port}."
                ) from self.error
            time.sleep(0.005)
        self.port = self._server.servers[0].sockets[0].getsockname()[1]
        return self

    def stop(self, timeout: float = 30.0, *, grace: float = 5.0) -> None:
        """Stop serving and wait for the app's shutdown (workers finish their entries).

        Open client connections get ``grace`` seconds to close; after that they are aborted
        (a TLS connection whose client left without a ``close_notify`` would otherwise hold
        the shutdown for half a minute).
        """
        self._server.should_exit = True
        if self._thread.is_alive():
            self._thread.join(min(grace, timeout))
        if self._thread.is_alive():
            self._abort_connections()
            self._server.force_exit = True
            self._thread.join(timeout)

    def _abort_connections(self) -> None:
        for connection in list(self._server.server_state.connections):
            loop = getattr(connection, "loop", None)
            transport = getattr(connection, "transport", None)
            if loop is not None and transport is not None and not loop.is_closed():
                loop.call_soon_threadsafe(transport.abort)

    def __enter__(self) -> BackgroundServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
