"""Whether a request that failed without an answer can have reached the server.

A send is repeated only when it provably never left: the connection could not be opened,
the URL was unusable, or the TLS handshake failed. This module reads that from the
exception ``requests`` raised and everything it wraps.
"""

from __future__ import annotations

import socket
import ssl

import requests
import urllib3.exceptions
from urllib3.util.ssl_match_hostname import CertificateError

__all__ = ["failure_reason", "request_was_sent"]


def request_was_sent(error: requests.RequestException) -> bool:
    """False only when nothing can have reached the server.

    That is: the connection could not be opened, the URL was unusable, or the TLS handshake
    failed (the certificate was refused, no common protocol, ...). Any other TLS error, such
    as a bad record while reading the answer, may have come after the request went out.
    """
    if isinstance(error, requests.ConnectTimeout):
        return False
    if isinstance(error, requests.exceptions.InvalidURL | requests.exceptions.MissingSchema):
        return False
    reason = error.args[0] if error.args else None
    if isinstance(reason, urllib3.exceptions.MaxRetryError):
        reason = reason.reason
    if isinstance(
        reason, urllib3.exceptions.NewConnectionError | urllib3.exceptions.ConnectTimeoutError
    ):
        return False
    tls = isinstance(error, requests.exceptions.SSLError) or isinstance(
        reason, urllib3.exceptions.SSLError
    )
    return not (tls and _failed_in_handshake(error))


_HOSTNAME_MISMATCH = 62  # X509_V_ERR_HOSTNAME_MISMATCH


def failure_reason(error: requests.RequestException) -> str:
    """Why a request got no answer, in plain words, from the types in ``error``'s chain.

    Only fixed phrases are used, never the wrapped exceptions' own texts, which may hold the
    full URL. Ends with the class name of ``error``, or is only that when nothing is known.
    """
    name = type(error).__name__
    chain = _chain(error)
    for item in chain:
        if isinstance(item, ssl.SSLCertVerificationError | CertificateError):
            if getattr(item, "verify_code", None) == _HOSTNAME_MISMATCH or isinstance(
                item, CertificateError
            ):
                return f"the server's TLS certificate does not match its host name ({name})"
            return (
                f"the server's TLS certificate is not trusted ({name}); if it comes from a "
                "private or self-signed CA, set REQUESTS_CA_BUNDLE to that CA's certificate file"
            )
    reasons: list[tuple[type[BaseException] | tuple[type[BaseException], ...], str]] = [
        (ConnectionRefusedError, "the connection was refused"),
        (
            (urllib3.exceptions.NameResolutionError, socket.gaierror),
            "the host name could not be resolved",
        ),
        (requests.exceptions.ProxyError, "the proxy could not be used"),
        (
            (requests.ConnectTimeout, urllib3.exceptions.ConnectTimeoutError),
            "the connection timed out",
        ),
        (requests.ReadTimeout, "no answer came in time"),
        (ConnectionResetError, "the connection was reset"),
        ((requests.exceptions.SSLError, ssl.SSLError), "the TLS connection failed"),
    ]
    for kinds, words in reasons:
        if any(isinstance(item, kinds) for item in chain):
            return f"{words} ({name})"
    return name


_HANDSHAKE_FRAMES = frozenset({"do_handshake", "_ssl_wrap_socket_and_match_hostname"})


def _failed_in_handshake(error: BaseException) -> bool:
    """Whether a TLS error comes from verifying the certificate or from the handshake.

    The certificate errors are recognised by type; other handshake failures by where the
    underlying error was raised (inside ``SSLSocket.do_handshake``, which runs when urllib3
    wraps a new connection, before any byte of the request is written).
    """
    for item in _chain(error):
        if isinstance(item, ssl.SSLCertVerificationError | CertificateError):
            return True
        if isinstance(item, ssl.SSLError) and _raised_in(item, _HANDSHAKE_FRAMES):
            return True
    return False


def _chain(error: BaseException) -> list[BaseException]:
    """``error`` and every exception it wraps: causes, contexts, arguments, ``reason``."""
    found: list[BaseException] = []
    pending: list[object] = [error]
    while pending:
        item = pending.pop()
        if not isinstance(item, BaseException) or any(item is seen for seen in found):
            continue
        found.append(item)
        pending += [item.__cause__, item.__context__, getattr(item, "reason", None), *item.args]
    return found


def _raised_in(error: BaseException, names: frozenset[str]) -> bool:
    trace = error.__traceback__
    while trace is not None:
        if trace.tb_frame.f_code.co_name in names:
            return True
        trace = trace.tb_next
    return False
