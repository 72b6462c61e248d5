"""The background path: submit rate, the send endpoint's latency, and drain throughput.

1. ``Outbox.submit()`` calls per second into a fresh SQLite file (``synchronous`` NORMAL,
   the default, and FULL).
2. ``POST /api/v1/email/send`` latency, p50 and p99, while the fake NCloud server holds every
   send for 1 s: the endpoint must answer from the outbox alone (p99 under 1% of the
   upstream latency, 10 ms). The budget holds for the default, NORMAL: the script exits 1
   when that p99 misses it. FULL, a disk sync per write, is measured too but is outside the
   budget: on most disks its sync alone takes milliseconds.
3. Drain throughput, mails per second, with 1, 4 and 8 workers: against the bare fake, and
   against the fake with 20 ms of latency per send (closer to a real network).

The fake runs in a subprocess, so its CPU time is not shared with the workers'.

Usage: ``python benchmarks/bench_outbox.py [--submits 2000] [--posts 300] [--mails 400]``
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests
from pydantic import SecretStr

from harness.mail import MailClient
from harness.outbox import ClientTransport, DrainPolicy, Outbox, WorkerPool
from harness.outbox._db import Synchronous
from harness.service import BackgroundServer, create_app
from ncp_config import NcpSettings

ACCESS_KEY = "bench-access-key"
SECRET_KEY = "bench-secret-key"
SENDER = "no-reply@example.com"
MODES: tuple[Synchronous, ...] = ("NORMAL", "FULL")


def mail(number: int) -> dict[str, object]:
    return {
        "title": f"Hello ${{name}} #{number}",
        "body": "<p>Welcome, ${name}.</p>",
        "recipients": [{"address": f"user{number}@example.com", "parameters": {"name": "Ada"}}],
    }


@contextmanager
def fake_server(folder: Path, latency_ms: int) -> Iterator[str]:
    """The fake in a subprocess, with ``latency_ms`` on every send; yields the mail API URL."""
    command = [
        sys.executable,
        "-m",
        "harness.fake.cli",
        "--credential",
        f"{ACCESS_KEY}:{SECRET_KEY}",
    ]
    if latency_ms:
        faults = folder / f"latency-{latency_ms}.json"
        script = {
            "faults": [
                {"kind": "latency", "method": "POST", "path": "/api/*/mails", "delayMs": latency_ms}
            ]
        }
        faults.write_text(json.dumps(script), encoding="utf-8")
        command += ["--faults", str(faults)]
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True) as server:  # noqa: S603
        try:
            assert server.stdout is not None
            yield server.stdout.readline().strip().rstrip("/") + "/api/v1"
        finally:
            server.terminate()
            server.wait(10)


def settings_for(url: str) -> NcpSettings:
    return NcpSettings(
        access_key=ACCESS_KEY,
        secret_key=SecretStr(SECRET_KEY),
        mail_api_url=url,
        mail_sender_address=SENDER,
        retry_attempts=1,
    )


def bench_submit(folder: Path, count: int) -> None:
    for mode in MODES:
        path = folder / f"submit-{mode}.db"
        with Outbox(path, sender_address=SENDER, synchronous=mode) as box:
            timings = []
            started = time.perf_counter()
            for number in range(count):
                begun = time.perf_counter()
                box.submit(mail(number))
                timings.append(time.perf_counter() - begun)
            elapsed = time.perf_counter() - started
        print(
            f"submit() synchronous={mode:<6}: {count / elapsed:8.0f} /s   "
            f"p50 {percentile(timings, 50) * 1e3:6.2f} ms   "
            f"p99 {percentile(timings, 99) * 1e3:6.2f} ms"
        )


BUDGET = 0.010
"""Seconds: the p99 the send endpoint must meet with the default durability, NORMAL."""


def bench_post(folder: Path, count: int, mode: Synchronous) -> float:
    """Measure the send endpoint with ``mode``; return its p99 in seconds."""
    with fake_server(folder, 1000) as url:
        settings = settings_for(url)
        with Outbox(folder / f"post-{mode}.db", sender_address=SENDER, synchronous=mode) as box:
            app = create_app(settings, outbox=box, workers=4)
            with BackgroundServer(app) as server, requests.Session() as http:
                endpoint = server.url + "/api/v1/email/send"
                for number in range(20):  # warm up
                    http.post(endpoint, json=mail(-number - 1), timeout=10)
                timings = []
                for number in range(count):
                    begun = time.perf_counter()
                    answer = http.post(endpoint, json=mail(number), timeout=10)
                    timings.append(time.perf_counter() - begun)
                    assert answer.status_code == 202, answer.text
                sent_meanwhile = box.counts()["sent"]
                server.stop(timeout=5)
    p50, p99 = percentile(timings, 50), percentile(timings, 99)
    print(
        f"POST /api/v1/email/send, synchronous={mode}, 1 s upstream latency: "
        f"p50 {p50 * 1e3:.2f} ms, "
        f"p99 {p99 * 1e3:.2f} ms, max {max(timings) * 1e3:.2f} ms "
        f"({count} posts; {sent_meanwhile} sent meanwhile) -> {verdict(mode, p99)}"
    )
    return p99


def verdict(mode: Synchronous, p99: float) -> str:
    """How a p99 compares with the budget, which binds the default mode only."""
    within = p99 < BUDGET
    if mode != "NORMAL":
        return "within the 10 ms budget" if within else "outside the 10 ms budget (not held to it)"
    return "OK (< 10 ms)" if within else "TOO SLOW (the budget is 10 ms)"


def bench_drain(folder: Path, count: int, latency_ms: int) -> None:
    with (
        fake_server(folder, latency_ms) as url,
        MailClient(settings_for(url), pool_size=16) as client,
    ):
        transport = ClientTransport(client)
        with Outbox(":memory:", sender_address=SENDER) as scratch:
            client.send(scratch.prepare(mail(-1)))  # warm up
        for workers in (1, 4, 8):
            path = folder / f"drain-{latency_ms}-{workers}.db"
            with Outbox(path, sender_address=SENDER) as box:
                for number in range(count):
                    box.submit(mail(number))
                started = time.perf_counter()
                pool = WorkerPool(
                    box, transport, workers=workers, policy=DrainPolicy(), idle_wait=0.01
                )
                with pool:
                    while box.counts()["sent"] < count:
                        time.sleep(0.005)
                elapsed = time.perf_counter() - started
            print(
                f"drain, {latency_ms:>2} ms upstream latency, {workers} worker(s): "
                f"{count / elapsed:8.0f} mails/s ({count} in {elapsed:.2f} s)"
            )


def percentile(values: list[float], pct: int) -> float:
    return (
        statistics.quantiles(values, n=100, method="inclusive")[pct - 1]
        if pct < 100
        else max(values)
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submits", type=int, default=2000)
    parser.add_argument("--posts", type=int, default=300)
    parser.add_argument("--mails", type=int, default=400)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-outbox-") as name:
        folder = Path(name)
        bench_submit(folder, args.submits)
        p99 = {mode: bench_post(folder, args.posts, mode) for mode in MODES}
        bench_drain(folder, args.mails, 0)
        bench_drain(folder, args.mails, 20)
    if p99["NORMAL"] >= BUDGET:
        print(
            f"FAILED: the send endpoint's p99 with synchronous=NORMAL was "
            f"{p99['NORMAL'] * 1e3:.2f} ms, over the 10 ms budget.",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
