"""Output: the console table, a JUnit XML report and a JSON report."""

from __future__ import annotations

import json
import platform
import re
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from harness.conformance._model import CaseResult

__all__ = ["render_table", "summary", "to_json", "to_junit", "write_report", "xml_text"]

_MARK = {"pass": "PASS", "fail": "FAIL", "n/a": "n/a"}
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(text: str) -> str:
    """``text`` without the characters XML 1.0 forbids (most C0 controls, lone surrogates)."""
    return _NOT_XML.sub("", text)


def summary(results: Sequence[CaseResult]) -> dict[str, int]:
    """Counts of ``pass``, ``fail`` and ``n/a``, and the total."""
    counts = Counter(r.status for r in results)
    return {
        "total": len(results),
        "pass": counts["pass"],
        "fail": counts["fail"],
        "n/a": counts["n/a"],
    }


def render_table(results: Sequence[CaseResult]) -> str:
    """One line per case, grouped by suite, then the summary line."""
    lines: list[str] = []
    suite = None
    for result in results:
        if result.suite != suite:
            suite = result.suite
            lines += [""] if lines else []
            lines += [f"== {suite}", f"{'case':<14} {'result':<6} reason"]
        reason = f"{result.title}: {result.reason}" if result.status != "pass" else result.reason
        lines.append(f"{result.case_id:<14} {_MARK[result.status]:<6} {reason}")
    counts = summary(results)
    lines.append("")
    lines.append(
        f"{counts['total']} cases: {counts['pass']} passed, {counts['fail']} failed, "
        f"{counts['n/a']} not applicable"
    )
    return "\n".join(lines)


def to_junit(results: Sequence[CaseResult]) -> bytes:
    """A JUnit XML document: one ``testsuite`` per suite; n/a cases are ``skipped``."""
    root = ET.Element("testsuites", name="ncp-conformance")
    suites: dict[str, list[CaseResult]] = {}
    for result in results:
        suites.setdefault(result.suite, []).append(result)
    for name, members in suites.items():
        counts = summary(members)
        element = ET.SubElement(
            root,
            "testsuite",
            name=xml_text(name),
            tests=str(counts["total"]),
            failures=str(counts["fail"]),
            errors="0",
            skipped=str(counts["n/a"]),
            time=f"{sum(r.seconds for r in members):.3f}",
            hostname=platform.node() or "localhost",
        )
        for result in members:
            test = ET.SubElement(
                element,
                "testcase",
                classname=name,
                name=xml_text(f"{result.case_id} {result.title}"),
                time=f"{result.seconds:.3f}",
            )
            reason = xml_text(result.reason)
            if result.status == "fail":
                failure = ET.SubElement(test, "failure", message=reason, type="failure")
                failure.text = reason
            elif result.status == "n/a":
                ET.SubElement(test, "skipped", message=reason)
    total = summary(results)
    root.set("tests", str(total["total"]))
    root.set("failures", str(total["fail"]))
    root.set("skipped", str(total["n/a"]))
    ET.indent(root)
    document: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return document


def to_json(results: Sequence[CaseResult], *, target: str, signers: Sequence[str]) -> str:
    """A JSON document: what was run, the summary, and every case."""
    document: dict[str, Any] = {
        "target": target,
        "signers": list(signers),
        "summary": summary(results),
        "cases": [
            {
                "suite": r.suite,
                "id": r.case_id,
                "title": r.title,
                "status": r.status,
                "reason": r.reason,
                "seconds": round(r.seconds, 6),
            }
            for r in results
        ],
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def write_report(
    path: Path, results: Sequence[CaseResult], *, target: str, signers: Sequence[str]
) -> None:
    """Write JUnit XML for ``.xml`` and JSON for ``.json``."""
    suffix = path.suffix.lower()
    if suffix == ".xml":
        path.write_bytes(to_junit(results))
    elif suffix == ".json":
        path.write_text(to_json(results, target=target, signers=signers), encoding="utf-8")
    else:
        raise ValueError(f"The report file {str(path)!r} must end in .xml or .json.")
