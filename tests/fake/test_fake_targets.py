"""Request targets uvicorn shapes before the gateway: a bare ``?`` and raw non-ASCII bytes."""

from __future__ import annotations

import json
import socket
import time

from fake_helpers import ACCESS_KEY, SECRET_KEY, hand_headers

from harness.fake import FakeNcloud

LIST = "/api/v1/mails/requests"


def _exchange(fake: FakeNcloud, target: bytes, headers: dict[str, str]) -> bytes:
    """Send one GET with ``target`` exactly as given and read the whole answer."""
    lines = [b"GET " + target + b" HTTP/1.1", b"Host: fake", b"Connection: close"]
    lines += [f"{name}: {value}".encode() for name, value in headers.items()]
    with socket.create_connection((fake.host, fake.port), timeout=5) as sock:
        sock.sendall(b"\r\n".join(lines) + b"\r\n\r\n")
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    return answer


def test_a_bare_question_mark_is_dropped_before_the_signature_check() -> None:
    with FakeNcloud(credentials=(ACCESS_KEY, SECRET_KEY), debug=True) as fake:
        stamp = int(time.time() * 1000)
        answer = _exchange(fake, (LIST + "?").encode(), hand_headers("GET", LIST + "?", stamp))
        head, _, body = answer.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 401 ")
        error = json.loads(body)
        assert error["error"]["errorCode"] == "200"
        assert error["debug"]["receivedTarget"] == LIST
        assert error["debug"]["failedCheck"] == "signature"


def test_raw_non_ascii_bytes_in_the_target_get_uvicorns_plain_400() -> None:
    with FakeNcloud(credentials=(ACCESS_KEY, SECRET_KEY)) as fake:
        stamp = int(time.time() * 1000)
        target = "/api/v1/mails/고"
        answer = _exchange(fake, target.encode(), hand_headers("GET", target, stamp))
        head, _, body = answer.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 400 ")
        assert b"content-type: text/plain" in head.lower()
        assert body == b"Invalid HTTP request received."
        assert fake.requests == []
