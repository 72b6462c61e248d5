"""A loopback HTTP server that checks signatures from the raw request line it received.

Its check is computed here, independently of ``ncp_signing``: the method and target exactly
as they arrived on the wire, one timestamp, one access key, HMAC-SHA256, standard Base64.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ACCESS_KEY = "raw-server-access-key"
SECRET_KEY = "raw-server-secret-ключ"


@dataclass
class Seen:
    """One request as the server received it."""

    method: str
    target: str
    headers: list[tuple[str, str]]
    valid: bool


@dataclass
class RawServer:
    """The running server: its base URL and what it has received."""

    url: str
    seen: list[Seen] = field(default_factory=list)
    redirect_to: str = ""


def expected_signature(method: str, target: str, timestamp: str, access_key: str) -> str:
    message = f"{method} {target}\n{timestamp}\n{access_key}".encode()
    digest = hmac.new(SECRET_KEY.encode(), message, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def _check(method: str, target: str, headers: list[tuple[str, str]]) -> bool:
    by_name: dict[str, list[str]] = {}
    for name, value in headers:
        by_name.setdefault(name.lower(), []).append(value)
    needed = ("x-ncp-apigw-timestamp", "x-ncp-iam-access-key", "x-ncp-apigw-signature-v2")
    if any(len(by_name.get(name, [])) != 1 for name in needed):
        return False
    stamp, key, signature = (by_name[name][0] for name in needed)
    return key == ACCESS_KEY and signature == expected_signature(method, target, stamp, key)


@contextmanager
def raw_server() -> Iterator[RawServer]:
    """Serve on 127.0.0.1, port 0, in a thread; ``/redirect`` answers 302 to ``redirect_to``."""
    state = RawServer(url="")

    class Handler(BaseHTTPRequestHandler):
        def _handle(self) -> None:
            method, target = self.requestline.split(" ")[:2]
            headers = list(self.headers.items())
            valid = _check(method, target, headers)
            state.seen.append(Seen(method, target, headers, valid))
            length = int(self.headers.get("content-length") or 0)
            if length:
                self.rfile.read(length)
            if target.startswith("/redirect") and state.redirect_to:
                self.send_response(302)
                self.send_header("Location", state.redirect_to)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            body = json.dumps({"valid": valid, "target": target}).encode()
            self.send_response(200 if valid else 401)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _handle

        def log_message(self, format: str, *args: object) -> None:
            """Keep test output quiet."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
