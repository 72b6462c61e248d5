"""NcpSettings: validation, derived URLs, and output that never shows the secret."""

from __future__ import annotations

from typing import Any

import pytest

from ncp_config import NcpSettings, SettingsValidationError, load_settings
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
    ],
)
def test_bad_urls_are_rejected(url: str, message: str) -> None:
    with pytest.raises(SettingsValidationError, match=message):
        load(mail_api_url=url)


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
