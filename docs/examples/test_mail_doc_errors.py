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


class StillUnknown(Exception):
    """Whether the mail went out cannot be told yet: do not send it again blindly."""


def send_safely(client: MailClient, mail: Mail) -> str | None:
    """Send once; never twice. Return the request id, or None if it was not sent."""
    try:
        return client.send(mail).request_id
    except SendOutcomeUnknownError as unknown:
        # The mail may have been accepted: look before sending again.
        try:
            found = client.check_outcome(unknown)
        except MailError as error:  # the lookup failed, or the mails are not readable yet
            raise StillUnknown(f"could not check: {error}") from error
        if not found:
            return None  # not accepted: safe to send again
        if len(found) == 1:
            return found[0].request_id  # exactly this mail, accepted as that request
        # Several identical mails were sent in that window; this one may be any (or none).
        # A unique references_header per mail avoids this case.
        count = len(found)
        raise StillUnknown(f"{count} identical requests match; check your records") from unknown
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

        fake_ncloud.set_faults(FaultScript(faults=(Fault("truncate", "POST", count=1),)))
        with pytest.raises(StillUnknown, match="2 identical requests"):
            send_safely(client, mail)  # the same mail again: two requests carry it
    assert len(fake_ncloud.mail_requests) == 2  # no cut-short send was ever repeated
