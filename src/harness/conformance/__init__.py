"""The conformance suite: packaged signature vectors and the protocol cases C1-C40, runnable.

Run it with ``ncp-harness conformance`` (or ``python -m harness.conformance``)::

    python -m harness.conformance --target fake --report conformance.xml

The vectors are plain JSON in this package's ``vectors`` folder, described by
``vectors/schema.json``, so any language can load them; :func:`load_vector_file` reads them.
"""

from harness.conformance._model import CaseResult, SigningInput, reference_signature
from harness.conformance._report import render_table, summary, to_json, to_junit
from harness.conformance._signers import ExternalSigner, Outcome, ProjectSigner
from harness.conformance._suite import SuiteOptions, run_suite
from harness.conformance._target import fake_target, url_target
from harness.conformance._vectors import (
    COMPUTED_FILE,
    EDGE_FILE,
    SCHEMA_FILE,
    VectorCase,
    load_vector_file,
    vector_cases,
)
from harness.conformance.cli import add_conformance_parser, run_conformance

__all__ = [
    "COMPUTED_FILE",
    "EDGE_FILE",
    "SCHEMA_FILE",
    "CaseResult",
    "ExternalSigner",
    "Outcome",
    "ProjectSigner",
    "SigningInput",
    "SuiteOptions",
    "VectorCase",
    "add_conformance_parser",
    "fake_target",
    "load_vector_file",
    "reference_signature",
    "render_table",
    "run_conformance",
    "run_suite",
    "summary",
    "to_json",
    "to_junit",
    "url_target",
    "vector_cases",
]
