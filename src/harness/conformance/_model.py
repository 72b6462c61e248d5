"""The runner's vocabulary: a case result, the signals a case raises, the reference HMAC."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

__all__ = [
    "CaseFailure",
    "CaseResult",
    "NotApplicable",
    "RunStopped",
    "SigningInput",
    "Status",
    "one_line",
    "reference_signature",
    "run_check",
    "shorten",
]

Status = Literal["pass", "fail", "n/a"]


class CaseFailure(AssertionError):
    """A case did not hold; the message is the reason shown in the table."""


class NotApplicable(Exception):
    """A case does not apply to this signer or target; the message says why."""


@dataclass(frozen=True)
class CaseResult:
    """One row of the table: which suite, which case, its status and the reason."""

    suite: str
    case_id: str
    title: str
    status: Status
    reason: str
    seconds: float = 0.0


@dataclass(frozen=True)
class SigningInput:
    """What a signer is given: the ``signerInput`` object of the vector schema."""

    method: str
    uri: str
    timestamp: str
    access_key: str
    secret_key: str

    def to_json(self) -> dict[str, str]:
        return {
            "method": self.method,
            "uri": self.uri,
            "timestamp": self.timestamp,
            "access_key": self.access_key,
            "secret_key": self.secret_key,
        }


def reference_signature(secret_key: str, string_to_sign: str) -> str:
    """Signature v2 of an exact string to sign, written here from the rule alone.

    The server cases build their headers with this, not with ``ncp_signing``, so a server is
    checked against the rule rather than against the signer it may share code with.
    """
    digest = hmac.new(secret_key.encode(), string_to_sign.encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


class RunStopped(Exception):
    """A problem that makes every further case pointless: reported once, and the run ends."""


def shorten(text: str, limit: int) -> str:
    """``text`` if it fits in ``limit`` characters, else cut at a space and ended with "…".

    Never cut inside a word or an open bracket (``[Errno 2]`` is kept whole or dropped); only
    a single word longer than ``limit`` is cut where it must be.
    """
    if len(text) <= limit:
        return text
    head = text[: limit - 1]
    space = head.rfind(" ")
    if space > 0:
        head = head[:space].rstrip()
    for opening, closing in _BRACKETS:
        start = head.rfind(opening)
        if start > 0 and closing not in head[start:]:
            head = head[:start].rstrip()
    return head + "…"


_BRACKETS = (("[", "]"), ("(", ")"), ("{", "}"))


def one_line(text: str, limit: int = 200) -> str:
    """The first non-empty line of ``text``, at most ``limit`` characters."""
    line = next((part.strip() for part in text.splitlines() if part.strip()), "")
    return shorten(line, limit)


def run_check(suite: str, case_id: str, title: str, check: Callable[[], str]) -> CaseResult:
    """Run one check: its return value is the pass reason; the signals above set the status.

    Any other exception (an answer of the wrong shape, say) fails the case with a one-line
    reason naming the exception, so one broken answer never stops the run.
    """
    started = time.perf_counter()
    status: Status = "pass"
    try:
        reason = check()
    except CaseFailure as exc:
        reason, status = str(exc), "fail"
    except NotApplicable as exc:
        reason, status = str(exc), "n/a"
    except Exception as exc:
        reason, status = one_line(f"{type(exc).__name__}: {exc}"), "fail"
    return CaseResult(suite, case_id, title, status, reason, time.perf_counter() - started)
