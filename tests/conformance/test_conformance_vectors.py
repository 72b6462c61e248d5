"""The packaged vectors: valid against their schema, complete, documented, and the only copy."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import jsonschema_rs
import pytest

from harness.conformance import (
    COMPUTED_FILE,
    EDGE_FILE,
    SCHEMA_FILE,
    load_vector_file,
    vector_cases,
)

GO_SDK_COMMIT = "f3df3ede679a07658210f9d7c588007362888bd5"
PACKAGE = Path(__file__).parent.parent.parent / "src" / "harness" / "conformance" / "vectors"


@pytest.mark.parametrize("name", [EDGE_FILE, COMPUTED_FILE])
def test_files_match_the_schema(name: str) -> None:
    jsonschema_rs.validate(load_vector_file(SCHEMA_FILE), load_vector_file(name))


def test_schema_rejects_a_broken_case() -> None:
    document = load_vector_file(COMPUTED_FILE)
    document["cases"][0]["signature"] = "rUo_70JlOjndfEj7LYrPIJN1eXOpEOB2iwjgojAdb1A="
    with pytest.raises(jsonschema_rs.ValidationError):
        jsonschema_rs.validate(load_vector_file(SCHEMA_FILE), document)


def test_signer_input_schema_matches_what_the_runner_sends() -> None:
    schema = load_vector_file(SCHEMA_FILE)
    signer_input = {**schema["$defs"]["signerInput"], "$defs": schema["$defs"]}
    for case in vector_cases():
        jsonschema_rs.validate(signer_input, case.given.to_json())


def test_counts_and_provenance() -> None:
    edge = load_vector_file(EDGE_FILE)
    assert len(edge["cases"]) == edge["count"] == 55
    assert len(edge["rejected_inputs"]) == 4
    assert GO_SDK_COMMIT in edge["source"]
    assert [c["id"] for c in load_vector_file(COMPUTED_FILE)["cases"]] == [
        f"V{n}" for n in range(1, 18)
    ]
    readme = (PACKAGE / "README.md").read_text(encoding="utf-8")
    assert GO_SDK_COMMIT in readme
    assert "V1–V17" in readme
    assert len(vector_cases()) == 17 + 2 * 55 + 4


def test_tests_use_the_packaged_copy() -> None:
    tests = Path(__file__).parent.parent
    spec = importlib.util.spec_from_file_location(
        "conformance_signing_vectors", tests / "signing" / "signing_vectors.py"
    )
    assert spec is not None
    assert spec.loader is not None
    loader = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(loader)
    assert load_vector_file(EDGE_FILE) == loader.EDGE
    assert load_vector_file(COMPUTED_FILE) == loader.COMPUTED
    # tests/vectors is a link to the packaged suite, not a second copy that could drift.
    assert (tests / "vectors").is_symlink()
    packaged = tests.parent / "src" / "harness" / "conformance" / "vectors"
    assert (tests / "vectors").resolve() == packaged.resolve()
