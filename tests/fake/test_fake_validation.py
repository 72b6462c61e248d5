"""Hypothesis drives createMailRequest: valid bodies are stored exactly; one limit broken is 400."""

from __future__ import annotations

import string
from typing import Any

import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from harness.fake import LIMITS, FakeNcloud

FAST = settings(
    max_examples=40,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

words = st.text(string.ascii_letters + string.digits + " 가나다${}", max_size=30)
local = st.text(string.ascii_lowercase + string.digits + "._+-", min_size=1, max_size=12).filter(
    lambda s: s[0] not in "." and s[-1] != "."
)
addresses = st.builds(lambda u, d: f"{u}@{d}.example", local, st.sampled_from(["a", "mail", "x-y"]))
params = st.dictionaries(st.text(string.ascii_lowercase, min_size=1, max_size=5), words, max_size=3)


@st.composite
def recipients(draw: st.DrawFn) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = []
    for kind, most in (("R", 5), ("C", 3), ("B", 3)):
        for address in draw(st.lists(addresses, max_size=most)):
            item: dict[str, Any] = {"address": address, "type": kind}
            if draw(st.booleans()):
                item["name"] = draw(st.one_of(st.none(), words))
            if draw(st.booleans()):
                item["parameters"] = draw(params)
            result.append(item)
    return result or [{"address": draw(addresses), "type": "R"}]


@st.composite
def valid_bodies(draw: st.DrawFn) -> dict[str, Any]:
    body: dict[str, Any] = {
        "senderAddress": draw(addresses),
        "title": draw(words),
        "body": draw(st.text(max_size=200)),
        "recipients": draw(recipients()),
    }
    optional = {
        "senderName": words,
        "individual": st.booleans(),
        "confirmAndSend": st.booleans(),
        "parameters": params,
        "reservationUtc": st.integers(0, 4_000_000_000_000),
        "referencesHeader": st.builds(lambda u: f"<{u}@example.com>", local),
    }
    for key, strategy in optional.items():
        if draw(st.booleans()):
            body[key] = draw(strategy)
    if draw(st.booleans()):
        body["advertising"] = True
        if draw(st.booleans()):
            body["useBasicUnsubscribeMsg"] = True
        else:
            body["unsubscribeMessage"] = draw(words.filter(bool))
    return body


@FAST
@given(body=valid_bodies())
def test_valid_bodies_are_accepted_and_stored_exactly(
    fake_ncloud: FakeNcloud, body: dict[str, Any]
) -> None:
    fake_ncloud.reset()
    with requests.Session() as http:
        answer = http.post(fake_ncloud.url + "/api/v1/mails", json=body, auth=fake_ncloud.auth())
    assert answer.status_code == 201, answer.text
    assert answer.json()["count"] == len(body["recipients"])
    (stored,) = fake_ncloud.mail_requests
    assert stored.body == body
    assert [m.to for m in fake_ncloud.mails] == [r["address"] for r in body["recipients"]]


def _over(limit: int, unit: str = "x") -> str:
    return unit * (limit + 1)


BREAKERS: dict[str, tuple[str, Any]] = {
    "senderName": ("senderName", lambda b: {**b, "senderName": _over(LIMITS["sender_name_bytes"])}),
    "senderName-bytes": ("senderName", lambda b: {**b, "senderName": "가" * 24}),
    "title": ("title", lambda b: {**b, "title": _over(LIMITS["title_bytes"])}),
    "title-bytes": ("title", lambda b: {**b, "title": "가" * 167}),
    "body": ("body", lambda b: {**b, "body": _over(LIMITS["body_bytes"])}),
    "cc": ("recipients", lambda b: {**b, "recipients": b["recipients"] + _many("C", 31)}),
    "bcc": ("recipients", lambda b: {**b, "recipients": b["recipients"] + _many("B", 31)}),
    "recipients": ("recipients", lambda b: {**b, "recipients": _many("R", 100_001)}),
    "name": ("recipients[0].name", lambda b: _first(b, name=_over(69))),
    "address": ("recipients[0].address", lambda b: _first(b, address="not-an-address")),
    "type": ("recipients[0].type", lambda b: _first(b, type="X")),
    "groups": (
        "recipientGroupFilter.groups",
        lambda b: {**b, "recipientGroupFilter": {"andFilter": False, "groups": list("123456")}},
    ),
    "sender": ("senderAddress", lambda b: {**b, "senderAddress": "me@naver.com"}),
    "individual": ("individual", lambda b: {**b, "individual": "yes"}),
    "templateSid": ("templateSid", lambda b: {**b, "templateSid": "7"}),
    "reservationUtc": ("reservationUtc", lambda b: {**b, "reservationUtc": -1}),
    "parameters": ("parameters.k", lambda b: {**b, "parameters": {"k": [1]}}),
    "referencesHeader": ("referencesHeader", lambda b: {**b, "referencesHeader": "plain"}),
    "unsubscribe": (
        "unsubscribeMessage",
        lambda b: {**b, "advertising": True, "useBasicUnsubscribeMsg": False},
    ),
    "advertising-body": (
        "body",
        lambda b: {
            **b,
            "advertising": True,
            "useBasicUnsubscribeMsg": False,
            "body": "x" * LIMITS["body_bytes"],
            "unsubscribeMessage": "stop",
        },
    ),
}


def _many(kind: str, n: int) -> list[dict[str, str]]:
    return [{"address": f"m{i}@example.com", "type": kind} for i in range(n)]


def _first(body: dict[str, Any], **changes: Any) -> dict[str, Any]:
    first = {**body["recipients"][0], **changes}
    return {**body, "recipients": [first, *body["recipients"][1:]]}


@FAST
@given(body=valid_bodies(), breaker=st.sampled_from(sorted(BREAKERS)))
def test_one_field_past_one_limit_is_rejected_naming_it(
    fake_ncloud: FakeNcloud, body: dict[str, Any], breaker: str
) -> None:
    fake_ncloud.reset()
    field, change = BREAKERS[breaker]
    body = {k: v for k, v in body.items() if k not in ("advertising", "unsubscribeMessage")}
    with requests.Session() as http:
        answer = http.post(
            fake_ncloud.url + "/api/v1/mails", json=change(body), auth=fake_ncloud.auth()
        )
    assert answer.status_code == 400, answer.text
    error = answer.json()["error"]
    assert (error["code"], error["errorCode"]) == ("77102", "77102")
    assert error["message"].split(":")[0] == field
    assert fake_ncloud.mails == []
