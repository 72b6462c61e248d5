"""The outbox's exceptions: one root, :class:`OutboxError`, and a class per failure.

The delivery errors are the seam between a worker and whatever sends the mail: a transport
raises one of the three to say what became of an attempt, and the worker decides the row's
next state from the class alone.
"""

from __future__ import annotations

__all__ = [
    "DeliveryError",
    "DeliveryOutcomeUnknown",
    "EntryNotFoundError",
    "IdempotencyConflictError",
    "OutboxError",
    "OutboxFileError",
    "PermanentDeliveryError",
    "RetryableDeliveryError",
]


class OutboxError(Exception):
    """Root of every exception the outbox raises."""


class OutboxFileError(OutboxError):
    """The outbox's SQLite file cannot be opened or used (a missing folder, not a database,
    or an SQLite library too old for the outbox's statements)."""


class EntryNotFoundError(OutboxError, KeyError):
    """No outbox entry has this id."""

    def __init__(self, entry_id: str) -> None:
        super().__init__(f"No outbox entry has the id {entry_id[:64]!r}.")
        self.entry_id = entry_id

    def __str__(self) -> str:
        return str(self.args[0])


class IdempotencyConflictError(OutboxError):
    """An idempotency key was used again for a different mail."""

    def __init__(self, key: str, entry_id: str) -> None:
        super().__init__(
            f"The idempotency key {key[:80]!r} already belongs to entry {entry_id} "
            "with a different mail."
        )
        self.key = key
        self.entry_id = entry_id


class DeliveryError(OutboxError):
    """What a transport raises when a delivery did not end with a request id."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class RetryableDeliveryError(DeliveryError):
    """The mail provably did not go out and may be tried again (throttling, 503, no connection).

    ``retry_after`` is the server's requested wait in seconds, when it gave one.
    """

    def __init__(self, reason: str, *, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.retry_after = retry_after


class PermanentDeliveryError(DeliveryError):
    """The mail was refused and trying again cannot help (invalid, unauthorised, quota)."""


class DeliveryOutcomeUnknown(DeliveryError):
    """The request may have reached NCloud; it must be looked up before any second send."""
