"""Fault path patterns: segment wildcards, ``**`` at any depth, and patterns with many ``**``."""

from __future__ import annotations

import pytest
import requests
from fake_helpers import MINIMAL_MAIL

from harness.fake import FakeNcloud
from harness.fake._faults import path_matches

MANY = "/**" * 40


@pytest.mark.parametrize(
    ("pattern", "path", "expected"),
    [
        ("*", "/api/v1/mails/requests/1/status", True),
        ("/api/*/mails", "/api/v1/mails", True),
        ("/api/*/mails", "/api/v1/mails/requests/1/mails", False),
        ("/api/v1/mails", "/api/v1/mails/", False),
        ("/api/v?/mails", "/api/v1/mails", True),
        ("/api/v[12]/mails", "/api/v2/mails", True),
        ("/api/v[12]/mails", "/api/v3/mails", False),
        ("/api/v1/**", "/api/v1", True),
        ("/api/v1/**", "/api/v1/", True),
        ("/api/v1/**", "/api/v1/mails/requests/1/status", True),
        ("/api/v1/**", "/api/v1-sgn/mails", False),
        ("/api/**/status", "/api/status", True),
        ("/api/**/status", "/api/v1/mails/requests/1/status", True),
        ("/api/**/status", "/api/v1/status/x", False),
        ("/**/**/mails", "/api/v1/mails", True),
        ("/**/**/mails", "/mails", True),
        ("/**/mails/**", "/api/v1/mails/requests/1/mails", True),
        ("/**/x/**/y", "/a/y/b/x", False),
        ("/**/x/**/y", "/a/x/b/y", True),
        ("/**", "/", True),
        (MANY + "/x", "/a" * 60, False),
        (MANY + "/x", "/a" * 60 + "/x", True),
        (MANY + "/x", "/x", True),
        (MANY + "/x/y", "/a" * 60 + "/y/x", False),
        ("/**/a" * 30 + "/**/b", "/a" * 40 + "/c", False),
        ("/**/a" * 30 + "/**/b", "/a" * 40 + "/b", True),
        ("/**/a" * 30 + "/**/b", "/a" * 29 + "/b", False),
    ],
)
def test_path_patterns_match_segment_by_segment(pattern: str, path: str, expected: bool) -> None:
    assert path_matches(pattern, path) is expected


def test_a_pattern_full_of_double_stars_leaves_the_server_answering(
    fake_ncloud: FakeNcloud, session: requests.Session
) -> None:
    admin = fake_ncloud.url + "/_fake/faults"
    fault = {"kind": "error", "status": 500, "path": MANY + "/never"}
    with requests.Session() as http:
        assert http.put(admin, json={"faults": [fault]}, timeout=5).status_code == 200
    deep = fake_ncloud.url + "/api/v1" + "/mails" * 40
    assert session.get(deep, timeout=5).status_code == 404
    sent = session.post(fake_ncloud.url + "/api/v1/mails", json=MINIMAL_MAIL, timeout=5)
    assert sent.status_code == 201
    assert [r.fault for r in fake_ncloud.requests[-2:]] == [None, None]
