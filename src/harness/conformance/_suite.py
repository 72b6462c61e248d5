"""Run the whole suite: the signer suites, then the protocol cases against one target."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass

# Importing the case modules registers their cases.
from harness.conformance import _gateway_cases, _mailer_cases  # noqa: F401
from harness.conformance._catalogue import run_protocol
from harness.conformance._model import CaseResult
from harness.conformance._signers import (
    CachingSigner,
    ExternalSigner,
    ProjectSigner,
    SignerUnderTest,
)
from harness.conformance._signing_cases import run_signer_suite
from harness.conformance._target import Target

__all__ = ["SuiteOptions", "run_suite"]


@dataclass(frozen=True)
class SuiteOptions:
    """What to run: the signer command (if any) and whether to run each part."""

    signer_cmd: str | None = None
    signer_timeout: float = 10.0
    jobs: int = 8
    signing: bool = True
    protocol: bool = True


def signers_for(options: SuiteOptions) -> Iterator[SignerUnderTest]:
    """This project's signer, then the external one when a command is given."""
    yield ProjectSigner()
    if options.signer_cmd:
        yield ExternalSigner(
            options.signer_cmd, timeout=options.signer_timeout, workers=options.jobs
        )


def run_suite(
    options: SuiteOptions, target: AbstractContextManager[Target] | None = None
) -> list[CaseResult]:
    """Run the parts ``options`` asks for; ``target`` is entered only for the protocol cases."""
    results: list[CaseResult] = []
    if options.signing:
        for signer in signers_for(options):
            results += run_signer_suite(CachingSigner(signer))
    if options.protocol and target is not None:
        with target as where:
            results += run_protocol(where)
    return results
