"""``python -m harness.outbox``: its help on the reference page, and the options it refuses.

The help page is kept in sync the way ``tests/docs`` keeps the other programs' pages: a
fresh rendering at 100 columns must equal ``docs/generated/``'s copy, and
``NCP_REGENERATE_DOCS=1`` rewrites the copy instead.
"""

from __future__ import annotations

import contextlib
import io
import os
from pathlib import Path

import pytest
from outbox_kit import SENDER, ScriptedTransport, mail_data, make_settings

from harness.fake import FakeNcloud
from harness.mail import MailClient, RetryPolicy
from harness.outbox import ClientTransport, DrainPolicy, Outbox, WorkerPool
from harness.outbox.__main__ import _parser, main, summary
from harness.service import create_app

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "generated" / "cli-python-m-harness-outbox.txt"


def help_text() -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.suppress(SystemExit):
        main(["--help"])
    return out.getvalue()


def test_the_help_page_is_current(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "100")
    fresh = help_text()
    if os.environ.get("NCP_REGENERATE_DOCS") == "1":
        PAGE.write_text(fresh, encoding="utf-8")
    assert PAGE.read_text(encoding="utf-8") == fresh, (
        f"{PAGE.name} is stale; run the tests with NCP_REGENERATE_DOCS=1"
    )
    reference = (ROOT / "docs" / "reference" / "cli.md").read_text(encoding="utf-8")
    assert f'--8<-- "docs/generated/{PAGE.name}"' in reference


def test_every_option_has_help_and_the_description_is_plain_text() -> None:
    parser = _parser()
    assert "``" not in (parser.description or "")
    for action in parser._actions:
        assert action.help, action.dest
        if action.option_strings and action.default not in (None, False, "==SUPPRESS=="):
            assert "(default: %(default)s)" in action.help, action.dest


def test_a_lease_no_longer_than_the_retry_deadline_is_refused() -> None:
    DrainPolicy(lease=60.5).check_lease(60.0)
    with pytest.raises(ValueError, match=r"^The lease of 60 s must be longer than the retry "):
        DrainPolicy(lease=60).check_lease(60.0)
    with pytest.raises(ValueError, match=r"lease of 30 s .* retry deadline of 90 s"):
        DrainPolicy(lease=30).check_lease(90.0)


def test_the_drain_command_refuses_a_short_lease_before_opening_anything(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NCLOUD_ACCESS_KEY_ID", "drain-access-key")
    monkeypatch.setenv("NCLOUD_SECRET_ACCESS_KEY", "drain-secret-key")
    monkeypatch.setenv("NCLOUD_RETRY_DEADLINE", "45")
    db = tmp_path / "outbox.db"
    assert main([str(db), "--lease", "40", "--exit-when-done"]) == 2
    assert main([str(db), "--workers", "0", "--exit-when-done"]) == 2
    lines = capsys.readouterr().err.splitlines()
    assert lines == [
        "python -m harness.outbox: The lease of 40 s must be longer than the retry deadline "
        "of 45 s, or a second worker may send an entry still being sent.",
        "python -m harness.outbox: --workers must be at least 1, not 0.",
    ]
    assert not db.exists()
    assert main([str(db), "--lease", "46", "--exit-when-done"]) == 0


def test_the_drain_command_prints_the_count_per_state_when_it_stops(
    fake_ncloud: FakeNcloud,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("NCLOUD_ACCESS_KEY_ID", fake_ncloud.credential.access_key)
    monkeypatch.setenv("NCLOUD_SECRET_ACCESS_KEY", fake_ncloud.credential.secret_key)
    monkeypatch.setenv("NCLOUD_MAIL_API_URL", fake_ncloud.url + "/api/v1")
    db = tmp_path / "outbox.db"
    assert main([str(db), "--exit-when-done"]) == 0
    assert capsys.readouterr().out == (
        "python -m harness.outbox: 0 sent, 0 failed, 0 unknown, 0 pending.\n"
    )
    with Outbox(db, sender_address=SENDER) as box:
        for n in range(2):
            box.submit(mail_data(n))
    assert main([str(db), "--workers", "2", "--exit-when-done"]) == 0
    assert len(fake_ncloud.mail_requests) == 2
    assert capsys.readouterr().out == (
        "python -m harness.outbox: 2 sent, 0 failed, 0 unknown, 0 pending.\n"
    )


def test_the_summary_names_entries_still_sending_only_when_there_are_some() -> None:
    counts = {"pending": 1, "sending": 0, "sent": 3, "failed": 2, "unknown": 4}
    assert summary(counts) == "3 sent, 2 failed, 4 unknown, 1 pending."
    assert summary({**counts, "sending": 5}) == "3 sent, 2 failed, 4 unknown, 1 pending, 5 sending."


def test_the_worker_pool_and_the_service_refuse_a_short_lease(
    fake_ncloud: FakeNcloud, tmp_path: Path
) -> None:
    settings = make_settings(fake_ncloud, retry_deadline=90.0)
    short = DrainPolicy(lease=90.0)
    with Outbox(tmp_path / "o.db") as box, MailClient(settings) as client:
        with pytest.raises(ValueError, match=r"lease of 90 s .* retry deadline of 90 s"):
            WorkerPool(box, ClientTransport(client), policy=short)
        WorkerPool(box, ScriptedTransport(), policy=short)  # no client: nothing to compare
        WorkerPool(box, ClientTransport(client), policy=DrainPolicy(lease=91.0))
    with pytest.raises(ValueError, match=r"lease of 90 s .* retry deadline of 90 s"):
        create_app(settings, policy=short, transport=ScriptedTransport())


def test_the_lease_is_held_to_the_deadline_of_the_clients_own_retry_policy(
    fake_ncloud: FakeNcloud, tmp_path: Path
) -> None:
    settings = make_settings(fake_ncloud)  # the settings' retry deadline: 60 s
    policy = DrainPolicy(lease=100.0)
    slow = MailClient(settings, retry=RetryPolicy(deadline=200.0))  # a send may take 200 s
    with Outbox(tmp_path / "o.db") as box, slow, MailClient(settings) as default:
        assert ClientTransport(slow).send_deadline == 200.0
        assert ClientTransport(default).send_deadline == settings.retry_deadline
        with pytest.raises(ValueError, match=r"lease of 100 s .* retry deadline of 200 s"):
            WorkerPool(box, ClientTransport(slow), policy=policy)
        with pytest.raises(ValueError, match=r"lease of 100 s .* retry deadline of 200 s"):
            create_app(settings, policy=policy, transport=ClientTransport(slow))
        WorkerPool(box, ClientTransport(default), policy=policy)
        create_app(settings, policy=policy, transport=ClientTransport(default))
        quick = MailClient(settings, retry=RetryPolicy(deadline=30.0))
        with quick:  # a shorter deadline of the client's own lets a shorter lease through
            WorkerPool(box, ClientTransport(quick), policy=DrainPolicy(lease=45.0))
            create_app(settings, policy=DrainPolicy(lease=45.0), transport=ClientTransport(quick))
