"""Schemathesis checks the running fake against its OpenAPI document for the mailer routes."""

from __future__ import annotations

import jsonschema_rs
import pytest
import requests
import schemathesis
from fake_helpers import MINIMAL_MAIL
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from harness.fake import FakeNcloud, openapi_document

SCHEMA = schemathesis.openapi.from_dict(openapi_document())
OPERATIONS = [result.ok() for result in SCHEMA.get_all_operations()]  # type: ignore[union-attr]
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def test_document_is_served_and_lists_the_mailer_operations(fake_ncloud: FakeNcloud) -> None:
    served = requests.get(fake_ncloud.url + "/_fake/openapi.json", timeout=5).json()
    assert served == openapi_document()
    ids = sorted(op.definition.raw["operationId"] for op in OPERATIONS)
    assert ids == [
        "createFile",
        "createMailRequest",
        "getMail",
        "getMailList",
        "getMailRequestList",
        "getMailRequestStatus",
    ]


SEEDED = {"getMailRequestStatus": "requestId", "getMailList": "requestId", "getMail": "mailId"}


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda op: op.label)
def test_responses_match_the_document(fake_ncloud: FakeNcloud, operation: object) -> None:
    strategy = operation.as_strategy()  # type: ignore[attr-defined]
    operation_id = operation.definition.raw["operationId"]  # type: ignore[attr-defined]
    base_url = fake_ncloud.url + "/api/v1"
    statuses: list[int] = []
    with requests.Session() as http:
        http.auth = fake_ncloud.auth()
        sent = http.post(base_url + "/mails", json=MINIMAL_MAIL, timeout=5).json()["requestId"]
        known = {"requestId": sent, "mailId": fake_ncloud.mails[0].mail_id}

        @settings(
            max_examples=15,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(data=st.data())
        def check(data: st.DataObject) -> None:
            case = data.draw(strategy)
            name = SEEDED.get(operation_id)
            if name is not None and data.draw(st.booleans(), label="use a stored id"):
                case.path_parameters = {**(case.path_parameters or {}), name: known[name]}
            response = case.call(base_url=base_url, session=http, timeout=5)
            statuses.append(response.status_code)
            case.validate_response(response, checks=CHECKS)

        check()
    assert any(r.auth == "ok" for r in fake_ncloud.requests)
    if operation_id in SEEDED:
        assert 200 in statuses, statuses
    if operation_id == "createFile":
        assert 201 in statuses, statuses


BODIES = [
    (MINIMAL_MAIL, True),
    ({"templateSid": 7, "recipients": [{"address": "to@example.com"}]}, True),
    (
        {**MINIMAL_MAIL, "recipients": [{"address": "a@example.com", "parameters": {"n": 1.5}}]},
        True,
    ),
    (
        {
            **MINIMAL_MAIL,
            "recipients": [],
            "recipientGroupFilter": {"andFilter": True, "groups": ["vip"]},
        },
        True,
    ),
    ({**MINIMAL_MAIL, "advertising": True, "useBasicUnsubscribeMsg": True}, True),
    ({**MINIMAL_MAIL, "advertising": True, "unsubscribeMessage": "Stop"}, True),
    ({**MINIMAL_MAIL, "advertising": False}, True),
    ({k: v for k, v in MINIMAL_MAIL.items() if k != "title"}, False),
    ({k: v for k, v in MINIMAL_MAIL.items() if k != "senderAddress"}, False),
    ({**MINIMAL_MAIL, "recipients": []}, False),
    ({k: v for k, v in MINIMAL_MAIL.items() if k != "recipients"}, False),
    ({**MINIMAL_MAIL, "advertising": True}, False),
    ({**MINIMAL_MAIL, "advertising": True, "useBasicUnsubscribeMsg": False}, False),
    ({**MINIMAL_MAIL, "advertising": True, "unsubscribeMessage": ""}, False),
    ({**MINIMAL_MAIL, "reservationDateTime": "2030-13-01 09:00"}, False),
    ({**MINIMAL_MAIL, "parameters": {"k": True}}, False),
]


@pytest.mark.parametrize(("body", "valid"), BODIES)
def test_the_mail_schema_states_the_conditional_fields(
    fake_ncloud: FakeNcloud, session: requests.Session, body: dict[str, object], valid: bool
) -> None:
    document = openapi_document()
    schema = {"$ref": "#/components/schemas/CreateMailRequest", **document}
    assert jsonschema_rs.Draft4Validator(schema).is_valid(body) is valid
    answer = session.post(fake_ncloud.url + "/api/v1/mails", json=body, timeout=5)
    assert answer.status_code == (201 if valid else 400), answer.text


def test_the_list_routes_declare_every_query_parameter_the_fake_reads() -> None:
    paths = openapi_document()["paths"]
    names = {
        route: {p["name"] for p in paths[route]["get"]["parameters"] if p["in"] == "query"}
        for route in ("/mails/requests", "/mails/requests/{requestId}/mails")
    }
    assert names["/mails/requests"] == {
        *("startUtc", "endUtc", "startDateTime", "endDateTime", "requestId", "mailId"),
        *("dispatchType", "title", "templateSid", "senderAddress", "recipientAddress"),
        *("sendStatus", "page", "size", "sort"),
    }
    assert names["/mails/requests/{requestId}/mails"] == {
        *("mailId", "recipientAddress", "title", "sendStatus", "page", "size", "sort"),
    }
