"""A signature v2 signer for the conformance runner's stdin/stdout protocol, standard library only.

Run the suite against it with::

    ncp-harness conformance --suite signing \
        --signer-cmd "python docs/examples/conformance_signer.py"

It reads one JSON case on stdin, prints the signature, and exits 1 for an input it refuses.
Port these few lines to your language to check your own signer.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import sys
from urllib.parse import unquote_to_bytes

ORIGIN = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*://[^/]*")
BAD_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")
ALREADY_ESCAPED = re.compile(r"[A-Za-z0-9\-_.~$&+,/:;=@!'()*\[\]%]*")
SAFE = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.~$&+,/:;=@")


def request_target(uri: str) -> str:
    """The target to sign: no origin or fragment; the path escaped as Go does; the raw query."""
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in uri):
        raise ValueError("control character in the URL")
    path, question, query = uri.partition("#")[0].partition("?")
    origin = ORIGIN.match(path)
    if origin:
        path = path[origin.end() :]
    if BAD_ESCAPE.search(path):
        raise ValueError("invalid % escape in the path")
    if not path:
        path = "/"
    elif not ALREADY_ESCAPED.fullmatch(path):
        path = "".join(chr(b) if b in SAFE else f"%{b:02X}" for b in unquote_to_bytes(path))
    return path + question + query


def signature(case: dict[str, str]) -> str:
    """Base64(HMAC-SHA256(secret, METHOD SP target LF timestamp LF access key))."""
    text = f"{case['method']} {request_target(case['uri'])}\n{case['timestamp']}\n"
    text += case["access_key"]
    digest = hmac.new(case["secret_key"].encode(), text.encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def main() -> int:
    case = json.loads(sys.stdin.buffer.read())
    try:
        print(signature(case))
    except ValueError as refusal:
        print(f"refused: {refusal}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
