"""django_fedcm.rp.refresh: renewing an ID token with the refresh token.

The token endpoint is a local HTTP server on 127.0.0.1 (every wait bounded),
except the last tests, which refresh against this project's own OAuth door
through the Django test client.
"""

from __future__ import annotations

import base64
import http.server
import json
import socket
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.test import Client
from jwcrypto import jwk

from django_fedcm import rp
from django_fedcm.rp import refresh
from tests.oauth.conftest import make_pkce
from tests.oauth.test_fedcm_code import assertion, exchange, oauth_params
from tests.rp.servers import DripServer
from tests.rp.tokens import CLIENT, ISSUER, NONCE, FakeJWKS, claims, sign

DEADLINE = 1.0
MARGIN = 2.0

#: The claims of the ID token the session started with.
ORIGINAL = claims(iat=int(time.time()) - 600, exp=int(time.time()) - 300, auth_time=1_000)


@dataclass
class Answer:
    status: int = 200
    body: bytes = b"{}"
    headers: dict[str, str] = field(default_factory=lambda: {"Content-Type": "application/json"})
    declare_length: bool = True  # False: no Content-Length, the body ends when the server closes


class TokenEndpoint:
    """A token endpoint on 127.0.0.1 that answers with ``answer`` and keeps
    every request it received (path, headers, form)."""

    def __init__(self) -> None:
        self.answer = Answer()
        self.requests: list[dict[str, Any]] = []
        endpoint = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                form = dict(urllib.parse.parse_qsl(self.rfile.read(length).decode()))
                endpoint.requests.append(
                    {"path": self.path, "headers": dict(self.headers), "form": form}
                )
                self.send_response(endpoint.answer.status)
                for name, value in endpoint.answer.headers.items():
                    self.send_header(name, value)
                if endpoint.answer.declare_length:
                    self.send_header("Content-Length", str(len(endpoint.answer.body)))
                self.end_headers()
                self.wfile.write(endpoint.answer.body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/o/token/"
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    def reply(self, status: int = 200, **body: Any) -> None:
        self.answer = Answer(status, json.dumps(body).encode())

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=2)


@pytest.fixture
def token_endpoint() -> Iterator[TokenEndpoint]:
    endpoint = TokenEndpoint()
    yield endpoint
    endpoint.close()


@pytest.fixture
def refresher(
    make_verifier: Callable[..., tuple[rp.IdTokenVerifier, FakeJWKS]],
    token_endpoint: TokenEndpoint,
) -> rp.TokenRefresher:
    verifier, _ = make_verifier()
    return rp.TokenRefresher(verifier=verifier, token_endpoint=token_endpoint.url, timeout=DEADLINE)


@pytest.fixture
def id_token(rsa_key: jwk.JWK) -> Callable[..., str]:
    """A refreshed ID token: the original's claims, a new iat/exp, no nonce."""

    def make(**overrides: Any) -> str:
        now = int(time.time())
        values = {**ORIGINAL, "iat": now, "exp": now + 300, "nonce": None, **overrides}
        return sign(rsa_key, {k: v for k, v in values.items() if v is not None})

    return make


# --------------------------------------------------------------------------- the exchange


def test_refresh_returns_the_new_tokens_with_the_id_token_verified(
    refresher: rp.TokenRefresher, token_endpoint: TokenEndpoint, id_token: Callable[..., str]
) -> None:
    token = id_token()
    token_endpoint.reply(
        id_token=token, access_token="a2", refresh_token="r2", expires_in=300, scope="openid"
    )
    tokens = refresher.refresh("r1", previous_claims=ORIGINAL)
    assert tokens.id_token == token
    assert tokens.claims["sub"] == ORIGINAL["sub"] and "nonce" not in tokens.claims
    assert (tokens.refresh_token, tokens.rotated) == ("r2", True)
    assert (tokens.access_token, tokens.expires_in, tokens.scope) == ("a2", 300, "openid")
    [request] = token_endpoint.requests
    assert request["path"] == "/o/token/"
    assert request["form"] == {
        "grant_type": "refresh_token",
        "refresh_token": "r1",
        "client_id": CLIENT,
    }
    assert request["headers"]["Content-Type"] == "application/x-www-form-urlencoded"
    assert "Authorization" not in request["headers"]


def test_an_unrotated_refresh_token_is_kept(
    refresher: rp.TokenRefresher, token_endpoint: TokenEndpoint, id_token: Callable[..., str]
) -> None:
    token_endpoint.reply(id_token=id_token(), expires_in="300", access_token=7)
    tokens = refresher.refresh("r1", previous_claims=ORIGINAL)
    assert (tokens.refresh_token, tokens.rotated) == ("r1", False)
    assert (tokens.access_token, tokens.expires_in, tokens.scope) == (None, None, None)


def test_a_confidential_client_authenticates_with_http_basic(
    make_verifier: Callable[..., tuple[rp.IdTokenVerifier, FakeJWKS]],
    token_endpoint: TokenEndpoint,
    id_token: Callable[..., str],
) -> None:
    verifier, _ = make_verifier()
    refresher = rp.TokenRefresher(
        verifier=verifier, token_endpoint=token_endpoint.url, client_secret="s3cret:+/"
    )
    token_endpoint.reply(id_token=id_token())
    refresher.refresh("r1", previous_claims=ORIGINAL, scope="openid email")
    [request] = token_endpoint.requests
    assert "client_id" not in request["form"]
    assert request["form"]["scope"] == "openid email"
    encoded = request["headers"]["Authorization"].removeprefix("Basic ")
    # RFC 6749 §2.3.1: each part form-encoded, then Basic.
    assert base64.b64decode(encoded).decode() == "rp-client:s3cret%3A%2B%2F"


def test_the_token_endpoint_defaults_to_the_oauth_door_and_must_be_http(
    make_verifier: Callable[..., tuple[rp.IdTokenVerifier, FakeJWKS]],
) -> None:
    verifier, _ = make_verifier()
    assert rp.TokenRefresher(verifier=verifier).token_endpoint == f"{ISSUER}/o/token/"
    with pytest.raises(ValueError, match="http"):
        rp.TokenRefresher(verifier=verifier, token_endpoint="file:///etc/passwd")
    with pytest.raises(ValueError, match="http"):
        refresh.post_form("ftp://idp.test/token", b"", {}, 1, 1024)


# --------------------------------------------------------------------------- refusals


@pytest.mark.parametrize(
    ("status", "body", "error"),
    [
        (400, {"error": "invalid_grant"}, "invalid_grant"),
        (401, {"error": "invalid_client"}, "invalid_client"),
        (403, {}, "invalid_grant"),
        (400, {"error": "<script>"}, "invalid_grant"),
        (400, ["invalid_grant"], "invalid_grant"),
    ],
)
def test_a_refused_refresh_token_is_rejected(
    refresher: rp.TokenRefresher,
    token_endpoint: TokenEndpoint,
    status: int,
    body: Any,
    error: str,
) -> None:
    token_endpoint.answer = Answer(status, json.dumps(body).encode())
    with pytest.raises(rp.RefreshRejected) as caught:
        refresher.refresh("r1", previous_claims=ORIGINAL)
    assert caught.value.error == error
    assert not caught.value.retryable
    assert "r1" not in str(caught.value)


@pytest.mark.parametrize(
    ("answer", "error"),
    [
        (Answer(503, b'{"error": "temporarily_unavailable"}'), "temporarily_unavailable"),
        (Answer(429, b"slow down"), "temporarily_unavailable"),
        (Answer(400, b'{"error": "server_error"}'), "server_error"),
        (Answer(500, b"<html>"), "temporarily_unavailable"),
        (Answer(200, b"not json"), "temporarily_unavailable"),
        (Answer(200, b'["id_token"]'), "temporarily_unavailable"),
    ],
)
def test_a_failing_idp_is_unavailable_not_a_rejection(
    refresher: rp.TokenRefresher, token_endpoint: TokenEndpoint, answer: Answer, error: str
) -> None:
    token_endpoint.answer = answer
    with pytest.raises(rp.RefreshUnavailable) as caught:
        refresher.refresh("r1", previous_claims=ORIGINAL)
    assert caught.value.error == error
    assert caught.value.retryable


@pytest.mark.parametrize("status", [302, 307])
def test_a_redirect_is_never_followed(
    refresher: rp.TokenRefresher, token_endpoint: TokenEndpoint, status: int
) -> None:
    token_endpoint.answer = Answer(status, b"", {"Location": "http://127.0.0.1:9/steal"})
    with pytest.raises(rp.RefreshUnavailable):
        refresher.refresh("r1", previous_claims=ORIGINAL)
    assert len(token_endpoint.requests) == 1


def test_an_answer_without_an_id_token_is_refused(
    refresher: rp.TokenRefresher, token_endpoint: TokenEndpoint
) -> None:
    token_endpoint.reply(access_token="a2", refresh_token="r2")
    with pytest.raises(rp.InvalidToken, match="openid"):
        refresher.refresh("r1", previous_claims=ORIGINAL)


def test_no_refresh_token_or_no_previous_claims_sends_nothing(
    refresher: rp.TokenRefresher, token_endpoint: TokenEndpoint
) -> None:
    with pytest.raises(rp.RefreshRejected):
        refresher.refresh("", previous_claims=ORIGINAL)
    with pytest.raises(TypeError):
        refresher.refresh("r1", previous_claims={"iss": ISSUER})
    with pytest.raises(TypeError):
        refresher.refresh("r1", previous_claims=None)  # type: ignore[arg-type]
    assert token_endpoint.requests == []


# --------------------------------------------------------------------------- bounded


def test_a_dripping_token_endpoint_is_cut_off_at_the_deadline(
    refresher: rp.TokenRefresher, drip_server: Callable[..., DripServer]
) -> None:
    server = drip_server(b"HTTP/1.1 200 OK\r\nContent-Length: 250\r\n\r\n", b"{" + b" " * 240)
    refresher.token_endpoint = server.url(path="/o/token/")
    started = time.monotonic()
    with pytest.raises(rp.RefreshUnavailable):
        refresher.refresh("r1", previous_claims=ORIGINAL)
    assert time.monotonic() - started < DEADLINE + MARGIN


def test_an_unreachable_endpoint_is_unavailable() -> None:
    with socket.socket() as placeholder:  # a port nobody listens on
        placeholder.bind(("127.0.0.1", 0))
        port = placeholder.getsockname()[1]
    verifier = rp.IdTokenVerifier(issuer=f"http://127.0.0.1:{port}", client_id=CLIENT)
    with pytest.raises(rp.RefreshUnavailable):
        rp.TokenRefresher(verifier=verifier, timeout=DEADLINE).refresh(
            "r1", previous_claims=ORIGINAL
        )


def test_a_large_answer_is_refused(
    make_verifier: Callable[..., tuple[rp.IdTokenVerifier, FakeJWKS]],
    token_endpoint: TokenEndpoint,
) -> None:
    verifier, _ = make_verifier()
    small = rp.TokenRefresher(verifier=verifier, token_endpoint=token_endpoint.url, max_bytes=1024)
    token_endpoint.answer = Answer(200, b"{" + b" " * 2000 + b"}")  # a declared length
    with pytest.raises(rp.RefreshUnavailable):
        small.refresh("r1", previous_claims=ORIGINAL)
    token_endpoint.answer = Answer(200, b"{" + b" " * 2000 + b"}", declare_length=False)
    with pytest.raises(rp.RefreshUnavailable, match="too large"):
        small.refresh("r1", previous_claims=ORIGINAL)


def test_an_injected_post_replaces_http_and_its_failures_are_unavailable(
    make_verifier: Callable[..., tuple[rp.IdTokenVerifier, FakeJWKS]],
    id_token: Callable[..., str],
) -> None:
    verifier, _ = make_verifier()
    token = id_token()
    calls: list[tuple[str, float]] = []

    def post(url: str, body: bytes, headers: Any, timeout: float) -> tuple[int, bytes]:
        calls.append((url, timeout))
        return 200, json.dumps({"id_token": token}).encode()

    assert (
        rp.TokenRefresher(verifier=verifier, post=post, timeout=3)
        .refresh("r1", previous_claims=ORIGINAL)
        .claims["sub"]
        == ORIGINAL["sub"]
    )
    assert calls == [(f"{ISSUER}/o/token/", 3)]

    def broken(url: str, body: bytes, headers: Any, timeout: float) -> tuple[int, bytes]:
        raise RuntimeError("no network")

    with pytest.raises(rp.RefreshUnavailable):
        rp.TokenRefresher(verifier=verifier, post=broken).refresh("r1", previous_claims=ORIGINAL)


def test_post_form_returns_an_error_status_and_reads_one_byte_over_the_limit(
    token_endpoint: TokenEndpoint,
) -> None:
    token_endpoint.answer = Answer(400, b"x" * 5000, declare_length=False)
    status, body = refresh.post_form(token_endpoint.url, b"a=b", {}, 5, 1024)
    assert (status, body) == (400, b"x" * 1025)
    assert token_endpoint.requests[0]["form"] == {"a": "b"}


# --------------------------------------------------------------------------- OIDC Core §12.2


@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        ({"sub": "43"}, rp.InvalidToken),
        ({"aud": [CLIENT, "other"], "azp": CLIENT}, rp.InvalidAudience),
        ({"azp": CLIENT}, rp.InvalidAudience),
        ({"auth_time": 2_000}, rp.InvalidToken),
        ({"iat": ORIGINAL["iat"] - 1}, rp.InvalidToken),
        ({"nonce": "n-other"}, rp.InvalidNonce),
        ({"nonce": 5}, rp.InvalidNonce),
    ],
)
def test_a_refreshed_id_token_must_continue_the_original(
    refresher: rp.TokenRefresher,
    token_endpoint: TokenEndpoint,
    id_token: Callable[..., str],
    overrides: dict[str, Any],
    error: type[Exception],
) -> None:
    token_endpoint.reply(id_token=id_token(**overrides))
    with pytest.raises(error):
        refresher.refresh("r1", previous_claims=ORIGINAL)


def test_a_different_original_issuer_is_refused() -> None:
    fresh = claims(nonce=None)
    with pytest.raises(rp.InvalidIssuer):
        refresh.check_continuity(fresh, {**ORIGINAL, "iss": "https://other.test"})


@pytest.mark.parametrize(
    ("overrides", "original"),
    [
        ({}, ORIGINAL),  # no nonce: what §12.2 asks for
        ({"nonce": NONCE}, ORIGINAL),  # the original nonce repeated is allowed
        ({"auth_time": None}, ORIGINAL),  # auth_time is compared only when both have it
        ({}, {k: v for k, v in ORIGINAL.items() if k not in ("auth_time", "iat")}),
    ],
)
def test_what_a_refreshed_id_token_may_do(
    refresher: rp.TokenRefresher,
    token_endpoint: TokenEndpoint,
    id_token: Callable[..., str],
    overrides: dict[str, Any],
    original: dict[str, Any],
) -> None:
    token_endpoint.reply(id_token=id_token(**overrides))
    assert refresher.refresh("r1", previous_claims=original).claims["sub"] == "42"


def test_a_nonce_where_the_original_had_none_is_refused(
    refresher: rp.TokenRefresher, token_endpoint: TokenEndpoint, id_token: Callable[..., str]
) -> None:
    token_endpoint.reply(id_token=id_token(nonce=NONCE))
    without = {k: v for k, v in ORIGINAL.items() if k != "nonce"}
    with pytest.raises(rp.InvalidNonce):
        refresher.refresh("r1", previous_claims=without)


def test_the_verifier_still_checks_signature_and_expiry(
    refresher: rp.TokenRefresher, token_endpoint: TokenEndpoint, id_token: Callable[..., str]
) -> None:
    token_endpoint.reply(id_token=id_token(exp=int(time.time()) - 100))
    with pytest.raises(rp.TokenExpired):
        refresher.refresh("r1", previous_claims=ORIGINAL)
    other = jwk.JWK.generate(kty="RSA", size=2048, kid="rsa-1")
    now = int(time.time())
    token_endpoint.reply(id_token=sign(other, {**ORIGINAL, "iat": now, "exp": now + 300}))
    with pytest.raises(rp.InvalidSignature):
        refresher.refresh("r1", previous_claims=ORIGINAL)


# --------------------------------------------------------------------------- this IdP


@pytest.fixture
def idp_refresher(db: None) -> rp.TokenRefresher:
    """rp-client's refresher talking to this project's OAuth door (test client)."""
    client = Client()

    def fetch(url: str, timeout: float) -> bytes:
        return bytes(client.get(url.removeprefix("https://idp.test")).content)

    def post(url: str, body: bytes, headers: Any, timeout: float) -> tuple[int, bytes]:
        form = dict(urllib.parse.parse_qsl(body.decode()))
        response = Client().post(url.removeprefix("https://idp.test"), form)
        return response.status_code, bytes(response.content)

    verifier = rp.IdTokenVerifier(
        issuer="https://idp.test",
        client_id="rp-client",
        jwks_client=rp.JWKSClient("https://idp.test/fedcm/jwks.json", fetch=fetch),
    )
    return rp.TokenRefresher(verifier=verifier, post=post)


def test_this_idp_refreshes_with_a_continuing_id_token_and_rotates(
    client: Client, fedcm_returning: Any, idp_refresher: rp.TokenRefresher
) -> None:
    pkce = make_pkce()
    code = assertion(client, fedcm_returning, oauth_params(pkce)).json()["token"]
    first = exchange(code, pkce.verifier).json()
    original = idp_refresher.verifier.verify(first["id_token"], nonce="n-oauth")

    tokens = idp_refresher.refresh(first["refresh_token"], previous_claims=original)
    assert tokens.claims["sub"] == original["sub"] == str(fedcm_returning.pk)
    assert original["nonce"] == "n-oauth" and "nonce" not in tokens.claims  # §12.2 SHOULD NOT
    assert tokens.rotated and tokens.refresh_token != first["refresh_token"]

    again = idp_refresher.refresh(tokens.refresh_token, previous_claims=tokens.claims)
    assert again.claims["sub"] == original["sub"]
    # The rotated-away token is dead (RFC 6749 §6).
    with pytest.raises(rp.RefreshRejected) as caught:
        idp_refresher.refresh(first["refresh_token"], previous_claims=original)
    assert caught.value.error == "invalid_grant"
