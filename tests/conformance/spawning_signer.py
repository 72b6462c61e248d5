"""An external signer that starts a long-sleeping helper sharing its pipes, then hangs.

``python spawning_signer.py PIDFILE`` writes the helper's process id to PIDFILE.
"""

from __future__ import annotations

import subprocess
import sys
import time

helper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
with open(sys.argv[1], "w", encoding="ascii") as out:
    out.write(str(helper.pid))
time.sleep(60)
