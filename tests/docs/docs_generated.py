"""Render the reference pages' generated parts: every CLI's --help and the settings table.

A test compares each file under ``docs/generated/`` with a fresh rendering, so the reference
never drifts from the code. Set ``NCP_REGENERATE_DOCS=1`` to rewrite the files instead.
"""

from __future__ import annotations

import contextlib
import io
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Literal, get_args, get_origin

from harness.cli import main as harness_main
from harness.fake.cli import main as fake_main
from ncp_config import NcpSettings
from ncp_config._sources import ENV_NAMES
from ncp_config.cli import main as config_main
from ncp_config.sign_cli import main as sign_main

ROOT = Path(__file__).resolve().parents[2]
GENERATED = ROOT / "docs" / "generated"
REGENERATE = os.environ.get("NCP_REGENERATE_DOCS") == "1"

Entry = Callable[[Sequence[str] | None], int]
CLI_PAGES: dict[str, tuple[Entry, list[str]]] = {
    "ncp-sign": (sign_main, []),
    "ncp-config": (config_main, []),
    "ncp-config show": (config_main, ["show"]),
    "ncp-config check": (config_main, ["check"]),
    "ncp-fake-server": (fake_main, []),
    "ncp-harness": (harness_main, []),
    "ncp-harness demo": (harness_main, ["demo"]),
    "ncp-harness send": (harness_main, ["send"]),
    "ncp-harness serve": (harness_main, ["serve"]),
    "ncp-harness conformance": (harness_main, ["conformance"]),
}


def help_text(entry: Entry, argv: list[str]) -> str:
    """What ``--help`` prints, at a fixed width."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.suppress(SystemExit):
        entry([*argv, "--help"])
    return out.getvalue()


def cli_file(name: str) -> Path:
    return GENERATED / f"cli-{name.replace(' ', '-')}.txt"


def settings_table() -> str:
    """A Markdown table of every setting: type, default, environment variables."""
    rows = ["| setting | type | default | environment variables |", "| --- | --- | --- | --- |"]
    for name, info in NcpSettings.model_fields.items():
        kind = _type_name(info.annotation)
        if info.is_required():
            default = "required"
        elif info.default in ("", None):
            default = "derived" if name.endswith("_url") else "not set"
        else:
            default = f"`{info.default}`"
        names = ", ".join(f"`{env}`" for env in ENV_NAMES[name])
        rows.append(f"| `{name}` | {kind} | {default} | {names} |")
    return "\n".join(rows) + "\n"


def _type_name(annotation: object) -> str:
    """A table-safe type: Literal choices listed, ``X | None`` written as optional."""
    args = get_args(annotation)
    if get_origin(annotation) is Literal:
        return "one of " + ", ".join(f"`{arg}`" for arg in args)
    if type(None) in args:
        (inner,) = (arg for arg in args if arg is not type(None))
        return f"{_type_name(inner)}, optional"
    return f"`{getattr(annotation, '__name__', annotation)}`"
