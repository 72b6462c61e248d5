"""A secret planted through any source never shows in any error, log record or CLI output."""

from __future__ import annotations

import contextlib
import io
import json
import logging
import string
import tempfile
import traceback
from collections.abc import Iterator
from pathlib import Path

import pytest
from config_sources_kit import SOURCES, Plant, no_known_secrets
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import SecretStr

from ncp_config import ConfigError, NcpSettings, load_settings, register_secret
from ncp_config.cli import main

ERROR_PATHS = (
    "other_field_invalid",
    "missing_field",
    "split_pair",
    "bad_site",
    "bad_region_for_site",
    "malformed_configure",
    "conflicting_spellings",
    "unknown_profile",
    "secret_pasted_as_region",
    "secret_pasted_as_site",
    "secret_pasted_as_timeout",
    "secret_pasted_in_url",
    "blank_access_key",
)
# Characters that survive every source (no newline, no "#"), including ones that repr() and
# JSON escape; a space never ends a value, since sources strip it.
_TEXT = string.ascii_letters + string.digits + "=+/-_ .,'\"\\é"
# Every source meets every error path; only the secret is drawn, a few times for each pair.
EXAMPLES_PER_PAIR = 12
# A prefix and suffix no output contains, so a hit can only be the planted value.
text_sentinels = st.text(_TEXT, min_size=12, max_size=40).map(lambda text: f"Qz{text}Z")
# Also with a lone surrogate, as Python reads an undecodable byte in a variable or a file.
sentinels = st.text(st.sampled_from([*_TEXT, "\udce9"]), min_size=12, max_size=40).map(
    lambda text: f"Qz{text}Z"
)


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.setFormatter(logging.Formatter("%(name)s %(message)s"))
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@contextlib.contextmanager
def collected_logs() -> Iterator[list[str]]:
    handler = _Collect()
    loggers = [logging.getLogger(name) for name in ("ncp_config", "ncp_signing", "harness")]
    for logger in loggers:
        logger.addHandler(handler)
    try:
        yield handler.lines
    finally:
        for logger in loggers:
            logger.removeHandler(handler)


def plant_error(root: Path, secret: str, source: str, path: str) -> tuple[Plant, str | None]:
    """Plant ``secret`` through ``source`` and arrange the error ``path``; return the profile."""
    plant = Plant(root)
    plant.add(source, "secret_key", secret)
    if path == "split_pair":
        plant.add("env" if source != "env" else "dotenv", "access_key", "AKIDLEAKTEST0001")
    elif path == "blank_access_key":
        plant.add(source, "access_key", "\t" if source in ("argument", "env") else " ")
    elif path != "missing_field":
        plant.add(source, "access_key", "AKIDLEAKTEST0001")
    profile = None
    if path == "other_field_invalid":
        plant.environ["NCLOUD_CONNECT_TIMEOUT"] = "soon"
    elif path == "bad_site":
        plant.environ["NCLOUD_SITE"] = "private"
    elif path == "bad_region_for_site":
        plant.environ.update(NCLOUD_SITE="fin", NCLOUD_REGION="SGN")
    elif path == "malformed_configure":
        # "=" in the secret would make a key = value line, so the file lacks a header instead.
        plant.configure_text = f"ncloud_secret_access_key = {secret}\n[DEFAULT]\n"
    elif path == "conflicting_spellings":
        conflict = source if source in ("env", "dotenv", "secrets") else "env"
        plant.add(conflict, "secret_key", secret, spelling=0)
        plant.add(conflict, "secret_key", "another-secret-value", spelling=1)
    elif path == "unknown_profile":
        profile = "nope"
    elif path == "secret_pasted_as_region":
        plant.environ["NCLOUD_REGION"] = secret
    elif path == "secret_pasted_as_site":
        plant.dotenv["NCLOUD_SITE"] = secret
    elif path == "secret_pasted_as_timeout":
        plant.secrets["NCLOUD_READ_TIMEOUT"] = secret
    elif path == "secret_pasted_in_url":
        plant.environ["NCLOUD_MAIL_API_URL"] = f"https://mail.example.com/{secret} x"
    return plant, profile


def renderings(error: BaseException) -> list[str]:
    texts = ["".join(traceback.format_exception(error))]
    current: BaseException | None = error
    while current is not None:
        texts += [str(current), repr(current), repr(current.args)]
        errors = getattr(current, "errors", None)
        if callable(errors):
            texts.append(repr(errors()))
            texts.append(current.json())  # type: ignore[attr-defined]
        current = current.__cause__ or current.__context__
    return texts


def run_cli(argv: list[str]) -> str:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(argv)
    assert status == 1
    return out.getvalue() + err.getvalue()


@pytest.mark.parametrize("path", ERROR_PATHS)
@pytest.mark.parametrize("source", SOURCES)
@settings(max_examples=EXAMPLES_PER_PAIR, deadline=None)
@given(secret=sentinels)
def test_planted_secret_never_leaks(secret: str, source: str, path: str) -> None:
    with tempfile.TemporaryDirectory() as tmp, no_known_secrets():
        plant, profile = plant_error(Path(tmp), secret, source, path)
        with collected_logs() as lines:
            with pytest.raises(ConfigError) as caught:
                load_settings(profile=profile, **plant.kwargs())
            logging.getLogger("ncp_config").error("load failed: %r", caught.value)
            logging.getLogger("harness").exception("load failed", exc_info=caught.value)
        outputs = renderings(caught.value) + lines
        if source != "argument":
            cli_profile = ["--profile", profile] if profile else []
            with plant.as_process():
                outputs.append(run_cli(["show", *cli_profile]))
                outputs.append(run_cli(["show", "--json", *cli_profile]))
                outputs.append(run_cli(["check", *cli_profile]))
        assert lines
        for text in outputs:
            for form in {secret, repr(secret)[1:-1], json.dumps(secret)[1:-1]}:
                assert form not in text


@settings(max_examples=40, deadline=None)
@given(
    secret=sentinels,
    values=st.sampled_from(
        [
            {"connect_timeout": "soon"},
            {"site": "private"},
            {"site": "fin", "region": "SGN"},
            {"mail_api_url": "https://user:pw@example.com"},
            {"retry_attempts": 0},
        ]
    ),
    where=st.sampled_from(["argument", "secret_str", "site", "region", "extra"]),
)
def test_direct_construction_never_leaks(
    secret: str, values: dict[str, object], where: str
) -> None:
    arguments: dict[str, object] = {"access_key": "AKIDLEAKTEST0001", **values}
    arguments["secret_key"] = SecretStr(secret) if where == "secret_str" else secret
    if where not in ("argument", "secret_str"):
        arguments["unknown" if where == "extra" else where] = secret
    with collected_logs() as lines:
        with pytest.raises(ConfigError) as caught:
            NcpSettings(**arguments)
        logging.getLogger("ncp_config").error("construction failed: %r", caught.value)
    outputs = renderings(caught.value) + lines
    for text in outputs:
        for form in {secret, repr(secret)[1:-1], json.dumps(secret)[1:-1]}:
            assert form not in text


@settings(max_examples=30, deadline=None)
@given(secret=text_sentinels, source=st.sampled_from(SOURCES[1:]))
def test_successful_show_never_prints_the_secret(secret: str, source: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        plant = Plant(Path(tmp))
        plant.add(source, "secret_key", secret)
        plant.add(source, "access_key", "AKIDSHOWTEST0001")
        with plant.as_process():
            for argv in (["show"], ["show", "--json"], ["check"]):
                out = io.StringIO()
                with contextlib.redirect_stdout(out):
                    assert main(argv) == 0
                assert "AKID********" in out.getvalue()
                for form in {secret, repr(secret)[1:-1], json.dumps(secret)[1:-1]}:
                    assert form not in out.getvalue()


@settings(max_examples=30, deadline=None)
@given(secret=sentinels, logger=st.sampled_from(["ncp_config", "ncp_signing", "harness"]))
def test_registered_secret_is_redacted_from_log_records(secret: str, logger: str) -> None:
    register_secret(secret)
    with collected_logs() as lines:
        log = logging.getLogger(logger)
        log.warning("plain %s", secret)
        log.warning("in a dict %s", {"secret": secret})
        log.warning(f"pre-formatted {secret}")
        try:
            raise RuntimeError(f"failed with {secret}")
        except RuntimeError:
            log.exception("with traceback")
    assert len(lines) == 4
    for line in lines:
        for form in {secret, repr(secret)[1:-1], json.dumps(secret)[1:-1]}:
            assert form not in line
        assert "********" in line
