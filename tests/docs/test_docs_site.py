"""The site's shape: four kinds of page, every page in the nav, samples that are files the tests
run, and diagrams that the configured extensions render as Mermaid."""

from __future__ import annotations

import importlib
import re
from fnmatch import fnmatch
from pathlib import Path
from typing import Any

from docs_generated import ROOT
from mkdocs.config import load_config
from mkdocs.config.defaults import MkDocsConfig

DOCS = ROOT / "docs"
EXAMPLES = DOCS / "examples"
FENCE = re.compile(r"^```(\w*)\n(.*?)^```$", re.M | re.S)
INCLUDE = re.compile(r'--8<-- "([^":]+)(?::(\d*))?(?::(\d*))?"')
START_OF_DEFINITION = re.compile(r"(async def |def |class |@)\w")
# A test that runs samples by pattern, such as glob("config_*.py"); a bare "*" would match all.
GLOB = re.compile(r"""glob\(["']([^"'*]+\*[^"']*)["']\)""")


def _config() -> MkDocsConfig:
    return load_config(str(ROOT / "mkdocs.yml"))


def _pages(entries: Any) -> list[str]:
    """Every page file of a nav entry, in order."""
    if isinstance(entries, str):
        return [entries]
    if isinstance(entries, dict):
        return [page for value in entries.values() for page in _pages(value)]
    return [page for entry in entries for page in _pages(entry)]


def _sections() -> dict[str, list[str]]:
    nav = _config().nav
    assert isinstance(nav, list)
    return {title: _pages(value) for entry in nav for title, value in entry.items()}


def _page_files() -> list[Path]:
    return sorted(p for p in DOCS.rglob("*.md") if "generated" not in p.relative_to(DOCS).parts)


def _fences() -> list[tuple[str, str, str]]:
    """(page, language, body) of every fenced block of every page."""
    return [
        (page.relative_to(DOCS).as_posix(), found[1], found[2])
        for page in _page_files()
        for found in FENCE.finditer(page.read_text(encoding="utf-8"))
    ]


def test_nav_is_tutorial_how_to_explanation_reference() -> None:
    sections = _sections()
    assert list(sections) == ["Home", "Tutorial", "How-to guides", "Explanation", "Reference"]
    assert sections["Tutorial"] == ["getting-started.md"]
    assert set(sections["How-to guides"]) == {
        "signing.md",
        "config.md",
        "mail.md",
        "background.md",
        "fake-server.md",
        "conformance.md",
    }
    assert sections["Explanation"] == ["explanation.md"]
    assert {"reference/cli.md", "reference/errors.md", "reference/settings.md"} <= set(
        sections["Reference"]
    )


def test_every_page_is_in_the_nav_once() -> None:
    listed = [page for pages in _sections().values() for page in pages]
    assert sorted(listed) == sorted(p.relative_to(DOCS).as_posix() for p in _page_files())


def test_code_samples_are_included_files() -> None:
    """No Python or JSON is written inline in a page: each sample is a file pulled in whole."""
    inline = [
        (page, language)
        for page, language, body in _fences()
        if language in ("python", "json") and not INCLUDE.fullmatch(body.strip())
    ]
    assert inline == []


def test_every_included_sample_exists_and_is_run_by_the_tests() -> None:
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert 'testpaths = ["tests", "docs/examples"]' in pyproject  # test_*.py samples are collected
    this_file = Path(__file__).resolve()
    test_sources = "\n".join(
        path.read_text(encoding="utf-8")
        for path in [*(ROOT / "tests").rglob("*.py"), *EXAMPLES.glob("test_*.py")]
        if path.resolve() != this_file
    )
    included = [
        found
        for _, _, body in _fences()
        for found in INCLUDE.finditer(body)
        if found[1].startswith("docs/examples/")
    ]
    assert len(included) > 20
    for found in included:
        path = ROOT / found[1]
        assert path.is_file(), found[0]
        if not path.name.startswith("test_"):
            named = path.stem in test_sources
            globbed = any(fnmatch(path.name, pattern) for pattern in GLOB.findall(test_sources))
            assert named or globbed, f"no test runs {found[1]}"


def test_partial_includes_cut_at_definitions() -> None:
    """A sample included by line range starts at a definition and ends before a blank line."""
    ranges = [
        found
        for _, _, body in _fences()
        for found in INCLUDE.finditer(body)
        if found[2] or found[3]
    ]
    assert ranges
    for found in ranges:
        lines = (ROOT / found[1]).read_text(encoding="utf-8").splitlines()
        start = int(found[2] or 1)
        end = int(found[3] or len(lines))
        assert start == 1 or START_OF_DEFINITION.match(lines[start - 1]), found[0]
        assert end == len(lines) or not lines[end].strip(), found[0]


def test_diagrams_render_as_mermaid() -> None:
    config = _config()
    assert config.theme.name == "material"
    diagrams = {
        page: body.split(None, 1)[0] for page, language, body in _fences() if language == "mermaid"
    }
    assert diagrams == {"signing.md": "sequenceDiagram", "background.md": "stateDiagram-v2"}
    markdown = importlib.import_module("markdown")
    renderer = markdown.Markdown(
        extensions=config.markdown_extensions, extension_configs=config.mdx_configs
    )
    page = (DOCS / "signing.md").read_text(encoding="utf-8")
    (diagram,) = (m[0] for m in FENCE.finditer(page) if m[1] == "mermaid")
    html = renderer.convert(diagram)
    assert html.startswith('<pre class="mermaid"><code>sequenceDiagram')
