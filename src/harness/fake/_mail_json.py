"""The createMailRequest body as strict JSON, and the error every mailer rule raises.

Each rule failure raises :class:`MailerRequestError` whose message starts with the JSON path
of the offending field (``recipients[3].address: ...``).
"""

from __future__ import annotations

import json
import re
from typing import Any

__all__ = ["MAX_JSON_DEPTH", "MailerRequestError", "decode_mail_body"]

MAX_JSON_DEPTH = 64
"""The deepest nesting of arrays and objects accepted in a request body (a mail needs four)."""


class MailerRequestError(ValueError):
    """A request the mailer answers with 400 and code 77102; the message names the field."""

    http_status = 400
    code = "77102"

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field}: {problem}")
        self.field = field


def decode_mail_body(raw: bytes) -> Any:
    """Decode a createMailRequest body as strict JSON; raise :class:`MailerRequestError` if not.

    Besides malformed JSON this rejects what Python's decoder lets through but a JSON (and
    UTF-8) peer does not: ``NaN`` and ``Infinity``, text holding a lone surrogate escape such
    as ``"\\ud800"``, and nesting deeper than :data:`MAX_JSON_DEPTH`.
    """
    try:
        data = json.loads(raw, parse_constant=_reject_constant)
    except MailerRequestError:
        raise
    except RecursionError as exc:
        raise MailerRequestError("body", f"nests deeper than {MAX_JSON_DEPTH} levels") from exc
    except ValueError as exc:
        raise MailerRequestError("body", "the request body is not valid JSON") from exc
    if isinstance(data, dict | list):
        _check_tree(data, texts=_SURROGATE_ESCAPE.search(raw) is not None)
    return data


def _reject_constant(name: str) -> Any:
    raise MailerRequestError("body", f"{name} is not a JSON number")


_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")
"""How a lone surrogate gets into decoded text: valid UTF-8 bytes never hold one."""

_Path = tuple[Any, str | int] | None


def _check_tree(data: Any, *, texts: bool) -> None:
    """Walk the decoded body without recursion: bounded depth and, with ``texts``, only
    UTF-8 encodable strings. Paths are kept as cheap (parent, key) links until one is shown."""
    pending: list[tuple[Any, _Path, int]] = [(data, None, 0)]
    while pending:
        value, path, depth = pending.pop()
        if isinstance(value, str):
            _check_text(path, value)
            continue
        if depth >= MAX_JSON_DEPTH:
            top = _field(path).split(".", 1)[0].split("[", 1)[0]
            raise MailerRequestError(top, f"nests deeper than {MAX_JSON_DEPTH} levels")
        items = enumerate(value) if isinstance(value, list) else value.items()
        for key, item in items:
            if texts and isinstance(key, str):
                _check_text((path, key), key)
            if isinstance(item, dict | list) or (texts and isinstance(item, str)):
                pending.append((item, (path, key), depth + 1))


def _field(path: _Path) -> str:
    """``recipients[3].address`` for a (parent, key) chain; ``body`` for the whole body."""
    parts: list[str] = []
    while path is not None:
        path, key = path
        parts.append(f"[{key}]" if isinstance(key, int) else f".{key}")
    text = "".join(reversed(parts)).lstrip(".")
    return text.encode("utf-8", "backslashreplace").decode("ascii", "backslashreplace") or "body"


def _check_text(path: _Path, value: str) -> None:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise MailerRequestError(
            _field(path), "holds a lone surrogate, which is not UTF-8 text"
        ) from exc
