"""Local stand-in for the NCloud API Gateway and Cloud Outbound Mailer v1.

Real HTTP on a loopback socket, strict signature checks, the mailer's validation rules,
scripted faults and an inspectable store of accepted mail::

    from harness.fake import FakeNcloud

    with FakeNcloud(credentials=("test-access-key", "test-secret-key")) as fake:
        ...  # send signed requests to fake.url + "/api/v1/mails"; then inspect fake.mails
"""

from harness.fake._faults import Fault, FaultKind, FaultScript, InvalidFaultScriptError
from harness.fake._openapi import openapi_document
from harness.fake._server import FakeNcloud, FakeServerError
from harness.fake._state import RequestRecord
from harness.fake._store import FileRecord, MailRequestRecord, Progression, SentMail
from harness.fake._validation import BASIC_UNSUBSCRIBE_MESSAGE, LIMITS

__all__ = [
    "BASIC_UNSUBSCRIBE_MESSAGE",
    "LIMITS",
    "FakeNcloud",
    "FakeServerError",
    "Fault",
    "FaultKind",
    "FaultScript",
    "FileRecord",
    "InvalidFaultScriptError",
    "MailRequestRecord",
    "Progression",
    "RequestRecord",
    "SentMail",
    "openapi_document",
]
