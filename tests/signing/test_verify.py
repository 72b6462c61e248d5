"""The server side: verify() against hand-built headers, mutations, and the clock window."""

from __future__ import annotations

import ast
import base64
import hashlib
import hmac
import traceback
from email.message import Message
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import ncp_signing._verify
from ncp_signing import (
    WINDOW_MS,
    Credentials,
    InvalidArgumentTypeError,
    MissingAuthHeadersError,
    NcpSigningError,
    SignatureMismatchError,
    Signer,
    TimestampOutOfWindowError,
    UnknownAccessKeyError,
    VerificationError,
    canonical_uri,
    sign,
    verify,
)

NOW = 1_700_000_000_000
AK = "verify-access-key"
SK = "verify-Secret-Sentinel-7a1e"
SECRETS = {AK: SK}


def _reference_headers(
    method: str, target: str, stamp: int, ak: str = AK, sk: str = SK
) -> dict[str, str]:
    """Headers computed here, with no help from ncp_signing."""
    message = f"{method} {target}\n{stamp}\n{ak}".encode()
    signature = base64.b64encode(hmac.new(sk.encode(), message, hashlib.sha256).digest()).decode()
    return {
        "x-ncp-apigw-timestamp": str(stamp),
        "x-ncp-iam-access-key": ak,
        "x-ncp-apigw-signature-v2": signature,
    }


def test_accepts_reference_headers() -> None:
    headers = _reference_headers("POST", "/api/v1/mails", NOW)
    result = verify("POST", "/api/v1/mails", headers, SECRETS, now_ms=NOW + 1234)
    assert result.access_key == AK
    assert result.skew_ms == -1234
    assert result.signature_header == "x-ncp-apigw-signature-v2"


def test_header_names_are_case_insensitive_and_v1_is_accepted() -> None:
    headers = _reference_headers("GET", "/a?b", NOW)
    signature = headers.pop("x-ncp-apigw-signature-v2")
    pairs = [
        ("X-Ncp-Apigw-Timestamp", headers["x-ncp-apigw-timestamp"]),
        ("X-NCP-IAM-ACCESS-KEY", AK),
        ("X-Ncp-Apigw-Signature-V1", signature),
    ]
    result = verify("GET", "/a?b", pairs, SECRETS, now_ms=NOW)
    assert result.signature_header == "x-ncp-apigw-signature-v1"


def test_http_server_message_headers_are_read() -> None:
    """``http.server`` hands its handler an email Message, which is not a Mapping."""
    message = Message()
    for name, value in _reference_headers("GET", "/a", NOW).items():
        message[name.title()] = value
    assert verify("GET", "/a", message, SECRETS, now_ms=NOW).access_key == AK


def test_surrogates_in_a_request_only_mismatch() -> None:
    headers = _reference_headers("GET", "/a", NOW)
    headers["x-ncp-apigw-signature-v2"] = "x\ud800"
    with pytest.raises(SignatureMismatchError):
        verify("GET", "/a\ud800", headers, SECRETS, now_ms=NOW)


def test_a_stored_secret_that_is_not_utf8_is_not_shown() -> None:
    headers = _reference_headers("GET", "/a", NOW)
    stored = "SENTINEL" + "\udce9"
    with pytest.raises(UnknownAccessKeyError, match="not valid UTF-8") as info:
        verify("GET", "/a", headers, {AK: stored}, now_ms=NOW)
    assert info.value.__context__ is None
    _assert_secret_hidden(info.value, "SENTINEL")


@pytest.mark.parametrize(
    ("method", "target", "named"),
    [("GET", b"/a", "target must be a str, not bytes"), (b"GET", "/a", "method must be a str")],
)
def test_arguments_of_the_wrong_type_are_named(method: object, target: object, named: str) -> None:
    """An ASGI ``raw_path`` is bytes: it must be decoded, never silently mismatch."""
    headers = _reference_headers("GET", "/a", NOW)
    with pytest.raises(InvalidArgumentTypeError, match=named):
        verify(method, target, headers, SECRETS, now_ms=NOW)  # type: ignore[arg-type]


def test_raw_asgi_header_pairs_are_named_not_missing() -> None:
    pairs = [(n.encode(), v.encode()) for n, v in _reference_headers("GET", "/a", NOW).items()]
    with pytest.raises(InvalidArgumentTypeError, match="header name must be a str, not bytes"):
        verify("GET", "/a", pairs, SECRETS, now_ms=NOW)  # type: ignore[arg-type]


class _Hidden:
    """A secret wrapper such as pydantic's ``SecretStr``."""

    def __init__(self, value: str) -> None:
        self._value = value


def test_a_stored_secret_that_is_not_a_str_is_named_by_type_only() -> None:
    headers = _reference_headers("GET", "/a", NOW)
    with pytest.raises(InvalidArgumentTypeError, match="must be a str, not _Hidden") as info:
        verify("GET", "/a", headers, {AK: _Hidden(SK)}, now_ms=NOW)  # type: ignore[dict-item]
    _assert_secret_hidden(info.value, SK)


def test_secret_lookup_may_be_a_function() -> None:
    headers = _reference_headers("GET", "/", NOW)
    assert verify("GET", "/", headers, SECRETS.get, now_ms=NOW).access_key == AK


@pytest.mark.parametrize(
    "missing", ["x-ncp-apigw-timestamp", "x-ncp-iam-access-key", "x-ncp-apigw-signature-v2"]
)
def test_missing_header(missing: str) -> None:
    headers = _reference_headers("GET", "/", NOW)
    del headers[missing]
    with pytest.raises(MissingAuthHeadersError, match=missing) as info:
        verify("GET", "/", headers, SECRETS, now_ms=NOW)
    assert info.value.details == "Authentication information are missing."
    assert (info.value.http_status, info.value.error_code) == (401, "200")


def test_duplicated_header_is_rejected() -> None:
    headers = list(_reference_headers("GET", "/", NOW).items())
    headers.append(("X-Ncp-Iam-Access-Key", "other"))
    with pytest.raises(MissingAuthHeadersError, match="x-ncp-iam-access-key"):
        verify("GET", "/", headers, SECRETS, now_ms=NOW)


def test_unknown_access_key() -> None:
    headers = _reference_headers("GET", "/", NOW, ak="nobody-key")
    with pytest.raises(UnknownAccessKeyError, match="'nobo'") as info:
        verify("GET", "/", headers, SECRETS, now_ms=NOW)
    assert info.value.details == "Invalid authentication information."


@pytest.mark.parametrize("stamp", ["1700000000", "17e11", "", " ", "-1", "１２３"])
def test_malformed_or_seconds_timestamp(stamp: str) -> None:
    headers = _reference_headers("GET", "/", NOW)
    headers["x-ncp-apigw-timestamp"] = stamp
    with pytest.raises(VerificationError):
        verify("GET", "/", headers, SECRETS, now_ms=NOW)


@pytest.mark.parametrize(
    ("offset", "accepted"),
    [
        (0, True),
        (WINDOW_MS - 1, True),
        (-(WINDOW_MS - 1), True),
        (WINDOW_MS, False),
        (-WINDOW_MS, False),
        (WINDOW_MS + 1, False),
        (-(WINDOW_MS + 1), False),
        (6 * 60_000, False),
    ],
)
def test_window_boundary(offset: int, accepted: bool) -> None:
    """4:59.999 either way passes; exactly 5:00.000 and beyond fail (the Korean docs' rule)."""
    headers = _reference_headers("GET", "/", NOW + offset)
    if accepted:
        assert verify("GET", "/", headers, SECRETS, now_ms=NOW).skew_ms == offset
    else:
        with pytest.raises(TimestampOutOfWindowError) as info:
            verify("GET", "/", headers, SECRETS, now_ms=NOW)
        assert info.value.check == "timestamp"


def test_the_server_checks_the_target_as_received() -> None:
    """A client that drops the query (C7) or signs another encoding (C10) is rejected."""
    signed = _reference_headers("GET", "/photos/puppy.jpg", NOW)
    with pytest.raises(SignatureMismatchError) as info:
        verify("GET", "/photos/puppy.jpg?query1=&query2", signed, SECRETS, now_ms=NOW)
    assert info.value.string_to_sign == f"GET /photos/puppy.jpg?query1=&query2\n{NOW}\n{AK}"
    raw_space = _reference_headers("GET", "/r?t=a b", NOW)
    with pytest.raises(SignatureMismatchError):
        verify("GET", "/r?t=a%20b", raw_space, SECRETS, now_ms=NOW)


def test_non_ascii_signature_is_a_mismatch_not_a_crash() -> None:
    headers = _reference_headers("GET", "/", NOW)
    headers["x-ncp-apigw-signature-v2"] = "é" * 44
    with pytest.raises(SignatureMismatchError):
        verify("GET", "/", headers, SECRETS, now_ms=NOW)


_TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=40)
# Any HTTP token is a method (RFC 9110 section 5.6.2), signed exactly as given.
_METHODS = st.sampled_from(["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "get"]) | st.text(
    st.sampled_from(
        "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
    ),
    min_size=1,
    max_size=12,
)
_KEYS = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=30).map(
    lambda key: f"<{key}>"
)


@st.composite
def _requests(draw: st.DrawFn) -> tuple[str, str, int, str, str]:
    # A leading "//" would start an authority (a network-path reference), not a path.
    path = "/" + draw(_TEXT).replace("?", "").replace("#", "").replace("%", "%25").lstrip("/")
    query = draw(st.none() | _TEXT.map(lambda q: q.replace("#", "")))
    target = canonical_uri(path if query is None else f"{path}?{query}")
    stamp = draw(st.integers(NOW - WINDOW_MS + 1, NOW + WINDOW_MS - 1))
    return draw(_METHODS), target, stamp, draw(_KEYS), "SECRET⟨" + draw(_KEYS) + "⟩"


@settings(max_examples=200)
@given(_requests())
def test_sign_then_verify_round_trips(request: tuple[str, str, int, str, str]) -> None:
    method, target, stamp, ak, sk = request
    headers = Signer(Credentials(ak, sk), clock=lambda: stamp).headers(method, target)
    assert verify(method, target, headers, {ak: sk}, now_ms=NOW).timestamp == stamp


@settings(max_examples=300)
@given(_requests(), st.data())
def test_any_single_change_breaks_verification(
    request: tuple[str, str, int, str, str], data: st.DataObject
) -> None:
    method, target, stamp, ak, sk = request
    headers = Signer(Credentials(ak, sk), clock=lambda: stamp).headers(method, target)
    field = data.draw(
        st.sampled_from(["method", "target", "timestamp", "access_key", "secret", "signature"])
    )
    secrets = {ak: sk}
    if field == "method":
        method = data.draw(_METHODS.filter(lambda m: m != method))
    elif field == "target":
        index = data.draw(st.integers(0, len(target) - 1))
        replacement = data.draw(st.characters(blacklist_categories=("Cs", "Cc")))
        assume(target[index] != replacement)
        target = target[:index] + replacement + target[index + 1 :]
    elif field == "timestamp":
        headers["x-ncp-apigw-timestamp"] = str(stamp + data.draw(st.sampled_from([-1, 1, 1000])))
    elif field == "access_key":
        other = data.draw(_KEYS.filter(lambda k: k != ak))
        headers["x-ncp-iam-access-key"] = other
        secrets[other] = sk
    elif field == "secret":
        secrets[ak] = data.draw(_KEYS.filter(lambda k: k != sk))
    else:
        signature = headers["x-ncp-apigw-signature-v2"]
        index = data.draw(st.integers(0, 42))
        flipped = "A" if signature[index] != "A" else "B"
        headers["x-ncp-apigw-signature-v2"] = signature[:index] + flipped + signature[index + 1 :]
    with pytest.raises((SignatureMismatchError, TimestampOutOfWindowError)) as info:
        verify(method, target, headers, secrets, now_ms=NOW)
    _assert_secret_hidden(info.value, sk)


@settings(max_examples=100)
@given(offset=st.integers(WINDOW_MS, 10 * WINDOW_MS), sign_=st.sampled_from([-1, 1]))
def test_outside_the_window_fails_in_both_directions(offset: int, sign_: int) -> None:
    stamp = NOW + sign_ * offset
    headers = Signer(Credentials(AK, SK), clock=lambda: stamp).headers("GET", "/")
    with pytest.raises(TimestampOutOfWindowError) as info:
        verify("GET", "/", headers, SECRETS, now_ms=NOW)
    _assert_secret_hidden(info.value, SK)


@settings(max_examples=100)
@given(
    offset=st.integers(WINDOW_MS - 1000, WINDOW_MS - 1),
    sign_=st.sampled_from([-1, 1]),
    method=_METHODS,
)
def test_just_inside_the_window_passes_in_both_directions(
    offset: int, sign_: int, method: str
) -> None:
    stamp = NOW + sign_ * offset
    headers = Signer(Credentials(AK, SK), clock=lambda: stamp).headers(method, "/a?b=1")
    assert verify(method, "/a?b=1", headers, SECRETS, now_ms=NOW).skew_ms == sign_ * offset


# Any text at all: control characters, lone surrogates and huge inputs reach the error paths.
_EVERY_CHARACTER = st.characters(blacklist_categories=())
_ANY = st.text(_EVERY_CHARACTER, max_size=40) | st.text(_EVERY_CHARACTER, max_size=3).map(
    lambda t: t * 5000
)


@settings(max_examples=200)
@given(secret=st.text(_EVERY_CHARACTER, max_size=30), method=_ANY, target=_ANY, access_key=_ANY)
def test_no_secret_in_any_signing_error_or_repr(
    secret: str, method: str, target: str, access_key: str
) -> None:
    # Delimiters no message has, so the secret can only show up by being echoed.
    secret = f"⟪{secret}⟫"
    given_text = method + target + access_key
    assume("⟪" not in given_text and "⟫" not in given_text)
    try:
        credentials = Credentials(access_key, secret)
        signer = Signer(credentials)
        for text in (repr(credentials), str(credentials), repr(signer)):
            assert secret not in text
        signer.headers(method, target)
        sign(method, target, NOW, access_key, secret)
    except NcpSigningError as error:
        for part in (secret, "⟪", "⟫"):
            _assert_secret_hidden(error, part)


def _assert_secret_hidden(error: BaseException, secret: str) -> None:
    text = "".join(traceback.format_exception(error)) + repr(error) + str(vars(error))
    assert secret not in text


def test_verify_shares_no_code_with_the_client_side() -> None:
    """The verifier imports only the exceptions, so a canonicalisation bug cannot mirror."""
    source = Path(ncp_signing._verify.__file__).read_text(encoding="utf-8")
    imported = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module is not None:
            imported.add(node.module)
        elif isinstance(node, ast.Import):
            imported.update(alias.name for alias in node.names)
    assert {name for name in imported if name.startswith("ncp_signing")} == {"ncp_signing.exc"}


def test_signatures_are_compared_in_constant_time(monkeypatch: pytest.MonkeyPatch) -> None:
    compared: list[tuple[bytes, bytes]] = []
    original = hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        compared.append((a, b))
        return original(a, b)

    monkeypatch.setattr(hmac, "compare_digest", spy)
    headers = _reference_headers("GET", "/a", NOW)
    verify("GET", "/a", headers, SECRETS, now_ms=NOW)
    assert compared == [(headers["x-ncp-apigw-signature-v2"].encode(),) * 2]
