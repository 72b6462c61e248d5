"""``python -m harness.conformance``: the conformance runner without the ``ncp-harness`` wrapper."""

import sys

from harness.conformance.cli import main

sys.exit(main())
