"""Everything one fake server knows: accounts, mail store, fault plan, request log, errors."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from harness.fake._faults import FaultPlan, FaultScript
from harness.fake._store import MailStore, Progression

__all__ = ["FakeState", "RequestRecord", "system_clock_ms"]

DEFAULT_MAX_BODY_BYTES = 20 * 1024 * 1024


def system_clock_ms() -> int:
    """The system clock in epoch milliseconds."""
    return time.time_ns() // 1_000_000


@dataclass
class RequestRecord:
    """One request the fake received, with its auth outcome and the answer it got.

    ``auth`` is ``"ok"``, ``"failed"`` (401, see ``auth_check``: ``headers``, ``timestamp``,
    ``access_key``, ``signature`` or ``permission``), ``"not-required"`` (admin and health
    routes) or ``"not-checked"`` (answered before the auth check: a fault or a 413).
    ``fault`` names the scripted fault applied, if any; ``delay_ms`` is the scripted latency
    added before the request went on.
    """

    method: str
    target: str
    path: str
    headers: tuple[tuple[str, str], ...]
    received_ms: int
    body: bytes = b""
    status: int | None = None
    auth: str = "not-checked"
    auth_check: str | None = None
    access_key: str | None = None
    fault: str | None = None
    delay_ms: int = 0

    def header(self, name: str) -> str | None:
        """The first value of a header, by case-insensitive name."""
        lower = name.lower()
        return next((v for k, v in self.headers if k.lower() == lower), None)

    def to_json(self) -> dict[str, Any]:
        """The JSON form shown by ``GET /_fake/requests`` (without the body)."""
        return {
            "method": self.method,
            "target": self.target,
            "status": self.status,
            "auth": self.auth,
            "authCheck": self.auth_check,
            "accessKey": self.access_key,
            "fault": self.fault,
            "delayMs": self.delay_ms,
            "receivedMs": self.received_ms,
            "bodyBytes": len(self.body),
        }


@dataclass
class FakeState:
    """Shared by the app (on the server thread) and the :class:`FakeNcloud` handle.

    ``secrets`` maps access keys to secret keys; it and the legacy ``api_keys`` are left out
    of the ``repr``.
    """

    secrets: dict[str, str] = field(repr=False)
    clock: Callable[[], int] = system_clock_ms
    debug: bool = False
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    max_file_bytes: int = 10 * 1024 * 1024
    api_keys: frozenset[str] = field(default=frozenset(), repr=False)
    denied_keys: frozenset[str] = frozenset()
    unsubscribed_accounts: frozenset[str] = frozenset()
    progression: Progression = field(default_factory=Progression)
    groups: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.lock = threading.Lock()
        self.store = MailStore(self.progression, self.groups)
        self.initial_faults = FaultScript()
        self.plan = FaultPlan()
        self.log: list[RequestRecord] = []
        self.errors: list[BaseException] = []

    def now_ms(self) -> int:
        """Server time: the clock plus the fault script's clock offset."""
        return self.clock() + self.plan.script.clock_offset_ms

    def set_faults(self, script: FaultScript) -> None:
        self.plan = FaultPlan(script)

    def record(self, entry: RequestRecord) -> None:
        with self.lock:
            self.log.append(entry)

    def requests(self) -> list[RequestRecord]:
        with self.lock:
            return list(self.log)

    def add_error(self, error: BaseException) -> None:
        with self.lock:
            self.errors.append(error)

    def take_errors(self) -> list[BaseException]:
        with self.lock:
            errors, self.errors = self.errors, []
        return errors

    def set_initial_faults(self, script: FaultScript) -> None:
        """The script the server starts with, restored by every reset; applied now."""
        self.initial_faults = script
        self.set_faults(script)

    def reset(self) -> None:
        """Forget mail, files, the log and errors; restore the initial fault script."""
        self.store.reset()
        self.plan = FaultPlan(self.initial_faults)
        with self.lock:
            self.log.clear()
            self.errors.clear()

    def add_credentials(self, pairs: Iterable[tuple[str, str]]) -> None:
        self.secrets.update(pairs)
