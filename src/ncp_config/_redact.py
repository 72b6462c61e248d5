"""Masking for display and redaction for logs, so a secret never reaches a screen or a log file.

Masking works on values we know are secrets. Redaction works on free text: every secret that
settings have loaded is registered here, and a logging filter replaces each occurrence, plus
the value of any ``x-ncp-apigw-signature-v1``/``-v2`` header, in every record it sees.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import traceback

__all__ = [
    "LOGGER_NAMES",
    "REDACTED",
    "RedactingFilter",
    "install_log_redaction",
    "mask",
    "redact",
    "register_secret",
    "secret_forms",
]

REDACTED = "********"
LOGGER_NAMES = ("ncp_signing", "ncp_config", "harness", "pydantic_settings")
# Shorter values would turn ordinary words in log lines into asterisks.
_MIN_SECRET_LENGTH = 6
_ACCESS_PREFIX = 4
# The header name (also as WSGI and CGI spell it, HTTP_X_NCP_APIGW_SIGNATURE_V2), then whatever
# separates it from its value in the forms logs show it in: "name: value" (HTTP), name=value,
# {'name': 'value'} and {"name": "value"} (dict reprs), {'name': ['value']} (multi-value header
# dicts), and ('name', 'value') or (b'name', b'value') (header lists of tuples, as httpx keeps).
_SIGNATURE = re.compile(
    r"(x[-_]ncp[-_]apigw[-_]signature[-_]v[12]['\"]?\s*[:=,]\s*\[?\s*b?['\"]?)"
    r"([A-Za-z0-9+/=_-]+)",
    re.IGNORECASE,
)
# What every LogRecord has; any other attribute came from ``extra=`` and is redacted as well.
_RECORD_ATTRIBUTES = frozenset(
    {*vars(logging.LogRecord("", 0, "", 0, "", None, None)), "message", "asctime", "taskName"}
)

_lock = threading.Lock()
_secrets: set[str] = set()
_forms: set[str] = set()
_ordered: tuple[str, ...] = ()


def mask(value: str | None, *, secret: bool) -> str:
    """Return a value fit for display: a short prefix of an access key, nothing of a secret.

    A secret always gives the same fixed mask, so not even its length is shown; an access key
    shorter than twelve characters is masked whole, since its prefix would be most of it.
    """
    if value is None or value == "":
        return "<not set>"
    if secret or len(value) < 3 * _ACCESS_PREFIX:
        return REDACTED
    return value[:_ACCESS_PREFIX] + REDACTED


def secret_forms(value: str) -> set[str]:
    """Return ``value`` and the escaped forms it takes inside a ``repr`` or a JSON string.

    A secret with a quote, a backslash, a non-printable or a non-ASCII character does not
    appear literally in ``repr(["secret"])`` or ``json.dumps(...)``; matching these forms too
    keeps such text from showing it escaped.
    """
    forms = {
        value,
        repr(value)[1:-1],
        ascii(value)[1:-1],
        json.dumps(value)[1:-1],
        json.dumps(value, ensure_ascii=False)[1:-1],
    }
    return {form for form in forms if form}


def register_secret(value: str) -> None:
    """Remember a secret so that :func:`redact` and the logging filter remove it from text.

    Values shorter than six characters are ignored, since they would turn ordinary words into
    asterisks; such a secret is not redacted from free text.
    """
    global _ordered
    if len(value) < _MIN_SECRET_LENGTH:
        return
    with _lock:
        if value in _secrets:
            return
        _secrets.add(value)
        _forms.update(secret_forms(value))
        _ordered = tuple(sorted(_forms, key=len, reverse=True))


def redact(text: str) -> str:
    """Return ``text`` with every registered secret and signature header value replaced."""
    for value in _ordered:
        if value in text:
            text = text.replace(value, REDACTED)
    return _SIGNATURE.sub(lambda match: match.group(1) + REDACTED, text)


class RedactingFilter(logging.Filter):
    """A logging filter that redacts secrets from a record's message, arguments, traceback, extras.

    The record is rendered once and its arguments dropped, so a secret hidden inside an
    argument's ``repr`` is caught as well. An attribute added with ``extra=`` is kept as it is
    unless its text holds a secret or a signature, in which case it becomes that text, redacted,
    since formatters (JSON ones especially) print such attributes too.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string; logging reports it, never with our help
            message = str(record.msg)
        record.msg = redact(message)
        record.args = None
        if record.exc_info and record.exc_info[1] is not None:
            text = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
            record.exc_text = redact(text)
            record.exc_info = None
        elif record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        for name, value in list(vars(record).items()):
            if name not in _RECORD_ATTRIBUTES:
                record.__dict__[name] = _redacted_extra(value)
        return True


def _redacted_extra(value: object) -> object:
    """Return ``value`` itself if its text shows nothing secret, else that text redacted."""
    if value is None or isinstance(value, (bool, int, float)):
        return value
    try:
        text = value if isinstance(value, str) else str(value)
    except Exception:  # an object that cannot be shown is not shown
        return REDACTED
    redacted = redact(text)
    return value if redacted == text else redacted


_filter = RedactingFilter()


def install_log_redaction(*names: str) -> None:
    """Attach the redacting filter to the named loggers (default: the project's loggers).

    A logger's filters see only records created on that logger, not on its children, so a
    module logger such as ``harness.sender`` needs its own call.
    """
    for name in names or LOGGER_NAMES:
        logger = logging.getLogger(name)
        if _filter not in logger.filters:
            logger.addFilter(_filter)
