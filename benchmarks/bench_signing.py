"""Cost of signing and verifying, as ratios against the naive HMAC snippet in the same process.

Run: ``.venv/bin/python benchmarks/bench_signing.py``. Absolute times vary with the machine;
the ratios are what to compare.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import timeit

from ncp_signing import Credentials, Signer, verify

ACCESS_KEY = "xQ8T2yUw7ZbX3c5VnM1k"
SECRET_KEY = "Pq7Lr2Ns9Tv4Wx6Yz1Ab3Cd5Ef8Gh0Ij2Kl4Mn6"
URL = (
    "https://mail.apigw.ntruss.com/api/v1/mails/requests/20181120000000010999/mails"
    "?size=5&sendStatus=S&sendStatus=PF&page=0"
)
TARGET = URL.removeprefix("https://mail.apigw.ntruss.com")
STAMP = 1_700_000_000_000


def best_per_call(function: object, number: int = 20_000, repeat: int = 7) -> float:
    """Return the best seconds per call over several runs (the least disturbed by noise)."""
    return min(timeit.repeat(function, number=number, repeat=repeat)) / number  # type: ignore[arg-type]


def main() -> None:
    secret = SECRET_KEY.encode()
    message = f"GET {TARGET}\n{STAMP}\n{ACCESS_KEY}".encode()

    def naive() -> bytes:
        return base64.b64encode(hmac.new(secret, message, hashlib.sha256).digest())

    signer = Signer(Credentials(ACCESS_KEY, SECRET_KEY), clock=lambda: STAMP)
    headers = signer.headers("GET", URL)
    secrets = {ACCESS_KEY: SECRET_KEY}

    def sign_headers() -> dict[str, str]:
        return signer.headers("GET", URL)

    def sign_wire() -> dict[str, str]:
        return signer.wire_headers("GET", TARGET)

    unique = [f"{URL}&n={n}" for n in range(20_000)]
    fresh = iter(unique * 8)

    def sign_unique() -> dict[str, str]:
        return signer.headers("GET", next(fresh))

    def verify_once() -> object:
        return verify("GET", TARGET, headers, secrets, now_ms=STAMP)

    baseline = best_per_call(naive)
    rows = [
        ("naive b64encode(hmac.new(...).digest()), prebuilt message", baseline),
        ("Signer.headers('GET', full URL with query)", best_per_call(sign_headers)),
        ("Signer.headers('GET', a URL not seen before)", best_per_call(sign_unique, repeat=7)),
        ("Signer.wire_headers('GET', target)  [adapters]", best_per_call(sign_wire)),
        ("verify(...) of those headers", best_per_call(verify_once)),
    ]
    print(f"{'case':<62} {'us/call':>8} {'ratio':>6}")
    for name, seconds in rows:
        print(f"{name:<62} {seconds * 1e6:8.2f} {seconds / baseline:6.2f}")
    print(f"verify throughput: {1 / rows[-1][1]:,.0f} requests/s on one core")


if __name__ == "__main__":
    main()
