"""The vector files, loaded relative to this folder, for the signing tests.

``tests/vectors`` is a link to the language-neutral suite published with the conformance
runner (``src/harness/conformance/vectors``), so there is one copy of the data and the signing
tests do not import ``harness``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

VECTORS = Path(__file__).parent.parent / "vectors"


def load_vectors(name: str) -> dict[str, Any]:
    """Return one vector file as parsed JSON."""
    data: dict[str, Any] = json.loads((VECTORS / name).read_text(encoding="utf-8"))
    return data


EDGE = load_vectors("signature-v2-edge.json")
COMPUTED = load_vectors("computed-v1-v17.json")
