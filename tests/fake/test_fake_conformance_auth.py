"""Gateway conformance cases (C7, C14-C17, C21-C29, C33, C39) over real sockets.

Signatures are built by hand with ``fake_helpers.reference_signature`` or taken from the
published vectors, so the fake is not only checked against the signer it shares code with.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests
from fake_helpers import ACCESS_KEY, MINIMAL_MAIL, SECRET_KEY, hand_headers

from harness.fake import FakeNcloud

T = 1521787414578
LIST = "/api/v1/mails/requests?startUtc=0&endUtc=9999999999999"


@pytest.fixture(scope="module")
def fixed() -> Iterator[FakeNcloud]:
    """A fake whose clock stands still at the documentation's example timestamp."""
    fake = FakeNcloud(
        credentials=(ACCESS_KEY, SECRET_KEY), clock=lambda: T, api_keys=["test-api-key"]
    )
    with fake:
        yield fake


def _get(fake: FakeNcloud, target: str, headers: dict[str, str]) -> requests.Response:
    with requests.Session() as http:
        return http.get(fake.url + target, headers=headers, timeout=5)


def _error(answer: requests.Response) -> dict[str, str]:
    body: dict[str, dict[str, str]] = answer.json()
    return body["error"]


def _assert_invalid(answer: requests.Response) -> None:
    assert answer.status_code == 401
    assert _error(answer) == {
        "errorCode": "200",
        "message": "Authentication Failed",
        "details": "Invalid authentication information.",
    }


def test_published_vector_v1_is_accepted(fixed: FakeNcloud) -> None:
    headers = {
        "x-ncp-apigw-timestamp": str(T),
        "x-ncp-iam-access-key": ACCESS_KEY,
        "x-ncp-apigw-signature-v2": "rUo/70JlOjndfEj7LYrPIJN1eXOpEOB2iwjgojAdb1A=",
    }
    answer = _get(fixed, "/photos/puppy.jpg?query1=&query2", headers)
    assert answer.status_code == 404  # signature accepted, then no such route
    assert fixed.requests[-1].auth == "ok"


def test_c7_query_is_signed(fixed: FakeNcloud) -> None:
    headers = hand_headers("GET", LIST, T, signed_target="/api/v1/mails/requests")
    _assert_invalid(_get(fixed, LIST, headers))
    assert _get(fixed, LIST, hand_headers("GET", LIST, T)).status_code == 200


def test_c14_header_timestamp_must_equal_signed_timestamp(fixed: FakeNcloud) -> None:
    _assert_invalid(_get(fixed, LIST, hand_headers("GET", LIST, T + 1, signed_stamp=T)))


def test_c15_timestamp_in_seconds_is_rejected(fixed: FakeNcloud) -> None:
    _assert_invalid(_get(fixed, LIST, hand_headers("GET", LIST, T // 1000)))
    assert fixed.requests[-1].auth_check == "timestamp"


@pytest.mark.parametrize("offset", [-299_999, 299_999, 0])
def test_c16_skew_inside_window_is_accepted(fixed: FakeNcloud, offset: int) -> None:
    assert _get(fixed, LIST, hand_headers("GET", LIST, T + offset)).status_code == 200


@pytest.mark.parametrize("offset", [-300_001, 300_001, -360_000, 360_000, 300_000, -300_000])
def test_c17_skew_beyond_window_is_rejected(fixed: FakeNcloud, offset: int) -> None:
    _assert_invalid(_get(fixed, LIST, hand_headers("GET", LIST, T + offset)))


def test_c21_body_is_not_signed(fixed: FakeNcloud) -> None:
    headers = hand_headers("POST", "/api/v1/mails", T)
    with requests.Session() as http:
        first = http.post(fixed.url + "/api/v1/mails", json=MINIMAL_MAIL, headers=headers)
        other = {**MINIMAL_MAIL, "title": "A different body, same signature"}
        second = http.post(fixed.url + "/api/v1/mails", json=other, headers=headers)
        delete = hand_headers("DELETE", "/api/v1/address-book/address", T)
        gone = http.delete(
            fixed.url + "/api/v1/address-book/address", json={"x": 1}, headers=delete
        )
    assert (first.status_code, second.status_code) == (201, 201)
    assert gone.status_code == 404
    assert fixed.requests[-1].auth == "ok"


def test_c22_header_names_are_case_insensitive(fixed: FakeNcloud) -> None:
    signed = hand_headers("GET", LIST, T)
    go_style = {
        "X-Ncp-Apigw-Timestamp": signed["x-ncp-apigw-timestamp"],
        "X-NCP-IAM-ACCESS-KEY": signed["x-ncp-iam-access-key"],
        "X-Ncp-Apigw-Signature-V2": signed["x-ncp-apigw-signature-v2"],
    }
    assert _get(fixed, LIST, go_style).status_code == 200


def test_c23_v1_header_name_carries_the_v2_signature(fixed: FakeNcloud) -> None:
    signed = hand_headers("GET", LIST, T)
    signed["x-ncp-apigw-signature-v1"] = signed.pop("x-ncp-apigw-signature-v2")
    assert _get(fixed, LIST, signed).status_code == 200
    assert fixed.requests[-1].auth == "ok"


def test_c24_legacy_signature_with_api_key(fixed: FakeNcloud) -> None:
    headers = {
        "x-ncp-apigw-timestamp": str(T),
        "x-ncp-apigw-api-key": "test-api-key",
        "x-ncp-iam-access-key": ACCESS_KEY,
        "x-ncp-apigw-signature-v1": "BQik9OuTuJZmqvud7biAtLXo5anE0EuV13jtV5vhHxY=",
    }
    target = "/photos/puppy.jpg?query1=&query2"
    assert _get(fixed, target, headers).status_code == 404
    assert fixed.requests[-1].auth == "ok"
    _assert_invalid(_get(fixed, target, {**headers, "x-ncp-apigw-api-key": "other-api-key"}))


@pytest.mark.parametrize(
    "drop", ["x-ncp-apigw-timestamp", "x-ncp-iam-access-key", "x-ncp-apigw-signature-v2", "all"]
)
def test_c25_missing_auth_headers(fixed: FakeNcloud, drop: str) -> None:
    headers = hand_headers("GET", LIST, T)
    headers = {} if drop == "all" else {k: v for k, v in headers.items() if k != drop}
    answer = _get(fixed, LIST, headers)
    assert answer.status_code == 401
    assert answer.json() == {
        "error": {
            "errorCode": "200",
            "message": "Authentication Failed",
            "details": "Authentication information are missing.",
        }
    }


def test_c26_bad_signature_and_unknown_key(fixed: FakeNcloud) -> None:
    _assert_invalid(_get(fixed, LIST, hand_headers("GET", LIST, T, secret="wrong-secret")))
    _assert_invalid(_get(fixed, LIST, hand_headers("GET", LIST, T, access_key="nobody")))
    assert fixed.requests[-1].auth_check == "access_key"


def test_c27_permission_denied_and_not_found(fixed: FakeNcloud) -> None:
    denied = FakeNcloud(
        credentials=[("denied-key", "s")], clock=lambda: T, denied_access_keys=["denied-key"]
    )
    with denied:
        answer = _get(
            denied, LIST, hand_headers("GET", LIST, T, access_key="denied-key", secret="s")
        )
    assert answer.status_code == 401
    assert _error(answer) == {"errorCode": "210", "message": "Permission Denied"}
    missing = _get(fixed, "/api/v1/nowhere", hand_headers("GET", "/api/v1/nowhere", T))
    assert missing.status_code == 404
    assert _error(missing) == {
        "errorCode": "300",
        "message": "Not Found Exception",
        "details": "URL not found.",
    }


@pytest.mark.parametrize(
    ("code", "message"),
    [("400", "Quota Exceeded"), ("410", "Throttle Limited"), ("420", "Rate Limited")],
)
def test_c28_throttling(
    fake_ncloud: FakeNcloud, session: requests.Session, code: str, message: str
) -> None:
    fake_ncloud.set_faults(
        {"faults": [{"kind": "throttle", "code": code, "retryAfter": 3, "count": 1}]}
    )
    answer = session.post(fake_ncloud.url + "/api/v1/mails", json=MINIMAL_MAIL)
    assert answer.status_code == 429
    assert answer.headers["Retry-After"] == "3"
    assert _error(answer) == {"errorCode": code, "message": message}
    assert session.post(fake_ncloud.url + "/api/v1/mails", json=MINIMAL_MAIL).status_code == 201


def test_c28_body_too_large() -> None:
    limited = FakeNcloud(credentials=(ACCESS_KEY, SECRET_KEY), max_body_bytes=1000)
    with limited as fake, requests.Session() as http:
        http.auth = fake.auth()
        big = {**MINIMAL_MAIL, "body": "x" * 2000}
        answer = http.post(fake.url + "/api/v1/mails", json=big)
        small = http.post(fake.url + "/api/v1/mails", json=MINIMAL_MAIL)
    assert answer.status_code == 413
    assert _error(answer) == {"errorCode": "430", "message": "Request Entity Too Large"}
    assert small.status_code == 201


def test_c29_error_codes_are_strings_and_parseable(
    fake_ncloud: FakeNcloud, session: requests.Session
) -> None:
    fake_ncloud.set_faults(
        {"faults": [{"kind": "error", "status": 503, "path": "/api/v1/mails/requests/*/status"}]}
    )
    answers = [
        requests.get(fake_ncloud.url + LIST, timeout=5),
        session.get(fake_ncloud.url + "/api/v1/unknown"),
        session.get(fake_ncloud.url + "/api/v1/mails/requests"),
        session.get(fake_ncloud.url + "/api/v1/mails/requests/1/status"),
    ]
    codes = [_error(a)["errorCode"] for a in answers]
    assert codes == ["200", "300", "77102", "500"]
    assert all(isinstance(c, str) for c in codes)
    assert all(a.headers["Content-Type"].startswith("application/json") for a in answers)


def test_c33_region_path_is_signed(fixed: FakeNcloud) -> None:
    sgn = "/api/v1-sgn/mails"
    with requests.Session() as http:
        good = http.post(fixed.url + sgn, json=MINIMAL_MAIL, headers=hand_headers("POST", sgn, T))
        bad = http.post(
            fixed.url + sgn,
            json=MINIMAL_MAIL,
            headers=hand_headers("POST", sgn, T, signed_target="/api/v1/mails"),
        )
    assert good.status_code == 201
    _assert_invalid(bad)
    assert fixed.mails[-1].region == "v1-sgn"


def test_c39_gateway_and_mailer_auth_errors_differ(fixed: FakeNcloud) -> None:
    bad = _get(fixed, LIST, hand_headers("GET", LIST, T, secret="wrong"))
    _assert_invalid(bad)
    with FakeNcloud(
        credentials=[("no-mail-key", "s")], clock=lambda: T, unsubscribed_accounts=["no-mail-key"]
    ) as other:
        answer = _get(
            other, LIST, hand_headers("GET", LIST, T, access_key="no-mail-key", secret="s")
        )
    assert answer.status_code == 403
    assert _error(answer)["code"] == "77202"
