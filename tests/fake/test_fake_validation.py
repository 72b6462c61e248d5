"""Hypothesis drives createMailRequest: valid bodies are stored exactly; one limit broken is 400."""

from __future__ import annotations

import re
import string
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
import requests
from fake_helpers import ACCESS_KEY, SECRET_KEY
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from harness.fake import LIMITS, FakeNcloud
from harness.fake._validation import BASIC_UNSUBSCRIBE_MESSAGE

FAST = settings(
    max_examples=40,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

EACH = settings(FAST, max_examples=10)
"""Per limit-breaking mutation: every mutation is tried, each on several drawn bodies."""

words = st.text(string.ascii_letters + string.digits + " 가나다${}", max_size=30)
local = st.text(string.ascii_lowercase + string.digits + "._+-", min_size=1, max_size=12).filter(
    lambda s: s[0] not in "." and s[-1] != "."
)
addresses = st.builds(lambda u, d: f"{u}@{d}.example", local, st.sampled_from(["a", "mail", "x-y"]))


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


GROUPS = {
    "g1": ["a1@group.example", "b2@group.example"],
    "g2": ["b2@group.example", "c3@group.example"],
    "g3": ["d4@group.example"],
}
KST = timezone(timedelta(hours=9))
keys = st.sampled_from("abc")
templated = st.lists(
    st.one_of(words, keys.map(lambda k: "${" + k + "}"), st.just("${zz}")), max_size=4
).map("".join)
params = st.dictionaries(keys, words, max_size=3)


@st.composite
def valid_bodies(draw: st.DrawFn) -> tuple[dict[str, Any], int]:
    """A valid createMailRequest and how many files to upload for its ``attachFileIds``."""
    body: dict[str, Any] = {"recipients": draw(recipients())}
    if draw(st.booleans()):
        body["templateSid"] = draw(st.one_of(st.integers(0, 10**6), st.just(2**31 - 1)))
    else:
        body["senderAddress"] = draw(addresses)
        body["title"] = draw(templated)
        body["body"] = draw(st.one_of(templated, st.text(max_size=200)))
    if draw(st.booleans()):
        chosen = draw(st.lists(st.sampled_from(sorted(GROUPS)), min_size=1, max_size=3))
        body["recipientGroupFilter"] = {"andFilter": draw(st.booleans()), "groups": chosen}
        if draw(st.booleans()):
            body["recipients"] = []
    moments = st.datetimes(datetime(2000, 1, 1), datetime(2100, 1, 1))
    optional = {
        "senderName": words,
        "individual": st.booleans(),
        "confirmAndSend": st.booleans(),
        "parameters": params,
        "reservationUtc": st.integers(0, 4_000_000_000_000),
        "reservationDateTime": moments.map(lambda m: m.strftime("%Y-%m-%d %H:%M")),
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
    return body, draw(st.integers(0, 2))


@pytest.fixture(scope="module")
def grouped() -> Iterator[FakeNcloud]:
    with FakeNcloud(credentials=(ACCESS_KEY, SECRET_KEY), groups=GROUPS) as fake:
        yield fake


def _substituted(text: str, values: dict[str, Any]) -> str:
    return re.sub(r"\$\{(\w+)\}", lambda m: str(values.get(m[1], m[0])), text)


def _expected(body: dict[str, Any]) -> list[dict[str, Any]]:
    """What each recipient should receive, computed here from the request alone."""
    rcpts = [
        (r["address"], r.get("name"), r["type"], r.get("parameters", {}))
        for r in body["recipients"]
    ]
    group_filter = body.get("recipientGroupFilter")
    if group_filter is not None:
        sets = [set(GROUPS[name]) for name in group_filter["groups"]]
        members = set.intersection(*sets) if group_filter["andFilter"] else set.union(*sets)
        rcpts += [(a, None, "R", {}) for a in sorted(members)]
    reservation = body.get("reservationUtc")
    if reservation is None and "reservationDateTime" in body:
        local = datetime.strptime(body["reservationDateTime"], "%Y-%m-%d %H:%M")
        reservation = int(local.replace(tzinfo=KST).timestamp() * 1000)
    unsubscribe = ""
    if body.get("advertising"):
        basic = body.get("useBasicUnsubscribeMsg")
        unsubscribe = BASIC_UNSUBSCRIBE_MESSAGE if basic else body["unsubscribeMessage"]
    expected = []
    for address, name, kind, own in rcpts:
        values = {**body.get("parameters", {}), **own}
        text = _substituted(body.get("body", ""), values)
        mark = "#{UNSUBSCRIBE_MESSAGE}"
        text = text.replace(mark, unsubscribe) if mark in text else text + unsubscribe
        expected.append(
            {
                "to": address,
                "recipient_name": name,
                "recipient_type": kind,
                "sender_address": body.get("senderAddress"),
                "sender_name": body.get("senderName"),
                "title": _substituted(body.get("title", ""), values),
                "body": text,
                "attach_file_ids": tuple(body.get("attachFileIds", ())),
                "template_sid": body.get("templateSid"),
                "reservation_utc": reservation,
                "advertising": bool(body.get("advertising")),
                "references_header": body.get("referencesHeader"),
            }
        )
    return expected


@FAST
@given(drawn=valid_bodies())
def test_valid_bodies_are_accepted_and_stored_exactly(
    grouped: FakeNcloud, drawn: tuple[dict[str, Any], int]
) -> None:
    body, uploads = drawn
    grouped.reset()
    with requests.Session() as http:
        http.auth = grouped.auth()
        if uploads:
            files = [("fileList", (f"f{i}.txt", b"attached")) for i in range(uploads)]
            answer = http.post(grouped.url + "/api/v1/files", files=files)
            assert answer.status_code == 201, answer.text
            body["attachFileIds"] = [f["fileId"] for f in answer.json()["files"]]
        answer = http.post(grouped.url + "/api/v1/mails", json=body)
    assert answer.status_code == 201, answer.text
    expected = _expected(body)
    assert answer.json()["count"] == len(expected)
    (stored,) = grouped.mail_requests
    assert stored.body == body
    delivered = [{key: getattr(m, key) for key in expected[0]} for m in grouped.mails]
    assert delivered == expected


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
    "address-missing": ("recipients[0].address", lambda b: _without_address(b)),
    "address-null": ("recipients[0].address", lambda b: _first(b, address=None)),
    "address-number": ("recipients[0].address", lambda b: _first(b, address=5)),
    "address-list": ("recipients[0].address", lambda b: _first(b, address=["a@example.com"])),
    "type": ("recipients[0].type", lambda b: _first(b, type="X")),
    "groups": (
        "recipientGroupFilter.groups",
        lambda b: {**b, "recipientGroupFilter": {"andFilter": False, "groups": list("123456")}},
    ),
    "sender": ("senderAddress", lambda b: {**b, "senderAddress": "me@naver.com"}),
    "individual": ("individual", lambda b: {**b, "individual": "yes"}),
    "templateSid": ("templateSid", lambda b: {**b, "templateSid": "7"}),
    "templateSid-range": ("templateSid", lambda b: {**b, "templateSid": 2**31}),
    "reservationUtc": ("reservationUtc", lambda b: {**b, "reservationUtc": -1}),
    "reservationDateTime": (
        "reservationDateTime",
        lambda b: {**b, "reservationDateTime": "0001-01-01 00:00"},
    ),
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


def _without_address(body: dict[str, Any]) -> dict[str, Any]:
    first = {k: v for k, v in body["recipients"][0].items() if k != "address"}
    return {**body, "recipients": [first, *body["recipients"][1:]]}


def _first(body: dict[str, Any], **changes: Any) -> dict[str, Any]:
    first = {**body["recipients"][0], **changes}
    return {**body, "recipients": [first, *body["recipients"][1:]]}


@pytest.mark.parametrize("breaker", sorted(BREAKERS))
@EACH
@given(
    body=valid_bodies()
    .map(lambda drawn: drawn[0])
    .filter(lambda b: b["recipients"] and "templateSid" not in b),
)
def test_one_field_past_one_limit_is_rejected_naming_it(
    fake_ncloud: FakeNcloud, breaker: str, body: dict[str, Any]
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
