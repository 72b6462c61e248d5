"""NCloud sites, the regions each offers, and the base URLs derived from them."""

from __future__ import annotations

import ipaddress
import re
from typing import Literal
from urllib.parse import urlsplit

__all__ = [
    "REGIONS",
    "Region",
    "Site",
    "api_gw_url_for",
    "check_base_url",
    "mail_api_url_for",
    "shown_origin",
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
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*")


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


def shown_origin(url: str) -> str | None:
    """Return ``scheme://host[:port]`` of ``url`` for an error message, or ``None``.

    Nothing else is ever shown: not user information (a password), not the path, query or
    fragment, where a pasted secret would end up. A port is kept if it is digits, valid or not.
    ``None`` when ``url`` has no ``scheme://`` or no host.
    """
    scheme, separator, rest = url.strip().partition("://")
    if not separator or not _SCHEME.fullmatch(scheme):
        return None
    host = re.split(r"[/?#]", rest, maxsplit=1)[0].rpartition("@")[2]
    name, colon, port = host.rpartition(":")
    if colon and "]" not in port and not (port.isascii() and port.isdigit()):
        host = name  # a "port" that is not a number may be anything, even a password
    return f"{scheme}://{host}" if host else None


def check_base_url(name: str, url: str) -> str:
    """Return ``url`` without a trailing slash if it is a usable base URL, else raise ValueError.

    ``name`` is what the message calls the setting, such as ``NCLOUD_API_GW``. Plain http is
    allowed only for loopback hosts (``localhost``, ``127.0.0.0/8``, ``::1``), so a local fake
    server works while a typo can never send signed requests in clear text over a network. A
    space or a control character anywhere is refused too, and so is user information, which
    would be a password in the URL. A message shows only ``scheme://host[:port]`` (see
    :func:`shown_origin`), and a bad character by its position and escaped form.
    """
    url = url.strip()
    origin = shown_origin(url)
    subject = name if origin is None else f"{name} {origin!r}"
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - parsing the port is the check
    except ValueError:
        parts = None
    if parts is None:
        raise ValueError(f"{subject} does not have a valid host and port.")
    bad = _SPACE_OR_CONTROL.search(url)
    if bad:
        raise ValueError(
            f"{subject} contains a space or a control character, {bad.group()!r} at position "
            f"{bad.start() + 1}."
        )
    if "@" in parts.netloc:
        raise ValueError(f"{subject} must not contain user information (a name before '@').")
    if not parts.hostname:
        raise ValueError(f"{subject} is not an absolute URL with a host, such as https://host.")
    if parts.scheme == "http" and not _is_loopback(parts.hostname):
        raise ValueError(f"{subject} uses plain http, allowed only for loopback hosts; use https.")
    if parts.scheme not in ("http", "https"):
        raise ValueError(f"{subject} must use https.")
    if parts.query or parts.fragment:
        raise ValueError(f"{subject} must not have a query or a fragment.")
    return url.rstrip("/")
