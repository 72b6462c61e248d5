"""Attachments as :meth:`MailClient.upload <harness.mail.MailClient.upload>` takes them.

A file is a path or a ``(name, content)`` pair; each becomes the backend's
:data:`~harness.mail.FileTuple` with a media type guessed from its name. A file larger than
``LIMITS["file_bytes"]`` (10 MB) raises :class:`~harness.mail.MailLimitError` before
anything is sent, and a path is refused by its size before a byte of it is read.
"""

from __future__ import annotations

import mimetypes
import os
from collections.abc import Iterable
from pathlib import Path

from harness.mail._backend import FileTuple
from harness.mail._checks import LIMITS
from harness.mail._errors import MailLimitError, MailValidationError

__all__ = ["UploadSource", "file_parts"]

UploadSource = str | os.PathLike[str] | tuple[str, bytes]
"""A file to upload: a path, or a name and its content."""


def file_parts(files: Iterable[UploadSource]) -> list[FileTuple]:
    """The files as upload parts, in order; at least one, none above the size limit.

    Raises:
        MailValidationError: no file was given.
        MailLimitError: a file is larger than ``LIMITS["file_bytes"]``.
    """
    parts = [_file_part(item, index) for index, item in enumerate(files)]
    if not parts:
        raise MailValidationError("files", "at least one file is required")
    return parts


def _file_part(item: UploadSource, index: int) -> FileTuple:
    limit = LIMITS["file_bytes"]
    if isinstance(item, tuple):
        name, content = item
    else:
        path = Path(item)
        name = path.name
        if path.stat().st_size > limit:  # refused before a byte of it is read
            raise _too_large(name, index)
        content = path.read_bytes()
    if len(content) > limit:
        raise _too_large(name, index)
    media_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    return name, bytes(content), media_type


def _too_large(name: str, index: int) -> MailLimitError:
    limit = LIMITS["file_bytes"]
    return MailLimitError(f"files[{index}]", f"{name!r} is larger than {limit} bytes", limit=limit)
