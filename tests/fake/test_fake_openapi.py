"""Schemathesis checks the running fake against its OpenAPI document for the mailer routes."""

from __future__ import annotations

import pytest
import requests
import schemathesis
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
        "createMailRequest",
        "getMail",
        "getMailList",
        "getMailRequestList",
        "getMailRequestStatus",
    ]


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda op: op.label)
def test_responses_match_the_document(fake_ncloud: FakeNcloud, operation: object) -> None:
    strategy = operation.as_strategy()  # type: ignore[attr-defined]
    base_url = fake_ncloud.url + "/api/v1"
    with requests.Session() as http:
        http.auth = fake_ncloud.auth()

        @settings(
            max_examples=15,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(data=st.data())
        def check(data: st.DataObject) -> None:
            case = data.draw(strategy)
            response = case.call(base_url=base_url, session=http, timeout=5)
            case.validate_response(response, checks=CHECKS)

        check()
    assert any(r.auth == "ok" for r in fake_ncloud.requests)
