"""Hints for mistakes: NCLOUD_* variables no setting reads, and fixes that say what is valid."""

from __future__ import annotations

from pathlib import Path

import pytest
from config_sources_kit import Plant

from ncp_config import cli, load_settings
from ncp_config._sources import unknown_variables
from ncp_config.exc import IncompleteCredentialsError, MissingSettingError

TYPO_SECRET = "typo-secret-value"


def test_unknown_variables_suggest_the_closest_known_name() -> None:
    names = [
        "NCLOUD_REGOIN",
        "NCLOUD_SECERT_ACCESS_KEY",
        "ncloud_site",
        "NCLOUD_ZONE",
        "NCLOUD_REGION",
        "NCLOUD_PROFILE",
        "AWS_REGION",
    ]
    assert unknown_variables(names) == [
        ("NCLOUD_REGOIN", "NCLOUD_REGION"),
        ("NCLOUD_SECERT_ACCESS_KEY", "NCLOUD_SECRET_ACCESS_KEY"),
        # The shared prefix alone does not make NCLOUD_SITE a match.
        ("NCLOUD_ZONE", None),
        ("ncloud_site", "NCLOUD_SITE"),
    ]


def test_a_name_that_is_not_an_identifier_is_never_shown(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A name such as ``NCLOUD_SECRET_ACCESS_KEY:value`` may hold pasted text: it is passed over."""
    odd = ["NCLOUD_SECRET_ACCESS_KEY:Pasted0Secret", "NCLOUD_REGION\x1b[31m", "NCLOUD_" + "A" * 80]
    assert unknown_variables([*odd, "NCLOUD_REGOIN"]) == [("NCLOUD_REGOIN", "NCLOUD_REGION")]
    plant = Plant(tmp_path)
    plant.add("env", "access_key", "AKIDCHECK0000001")
    for name in odd:
        plant.environ[name] = "x"
    with plant.as_process():
        assert cli.main(["check"]) == 1
    captured = capsys.readouterr()
    for text in (captured.out, captured.err):
        assert "Pasted0Secret" not in text
        assert "\x1b" not in text
        assert "A" * 80 not in text


def test_check_warns_of_a_misspelt_region_and_still_answers(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plant = Plant(tmp_path)
    plant.add("env", "access_key", "AKIDCHECK0000001")
    plant.add("env", "secret_key", "check-secret")
    plant.environ["NCLOUD_REGOIN"] = "SGN"
    with plant.as_process():
        assert cli.main(["check"]) == 0
    captured = capsys.readouterr()
    assert captured.out.endswith("region KR.\n")
    assert "NCLOUD_REGOIN" not in captured.out
    assert captured.err.splitlines() == [
        "ncp-config: warning: the environment has NCLOUD_* variables no setting reads:",
        "  - NCLOUD_REGOIN is set in the environment but no setting reads it; "
        "did you mean NCLOUD_REGION?",
        "    fix: rename it to NCLOUD_REGION.",
    ]


def test_check_names_a_misspelt_secret_variable_but_never_its_value(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plant = Plant(tmp_path)
    plant.add("env", "access_key", "AKIDCHECK0000001")
    plant.environ["NCLOUD_SECERT_ACCESS_KEY"] = TYPO_SECRET
    plant.environ["NCLOUD_ZONE"] = "KR-1"
    with plant.as_process():
        assert cli.main(["check"]) == 1
        assert cli.main(["show"]) == 1
    captured = capsys.readouterr()
    assert captured.out.count("ncp-config:") == 0
    err = captured.err
    assert err.count("(did you mean NCLOUD_SECRET_ACCESS_KEY?)") == 2
    assert err.count("fix: rename it to NCLOUD_SECRET_ACCESS_KEY.") == 2
    assert err.count("  - NCLOUD_ZONE is set in the environment but no setting reads it.\n") == 2
    assert "did you mean NCLOUD_SITE" not in err
    for text in (captured.out, err):
        assert TYPO_SECRET not in text
        assert "KR-1" not in text


def test_missing_value_error_names_the_near_miss(tmp_path: Path) -> None:
    environ = {"NCLOUD_SECERT_ACCESS_KEY": TYPO_SECRET, "NCLOUD_REGOIN": "SGN"}
    kwargs = {"env_file": None, "secrets_dir": None, "config_file": None}
    with pytest.raises(MissingSettingError) as missing:
        load_settings(environ=environ, **kwargs)
    with pytest.raises(IncompleteCredentialsError) as incomplete:
        load_settings(environ={**environ, "NCLOUD_ACCESS_KEY_ID": "AKIDCHECK0000001"}, **kwargs)
    for error in (missing.value, incomplete.value):
        text = str(error)
        assert text.endswith(
            "; the environment has a variable that no setting reads: "
            "NCLOUD_SECERT_ACCESS_KEY (did you mean NCLOUD_SECRET_ACCESS_KEY?)."
        )
        # A near miss of a setting that is not missing is for `ncp-config check` to name.
        assert "NCLOUD_REGOIN" not in text
        assert TYPO_SECRET not in text


def test_missing_value_error_without_a_near_miss_is_unchanged() -> None:
    with pytest.raises(MissingSettingError) as caught:
        load_settings(
            environ={"NCLOUD_ZONE": "KR-1"}, env_file=None, secrets_dir=None, config_file=None
        )
    assert str(caught.value).endswith("or run `ncloud configure`.")


@pytest.mark.parametrize(
    ("environ", "fix"),
    [
        (
            {"NCLOUD_SITE": "fin", "NCLOUD_REGION": "SGN"},
            "set NCLOUD_REGION to one of KR (the regions of the fin site).",
        ),
        (
            {"NCLOUD_REGION": "EU"},
            "set NCLOUD_REGION to one of KR, SGN, JPN (the regions of the public site).",
        ),
        ({"NCLOUD_SITE": "publik"}, "set NCLOUD_SITE to one of public, gov, fin."),
        (
            {"NCLOUD_API_GW": "http://gw.example.com"},
            "set NCLOUD_API_GW to an https URL (plain http only for localhost, 127.0.0.0/8 "
            "or ::1).",
        ),
        (
            {"NCLOUD_MAIL_SENDER_ADDRESS": "nobody"},
            "set NCLOUD_MAIL_SENDER_ADDRESS to an email address.",
        ),
        (
            {"NCLOUD_RETRY_DEADLINE": "600"},
            "set NCLOUD_RETRY_DEADLINE to a number of seconds above 0 and at most 120.",
        ),
    ],
)
def test_each_fix_says_what_the_setting_accepts(
    tmp_path: Path, environ: dict[str, str], fix: str, capsys: pytest.CaptureFixture[str]
) -> None:
    plant = Plant(tmp_path)
    plant.add("env", "access_key", "AKIDCHECK0000001")
    plant.add("env", "secret_key", "check-secret")
    plant.environ.update(environ)
    with plant.as_process():
        assert cli.main(["check"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert f"    fix: {fix}" in captured.err.splitlines()


def test_a_fix_for_a_file_value_names_the_file_and_what_is_valid(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plant = Plant(tmp_path)
    plant.add("configure", "access_key", "AKIDCHECK0000001")
    plant.add("configure", "secret_key", "check-secret")
    plant.add("configure", "api_gw_url", "http://gw.example.com")
    with plant.as_process():
        assert cli.main(["check"]) == 1
    err = capsys.readouterr().err
    assert (
        f"    fix: correct the value in configure file {plant.config_file} [DEFAULT] to an https "
        "URL (plain http only for localhost, 127.0.0.0/8 or ::1), or override it with "
        "NCLOUD_API_GW."
    ) in err.splitlines()
