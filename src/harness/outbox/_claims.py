"""Workers' side of the outbox: claims, the decisions that settle them, and recovery.

A worker takes an entry with one conditional write (:meth:`Claims.claim`) and every later
change it makes is conditional on that claim (``owner``), so a worker whose claim was
recovered by another cannot overwrite what the other decided. :class:`~harness.outbox.Outbox`
inherits these methods; they live apart so that submitting and reading stay short.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Any

from harness._log import logger
from harness.outbox._db import Database
from harness.outbox._entry import Claim, EntryState
from harness.outbox._owner import owner_is_dead

__all__ = ["Claims"]


class Claims:
    """The claim, settle and recover methods of :class:`~harness.outbox.Outbox`.

    It needs the outbox's database, clock and work condition, set by the outbox's
    constructor.
    """

    _db: Database
    _work: threading.Condition
    _next_recovery: float
    clock: Callable[[], float]

    # Waiting for work ------------------------------------------------------------------------

    def wait_for_work(self, timeout: float) -> None:
        """Block until a submit in this process (or :meth:`wake`), or ``timeout`` seconds."""
        with self._work:
            self._work.wait(timeout)

    def wake(self) -> None:
        """Wake every thread in :meth:`wait_for_work`."""
        with self._work:
            self._work.notify_all()

    # Claims (used by workers) ------------------------------------------------------------------

    def claim(self, owner: str) -> Claim | None:
        """Take the next due ``pending`` or ``unknown`` entry for ``owner``, or return ``None``.

        Claiming a fresh entry also starts its attempt (one write, not two): from here on a
        crash leaves it in doubt, to be looked up. Claiming an entry already in doubt returns
        a claim with :attr:`Claim.in_doubt_since` set, and starts nothing.
        """
        now = self.clock()
        with self._db.write() as conn:
            # In SET, every column reads the row as it was before this UPDATE.
            row = conn.execute(
                "UPDATE outbox SET state = 'sending', owner = ?, claimed_at = ?, updated_at = ?, "
                "checking = (in_doubt_since IS NOT NULL), "
                "attempts = attempts + (in_doubt_since IS NULL), "
                "marked = CASE WHEN in_doubt_since IS NULL THEN 1 ELSE marked END, "
                "lookups = CASE WHEN in_doubt_since IS NULL THEN 0 ELSE lookups END, "
                "doubt_until = CASE WHEN in_doubt_since IS NULL THEN NULL ELSE doubt_until END, "
                "in_doubt_since = COALESCE(in_doubt_since, ?) "
                "WHERE seq = (SELECT seq FROM outbox WHERE state IN ('pending', 'unknown') "
                "AND not_before <= ? ORDER BY not_before, seq LIMIT 1) "
                "RETURNING id, mail_json, attempts, checking, in_doubt_since, last_error, "
                "marked, lookups, doubt_until",
                (owner, now, now, now, now),
            ).fetchone()
        if row is None:
            return None
        checking = bool(row["checking"])
        return Claim(
            id=row["id"],
            owner=owner,
            mail_json=row["mail_json"],
            attempts=int(row["attempts"]),
            in_doubt_since=row["in_doubt_since"] if checking else None,
            last_error=row["last_error"],
            marked=bool(row["marked"]),
            lookups=int(row["lookups"]) if checking else 0,
            doubt_until=row["doubt_until"] if checking else None,
        )

    def start_attempt(self, claim: Claim) -> bool:
        """Record that another send of a claim in doubt starts; ``False`` if the claim was lost."""
        now = self.clock()
        return self._update(
            claim,
            "attempts = attempts + 1, in_doubt_since = ?, claimed_at = ?, updated_at = ?, "
            "marked = 1, lookups = 0, doubt_until = NULL",
            (now, now, now),
        )

    def mark_sent(self, claim: Claim, request_id: str) -> bool:
        """The mail went out as NCloud request ``request_id`` (NCloud's answer to this send).

        NCloud's answer is proof, so if another entry had taken the same request id by a
        lookup, that entry was wrong: it goes back to ``unknown`` to be looked up again.
        """
        now = self.clock()
        with self._db.write() as conn:
            if not self._holds(conn, claim):
                return False
            other = conn.execute(
                "SELECT id FROM outbox WHERE request_id = ? AND id != ?", (request_id, claim.id)
            ).fetchone()
            if other is not None:
                logger.warning(
                    "Outbox entry %s had recorded request %s, which belongs to entry %s; "
                    "its outcome is checked again",
                    other["id"],
                    request_id,
                    claim.id,
                )
                conn.execute(_REOPEN, (now, now, other["id"]))
            conn.execute(_SENT, (request_id, now, claim.id))
        return True

    def record_late_send(self, claim: Claim, request_id: str) -> str:
        """Record NCloud's answer to a send whose claim was lost meanwhile.

        The answer is proof that the mail went out as ``request_id``. If the entry is not
        ``sent`` yet (another worker took it over and is looking it up, or it waits for a
        lookup, or it failed), it becomes ``sent`` with that id: ``"recorded"``. If it is
        ``sent`` already, with another request, a second send happened: ``"duplicate"``; if
        another entry records this request, nothing changes: ``"taken"``.
        """
        now = self.clock()
        with self._db.write() as conn:
            row = conn.execute(
                "SELECT state, request_id FROM outbox WHERE id = ?", (claim.id,)
            ).fetchone()
            if row is None:
                return "taken"
            if row["state"] == EntryState.SENT.value:
                return "recorded" if row["request_id"] == request_id else "duplicate"
            other = conn.execute(
                "SELECT 1 FROM outbox WHERE request_id = ? AND id != ?", (request_id, claim.id)
            ).fetchone()
            if other is not None:
                return "taken"
            conn.execute(_SENT, (request_id, now, claim.id))
            return "recorded"

    def settle_found(self, claim: Claim, candidates: Sequence[str]) -> str:
        """Decide a claim in doubt from the requests a lookup found to carry its mail.

        In one write transaction: the candidates no entry records yet (oldest first) are
        counted; exactly one makes the entry ``sent`` with it (``"sent"``); none returns
        ``"none"`` (the earlier attempt did not reach NCloud). More than one returns
        ``"ambiguous"`` and changes nothing, unless the lookup compares content (the caller
        set the ``referencesHeader``, or the attempt carried no marker) and they are no more
        than the entries in doubt holding the same mail: identical mails, so the oldest entry
        takes the oldest request, the next the next, and an entry left without one stays
        ``"ambiguous"``. ``"lost"`` means the claim is no longer this worker's.
        """
        now = self.clock()
        with self._db.write() as conn:
            if not self._holds(conn, claim):
                return "lost"
            free = [
                request_id
                for request_id in dict.fromkeys(candidates)
                if conn.execute(
                    "SELECT 1 FROM outbox WHERE request_id = ?", (request_id,)
                ).fetchone()
                is None
            ]
            if not free:
                return "none"
            chosen = free[0] if len(free) == 1 else None
            if chosen is None and not claim.by_marker:
                alike = [
                    str(row[0])
                    for row in conn.execute(
                        "SELECT id FROM outbox WHERE mail_hash = "
                        "(SELECT mail_hash FROM outbox WHERE id = ?) "
                        "AND request_id IS NULL AND in_doubt_since IS NOT NULL "
                        "AND state IN ('unknown', 'sending') ORDER BY seq",
                        (claim.id,),
                    ).fetchall()
                ]
                rank = alike.index(claim.id) if claim.id in alike else len(free)
                if len(free) <= len(alike) and rank < len(free):
                    chosen = free[rank]
            if chosen is None:
                return "ambiguous"
            conn.execute(_SENT, (chosen, now, claim.id))
            return "sent"

    @staticmethod
    def _holds(conn: Any, claim: Claim) -> bool:
        row = conn.execute(
            "SELECT 1 FROM outbox WHERE id = ? AND owner = ? AND state = 'sending'",
            (claim.id, claim.owner),
        ).fetchone()
        return row is not None

    def mark_failed(self, claim: Claim, reason: str, *, in_doubt: bool = False) -> bool:
        """The mail will not be sent; ``reason`` says why.

        ``in_doubt=True`` says its last attempt may have reached NCloud (lookups could not
        tell): the entry keeps that attempt's times, so a resubmission looks it up first
        instead of sending the mail a second time.
        """
        return self._finish(
            claim, "failed", request_id=None, error=reason, not_before=None, in_doubt=in_doubt
        )

    def mark_retry(self, claim: Claim, reason: str, not_before: float) -> bool:
        """The attempt provably did not go out; try again from ``not_before``."""
        return self._finish(claim, "pending", request_id=None, error=reason, not_before=not_before)

    def mark_unknown(self, claim: Claim, reason: str, check_at: float) -> bool:
        """The attempt, ending now, may have gone out; look it up from ``check_at`` first."""
        now = self.clock()
        return self._update(
            claim,
            "state = 'unknown', owner = NULL, claimed_at = NULL, checking = 0, lookups = 0, "
            "doubt_until = ?, last_error = ?, not_before = ?, updated_at = ?",
            (now, reason, check_at, now),
        )

    def mark_checked(self, claim: Claim, reason: str, check_at: float) -> bool:
        """A lookup of the attempt in doubt was inconclusive; look again from ``check_at``."""
        return self._update(
            claim,
            "state = 'unknown', owner = NULL, claimed_at = NULL, checking = 0, "
            "lookups = lookups + 1, last_error = ?, not_before = ?, updated_at = ?",
            (reason, check_at, self.clock()),
        )

    def _finish(
        self,
        claim: Claim,
        state: str,
        *,
        request_id: str | None,
        error: str | None,
        not_before: float | None,
        in_doubt: bool = False,
    ) -> bool:
        now = self.clock()
        doubt = "in_doubt_since" if in_doubt else "NULL"
        return self._update(
            claim,
            f"state = ?, owner = NULL, claimed_at = NULL, in_doubt_since = {doubt}, checking = 0, "
            "request_id = COALESCE(?, request_id), last_error = ?, "
            "not_before = COALESCE(?, not_before), updated_at = ?",
            (state, request_id, error, not_before, now),
        )

    def _update(self, claim: Claim, assignments: str, values: tuple[Any, ...]) -> bool:
        with self._db.write() as conn:
            sql = f"UPDATE outbox SET {assignments} "  # noqa: S608 (constant assignments)
            sql += "WHERE id = ? AND owner = ? AND state = 'sending'"
            cursor = conn.execute(
                sql,
                (*values, claim.id, claim.owner),
            )
            return cursor.rowcount == 1

    # Recovery ------------------------------------------------------------------------------------

    def recover(
        self,
        *,
        lease: float,
        check_delay: float,
        every: float = 0.0,
        everything: bool = False,
    ) -> int:
        """Free ``sending`` entries whose worker is gone; return how many were freed.

        A claim is abandoned when it is older than ``lease`` seconds, when its owner was a
        process on this machine that no longer runs, or (``everything=True``, for a start-up
        when no other worker can be running) always. Its send may have gone out, so the entry
        becomes ``unknown``, due for a lookup ``check_delay`` seconds after the send started.
        With ``every``, calls within that many seconds of the last one do nothing.
        """
        now = self.clock()
        if every and now < self._next_recovery:
            return 0
        self._next_recovery = now + every
        with self._db.read() as conn:
            rows = conn.execute(
                "SELECT DISTINCT owner FROM outbox WHERE state = 'sending'"
            ).fetchall()
        owners = [str(row[0]) for row in rows if row[0] is not None]
        dead = owners if everything else [o for o in owners if owner_is_dead(o)]
        marks = ", ".join("?" for _ in dead) or "NULL"
        condition = f"state = 'sending' AND (claimed_at < ? OR owner IN ({marks}))"
        sql = _RECOVER + condition  # placeholders only
        with self._db.write() as conn:
            freed = conn.execute(
                sql,
                (now, check_delay, now, now - lease, *dead),
            ).rowcount
        if freed:
            self.wake()
        return int(freed)


_SENT = (
    "UPDATE outbox SET state = 'sent', owner = NULL, claimed_at = NULL, in_doubt_since = NULL, "
    "checking = 0, request_id = ?, last_error = NULL, updated_at = ? WHERE id = ?"
)
_REOPEN = (
    "UPDATE outbox SET state = 'unknown', request_id = NULL, owner = NULL, claimed_at = NULL, "
    "in_doubt_since = created_at, doubt_until = updated_at, checking = 0, lookups = 0, "
    "not_before = ?, updated_at = ?, "
    "last_error = 'its recorded request belongs to another entry; its outcome is being checked' "
    "WHERE id = ?"
)
_RECOVER = (
    "UPDATE outbox SET state = 'unknown', checking = 0, "
    "not_before = MAX(?, COALESCE(in_doubt_since + ?, 0)), "
    "owner = NULL, claimed_at = NULL, updated_at = ?, "
    "last_error = 'the worker stopped during a send; its outcome is being checked' "
    "WHERE "
)
