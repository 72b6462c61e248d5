"""Mailer cases (C32-C39): region paths, sending, validation, reservations, polling, files."""

from __future__ import annotations

import time
from typing import Any

from harness.conformance._catalogue import case, expect_accepted, expect_error, expect_status
from harness.conformance._gateway_cases import minimal_mail
from harness.conformance._model import CaseFailure
from harness.conformance._target import FAKE, LIST, Target
from ncp_config import ConfigError, load_settings

__all__: list[str] = []

MAILS = "/api/v1/mails"
STATUS_CODES = frozenset({"P", "R", "I", "S", "F", "U", "C", "PF"})
RESERVED_UTC = 1893456000000  # 2030-01-01 00:00 UTC, which is 09:00 KST
STATUS_FIELDS: dict[str, type] = {
    "readyCompleted": bool,
    "finishCount": int,
    "requestCount": int,
}


@case("C32", "Site to host mapping", "local")
def _c32(target: Target) -> str:
    expected = {
        "gov": ("https://ncloud.apigw.gov-ntruss.com", "https://mail.apigw.gov-ntruss.com"),
        "fin": ("https://fin-ncloud.apigw.fin-ntruss.com", "https://mail.apigw.fin-ntruss.com"),
    }
    for site, (gateway, mail) in expected.items():
        try:
            settings = load_settings(
                access_key="site-check",
                secret_key="site-check-secret",  # noqa: S106 - a throwaway value
                site=site,
                environ={},
                env_file=None,
                secrets_dir=None,
                config_file=None,
            )
        except ConfigError as exc:
            raise CaseFailure(f"site={site}: {exc}") from exc
        if settings.api_gw_url != gateway or not settings.mail_api_url.startswith(mail + "/"):
            raise CaseFailure(f"site={site}: {settings.api_gw_url}, {settings.mail_api_url}")
    return "gov and fin map to their gateway and mailer hosts (ncp_config)"


@case("C33", "Mailer region path is signed", "read")
def _c33(target: Target) -> str:
    sgn = LIST.replace("/api/v1/", "/api/v1-sgn/")
    expect_status(target.signed("GET", sgn), 200, "SGN list signed as sent")
    wrong = target.headers("GET", sgn, signed_target=LIST)
    expect_error(target.call("GET", sgn, wrong), 401, "200", "signed without the region")
    return "/api/v1-sgn is part of the signed target"


@case("C34", "createMailRequest minimal success", "send")
def _c34(target: Target) -> str:
    request_id, count = _send(target, minimal_mail(target, "Minimal"))
    if count != 1:
        raise CaseFailure(f"count is {count}, expected 1")
    if target.fake is not None and target.fake.mails[-1].request_id != request_id:
        raise CaseFailure("the fake did not store the accepted mail")
    return "201 {requestId: string, count: 1}"


def _recipients(target: Target, n: int, kind: str) -> list[dict[str, str]]:
    user, _, domain = str(target.to).partition("@")
    return [{"address": f"{user}+{kind}{i}@{domain}", "type": kind} for i in range(n)]


@case("C35", "createMailRequest validation", "send")
def _c35(target: Target) -> str:
    base = minimal_mail(target, "Validation")
    groups = {"andFilter": True, "groups": list("abcdef")}
    variants: dict[str, tuple[dict[str, Any], tuple[str, ...]]] = {
        "a: no sender, title or body": (
            {"recipients": base["recipients"]},
            ("senderAddress", "title", "body", "templateSid"),
        ),
        "b: no recipients": ({**base, "recipients": []}, ("recipients", "recipientGroupFilter")),
        "c: 31 CC": ({**base, "recipients": _recipients(target, 31, "C")}, ("recipients",)),
        "c: 31 BCC": ({**base, "recipients": _recipients(target, 31, "B")}, ("recipients",)),
        "d: six groups": ({**base, "recipientGroupFilter": groups}, ("groups",)),
        "e: body over 500 KB": ({**base, "body": "x" * (500 * 1024 + 1)}, ("body",)),
        "f: advertising, no unsubscribe": (
            {**base, "advertising": True},
            ("unsubscribeMessage", "useBasicUnsubscribeMsg"),
        ),
    }
    for name, (body, fields) in variants.items():
        answer = target.call("POST", MAILS, target.headers("POST", MAILS), json=body)
        expect_error(answer, 400, "77102", name, names=fields)
    return f"all {len(variants)} invalid requests give 400/77102 naming the field"


@case("C36", "Reservation precedence and KST", "fake", "would schedule mail for later delivery")
def _c36(target: Target) -> str:
    both = {
        **minimal_mail(target, "Reserved"),
        "reservationUtc": RESERVED_UTC,
        "reservationDateTime": "2031-01-01 09:00",
    }
    local = {**minimal_mail(target, "Reserved"), "reservationDateTime": "2030-01-01 09:00"}
    for name, body in (("both fields", both), ("KST only", local)):
        request_id, _ = _send(target, body)
        status = _status(target, request_id)
        reserved = (status.get("reservationDate") or {}).get("utc")
        if reserved != RESERVED_UTC:
            raise CaseFailure(f"{name}: reservation at {reserved}, expected {RESERVED_UTC}")
    return "reservationUtc wins; reservationDateTime is read as KST"


@case("C37", "Status polling and list queries", "read")
def _c37(target: Target) -> str:
    expect_error(target.signed("GET", MAILS + "/requests"), 400, "77102", "list without dates")
    if not (target.allow_send and target.sender):
        return "a list without start and end gives 400/77102 (polling needs --allow-send)"
    request_id, _ = _send(target, minimal_mail(target, "Polling"))
    deadline = time.monotonic() + (5 if target.fake is not None else 120)
    while time.monotonic() < deadline:
        status = _status(target, request_id)
        codes = _status_codes(status)
        if not codes <= STATUS_CODES:
            raise CaseFailure(f"unknown status codes {sorted(codes - STATUS_CODES)}")
        if status["readyCompleted"] and status["finishCount"] == status["requestCount"]:
            return f"terminal after polling, codes {sorted(codes)}; list needs dates (77102)"
        time.sleep(0 if target.fake is not None else 2)
    raise CaseFailure("the request never reached a terminal status")


@case("C38", "File upload", "send")
def _c38(target: Target) -> str:
    files = [("fileList", ("conformance.txt", b"hello"))]
    uploaded = expect_status(
        target.call("POST", "/api/v1/files", target.headers("POST", "/api/v1/files"), files=files),
        201,
        "upload",
    )
    if not isinstance(uploaded, dict):
        raise CaseFailure(f"upload: the answer is {type(uploaded).__name__}, not an object")
    listed = uploaded.get("files")
    if not (isinstance(uploaded.get("tempRequestId"), str) and isinstance(listed, list) and listed):
        raise CaseFailure("upload: no tempRequestId or files in the answer")
    if not all(isinstance(f, dict) and isinstance(f.get("fileId"), str) for f in listed):
        raise CaseFailure("upload: a 'files' entry is not an object with a string fileId")
    if (listed[0].get("fileName"), listed[0].get("fileSize")) != ("conformance.txt", 5):
        raise CaseFailure(f"upload: file listed as {listed[0]!r}")
    if target.fake is None:
        return "201 {tempRequestId, files[{fileId, fileName, fileSize}]}"
    big = [("fileList", ("big.bin", b"\0" * (10 * 1024 * 1024 + 1)))]
    answer = target.call(
        "POST", "/api/v1/files", target.headers("POST", "/api/v1/files"), files=big
    )
    expect_error(answer, 400, "77102", "file over 10 MB")
    return "201 with file ids; a file over 10 MB is rejected"


@case("C39", "Gateway-level and mailer-level auth errors differ", "auth")
def _c39(target: Target) -> str:
    wrong = target.headers("GET", LIST, signed_target=LIST + "&x")
    expect_error(target.call("GET", LIST, wrong), 401, "200", "bad signature")
    expect_accepted(target.signed("GET", LIST), "a good signature")
    if target.fake is None:
        return "gateway 401/200; the mailer's 77202 needs an unsubscribed account"
    other = target.headers("GET", LIST, credentials=FAKE.unsubscribed)
    expect_error(target.call("GET", LIST, other), 403, "77202", "unsubscribed account")
    return "gateway 401/200 for a bad signature, mailer 403/77202 for an unsubscribed account"


def _send(target: Target, body: dict[str, Any]) -> tuple[str, int]:
    answer = target.call("POST", MAILS, target.headers("POST", MAILS), json=body)
    created = expect_status(answer, 201, "createMailRequest")
    if not isinstance(created, dict) or not isinstance(created.get("requestId"), str):
        raise CaseFailure("createMailRequest: no string requestId in the answer")
    count = created.get("count")
    if not isinstance(count, int):
        raise CaseFailure("createMailRequest: no integer count in the answer")
    return created["requestId"], count


def _status(target: Target, request_id: str) -> dict[str, Any]:
    path = f"{MAILS}/requests/{request_id}/status"
    status = expect_status(target.signed("GET", path), 200, "getMailRequestStatus")
    if not isinstance(status, dict):
        raise CaseFailure("getMailRequestStatus: the answer is not an object")
    for name, kind in STATUS_FIELDS.items():
        value = status.get(name)
        fits = isinstance(value, kind) and (kind is bool or not isinstance(value, bool))
        if not fits:
            raise CaseFailure(f"getMailRequestStatus: no {kind.__name__} {name!r} in the answer")
    return status


def _status_codes(status: dict[str, Any]) -> set[str]:
    counts = status.get("countsByStatus", [])
    if not isinstance(counts, list):
        raise CaseFailure("getMailRequestStatus: 'countsByStatus' is not a list")
    codes = set()
    for entry in counts:
        label = entry.get("status") if isinstance(entry, dict) else None
        code = label.get("code") if isinstance(label, dict) else None
        if not isinstance(code, str):
            raise CaseFailure(f"getMailRequestStatus: countsByStatus entry {entry!r:.60}")
        codes.add(code)
    return codes
