"""The signer suite: every vector, then the signing cases (C1-C13, C18-C20)."""

from __future__ import annotations

import re
import time
from collections.abc import Callable

from harness.conformance._model import (
    CaseFailure,
    CaseResult,
    NotApplicable,
    SigningInput,
    Status,
    reference_signature,
    run_check,
)
from harness.conformance._signers import CachingSigner, Outcome
from harness.conformance._vectors import VectorCase, vector_cases
from ncp_signing import Credentials, Signer

__all__ = ["SIGNING_CASES", "run_signer_suite"]

TS = "1521787414578"
AK = "test-access-key"
SK = "test-secret-key"
PUPPY = "/photos/puppy.jpg?query1=&query2"
BASE64_SIGNATURE = re.compile(r"[A-Za-z0-9+/]{43}=")

Expectation = tuple[SigningInput, str]


def _given(method: str, uri: str) -> SigningInput:
    return SigningInput(method, uri, TS, AK, SK)


def _computed(*ids: str) -> list[Expectation]:
    by_id = {c.case_id: c for c in vector_cases()}
    return [(by_id[i].given, str(by_id[i].expected)) for i in ids]


def _same_as(vector: str, *uris: str, method: str = "GET") -> list[Expectation]:
    signature = _computed(vector)[0][1]
    return [(_given(method, uri), signature) for uri in uris]


def _by_rule(method: str, uri: str, target: str) -> list[Expectation]:
    return [(_given(method, uri), reference_signature(SK, f"{method} {target}\n{TS}\n{AK}"))]


SIGNING_CASES: dict[str, tuple[str, Callable[[], list[Expectation]]]] = {
    "C1": ("Canonical string bytes (V1; 1 ms later differs, V16)", lambda: _computed("V1", "V16")),
    "C2": (
        "Mailer send vector (V2), from a target or a full URL",
        lambda: (
            _computed("V2")
            + _same_as("V2", "https://mail.apigw.ntruss.com/api/v1/mails", method="POST")
        ),
    ),
    "C3": ("Doc example shape with a known secret (V3)", lambda: _computed("V3")),
    "C4": (
        "Scheme, host, port and fragment excluded",
        lambda: _same_as(
            "V1",
            "https://uh7m0wgsis.apigw.ntruss.com" + PUPPY,
            "https://uh7m0wgsis.apigw.ntruss.com:443" + PUPPY,
            "http://other.example" + PUPPY + "#fragment",
        ),
    ),
    "C5": ("Query kept verbatim: empty value and bare key (V1)", lambda: _computed("V1")),
    "C6": ("Repeated keys in wire order, no sorting (V4)", lambda: _computed("V4")),
    "C8": (
        "No query means no '?'; a literal '?' is signed; empty path is '/'",
        lambda: _computed("V11", "V12", "V8") + _same_as("V8", "https://mail.apigw.ntruss.com"),
    ),
    "C9": ("Trailing slash is significant (V9 vs V2)", lambda: _computed("V9", "V2")),
    "C10": ("Space in a query value as %20 (V13) or + (V14)", lambda: _computed("V13", "V14")),
    "C11": ("Non-ASCII query value, encoded (V6) or raw (V7)", lambda: _computed("V6", "V7")),
    "C12": (
        "Non-ASCII path is signed percent-encoded as UTF-8",
        lambda: (
            _by_rule("GET", "/한글", "/%ED%95%9C%EA%B8%80")
            + _by_rule("GET", "/%ED%95%9C%EA%B8%80", "/%ED%95%9C%EA%B8%80")
        ),
    ),
    "C13": ("Method signed as given: 'get' differs from 'GET'", lambda: _computed("V10", "V1")),
    "C20": ("HMAC key is the UTF-8 secret (V17)", lambda: _computed("V17")),
}


def run_signer_suite(signer: CachingSigner) -> list[CaseResult]:
    """Run every vector and every signing case against one signer."""
    suite = f"signer:{signer.name}"
    vectors = vector_cases()
    expectations = {key: make() for key, (_, make) in SIGNING_CASES.items()}
    started = time.perf_counter()
    signer.prefetch(
        [v.given for v in vectors] + [e[0] for group in expectations.values() for e in group]
    )
    share = (time.perf_counter() - started) / max(1, len(vectors))
    results = [_vector_result(suite, case, signer, share) for case in vectors]
    for key, (title, _) in SIGNING_CASES.items():
        results.append(run_check(suite, key, title, _expectation_check(signer, expectations[key])))
    results.append(run_check(suite, "C18", "Fresh timestamp per request", lambda: _fresh(signer)))
    results.append(
        run_check(suite, "C19", "Standard Base64, 44 characters", lambda: _base64(signer))
    )
    results.sort(key=lambda r: _order(r.case_id))
    return results


def _order(case_id: str) -> tuple[int, int, str]:
    """V1-V17 first, then the edge cases and refusals, then C1-C40, each in number order."""
    if case_id[0] in "CV" and case_id[1:].isdigit():
        return (2 if case_id[0] == "C" else 0, int(case_id[1:]), "")
    return (1, 0, case_id)


def _expectation_check(signer: CachingSigner, expectations: list[Expectation]) -> Callable[[], str]:
    return lambda: _expect(signer, expectations)


def _vector_result(suite: str, case: VectorCase, signer: CachingSigner, share: float) -> CaseResult:
    outcome = signer.sign_many([case.given])[0]
    reason = _mismatch(outcome, case.expected)
    status: Status = "fail" if reason else "pass"
    if not reason:
        reason = "refused, as it must" if case.expected is None else "signature matches"
    return CaseResult(suite, case.case_id, case.title, status, reason, share)


def _mismatch(outcome: Outcome, expected: str | None) -> str:
    """Why an outcome is wrong, or '' when it is right."""
    if expected is None:
        return "" if outcome.refused else f"must refuse, but {outcome.describe()}"
    if outcome.signature == expected:
        return ""
    return f"{outcome.describe()}, expected {expected!r}"


def _expect(signer: CachingSigner, expectations: list[Expectation]) -> str:
    outcomes = signer.sign_many([given for given, _ in expectations])
    for (given, expected), outcome in zip(expectations, outcomes, strict=True):
        reason = _mismatch(outcome, expected)
        if reason:
            raise CaseFailure(f"{given.method} {given.uri[:50]}: {reason}")
    return f"{len(expectations)} signature(s) match"


def _fresh(signer: CachingSigner) -> str:
    if signer.name != "project":
        raise NotApplicable("the stdin protocol passes the timestamp in; a client-object case")
    ticks = iter([1_700_000_000_000, 1_700_000_400_000])
    reused = Signer(Credentials(AK, SK), clock=lambda: next(ticks))
    first = reused.headers("GET", PUPPY)
    second = reused.headers("GET", PUPPY)
    if first == second:
        raise CaseFailure("a reused Signer sent the same timestamp and signature twice")
    return "a reused Signer stamps and signs every request afresh"


def _base64(signer: CachingSigner) -> str:
    produced = [o.signature for o in signer.produced() if o.signature is not None]
    bad = [s for s in produced if not BASE64_SIGNATURE.fullmatch(s)]
    if bad:
        raise CaseFailure(f"{len(bad)} signature(s) are not standard Base64, e.g. {bad[0][:60]!r}")
    if not produced:
        raise CaseFailure("the signer produced no signature at all")
    return f"all {len(produced)} signatures are 44 characters of standard Base64"
