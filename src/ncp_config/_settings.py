"""``NcpSettings``: every NCloud setting, typed and validated once, at start-up."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any, Literal

import email_validator
from pydantic import (
    Field,
    PrivateAttr,
    SecretStr,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict
from typing_extensions import Self

from ncp_config._sites import REGIONS, api_gw_url_for, check_base_url, mail_api_url_for
from ncp_config.exc import ConfigFileError
from ncp_signing import Credentials

__all__ = ["NcpSettings"]

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
# Retries re-sign every attempt, but a budget near the gateway's five-minute timestamp window
# would make a slow failure indistinguishable from a hung one; two minutes is plenty.
MAX_RETRY_DEADLINE = 120.0
# Every field that holds text, and so may hold an undecodable byte.
_TEXT_FIELDS = (
    "access_key",
    "secret_key",
    "site",
    "region",
    "api_gw_url",
    "mail_api_url",
    "mail_sender_address",
    "mail_sender_name",
)
_KEY_LABELS = {"access_key": "The access key", "secret_key": "The secret key"}


def _is_utf8(text: str) -> bool:
    """Whether ``text`` encodes as UTF-8 (it fails for lone surrogates from undecodable bytes)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


class NcpSettings(BaseSettings):
    """The validated settings for calling NCloud: credentials, site, base URLs, mail, timeouts.

    Build it with :func:`ncp_config.load_settings`, which resolves the credential chain,
    records where each value came from in :attr:`sources`, and turns validation errors into
    :class:`~ncp_config.SettingsValidationError` with every input value scrubbed. Constructing
    it directly reads the same chain with its defaults, keyword arguments first, and behaves
    the same way: the same errors, the secret key registered for log redaction, and
    :attr:`sources` filled in.
    """

    model_config = SettingsConfigDict(
        extra="forbid", validate_default=True, frozen=True, hide_input_in_errors=True
    )

    access_key: str = Field(min_length=1, description="NCloud API access key ID.")
    secret_key: SecretStr = Field(description="NCloud API secret key; never shown.")
    site: Literal["public", "gov", "fin"] = "public"
    region: Literal["KR", "SGN", "JPN"] = "KR"
    api_gw_url: str = Field(default="", description="API Gateway base URL; derived from site.")
    mail_api_url: str = Field(default="", description="Mailer base URL; from site and region.")
    mail_sender_address: str | None = None
    mail_sender_name: str | None = None
    connect_timeout: float = Field(default=3.05, gt=0, le=300, allow_inf_nan=False)
    read_timeout: float = Field(default=10.0, gt=0, le=300, allow_inf_nan=False)
    retry_deadline: float = Field(default=60.0, gt=0, le=MAX_RETRY_DEADLINE, allow_inf_nan=False)
    retry_attempts: int = Field(default=5, ge=1, le=20)

    _sources: dict[str, str] = PrivateAttr(default_factory=dict)

    def __init__(self, **values: Any) -> None:
        """Validate the settings read from the credential chain, ``values`` taking precedence.

        Raises:
            ConfigError: a subclass saying what is wrong; never pydantic's ``ValidationError``,
                whose text carries every input value.
        """
        from ncp_config._load import Chain, validate_chain
        from ncp_config._sources import ChainSource

        built = values.pop("_build_sources", None)
        if built is None:
            chain = Chain.direct(type(self), values)
        elif values or not all(isinstance(source, ChainSource) for source in built[0]):
            raise TypeError("_build_sources takes credential chain sources and nothing else.")
        else:
            chain = Chain(tuple(built[0]))
        sources = chain.sources

        def construct() -> None:
            BaseSettings.__init__(self, _build_sources=(sources, {}))

        origins = validate_chain(chain, construct)
        self._sources.update(origins)

    # pydantic's own constructors skip __init__, and their ValidationError carries the input;
    # each one is routed through __init__ so that every way in validates the same safe way.

    @classmethod
    def model_validate(cls, obj: Any, *args: Any, **kwargs: Any) -> Self:
        """Build settings from a mapping, like ``NcpSettings(**obj)``."""
        if not isinstance(obj, Mapping):
            raise TypeError(
                f"NcpSettings.model_validate takes a mapping, not {type(obj).__name__}."
            )
        return cls(**obj)

    @classmethod
    def model_validate_strings(cls, obj: Any, *args: Any, **kwargs: Any) -> Self:
        """Build settings from a mapping of strings, like ``NcpSettings(**obj)``."""
        return cls.model_validate(obj)

    @classmethod
    def model_validate_json(
        cls, json_data: str | bytes | bytearray, *args: Any, **kwargs: Any
    ) -> Self:
        """Build settings from a JSON object; a malformed document is named, never echoed."""
        try:
            data = json.loads(json_data)
        except ValueError:
            data = None
        if not isinstance(data, dict):
            raise ConfigFileError("The settings JSON is not a JSON object.")
        return cls(**data)

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Self:
        """Copy the settings; ``update`` is refused, since it would skip validation."""
        if update:
            raise TypeError("NcpSettings cannot be copied with changes; load new settings instead.")
        return super().model_copy(deep=deep)

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

    @field_validator(*_TEXT_FIELDS, mode="before")
    @classmethod
    def _utf8(cls, value: Any, info: ValidationInfo) -> Any:
        text = value.get_secret_value() if isinstance(value, SecretStr) else value
        if isinstance(text, str) and not _is_utf8(text):
            # Said without the value: a lone surrogate (an undecodable byte) would fail later,
            # in the signer or the mail client, with the whole value in a UnicodeEncodeError.
            # The setting is named by its field, as every source can set it (an argument, a
            # variable, a configure file key); the error's location names the source.
            field = str(info.field_name)
            what = _KEY_LABELS.get(field) or f"The value of {field}"
            raise ValueError(f"{what} is not valid UTF-8 text.")
        return value

    @field_validator("access_key", "mail_sender_name")
    @classmethod
    def _no_control(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None:
            return None
        value = value.strip()
        if not value and info.field_name == "access_key":
            # Only blanks: the length check saw them, but no request could be signed with it.
            raise ValueError("The access key is empty.")
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

    @field_validator("region")
    @classmethod
    def _region_on_site(cls, value: str, info: ValidationInfo) -> str:
        site = info.data.get("site")
        if site is not None and value not in REGIONS[site]:
            allowed = ", ".join(REGIONS[site])
            raise ValueError(
                f"The region {value!r} is not available on the {site} site; use {allowed}."
            )
        return value

    @field_validator("mail_sender_address")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            checked = email_validator.validate_email(value.strip(), check_deliverability=False)
        except email_validator.EmailNotValidError:
            checked = None
        if checked is None:
            # One fixed reason, raised outside the handler: the library's own sentences vary
            # and its error holds the value.
            raise ValueError(
                f"mail_sender_address {value!r} is not an email address such as ops@example.com."
            )
        return checked.normalized

    @field_validator("api_gw_url", "mail_api_url")
    @classmethod
    def _url(cls, value: str, info: ValidationInfo) -> str:
        return check_base_url(str(info.field_name), value) if value else value

    @model_validator(mode="after")
    def _derive(self) -> NcpSettings:
        if not self.api_gw_url:
            object.__setattr__(self, "api_gw_url", api_gw_url_for(self.site))
        if not self.mail_api_url:
            object.__setattr__(self, "mail_api_url", mail_api_url_for(self.site, self.region))
        return self
