"""An external signer that refuses every case with a coloured, bell-ringing message on stderr."""

from __future__ import annotations

import sys

sys.stdin.read()
sys.stderr.write("\x1b[31merror:\x1b[0m cannot sign\x07 \x01this\x1f\n")
sys.exit(1)
