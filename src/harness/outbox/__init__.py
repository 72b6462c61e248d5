"""Send mail in the background: a durable outbox on SQLite and the workers that drain it.

``submit`` stores a validated mail and answers at once with a local id; workers deliver it
through the mail client, never twice, and record NCloud's request id or the reason it
failed::

    from harness.mail import MailClient
    from harness.outbox import ClientTransport, Outbox, WorkerPool

    with Outbox("outbox.sqlite3") as outbox, MailClient() as client:
        entry_id = outbox.submit({"senderAddress": "no-reply@example.com", ...})
        with WorkerPool(outbox, ClientTransport(client), workers=4):
            ...

An entry moves ``pending`` → ``sending`` → ``sent`` | ``failed``, through ``unknown`` when
an attempt may have reached NCloud: then a worker looks the request up before deciding. Every
send of an entry carries the entry's own ``References`` header (:func:`marker_for`), so the
lookup recognises that entry's requests and no other mail's, however alike.
"""

from harness.outbox._drain import DrainPolicy, drain_once, recover_abandoned
from harness.outbox._entry import Claim, EntryState, OutboxEntry, Submission, marker_for
from harness.outbox._errors import (
    DeliveryError,
    DeliveryOutcomeUnknown,
    EntryNotFoundError,
    IdempotencyConflictError,
    OutboxError,
    OutboxFileError,
    PermanentDeliveryError,
    RetryableDeliveryError,
)
from harness.outbox._outbox import DEFAULT_DEDUPE_WINDOW, Outbox, canonical_json
from harness.outbox._owner import new_owner, owner_is_dead
from harness.outbox._pool import WorkerPool
from harness.outbox._transport import ClientTransport, MailTransport, classify

__all__ = [
    "DEFAULT_DEDUPE_WINDOW",
    "Claim",
    "ClientTransport",
    "DeliveryError",
    "DeliveryOutcomeUnknown",
    "DrainPolicy",
    "EntryNotFoundError",
    "EntryState",
    "IdempotencyConflictError",
    "MailTransport",
    "Outbox",
    "OutboxEntry",
    "OutboxError",
    "OutboxFileError",
    "PermanentDeliveryError",
    "RetryableDeliveryError",
    "Submission",
    "WorkerPool",
    "canonical_json",
    "classify",
    "drain_once",
    "marker_for",
    "new_owner",
    "owner_is_dead",
    "recover_abandoned",
]
