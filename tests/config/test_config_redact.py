"""mask() and the redacting log filter."""

from __future__ import annotations

import json
import logging

import pytest

from ncp_config import (
    REDACTED,
    RedactingFilter,
    install_log_redaction,
    mask,
    redact,
    register_secret,
)


@pytest.mark.parametrize(
    ("value", "secret", "shown"),
    [
        ("AKIDEXAMPLE00001", False, "AKID********"),
        ("AKIDEXAMPLE00001", True, "********"),
        ("short", False, "********"),
        ("", True, "<not set>"),
        (None, False, "<not set>"),
    ],
)
def test_mask(value: str | None, secret: bool, shown: str) -> None:
    assert mask(value, secret=secret) == shown


@pytest.mark.parametrize(
    "text",
    [
        "x-ncp-apigw-signature-v2: abc+/DEF=",
        "{'x-ncp-apigw-signature-v2': 'abc+/DEF='}",
        'X-NCP-APIGW-SIGNATURE-V1="abc+/DEF="',
        '{"x-ncp-apigw-signature-v2": "abc+/DEF="}',
        "[('x-ncp-apigw-signature-v2', 'abc+/DEF=')]",
        '("x-ncp-apigw-signature-v1", "abc+/DEF=")',
        "Headers([(b'x-ncp-apigw-signature-v2', b'abc+/DEF=')])",
        "{'x-ncp-apigw-signature-v2': ['abc+/DEF=']}",
        "HTTP_X_NCP_APIGW_SIGNATURE_V2=abc+/DEF=",
        "{'HTTP_X_NCP_APIGW_SIGNATURE_V1': 'abc+/DEF='}",
    ],
)
def test_signature_header_values_are_redacted(text: str) -> None:
    redacted = redact(text)
    assert "abc+/DEF=" not in redacted
    assert REDACTED in redacted


def test_filter_is_installed_on_the_project_loggers() -> None:
    for name in ("ncp_signing", "ncp_config", "harness"):
        assert any(isinstance(f, RedactingFilter) for f in logging.getLogger(name).filters)


def test_install_is_idempotent_and_extends_to_other_loggers() -> None:
    logger = logging.getLogger("harness.sender")
    install_log_redaction("harness.sender")
    install_log_redaction("harness.sender")
    assert sum(isinstance(f, RedactingFilter) for f in logger.filters) == 1
    logger.removeFilter(logger.filters[0])


def test_filter_redacts_signature_in_args(caplog: pytest.LogCaptureFixture) -> None:
    headers = {"x-ncp-apigw-signature-v2": "c2lnbmF0dXJlCg=="}
    with caplog.at_level(logging.INFO, logger="ncp_signing"):
        logging.getLogger("ncp_signing").info("sent %s", headers)
    assert caplog.messages == ["sent {'x-ncp-apigw-signature-v2': '********'}"]


@pytest.mark.parametrize(
    "secret", ["Qz quote'and\\slash", 'Qz "double" é', "Qz lone \udce9 surrogate", "Qz a=b c"]
)
def test_escaped_forms_of_a_registered_secret_are_redacted(secret: str) -> None:
    register_secret(secret)
    for text in (repr([secret]), json.dumps({"k": secret}), ascii(secret), f"[{secret}]"):
        redacted = redact(text)
        assert REDACTED in redacted
        for form in (secret, repr(secret)[1:-1], json.dumps(secret)[1:-1]):
            assert form not in redacted


class _KeepRecords(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def test_filter_redacts_attributes_given_as_extra() -> None:
    secret = "Qz extra-attribute secret"
    register_secret(secret)
    handler = _KeepRecords()
    handler.setFormatter(logging.Formatter("%(message)s %(headers)s %(body)s"))
    logger = logging.getLogger("harness")
    logger.addHandler(handler)
    try:
        logger.warning(
            "request sent",
            extra={
                "headers": {"x-ncp-apigw-signature-v2": "c2lnbmF0dXJlCg=="},
                "body": f"key={secret}",
                "attempt": 3,
                "target": "/api/v1/mails",
            },
        )
    finally:
        logger.removeHandler(handler)
    (record,) = handler.records
    line = handler.format(record)
    assert "c2lnbmF0dXJlCg==" not in line
    assert "extra-attribute" not in line
    assert line == ("request sent {'x-ncp-apigw-signature-v2': '********'} key=********")
    # Attributes without anything secret keep their type and value.
    assert vars(record)["attempt"] == 3
    assert vars(record)["target"] == "/api/v1/mails"


def test_extra_attribute_that_cannot_be_shown_is_hidden() -> None:
    class Broken:
        def __str__(self) -> str:
            raise RuntimeError("no text")

    record = logging.LogRecord("harness", logging.INFO, __file__, 1, "m", None, None)
    record.__dict__["thing"] = Broken()
    assert RedactingFilter().filter(record)
    assert vars(record)["thing"] == REDACTED
