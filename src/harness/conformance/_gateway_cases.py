"""Gateway cases: what the server must accept and reject, and the error bodies it answers."""

from __future__ import annotations

from harness.conformance._catalogue import case, expect_accepted, expect_error, expect_status
from harness.conformance._model import CaseFailure, reference_signature
from harness.conformance._target import FAKE, LIST, WINDOW_MS, Target
from harness.fake import FakeNcloud
from ncp_signing import Credentials

__all__: list[str] = []

INVALID = "Invalid authentication information."
MISSING = "Authentication information are missing."


def _rejected(target: Target, headers: dict[str, str], what: str, path: str = LIST) -> None:
    expect_error(target.call("GET", path, headers), 401, "200", what, details=INVALID)


def _twin(target: Target, what: str, path: str = LIST, *, stamp: int | None = None) -> None:
    """The positive control: the same request correctly signed must pass the gateway."""
    headers = target.headers("GET", path, stamp=stamp)
    expect_accepted(target.call("GET", path, headers), what)


@case("C6", "Server verifies repeated query keys in wire order", "read")
def _c6(target: Target) -> str:
    query = LIST + "&sendStatus=S&sendStatus=PF&page=0"
    expect_status(target.signed("GET", query), 200, "signed in wire order")
    ordered = LIST + "&page=0&sendStatus=PF&sendStatus=S"
    _rejected(target, target.headers("GET", query, signed_target=ordered), "signed sorted")
    return "wire order accepted, a sorted query signed instead is rejected"


@case("C7", "Query is signed", "auth")
def _c7(target: Target) -> str:
    path_only = LIST.partition("?")[0]
    _rejected(target, target.headers("GET", LIST, signed_target=path_only), "query not signed")
    expect_status(target.signed("GET", LIST), 200, "query signed")
    return "a signature without the query is rejected with 401/200"


@case("C9", "Server verifies the trailing slash as sent", "auth")
def _c9(target: Target) -> str:
    slashed = LIST.replace("requests?", "requests/?")
    sent_slashed = target.headers("GET", slashed, signed_target=LIST)
    _rejected(target, sent_slashed, "'/requests/' sent", slashed)
    _rejected(target, target.headers("GET", LIST, signed_target=slashed), "'/requests' sent")
    _twin(target, "'/requests/' signed as sent", slashed)
    _twin(target, "'/requests' signed as sent")
    return "the slash is verified as sent either way; each request signed as sent passes"


@case("C13", "Server compares the signed method with the request's", "auth")
def _c13(target: Target) -> str:
    _rejected(target, target.headers("GET", LIST, signed_method="get"), "'get' signed, GET sent")
    _rejected(target, target.headers("GET", LIST, signed_method="POST"), "POST signed, GET sent")
    _twin(target, "GET signed, GET sent")
    return "a lower-case or different signed method is rejected, GET signed for GET passes"


@case("C14", "Header timestamp must equal the signed timestamp", "auth")
def _c14(target: Target) -> str:
    now = target.now_ms()
    _rejected(target, target.headers("GET", LIST, stamp=now + 1, signed_stamp=now), "TS+1 sent")
    _twin(target, "TS+1 signed and sent", stamp=now + 1)
    return "a header 1 ms off the signed timestamp is rejected, the same stamp passes"


@case("C15", "Timestamp in seconds is rejected", "auth")
def _c15(target: Target) -> str:
    now = target.now_ms()
    _rejected(target, target.headers("GET", LIST, stamp=now // 1000), "10 digits")
    _twin(target, "13 digits", stamp=now)
    return "a 10-digit seconds timestamp is rejected, milliseconds pass"


@case("C16", "Skew inside the 5-minute window is accepted", "read")
def _c16(target: Target) -> str:
    inside = WINDOW_MS - target.margin_ms
    for offset in (-inside, inside):
        headers = target.headers("GET", LIST, stamp=target.now_ms() + offset)
        expect_status(target.call("GET", LIST, headers), 200, f"skew {offset:+} ms")
    return f"skew of ±{inside} ms accepted"


@case("C17", "Skew beyond the window is rejected", "auth")
def _c17(target: Target) -> str:
    beyond = WINDOW_MS + target.margin_ms
    for offset in (-beyond, beyond, -360_000, 360_000):
        headers = target.headers("GET", LIST, stamp=target.now_ms() + offset)
        _rejected(target, headers, f"skew {offset:+} ms")
    _twin(target, "no skew")
    return f"skew of ±{beyond} ms and ±6 min rejected, no skew passes"


@case("C21", "Body is not signed", "send")
def _c21(target: Target) -> str:
    headers = target.headers("POST", "/api/v1/mails")
    first = minimal_mail(target, "First body")
    second = minimal_mail(target, "A different body, same signature")
    for body in (first, second):
        expect_status(target.call("POST", "/api/v1/mails", headers, json=body), 201, "send")
    return "two bodies under one signature both accepted"


@case("C22", "Header names are case-insensitive", "read")
def _c22(target: Target) -> str:
    go_style = {k.title(): v for k, v in target.headers("GET", LIST).items()}
    expect_status(target.call("GET", LIST, go_style), 200, "X-Ncp-Apigw-* headers")
    return "canonical-case header names accepted"


@case("C23", "v1 header name carrying the v2 string", "read")
def _c23(target: Target) -> str:
    headers = target.headers("GET", LIST)
    headers["x-ncp-apigw-signature-v1"] = headers.pop("x-ncp-apigw-signature-v2")
    expect_status(target.call("GET", LIST, headers), 200, "x-ncp-apigw-signature-v1")
    return "the v2 string under the v1 header name accepted"


@case("C24", "Legacy v1 with an API key", "fake", "needs an API Gateway API key")
def _c24(target: Target) -> str:
    now = str(target.now_ms())
    creds = target.credentials
    text = f"GET {LIST}\n{now}\n{FAKE.api_key}\n{creds.access_key}"
    headers = {
        "x-ncp-apigw-timestamp": now,
        "x-ncp-apigw-api-key": FAKE.api_key,
        "x-ncp-iam-access-key": creds.access_key,
        "x-ncp-apigw-signature-v1": reference_signature(creds.secret_key, text),
    }
    expect_status(target.call("GET", LIST, headers), 200, "four-line string with the API key")
    _rejected(target, {**headers, "x-ncp-apigw-api-key": "other-api-key"}, "unknown API key")
    return "the API key line is signed and checked"


@case("C25", "Missing auth headers", "auth")
def _c25(target: Target) -> str:
    full = target.headers("GET", LIST)
    for drop in [*full, "all"]:
        headers = {} if drop == "all" else {k: v for k, v in full.items() if k != drop}
        answer = target.call("GET", LIST, headers)
        expect_error(answer, 401, "200", f"without {drop}", details=MISSING)
    return "each missing header gives 401/200 'information are missing'"


@case("C26", "Bad signature and unknown access key", "auth")
def _c26(target: Target) -> str:
    wrong = Credentials(target.credentials.access_key, "not-the-secret")
    _rejected(target, target.headers("GET", LIST, credentials=wrong), "wrong secret")
    nobody = Credentials("unknown-access-key-0000", "whatever")
    _rejected(target, target.headers("GET", LIST, credentials=nobody), "unknown key")
    _twin(target, "the right secret")
    return "401/200 'Invalid authentication information.'; the right secret passes"


@case("C27", "Permission denied and route not found", "auth")
def _c27(target: Target) -> str:
    missing = "/api/v1/nowhere"
    answer = target.signed("GET", missing)
    expect_error(answer, 404, "300", "unknown route", details="URL not found.")
    if target.fake is None:
        return "404/300 for an unknown route; permission denial needs the fake's denied account"
    denied = target.headers("GET", LIST, credentials=FAKE.denied)
    expect_error(target.call("GET", LIST, denied), 401, "210", "denied account")
    return "401/210 for a denied account, 404/300 for an unknown route"


@case("C28", "Throttling and body size", "fake", "cannot provoke throttling on a real endpoint")
def _c28(target: Target) -> str:
    assert target.fake is not None
    target.fake.set_faults({"faults": [{"kind": "throttle", "code": "410", "retryAfter": 3}]})
    try:
        answer = target.signed("GET", LIST)
    finally:
        target.fake.set_faults(None)
    expect_error(answer, 429, "410", "throttled")
    if answer.headers.get("Retry-After") != "3":
        raise CaseFailure("throttled: no Retry-After: 3 header")
    with FakeNcloud(credentials=target.credentials, max_body_bytes=1000) as small:
        probe = Target(small.url, target.credentials, fixed_now=target.fixed_now)
        big = probe.signed("POST", "/api/v1/mails", json=minimal_mail(target, "x" * 2000))
        probe.close()
    expect_error(big, 413, "430", "body over the limit")
    return "429/410 with Retry-After, 413/430 for an oversize body"


@case("C40", "A Search Ad signature is not an NCloud signature", "auth")
def _c40(target: Target) -> str:
    stamp = str(target.now_ms())
    creds = target.credentials
    search_ad = reference_signature(creds.secret_key, f"{stamp}.GET.{LIST.partition('?')[0]}")
    foreign = {"X-Timestamp": stamp, "X-API-KEY": creds.access_key, "X-Signature": search_ad}
    expect_error(target.call("GET", LIST, foreign), 401, "200", "X-Signature headers")
    headers = target.headers("GET", LIST)
    headers["x-ncp-apigw-signature-v2"] = search_ad
    _rejected(target, headers, "Search Ad string in the v2 header")
    _twin(target, "the NCloud string in the v2 header")
    return "Search Ad headers and strings are rejected, the NCloud signature passes"


def minimal_mail(target: Target, body: str) -> dict[str, object]:
    """The smallest createMailRequest: one sender, title, body and recipient."""
    return {
        "senderAddress": target.sender,
        "title": "Conformance check",
        "body": body,
        "recipients": [{"address": target.to, "type": "R"}],
    }
