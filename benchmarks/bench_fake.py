"""Throughput of the fake NCloud server: signed POST /api/v1/mails vs the health route.

Runs the server in a subprocess (``ncp-fake-server``), then drives it from 8 client threads,
each with its own keep-alive connection, for a few seconds per route. Prints requests per
second for both and their ratio. Usage: ``python benchmarks/bench_fake.py [--seconds 3]``.
"""

from __future__ import annotations

import argparse
import http.client
import json
import subprocess
import sys
import threading
import time
from urllib.parse import urlsplit

from ncp_signing import Credentials, Signer, verify

CLIENTS = 8
CREDENTIALS = Credentials("bench-access-key", "bench-secret-key")
BODY = json.dumps(
    {
        "senderAddress": "sender@example.com",
        "title": "Hello ${name}",
        "body": "Body",
        "recipients": [{"address": "to@example.com", "type": "R", "parameters": {"name": "A"}}],
    }
).encode()


def _client(host: str, port: int, signed: bool, stop: float, counts: list[int], i: int) -> None:
    connection = http.client.HTTPConnection(host, port, timeout=10)
    signer = Signer(CREDENTIALS)
    done = 0
    while time.monotonic() < stop:
        if signed:
            headers = signer.headers("POST", "/api/v1/mails")
            headers["Content-Type"] = "application/json"
            connection.request("POST", "/api/v1/mails", body=BODY, headers=headers)
            expected = 201
        else:
            connection.request("GET", "/_fake/health")
            expected = 200
        response = connection.getresponse()
        response.read()
        if response.status != expected:
            raise RuntimeError(f"unexpected status {response.status}")
        done += 1
    connection.close()
    counts[i] = done


def _measure(host: str, port: int, signed: bool, seconds: float) -> float:
    counts = [0] * CLIENTS
    stop = time.monotonic() + seconds
    threads = [
        threading.Thread(target=_client, args=(host, port, signed, stop, counts, i))
        for i in range(CLIENTS)
    ]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(counts) / (time.monotonic() - started)


def _verify_seconds(calls: int = 20_000) -> float:
    """Seconds one ``verify`` call takes, measured in this process."""
    secrets = {CREDENTIALS.access_key: CREDENTIALS.secret_key}
    headers = Signer(CREDENTIALS).headers("POST", "/api/v1/mails")
    started = time.perf_counter()
    for _ in range(calls):
        verify("POST", "/api/v1/mails", headers, secrets)
    return (time.perf_counter() - started) / calls


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0)
    args = parser.parse_args()
    credential = f"{CREDENTIALS.access_key}:{CREDENTIALS.secret_key}"
    command = [sys.executable, "-m", "harness.fake.cli", "--credential", credential]
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True) as server:  # noqa: S603
        try:
            assert server.stdout is not None
            url = urlsplit(server.stdout.readline().strip())
            host, port = url.hostname or "127.0.0.1", url.port or 80
            _measure(host, port, False, 0.5)  # warm up
            health = _measure(host, port, False, args.seconds)
            signed = _measure(host, port, True, args.seconds)
        finally:
            server.terminate()
            server.wait(10)
    print(f"health (unauthenticated GET /_fake/health): {health:8.0f} req/s")
    print(f"signed POST /api/v1/mails:                   {signed:8.0f} req/s")
    print(f"ratio signed/health:                         {signed / health:8.2f}")
    # The server runs one event loop, so this is the share of its time spent verifying.
    share = _verify_seconds() * signed
    print(f"signature verification share of server time: {share:8.1%}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
