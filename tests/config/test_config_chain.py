"""The credential chain: each source, the precedence of every pair, and each error it raises."""

from __future__ import annotations

import itertools
import traceback
from pathlib import Path
from typing import NoReturn

import pytest
from config_sources_kit import SOURCES, Plant

import ncp_config._sources
from ncp_config import (
    ConfigFileError,
    ConflictingSettingError,
    IncompleteCredentialsError,
    MissingSettingError,
    ProfileNotFoundError,
    load_settings,
)
from ncp_config._sources import ENV_NAMES


@pytest.mark.parametrize(("high", "low"), list(itertools.combinations(SOURCES, 2)))
def test_higher_source_wins_for_every_pair(tmp_path: Path, high: str, low: str) -> None:
    plant = Plant(tmp_path)
    plant.add(low, "access_key", "AKIDLOW000000001")
    plant.add(low, "secret_key", "secret-from-low")
    plant.add(high, "access_key", "AKIDHIGH00000001")
    plant.add(high, "secret_key", "secret-from-high")
    settings = load_settings(**plant.kwargs())
    assert settings.access_key == "AKIDHIGH00000001"
    assert settings.secret_key.get_secret_value() == "secret-from-high"
    assert settings.sources["access_key"] == described(plant, high, "NCLOUD_ACCESS_KEY_ID")
    assert settings.sources["secret_key"] == described(plant, high, "NCLOUD_SECRET_ACCESS_KEY")


@pytest.mark.parametrize(("high", "low"), list(itertools.combinations(SOURCES, 2)))
def test_higher_source_wins_for_every_pair_for_a_setting_besides_the_keys(
    tmp_path: Path, high: str, low: str
) -> None:
    # The gateway URL is the one setting every source can hold, the configure file included.
    plant = Plant(tmp_path)
    plant.add("argument", "access_key", "AKIDARGUMENT0001")
    plant.add("argument", "secret_key", "argument-secret")
    plant.add(low, "api_gw_url", "https://low.example.com")
    plant.add(high, "api_gw_url", "https://high.example.com")
    settings = load_settings(**plant.kwargs())
    assert settings.api_gw_url == "https://high.example.com"
    assert settings.sources["api_gw_url"] == described(plant, high, "NCLOUD_API_GW")


def described(plant: Plant, source: str, variable: str) -> str:
    """The origin ``settings.sources`` gives for ``variable`` read from ``source``."""
    return {
        "argument": "argument",
        "env": f"env {variable}",
        "dotenv": f"{plant.env_file}: {variable}",
        "secrets": f"secrets file {plant.secrets_dir / variable}",
        "configure": f"configure file {plant.config_file} [DEFAULT]",
    }[source]


@pytest.mark.parametrize(("high", "low"), list(itertools.combinations(SOURCES, 2)))
@pytest.mark.parametrize("half", ["access_key", "secret_key"])
def test_keys_come_as_a_pair_from_the_first_source_with_either(
    tmp_path: Path, high: str, low: str, half: str
) -> None:
    plant = Plant(tmp_path)
    plant.add(low, "access_key", "AKIDLOW000000001")
    plant.add(low, "secret_key", "low secret=\\'1")
    plant.add(high, half, "AKIDHIGH00000001" if half == "access_key" else "high secret=\\'2")
    with pytest.raises(IncompleteCredentialsError) as caught:
        load_settings(**plant.kwargs())
    missing = "secret_key" if half == "access_key" else "access_key"
    message = str(caught.value)
    assert caught.value.fields == (missing,)
    assert isinstance(caught.value, MissingSettingError)
    assert f"there is no {missing.replace('_', ' ')} in " in message
    where = {
        "argument": "the arguments",
        "env": "the environment",
        "dotenv": str(plant.env_file),
        "secrets": str(plant.secrets_dir),
        "configure": f"{plant.config_file} [DEFAULT]",
    }
    assert where[high] in message
    assert ENV_NAMES[missing][0] in message or missing in message
    for value in ("AKIDLOW000000001", "AKIDHIGH00000001", "secret=", "\\'"):
        assert value not in message


@pytest.mark.parametrize("source", SOURCES)
def test_each_source_alone_is_enough_and_is_named(tmp_path: Path, source: str) -> None:
    plant = Plant(tmp_path)
    plant.add(source, "access_key", "AKIDONLY00000001")
    plant.add(source, "secret_key", "only-secret")
    settings = load_settings(**plant.kwargs())
    assert settings.secret_key.get_secret_value() == "only-secret"
    described = {
        "argument": "argument",
        "env": "env NCLOUD_SECRET_ACCESS_KEY",
        "dotenv": f"{plant.env_file}: NCLOUD_SECRET_ACCESS_KEY",
        "secrets": f"secrets file {plant.secrets_dir / 'NCLOUD_SECRET_ACCESS_KEY'}",
        "configure": f"configure file {plant.config_file} [DEFAULT]",
    }
    assert settings.sources["secret_key"] == described[source]


@pytest.mark.parametrize("source", ["env", "dotenv", "secrets"])
def test_second_spelling_is_read(tmp_path: Path, source: str) -> None:
    plant = Plant(tmp_path)
    plant.add(source, "access_key", "AKIDSECOND000001", spelling=1)
    plant.add(source, "secret_key", "second-spelling", spelling=1)
    settings = load_settings(**plant.kwargs())
    assert settings.secret_key.get_secret_value() == "second-spelling"
    assert "NCLOUD_SECRET_KEY" in settings.sources["secret_key"]


@pytest.mark.parametrize("source", ["env", "dotenv", "secrets"])
def test_spellings_that_agree_are_fine(tmp_path: Path, source: str) -> None:
    plant = Plant(tmp_path)
    for spelling in (0, 1):
        plant.add(source, "access_key", "AKIDSAME00000001", spelling=spelling)
        plant.add(source, "secret_key", "same-secret", spelling=spelling)
    assert load_settings(**plant.kwargs()).access_key == "AKIDSAME00000001"


@pytest.mark.parametrize("source", ["env", "dotenv", "secrets"])
def test_conflicting_spellings_name_both_variables(tmp_path: Path, source: str) -> None:
    plant = Plant(tmp_path)
    plant.add(source, "access_key", "AKIDSAME00000001")
    plant.add(source, "secret_key", "first-secret-value")
    plant.add(source, "secret_key", "other-secret-value", spelling=1)
    with pytest.raises(ConflictingSettingError) as caught:
        load_settings(**plant.kwargs())
    message = str(caught.value)
    assert "NCLOUD_SECRET_ACCESS_KEY and NCLOUD_SECRET_KEY" in message
    assert "first-secret-value" not in message
    assert "other-secret-value" not in message


def test_other_settings_come_from_the_environment(tmp_path: Path) -> None:
    environ = {
        "NCLOUD_ACCESS_KEY": "AKIDENV000000001",
        "NCLOUD_SECRET_KEY": "env-secret",
        "NCLOUD_SITE": "gov",
        "NCLOUD_REGION": "JPN",
        "NCLOUD_API_GW": "http://127.0.0.1:9000",
        "NCLOUD_MAIL_API_URL": "http://127.0.0.1:9000/api/v1/",
        "NCLOUD_MAIL_SENDER_ADDRESS": "ops@example.com",
        "NCLOUD_MAIL_SENDER_NAME": "Ops",
        "NCLOUD_CONNECT_TIMEOUT": "1.5",
        "NCLOUD_READ_TIMEOUT": "7",
        "NCLOUD_RETRY_DEADLINE": "30",
        "NCLOUD_RETRY_ATTEMPTS": "2",
    }
    settings = load_settings(environ=environ, env_file=None, secrets_dir=None, config_file=None)
    assert settings.model_dump(exclude={"secret_key", "access_key"}) == {
        "site": "gov",
        "region": "JPN",
        "api_gw_url": "http://127.0.0.1:9000",
        "mail_api_url": "http://127.0.0.1:9000/api/v1",
        "mail_sender_address": "ops@example.com",
        "mail_sender_name": "Ops",
        "connect_timeout": 1.5,
        "read_timeout": 7.0,
        "retry_deadline": 30.0,
        "retry_attempts": 2,
    }
    assert settings.sources["retry_attempts"] == "env NCLOUD_RETRY_ATTEMPTS"


def test_empty_environment_values_count_as_unset(tmp_path: Path) -> None:
    plant = Plant(tmp_path)
    plant.add("configure", "access_key", "AKIDCONF00000001")
    plant.add("configure", "secret_key", "conf-secret")
    plant.environ["NCLOUD_ACCESS_KEY_ID"] = ""
    assert load_settings(**plant.kwargs()).access_key == "AKIDCONF00000001"


@pytest.mark.parametrize(
    ("written", "value"),
    [
        ("a${EXPANDED}b", "a${EXPANDED}b"),
        ('"a${EXPANDED}b"', "a${EXPANDED}b"),
        ("'a${EXPANDED}b #c'", "a${EXPANDED}b #c"),
        ("a${EXPANDED:-x}$EXPANDED", "a${EXPANDED:-x}$EXPANDED"),
    ],
)
def test_dotenv_values_are_never_expanded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, written: str, value: str
) -> None:
    monkeypatch.setenv("EXPANDED", "expanded-from-the-environment")
    plant = Plant(tmp_path)
    plant.add("dotenv", "access_key", "AKIDDOTENV000001")
    plant.add("dotenv", "secret_key", written)
    settings = load_settings(**plant.kwargs())
    assert settings.secret_key.get_secret_value() == value


def test_secrets_file_loses_one_trailing_newline_only(tmp_path: Path) -> None:
    plant = Plant(tmp_path)
    plant.add("secrets", "access_key", "AKIDSECRETS00001")
    plant.secrets["ncloud_secret_access_key"] = "with-space \n\n"
    settings = load_settings(**plant.kwargs())
    assert settings.secret_key.get_secret_value() == "with-space"
    assert settings.sources["secret_key"].endswith("ncloud_secret_access_key")


CONFIGURE = """\
# written by ncloud configure
[DEFAULT]
ncloud_access_key_id = AKIDDEFAULT00001
ncloud_secret_access_key = default=secret==
ncloud_api_url = https://ncloud.apigw.ntruss.com

[prod]
ncloud_access_key_id = AKIDPROD00000001
ncloud_secret_access_key = prod=secret
ncloud_api_url = https://ncloud.apigw.gov-ntruss.com

[gov]
ncloud_api_url = https://ncloud.apigw.gov-ntruss.com

[half]
ncloud_access_key_id = AKIDHALF00000001
"""


def test_configure_default_section_keeps_values_with_equals(tmp_path: Path) -> None:
    plant = Plant(tmp_path, configure_text=CONFIGURE)
    settings = load_settings(**plant.kwargs())
    assert settings.access_key == "AKIDDEFAULT00001"
    assert settings.secret_key.get_secret_value() == "default=secret=="


def test_profile_argument_with_fallback_to_default(tmp_path: Path) -> None:
    plant = Plant(tmp_path, configure_text=CONFIGURE)
    settings = load_settings(profile="gov", **plant.kwargs())
    assert settings.access_key == "AKIDDEFAULT00001"
    assert settings.api_gw_url == "https://ncloud.apigw.gov-ntruss.com"
    assert settings.secret_key.get_secret_value() == "default=secret=="
    assert settings.sources["access_key"].endswith("[DEFAULT]")
    assert settings.sources["secret_key"].endswith("[DEFAULT]")
    assert settings.sources["api_gw_url"].endswith("[gov]")


def test_profile_with_both_keys_uses_neither_from_default(tmp_path: Path) -> None:
    plant = Plant(tmp_path, configure_text=CONFIGURE)
    settings = load_settings(profile="prod", **plant.kwargs())
    assert settings.access_key == "AKIDPROD00000001"
    assert settings.secret_key.get_secret_value() == "prod=secret"
    assert settings.sources["secret_key"].endswith("[prod]")


def test_profile_with_half_a_pair_never_borrows_the_default_half(tmp_path: Path) -> None:
    plant = Plant(tmp_path, configure_text=CONFIGURE)
    with pytest.raises(IncompleteCredentialsError) as caught:
        load_settings(profile="half", **plant.kwargs())
    message = str(caught.value)
    assert f"comes from configure file {plant.config_file} [half]" in message
    assert f"no secret key in the configure file {plant.config_file} [half]" in message
    assert "(ncloud_secret_access_key)" in message
    assert "default=secret" not in message


def test_profile_from_environment_and_argument_beats_it(tmp_path: Path) -> None:
    plant = Plant(tmp_path, configure_text=CONFIGURE)
    plant.environ["NCLOUD_PROFILE"] = "prod"
    assert load_settings(**plant.kwargs()).access_key == "AKIDPROD00000001"
    default = load_settings(profile="DEFAULT", **plant.kwargs())
    assert default.access_key == "AKIDDEFAULT00001"


def test_unknown_profile_names_existing_ones(tmp_path: Path) -> None:
    plant = Plant(tmp_path, configure_text=CONFIGURE)
    with pytest.raises(
        ProfileNotFoundError, match=r"'staging' is not in .*'DEFAULT', 'prod', 'gov', 'half'"
    ):
        load_settings(profile="staging", **plant.kwargs())


def test_profile_without_configure_file(tmp_path: Path) -> None:
    with pytest.raises(ProfileNotFoundError, match="does not exist"):
        load_settings(profile="prod", environ={}, config_file=tmp_path / "absent")


def test_configure_file_path_from_environment(tmp_path: Path) -> None:
    path = tmp_path / "elsewhere"
    path.write_text(CONFIGURE, encoding="utf-8")
    settings = load_settings(environ={"NCLOUD_CONFIG_FILE": str(path)}, env_file=None)
    assert settings.sources["access_key"] == f"configure file {path} [DEFAULT]"


def test_configure_file_in_home_is_the_default() -> None:
    path = Path.home() / ".ncloud" / "configure"
    path.parent.mkdir()
    path.write_text(CONFIGURE, encoding="utf-8")
    assert load_settings().access_key == "AKIDDEFAULT00001"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("ncloud_access_key_id = x\n", "section header"),
        ("[DEFAULT]\nthis line has no separator\n", "not key = value"),
        ("[DEFAULT]\na = 1\n[DEFAULT]\n", r"the section \[DEFAULT\] twice \(line 3\)"),
        (
            "[DEFAULT]\n[prod]\nncloud_secret_access_key = one=1\nncloud_secret_access_key = two\n",
            r"the key 'ncloud_secret_access_key' twice in the section \[prod\] \(line 4\)",
        ),
    ],
)
def test_malformed_configure_file(tmp_path: Path, text: str, message: str) -> None:
    plant = Plant(tmp_path, configure_text=text)
    with pytest.raises(ConfigFileError, match=message) as caught:
        load_settings(**plant.kwargs())
    assert caught.value.__context__ is None
    assert "one=1" not in str(caught.value)


SENTINEL = "Qz sentinel=\udce9 secret"


@pytest.mark.parametrize("source", ["dotenv", "secrets", "configure"])
def test_file_that_is_not_utf8_is_named_without_its_bytes(tmp_path: Path, source: str) -> None:
    plant = Plant(tmp_path)
    plant.add(source, "access_key", "AKIDFILE00000001")
    plant.add(source, "secret_key", SENTINEL)
    with pytest.raises(ConfigFileError) as caught:
        load_settings(**plant.kwargs())
    path = {
        "dotenv": f"The .env file {plant.env_file}",
        "secrets": f"The secrets file {plant.secrets_dir / 'NCLOUD_SECRET_ACCESS_KEY'}",
        "configure": f"The configure file {plant.config_file}",
    }[source]
    assert str(caught.value) == f"{path} is not UTF-8 text."
    assert caught.value.__context__ is None
    assert caught.value.__cause__ is None
    text = "".join(traceback.format_exception(caught.value)) + repr(caught.value.args)
    for part in ("Qz sentinel", "\udce9", "\\udce9", "\\xe9", "secret"):
        assert part not in text.replace("secrets", "")


@pytest.mark.parametrize("source", ["dotenv", "secrets", "configure"])
def test_unreadable_file_is_a_config_error(
    tmp_path: Path, source: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    plant = Plant(tmp_path)
    plant.add(source, "access_key", "AKIDFILE00000001")
    plant.add(source, "secret_key", "readable=secret")
    kwargs = plant.kwargs()

    def refuse(*args: object, **kwargs: object) -> NoReturn:
        raise PermissionError(13, "Permission denied: readable=secret")

    if source == "dotenv":
        monkeypatch.setattr(ncp_config._sources, "dotenv_values", refuse)
    else:
        monkeypatch.setattr(Path, "read_text", refuse)
    with pytest.raises(ConfigFileError, match=r"cannot be read \(PermissionError\)\.$") as caught:
        load_settings(**kwargs)
    assert caught.value.__context__ is None
    assert "readable=secret" not in str(caught.value)


@pytest.mark.parametrize("source", ["dotenv", "secrets", "configure"])
def test_byte_order_mark_is_dropped(tmp_path: Path, source: str) -> None:
    plant = Plant(tmp_path)
    plant.add(source, "access_key", "AKIDBOM000000001")
    plant.add(source, "secret_key", "bom=secret")
    kwargs = plant.kwargs()
    for path in (plant.env_file, plant.config_file, *plant.secrets_dir.iterdir()):
        path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    settings = load_settings(**kwargs)
    assert settings.access_key == "AKIDBOM000000001"
    assert settings.secret_key.get_secret_value() == "bom=secret"


def test_secrets_files_differing_only_in_case_must_agree(tmp_path: Path) -> None:
    plant = Plant(tmp_path)
    plant.add("secrets", "access_key", "AKIDCASE00000001")
    plant.secrets["ncloud_secret_key"] = "lower case=secret\n"
    plant.secrets["NCLOUD_SECRET_KEY"] = "upper case=secret\n"
    with pytest.raises(ConflictingSettingError) as caught:
        load_settings(**plant.kwargs())
    message = str(caught.value)
    assert str(plant.secrets_dir / "ncloud_secret_key") in message
    assert str(plant.secrets_dir / "NCLOUD_SECRET_KEY") in message
    assert "case=secret" not in message


def test_secrets_files_differing_only_in_case_may_agree(tmp_path: Path) -> None:
    plant = Plant(tmp_path)
    plant.add("secrets", "access_key", "AKIDCASE00000001")
    plant.secrets["ncloud_secret_key"] = "same=secret\n"
    plant.secrets["NCLOUD_SECRET_KEY"] = "same=secret"
    assert load_settings(**plant.kwargs()).secret_key.get_secret_value() == "same=secret"


def test_missing_values_say_where_it_looked_and_how_to_set_them(tmp_path: Path) -> None:
    plant = Plant(tmp_path)
    plant.add("dotenv", "region", "SGN")
    with pytest.raises(MissingSettingError) as caught:
        load_settings(**plant.kwargs())
    message = str(caught.value)
    assert caught.value.fields == ("access_key", "secret_key")
    assert "NCLOUD_SECRET_ACCESS_KEY or NCLOUD_SECRET_KEY" in message
    for place in ("the environment", str(plant.env_file), str(plant.secrets_dir), "configure"):
        assert place in message


def test_none_skips_a_source(tmp_path: Path) -> None:
    plant = Plant(tmp_path)
    plant.add("dotenv", "access_key", "AKIDDOTENV000001")
    plant.add("dotenv", "secret_key", "dotenv-secret")
    with pytest.raises(MissingSettingError):
        load_settings(**{**plant.kwargs(), "env_file": None})


def test_dotenv_in_working_directory_is_the_default(isolated: Path) -> None:
    (isolated / ".env").write_text(
        "NCLOUD_ACCESS_KEY_ID=AKIDCWD000000001\nNCLOUD_SECRET_ACCESS_KEY='quoted secret'\n",
        encoding="utf-8",
    )
    settings = load_settings()
    assert settings.secret_key.get_secret_value() == "quoted secret"
    assert settings.sources["access_key"] == f"{isolated / '.env'}: NCLOUD_ACCESS_KEY_ID"
