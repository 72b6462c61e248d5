"""``ncp-sign``: output formats, credentials from the environment, clear errors."""

from __future__ import annotations

import http.client
import itertools
import json
import shlex
import time
from urllib.parse import urlsplit

import pytest
from raw_server import ACCESS_KEY, SECRET_KEY, raw_server

from ncp_signing import cli, sign
from ncp_signing.cli import credentials_from_environment, main
from ncp_signing.exc import NcpSigningError

AK = "cli-access-key"
SECRET = "cli-Secret-Sentinel-42d"


@pytest.fixture(autouse=True)
def _environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        "NCLOUD_ACCESS_KEY_ID",
        "NCLOUD_ACCESS_KEY",
        "NCLOUD_SECRET_ACCESS_KEY",
        "NCLOUD_SECRET_KEY",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NCLOUD_ACCESS_KEY", AK)
    monkeypatch.setenv("NCLOUD_SECRET_KEY", SECRET)


def test_headers_format(capsys: pytest.CaptureFixture[str]) -> None:
    url = "https://mail.apigw.ntruss.com/api/v1/mails?page=0"
    assert main(["GET", url, "--timestamp", "1521787414578"]) == 0
    out = capsys.readouterr().out
    expected = sign("GET", url, 1521787414578, AK, SECRET)
    assert out.splitlines() == [
        "x-ncp-apigw-timestamp: 1521787414578",
        f"x-ncp-iam-access-key: {AK}",
        f"x-ncp-apigw-signature-v2: {expected}",
    ]
    assert SECRET not in out


def test_json_format(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["POST", "https://h/api/v1/mails#x", "--format", "json", "--timestamp", "5"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["signed_target"] == "/api/v1/mails"
    assert document["headers"]["x-ncp-apigw-signature-v2"] == sign(
        "POST", "/api/v1/mails", 5, AK, SECRET
    )


def test_curl_format_sends_the_signed_target(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["GET", "https://h.example/a b/{id}?q=1", "--format", "curl"]) == 0
    words = shlex.split(capsys.readouterr().out)
    assert words[:4] == ["curl", "--globoff", "-X", "GET"]
    assert words[-1] == "https://h.example/a%20b/%7Bid%7D?q=1"
    assert sum(word.startswith("x-ncp-") for word in words) == 3


def test_curl_command_is_accepted_by_a_server_that_checks_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Replay the printed command's method, headers and URL byte for byte."""
    monkeypatch.setenv("NCLOUD_ACCESS_KEY", ACCESS_KEY)
    monkeypatch.setenv("NCLOUD_SECRET_KEY", SECRET_KEY)
    with raw_server() as server:
        url = f"{server.url}/api/v1/템플릿/{{id}}?title=%EC%95%88&page=0"
        assert main(["DELETE", url, "--format", "curl"]) == 0
        words = shlex.split(capsys.readouterr().out)
        method = words[words.index("-X") + 1]
        headers = dict(words[i + 1].split(": ", 1) for i, word in enumerate(words) if word == "-H")
        parts = urlsplit(words[-1])
        connection = http.client.HTTPConnection(parts.netloc, timeout=5)
        try:
            connection.request(method, f"{parts.path}?{parts.query}", headers=headers)
            assert connection.getresponse().status == 200
        finally:
            connection.close()
        assert server.seen[-1].valid
        assert server.seen[-1].target.startswith("/api/v1/%ED%85%9C")


def _stamps(output: str) -> list[str]:
    return [line.split(": ")[1] for line in output.splitlines() if "timestamp" in line]


def test_reads_the_clock_on_every_call(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    ticks = itertools.count(1_700_000_000_000, 7)
    monkeypatch.setattr(cli, "epoch_millis", lambda: next(ticks))
    assert main(["GET", "/a"]) == 0
    assert main(["GET", "/a"]) == 0
    assert _stamps(capsys.readouterr().out) == ["1700000000000", "1700000000007"]


def test_signs_with_the_current_time_by_default(capsys: pytest.CaptureFixture[str]) -> None:
    before = time.time_ns() // 1_000_000
    assert main(["GET", "/a"]) == 0
    after = time.time_ns() // 1_000_000
    out = capsys.readouterr().out
    [stamp] = _stamps(out)
    assert before <= int(stamp) <= after
    assert f"x-ncp-apigw-signature-v2: {sign('GET', '/a', stamp, AK, SECRET)}" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["GET", ""], "The URL '' is empty"),
        (["GET", "", "--format", "curl"], "The URL '' is empty"),
        (["GET", "/a%zz"], "invalid escape '%zz'"),
        (["GET", "relative/path"], "relative"),
        (["G ET", "/"], "not an HTTP token"),
        (["GET", "/", "--timestamp", "soon"], "'soon'"),
        (["GET", "/api/v1/mails", "--format", "curl"], "needs a full URL"),
        (["GET", "https://h/x?q=a b", "--format", "curl"], "raw space"),
        (["GET", "https://u:hunter2@h/x?q=a b", "--format", "curl"], "'https://u:xxxxx@h/x"),
    ],
)
def test_bad_input_exits_non_zero(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("ncp-sign: error: ")
    assert message in err
    assert SECRET not in err
    assert "hunter2" not in err


def test_reads_the_id_spellings_of_the_environment(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("NCLOUD_ACCESS_KEY")
    monkeypatch.delenv("NCLOUD_SECRET_KEY")
    monkeypatch.setenv("NCLOUD_ACCESS_KEY_ID", "id-spelling-key")
    monkeypatch.setenv("NCLOUD_SECRET_ACCESS_KEY", SECRET)
    assert main(["GET", "/a", "--timestamp", "7"]) == 0
    out = capsys.readouterr().out
    assert "x-ncp-iam-access-key: id-spelling-key" in out
    assert sign("GET", "/a", 7, "id-spelling-key", SECRET) in out


def test_missing_credentials(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("NCLOUD_SECRET_KEY")
    assert main(["GET", "/"]) == 2
    assert "NCLOUD_SECRET_ACCESS_KEY" in capsys.readouterr().err


def test_conflicting_spellings_name_both_variables(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("NCLOUD_SECRET_ACCESS_KEY", "another-secret")
    assert main(["GET", "/"]) == 2
    err = capsys.readouterr().err
    assert "NCLOUD_SECRET_ACCESS_KEY and NCLOUD_SECRET_KEY" in err
    assert SECRET not in err
    assert "another-secret" not in err


@pytest.mark.parametrize(
    "environ",
    [
        {},
        {
            "NCLOUD_ACCESS_KEY": "a",
            "NCLOUD_SECRET_KEY": "s3-one",
            "NCLOUD_SECRET_ACCESS_KEY": "s3-two",
        },
    ],
)
def test_credential_errors_share_the_package_root(environ: dict[str, str]) -> None:
    with pytest.raises(NcpSigningError) as raised:
        credentials_from_environment(environ)
    assert "s3-" not in str(raised.value)


def test_an_empty_url_signs_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["GET", ""]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count(".") == 1


def test_no_flag_accepts_a_secret(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["GET", "/", "--secret-key", "x"])
    assert "unrecognized arguments" in capsys.readouterr().err
