"""An external signer with one deliberate bug, for the runner's own tests.

``python broken_signer.py BUG`` where BUG is ``none`` (the guide's correct signer, unchanged),
``drop-query``, ``upper-method`` or ``urlsafe``. It wraps the guide's sample signer so that each
bug is the only difference from a signer that passes every case. Standard library only, so it
starts fast with ``python -I -S``.
"""

from __future__ import annotations

import base64
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "docs" / "examples"))

from conformance_signer import signature


def main(bug: str) -> int:
    case = json.loads(sys.stdin.buffer.read())
    if bug == "drop-query":
        case["uri"] = case["uri"].partition("?")[0]
    elif bug == "upper-method":
        case["method"] = case["method"].upper()
    try:
        signed = signature(case)
    except ValueError as refusal:
        print(f"refused: {refusal}", file=sys.stderr)
        return 3
    if bug == "urlsafe":
        signed = base64.urlsafe_b64encode(base64.b64decode(signed)).decode()
    print(signed)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
