"""Run the whole suite: the signer suites, then the protocol cases against one target."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, ExitStack
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
from harness.conformance._vectors import vector_cases

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
    """Run the parts ``options`` asks for; ``target`` is entered only for the protocol cases.

    A signer command is first made to sign the first vector, and only then is the target
    entered (a network probe), so a signer command that cannot sign stops the run even
    offline; either, like a URL that cannot be reached or that rejects the credentials,
    stops the run (:class:`~harness.conformance._model.RunStopped`) before any case runs.
    """
    results: list[CaseResult] = []
    with ExitStack() as stack:
        signers = list(signers_for(options)) if options.signing else []
        for signer in signers:
            if isinstance(signer, ExternalSigner):
                signer.check_runs(vector_cases()[0].given)
        where = None
        if options.protocol and target is not None:
            where = stack.enter_context(target)
        if options.signing:
            for signer in signers:
                results += run_signer_suite(CachingSigner(signer))
        if where is not None:
            results += run_protocol(where)
    return results
