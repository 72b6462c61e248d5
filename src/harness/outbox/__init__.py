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
an attempt may have reached NCloud: then a worker looks the request up before deciding.
"""

from harness.outbox._drain import DrainPolicy, drain_once, recover_abandoned
from harness.outbox._entry import Claim, EntryState, OutboxEntry
from harness.outbox._errors import (
    DeliveryError,
    DeliveryOutcomeUnknown,
    EntryNotFoundError,
    IdempotencyConflictError,
    OutboxError,
    PermanentDeliveryError,
    RetryableDeliveryError,
)
from harness.outbox._outbox import Outbox, canonical_json, derived_key
from harness.outbox._owner import new_owner, owner_is_dead
from harness.outbox._pool import WorkerPool
from harness.outbox._transport import ClientTransport, MailTransport, classify

__all__ = [
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
    "PermanentDeliveryError",
    "RetryableDeliveryError",
    "WorkerPool",
    "canonical_json",
    "classify",
    "derived_key",
    "drain_once",
    "new_owner",
    "owner_is_dead",
    "recover_abandoned",
]
