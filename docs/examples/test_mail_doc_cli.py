"""The CLI: ``ncp-harness send`` with the settings chain from the environment."""

from pathlib import Path

import pytest

from harness.cli import main
from harness.fake import FakeNcloud


def test_cli_send(
    tmp_path: Path,
    fake_ncloud: FakeNcloud,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("NCLOUD_ACCESS_KEY_ID", fake_ncloud.credential.access_key)
    monkeypatch.setenv("NCLOUD_SECRET_ACCESS_KEY", fake_ncloud.credential.secret_key)
    monkeypatch.setenv("NCLOUD_MAIL_API_URL", fake_ncloud.url + "/api/v1")
    monkeypatch.setenv("NCLOUD_CONFIG_FILE", str(tmp_path / "no-configure"))
    monkeypatch.setenv("NCLOUD_SECRETS_DIR", str(tmp_path / "no-secrets"))
    monkeypatch.chdir(tmp_path)  # no stray .env

    status = main(
        [
            "send",
            "--from", "shop@example.com",
            "--to", "ann@example.com",
            "--subject", "Hello ${name}",
            "--body", "<p>Hi ${name}</p>",
            "--param", "name=Ann",
            "--wait", "--interval", "0.05",
        ]
    )  # fmt: skip

    out = capsys.readouterr().out.splitlines()
    assert status == 0
    assert out[1] == f"{out[0]} finished: 1/1 done, 1 sent (S=1)"
