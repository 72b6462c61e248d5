"""Scripted faults: latency, throttling, gateway errors, resets, truncated bodies, clock offset.

A :class:`FaultScript` is plain data (it round-trips through JSON); the server turns it into
a :class:`FaultPlan`, which keeps the remaining counts and a seeded random generator, so a
script with probabilities gives the same sequence of faults on every run.
"""

from __future__ import annotations

import fnmatch
import json
import math
import random
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal, NoReturn

__all__ = ["MAX_CLOCK_OFFSET_MS", "Fault", "FaultKind", "FaultScript", "InvalidFaultScriptError"]

FaultKind = Literal["latency", "throttle", "error", "reset", "truncate"]

_KINDS: tuple[str, ...] = ("latency", "throttle", "error", "reset", "truncate")
THROTTLE_CODES = {"400": "Quota Exceeded", "410": "Throttle Limited", "420": "Rate Limited"}
ERROR_CODES = {
    500: ("900", "Unexpected Error"),
    503: ("500", "Endpoint Error"),
    504: ("510", "Endpoint Timeout"),
}


MAX_CLOCK_OFFSET_MS = 3650 * 24 * 3600 * 1000
"""The largest clock offset a script may set (3650 days either way), so server dates stay valid."""


class InvalidFaultScriptError(ValueError):
    """A fault script (Python, JSON file or admin route) has an unknown or invalid field."""


@dataclass(frozen=True)
class Fault:
    """One scripted fault, applied to requests whose method and path match.

    ``path`` is a pattern on the path without the query, matched one ``/``-separated segment at
    a time: in a segment ``*``, ``?`` and ``[...]`` are shell-style wildcards that never cross a
    ``/`` (``"/api/*/mails"`` matches ``/api/v1/mails``, not ``/api/v1/mails/requests/1/mails``),
    a whole segment ``**`` matches any number of segments (``"/api/v1/**"``), and the pattern
    ``"*"`` alone matches every path; ``method`` is an HTTP method or ``"*"``. With ``count``
    the fault fires on the next ``count`` matching requests only; with ``probability`` each
    matching request draws from the script's seeded generator; with both, it fires at random
    until ``count`` is used up; with neither, it fires on every matching request.

    Kinds: ``latency`` waits ``delay_ms`` and lets the request go on (it combines with one
    other fault); ``throttle`` answers 429 with gateway sub-code ``code`` (``"400"`` quota,
    ``"410"`` throttle, ``"420"`` rate) and a ``Retry-After`` of ``retry_after`` seconds (no
    header when ``None``); ``error`` answers ``status`` 500, 503 or 504 with the gateway's
    code (900, 500 or 510); ``reset`` closes the connection with a TCP reset before any
    response; ``truncate`` handles the request, then sends only half of the response body
    under the full ``Content-Length`` and closes the connection; its ``count`` is used only
    by a request that gets that far, not by one the gateway refuses with 401 or 413.
    """

    kind: FaultKind
    method: str = "*"
    path: str = "*"
    count: int | None = None
    probability: float | None = None
    delay_ms: int = 0
    status: int = 503
    code: str = "410"
    retry_after: int | None = 1

    def __post_init__(self) -> None:
        if self.kind not in _KINDS:
            _refuse("kind", "one of " + ", ".join(json.dumps(k) for k in _KINDS), self.kind)
        for name in ("method", "path"):
            value = getattr(self, name)
            if not isinstance(value, str) or not value:
                _refuse(name, "a non-empty string", value)
        if self.count is not None and (not _is_int(self.count) or self.count < 0):
            _refuse("count", "a non-negative integer or null", self.count)
        if self.probability is not None and (
            not _is_number(self.probability) or not 0.0 <= self.probability <= 1.0
        ):
            _refuse("probability", "a number from 0 to 1 or null", self.probability)
        if not _is_int(self.delay_ms) or self.delay_ms < 0:
            _refuse("delayMs", "a non-negative integer of milliseconds", self.delay_ms)
        if self.retry_after is not None and (not _is_int(self.retry_after) or self.retry_after < 0):
            _refuse("retryAfter", "a non-negative integer of seconds or null", self.retry_after)
        if self.kind == "throttle" and self.code not in THROTTLE_CODES:
            _refuse("code", 'one of "400", "410", "420" for a throttle', self.code)
        if self.kind == "error" and (not _is_int(self.status) or self.status not in ERROR_CODES):
            _refuse("status", "one of 500, 503, 504 for an error", self.status)

    def matches(self, method: str, path: str) -> bool:
        """Whether this fault applies to a request with this method and path."""
        method_ok = self.method == "*" or self.method.upper() == method.upper()
        return method_ok and path_matches(self.path, path)

    def to_json(self) -> dict[str, Any]:
        """The JSON form of this fault (camelCase keys, as in a fault file)."""
        return {
            "kind": self.kind,
            "method": self.method,
            "path": self.path,
            "count": self.count,
            "probability": self.probability,
            "delayMs": self.delay_ms,
            "status": self.status,
            "code": self.code,
            "retryAfter": self.retry_after,
        }


def json_spelling(value: Any, limit: int = 60) -> str:
    """``value`` as JSON writes it (``true``, ``null``, ``"3"``), cut to ``limit`` characters."""
    try:
        text = json.dumps(value, ensure_ascii=False, allow_nan=True)
    except (TypeError, ValueError, RecursionError):
        text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _refuse(name: str, expected: str, value: Any) -> NoReturn:
    raise InvalidFaultScriptError(f"{name} must be {expected}, not {json_spelling(value)}.")


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def path_matches(pattern: str, path: str) -> bool:
    """Match ``path`` against ``pattern`` segment by segment; ``**`` spans any depth."""
    if pattern == "*":
        return True
    return _segments_match(pattern.split("/"), path.split("/"))


def _segments_match(pattern: list[str], path: list[str]) -> bool:
    """One pass over the pattern, keeping every path position reachable so far.

    Time is at most len(pattern) x len(path) segment comparisons whatever the ``**`` count,
    so no pattern set through the admin route can stall the server.
    """
    reachable = [True] + [False] * len(path)
    for head in pattern:
        if head == "**":
            first = reachable.index(True)
            reachable = [index >= first for index in range(len(path) + 1)]
        else:
            reachable = [False] + [
                reachable[index] and fnmatch.fnmatchcase(segment, head)
                for index, segment in enumerate(path)
            ]
        if not any(reachable):
            return False
    return reachable[-1]


_FAULT_KEYS = {
    "kind": "kind",
    "method": "method",
    "path": "path",
    "count": "count",
    "probability": "probability",
    "delayMs": "delay_ms",
    "status": "status",
    "code": "code",
    "retryAfter": "retry_after",
}


@dataclass(frozen=True)
class FaultScript:
    """Every fault the server applies, the seed for its random draws and a clock offset.

    ``clock_offset_ms`` moves the server clock: it shifts the signature window check and the
    ``Date`` response header, so a client can measure and correct its skew.
    """

    faults: tuple[Fault, ...] = ()
    seed: int = 0
    clock_offset_ms: int = 0

    def __post_init__(self) -> None:
        for name, value in (("seed", self.seed), ("clockOffsetMs", self.clock_offset_ms)):
            if not _is_int(value):
                _refuse(name, "an integer", value)
        if abs(self.clock_offset_ms) > MAX_CLOCK_OFFSET_MS:
            raise InvalidFaultScriptError(
                f"The clock offset {self.clock_offset_ms} ms is beyond ±{MAX_CLOCK_OFFSET_MS} ms"
                " (3650 days)."
            )

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> FaultScript:
        """Build a script from its JSON form; raise :class:`InvalidFaultScriptError` if invalid."""
        if not isinstance(data, Mapping):
            raise InvalidFaultScriptError("A fault script must be a JSON object.")
        unknown = set(data) - {"faults", "seed", "clockOffsetMs"}
        if unknown:
            raise InvalidFaultScriptError(f"Unknown fault script keys: {sorted(unknown)}.")
        items = data.get("faults", [])
        if not isinstance(items, list):
            raise InvalidFaultScriptError("The fault script's 'faults' must be a list.")
        seed, offset = data.get("seed", 0), data.get("clockOffsetMs", 0)
        for name, value in (("seed", seed), ("clockOffsetMs", offset)):
            if not _is_int(value):
                _refuse(name, "an integer", value)
        return cls(tuple(_fault_from_json(item) for item in items), seed, offset)

    @classmethod
    def from_file(cls, path: str | Path) -> FaultScript:
        """Read a script from a JSON file (UTF-8, with or without a byte order mark)."""
        try:
            text = Path(path).read_text(encoding="utf-8-sig")
        except UnicodeDecodeError as exc:
            raise InvalidFaultScriptError(
                f"The fault file {str(path)!r} is not UTF-8 text."
            ) from exc
        try:
            data = json.loads(text)
        except (json.JSONDecodeError, RecursionError) as exc:
            raise InvalidFaultScriptError(f"The fault file {str(path)!r} is not JSON.") from exc
        return cls.from_json(data)

    def to_json(self) -> dict[str, Any]:
        """The JSON form of this script."""
        return {
            "seed": self.seed,
            "clockOffsetMs": self.clock_offset_ms,
            "faults": [f.to_json() for f in self.faults],
        }


def _fault_from_json(item: Any) -> Fault:
    if not isinstance(item, Mapping):
        raise InvalidFaultScriptError("Each fault must be a JSON object.")
    unknown = set(item) - set(_FAULT_KEYS)
    if unknown:
        raise InvalidFaultScriptError(f"Unknown fault keys: {sorted(unknown)}.")
    kwargs = {_FAULT_KEYS[k]: v for k, v in item.items() if v is not None or k == "retryAfter"}
    if "code" in kwargs:
        kwargs["code"] = str(kwargs["code"])
    try:
        return Fault(**kwargs)
    except TypeError as exc:
        raise InvalidFaultScriptError(f"The fault {dict(item)!r} is incomplete.") from exc


def coerce_script(script: FaultScript | Mapping[str, Any] | None) -> FaultScript:
    """Accept a script, its JSON form, or ``None`` (no faults)."""
    if script is None:
        return FaultScript()
    if isinstance(script, FaultScript):
        return script
    return FaultScript.from_json(script)


@dataclass
class Decision:
    """What the plan decided for one request: a delay and at most one other fault.

    A ``truncate`` fault's count is not used up here but by :meth:`FaultPlan.take`, once the
    request reaches the mailer, so a request the gateway itself refuses leaves it in place.
    """

    delay_ms: int = 0
    fault: Fault | None = None
    index: int | None = None


@dataclass
class FaultPlan:
    """The running state of a script: remaining counts and the seeded generator."""

    script: FaultScript = field(default_factory=FaultScript)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._remaining = [f.count for f in self.script.faults]
        self._random = random.Random(self.script.seed)

    def decide(self, method: str, path: str) -> Decision:
        """Choose the faults for one request, consuming counts (but a truncate's) and draws."""
        decision = Decision()
        with self._lock:
            for index, fault in enumerate(self.script.faults):
                if decision.fault is not None and fault.kind != "latency":
                    continue
                if not fault.matches(method, path) or not self._fires(index, fault):
                    continue
                if fault.kind == "latency":
                    decision.delay_ms += fault.delay_ms
                else:
                    decision.fault, decision.index = fault, index
        return decision

    def take(self, decision: Decision) -> bool:
        """Use up one count of the decided truncate fault; false once its count is used up."""
        if decision.index is None or decision.fault is None or decision.fault.kind != "truncate":
            return False
        with self._lock:
            remaining = self._remaining[decision.index]
            if remaining is not None:
                if remaining == 0:
                    return False
                self._remaining[decision.index] = remaining - 1
        return True

    def _fires(self, index: int, fault: Fault) -> bool:
        remaining = self._remaining[index]
        if remaining == 0:
            return False
        if fault.probability is not None and self._random.random() >= fault.probability:
            return False
        if remaining is not None and fault.kind != "truncate":
            self._remaining[index] = remaining - 1
        return True

    def with_offset(self, offset_ms: int) -> FaultPlan:
        """A fresh plan for the same faults with another clock offset."""
        return FaultPlan(replace(self.script, clock_offset_ms=offset_ms))
