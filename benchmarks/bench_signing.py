"""Cost of signing and verifying, as ratios against the naive HMAC snippet in the same process.

Run: ``.venv/bin/python benchmarks/bench_signing.py``. Absolute times vary with the machine;
the ratios are what to compare.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import statistics
import timeit
from collections.abc import Callable

from ncp_signing import Credentials, Signer, verify

ACCESS_KEY = "xQ8T2yUw7ZbX3c5VnM1k"
SECRET_KEY = "Pq7Lr2Ns9Tv4Wx6Yz1Ab3Cd5Ef8Gh0Ij2Kl4Mn6"
URL = (
    "https://mail.apigw.ntruss.com/api/v1/mails/requests/20181120000000010999/mails"
    "?size=5&sendStatus=S&sendStatus=PF&page=0"
)
TARGET = URL.removeprefix("https://mail.apigw.ntruss.com")
STAMP = 1_700_000_000_000
BASELINE = "naive b64encode(hmac.new(...).digest()), prebuilt message"


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


def main() -> None:
    secret = SECRET_KEY.encode()
    message = f"GET {TARGET}\n{STAMP}\n{ACCESS_KEY}".encode()

    def naive() -> bytes:
        return base64.b64encode(hmac.new(secret, message, hashlib.sha256).digest())

    signer = Signer(Credentials(ACCESS_KEY, SECRET_KEY), clock=lambda: STAMP)
    headers = signer.headers("GET", URL)
    secrets = {ACCESS_KEY: SECRET_KEY}
    # More URLs than the signer keeps, so every call takes the full canonicalisation.
    fresh = itertools.cycle([f"{URL}&n={n}" for n in range(20_000)])

    cases: dict[str, Callable[[], object]] = {
        BASELINE: naive,
        "Signer.headers('GET', full URL with query)": lambda: signer.headers("GET", URL),
        "Signer.headers('GET', a URL not seen before)": lambda: signer.headers("GET", next(fresh)),
        "Signer.wire_headers('GET', target)  [adapters]": lambda: signer.wire_headers(
            "GET", TARGET
        ),
        "verify(...) of those headers": lambda: verify(
            "GET", TARGET, headers, secrets, now_ms=STAMP
        ),
    }
    times = measure(cases)
    base = times[BASELINE]
    print(f"{'case':<62} {'best us':>8} {'ratio':>6}")
    for name, seconds in times.items():
        ratio = statistics.median(t / b for t, b in zip(seconds, base, strict=True))
        print(f"{name:<62} {min(seconds) * 1e6:8.2f} {ratio:6.2f}")
    verify_best = min(times["verify(...) of those headers"])
    print(f"verify throughput: {1 / verify_best:,.0f} requests/s on one core")
    print("ratio: median over rounds of the case's time over the baseline's in the same round")


if __name__ == "__main__":
    main()
