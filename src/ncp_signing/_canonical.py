"""The request target that NCloud's official Go SDK signs for a URL.

The Go SDK hands its signer the full URL and signs ``url.Parse(url).RequestURI()``. The rule,
pinned by the edge vectors in ``harness/conformance/vectors/signature-v2-edge.json``:

* scheme, host and ``#fragment`` are dropped; an empty path becomes ``/``;
* a path that is already a valid percent-encoding is kept byte for byte; any other path is
  decoded and re-escaped as a whole, with uppercase hex;
* whenever the URL has a ``?``, the ``?`` and the raw query follow, never decoded or sorted.
"""

from __future__ import annotations

import re

from ncp_signing._validate import require_str, shown
from ncp_signing.exc import InvalidTargetError

__all__ = ["canonical_uri", "check_wire_target"]

# C0 controls, DEL and C1 controls (Go refuses only the first two; U+0085 is a line break to
# many readers of logs and headers, so none of them is signed).
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")
# What Go's validEncoded accepts in a path as already escaped.
_VALID_ENCODED = re.compile(r"[A-Za-z0-9\-_.~$&+,/:;=@!'()*\[\]%]*")
_BAD_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")
_PERCENT_ESCAPE = re.compile(r"%([0-9A-Fa-f]{2})")
# The common case in one match: an origin (or none, but then no '//authority'), a path with
# nothing to escape, and a query of printable ASCII without '#'; group 1 is the target. The
# classes are ASCII bitmaps and the optional parts alternations, the cheapest forms for re;
# any other URL (non-ASCII query, fragment, escapes) takes the general rule.
_SIMPLE = re.compile(
    r"(?:[A-Za-z][A-Za-z0-9+.\-]*://[A-Za-z0-9\-._~!$&'()*+,;=]*(?::[0-9]*|)|(?!//))"
    r"(/[A-Za-z0-9\-_.~$&+,/:;=@!'()*\[\]]*(?:\?[ !\"$-~]*|))"
)
# An origin-form target of printable ASCII without a space: sent and signed as it is.
_SIMPLE_WIRE = re.compile(r"/[!-~]*")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
# Go's parseAuthority: userinfo, then a host (or [IPv6]) and an optional numeric port.
_USERINFO = re.compile(r"[A-Za-z0-9\-._~!$&'()*+,;=:%]*")
_HOST_BAD = re.compile(r"[\x00-\x20\"<>\\^`{|}/?#@]")
_PORT = re.compile(r":[0-9]*")
# The password of ``scheme://user:password@host``, hidden in messages as Go's URL.Redacted does.
_PASSWORD = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*://[^/?#@:]*:)[^/?#]*(?=@)")
# Bytes Go's escape(_, encodePath) leaves alone; every other byte becomes %XX.
_PATH_SAFE = frozenset(
    b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.~$&+,/:;=@"
)
_ESCAPED_BYTE = tuple(chr(b) if b in _PATH_SAFE else f"%{b:02X}" for b in range(256))


def canonical_uri(url_or_target: str) -> str:
    """Return the request target to sign for a full URL or an origin-form target.

    ``canonical_uri("https://mail.apigw.ntruss.com/api/v1/mails?page=0#top")`` is
    ``"/api/v1/mails?page=0"``. Raises :class:`~ncp_signing.exc.InvalidTargetError` for a
    control character or a lone surrogate anywhere, an invalid ``%`` escape in the path or
    fragment, a bad host or port, or a relative path. Three inputs Go accepts are refused: a
    C1 control character (U+0080 to U+009F, such as U+0085, a line break to many readers), a
    scheme followed by neither ``//`` nor ``/`` (an opaque URL such as ``mailto:x``), and a
    relative path; ``*`` alone is kept, as Go keeps it.
    """
    url = url_or_target if type(url_or_target) is str else require_str("url", url_or_target)
    simple = _SIMPLE.fullmatch(url)
    return _general_target(url) if simple is None else url[simple.start(1) :]


def _general_target(url: str) -> str:
    """Return the target of a URL the one-match common case does not cover."""
    _check_text(url, "URL")
    rest, _, fragment = url.partition("#")
    _check_escapes(fragment, url, "fragment")
    path, question, query = rest.partition("?")
    path = _strip_origin(path, url)
    return _escaped_path(path, url) + question + query


def _check_text(url: str, what: str) -> None:
    """Refuse control characters and text that cannot be sent as UTF-8."""
    control = _CONTROL.search(url)
    if control is not None:
        raise InvalidTargetError(
            f"The {what} {shown_url(url)} contains the control character {control.group()!r} "
            f"at index {control.start()}."
        )
    surrogate = _SURROGATE.search(url)
    if surrogate is not None:
        raise InvalidTargetError(
            f"The {what} {shown_url(url)} is not valid UTF-8 text: it has a lone surrogate "
            f"at index {surrogate.start()}."
        )


def shown_url(url: str) -> str:
    """Return the URL for a message, shortened, with any password in it replaced by ``xxxxx``."""
    return shown(_PASSWORD.sub(r"\1xxxxx", url, count=1))


def _check_escapes(part: str, url: str, where: str) -> None:
    bad = _BAD_ESCAPE.search(part)
    if bad is not None:
        escape = part[bad.start() : bad.start() + 3]
        raise InvalidTargetError(
            f"The URL {shown_url(url)} has an invalid escape {escape!r} in its {where}."
        )


def check_wire_target(target: str) -> str:
    """Return an origin-form request target unchanged if it can be sent and signed as it is."""
    if type(target) is str and _SIMPLE_WIRE.fullmatch(target) is not None:
        return target
    return _check_wire(require_str("target", target))


def _check_wire(target: str) -> str:
    _check_text(target, "target")
    if not target.startswith("/") or " " in target:
        raise InvalidTargetError(
            f"The target {shown_url(target)} is not an origin-form request target."
        )
    return target


def _strip_origin(path: str, url: str) -> str:
    """Drop ``scheme:`` and ``//authority`` from the part of the URL before the query."""
    scheme = _SCHEME.match(path)
    if scheme is not None:
        path = path[scheme.end() :]
        if not path.startswith("/"):
            raise InvalidTargetError(
                f"The URL {shown_url(url)} has no '//' authority or absolute path after its scheme."
            )
    if path.startswith("//") and (scheme is not None or not path.startswith("///")):
        slash = path.find("/", 2)
        _check_authority(path[2:] if slash < 0 else path[2:slash], url)
        return "" if slash < 0 else path[slash:]
    if path.startswith(":"):
        raise InvalidTargetError(f"The URL {shown_url(url)} is missing its scheme before ':'.")
    if path and not path.startswith("/") and path != "*":
        raise InvalidTargetError(
            f"The target {shown_url(url)} is relative; give a full URL or a path starting with '/'."
        )
    return path


def _check_authority(authority: str, url: str) -> None:
    """Refuse what Go's URL parser refuses in ``user@host:port``: bad characters, escapes, port."""
    userinfo, at, hostport = authority.rpartition("@")
    if at and _USERINFO.fullmatch(userinfo) is None:
        raise InvalidTargetError(f"The URL {shown_url(url)} has an invalid user name or password.")
    _check_escapes(userinfo, url, "user name or password")
    _check_escapes(hostport, url, "host")
    if hostport.startswith("["):
        host, bracket, port = hostport.partition("]")
        if not bracket:
            raise InvalidTargetError(f"The URL {shown_url(url)} has an unclosed '[' in its host.")
    else:
        colon = hostport.rfind(":")
        host, port = (hostport, "") if colon < 0 else (hostport[:colon], hostport[colon:])
        bad = _HOST_BAD.search(host)
        if bad is not None:
            raise InvalidTargetError(
                f"The URL {shown_url(url)} has the character {bad.group()!r} in its host name."
            )
    if port and _PORT.fullmatch(port) is None:
        raise InvalidTargetError(f"The URL {shown_url(url)} has an invalid port {port[1:]!r}.")


def _escaped_path(path: str, url: str) -> str:
    """Return the path as Go's ``URL.EscapedPath`` does, or ``/`` when it is empty."""
    _check_escapes(path, url, "path")
    if not path:
        return "/"
    if _VALID_ENCODED.fullmatch(path) is not None:
        return path
    return "".join(_ESCAPED_BYTE[b] for b in _unescape(path))


def _unescape(path: str) -> bytes:
    """Decode ``%XX`` escapes into bytes and encode everything else as UTF-8."""
    out = bytearray()
    last = 0
    for match in _PERCENT_ESCAPE.finditer(path):
        out += path[last : match.start()].encode()
        out.append(int(match.group(1), 16))
        last = match.end()
    out += path[last:].encode()
    return bytes(out)
