"""Rows of the outbox as values: an entry's public view and a worker's claim on one."""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import Enum
from typing import Any

from harness.mail import Mail

__all__ = ["MARKER_DOMAIN", "Claim", "EntryState", "OutboxEntry", "Submission", "marker_for"]

MARKER_DOMAIN = "outbox.ncp-toolkit"
"""The domain of the ``References`` header the outbox gives each mail it sends."""


def marker_for(entry_id: str) -> str:
    """The ``referencesHeader`` that marks every send of entry ``entry_id``."""
    return f"<{entry_id}@{MARKER_DOMAIN}>"


class EntryState(str, Enum):
    """Where an entry is: ``pending`` → ``sending`` → ``sent`` | ``failed`` | ``unknown``.

    ``unknown`` means an attempt may have reached NCloud; a worker looks it up before it
    decides between ``sent`` and another attempt.
    """

    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    UNKNOWN = "unknown"

    @property
    def final(self) -> bool:
        """Whether no worker moves the entry on: ``sent`` or ``failed``.

        Two changes still happen, neither of them by a worker's own decision: a ``failed``
        entry goes back to ``pending`` when the same mail is submitted again (to ``unknown``,
        to be looked up first, when it failed because lookups could not tell whether its
        last attempt went out), and a ``sent``
        entry whose request id a lookup had taken goes back to ``unknown`` when NCloud's own
        answer to another entry's send names that request (the lookup was wrong, so the
        entry's outcome is checked again).
        """
        return self in (EntryState.SENT, EntryState.FAILED)


@dataclass(frozen=True)
class OutboxEntry:
    """One mail in the outbox: its state, the NCloud request id once sent, the last error.

    Times are epoch seconds. ``not_before`` is when a pending or unknown entry is next due.
    """

    id: str
    state: EntryState
    attempts: int
    request_id: str | None
    last_error: str | None
    idempotency_key: str
    created_at: float
    updated_at: float
    not_before: float
    mail_json: str

    @property
    def mail(self) -> Mail:
        """The stored mail (as validated at submit, default sender filled in)."""
        return mail_from_json(self.mail_json)

    def to_public(self) -> dict[str, Any]:
        """The entry as JSON-ready data, without the mail itself."""
        return {
            "id": self.id,
            "status": self.state.value,
            "request_id": self.request_id,
            "error": self.last_error,
            "attempts": self.attempts,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
        }


@dataclass(frozen=True)
class Claim:
    """A worker's hold on one entry in ``sending``.

    ``in_doubt_since`` is set when an earlier attempt may have reached NCloud (epoch seconds
    of its start); such a claim is settled by a lookup before anything is sent.
    ``doubt_until`` is when that attempt ended (``None`` when its worker stopped during it),
    ``lookups`` how many lookups of it were inconclusive so far, and ``marked`` whether it
    carried the entry's marker (attempts made by releases without markers did not).
    """

    id: str
    owner: str
    mail_json: str
    attempts: int
    in_doubt_since: float | None
    last_error: str | None
    marked: bool = True
    lookups: int = 0
    doubt_until: float | None = None

    @property
    def mail(self) -> Mail:
        """The mail to deliver, marked with this entry's ``referencesHeader``.

        A mail whose caller set no ``referencesHeader`` gets :func:`marker_for` its entry id:
        NCloud stores it with the request, so a lookup can tell this entry's sends from any
        other mail, however alike. A header the caller set is kept as it is.
        """
        mail = mail_from_json(self.mail_json)
        if mail.references_header is None:
            mail = mail.model_copy(update={"references_header": marker_for(self.id)})
        return mail

    @property
    def lookup_mail(self) -> Mail:
        """The mail as the attempt in doubt sent it: :attr:`mail`, or the stored mail unmarked."""
        return self.mail if self.marked else mail_from_json(self.mail_json)

    @property
    def by_marker(self) -> bool:
        """Whether the lookup recognises this entry's requests by its marker alone."""
        return self.marked and mail_from_json(self.mail_json).references_header is None


@dataclass(frozen=True)
class Submission:
    """What a submit did: ``outcome`` is ``"new"`` (a new entry), ``"requeued"`` (a failed
    entry queued again) or ``"existing"`` (an entry already holds this mail; nothing changed).
    """

    entry: OutboxEntry
    outcome: str

    @property
    def queued(self) -> bool:
        """Whether this submit queued the mail (a new entry or a failed one queued again)."""
        return self.outcome != "existing"


def mail_from_json(text: str) -> Mail:
    """Rebuild a stored mail."""
    return Mail(**json.loads(text))
