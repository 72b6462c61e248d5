"""NCloud sites, the regions each offers, and the base URLs derived from them."""

from __future__ import annotations

import ipaddress
from typing import Literal
from urllib.parse import urlsplit

__all__ = [
    "REGIONS",
    "Region",
    "Site",
    "api_gw_url_for",
    "check_base_url",
    "mail_api_url_for",
]

Site = Literal["public", "gov", "fin"]
Region = Literal["KR", "SGN", "JPN"]

REGIONS: dict[str, tuple[str, ...]] = {
    "public": ("KR", "SGN", "JPN"),
    "gov": ("KR", "SGN", "JPN"),
    "fin": ("KR",),
}
_API_GW = {
    "public": "https://ncloud.apigw.ntruss.com",
    "gov": "https://ncloud.apigw.gov-ntruss.com",
    "fin": "https://fin-ncloud.apigw.fin-ntruss.com",
}
_MAIL_HOST = {
    "public": "https://mail.apigw.ntruss.com",
    "gov": "https://mail.apigw.gov-ntruss.com",
    "fin": "https://mail.apigw.fin-ntruss.com",
}
_MAIL_PATH = {"KR": "/api/v1", "SGN": "/api/v1-sgn", "JPN": "/api/v1-jpn"}
_LOOPBACK_NAMES = {"localhost"}


def api_gw_url_for(site: str) -> str:
    """Return the generic API Gateway base URL of a site."""
    return _API_GW[site]


def mail_api_url_for(site: str, region: str) -> str:
    """Return the Cloud Outbound Mailer base URL of a site and region, without a trailing slash."""
    return _MAIL_HOST[site] + _MAIL_PATH[region]


def _is_loopback(host: str) -> bool:
    if host.lower() in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_base_url(label: str, url: str) -> str:
    """Return ``url`` without a trailing slash if it is a usable base URL, else raise ValueError.

    Plain http is allowed only for loopback hosts, so a local fake server works while a typo
    can never send signed requests in clear text over a network. User information is refused
    outright, and never echoed, because it would be a password in the URL.
    """
    url = url.strip()
    parts = urlsplit(url)
    origin = f"{parts.scheme}://{parts.hostname or ''}"
    if parts.username is not None or parts.password is not None:
        raise ValueError(
            f"The {label} for host {parts.hostname!r} must not contain user information."
        )
    if not parts.hostname:
        raise ValueError(f"The {label} {url!r} is not an absolute URL with a host.")
    if parts.scheme == "http" and not _is_loopback(parts.hostname):
        raise ValueError(
            f"The {label} {origin!r} uses plain http, allowed only for loopback hosts; use https."
        )
    if parts.scheme not in ("http", "https"):
        raise ValueError(f"The {label} {url!r} must use https.")
    if parts.query or parts.fragment:
        raise ValueError(f"The {label} {url!r} must not have a query or a fragment.")
    return url.rstrip("/")
