"""The guide's samples run, the demo passes, the commands parse, and errors are classified."""

from __future__ import annotations

import argparse
import runpy
from pathlib import Path

import pytest

from harness.mail import (
    EndpointError,
    EndpointTimeoutError,
    InvalidRequestError,
    MailConnectionError,
    MailerServerError,
    MailValidationError,
    QuotaExceededError,
    ResponseFormatError,
    ThrottledError,
    UnexpectedServerError,
)
from harness.mail._retry import send_outcome_unknown
from harness.outbox import (
    DeliveryOutcomeUnknown,
    PermanentDeliveryError,
    RetryableDeliveryError,
    classify,
)
from harness.service import (
    add_demo_parser,
    add_serve_parser,
    demo_command,
    run_demo,
    serve_command,
)

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"
EXPECTED = {
    "background_outbox.py": ["pending", "sent 2", "[('ada@example.com', 'Welcome, Ada!')]"],
    "background_service.py": ["202 pending", "sent 2", "['alan@example.com', 'grace@example.com']"],
    "background_task_queue.py": ["5", "0", "5"],
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_the_guide_samples_run(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    runpy.run_path(str(EXAMPLES / name), run_name="__main__")
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == len(EXPECTED[name])
    for line, start in zip(lines, EXPECTED[name], strict=True):
        assert line.startswith(start)


def test_every_background_sample_is_checked() -> None:
    assert sorted(p.name for p in EXAMPLES.glob("background_*.py")) == sorted(EXPECTED)


def test_the_guide_includes_every_sample() -> None:
    guide = (EXAMPLES.parent / "background.md").read_text(encoding="utf-8")
    for name in EXPECTED:
        assert f'--8<-- "docs/examples/{name}"' in guide
    assert "stateDiagram-v2" in guide


def test_the_demo_sends_every_mail_once() -> None:
    lines: list[str] = []
    assert run_demo(latency_ms=50, out=lines.append) == 0
    text = "\n".join(lines)
    assert "POST welcome    -> 202 pending" in text
    assert "welcome    sending -> sent" in text or "welcome    pending -> sent" in text
    assert "to ada@example.com" in text
    assert "'Welcome, Ada!'" in text
    assert "the fake received 3 requests, 5 mails" in text
    assert lines[-1].endswith("3/3 mails sent, 5/5 recipients: OK")


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="ncp-harness")
    commands = root.add_subparsers()
    add_serve_parser(commands)
    add_demo_parser(commands)
    return root


def test_the_demo_command_runs_and_checks_its_options(
    capsys: pytest.CaptureFixture[str],
) -> None:
    args = parser().parse_args(["demo", "--latency-ms", "20"])
    assert args.func is demo_command
    assert demo_command(args) == 0
    assert "OK" in capsys.readouterr().out
    assert demo_command(parser().parse_args(["demo", "--workers", "0"])) == 2


def test_serve_without_credentials_explains_and_exits_2(
    capsys: pytest.CaptureFixture[str],
) -> None:
    args = parser().parse_args(["serve", "--port", "0", "--workers", "2"])
    assert args.func is serve_command
    assert (args.host, args.db, args.workers) == ("127.0.0.1", "ncp-outbox.sqlite3", 2)
    assert serve_command(args) == 2
    assert "NCLOUD_ACCESS_KEY" in capsys.readouterr().err


@pytest.mark.parametrize("where", ["not-a-database", "a-folder"])
def test_serve_and_drain_refuse_an_unusable_outbox_file_in_one_sentence(
    where: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from harness.outbox.__main__ import main

    secret = "SENTINEL-serve-secret-5e4d"
    monkeypatch.setenv("NCLOUD_ACCESS_KEY_ID", "serve-access-key")
    monkeypatch.setenv("NCLOUD_SECRET_ACCESS_KEY", secret)
    db = {
        "not-a-database": tmp_path / "notes.txt",
        "a-folder": tmp_path,
    }[where]
    if where == "not-a-database":
        db.write_text("these are notes, not a database\n" * 200, encoding="utf-8")
    args = parser().parse_args(["serve", "--port", "0", "--db", str(db)])
    assert serve_command(args) == 2
    assert main([str(db), "--workers", "1"]) == 2
    err = capsys.readouterr().err
    lines = err.splitlines()
    assert [line.split(":")[0] for line in lines] == [
        "ncp-harness serve",
        "python -m harness.outbox",
    ]
    for line in lines:
        assert f"The outbox file {str(db)!r} cannot be used: " in line
        assert line.endswith(".")
    assert secret not in err
    assert "Traceback" not in err
    if where == "not-a-database":
        assert db.read_text(encoding="utf-8").startswith("these are notes")  # left as it was


@pytest.mark.parametrize("parent", ["missing", "a-file"])
def test_serve_and_drain_name_a_missing_folder_of_the_outbox_file(
    parent: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from harness.outbox.__main__ import main

    monkeypatch.setenv("NCLOUD_ACCESS_KEY_ID", "serve-access-key")
    monkeypatch.setenv("NCLOUD_SECRET_ACCESS_KEY", "SENTINEL-folder-secret")
    folder = tmp_path / "var" / "lib" / "app"
    if parent == "a-file":
        folder.parent.mkdir(parents=True)
        folder.write_text("not a folder\n", encoding="utf-8")
    db = folder / "outbox.sqlite3"
    args = parser().parse_args(["serve", "--port", "0", "--db", str(db)])
    assert serve_command(args) == 2
    assert main([str(db), "--workers", "1"]) == 2
    what = "does not exist" if parent == "missing" else "is not a folder"
    sentence = (
        f"The folder {str(folder)!r} for the outbox file {str(db)!r} {what}; create it first."
    )
    assert capsys.readouterr().err.splitlines() == [
        f"ncp-harness serve: {sentence}",
        f"python -m harness.outbox: {sentence}",
    ]
    assert not folder.is_dir()


@pytest.mark.parametrize("workers", ["-1", "-4", "two"])
def test_serve_refuses_a_negative_or_non_numeric_worker_count_as_a_usage_error(
    workers: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as stopped:
        parser().parse_args(["serve", "--workers", workers])
    assert stopped.value.code == 2
    err = capsys.readouterr().err.splitlines()[-1]
    assert err.endswith(f"argument --workers: must be 0 or more, not {workers}.") or err.endswith(
        f"argument --workers: must be a whole number, not {workers!r}."
    )
    assert f"{workers}" in err
    assert parser().parse_args(["serve", "--workers", "1"]).workers == 1
    assert parser().parse_args(["serve", "--workers", "0"]).workers == 0  # a drain runs elsewhere


@pytest.mark.parametrize(
    ("host", "warned"),
    [
        ("127.0.0.1", False),
        ("localhost", False),
        ("::1", False),
        ("127.0.0.2", False),
        ("0.0.0.0", True),
        ("::", True),
        ("192.168.1.20", True),
        ("mail.example.com", True),
    ],
)
def test_serve_warns_on_stderr_when_bound_beyond_loopback(
    host: str,
    warned: bool,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import uvicorn

    monkeypatch.setenv("NCLOUD_ACCESS_KEY_ID", "serve-access-key")
    monkeypatch.setenv("NCLOUD_SECRET_ACCESS_KEY", "SENTINEL-host-secret")
    served: list[str] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: served.append(options["host"]))
    db = tmp_path / "outbox.sqlite3"
    args = parser().parse_args(["serve", "--host", host, "--port", "0", "--db", str(db)])
    assert serve_command(args) == 0
    assert served == [host]
    err = capsys.readouterr().err
    if not warned:
        assert err == ""
        return
    assert err.splitlines() == [
        f"ncp-harness serve: warning: listening on {host!r}, which is not a loopback address, "
        "but the service has no authentication of its own; keep it on 127.0.0.1 or behind an "
        "authenticating proxy."
    ]
    assert "SENTINEL" not in err


def api(cls: type, **extra: object) -> Exception:
    error: Exception = cls("answer", http_status=extra.pop("http_status", 500), **extra)
    return error


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        (api(ThrottledError, http_status=429, retry_after=2.0), RetryableDeliveryError),
        (api(EndpointError, http_status=503), RetryableDeliveryError),
        (MailConnectionError("refused", request_sent=False), RetryableDeliveryError),
        (MailConnectionError("reset", request_sent=True), DeliveryOutcomeUnknown),
        (api(EndpointTimeoutError, http_status=504), DeliveryOutcomeUnknown),
        (api(UnexpectedServerError), DeliveryOutcomeUnknown),
        (api(MailerServerError, mailer_code="77302"), RetryableDeliveryError),
        (api(MailerServerError, mailer_code="77303", retry_after=5.0), RetryableDeliveryError),
        (api(MailerServerError, mailer_code="77301"), PermanentDeliveryError),
        (ResponseFormatError("cut", http_status=201), DeliveryOutcomeUnknown),
        (api(QuotaExceededError, http_status=429), PermanentDeliveryError),
        (api(InvalidRequestError, http_status=400), PermanentDeliveryError),
        (MailValidationError("title", "too long"), PermanentDeliveryError),
    ],
)
def test_mail_errors_are_classified(error: Exception, kind: type) -> None:
    result = classify(error)  # type: ignore[arg-type]
    assert type(result) is kind
    if kind is DeliveryOutcomeUnknown:  # one sentence of the outbox's own, naming the cause
        assert str(result).startswith("The send may have reached NCloud (")
        assert str(result).endswith("it will be looked up before any new attempt.")
        assert str(result).count(". ") == 0
    else:
        assert type(error).__name__ in str(result)
    if isinstance(result, RetryableDeliveryError) and isinstance(error, ThrottledError):
        assert result.retry_after == 2.0
    if isinstance(result, RetryableDeliveryError) and isinstance(error, MailerServerError):
        assert result.retry_after == error.retry_after
    # the outbox is in doubt exactly when the mail client would be
    assert (kind is DeliveryOutcomeUnknown) is send_outcome_unknown(error)
