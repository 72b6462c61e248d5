"""Opening an outbox on an SQLite library too old for its statements fails at once, clearly."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from outbox_kit import mail_data

from harness.outbox import Outbox, OutboxFileError
from harness.outbox.__main__ import main


def test_an_sqlite_older_than_3_35_is_refused_naming_its_version(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sqlite3, "sqlite_version_info", (3, 34, 1))
    path = tmp_path / "outbox.db"
    with pytest.raises(OutboxFileError) as caught:
        Outbox(path)
    assert str(caught.value) == (
        "The outbox needs SQLite 3.35.0 or newer for UPDATE ... RETURNING, but Python's "
        "sqlite3 module uses SQLite 3.34.1."
    )
    assert not path.exists()  # refused before the file is made


def test_the_drain_command_names_the_old_sqlite_and_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NCLOUD_ACCESS_KEY_ID", "open-access-key")
    monkeypatch.setenv("NCLOUD_SECRET_ACCESS_KEY", "open-secret-key")
    monkeypatch.setattr(sqlite3, "sqlite_version_info", (3, 22, 0))
    assert main([str(tmp_path / "outbox.db"), "--exit-when-done"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("python -m harness.outbox: The outbox needs SQLite 3.35.0 or newer")
    assert "uses SQLite 3.22.0." in err


def test_sqlite_3_35_itself_is_accepted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if sqlite3.sqlite_version_info < (3, 35, 0):
        pytest.fail(f"these tests need SQLite 3.35 or newer, not {sqlite3.sqlite_version}")
    monkeypatch.setattr(sqlite3, "sqlite_version_info", (3, 35, 0))
    with Outbox(tmp_path / "outbox.db") as box:
        assert box.get(box.submit(mail_data(1, senderAddress="a@example.com"))).attempts == 0
