"""Each case tests what it names: a server broken one way fails it; bad answers fail cleanly."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from harness.conformance import CaseResult, fake_target, url_target
from harness.conformance._catalogue import run_protocol
from harness.conformance._model import run_check
from harness.fake import _gateway, _validation
from ncp_signing import Credentials, verify

KEYS = Credentials("control-access-key", "control-secret-key")
REJECTION_CASES = {"C9", "C13", "C14", "C15", "C17", "C26", "C39", "C40"}

Answer = tuple[int, Any]


@contextmanager
def scripted_server(answer: Callable[[str, str], Answer]) -> Iterator[str]:
    """A plain HTTP server answering every request with ``answer(method, path)`` as JSON."""

    class Handler(BaseHTTPRequestHandler):
        def _any(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            status, body = answer(self.command, self.path)
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PUT = do_DELETE = _any

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def _failed(results: list[CaseResult]) -> dict[str, str]:
    return {r.case_id: r.reason for r in results if r.status == "fail"}


def _run_scripted(answer: Callable[[str, str], Answer]) -> list[CaseResult]:
    """The protocol cases, mail sending allowed, against :func:`scripted_server`."""
    with (
        scripted_server(answer) as url,
        url_target(
            url,
            KEYS,
            sender="s@example.com",
            allow_send=True,
            to="t@example.com",
            check_credentials=False,
        ) as t,
    ):
        return run_protocol(t)


def test_a_server_that_rejects_everything_fails_every_rejection_case() -> None:
    invalid = {
        "error": {
            "errorCode": "200",
            "message": "Authentication Failed",
            "details": "Invalid authentication information.",
        }
    }
    failed = _failed(_run_scripted(lambda method, path: (401, invalid)))
    assert set(failed) >= REJECTION_CASES
    for case_id in REJECTION_CASES:
        assert "correctly signed twin" in failed[case_id], failed[case_id]


def test_a_fake_without_the_group_limit_fails_c35(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(_validation.LIMITS, "groups", 10_000)
    with fake_target() as target:
        failed = _failed(run_protocol(target))
    assert "C35" in failed
    assert failed["C35"].startswith("d: six groups: HTTP 201")


def test_c35_needs_the_message_to_name_the_field() -> None:
    def answer(method: str, path: str) -> Answer:
        if method == "POST":
            return 400, {"error": {"code": "77102", "message": "andFilter: is required"}}
        return 200, {}

    failed = _failed(_run_scripted(answer))
    assert "does not name" in failed["C35"]


def test_a_fake_that_ignores_a_trailing_slash_fails_c9(monkeypatch: pytest.MonkeyPatch) -> None:
    def lenient(method: str, target: str, *args: Any, **kwargs: Any) -> Any:
        path, mark, query = target.partition("?")
        return verify(method, (path.rstrip("/") or "/") + mark + query, *args, **kwargs)

    monkeypatch.setattr(_gateway, "verify", lenient)
    with fake_target() as target:
        failed = _failed(run_protocol(target))
    assert "C9" in failed
    assert "'/requests/' sent" in failed["C9"]


def test_answers_of_the_wrong_shape_fail_their_case_without_stopping_the_run() -> None:
    def answer(method: str, path: str) -> Answer:
        if method == "POST" and path.endswith("/files"):
            return 201, ["not", "an", "object"]
        if method == "POST":
            return 201, {"requestId": "1", "count": 1}
        if path.endswith("/status"):
            return 200, {"requestId": "1"}
        if path.endswith("/requests"):
            return 400, {"error": {"code": "77102", "message": "startUtc: is required"}}
        return 200, {}

    results = _run_scripted(answer)
    assert [r.case_id for r in results][-1] == "C40"
    failed = _failed(results)
    assert "readyCompleted" in failed["C37"]
    assert "not an object" in failed["C38"]


def test_any_exception_in_a_check_is_a_failed_case_with_a_one_line_reason() -> None:
    def broken() -> str:
        raise KeyError("line one\nline two")

    result = run_check("protocol:x", "C99", "Broken", broken)
    assert result.status == "fail"
    assert result.reason.startswith("KeyError: ")
    assert "\n" not in result.reason
