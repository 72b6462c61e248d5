"""Every command line the guide shows is one its program accepts.

The pages show shell sessions (``ncp-sign ...``, ``ncp-harness send ...``) that no sample file
can hold. Each such line is parsed here by the program's own argument parser, stopped right
after parsing, so a renamed flag or a subcommand that no longer exists fails a test instead of
a reader.
"""

from __future__ import annotations

import argparse
import re
import shlex
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, NoReturn

import pytest

from harness.cli import main as harness_main
from harness.conformance.cli import main as conformance_main
from harness.fake.cli import main as fake_main
from harness.outbox.__main__ import main as outbox_main
from ncp_config.cli import main as config_main
from ncp_config.sign_cli import main as sign_main

DOCS = Path(__file__).resolve().parents[2] / "docs"
PROGRAMS: dict[str, Callable[[Any], int]] = {
    "ncp-sign": sign_main,
    "ncp-config": config_main,
    "ncp-fake-server": fake_main,
    "ncp-harness": harness_main,
    "python -m harness.conformance": conformance_main,
    "python -m harness.outbox": outbox_main,
}
_ASSIGNMENTS = re.compile(r"^(?:[A-Za-z_][A-Za-z0-9_]*=(?:'[^']*'|\"[^\"]*\"|\S*)\s+)*")
_FENCE = re.compile(r"^```(sh|console|bash|shell)\n(.*?)^```$", re.MULTILINE | re.DOTALL)


class _Parsed(BaseException):
    """Raised in place of running a program once its arguments parsed cleanly."""


def _shown_commands() -> Iterator[tuple[str, str, list[str]]]:
    """(page, program, arguments) for each line of a shell block that runs a project CLI."""
    for page in sorted(DOCS.rglob("*.md")):
        for language, block in _FENCE.findall(page.read_text(encoding="utf-8")):
            for shown_line in _logical_lines(block, prompt=language == "console"):
                line = _ASSIGNMENTS.sub("", shown_line)  # NCLOUD_X=... before the command
                for program in PROGRAMS:
                    if line == program or line.startswith(program + " "):
                        arguments = shlex.split(line[len(program) :], comments=True)
                        if arguments[-1:] == ["&"]:  # started in the background
                            arguments.pop()
                        yield page.relative_to(DOCS).as_posix(), program, arguments


def _logical_lines(block: str, *, prompt: bool) -> Iterator[str]:
    """Command lines with backslash continuations joined; in a console block, only ``$`` ones."""
    pending = ""
    for raw in block.splitlines():
        if not pending and prompt:
            if not raw.startswith("$ "):
                continue
            raw = raw[2:]
        if raw.endswith("\\"):
            pending += raw[:-1] + " "
            continue
        yield (pending + raw).strip()
        pending = ""


def _parse_only(program: str, arguments: Sequence[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """Run ``program``'s entry point until its arguments are parsed, then stop it."""
    parse_args = argparse.ArgumentParser.parse_args

    def parse_then_stop(self: argparse.ArgumentParser, *args: Any, **kwargs: Any) -> NoReturn:
        parse_args(self, *args, **kwargs)  # exits 2 with argparse's message on a bad line
        raise _Parsed

    monkeypatch.setattr(argparse.ArgumentParser, "parse_args", parse_then_stop)
    with pytest.raises(_Parsed):
        PROGRAMS[program](list(arguments))


SHOWN = list(_shown_commands())


def test_the_guide_shows_each_program() -> None:
    shown = {program for _, program, _ in SHOWN}
    assert shown >= {"ncp-sign", "ncp-fake-server", "ncp-harness"}


@pytest.mark.parametrize(
    ("page", "program", "arguments"),
    SHOWN,
    ids=[f"{page}:{program} {' '.join(arguments)}"[:80] for page, program, arguments in SHOWN],
)
def test_shown_command_parses(
    page: str, program: str, arguments: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _parse_only(program, arguments, monkeypatch)


def test_a_wrong_flag_is_caught(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as stopped:
        _parse_only("ncp-sign", ["GET", "/api/v1/mails", "--fromat", "json"], monkeypatch)
    assert stopped.value.code == 2
    assert "--fromat" in capsys.readouterr().err
