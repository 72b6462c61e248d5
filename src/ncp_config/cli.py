"""``ncp-config show`` and ``ncp-config check``: see the settings, masked, and whether they work.

``show`` lists every setting with the place it came from, like ``aws configure list`` (when some
are missing or invalid, every one it can resolve and then the problems); ``check`` answers one
question for scripts and CI: can these settings sign a request? It signs one to find out.
Neither prints a secret: values are masked, and every line passes through the redactor before
it is printed.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from typing import Any

from ncp_config._diagnose import INVALID, diagnose
from ncp_config._load import DERIVED, Chain, load_settings
from ncp_config._redact import mask, redact
from ncp_config._settings import NcpSettings
from ncp_config._sites import REGIONS
from ncp_config._sources import ENV_NAMES
from ncp_config.exc import (
    ConfigError,
    ConfigFileError,
    ProfileNotFoundError,
    SettingsValidationError,
)
from ncp_signing import NcpSigningError, Signer

__all__ = ["main", "show_lines"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ncp-config", description="Show or check the NCloud settings, with secrets masked."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    show = commands.add_parser("show", help="list every setting, masked, with its source")
    show.add_argument("--profile", help="configure file profile (default: $NCLOUD_PROFILE)")
    show.add_argument("--json", action="store_true", help="print JSON instead of a table")
    check = commands.add_parser("check", help="exit 0 if the settings can sign requests")
    check.add_argument("--profile", help="configure file profile (default: $NCLOUD_PROFILE)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; return the process exit status (0 usable, 1 not usable)."""
    args = _parser().parse_args(argv)
    if args.command == "show":
        return _show(args.profile, as_json=args.json)
    return _check(args.profile)


def _display(field: str, value: Any) -> str:
    if field in ("access_key", "secret_key"):
        text = value.get_secret_value() if hasattr(value, "get_secret_value") else value
        return mask(None if text is None else str(text), secret=field == "secret_key")
    return "<not set>" if value is None or value == "" else str(value)


def _rows(settings: NcpSettings) -> list[tuple[str, str, str]]:
    return [
        (field, _display(field, getattr(settings, field)), settings.sources.get(field, "default"))
        for field in NcpSettings.model_fields
    ]


def show_lines(rows: Sequence[tuple[str, str, str]]) -> list[str]:
    """Format (name, masked value, source) rows as an aligned table with a header."""
    table = [("Name", "Value", "Source"), *rows]
    widths = [max(len(row[column]) for row in table) for column in (0, 1)]
    return [
        f"{name:<{widths[0]}}  {value:<{widths[1]}}  {source}".rstrip()
        for name, value, source in table
    ]


def _show(profile: str | None, *, as_json: bool) -> int:
    try:
        settings = load_settings(profile=profile)
    except ConfigError as error:
        rows, problems, site = _partial_rows(profile, error)
        status = 1
    else:
        rows, problems, status = _rows(settings), [], 0
        site = settings.site
    if as_json:
        document = {name: {"value": value, "source": source} for name, value, source in rows}
        print(redact(json.dumps(document, indent=2, ensure_ascii=False)))
    else:
        print(redact("\n".join(show_lines(rows))))
    if problems:
        _print_problems(problems, site=site)
    chain = Chain.build(NcpSettings, explicit={}, environ=os.environ, profile=profile)
    _print_warnings(_unknown_problems(chain))
    return status


def _partial_rows(
    profile: str | None, error: ConfigError
) -> tuple[list[tuple[str, str, str]], list[Exception], str | None]:
    """The rows of every setting that can be resolved, every problem, after ``error``, and the
    site if it is valid."""
    chain = Chain.build(NcpSettings, explicit={}, environ=os.environ, profile=profile)
    resolved, found = diagnose(chain)
    rows = [
        (field, "<invalid>" if value is INVALID else _display(field, value), source)
        for field, (value, source) in resolved.items()
    ]
    problems: list[Exception] = list(found) or [error]
    site = resolved["site"][0]
    return rows, problems, site if isinstance(site, str) else None


def _check(profile: str | None) -> int:
    chain = Chain.build(NcpSettings, explicit={}, environ=os.environ, profile=profile)
    unknown = _unknown_problems(chain)
    try:
        settings = load_settings(profile=profile)
    except ConfigError as error:
        # Every problem at once, as `show` lists them, so that one run gives every fix.
        _, problems, site = _partial_rows(profile, error)
        _print_problems(problems, site=site)
        _print_warnings(unknown)
        return 1
    problem = _signing_problem(settings)
    if problem:
        _print_problems([ConfigError(problem)], site=settings.site)
        _print_warnings(unknown)
        return 1
    print(
        redact(
            f"ok: access key {mask(settings.access_key, secret=False)} "
            f"({settings.sources['access_key']}) can sign for the {settings.site} site, "
            f"region {settings.region}."
        )
    )
    _print_warnings(unknown)
    return 0


def _unknown_problems(chain: Chain) -> list[tuple[str, str]]:
    """A (problem, fix) pair for each NCLOUD_* variable of the environment no setting reads."""
    found = []
    for name, known in chain.unknown_variables():
        if known is None:
            found.append(
                (
                    f"{name} is set in the environment but no setting reads it.",
                    "rename it to one of the NCLOUD_* variables of the configuration guide, "
                    "or leave it if another program reads it.",
                )
            )
        else:
            found.append(
                (
                    f"{name} is set in the environment but no setting reads it; "
                    f"did you mean {known}?",
                    f"rename it to {known}.",
                )
            )
    return found


def _print_warnings(warnings: Sequence[tuple[str, str]]) -> None:
    if not warnings:
        return
    lines = ["ncp-config: warning: the environment has NCLOUD_* variables no setting reads:"]
    for problem, fix in warnings:
        lines.extend((f"  - {problem}", f"    fix: {fix}"))
    print(redact("\n".join(lines)), file=sys.stderr)


def _signing_problem(settings: NcpSettings) -> str:
    """Sign a request with the settings; return why that failed, or ``""``."""
    try:
        Signer(settings.credentials()).headers("GET", "/")
    except NcpSigningError as error:
        # The signer's messages name a key by its prefix at most, never the secret key.
        return f"The credentials cannot sign a request: {error}"
    except (ValueError, TypeError) as error:
        # Its text may hold the key (a UnicodeEncodeError's arguments hold the whole string),
        # so only its type is shown.
        return f"The credentials cannot sign a request ({type(error).__name__})."
    return ""


def _print_problems(errors: Sequence[Exception], *, site: str | None) -> None:
    """Print each problem, and how to fix it, on standard error."""
    lines = ["ncp-config: the settings are not usable:"]
    for error in errors:
        if isinstance(error, SettingsValidationError):
            for problem in error.errors():
                field = str(problem["loc"][0]) if problem["loc"] else ""
                name = ".".join(str(item) for item in problem["loc"]) or "settings"
                lines.append(f"  - {name} (from {problem['source']}): {problem['msg']}")
                lines.append(f"    fix: {_fix(field, problem['source'], site)}")
        else:
            lines.append(f"  - {error}")
            fix = _FILE_FIXES.get(type(error))
            if fix:
                lines.append(f"    fix: {fix}")
    print(redact("\n".join(lines)), file=sys.stderr)


# The other errors' messages end with their fix already ("unset one", "set both there").
_FILE_FIXES: dict[type[Exception], str] = {
    ProfileNotFoundError: "choose a profile the file has with --profile or NCLOUD_PROFILE, "
    "or add the section to the file.",
    ConfigFileError: "correct or replace the file named above.",
}


_LOOPBACK = "an https URL (plain http only for localhost, 127.0.0.0/8 or ::1)"
_ALLOWED = {
    "site": "one of public, gov, fin",
    "api_gw_url": _LOOPBACK,
    "mail_api_url": _LOOPBACK,
    "mail_sender_address": "an email address",
    "mail_sender_name": "a name without control characters",
    "connect_timeout": "a number of seconds above 0 and at most 300",
    "read_timeout": "a number of seconds above 0 and at most 300",
    "retry_deadline": "a number of seconds above 0 and at most 120",
    "retry_attempts": "a whole number from 1 to 20",
}


def _allowed(field: str, site: str | None) -> str:
    """What ``field`` accepts, as a noun phrase; ``"a valid value"`` when there is no short one."""
    if field == "region":
        if site in REGIONS:
            return f"one of {', '.join(REGIONS[site])} (the regions of the {site} site)"
        return "one of KR, SGN, JPN (the fin site has only KR)"
    return _ALLOWED.get(field, "a valid value")


def _fix(field: str, source: str, site: str | None = None) -> str:
    if field not in ENV_NAMES:
        return "make the site, region and URLs agree (see `ncp-config show`)."
    variable, allowed = ENV_NAMES[field][0], _allowed(field, site)
    if source in ("default", *DERIVED.values()) or source.startswith("env "):
        return f"set {variable} to {allowed}."
    return f"correct the value in {source} to {allowed}, or override it with {variable}."
