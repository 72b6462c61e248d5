"""Error handling: invalid mail, throttling, quota, and a send whose outcome is unknown."""

import pytest

from harness.fake import FakeNcloud, Fault, FaultScript
from harness.mail import (
    Mail,
    MailClient,
    MailError,
    MailValidationError,
    QuotaExceededError,
    SendOutcomeUnknownError,
)
from ncp_config import load_settings


def send_safely(client: MailClient, mail: Mail) -> str | None:
    """Send once; never twice. Return the request id, or None if it was not sent."""
    try:
        return client.send(mail).request_id
    except SendOutcomeUnknownError as unknown:
        # The mail may have been accepted: look before sending again.
        found = client.check_outcome(unknown)
        return found[0].request_id if found else None
    except QuotaExceededError as error:
        print(f"monthly quota used up ({error.gateway_code}); try next month")
        return None
    except MailError as error:  # every other failure, already retried where safe
        print(f"not sent: {error}")
        return None


def test_error_handling(fake_ncloud: FakeNcloud) -> None:
    with pytest.raises(MailValidationError) as invalid:  # raised before any request
        Mail(sender_address="shop@example.com", title="t" * 501, body="b", recipients=["a@b.co"])
    assert invalid.value.field == "title"

    settings = load_settings(
        environ={},
        env_file=None,
        secrets_dir=None,
        config_file=None,
        access_key=fake_ncloud.credential.access_key,
        secret_key=fake_ncloud.credential.secret_key,
        mail_api_url=fake_ncloud.url + "/api/v1",
    )
    mail = Mail(sender_address="shop@example.com", title="t", body="b", recipients=["a@b.co"])
    with MailClient(settings) as client:
        fake_ncloud.set_faults(FaultScript(faults=(Fault("truncate", "POST", count=1),)))
        assert send_safely(client, mail) == fake_ncloud.mail_requests[0].request_id

        fake_ncloud.set_faults(FaultScript(faults=(Fault("throttle", code="400"),)))
        assert send_safely(client, mail) is None
    assert len(fake_ncloud.mail_requests) == 1  # the cut-short send was never repeated
