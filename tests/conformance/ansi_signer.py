"""An external signer that refuses every case with a coloured, bell-ringing message on stderr.

Only the first vector (``/photos/puppy.jpg``) gets an answer, a wrong signature, so that the
runner does not stop before the first case as it does for a command that cannot sign at all.
"""

from __future__ import annotations

import json
import sys

case = json.loads(sys.stdin.read())
if case["uri"].startswith("/photos/puppy.jpg?query1"):
    print("not-a-signature")
    sys.exit(0)
sys.stderr.write("\x1b[31merror:\x1b[0m cannot sign\x07 \x01this\x1f\n")
sys.exit(1)
