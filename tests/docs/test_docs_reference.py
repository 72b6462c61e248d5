"""The reference pages say what the code does: CLI help, settings, error codes, links."""

from __future__ import annotations

import argparse
import json
import re

import pytest
from docs_generated import (
    CLI_PAGES,
    GENERATED,
    REGENERATE,
    ROOT,
    cli_file,
    help_text,
    settings_table,
)

from harness.cli import build_parser as harness_parser
from harness.mail._apierror import error_from_answer
from ncp_config.cli import _parser as config_parser


@pytest.fixture(autouse=True)
def _fixed_width(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "100")


def _check(path_name: str, fresh: str) -> None:
    path = GENERATED / path_name
    if REGENERATE:
        path.write_text(fresh, encoding="utf-8")
    assert path.read_text(encoding="utf-8") == fresh, (
        f"{path_name} is stale; run the tests with NCP_REGENERATE_DOCS=1"
    )


@pytest.mark.parametrize("name", list(CLI_PAGES))
def test_cli_help_is_current(name: str) -> None:
    entry, argv = CLI_PAGES[name]
    text = help_text(entry, argv)
    assert text.startswith("usage: ")
    _check(cli_file(name).name, text)


def test_cli_page_includes_every_help() -> None:
    page = (ROOT / "docs" / "reference" / "cli.md").read_text(encoding="utf-8")
    for name in CLI_PAGES:
        assert f'--8<-- "docs/generated/{cli_file(name).name}"' in page


def test_settings_table_is_current() -> None:
    table = settings_table()
    assert "`secret_key` | `SecretStr` | required" in table
    _check("settings-table.md", table)


_ROW = re.compile(r"^\| (\d{3}) \| `?(\w+)`? \|.*\| `(\w+)` \|$")


def test_error_table_matches_the_client() -> None:
    """Every row of the error table is what the mail client raises for that answer."""
    page = (ROOT / "docs" / "reference" / "errors.md").read_text(encoding="utf-8")
    rows = [_ROW.match(line) for line in page.splitlines()]
    checked = 0
    for row in filter(None, rows):
        status, code, expected = int(row[1]), row[2], row[3]
        fields = {"code": code} if code.startswith("77") else {"errorCode": int(code)}
        error = error_from_answer(
            status=status,
            headers={},
            content=json.dumps({"error": {**fields, "message": "m"}}).encode(),
            method="POST",
            path="/api/v1/mails",
            retry_after=None,
        )
        assert type(error).__name__ == expected, (status, code)
        checked += 1
    assert checked >= 20


def _subcommands(parser: argparse.ArgumentParser) -> list[str]:
    return [
        name
        for action in parser._actions
        if isinstance(action, argparse._SubParsersAction)
        for name in action.choices
    ]


def test_every_command_and_subcommand_has_its_help_on_the_page() -> None:
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    scripts = pyproject.split("[project.scripts]\n", 1)[1].split("\n\n", 1)[0]
    programs = [line.split(" = ", 1)[0] for line in scripts.splitlines()]
    assert "ncp-harness" in programs
    expected = set(programs)
    expected |= {f"ncp-harness {name}" for name in _subcommands(harness_parser())}
    expected |= {f"ncp-config {name}" for name in _subcommands(config_parser())}
    assert set(CLI_PAGES) == expected
