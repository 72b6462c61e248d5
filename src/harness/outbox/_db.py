"""The SQLite file under the outbox: schema, pragmas, and one write transaction at a time.

Every write runs inside ``BEGIN IMMEDIATE``, which takes the database's write lock before
reading anything. Two connections (two threads, two processes) therefore never both see a
row as free and both take it; the busy timeout makes the loser wait instead of failing.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Literal

from harness.outbox._errors import OutboxFileError

__all__ = ["Database", "Synchronous"]

Synchronous = Literal["OFF", "NORMAL", "FULL", "EXTRA"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS outbox (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    idempotency_key TEXT NOT NULL UNIQUE,
    mail_hash TEXT NOT NULL,
    mail_json TEXT NOT NULL,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    not_before REAL NOT NULL,
    owner TEXT,
    claimed_at REAL,
    in_doubt_since REAL,
    checking INTEGER NOT NULL DEFAULT 0,
    marked INTEGER NOT NULL DEFAULT 1,
    lookups INTEGER NOT NULL DEFAULT 0,
    doubt_until REAL,
    request_id TEXT,
    last_error TEXT,
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS outbox_due ON outbox (state, not_before, seq);
"""
SCHEMA_VERSION = 2
"""``PRAGMA user_version`` of the current schema. Version 1 makes NCloud request ids unique:
no two entries can ever record the same request. Version 2 adds ``marked`` (whether the
entry's last attempt carried its marker; files of version 0 were written by releases that
sent no marker), ``lookups`` (lookups made for the attempt in doubt) and ``doubt_until``
(when the attempt in doubt ended)."""
_COLUMNS = {
    "checking": "INTEGER NOT NULL DEFAULT 0",
    "marked": "INTEGER NOT NULL DEFAULT 1",
    "lookups": "INTEGER NOT NULL DEFAULT 0",
    "doubt_until": "REAL",
}
"""Columns added after the first release, with their definitions: a file that lacks one
gains it when opened."""
_UNIQUE_REQUEST = (
    "CREATE UNIQUE INDEX IF NOT EXISTS outbox_request_unique ON outbox (request_id) "
    "WHERE request_id IS NOT NULL"
)


MIN_SQLITE = (3, 35, 0)
"""The oldest SQLite the outbox runs on: claims are one ``UPDATE ... RETURNING`` (3.35.0)."""


def check_sqlite_version() -> None:
    """Refuse an SQLite library older than :data:`MIN_SQLITE`, naming the version found.

    Checked when the outbox opens, so an old library fails at start-up with its version
    named, not at the first claim with a syntax error.
    """
    version = sqlite3.sqlite_version_info
    if version < MIN_SQLITE:
        needed, have = ".".join(map(str, MIN_SQLITE)), ".".join(map(str, version))
        raise OutboxFileError(
            f"The outbox needs SQLite {needed} or newer for UPDATE ... RETURNING, but Python's "
            f"sqlite3 module uses SQLite {have}."
        )


class Database:
    """One connection to the outbox file, shared by the threads of one :class:`Outbox`."""

    def __init__(
        self, path: str | Path, *, busy_timeout: float = 10.0, synchronous: Synchronous = "NORMAL"
    ) -> None:
        check_sqlite_version()
        self.path = str(path)
        self._lock = threading.RLock()
        try:
            self._conn = sqlite3.connect(
                self.path, timeout=busy_timeout, isolation_level=None, check_same_thread=False
            )
        except sqlite3.Error as error:
            raise _unusable(self.path, error) from error
        try:
            self._open(busy_timeout, synchronous)
        except sqlite3.IntegrityError:
            self._conn.close()
            raise
        except sqlite3.Error as error:
            self._conn.close()
            raise _unusable(self.path, error) from error
        except BaseException:
            self._conn.close()
            raise

    def _open(self, busy_timeout: float, synchronous: Synchronous) -> None:
        self._conn.row_factory = sqlite3.Row
        self._conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")
        mode = self._conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if str(mode).lower() != "wal" and self.path != ":memory:":
            raise sqlite3.OperationalError(f"WAL mode is not available (the journal is {mode})")
        self._conn.execute(f"PRAGMA synchronous = {synchronous}")
        with self.write() as conn:
            statements = [part for part in _SCHEMA.split(";") if part.strip()]
            conn.execute(statements[0])  # the table, if the file is new
            _migrate(conn)
            for statement in statements[1:]:
                conn.execute(statement)

    def close(self) -> None:
        """Close the connection; later calls fail."""
        with self._lock:
            self._conn.close()

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """A write transaction holding the database's write lock from its first statement."""
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    @contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        """The connection, for one or more reads (each statement sees committed data)."""
        with self._lock:
            yield self._conn


def _unusable(path: str, error: sqlite3.Error) -> OutboxFileError:
    """The one-sentence error for a file that cannot serve as the outbox.

    A missing folder is named as such: SQLite only says it is "unable to open database file".
    """
    folder = Path(path).parent
    if path != ":memory:" and path and not folder.is_dir():
        what = "is not a folder" if folder.exists() else "does not exist"
        return OutboxFileError(
            f"The folder {str(folder)!r} for the outbox file {path!r} {what}; create it first."
        )
    reason = str(error).strip().rstrip(".") or type(error).__name__
    return OutboxFileError(f"The outbox file {path!r} cannot be used: {reason}.")


def _migrate(conn: sqlite3.Connection) -> None:
    """Bring a file written by an older version up to :data:`SCHEMA_VERSION`."""
    version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    present = {str(row[1]) for row in conn.execute("PRAGMA table_info(outbox)").fetchall()}
    for name, definition in _COLUMNS.items():
        if name not in present:
            conn.execute(f"ALTER TABLE outbox ADD COLUMN {name} {definition}")
    if version == 0 and "marked" not in present:
        # Written by a release that sent no marker: a lookup of these rows' attempts
        # compares the mail's content instead.
        conn.execute("UPDATE outbox SET marked = 0 WHERE attempts > 0")
    if version >= SCHEMA_VERSION:
        return
    doubled = conn.execute(
        "SELECT request_id, GROUP_CONCAT(id, ', ') FROM outbox WHERE request_id IS NOT NULL "
        "GROUP BY request_id HAVING COUNT(*) > 1 LIMIT 5"
    ).fetchall()
    if doubled:
        listed = "; ".join(f"request {r} recorded by entries {ids}" for r, ids in doubled)
        raise sqlite3.IntegrityError(
            "The outbox records one NCloud request for several entries, so at most one of "
            f"them was sent by it ({listed}). Correct these rows, then open the outbox again."
        )
    conn.execute("DROP INDEX IF EXISTS outbox_request")
    conn.execute(_UNIQUE_REQUEST)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
