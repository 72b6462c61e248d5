"""The packaged vector files, and the signing cases built from them."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from harness.conformance._model import SigningInput

__all__ = [
    "COMPUTED_FILE",
    "EDGE_FILE",
    "SCHEMA_FILE",
    "VectorCase",
    "load_vector_file",
    "vector_cases",
]

EDGE_FILE = "signature-v2-edge.json"
COMPUTED_FILE = "computed-v1-v17.json"
SCHEMA_FILE = "schema.json"


@dataclass(frozen=True)
class VectorCase:
    """One signer input and what must come out: a signature, or a refusal (``None``)."""

    case_id: str
    title: str
    given: SigningInput
    expected: str | None


@cache
def _load(name: str) -> str:
    return (resources.files("harness.conformance") / "vectors" / name).read_text(encoding="utf-8")


def load_vector_file(name: str) -> dict[str, Any]:
    """Return one packaged vector file (or ``schema.json``) as parsed JSON."""
    data: dict[str, Any] = json.loads(_load(name))
    return data


def vector_cases() -> list[VectorCase]:
    """Every signer case: V1-V17, each edge case as a target and as a full URL, the refusals."""
    cases = [
        VectorCase(
            c["id"],
            f"{c['method']} {c['uri']}"[:70],
            SigningInput(c["method"], c["uri"], c["timestamp"], c["access_key"], c["secret_key"]),
            c["signature"],
        )
        for c in load_vector_file(COMPUTED_FILE)["cases"]
    ]
    edge = load_vector_file(EDGE_FILE)
    for c in edge["cases"]:
        for suffix, uri in (("", c["uri_as_given"]), ("/url", c["sdk_input_url"])):
            given = SigningInput(c["method"], uri, c["timestamp"], c["access_key"], c["secret_key"])
            cases.append(VectorCase(c["id"] + suffix, c["note"][:70], given, c["signature"]))
    for number, r in enumerate(edge["rejected_inputs"], start=1):
        given = SigningInput(
            r["method"], r["uri_as_given"], "1700000000000", "test-access-key", "test-secret-key"
        )
        cases.append(
            VectorCase(f"rejected-{number}", f"refuse: {r['sdk_error']}"[:70], given, None)
        )
    return cases
