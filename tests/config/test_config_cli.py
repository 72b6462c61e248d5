"""``ncp-config show`` / ``check`` and ``ncp-sign`` on the settings chain."""

from __future__ import annotations

import json
import os
import re
import shlex
from pathlib import Path
from unittest import mock

import pytest
from config_sources_kit import Plant

from ncp_config import cli, sign_cli
from ncp_config._sources import ENV_NAMES
from ncp_signing import Credentials, sign

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "docs" / "generated" / "ncp-config-show.txt"


CONFIGURE_SAMPLE = ROOT / "docs" / "examples" / "configure.ini"
SAMPLE_DOTENV = "NCLOUD_MAIL_SENDER_ADDRESS=no-reply@example.com\nNCLOUD_READ_TIMEOUT=20\n"
SAMPLE_COMMAND = "NCLOUD_REGION=SGN ncp-config show --profile prod"


def sample_output(root: Path, capsys: pytest.CaptureFixture[str]) -> str:
    """The session the guide shows: ``docs/examples/configure.ini`` as ``~/.ncloud/configure``,
    a ``.env`` file in the current directory, and the command, with paths under ``/home/me``."""
    configure = root / ".ncloud" / "configure"
    configure.parent.mkdir(parents=True)
    configure.write_bytes(CONFIGURE_SAMPLE.read_bytes())
    (root / ".env").write_text(SAMPLE_DOTENV, encoding="utf-8")
    variable, _, command = SAMPLE_COMMAND.partition(" ")
    name, _, value = variable.partition("=")
    environ = {
        key: item
        for key, item in os.environ.items()
        if not key.startswith("NCLOUD_") and key != "HOME"
    }
    before = Path.cwd()
    with mock.patch.dict(os.environ, {**environ, "HOME": str(root), name: value}, clear=True):
        os.chdir(root)
        try:
            assert cli.main(shlex.split(command)[1:]) == 0
        finally:
            os.chdir(before)
    captured = capsys.readouterr()
    assert captured.err == ""
    session = f"$ cat .env\n{SAMPLE_DOTENV}$ {SAMPLE_COMMAND}\n{captured.out}"
    return session.replace(str(root), "/home/me")


def test_show_sample_in_docs_is_current(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fresh = sample_output(tmp_path, capsys)
    assert "prod-secret" not in fresh
    if os.environ.get("NCP_CONFIG_REGENERATE_DOCS"):
        SAMPLE.parent.mkdir(exist_ok=True)
        SAMPLE.write_text(fresh, encoding="utf-8")
    assert SAMPLE.read_text(encoding="utf-8") == fresh, (
        "docs/generated/ncp-config-show.txt is stale; rerun this test with "
        "NCP_CONFIG_REGENERATE_DOCS=1 to rewrite it."
    )


def test_show_lists_every_setting_with_source(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = sample_output(tmp_path, capsys).splitlines()
    assert lines[:4] == ["$ cat .env", *SAMPLE_DOTENV.splitlines(), f"$ {SAMPLE_COMMAND}"]
    table = lines[4:]
    assert table[0].split() == ["Name", "Value", "Source"]
    assert len(table) == 13
    out = "\n".join(table)
    configure = "configure file /home/me/.ncloud/configure"
    assert re.search(rf"^access_key +AKID\*{{8}} +{configure} \[prod\]$", out, re.M)
    # The prod profile has no ncloud_api_url, so the one of [DEFAULT] is used, not the derived one.
    assert re.search(
        rf"^api_gw_url +https://ncloud.apigw.ntruss.com +{configure} \[DEFAULT\]$", out, re.M
    )
    assert re.search(r"^region +SGN +env NCLOUD_REGION$", out, re.M)
    assert "/home/me/.env: NCLOUD_READ_TIMEOUT" in out
    assert "/home/me/.env: NCLOUD_MAIL_SENDER_ADDRESS" in out


def test_show_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    plant = Plant(tmp_path)
    plant.add("secrets", "access_key", "AKIDJSON00000001")
    plant.add("secrets", "secret_key", "json-secret")
    with plant.as_process():
        assert cli.main(["show", "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["secret_key"] == {
        "value": "********",
        "source": f"secrets file {plant.secrets_dir / 'NCLOUD_SECRET_ACCESS_KEY'}",
    }
    assert document["access_key"]["value"] == "AKID********"
    assert document["site"] == {"value": "public", "source": "default"}


def test_show_reports_a_problem_with_exit_1(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["show"]) == 1
    captured = capsys.readouterr()
    assert "No value for access_key" in captured.err
    assert re.search(r"^access_key +<not set> +not found$", captured.out, re.M)
    assert re.search(r"^site +public +default$", captured.out, re.M)


SHOW_SECRET = "Qz show=secret \\ 'x'"


def test_show_lists_what_it_can_resolve_then_the_problems(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plant = Plant(tmp_path)
    plant.add("dotenv", "access_key", "AKIDSHOWPART0001")
    plant.add("dotenv", "secret_key", SHOW_SECRET)
    plant.environ.update(
        NCLOUD_SITE="publik",
        NCLOUD_REGION="sgn",
        NCLOUD_CONNECT_TIMEOUT="soon",
        NCLOUD_MAIL_SENDER_ADDRESS="ops@example.com",
    )
    plant.dotenv["NCLOUD_READ_TIMEOUT"] = "20"
    with plant.as_process():
        assert cli.main(["show"]) == 1
    captured = capsys.readouterr()
    split = [re.split(r" {2,}", line) for line in captured.out.splitlines()]
    rows = {cells[0]: cells[1:] for cells in split}
    assert rows["access_key"] == ["AKID********", f"{plant.env_file}: NCLOUD_ACCESS_KEY_ID"]
    assert rows["secret_key"][0] == "********"
    assert rows["site"] == ["<invalid>", "env NCLOUD_SITE"]
    assert rows["region"] == ["SGN", "env NCLOUD_REGION"]
    assert rows["api_gw_url"] == ["<not set>", "derived from site"]
    assert rows["connect_timeout"] == ["<invalid>", "env NCLOUD_CONNECT_TIMEOUT"]
    assert rows["read_timeout"] == ["20.0", f"{plant.env_file}: NCLOUD_READ_TIMEOUT"]
    assert rows["mail_sender_address"] == ["ops@example.com", "env NCLOUD_MAIL_SENDER_ADDRESS"]
    assert rows["retry_attempts"] == ["5", "default"]
    assert len(rows) == 13
    assert "site (from env NCLOUD_SITE): Input should be" in captured.err
    assert "(got 'publik')" in captured.err
    assert "connect_timeout (from env NCLOUD_CONNECT_TIMEOUT)" in captured.err
    assert "show=secret" not in captured.out + captured.err


def test_show_json_with_problems_lists_every_row(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plant = Plant(tmp_path)
    plant.add("env", "access_key", "AKIDSHOWPART0001")
    plant.add("configure", "access_key", "AKIDCONFIGURE001")
    plant.add("configure", "secret_key", SHOW_SECRET)
    plant.environ["NCLOUD_SITE"] = "fin"
    plant.environ["NCLOUD_REGION"] = "JPN"
    with plant.as_process():
        assert cli.main(["show", "--json"]) == 1
    captured = capsys.readouterr()
    document = json.loads(captured.out)
    assert document["access_key"] == {"value": "AKID********", "source": "env NCLOUD_ACCESS_KEY_ID"}
    assert document["secret_key"] == {"value": "<not set>", "source": "not found"}
    assert document["site"] == {"value": "fin", "source": "env NCLOUD_SITE"}
    assert document["region"] == {"value": "<invalid>", "source": "env NCLOUD_REGION"}
    assert document["mail_api_url"]["value"] == "<not set>"
    assert "no secret key in the environment" in captured.err
    assert "region (from env NCLOUD_REGION): The region 'JPN' is not available" in captured.err
    assert "show=secret" not in captured.out + captured.err


def test_show_with_an_unreadable_source_shows_the_rest(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plant = Plant(tmp_path, configure_text="no header = here\n")
    plant.environ["NCLOUD_REGION"] = "JPN"
    with plant.as_process():
        assert cli.main(["show"]) == 1
    captured = capsys.readouterr()
    assert re.search(r"^region +JPN +env NCLOUD_REGION$", captured.out, re.M)
    assert "does not start with a section header" in captured.err
    assert "No value for" not in captured.err


@pytest.mark.parametrize("source", ["env", "dotenv", "secrets"])
def test_check_reports_every_conflicting_pair_in_one_run(
    tmp_path: Path, source: str, capsys: pytest.CaptureFixture[str]
) -> None:
    plant = Plant(tmp_path)
    for spelling in (0, 1):
        plant.add(source, "access_key", f"AKIDCONFLICT000{spelling}", spelling=spelling)
        plant.add(source, "secret_key", f"conflicting-secret-{spelling}", spelling=spelling)
    with plant.as_process():
        assert cli.main(["check"]) == 1
        assert cli.main(["show"]) == 1
    captured = capsys.readouterr()
    where = {
        "env": "the environment",
        "dotenv": f"the .env file {plant.env_file}",
        "secrets": f"the secrets directory {plant.secrets_dir}",
    }[source]
    expected = (
        "NCLOUD_ACCESS_KEY_ID and NCLOUD_ACCESS_KEY, and NCLOUD_SECRET_ACCESS_KEY and "
        f"NCLOUD_SECRET_KEY, are each set twice in {where} with different values; "
        "unset one of each pair."
    )
    assert captured.out.count(expected) == 0
    assert captured.err.count(expected) == 2
    assert "conflicting-secret" not in captured.out + captured.err


@pytest.mark.parametrize("source", ["env", "dotenv"])
def test_show_and_check_read_the_rest_of_a_source_with_conflicting_spellings(
    tmp_path: Path, source: str, capsys: pytest.CaptureFixture[str]
) -> None:
    plant = Plant(tmp_path)
    plant.add(source, "access_key", "AKIDCONFLICT0001")
    plant.add(source, "access_key", "AKIDCONFLICT0002", spelling=1)
    plant.add(source, "secret_key", SHOW_SECRET)
    plant.add(source, "region", "JPN")
    plant.add(source, "site", "fin")
    with plant.as_process():
        assert cli.main(["show"]) == 1
        shown = capsys.readouterr()
        assert cli.main(["check"]) == 1
        checked = capsys.readouterr().err
    rows = {
        cells[0]: cells[1:]
        for cells in (re.split(r" {2,}", line) for line in shown.out.splitlines())
    }
    spelled = {
        "env": "env {}",
        "dotenv": f"{plant.env_file}: {{}}",
    }[source]
    both = ", ".join(spelled.format(name) for name in ENV_NAMES["access_key"])
    assert rows["access_key"] == ["<invalid>", both]
    assert rows["secret_key"] == ["********", spelled.format("NCLOUD_SECRET_ACCESS_KEY")]
    assert rows["site"] == ["fin", spelled.format("NCLOUD_SITE")]
    assert rows["region"] == ["<invalid>", spelled.format("NCLOUD_REGION")]
    for text in (shown.err, checked):
        assert "NCLOUD_ACCESS_KEY_ID and NCLOUD_ACCESS_KEY are both set" in text
        assert "The region 'JPN' is not available on the fin site" in text
        assert "there is no" not in text
    for text in (shown.out, shown.err, checked):
        assert "AKIDCONFLICT" not in text
        assert "show=secret" not in text


def test_check_ok(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    plant = Plant(tmp_path)
    plant.add("env", "access_key", "AKIDCHECK0000001")
    plant.add("env", "secret_key", "check-secret")
    with plant.as_process():
        assert cli.main(["check"]) == 0
    assert capsys.readouterr().out.startswith(
        "ok: access key AKID******** (env NCLOUD_ACCESS_KEY_ID)"
    )


def test_check_lists_each_problem_with_a_fix(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plant = Plant(tmp_path)
    plant.add("env", "access_key", "AKIDCHECK0000001")
    plant.add("env", "secret_key", "check-secret")
    plant.environ.update(NCLOUD_CONNECT_TIMEOUT="0", NCLOUD_MAIL_API_URL="http://mail.example.com")
    plant.dotenv["NCLOUD_RETRY_ATTEMPTS"] = "many"
    with plant.as_process():
        assert cli.main(["check"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    out = captured.err
    assert out.count("    fix: ") == 3
    assert "fix: set NCLOUD_CONNECT_TIMEOUT to a number of seconds above 0 and at most 300." in out
    assert (
        f"fix: correct the value in {plant.env_file}: NCLOUD_RETRY_ATTEMPTS to a whole number "
        "from 1 to 20, or override it with NCLOUD_RETRY_ATTEMPTS." in out
    )
    assert (
        "fix: set NCLOUD_MAIL_API_URL to an https URL "
        "(plain http only for localhost, 127.0.0.0/8 or ::1)." in out
    )
    assert "a valid value" not in out


def test_check_signs_a_request_and_reports_a_failure_as_a_problem(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = "Qz check=secret \udce9 x"
    calls: list[str] = []

    class BrokenSigner:
        def __init__(self, credentials: Credentials) -> None:
            calls.append(credentials.access_key)

        def headers(self, method: str, url: str) -> dict[str, str]:
            calls.append(f"{method} {url}")
            raise UnicodeEncodeError("utf-8", secret, 16, 17, "surrogates not allowed")

    monkeypatch.setattr(cli, "Signer", BrokenSigner)
    plant = Plant(tmp_path)
    plant.add("env", "access_key", "AKIDCHECK0000001")
    plant.add("env", "secret_key", "check-secret")
    with plant.as_process():
        assert cli.main(["check"]) == 1
    out = capsys.readouterr().err
    assert calls == ["AKIDCHECK0000001", "GET /"]
    assert "The credentials cannot sign a request (UnicodeEncodeError)." in out
    assert "check=secret" not in out
    assert "ok:" not in out


def test_check_rejects_a_secret_that_is_not_utf8(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plant = Plant(tmp_path)
    plant.add("env", "access_key", "AKIDCHECK0000001")
    plant.add("env", "secret_key", "Qz check=secret \udce9 x")
    with plant.as_process():
        assert cli.main(["check"]) == 1
    out = capsys.readouterr().err
    assert "The secret key is not valid UTF-8 text." in out
    assert "check=secret" not in out


def test_check_unknown_profile(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    plant = Plant(tmp_path, configure_text="[DEFAULT]\n[dev]\n")
    with plant.as_process():
        assert cli.main(["check", "--profile", "prod"]) == 1
    out = capsys.readouterr().err
    assert "'prod' is not in" in out
    assert "fix: choose a profile the file has with --profile or NCLOUD_PROFILE" in out


def test_check_lists_every_problem_at_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plant = Plant(tmp_path, configure_text="ncloud_access_key_id = AKIDNOHEADER0001\n")
    plant.add("env", "access_key", "AKIDCHECK0000001")
    plant.add("env", "secret_key", "check-secret")
    plant.environ.update(NCLOUD_SITE="fin", NCLOUD_REGION="SGN", NCLOUD_READ_TIMEOUT="0")
    with plant.as_process():
        assert cli.main(["check"]) == 1
    lines = capsys.readouterr().err.splitlines()
    assert lines[0] == "ncp-config: the settings are not usable:"
    problems = [line for line in lines if line.startswith("  - ")]
    fixes = [line for line in lines if line.startswith("    fix: ")]
    assert len(problems) == len(fixes) == 3
    assert "does not start with a section header" in problems[0]
    assert fixes[0] == "    fix: correct or replace the file named above."
    assert any("region (from env NCLOUD_REGION)" in line for line in problems)
    assert any("read_timeout (from env NCLOUD_READ_TIMEOUT)" in line for line in problems)


def test_ncp_sign_reads_the_chain(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = "[prod]\nncloud_access_key_id = AKIDSIGN00000001\nncloud_secret_access_key = sign=s\n"
    plant = Plant(tmp_path, configure_text=text)
    plant.environ["NCLOUD_PROFILE"] = "prod"
    with plant.as_process():
        assert sign_cli.main(["GET", "/api/v1/mails", "--timestamp", "1700000000000"]) == 0
    expected = sign(
        method="GET",
        uri="/api/v1/mails",
        timestamp="1700000000000",
        access_key="AKIDSIGN00000001",
        secret_key="sign=s",
    )
    out = capsys.readouterr().out
    assert f"x-ncp-apigw-signature-v2: {expected}" in out
    assert "sign=s\n" not in out


def test_ncp_sign_reports_config_errors(capsys: pytest.CaptureFixture[str]) -> None:
    assert sign_cli.main(["GET", "/api/v1/mails"]) == 2
    assert "No value for access_key" in capsys.readouterr().err
