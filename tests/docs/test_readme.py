"""The README's commands and example are true."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from docs_generated import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_starts_with_the_two_commands() -> None:
    first_block = README.split("```sh\n", 1)[1].split("```", 1)[0]
    assert [line.split()[:2] for line in first_block.splitlines()] == [
        ["make", "demo"],
        ["make", "test"],
    ]
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "demo: $(STAMP)\n\t$(BIN)/ncp-harness demo" in makefile
    assert "bash .ci/run" not in makefile
    assert "make test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_readme_opens_with_three_lines_and_a_ten_line_example() -> None:
    opening = README.split("\n\n", 2)[1]
    assert len(opening.splitlines()) == 3
    (example,) = re.findall(r"```python\n(.*?)```", README, flags=re.S)
    lines = [line for line in example.splitlines() if line.strip()]
    assert len(lines) <= 10
    assert max(len(line) for line in lines) <= 100


def test_readme_links_lead_into_the_guide() -> None:
    links = re.findall(r"\]\(([^)#]+)(?:#[^)]*)?\)", README)
    assert links
    for link in links:
        assert (ROOT / link).is_file(), link
    for page in ("getting-started", "conformance", "explanation", "reference/cli"):
        assert f"docs/{page}.md" in links


def test_readme_example_runs(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in [n for n in os.environ if n.startswith("NCLOUD_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.chdir(str(tmp_path))
    (example,) = re.findall(r"```python\n(.*?)```", README, flags=re.S)
    exec(compile(example, "README.md", "exec"), {})  # noqa: S102 - the README's own example
    request_id, title = capsys.readouterr().out.split(maxsplit=1)
    assert request_id.isdigit()
    assert title.strip() == "Hi Ada"
