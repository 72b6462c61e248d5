"""Cost of signing and verifying, as ratios against the naive HMAC snippet in the same process.

Run: ``.venv/bin/python benchmarks/bench_signing.py``. Absolute times vary with the machine;
the ratios are what to compare. The headline is ``Signer.headers("GET", url)`` for URLs not
seen before (ids and queries vary, as in real traffic), and its budget is at most
``BUDGET`` times the naive snippet on a prebuilt message; the script exits 1 past it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import statistics
import sys
import timeit
from collections.abc import Callable

from ncp_signing import Credentials, Signer, verify

ACCESS_KEY = "xQ8T2yUw7ZbX3c5VnM1k"
SECRET_KEY = "Pq7Lr2Ns9Tv4Wx6Yz1Ab3Cd5Ef8Gh0Ij2Kl4Mn6"
ORIGIN = "https://mail.apigw.ntruss.com"
URL = (
    f"{ORIGIN}/api/v1/mails/requests/20181120000000010999/mails"
    "?size=5&sendStatus=S&sendStatus=PF&page=0"
)
TARGET = URL.removeprefix(ORIGIN)
STAMP = 1_700_000_000_000
BUDGET = 1.3
BASELINE = "naive b64encode(hmac.new(...).digest()), prebuilt message"
HEADLINE = "Signer.headers('GET', a URL not seen before)"
FRESH_URLS = 20_000


def fresh_urls(count: int = FRESH_URLS) -> list[str]:
    """Return distinct URLs of one NCloud shape, built before any timing starts."""
    return [
        f"{ORIGIN}/api/v1/mails/requests/{20181120000000010000 + 7919 * n}/mails"
        f"?size={n % 50 + 1}&sendStatus=S&sendStatus=PF&page={n % 13}"
        for n in range(count)
    ]


def measure(
    cases: dict[str, Callable[[], object]], number: int = 10_000, rounds: int = 15
) -> dict[str, list[float]]:
    """Return seconds per call of every case, for each round.

    The cases take turns within each round, so a busy machine slows the baseline and the
    case it is compared with alike; the ratio of the same round is what stays meaningful.
    """
    times: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(rounds):
        for name, function in cases.items():
            times[name].append(timeit.timeit(function, number=number) / number)
    return times


def cases() -> dict[str, Callable[[], object]]:
    """Return the timed calls, the baseline first and the headline second."""
    secret = SECRET_KEY.encode()
    message = f"GET {TARGET}\n{STAMP}\n{ACCESS_KEY}".encode()
    signer = Signer(Credentials(ACCESS_KEY, SECRET_KEY), clock=lambda: STAMP)
    headers = signer.headers("GET", URL)
    secrets = {ACCESS_KEY: SECRET_KEY}
    fresh = itertools.cycle(fresh_urls())
    return {
        BASELINE: lambda: base64.b64encode(hmac.new(secret, message, hashlib.sha256).digest()),
        HEADLINE: lambda: signer.headers("GET", next(fresh)),
        "Signer.headers('GET', the same URL every call)": lambda: signer.headers("GET", URL),
        "Signer.wire_headers('GET', target)  [adapters]": lambda: signer.wire_headers(
            "GET", TARGET
        ),
        "verify(...) of those headers": lambda: verify(
            "GET", TARGET, headers, secrets, now_ms=STAMP
        ),
    }


def report(times: dict[str, list[float]]) -> float:
    """Print every case against the baseline; return the headline's ratio."""
    base = times[BASELINE]
    ratios = {
        name: statistics.median(t / b for t, b in zip(seconds, base, strict=True))
        for name, seconds in times.items()
    }
    print(f"{'case':<62} {'best us':>8} {'ratio':>6}")
    for name, seconds in times.items():
        print(f"{name:<62} {min(seconds) * 1e6:8.2f} {ratios[name]:6.2f}")
    verify_best = min(times["verify(...) of those headers"])
    print(f"verify throughput: {1 / verify_best:,.0f} requests/s on one core")
    print("ratio: median over rounds of the case's time over the baseline's in the same round")
    return ratios[HEADLINE]


def main() -> int:
    ratio = report(measure(cases()))
    verdict = "within" if ratio <= BUDGET else "OVER"
    print(f"verdict: headline {ratio:.2f}x is {verdict} the {BUDGET}x budget")
    return 0 if ratio <= BUDGET else 1


if __name__ == "__main__":
    sys.exit(main())
