"""``WorkerPool``: threads that run :func:`drain_once` until told to stop."""

from __future__ import annotations

import threading
from types import TracebackType

from harness._log import logger
from harness.outbox._drain import DrainPolicy, drain_once
from harness.outbox._outbox import Outbox
from harness.outbox._owner import new_owner
from harness.outbox._transport import ClientTransport, MailTransport

__all__ = ["WorkerPool"]


class WorkerPool:
    """``workers`` threads draining ``outbox`` through ``transport``.

    An idle worker sleeps until a submit in this process wakes it, or ``idle_wait`` seconds
    pass (entries waiting for a retry or a lookup become due with time, and other processes
    may submit). :meth:`stop` lets every worker finish the entry in its hands; an entry
    whose worker does not finish in time stays claimed and is freed by the lease. With a
    :class:`~harness.outbox.ClientTransport`, a ``policy`` whose lease is not longer than
    the client's retry deadline raises ``ValueError`` (see :meth:`DrainPolicy.check_lease`).
    """

    def __init__(
        self,
        outbox: Outbox,
        transport: MailTransport,
        *,
        workers: int = 4,
        policy: DrainPolicy | None = None,
        idle_wait: float = 0.25,
        name: str = "outbox-worker",
    ) -> None:
        if workers < 1:
            raise ValueError(f"workers must be at least 1, not {workers}.")
        self.outbox = outbox
        self.transport = transport
        self.workers = workers
        self.policy = policy or DrainPolicy()
        if isinstance(transport, ClientTransport):
            self.policy.check_lease(transport.send_deadline)
        self.idle_wait = idle_wait
        self.name = name
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def __repr__(self) -> str:
        return f"WorkerPool({self.outbox!r}, workers={self.workers}, alive={self.alive})"

    def __enter__(self) -> WorkerPool:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def alive(self) -> int:
        """How many worker threads are running."""
        return sum(1 for thread in self._threads if thread.is_alive())

    def start(self) -> WorkerPool:
        """Start the threads (once)."""
        if self._threads:
            raise RuntimeError("This worker pool was already started.")
        for index in range(self.workers):
            thread = threading.Thread(target=self._run, name=f"{self.name}-{index}", daemon=True)
            self._threads.append(thread)
            thread.start()
        return self

    def stop(self, timeout: float = 30.0) -> bool:
        """Ask every worker to stop after its current entry; ``True`` if all stopped in time."""
        self._stop.set()
        self.outbox.wake()
        for thread in self._threads:
            thread.join(timeout)
        return self.alive == 0

    def _run(self) -> None:
        owner = new_owner(self.name)
        while not self._stop.is_set():
            try:
                busy = drain_once(self.outbox, self.transport, owner=owner, policy=self.policy)
            except Exception:
                logger.exception("An outbox worker failed; it goes on after a pause")
                busy = False
            if not busy and not self._stop.is_set():
                self.outbox.wait_for_work(self.idle_wait)
