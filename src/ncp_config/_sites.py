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
_AUTHORITY_END = re.compile(r"[/?#]")
# A host, an IPv6 address in brackets or a name without ":", then an optional port of digits.
_HOST_PORT = re.compile(r"(?:\[[^\]]*\]|[^:\[\]]*)(?::[0-9]*)?")


def api_gw_url_for(site: str) -> str:
    """Return the generic API Gateway base URL of a site."""
    return _API_GW[site]


def mail_api_url_for(site: str, region: str) -> str:
    """Return the Cloud Outbound Mailer base URL of a site and region, without a trailing slash."""
    return _MAIL_HOST[site] + _MAIL_PATH[region]


def _is_ip_address(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def is_loopback(host: str) -> bool:
    """Whether ``host`` names only this machine: ``localhost``, 127.0.0.0/8 or ``::1``.

    A bracketed IPv6 literal (``[::1]``, as written in a URL) is read without its brackets.
    """
    if host.lower() in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def shown_origin(url: str) -> str | None:
    """Return ``scheme://host[:port]`` of ``url`` for an error message, or ``None``.

    Nothing else is ever shown: not user information (a password), not the path, query or
    fragment, where a pasted secret would end up. The port is what follows the first ``:`` after
    the host (after the ``]`` of an IPv6 address), kept only if it is all digits, valid or not;
    anything else there may be part of a password, so it is dropped. ``None`` when ``url`` has no
    ``scheme://`` or no host, and when an ``@`` comes after the authority, since a password
    holding a ``/``, ``?`` or ``#`` would end the authority early and pass for a host or a port.
    """
    scheme, separator, rest = url.strip().partition("://")
    if not separator or not _SCHEME.fullmatch(scheme):
        return None
    authority, *tail = _AUTHORITY_END.split(rest, maxsplit=1)
    if tail and "@" in tail[0]:
        return None
    authority = authority.rpartition("@")[2]
    if authority.startswith("["):
        address, bracket, after = authority[1:].partition("]")
        if not bracket:
            # Unclosed: shown only if it is an address, so no other text rides along.
            return f"{scheme}://[{address}" if _is_ip_address(address) else None
        host = f"[{address}]"
        port = after[1:] if after.startswith(":") else ""
    else:
        host, _, port = authority.partition(":")
    if not host:
        return None
    if port.isascii() and port.isdigit():
        return f"{scheme}://{host}:{port}"
    return f"{scheme}://{host}"


def check_base_url(name: str, url: str) -> str:
    """Return ``url`` without a trailing slash if it is a usable base URL, else raise ValueError.

    ``name`` is what the message calls the setting, such as ``api_gw_url``. Plain http is
    allowed only for loopback hosts (``localhost``, ``127.0.0.0/8``, ``::1``), so a local fake
    server works while a typo can never send signed requests in clear text over a network. A
    space or a control character anywhere is refused too, and so is user information, which
    would be a password in the URL: any ``@``, even after a ``/``, which a password may hold.
    A message shows only ``scheme://host[:port]`` (see :func:`shown_origin`), and a bad
    character by its position and escaped form.
    """
    url = url.strip()
    origin = shown_origin(url)
    subject = name if origin is None else f"{name} {origin!r}"
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - parsing the port is the check
    except ValueError:
        parts = None
    if parts is not None and not _HOST_PORT.fullmatch(parts.netloc.rpartition("@")[2]):
        parts = None  # such as "[::1]text:443", which urlsplit reads as host ::1, port 443
    if parts is None:
        raise ValueError(f"{subject} does not have a valid host and port.")
    bad = _SPACE_OR_CONTROL.search(url)
    if bad:
        raise ValueError(
            f"{subject} contains a space or a control character, {bad.group()!r} at position "
            f"{bad.start() + 1}."
        )
    if "@" in url:
        # Anywhere: a password holding "/", "?" or "#" ends the host early, leaving "@" later.
        raise ValueError(f"{subject} must not contain user information (a name before '@').")
    if not parts.hostname:
        raise ValueError(f"{subject} is not an absolute URL with a host, such as https://host.")
    if parts.scheme == "http" and not is_loopback(parts.hostname):
        raise ValueError(f"{subject} uses plain http, allowed only for loopback hosts; use https.")
    if parts.scheme not in ("http", "https"):
        raise ValueError(f"{subject} must use https.")
    if parts.query or parts.fragment:
        raise ValueError(f"{subject} must not have a query or a fragment.")
    return url.rstrip("/")
