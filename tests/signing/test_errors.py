"""Bad input: one exception hierarchy, one-sentence messages naming the value, never the secret."""

from __future__ import annotations

from typing import Any

import pytest

from ncp_signing import (
    Credentials,
    InvalidAccessKeyError,
    InvalidArgumentTypeError,
    InvalidInputError,
    InvalidMethodError,
    InvalidTargetError,
    InvalidTimestampError,
    NcpSigningError,
    Signer,
    canonical_uri,
    sign,
)

SECRET = "s3cret-Sentinel-9f1c"


def _sign(**changes: Any) -> str:
    args: dict[str, Any] = {
        "method": "GET",
        "uri": "/api/v1/mails",
        "timestamp": 1700000000000,
        "access_key": "ak",
        "secret_key": SECRET,
    }
    args.update(changes)
    return sign(**args)


@pytest.mark.parametrize(
    ("changes", "error", "named"),
    [
        ({"method": ""}, InvalidMethodError, "empty"),
        ({"method": "GET\r\nX-Injected: 1"}, InvalidMethodError, "'GET\\r\\nX-Injected: 1'"),
        ({"method": "GE T"}, InvalidMethodError, "'GE T'"),
        ({"method": "G\x00"}, InvalidMethodError, "'G\\x00'"),
        ({"uri": "/a\r\nb"}, InvalidTargetError, "'\\r'"),
        ({"uri": "/a?b=\x7f"}, InvalidTargetError, "'\\x7f'"),
        ({"uri": "/a?b=\x85"}, InvalidTargetError, "'\\x85' at index 5"),
        ({"uri": "https://h/\x9f"}, InvalidTargetError, "'\\x9f' at index 10"),
        ({"uri": "/%G0"}, InvalidTargetError, "'%G0'"),
        ({"uri": "api/v1/mails"}, InvalidTargetError, "'api/v1/mails'"),
        ({"uri": "mailto:someone"}, InvalidTargetError, "'mailto:someone'"),
        ({"uri": ":8080/x"}, InvalidTargetError, "':8080/x'"),
        ({"uri": "https://ho st/p"}, InvalidTargetError, "' ' in its host"),
        ({"uri": "https://host:80a/p"}, InvalidTargetError, "invalid port '80a'"),
        ({"uri": "https://[::1/p"}, InvalidTargetError, "unclosed '['"),
        ({"uri": "https://u ser@host/p"}, InvalidTargetError, "user name or password"),
        ({"uri": "https://h/p#%zz"}, InvalidTargetError, "'%zz' in its fragment"),
        ({"uri": "https://ho%zzst/p"}, InvalidTargetError, "'%zz' in its host"),
        ({"uri": "https://h%4/p"}, InvalidTargetError, "'%4' in its host"),
        ({"uri": "https://u%g1@h/p"}, InvalidTargetError, "'%g1' in its user name or password"),
        ({"uri": "/a?q=\udce9"}, InvalidTargetError, "lone surrogate at index 5"),
        ({"access_key": "ak\ud800"}, InvalidAccessKeyError, "lone surrogate"),
        ({"secret_key": SECRET + "\udce9"}, InvalidInputError, "not valid UTF-8"),
        ({"access_key": "ak\nx-evil: 1"}, InvalidAccessKeyError, "'\\n'"),
        ({"access_key": "ak\x85"}, InvalidAccessKeyError, "'\\x85'"),
        ({"timestamp": -1}, InvalidTimestampError, "'-1'"),
        ({"timestamp": "17e11"}, InvalidTimestampError, "'17e11'"),
        ({"timestamp": ""}, InvalidTimestampError, "''"),
        ({"timestamp": "1" * 20}, InvalidTimestampError, "'11111"),
        ({"timestamp": "١٢٣"}, InvalidTimestampError, "'١٢٣'"),
        ({"timestamp": 1.5}, InvalidArgumentTypeError, "float"),
        ({"timestamp": True}, InvalidArgumentTypeError, "bool"),
        ({"method": b"GET"}, InvalidArgumentTypeError, "bytes"),
        ({"method": ["GET"]}, InvalidArgumentTypeError, "list"),
        ({"method": {"GET": 1}}, InvalidArgumentTypeError, "dict"),
        ({"uri": ["/x"]}, InvalidArgumentTypeError, "list"),
        ({"timestamp": [1]}, InvalidArgumentTypeError, "list"),
        ({"access_key": {"ak"}}, InvalidArgumentTypeError, "set"),
        ({"uri": None}, InvalidArgumentTypeError, "NoneType"),
        ({"access_key": 12}, InvalidArgumentTypeError, "int"),
        ({"secret_key": b"raw"}, InvalidArgumentTypeError, "bytes"),
    ],
)
def test_bad_input_is_named(changes: dict[str, Any], error: type[Exception], named: str) -> None:
    with pytest.raises(error) as info:
        _sign(**changes)
    message = str(info.value)
    assert isinstance(info.value, NcpSigningError)
    assert named in message
    assert SECRET not in message
    assert message.endswith(".")
    assert message.count(". ") == 0  # one sentence


def test_value_and_type_errors_are_also_builtin_kinds() -> None:
    with pytest.raises(ValueError, match="empty"):
        _sign(method="")
    with pytest.raises(TypeError, match="bytes"):
        _sign(uri=b"/x")
    assert issubclass(InvalidInputError, ValueError)


def test_huge_input_is_shortened_in_the_message() -> None:
    huge = "/" + "a" * 100_000 + "%zz"
    with pytest.raises(InvalidTargetError) as info:
        canonical_uri(huge)
    assert len(str(info.value)) < 300
    assert "100004 characters" in str(info.value)


def test_huge_valid_target_signs() -> None:
    huge = "/api/v1/mails?" + "&".join(f"k{i}=v" for i in range(50_000))
    assert len(_sign(uri=huge)) == 44


def test_credentials_reject_empty_and_bad_values() -> None:
    with pytest.raises(InvalidInputError, match="access key is empty"):
        Credentials("", SECRET)
    with pytest.raises(InvalidInputError, match="secret key for access key 'AKIA…' is empty"):
        Credentials("AKIAXYZ", "")
    with pytest.raises(InvalidAccessKeyError):
        Credentials("AK\r\n", SECRET)
    with pytest.raises(InvalidInputError, match="starts or ends with a space"):
        Credentials("AKIA123 ", SECRET)
    with pytest.raises(InvalidArgumentTypeError, match="bytes"):
        Credentials("AK", b"secret")  # type: ignore[arg-type]


def test_credentials_never_show_the_secret() -> None:
    credentials = Credentials("AKIAEXAMPLE123", SECRET)
    for text in (repr(credentials), str(credentials), f"{credentials}", repr(Signer(credentials))):
        assert SECRET not in text
        assert "AKIA" in text
        assert "AKIAEXAMPLE123" not in text


def test_signer_rejects_a_bad_clock_reading() -> None:
    signer = Signer(Credentials("ak", SECRET), clock=lambda: -5)
    with pytest.raises(InvalidTimestampError, match="'-5'"):
        signer.headers("GET", "/")


@pytest.mark.parametrize("method", [["GET"], {"GET": 1}, b"GET", None])
def test_signer_names_a_method_of_the_wrong_type(method: Any) -> None:
    signer = Signer(Credentials("ak", SECRET))
    for call in (signer.headers, signer.wire_headers):
        with pytest.raises(InvalidArgumentTypeError, match=type(method).__name__):
            call(method, "/")


def test_signer_checks_its_arguments() -> None:
    with pytest.raises(InvalidArgumentTypeError, match="str"):
        Signer("ak:sk")  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="x-custom"):
        Signer(Credentials("ak", SECRET), signature_header="x-custom")


def test_a_secret_that_is_not_utf8_never_shows() -> None:
    secret = "SENTINEL-\udce9-secret"
    with pytest.raises(InvalidInputError) as info:
        Credentials("AKIAEXAMPLE", secret)
    assert "'AKIA'" in str(info.value)
    assert "SENTINEL" not in repr(info.value.args)
    assert info.value.__cause__ is None
    assert info.value.__context__ is None


@pytest.mark.parametrize(
    "url",
    [
        "https://user:Pass-Sentinel@host/%zz",
        "https://user:Pass-Sentinel@h@st/p\n",
        "HTTP://user:Pass-Sentinel@host:80a/p",
        "https://user:Pass-Sentinel@ho st/p",
    ],
)
def test_a_password_in_a_refused_url_is_hidden(url: str) -> None:
    with pytest.raises(InvalidTargetError) as info:
        canonical_uri(url)
    assert "Pass-Sentinel" not in str(info.value)
    assert "user:xxxxx@" in str(info.value)


@pytest.mark.parametrize(
    ("url", "target"),
    [
        ("http:/path?q", "/path?q"),  # a scheme and an absolute path, as Go reads it
        ("*", "*"),  # OPTIONS *
        ("https://[::1]:8443/x", "/x"),
        ("https://user:pa%20ss@host:443/x", "/x"),
        ("https://h/p#ok%20fragment", "/p"),
    ],
)
def test_go_compatible_edges(url: str, target: str) -> None:
    assert canonical_uri(url) == target
