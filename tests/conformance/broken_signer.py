"""An external signer with one deliberate bug, for the runner's own tests.

``python broken_signer.py BUG`` where BUG is ``none`` (the guide's correct signer, unchanged),
``drop-query``, ``upper-method``, ``urlsafe`` or ``never-refuse`` (signs the raw target of an
input it should refuse). It wraps the guide's sample signer so that each
bug is the only difference from a signer that passes every case. Standard library only, so it
starts fast with ``python -I -S``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import importlib.util
import json
import sys
from collections.abc import Callable
from pathlib import Path

SAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "conformance_signer.py"


def _sample_signature() -> Callable[[dict[str, str]], str]:
    spec = importlib.util.spec_from_file_location("conformance_signer", SAMPLE)
    assert spec is not None
    assert spec.loader is not None
    sample = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(sample)
    sign: Callable[[dict[str, str]], str] = sample.signature
    return sign


def _raw_signature(case: dict[str, str]) -> str:
    """A signature over the target exactly as given, for inputs a signer must refuse."""
    text = f"{case['method']} {case['uri']}\n{case['timestamp']}\n{case['access_key']}"
    digest = hmac.new(case["secret_key"].encode(), text.encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def main(bug: str) -> int:
    case = json.loads(sys.stdin.buffer.read())
    if bug == "drop-query":
        case["uri"] = case["uri"].partition("?")[0]
    elif bug == "upper-method":
        case["method"] = case["method"].upper()
    try:
        signed = _sample_signature()(case)
    except ValueError as refusal:
        if bug != "never-refuse":
            print(f"refused: {refusal}", file=sys.stderr)
            return 3
        signed = _raw_signature(case)
    if bug == "urlsafe":
        signed = base64.urlsafe_b64encode(base64.b64decode(signed)).decode()
    print(signed)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
