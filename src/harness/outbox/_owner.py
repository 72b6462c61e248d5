"""Worker identities that say where they ran, so a restart can tell a dead claim from a live one."""

from __future__ import annotations

import os
import socket
import threading
import uuid

__all__ = ["new_owner", "owner_is_dead"]


def _pid_namespace() -> str:
    """This process's PID namespace (Linux), e.g. ``4026531836``; empty elsewhere."""
    try:
        link = os.readlink("/proc/self/ns/pid")
    except OSError:
        return ""
    return "".join(char for char in link if char.isdigit())


_NAMESPACE = _pid_namespace()
_HOST = socket.gethostname().replace(":", "_") + (f"/{_NAMESPACE}" if _NAMESPACE else "")
"""Where a process id means something: the host name and, on Linux, the PID namespace. Two
containers can share a host name (host networking) while each numbers its own processes; a
process id is only ever checked in the namespace it came from."""


def new_owner(label: str = "worker") -> str:
    """A fresh owner token: ``host:pid:label:thread:random``.

    ``host`` is the host name and, on Linux, the PID namespace after a ``/``.
    """
    thread = threading.current_thread().name.replace(":", "_")
    return f"{_HOST}:{os.getpid()}:{label}:{thread}:{uuid.uuid4().hex[:8]}"


def owner_is_dead(owner: str) -> bool:
    """Whether ``owner`` was a process on this host, in this PID namespace, that no longer runs.

    Owners from other hosts or other PID namespaces (another container, even one with the
    same host name), from this process, or in another form are never called dead; their
    claims are freed by the lease alone.
    """
    parts = owner.split(":")
    if len(parts) < 2 or parts[0] != _HOST or not parts[1].isdigit():
        return False
    pid = int(parts[1])
    if pid == os.getpid() or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False
