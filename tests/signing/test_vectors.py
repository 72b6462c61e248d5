"""The signer against the official Go SDK's edge vectors and the computed vectors V1-V17."""

from __future__ import annotations

from typing import Any

import pytest
from signing_vectors import COMPUTED, EDGE

from ncp_signing import (
    Credentials,
    InvalidTargetError,
    Signer,
    canonical_uri,
    sign,
    string_to_sign,
)

EDGE_CASES = EDGE["cases"]
COMPUTED_CASES = COMPUTED["cases"]


def test_edge_file_is_complete() -> None:
    assert len(EDGE_CASES) == EDGE["count"] == 55
    assert len(EDGE["rejected_inputs"]) == 4
    assert "ncloud-sdk-go-v2" in EDGE["source"]


@pytest.mark.parametrize("case", EDGE_CASES, ids=[c["id"] for c in EDGE_CASES])
def test_edge_vector(case: dict[str, Any]) -> None:
    for given in (case["uri_as_given"], case["sdk_input_url"]):
        assert canonical_uri(given) == case["uri_signed"]
        assert (
            string_to_sign(case["method"], given, case["timestamp"], case["access_key"])
            == case["string_to_sign"]
        )
        signature = sign(
            method=case["method"],
            uri=given,
            timestamp=case["timestamp"],
            access_key=case["access_key"],
            secret_key=case["secret_key"],
        )
        assert signature == case["signature"]


@pytest.mark.parametrize("case", EDGE_CASES[:5], ids=[c["id"] for c in EDGE_CASES[:5]])
def test_signer_agrees_with_sign(case: dict[str, Any]) -> None:
    stamp = int(case["timestamp"])
    signer = Signer(Credentials(case["access_key"], case["secret_key"]), clock=lambda: stamp)
    headers = signer.headers(case["method"], case["sdk_input_url"])
    assert headers == {
        "x-ncp-apigw-timestamp": case["timestamp"],
        "x-ncp-iam-access-key": case["access_key"],
        "x-ncp-apigw-signature-v2": case["signature"],
    }


@pytest.mark.parametrize(
    "rejected", EDGE["rejected_inputs"], ids=[r["sdk_error"] for r in EDGE["rejected_inputs"]]
)
def test_rejected_input_raises(rejected: dict[str, str]) -> None:
    with pytest.raises(InvalidTargetError) as info:
        sign(rejected["method"], rejected["uri_as_given"], 1700000000000, "ak", "sk")
    assert repr(rejected["uri_as_given"])[:20] in str(info.value)


@pytest.mark.parametrize("case", COMPUTED_CASES, ids=[c["id"] for c in COMPUTED_CASES])
def test_computed_vector(case: dict[str, str]) -> None:
    signature = sign(
        case["method"], case["uri"], case["timestamp"], case["access_key"], case["secret_key"]
    )
    assert signature == case["signature"]
    assert len(signature) == 44
    assert signature.endswith("=")


def test_computed_vectors_that_must_differ() -> None:
    by_id = {c["id"]: c["signature"] for c in COMPUTED_CASES}
    assert by_id["V10"] != by_id["V1"]  # lowercase method is signed as given
    assert by_id["V11"] != by_id["V12"]  # a trailing '?' is signed
    assert by_id["V9"] != by_id["V2"]  # a trailing slash is signed
    assert by_id["V16"] != by_id["V1"]  # one millisecond changes everything


def test_full_url_signs_like_its_target() -> None:
    target = "/photos/puppy.jpg?query1=&query2"
    for url in (
        "https://uh7m0wgsis.apigw.ntruss.com" + target,
        "https://uh7m0wgsis.apigw.ntruss.com:443" + target,
        "http://other.example" + target + "#fragment",
    ):
        assert canonical_uri(url) == target


def test_timestamp_as_int_or_str_is_the_same() -> None:
    as_int = sign("GET", "/", 1521787414578, "test-access-key", "test-secret-key")
    as_str = sign("GET", "/", "1521787414578", "test-access-key", "test-secret-key")
    assert as_int == as_str == "X8Xz+ssC2k3+JnXE62HFASbqPxA+peN/5f2GZEKWJ64="
