"""The vector files, loaded from the conformance package's data, for the signing tests."""

from __future__ import annotations

from typing import Any

from harness.conformance import COMPUTED_FILE, EDGE_FILE, load_vector_file


def load_vectors(name: str) -> dict[str, Any]:
    """Return one packaged vector file as parsed JSON."""
    return load_vector_file(name)


EDGE = load_vectors(EDGE_FILE)
COMPUTED = load_vectors(COMPUTED_FILE)
