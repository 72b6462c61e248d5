"""Throughput of the fake NCloud server, and what its signature verification costs.

Measures signed POST /api/v1/mails against two servers run the same way: the fake as shipped,
and the fake with its gateway's ``verify`` replaced by a no-op that trusts the headers (the
replacement lives only in this file, in the server subprocess it starts). The ratio of the
two rates is the throughput verification costs. The unauthenticated health route is measured
too. Servers alternate over a few rounds, so drift hits both alike. Each measurement drives
a fresh server subprocess from 8 client threads, each with its own keep-alive connection.
Usage: ``python benchmarks/bench_fake.py [--seconds 3] [--rounds 3]``.
"""

from __future__ import annotations

import argparse
import http.client
import json
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit

from ncp_signing import Credentials, Signer, VerifiedRequest

CLIENTS = 8
TARGET_COST = 0.10
CREDENTIALS = Credentials("bench-access-key", "bench-secret-key")
BODY = json.dumps(
    {
        "senderAddress": "sender@example.com",
        "title": "Hello ${name}",
        "body": "Body",
        "recipients": [{"address": "to@example.com", "type": "R", "parameters": {"name": "A"}}],
    }
).encode()


def _trusting_verify(
    method: str,
    target: str,
    headers: Any,
    secrets: Any,
    *,
    now_ms: int | None = None,
    window_ms: int = 0,
) -> VerifiedRequest:
    """The no-op stand-in for ``verify``: the access key and timestamp taken as sent."""
    given = {name.lower(): value for name, value in headers}
    stamp = int(given["x-ncp-apigw-timestamp"])
    access_key = given["x-ncp-iam-access-key"]
    return VerifiedRequest(access_key, stamp, stamp - (now_ms or stamp), "x-ncp-apigw-signature-v2")


def _serve(verification: str) -> int:
    """Run the fake CLI in this process, with verification ``on`` or replaced (``off``)."""
    import harness.fake._gateway as gateway
    from harness.fake.cli import main as serve

    if verification == "off":
        gateway.verify = _trusting_verify  # type: ignore[attr-defined,unused-ignore]
    credential = f"{CREDENTIALS.access_key}:{CREDENTIALS.secret_key}"
    return serve(["--credential", credential])


@contextmanager
def _server(verification: str) -> Iterator[tuple[str, int]]:
    command = [sys.executable, __file__, "--serve", verification]
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True) as server:  # noqa: S603
        try:
            assert server.stdout is not None
            url = urlsplit(server.stdout.readline().strip())
            yield url.hostname or "127.0.0.1", url.port or 80
        finally:
            server.terminate()
            server.wait(10)


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
            raise RuntimeError(f"The server answered {response.status}, not {expected}.")
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


def _rate(verification: str, signed: bool, seconds: float) -> float:
    """Requests per second against a fresh server, after half a second of warm-up."""
    with _server(verification) as (host, port):
        _measure(host, port, signed, 0.5)
        return _measure(host, port, signed, seconds)


def _mean(values: Sequence[float]) -> float:
    return sum(values) / len(values)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--serve", choices=("on", "off"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        return _serve(args.serve)
    health: list[float] = []
    rates: dict[str, list[float]] = {"on": [], "off": []}
    for round_ in range(args.rounds):
        order = ("on", "off") if round_ % 2 == 0 else ("off", "on")
        for verification in order:
            rates[verification].append(_rate(verification, True, args.seconds))
        health.append(_rate("on", False, args.seconds))
    on, off = _mean(rates["on"]), _mean(rates["off"])
    cost = 1 - on / off
    print(f"health (unauthenticated GET /_fake/health):   {_mean(health):8.0f} req/s")
    print(f"signed POST /api/v1/mails, verification on:   {on:8.0f} req/s")
    print(f"signed POST /api/v1/mails, verify a no-op:    {off:8.0f} req/s")
    print(f"ratio signed (verification on) / health:      {on / _mean(health):8.2f}")
    print(f"ratio verification on / no-op:                {on / off:8.3f}")
    print(f"throughput cost of verification:              {cost:8.1%} (target < {TARGET_COST:.0%})")
    print(f"rounds: {args.rounds} x {args.seconds:g} s per measurement, {CLIENTS} client threads")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
