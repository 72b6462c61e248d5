"""Fixed cases of a secret that once leaked: each is learned before any message is written."""

from __future__ import annotations

from pathlib import Path

import pytest
from config_sources_kit import Plant

from ncp_config import ConfigError, NcpSettings, load_settings, redact, sign_cli
from ncp_config._configure import ConfigureFileSource
from ncp_config.cli import main

SECRET = "QzPlainAsciiSecret42Z"


def plant_latin1_configure(root: Path) -> Plant:
    """The secret in a configure file that is not UTF-8, and pasted into two other settings."""
    plant = Plant(root)
    plant.configure_text = (
        "# caf\udce9\n[DEFAULT]\nncloud_access_key_id = AKIDLEAKTEST0001\n"
        f"ncloud_secret_access_key = {SECRET}\n"
    )
    plant.environ["NCLOUD_MAIL_API_URL"] = f"https://mail.example.com/{SECRET}/ x"
    plant.environ["NCLOUD_MAIL_SENDER_ADDRESS"] = SECRET
    return plant


@pytest.mark.parametrize("argv", [["check"], ["show"], ["show", "--json"]])
def test_secret_in_an_undecodable_configure_file_is_hidden_everywhere(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    plant = plant_latin1_configure(tmp_path)
    with plant.as_process():
        assert main(argv) == 1
    out = capsys.readouterr()
    text = out.out + out.err
    assert "is not UTF-8 text" in text
    assert "mail_api_url 'https://mail.example.com' contains a space" in text
    assert "mail_sender_address '********' is not an email address" in text
    assert SECRET not in text


def test_secret_in_an_undecodable_configure_file_is_hidden_from_the_error(tmp_path: Path) -> None:
    plant = plant_latin1_configure(tmp_path)
    with pytest.raises(ConfigError) as caught:
        load_settings(**plant.kwargs())
    assert "is not UTF-8 text" in str(caught.value)
    assert SECRET not in repr(caught.value)
    # Learned although the file could not be read, so the logs hide it as well.
    assert redact(f"key={SECRET}") == "key=********"


def test_a_secret_given_as_the_profile_is_hidden(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plant = Plant(tmp_path)
    plant.add("env", "access_key", "AKIDLEAKTEST0001")
    plant.add("env", "secret_key", SECRET)
    plant.environ["NCLOUD_PROFILE"] = SECRET
    with pytest.raises(ConfigError) as caught:
        load_settings(**plant.kwargs())
    assert str(caught.value).startswith("The profile '********' is not in ")
    with plant.as_process():
        assert main(["check"]) == 1
        assert sign_cli.main(["GET", "/api/v1/mails"]) == 2
    out = capsys.readouterr()
    assert "The profile '********' is not in " in out.err
    assert out.err.splitlines()[-1].startswith("ncp-sign: error: The profile '********' is not in ")
    assert SECRET not in out.out + out.err


def test_secrets_of_every_spelling_and_profile_are_learned(tmp_path: Path) -> None:
    plant = Plant(tmp_path)
    plant.configure_text = (
        "[DEFAULT]\nNCLOUD_SECRET_ACCESS_KEY: default-secret-1\n"
        f"[other]\nncloud_secret_access_key = {SECRET} \nbroken line\n"
    )
    plant.write()
    source = ConfigureFileSource(NcpSettings, plant.config_file, "missing")
    assert source.secret_values() == (["default-secret-1", SECRET], True)


def test_quoted_values_are_hidden_when_a_source_cannot_be_searched(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    plant = Plant(tmp_path)
    plant.add("env", "access_key", "AKIDLEAKTEST0001")
    plant.add("env", "secret_key", "env-secret-value")
    plant.environ["NCLOUD_MAIL_SENDER_ADDRESS"] = "maybe-the-secret"
    plant.configure_text = "[DEFAULT]\nncloud_secret_access_key = maybe-the-secret\n"
    plant.write()
    unreadable = plant.config_file
    read_text = Path.read_text

    def refuse(path: Path, *args: object, **kwargs: object) -> str:
        if path == unreadable:
            raise PermissionError(13, "Permission denied")
        return read_text(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Path, "read_text", refuse)
    with plant.as_process():
        assert main(["check"]) == 1
    out = capsys.readouterr().err
    assert "cannot be read (PermissionError)" in out
    assert "mail_sender_address '********' is not an email address" in out
    assert "maybe-the-secret" not in out
