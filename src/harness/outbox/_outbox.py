"""``Outbox``: a durable queue of mail on SQLite that answers ``submit`` in milliseconds.

The outbox only stores and hands out rows; workers (:func:`harness.outbox.drain_once`) do the
sending. Every state change is one short write transaction. This module submits and reads;
the workers' side (claims, what settles them, recovery) is inherited from
:class:`~harness.outbox._claims.Claims`, where every change a worker makes is conditional on
its claim.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
import unicodedata
import uuid
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from types import TracebackType
from typing import Any

from harness._log import logger
from harness.mail import Mail, MailValidationError
from harness.outbox._claims import Claims
from harness.outbox._db import Database, Synchronous
from harness.outbox._entry import EntryState, OutboxEntry, Submission
from harness.outbox._errors import EntryNotFoundError, IdempotencyConflictError

__all__ = ["DEFAULT_DEDUPE_WINDOW", "Outbox", "canonical_json"]


DEFAULT_DEDUPE_WINDOW = 24 * 3600.0
"""Seconds during which a mail submitted without a key is taken to be the same mail again."""

_MAX_KEY = 255
_ENTRY_COLUMNS = (
    "id, state, attempts, request_id, last_error, idempotency_key, created_at, updated_at, "
    "not_before, mail_json"
)


def canonical_json(mail: Mail) -> str:
    """The mail's request body as canonical JSON: sorted keys, no spaces, unset fields left out."""
    return json.dumps(mail.to_request(), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _digest(mail: Mail) -> str:
    return hashlib.sha256(canonical_json(mail).encode("utf-8")).hexdigest()


class Outbox(Claims):
    """A durable outbox in the SQLite file at ``path`` (WAL mode, a busy timeout).

    Several :class:`Outbox` objects, in one process or several, may share one file.
    ``sender_address`` and ``sender_name`` fill in a mail's sender when it has none, as the
    mail client would, so what is stored is exactly what will be sent. ``clock`` gives epoch
    seconds. ``synchronous`` is SQLite's durability setting: ``NORMAL`` (the default, in WAL
    mode) keeps every committed submit through a crash of the process; ``FULL`` also keeps
    it through a power cut or an operating system crash, at the cost of a sync per write.
    ``dedupe_window`` is how many seconds a mail submitted without a key matches an earlier
    entry with the same content (see :meth:`submit`). A file that cannot serve as the
    outbox (its folder is missing, it is not a database), or an SQLite older than 3.35.0, raises
    :class:`~harness.outbox.OutboxFileError`.
    """

    def __init__(
        self,
        path: str | Path,
        *,
        sender_address: str | None = None,
        sender_name: str | None = None,
        busy_timeout: float = 10.0,
        synchronous: Synchronous = "NORMAL",
        clock: Callable[[], float] = time.time,
        dedupe_window: float = DEFAULT_DEDUPE_WINDOW,
    ) -> None:
        if dedupe_window < 0:
            raise ValueError(f"dedupe_window must not be negative, not {dedupe_window}.")
        self.path = Path(path)
        self.dedupe_window = dedupe_window
        self.sender_address = sender_address
        self.sender_name = sender_name
        self.clock = clock
        self._db = Database(path, busy_timeout=busy_timeout, synchronous=synchronous)
        self._work = threading.Condition()
        self._next_recovery = 0.0

    def __repr__(self) -> str:
        return f"Outbox({str(self.path)!r})"

    def __enter__(self) -> Outbox:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the database connection and wake any waiting worker."""
        self.wake()
        self._db.close()

    # Submitting ----------------------------------------------------------------------------

    def prepare(self, mail: Mail | Mapping[str, Any]) -> Mail:
        """Validate ``mail`` and fill in the default sender; raise ``MailValidationError``."""
        if not isinstance(mail, Mail):
            if not isinstance(mail, Mapping):
                raise MailValidationError("mail", "must be a JSON object")
            mail = Mail(**mail)
        mail = mail.with_sender(self.sender_address, self.sender_name)
        if mail.template_sid is None and mail.sender_address is None:
            raise MailValidationError(
                "senderAddress", "is required unless templateSid is set or a default is configured"
            )
        return mail

    def derived_key(self, mail: Mail | Mapping[str, Any]) -> str:
        """The idempotency key :meth:`submit` gives ``mail`` when the caller gives none.

        It is a hash of the mail's canonical JSON after :meth:`prepare` (the default sender
        filled in), so it is exactly the key the entry is stored under.
        """
        return "sha256:" + _digest(self.prepare(mail))

    def submit(self, mail: Mail | Mapping[str, Any], *, idempotency_key: str | None = None) -> str:
        """Store ``mail`` as ``pending`` and return its id; nothing is sent here.

        See :meth:`accept`, which also says what became of a resubmission.

        Raises:
            MailValidationError: the mail breaks a documented rule (fields named by path),
                or the key is not 1 to 255 characters, is blank or holds control characters
                (field ``idempotencyKey``).
            IdempotencyConflictError: the key already belongs to a different mail.
        """
        return self.accept(mail, idempotency_key=idempotency_key).entry.id

    def accept(
        self, mail: Mail | Mapping[str, Any], *, idempotency_key: str | None = None
    ) -> Submission:
        """Store ``mail`` as ``pending``, or find the entry that already holds it.

        Submitting the same mail again under the same ``idempotency_key`` returns the first
        entry (outcome ``"existing"``), whatever its state. Without a key, the key is
        :meth:`derived_key`, and it matches an earlier entry created within
        ``dedupe_window`` seconds, or one not yet sent or failed; after that the same content
        makes a new entry, so it can be sent again later. A resubmission that finds a
        ``failed`` entry queues it again (outcome ``"requeued"``), since sending it is what
        the caller asks for: as ``pending`` when it was never sent, or as ``unknown`` when it
        failed because lookups could not tell whether its last attempt went out, so that a
        worker looks that attempt up before sending anything (such an entry is never
        replaced by a new one, whatever ``dedupe_window`` says).

        Raises:
            MailValidationError: the mail breaks a documented rule (fields named by path),
                or the key is not 1 to 255 characters, is blank or holds control characters
                (field ``idempotencyKey``).
            IdempotencyConflictError: the key already belongs to a different mail.
        """
        prepared = self.prepare(mail)
        body = canonical_json(prepared)
        digest = hashlib.sha256(body.encode("utf-8")).hexdigest()
        if idempotency_key is not None:
            _check_key(idempotency_key)
        key = idempotency_key if idempotency_key is not None else "sha256:" + digest
        derived = key == "sha256:" + digest
        now = self.clock()
        with self._db.write() as conn:
            row = conn.execute(
                "SELECT id, mail_hash, state, created_at, in_doubt_since FROM outbox "
                "WHERE idempotency_key = ?",
                (key,),
            ).fetchone()
            outcome = "new"
            if row is not None:
                if row["mail_hash"] != digest:
                    raise IdempotencyConflictError(key, row["id"])
                # an entry that failed in doubt may have been sent: never a new entry
                known = row["state"] == EntryState.SENT.value or (
                    row["state"] == EntryState.FAILED.value and row["in_doubt_since"] is None
                )
                if derived and known and row["created_at"] < now - self.dedupe_window:
                    # out of the window: the old entry keeps its history under a retired key
                    conn.execute(
                        "UPDATE outbox SET idempotency_key = idempotency_key || '#' || id "
                        "WHERE id = ?",
                        (row["id"],),
                    )
                    row = None
                elif row["state"] == EntryState.FAILED.value:
                    requeue = _REQUEUE if row["in_doubt_since"] is None else _REQUEUE_IN_DOUBT
                    conn.execute(requeue, (now, now, row["id"]))
                    outcome = "requeued"
                else:
                    outcome = "existing"
            if row is None:
                entry_id = uuid.uuid4().hex
                conn.execute(
                    "INSERT INTO outbox (id, idempotency_key, mail_hash, mail_json, state, "
                    "not_before, created_at, updated_at) VALUES (?, ?, ?, ?, 'pending', ?, ?, ?)",
                    (entry_id, key, digest, body, now, now, now),
                )
            else:
                entry_id = str(row["id"])
            entry = _entry(
                conn.execute(
                    f"SELECT {_ENTRY_COLUMNS} FROM outbox WHERE id = ?",  # noqa: S608 (constant columns)
                    (entry_id,),
                ).fetchone()
            )
        if outcome == "requeued":
            logger.info("Outbox entry %s had failed and is queued again", entry_id)
        if outcome != "existing":
            self.wake()
        return Submission(entry, outcome)

    # Reading -------------------------------------------------------------------------------

    def get(self, entry_id: str) -> OutboxEntry:
        """The entry with this id; raise :class:`EntryNotFoundError` if there is none."""
        with self._db.read() as conn:
            row = conn.execute(
                f"SELECT {_ENTRY_COLUMNS} FROM outbox WHERE id = ?",  # noqa: S608 (constant columns)
                (entry_id,),
            ).fetchone()
        if row is None:
            raise EntryNotFoundError(entry_id)
        return _entry(row)

    def entries(self, states: Iterable[EntryState | str] = ()) -> list[OutboxEntry]:
        """Every entry (in submit order), or those in the given states."""
        wanted = [EntryState(s).value for s in states]
        query = f"SELECT {_ENTRY_COLUMNS} FROM outbox"  # noqa: S608 (constant columns)
        if wanted:
            query += f" WHERE state IN ({', '.join('?' for _ in wanted)})"
        with self._db.read() as conn:
            rows = conn.execute(query + " ORDER BY seq", wanted).fetchall()
        return [_entry(row) for row in rows]

    def counts(self) -> dict[str, int]:
        """How many entries are in each state (every state present, zero when empty)."""
        with self._db.read() as conn:
            rows = conn.execute("SELECT state, COUNT(*) FROM outbox GROUP BY state").fetchall()
        found = {str(state): int(count) for state, count in rows}
        return {state.value: found.get(state.value, 0) for state in EntryState}

    def is_known_request(self, request_id: str) -> bool:
        """Whether some entry already records this NCloud request id."""
        with self._db.read() as conn:
            row = conn.execute(
                "SELECT 1 FROM outbox WHERE request_id = ? LIMIT 1", (request_id,)
            ).fetchone()
        return row is not None


_REQUEUE = (
    "UPDATE outbox SET state = 'pending', attempts = 0, lookups = 0, marked = 1, "
    "doubt_until = NULL, not_before = ?, owner = NULL, "
    "claimed_at = NULL, in_doubt_since = NULL, checking = 0, last_error = NULL, updated_at = ? "
    "WHERE id = ? AND state = 'failed' AND in_doubt_since IS NULL"
)
_REQUEUE_IN_DOUBT = (
    # Its last attempt may have gone out: a worker looks it up before any new attempt. The
    # attempt in doubt stays counted, and it keeps its times and whether it was marked.
    "UPDATE outbox SET state = 'unknown', attempts = MIN(attempts, 1), lookups = 0, "
    "not_before = ?, owner = NULL, claimed_at = NULL, checking = 0, updated_at = ?, "
    "last_error = 'submitted again; whether its earlier attempt was sent is looked up first' "
    "WHERE id = ? AND state = 'failed' AND in_doubt_since IS NOT NULL"
)


def _check_key(key: object) -> None:
    """Refuse an idempotency key that is not 1 to 255 printable characters, not all blank."""
    if not isinstance(key, str):
        raise MailValidationError("idempotencyKey", f"must be a string, not {type(key).__name__}")
    if not 1 <= len(key) <= _MAX_KEY:
        raise MailValidationError(
            "idempotencyKey", f"must be 1 to {_MAX_KEY} characters long, not {len(key)}"
        )
    if not key.strip():
        raise MailValidationError("idempotencyKey", "must not be blank")
    if any(unicodedata.category(char) == "Cc" for char in key):
        raise MailValidationError("idempotencyKey", "must not contain control characters")


def _entry(row: Any) -> OutboxEntry:
    return OutboxEntry(
        id=row["id"],
        state=EntryState(row["state"]),
        attempts=int(row["attempts"]),
        request_id=row["request_id"],
        last_error=row["last_error"],
        idempotency_key=row["idempotency_key"],
        created_at=float(row["created_at"]),
        updated_at=float(row["updated_at"]),
        not_before=float(row["not_before"]),
        mail_json=row["mail_json"],
    )
