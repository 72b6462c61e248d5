"""Signers under test: this project's ``ncp_signing.sign``, or any program speaking stdin/stdout.

The external protocol: the program reads one JSON object on stdin (``method``, ``uri``,
``timestamp``, ``access_key``, ``secret_key``, all strings), prints the signature on stdout and
exits 0; for an input it refuses to sign, it exits non-zero. One process runs per case, several
at a time, each with a timeout.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import signal
import subprocess
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Protocol

from harness.conformance._model import RunStopped, SigningInput, shorten
from ncp_signing import NcpSigningError, sign

__all__ = [
    "CachingSigner",
    "ExternalSigner",
    "Outcome",
    "ProjectSigner",
    "SignerUnderTest",
]


SHOWN_SIGNATURE = 80
"""At most this many characters of what a signer printed go into a reason."""
SHOWN_MESSAGE = 160
"""At most this many characters of a signer's error message go into a reason."""
SHOWN_START_LINE = 1000
"""The last line of stderr when a signer command fails its first case (paths may be long)."""


@dataclass(frozen=True)
class Outcome:
    """What a signer did with one input: a signature, a refusal, or an error of the harness."""

    signature: str | None
    refused: bool = False
    detail: str = ""

    def describe(self) -> str:
        if self.signature is not None:
            shown = self.signature
            if len(shown) > SHOWN_SIGNATURE:
                shown = shown[: SHOWN_SIGNATURE - 1] + "…"
            return f"signed {shown!r}"
        return f"refused ({self.detail})" if self.refused else f"error: {self.detail}"


class SignerUnderTest(Protocol):
    """Anything that signs a batch of inputs."""

    name: str

    def sign_many(self, inputs: Sequence[SigningInput]) -> list[Outcome]: ...


class ProjectSigner:
    """``ncp_signing.sign``, in process."""

    name = "project"

    def sign_many(self, inputs: Sequence[SigningInput]) -> list[Outcome]:
        return [self._sign(given) for given in inputs]

    @staticmethod
    def _sign(given: SigningInput) -> Outcome:
        try:
            return Outcome(
                sign(
                    method=given.method,
                    uri=given.uri,
                    timestamp=given.timestamp,
                    access_key=given.access_key,
                    secret_key=given.secret_key,
                )
            )
        except NcpSigningError as exc:
            return Outcome(None, refused=True, detail=type(exc).__name__)


class ExternalSigner:
    """A signer program run once per input, ``workers`` at a time, each within ``timeout`` s."""

    def __init__(self, command: str, *, timeout: float = 10.0, workers: int = 8) -> None:
        self.argv = shlex.split(command)
        if not self.argv:
            raise ValueError("The signer command is empty.")
        self.name = "external"
        self.command = command
        self.timeout = timeout
        self.workers = max(1, workers)

    def sign_many(self, inputs: Sequence[SigningInput]) -> list[Outcome]:
        if len(inputs) <= 1:
            return [self._run(given) for given in inputs]
        with ThreadPoolExecutor(max_workers=self.workers) as pool:
            return list(pool.map(self._run, inputs))

    def _invoke(self, given: SigningInput) -> tuple[int, bytes, bytes]:
        """Run the command once with ``given`` as JSON on stdin: exit code, stdout, stderr."""
        payload = json.dumps(given.to_json(), ensure_ascii=False).encode()
        return _run_in_group(self.argv, payload, self.timeout)

    def _run(self, given: SigningInput) -> Outcome:
        try:
            returncode, stdout, stderr = self._invoke(given)
        except subprocess.TimeoutExpired:
            return Outcome(None, detail=f"no answer within {self.timeout:g} s")
        except OSError as exc:
            return Outcome(None, detail=f"could not run {self.argv[0]!r}: {exc.strerror}")
        if returncode != 0:
            said = [line for line in _printable(stderr).splitlines() if line.strip()]
            why = shorten(said[-1].strip(), SHOWN_MESSAGE) if said else "no message"
            return Outcome(None, refused=True, detail=f"exit {returncode}: {why}")
        return Outcome(_printable(stdout).strip())

    def check_runs(self, given: SigningInput) -> None:
        """Sign ``given``, an input every signer must sign; raise :class:`RunStopped` if not.

        A command that fails here (a wrong path, a missing interpreter, a crash on start)
        would fail every case the same way, so the run ends with one message instead.
        """
        shown = shorten(self.command, SHOWN_MESSAGE)
        try:
            returncode, stdout, stderr = self._invoke(given)
        except subprocess.TimeoutExpired:
            raise RunStopped(
                f"the signer command {shown!r} gave no answer to its first case within "
                f"{self.timeout:g} s"
            ) from None
        except OSError as exc:
            raise RunStopped(
                f"the signer command {shown!r} could not be started: {exc.strerror}"
            ) from None
        said = [line.strip() for line in _printable(stderr).splitlines() if line.strip()]
        last = shorten(said[-1], SHOWN_START_LINE) if said else "no message on stderr"
        if returncode != 0:
            raise RunStopped(
                f"the signer command {shown!r} failed on its first case with exit "
                f"{returncode} (it runs in the current directory, {os.getcwd()}): {last}"
            )
        if not _printable(stdout).strip():
            raise RunStopped(
                f"the signer command {shown!r} printed no signature for its first case: {last}"
            )


_ESCAPES = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[@-Z\\-_])")
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _printable(output: bytes) -> str:
    """Decoded program output without terminal escape sequences and control characters."""
    return _CONTROLS.sub("", _ESCAPES.sub("", output.decode(errors="replace")))


def _run_in_group(argv: list[str], payload: bytes, timeout: float) -> tuple[int, bytes, bytes]:
    """Run ``argv`` in its own process group; on timeout kill the whole group, then raise.

    A signer that starts helpers (a shell, ``go run``, ``npx``) leaves them holding the
    output pipes when only the direct child is killed; killing the group ends them all.
    """
    process = subprocess.Popen(  # noqa: S603 - the user's own signer command, by design
        argv,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        stdout, stderr = process.communicate(payload, timeout=timeout)
    except BaseException:  # a timeout, or an interrupt while waiting
        _kill_group(process)
        raise
    return process.returncode, stdout, stderr


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        process.kill()
    process.communicate()


class CachingSigner:
    """Sign each distinct input once; ``prefetch`` lets one batch run in parallel."""

    def __init__(self, inner: SignerUnderTest) -> None:
        self.inner = inner
        self.name = inner.name
        self._seen: dict[SigningInput, Outcome] = {}

    def prefetch(self, inputs: Sequence[SigningInput]) -> None:
        todo = list(dict.fromkeys(i for i in inputs if i not in self._seen))
        self._seen.update(zip(todo, self.inner.sign_many(todo), strict=True))

    def sign_many(self, inputs: Sequence[SigningInput]) -> list[Outcome]:
        self.prefetch(inputs)
        return [self._seen[given] for given in inputs]

    def produced(self) -> list[Outcome]:
        """Every outcome so far."""
        return list(self._seen.values())
