"""NcpSettings: validation, derived URLs, and output that never shows the secret."""

from __future__ import annotations

import traceback
from pathlib import Path
from typing import Any

import pytest
from config_sources_kit import CONFIGURE_FIELDS, SOURCES, Plant
from pydantic import SecretStr

from ncp_config import (
    IncompleteCredentialsError,
    NcpSettings,
    SettingsValidationError,
    load_settings,
    redact,
)
from ncp_signing import Credentials

SECRET = "s3cr3t-value-for-tests"
BASE = {"access_key": "AKIDEXAMPLE0001", "secret_key": SECRET, "environ": {}}


def load(**values: Any) -> NcpSettings:
    return load_settings(**{**BASE, **values})


@pytest.mark.parametrize(
    ("site", "region", "mail", "gateway"),
    [
        ("public", "KR", "https://mail.apigw.ntruss.com/api/v1", "https://ncloud.apigw.ntruss.com"),
        ("public", "SGN", "https://mail.apigw.ntruss.com/api/v1-sgn", None),
        ("public", "JPN", "https://mail.apigw.ntruss.com/api/v1-jpn", None),
        (
            "gov",
            "KR",
            "https://mail.apigw.gov-ntruss.com/api/v1",
            "https://ncloud.apigw.gov-ntruss.com",
        ),
        ("gov", "JPN", "https://mail.apigw.gov-ntruss.com/api/v1-jpn", None),
        (
            "fin",
            "KR",
            "https://mail.apigw.fin-ntruss.com/api/v1",
            "https://fin-ncloud.apigw.fin-ntruss.com",
        ),
    ],
)
def test_urls_are_derived_from_site_and_region(
    site: str, region: str, mail: str, gateway: str | None
) -> None:
    settings = load(site=site, region=region)
    assert settings.mail_api_url == mail
    if gateway is not None:
        assert settings.api_gw_url == gateway


def test_site_and_region_are_case_insensitive() -> None:
    settings = load(site=" GOV ", region="sgn")
    assert (settings.site, settings.region) == ("gov", "SGN")


@pytest.mark.parametrize("region", ["SGN", "JPN"])
def test_fin_site_has_only_kr(region: str) -> None:
    with pytest.raises(
        SettingsValidationError, match=f"region '{region}' is not available on the fin"
    ):
        load(site="fin", region=region)


def test_unknown_site_and_region_are_rejected() -> None:
    with pytest.raises(SettingsValidationError) as caught:
        load(site="private", region="US")
    assert [error["loc"] for error in caught.value.errors()] == [["site"], ["region"]]


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://mail.apigw.ntruss.com/api/v1", "plain http"),
        ("ftp://example.com/x", "must use https"),
        ("mail.apigw.ntruss.com/api/v1", "absolute URL"),
        ("https://user:pw@example.com/api", "user information"),
        ("https://example.com/api?x=1", "query"),
        ("https://exa mple.com/api", "contains a space or a control character"),
        ("https://example.com/a\x00pi", "contains a space or a control character"),
        ("https://example.com/api\x7f", "contains a space or a control character"),
        ("https://example.com/\x85api", "contains a space or a control character"),
    ],
)
def test_bad_urls_are_rejected(url: str, message: str) -> None:
    with pytest.raises(SettingsValidationError, match=message):
        load(mail_api_url=url)


def test_url_with_a_control_character_is_named_escaped() -> None:
    with pytest.raises(SettingsValidationError) as caught:
        load(api_gw_url="https://example.com/a\x1b[31mpi")
    (error,) = caught.value.errors()
    assert error["msg"] == (
        "api_gw_url 'https://example.com' contains a space or a control character, "
        "'\\x1b' at position 22."
    )
    assert "\x1b" not in str(caught.value)


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:8080/api/v1/", "http://localhost:1/api", "http://[::1]:9/api"]
)
def test_plain_http_is_allowed_for_loopback(url: str) -> None:
    settings = load(mail_api_url=url, api_gw_url=url)
    assert settings.mail_api_url == url.rstrip("/")
    assert settings.api_gw_url == url.rstrip("/")


def test_password_in_url_is_never_echoed() -> None:
    with pytest.raises(SettingsValidationError) as caught:
        load(api_gw_url="https://user:hunter2hunter2@example.com")
    assert "hunter2hunter2" not in str(caught.value)


PASSWORD = "hunter2 pass=\\"


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        (f"admin:{PASSWORD}@api.example.com/v1", None),
        (f"https://admin:{PASSWORD}@api.example.com:8443/v1?x=1", "https://api.example.com:8443"),
        (f"ftp://admin:{PASSWORD}@api.example.com/v1", "ftp://api.example.com"),
        (f"http://admin:{PASSWORD}@10.0.0.1/v1", "http://10.0.0.1"),
        (f"https://api.example.com/v1?token={PASSWORD}", "https://api.example.com"),
        (f"https://api.example.com/v1#{PASSWORD}", "https://api.example.com"),
        (f"http://api.example.com/v1?token={PASSWORD}", "http://api.example.com"),
        (f"ftp://api.example.com/v1?token={PASSWORD}", "ftp://api.example.com"),
        (f"https://[::1/v1?token={PASSWORD}", "https://[::1"),
        (f"https://api.example.com:{PASSWORD}/v1", "https://api.example.com"),
        (f"https://api.example.com/{PASSWORD}/v1", "https://api.example.com"),
        # The port starts at the first ":" after the host and is shown only if all digits.
        ("https://api.example.com:hunter2:pass=/v1", "https://api.example.com"),
        ("https://api.example.com:hunter2:8443/v1", "https://api.example.com"),
        ("https://api.example.com:8443:hunter2/v1", "https://api.example.com"),
        ("https://[::1]:hunter2:pass=/v1", "https://[::1]"),
        ("https://[::1]:hunter2:8443/v1", "https://[::1]"),
        ("https://[::1]hunter2:8443/v1", "https://[::1]"),
        ("https://[::1:hunter2:8443/v1", None),
        # A password holding "/", "?" or "#" ends the host early: nothing before "@" is shown.
        ("https://admin:hunter2/pass@api.example.com/v1", None),
        ("https://admin:8443/hunter2@api.example.com/v1", None),
        ("https://admin:8443?hunter2@api.example.com/v1", None),
        ("https://admin:8443#hunter2@api.example.com/v1", None),
    ],
)
@pytest.mark.parametrize("field", ["api_gw_url", "mail_api_url"])
def test_url_errors_never_echo_user_information_or_query(
    url: str, shown: str | None, field: str
) -> None:
    with pytest.raises(SettingsValidationError) as caught:
        load(**{field: url})
    text = str(caught.value) + caught.value.json() + repr(caught.value.errors())
    for part in ("admin", "hunter2", "pass=", "token", "v1"):
        assert part not in text
    if shown is not None:
        assert repr(shown) in caught.value.errors()[0]["msg"]


@pytest.mark.parametrize("field", ["secret_key", "access_key"])
def test_key_that_is_not_utf8_is_rejected_without_its_value(field: str) -> None:
    value = "Qz key=\udce9 value"
    with pytest.raises(SettingsValidationError) as caught:
        load(**{field: value})
    what = field.replace("_", " ")
    assert caught.value.errors()[0]["msg"] == f"The {what} is not valid UTF-8 text."
    assert caught.value.errors()[0]["loc"] == [field]
    text = "".join(traceback.format_exception(caught.value)) + caught.value.json()
    assert "Qz key" not in text
    assert caught.value.__context__ is None


def test_secret_key_that_is_not_utf8_is_rejected_when_given_as_secret_str() -> None:
    with pytest.raises(SettingsValidationError, match="secret key is not valid UTF-8 text"):
        load(secret_key=SecretStr("Qz key=\udce9 value"))


def test_errors_name_the_offending_value_of_a_plain_setting() -> None:
    with pytest.raises(SettingsValidationError) as caught:
        load(site="publik", connect_timeout="soon", retry_attempts=99)
    messages = {error["loc"][0]: error["msg"] for error in caught.value.errors()}
    assert messages["site"] == "Input should be 'public', 'gov' or 'fin' (got 'publik')"
    assert messages["connect_timeout"].endswith("(got 'soon')")
    assert messages["retry_attempts"].endswith("(got 99)")


def test_value_error_messages_have_no_pydantic_prefix() -> None:
    with pytest.raises(SettingsValidationError) as caught:
        load(mail_sender_name="a\nb", mail_api_url="ftp://example.com")
    for error in caught.value.errors():
        assert not error["msg"].startswith("Value error"), error["msg"]
        assert error["msg"].startswith(("The ", "mail_api_url ")), error["msg"]


def test_region_not_on_site_is_an_error_of_the_region_with_its_source() -> None:
    environ = {"NCLOUD_SITE": "fin", "NCLOUD_REGION": "jpn"}
    with pytest.raises(SettingsValidationError) as caught:
        load(environ=environ)
    [error] = caught.value.errors()
    assert error["loc"] == ["region"]
    assert error["source"] == "env NCLOUD_REGION"
    assert error["msg"] == "The region 'JPN' is not available on the fin site; use KR."


@pytest.mark.parametrize("field", ["site", "region", "connect_timeout", "mail_api_url"])
def test_a_secret_pasted_into_another_setting_is_not_echoed(field: str) -> None:
    with pytest.raises(SettingsValidationError) as caught:
        load(**{field: SECRET})
    text = str(caught.value) + caught.value.json()
    assert SECRET not in text
    assert "(got" not in text


def test_credentials_are_never_echoed_as_inputs() -> None:
    with pytest.raises(SettingsValidationError) as caught:
        load(access_key="AKID\x01CONTROL00", secret_key="x\x00y-secret")
    text = str(caught.value) + caught.value.json()
    assert "CONTROL00" not in text
    assert "y-secret" not in text


def test_sender_address_is_validated_and_normalised() -> None:
    assert load(mail_sender_address=" no-reply@Example.COM ").mail_sender_address == (
        "no-reply@example.com"
    )
    with pytest.raises(SettingsValidationError, match="'not-an-address' is not an email"):
        load(mail_sender_address="not-an-address")


def test_sender_name_may_not_contain_a_newline() -> None:
    with pytest.raises(SettingsValidationError, match="control character"):
        load(mail_sender_name="Shop\r\nBcc: x@example.com")


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("connect_timeout", 0),
        ("read_timeout", -1),
        ("retry_deadline", 300),
        ("retry_attempts", 0),
        ("connect_timeout", "soon"),
    ],
)
def test_timeouts_and_retry_budget_are_bounded(name: str, value: object) -> None:
    with pytest.raises(SettingsValidationError) as caught:
        load(**{name: value})
    assert caught.value.errors()[0]["loc"] == [name]


def test_defaults() -> None:
    settings = load()
    assert (settings.site, settings.region) == ("public", "KR")
    assert (settings.connect_timeout, settings.read_timeout) == (3.05, 10.0)
    assert (settings.retry_deadline, settings.retry_attempts) == (60.0, 5)
    assert settings.mail_sender_address is None
    assert settings.sources["site"] == "default"
    assert settings.sources["mail_api_url"] == "derived from site and region"


def test_secret_is_absent_from_every_rendering() -> None:
    settings = load()
    renderings = [
        repr(settings),
        str(settings),
        str(settings.model_dump()),
        settings.model_dump_json(),
        str(settings.model_dump(mode="json")),
        repr(settings.credentials()),
    ]
    for text in renderings:
        assert SECRET not in text
    assert "sources" not in settings.model_dump()


def test_credentials_carry_both_keys() -> None:
    credentials = load().credentials()
    assert credentials == Credentials("AKIDEXAMPLE0001", SECRET)


def test_empty_secret_is_rejected() -> None:
    with pytest.raises(SettingsValidationError, match="secret key is empty"):
        load(secret_key="   ")


@pytest.mark.parametrize("blank", [" ", "\t", "  \t  "])
def test_blank_access_key_is_rejected(blank: str) -> None:
    with pytest.raises(SettingsValidationError) as caught:
        load(access_key=blank)
    assert caught.value.errors()[0]["loc"] == ["access_key"]
    assert caught.value.errors()[0]["msg"] == "The access key is empty."


def test_blank_access_key_in_the_environment_is_rejected() -> None:
    environ = {"NCLOUD_ACCESS_KEY_ID": "   ", "NCLOUD_SECRET_ACCESS_KEY": SECRET}
    with pytest.raises(SettingsValidationError, match="access key is empty") as caught:
        load_settings(environ=environ, env_file=None, secrets_dir=None, config_file=None)
    assert caught.value.errors()[0]["source"] == "env NCLOUD_ACCESS_KEY_ID"


@pytest.mark.parametrize("field", ["connect_timeout", "read_timeout", "retry_deadline"])
@pytest.mark.parametrize("value", ["nan", "inf", "-inf", float("nan")])
def test_timeouts_must_be_finite(field: str, value: object) -> None:
    with pytest.raises(SettingsValidationError) as caught:
        load(**{field: value})
    (error,) = caught.value.errors()
    assert error["loc"] == [field]
    assert error["msg"].startswith("Input should be a finite number")


def test_settings_are_immutable() -> None:
    settings = load()
    with pytest.raises(ValueError, match="frozen"):
        settings.site = "gov"  # type: ignore[misc]


def test_unknown_keyword_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="regoin"):
        load_settings(regoin="KR")


def test_direct_construction_reads_the_chain(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NCLOUD_ACCESS_KEY", "AKIDFROMENV00001")
    monkeypatch.setenv("NCLOUD_SECRET_KEY", SECRET)
    settings = NcpSettings(region="JPN")
    assert (settings.access_key, settings.region) == ("AKIDFROMENV00001", "JPN")
    assert settings.sources["access_key"] == "env NCLOUD_ACCESS_KEY"
    assert settings.sources["region"] == "argument"
    assert settings.sources["site"] == "default"


def test_direct_construction_with_arguments_only() -> None:
    settings = NcpSettings(
        access_key="AKIDDIRECT000001",
        secret_key=SecretStr(SECRET),
        mail_api_url="http://127.0.0.1:9/api/v1/",
        mail_sender_name=None,
    )
    assert settings.secret_key.get_secret_value() == SECRET
    assert settings.mail_api_url == "http://127.0.0.1:9/api/v1"
    assert settings.sources["secret_key"] == "argument"
    assert settings.sources["api_gw_url"] == "derived from site"


DIRECT_SECRET = "Qz direct=secret \\ 'x'"


@pytest.mark.parametrize(
    "values",
    [
        {"connect_timeout": "soon"},
        {"site": DIRECT_SECRET},
        {"secret": DIRECT_SECRET},
        {"secret_key": SecretStr(DIRECT_SECRET + "\udce9")},
        {"region": "SGN", "site": "fin"},
    ],
)
def test_direct_construction_errors_are_scrubbed(values: dict[str, Any]) -> None:
    arguments = {"access_key": "AKIDDIRECT000001", "secret_key": SecretStr(DIRECT_SECRET)}
    with pytest.raises(SettingsValidationError) as caught:
        NcpSettings(**{**arguments, **values})
    assert caught.value.__context__ is None
    assert caught.value.__cause__ is None
    text = "".join(traceback.format_exception(caught.value)) + caught.value.json()
    text += repr(caught.value.errors()) + repr(caught.value.args)
    assert "direct=secret" not in text
    assert "input_value" not in text


def test_direct_construction_registers_the_secret_for_redaction() -> None:
    secret = "Qz registered=directly 'x'"
    NcpSettings(access_key="AKIDDIRECT000001", secret_key=SecretStr(secret))
    redacted = redact(f"log {secret} and {[secret]}")
    assert "registered=directly" not in redacted
    assert redacted.count("********") == 2


def test_direct_construction_pairs_the_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NCLOUD_SECRET_KEY", SECRET)
    with pytest.raises(IncompleteCredentialsError, match="arguments to NcpSettings"):
        NcpSettings(access_key="AKIDDIRECT000001")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("mail_api_url", "https://mail.example.com/\udce9"),
        ("api_gw_url", "https://api.example.com/v1\udce9"),
        ("mail_sender_name", "Ops\udce9"),
        ("mail_sender_address", "ops\udce9@example.com"),
        ("site", "public\udce9"),
        ("region", "KR\udce9"),
    ],
)
def test_every_text_setting_must_be_utf8(field: str, value: str) -> None:
    with pytest.raises(SettingsValidationError) as caught:
        load(**{field: value})
    [error] = caught.value.errors()
    assert error["loc"] == [field]
    assert error["msg"] == f"The value of {field} is not valid UTF-8 text."


def test_undecodable_variables_are_rejected_by_name(monkeypatch: pytest.MonkeyPatch) -> None:
    environ = {
        "NCLOUD_MAIL_API_URL": "https://mail.example.com/\udce9",
        "NCLOUD_MAIL_SENDER_NAME": "Ops\udce9",
    }
    with pytest.raises(SettingsValidationError) as caught:
        load(environ=environ)
    assert [error["source"] for error in caught.value.errors()] == [
        "env NCLOUD_MAIL_API_URL",
        "env NCLOUD_MAIL_SENDER_NAME",
    ]


def test_sender_address_error_is_one_sentence_with_one_reason() -> None:
    with pytest.raises(SettingsValidationError) as caught:
        load(mail_sender_address="ops@localhost")
    [error] = caught.value.errors()
    assert error["msg"] == (
        "mail_sender_address 'ops@localhost' is not an email address such as ops@example.com."
    )


@pytest.mark.parametrize(
    ("url", "message"),
    [
        (
            "https://api.example.com:99999/v1",
            "api_gw_url 'https://api.example.com:99999' does not have a valid host and port.",
        ),
        (
            "https://admin:pw@api.example.com:8443/v1",
            "api_gw_url 'https://api.example.com:8443' must not contain user information "
            "(a name before '@').",
        ),
        (
            "api.example.com/v1",
            "api_gw_url is not an absolute URL with a host, such as https://host.",
        ),
    ],
)
def test_url_errors_name_the_setting_and_the_origin(url: str, message: str) -> None:
    with pytest.raises(SettingsValidationError) as caught:
        load(api_gw_url=url)
    assert [error["msg"] for error in caught.value.errors()] == [message]


VALIDATOR_MESSAGES = [
    (
        "api_gw_url",
        "https://example.com/api v1",
        "api_gw_url 'https://example.com' contains a space or a control character, "
        "' ' at position 24.",
    ),
    (
        "mail_sender_address",
        "ops@localhost",
        "mail_sender_address 'ops@localhost' is not an email address such as ops@example.com.",
    ),
    ("mail_sender_name", "Ops\udce9", "The value of mail_sender_name is not valid UTF-8 text."),
]


@pytest.mark.parametrize(
    ("source", "field", "value", "message"),
    [
        (source, *case)
        for case in VALIDATOR_MESSAGES
        for source in SOURCES
        # The configure file has keys for the credentials and the URL only; a file that is not
        # UTF-8 is refused as a whole, before any setting is checked.
        if (source != "configure" or case[0] in CONFIGURE_FIELDS)
        and ("\udce9" not in case[1] or source in ("argument", "env"))
    ],
)
def test_validator_messages_name_the_setting_whatever_its_source(
    tmp_path: Path, source: str, field: str, value: str, message: str
) -> None:
    plant = Plant(tmp_path)
    plant.add(source, field, value)
    with pytest.raises(SettingsValidationError) as caught:
        load_settings(access_key="AKIDEXAMPLE0001", secret_key=SECRET, **plant.kwargs())
    [error] = caught.value.errors()
    assert error["msg"] == message
    # The location names the source; the message itself names no variable that may not be it.
    assert str(caught.value) == f"1 setting is invalid: {field} (from {error['source']}): {message}"
    assert "NCLOUD_" not in error["msg"]
