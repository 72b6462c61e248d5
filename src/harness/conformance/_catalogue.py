"""The protocol cases of the conformance table (C1-C40), registered by id, and the runner over them.

A case's scope says where it may run: ``auth`` and ``read`` cases run anywhere (they only read or
are rejected at the gateway), ``send`` cases need a fake or ``--allow-send --to ADDR``, ``fake``
cases need the fake's configured accounts or fault scripts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import requests

from harness.conformance._model import CaseFailure, CaseResult, NotApplicable, run_check
from harness.conformance._target import Target

__all__ = [
    "NOT_APPLICABLE",
    "REGISTRY",
    "case",
    "expect_accepted",
    "expect_error",
    "expect_status",
    "run_protocol",
]

Scope = Literal["auth", "read", "send", "fake", "local"]
Check = Callable[[Target], str]


@dataclass(frozen=True)
class ProtocolCase:
    case_id: str
    title: str
    scope: Scope
    check: Check
    why_fake_only: str = ""


REGISTRY: dict[str, ProtocolCase] = {}

NOT_APPLICABLE = {
    "C29": (
        "Error body parsing",
        "a client parser case; the runner checks signers and servers, not an error parser",
    ),
    "C30": (
        "Credential env precedence",
        "a settings-chain case of each SDK; this project pins its order in ncp_config's tests",
    ),
    "C31": (
        "Config file sections and '=' in values",
        "a config-file parser case; this project's parser is pinned by ncp_config's tests",
    ),
}


def case(
    case_id: str, title: str, scope: Scope, why_fake_only: str = ""
) -> Callable[[Check], Check]:
    """Register a protocol case."""

    def register(check: Check) -> Check:
        REGISTRY[case_id] = ProtocolCase(case_id, title, scope, check, why_fake_only)
        return check

    return register


def run_protocol(target: Target) -> list[CaseResult]:
    """Run every registered case that applies to ``target``; list the others as n/a."""
    suite = f"protocol:{target.label}"
    results = []
    for number in range(1, 41):
        case_id = f"C{number}"
        if case_id in NOT_APPLICABLE:
            title, why = NOT_APPLICABLE[case_id]
            results.append(CaseResult(suite, case_id, title, "n/a", why))
        elif case_id in REGISTRY:
            entry = REGISTRY[case_id]
            results.append(run_check(suite, case_id, entry.title, _guarded(entry, target)))
    return results


def _guarded(entry: ProtocolCase, target: Target) -> Callable[[], str]:
    def check() -> str:
        if target.fake is None and entry.scope == "fake":
            raise NotApplicable(entry.why_fake_only or "needs the fake's configured accounts")
        if entry.scope == "send" and not target.allow_send:
            raise NotApplicable("sends mail to a real endpoint; pass --allow-send --to ADDR")
        if entry.scope == "send" and not target.sender:
            raise NotApplicable("no mail sender address in the settings (mail_sender_address)")
        return entry.check(target)

    return check


def expect_status(answer: requests.Response, status: int, what: str) -> Any:
    """Return the JSON body when ``answer`` has ``status``, else fail naming ``what``."""
    if answer.status_code != status:
        raise CaseFailure(f"{what}: HTTP {answer.status_code}, expected {status}{_code(answer)}")
    try:
        return answer.json()
    except ValueError as exc:
        raise CaseFailure(f"{what}: HTTP {status} but the body is not JSON") from exc


def expect_error(
    answer: requests.Response,
    status: int,
    code: str,
    what: str,
    *,
    details: str | None = None,
    names: str | tuple[str, ...] | None = None,
) -> None:
    """Fail unless ``answer`` is an error with ``status`` and gateway or mailer ``code``.

    With ``names``, the error message must also name that field (or one of those fields), so
    a case is not passed by a rejection for some other reason.
    """
    body = expect_status(answer, status, what)
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        raise CaseFailure(f"{what}: no 'error' object in the body")
    codes = {str(error.get("errorCode")), str(error.get("code"))}
    if code not in codes:
        raise CaseFailure(f"{what}: error code {error.get('errorCode')!r}, expected {code!r}")
    if details is not None and error.get("details") != details:
        raise CaseFailure(f"{what}: details {error.get('details')!r}, expected {details!r}")
    if names is not None:
        fields = (names,) if isinstance(names, str) else names
        message = str(error.get("message", ""))
        if not any(field in message for field in fields):
            raise CaseFailure(
                f"{what}: message {message[:80]!r} does not name {' or '.join(fields)}"
            )


def expect_accepted(answer: requests.Response, what: str) -> None:
    """Fail when a correctly signed request is rejected by the gateway (401) or crashes it."""
    if answer.status_code == 401 or answer.status_code >= 500:
        raise CaseFailure(
            f"{what} (the correctly signed twin): HTTP {answer.status_code}{_code(answer)}"
        )


def _code(answer: requests.Response) -> str:
    try:
        error = answer.json().get("error", {})
        return f" (errorCode {error.get('code') or error.get('errorCode')})"
    except (ValueError, AttributeError):
        return ""
