"""``NcpSettings``: every NCloud setting, typed and validated once, at start-up."""

from __future__ import annotations

import re
from typing import Any, Literal

import email_validator
from pydantic import Field, PrivateAttr, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from ncp_config._sites import REGIONS, api_gw_url_for, check_base_url, mail_api_url_for
from ncp_signing import Credentials

__all__ = ["NcpSettings"]

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
# Retries re-sign every attempt, but a budget near the gateway's five-minute timestamp window
# would make a slow failure indistinguishable from a hung one; two minutes is plenty.
MAX_RETRY_DEADLINE = 120.0


class NcpSettings(BaseSettings):
    """The validated settings for calling NCloud: credentials, site, base URLs, mail, timeouts.

    Build it with :func:`ncp_config.load_settings`, which resolves the credential chain,
    records where each value came from in :attr:`sources`, and turns validation errors into
    :class:`~ncp_config.SettingsValidationError` with every input value scrubbed. Constructing
    it directly reads the same chain with its defaults.
    """

    model_config = SettingsConfigDict(extra="forbid", validate_default=True, frozen=True)

    access_key: str = Field(min_length=1, description="NCloud API access key ID.")
    secret_key: SecretStr = Field(description="NCloud API secret key; never shown.")
    site: Literal["public", "gov", "fin"] = "public"
    region: Literal["KR", "SGN", "JPN"] = "KR"
    api_gw_url: str = Field(default="", description="API Gateway base URL; derived from site.")
    mail_api_url: str = Field(default="", description="Mailer base URL; from site and region.")
    mail_sender_address: str | None = None
    mail_sender_name: str | None = None
    connect_timeout: float = Field(default=3.05, gt=0, le=300)
    read_timeout: float = Field(default=10.0, gt=0, le=300)
    retry_deadline: float = Field(default=60.0, gt=0, le=MAX_RETRY_DEADLINE)
    retry_attempts: int = Field(default=5, ge=1, le=20)

    _sources: dict[str, str] = PrivateAttr(default_factory=dict)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Replace the stock sources with the credential chain, keeping init arguments first."""
        from ncp_config._load import Chain

        return (init_settings, *Chain.default(settings_cls).sources[1:])

    @property
    def sources(self) -> dict[str, str]:
        """Where each value came from: ``argument``, ``env NAME``, a file, ``default``, ..."""
        return dict(self._sources)

    def credentials(self) -> Credentials:
        """Return the access key and secret key as ``ncp_signing.Credentials``."""
        return Credentials(self.access_key, self.secret_key.get_secret_value())

    @field_validator("site", mode="before")
    @classmethod
    def _site_lower(cls, value: Any) -> Any:
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("region", mode="before")
    @classmethod
    def _region_upper(cls, value: Any) -> Any:
        return value.strip().upper() if isinstance(value, str) else value

    @field_validator("access_key", "mail_sender_name")
    @classmethod
    def _no_control(cls, value: str | None) -> str | None:
        if value is None:
            return None
        value = value.strip()
        if _CONTROL.search(value):
            raise ValueError("The value contains a control character.")
        return value

    @field_validator("secret_key")
    @classmethod
    def _secret_present(cls, value: SecretStr) -> SecretStr:
        text = value.get_secret_value().strip()
        if not text:
            raise ValueError("The secret key is empty.")
        if _CONTROL.search(text):
            raise ValueError("The secret key contains a control character.")
        return SecretStr(text)

    @field_validator("mail_sender_address")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            checked = email_validator.validate_email(value.strip(), check_deliverability=False)
        except email_validator.EmailNotValidError as error:
            raise ValueError(
                f"The sender address {value!r} is not an email address: {error}"
            ) from None
        return checked.normalized

    @field_validator("api_gw_url", "mail_api_url")
    @classmethod
    def _url(cls, value: str, info: Any) -> str:
        return check_base_url(info.field_name.replace("_", " "), value) if value else value

    @model_validator(mode="after")
    def _derive(self) -> NcpSettings:
        if self.region not in REGIONS[self.site]:
            allowed = ", ".join(REGIONS[self.site])
            raise ValueError(
                f"The region {self.region!r} is not available on the {self.site} site; "
                f"use {allowed}."
            )
        if not self.api_gw_url:
            object.__setattr__(self, "api_gw_url", api_gw_url_for(self.site))
        if not self.mail_api_url:
            object.__setattr__(self, "mail_api_url", mail_api_url_for(self.site, self.region))
        return self
