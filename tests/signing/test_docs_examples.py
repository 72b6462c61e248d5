"""The signing guide's samples, run for real against the loopback server."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
from raw_server import ACCESS_KEY, SECRET_KEY, RawServer, raw_server

from ncp_signing import Credentials, Signer, canonical_uri

EXAMPLES = Path(__file__).parent.parent.parent / "docs" / "examples"
CREDENTIALS = Credentials(ACCESS_KEY, SECRET_KEY)


def load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"docs_example_{name}", EXAMPLES / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def server() -> Iterator[RawServer]:
    with raw_server() as running:
        yield running


def test_basics() -> None:
    basics = load("signing_basics")
    target, message, signature = basics.explain(CREDENTIALS, 1521787414578)
    assert target == "/api/v1/mails/requests?startDateTime=2024-01-01%2000:00"
    assert message == f"GET {target}\n1521787414578\n{ACCESS_KEY}"
    assert len(signature) == 44
    headers = basics.signed_headers(CREDENTIALS)
    assert headers["x-ncp-iam-access-key"] == ACCESS_KEY


def test_requests_sample(server: RawServer) -> None:
    response = load("signing_requests").request_status(server.url, CREDENTIALS, "2018112600")
    assert response.status_code == 200
    assert server.seen[-1].target == "/api/v1/mails/requests/2018112600/status"


def test_httpx_samples(server: RawServer) -> None:
    sample = load("signing_httpx")
    assert sample.list_requests(server.url, CREDENTIALS).status_code == 200
    assert server.seen[-1].valid
    assert sample.statuses(server.url, CREDENTIALS, ["1", "2", "3"]) == [200, 200, 200]


def test_verify_sample() -> None:
    sample = load("signing_verify")
    good = Credentials("EXAMPLE-ACCESS-KEY", "example-secret-key")
    headers = Signer(good).headers("POST", "/api/v1/mails")
    assert sample.authenticate("POST", canonical_uri("/api/v1/mails"), headers)[0] == 200
    status, body = sample.authenticate("POST", "/api/v1/mails?x", headers)
    assert status == 401
    assert body["error"]["details"] == "Invalid authentication information."
