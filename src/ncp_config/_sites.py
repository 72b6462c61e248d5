"""NCloud sites, the regions each offers, and the base URLs derived from them."""

from __future__ import annotations

import ipaddress
import re
from typing import Literal
from urllib.parse import urlsplit, urlunsplit

__all__ = [
    "REGIONS",
    "Region",
    "Site",
    "api_gw_url_for",
    "check_base_url",
    "mail_api_url_for",
    "shown_url",
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
# Never part of a URL unescaped (RFC 3986); a request library would refuse it or send it raw.
_SPACE_OR_CONTROL = re.compile(r"[\x00-\x20\x7f-\x9f]")


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


def shown_url(url: str) -> str | None:
    """Return ``url`` fit for an error message: user information masked, no query or fragment.

    Only ``scheme://host[:port]/path`` is kept, with any user information replaced by ``***``,
    since it would be a password; ``None`` when no part can be shown safely (a URL that cannot
    be split, or one without a host that contains ``@``).
    """
    try:
        parts = urlsplit(url.strip())
        parts.port  # noqa: B018 - a port that is not a number may be anything, even a password
    except ValueError:
        return None
    if not parts.netloc:
        return None if "@" in url else urlunsplit((parts.scheme, "", parts.path, "", ""))
    _, at, host = parts.netloc.rpartition("@")
    netloc = f"***@{host}" if at else host
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def check_base_url(label: str, url: str) -> str:
    """Return ``url`` without a trailing slash if it is a usable base URL, else raise ValueError.

    Plain http is allowed only for loopback hosts (``localhost``, ``127.0.0.0/8``, ``::1``), so
    a local fake server works while a typo can never send signed requests in clear text over a
    network. A space or a control character anywhere is refused too. User information is
    refused outright, because it would be a password in the URL; no message shows user
    information, a query or a fragment (see :func:`shown_url`).
    """
    url = url.strip()
    shown = shown_url(url)
    subject = f"The {label}" if shown is None else f"The {label} {shown!r}"
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - parsing the port is the check
    except ValueError:
        parts = None
    if parts is None:
        raise ValueError(f"{subject} is not a valid URL (bad host or port).")
    if _SPACE_OR_CONTROL.search(url):
        raise ValueError(f"{subject} contains a space or a control character.")
    if "@" in parts.netloc:
        raise ValueError(f"{subject} must not contain user information.")
    if not parts.hostname:
        raise ValueError(f"{subject} is not an absolute URL with a host.")
    if parts.scheme == "http" and not _is_loopback(parts.hostname):
        raise ValueError(f"{subject} uses plain http, allowed only for loopback hosts; use https.")
    if parts.scheme not in ("http", "https"):
        raise ValueError(f"{subject} must use https.")
    if parts.query or parts.fragment:
        raise ValueError(f"{subject} must not have a query or a fragment.")
    return url.rstrip("/")
