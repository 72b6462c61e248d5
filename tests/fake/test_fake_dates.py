"""Reservation dates: the earliest one accepted, and every stored moment shown by the views."""

from __future__ import annotations

import pytest
import requests
from fake_helpers import MINIMAL_MAIL

from harness.fake import FakeNcloud
from harness.fake._validation import MAX_RESERVATION_UTC
from harness.fake._views import nes_datetime

API = "/api/v1"


def _views(fake: FakeNcloud, session: requests.Session, request_id: str) -> list[int]:
    """Status codes of every read route that shows the request's dates."""
    mail_id = fake.mails[-1].mail_id
    window: dict[str, str | int] = {"startUtc": -MAX_RESERVATION_UTC, "endUtc": MAX_RESERVATION_UTC}
    answers = [
        session.get(f"{fake.url}{API}/mails/requests/{request_id}/status"),
        session.get(f"{fake.url}{API}/mails/requests/{request_id}/mails"),
        session.get(f"{fake.url}{API}/mails/{mail_id}"),
        session.get(f"{fake.url}{API}/mails/requests", params=window),
        session.get(
            f"{fake.url}{API}/mails/requests", params={**window, "sort": "reservationUtc,desc"}
        ),
    ]
    return [answer.status_code for answer in answers]


@pytest.mark.parametrize("moment", ["0001-01-01 00:00", "1969-12-31 23:59", "1970-01-01 08:59"])
def test_a_reservation_date_time_before_utc_zero_is_rejected_naming_it(
    fake_ncloud: FakeNcloud, session: requests.Session, moment: str
) -> None:
    answer = session.post(
        fake_ncloud.url + API + "/mails", json={**MINIMAL_MAIL, "reservationDateTime": moment}
    )
    assert answer.status_code == 400, answer.text
    error = answer.json()["error"]
    assert error["code"] == error["errorCode"] == "77102"
    assert error["message"].startswith("reservationDateTime:"), error["message"]
    assert repr(moment) in error["message"]
    assert fake_ncloud.mail_requests == []


@pytest.mark.parametrize(
    ("field", "value", "utc"),
    [
        ("reservationDateTime", "1970-01-01 09:00", 0),
        ("reservationDateTime", "9999-12-31 23:59", MAX_RESERVATION_UTC - 59_999),
        ("reservationUtc", 0, 0),
        ("reservationUtc", MAX_RESERVATION_UTC, MAX_RESERVATION_UTC),
    ],
)
def test_the_earliest_and_latest_reservations_are_stored_and_shown(
    fake_ncloud: FakeNcloud, session: requests.Session, field: str, value: object, utc: int
) -> None:
    answer = session.post(fake_ncloud.url + API + "/mails", json={**MINIMAL_MAIL, field: value})
    assert answer.status_code == 201, answer.text
    request_id = answer.json()["requestId"]
    assert fake_ncloud.mails[-1].reservation_utc == utc
    assert _views(fake_ncloud, session, request_id) == [200] * 5
    status = session.get(f"{fake_ncloud.url}{API}/mails/requests/{request_id}/status").json()
    assert status["reservationDate"] == nes_datetime(utc)


@pytest.mark.parametrize(
    ("ms", "shown"),
    [
        (0, "1970-01-01 09:00:00 000"),
        (-1, "1970-01-01 08:59:59 999"),
        (1_700_000_000_123, "2023-11-15 07:13:20 123"),
        (MAX_RESERVATION_UTC, "9999-12-31 23:59:59 999"),
        (MAX_RESERVATION_UTC + 1, "9999-12-31 23:59:59 999"),
        (10**30, "9999-12-31 23:59:59 999"),
        (-62_135_629_200_000, "0001-01-01 00:00:00 000"),
        (-(10**30), "0001-01-01 00:00:00 000"),
    ],
)
def test_any_stored_moment_is_shown_within_years_1_to_9999(ms: int, shown: str) -> None:
    answer = nes_datetime(ms)
    assert answer == {"utc": ms, "formattedDate": shown[:10], "formattedDateTime": shown}
