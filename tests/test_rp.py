"""django_fedcm.rp: JWKS caching and ID-token verification (no database)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import pytest
from jwcrypto import jwk, jws

from django_fedcm import rp

ISSUER = "https://idp.test"
CLIENT = "rp-client"


class Clock:
    def __init__(self, now: float = 1_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture(scope="module")
def rsa_key() -> jwk.JWK:
    key = jwk.JWK.generate(kty="RSA", size=2048, kid="rsa-1")
    return key


@pytest.fixture(scope="module")
def ec_key() -> jwk.JWK:
    return jwk.JWK.generate(kty="EC", crv="P-256", kid="ec-1")


@pytest.fixture(scope="module")
def ed_key() -> jwk.JWK:
    return jwk.JWK.generate(kty="OKP", crv="Ed25519", kid="ed-1")


def public(key: jwk.JWK, alg: str) -> dict[str, Any]:
    data = key.export_public(as_dict=True)
    data.update({"alg": alg, "use": "sig"})
    return data


def sign(key: jwk.JWK, claims: dict[str, Any], alg: str = "RS256", **header: Any) -> str:
    header = {"alg": alg, "kid": key.get("kid"), "typ": "JWT", **header}
    header = {k: v for k, v in header.items() if v is not None}
    token = jws.JWS(json.dumps(claims).encode())
    token.add_signature(key, alg=alg, protected=json.dumps(header))
    return str(token.serialize(compact=True))


def claims(**overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    base: dict[str, Any] = {
        "iss": ISSUER,
        "aud": CLIENT,
        "sub": "42",
        "iat": now,
        "exp": now + 300,
        "nonce": "n-123",
    }
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not None}


class FakeJWKS:
    """A fetch function serving a mutable key list and counting calls."""

    def __init__(self, *keys: dict[str, Any]) -> None:
        self.keys = list(keys)
        self.calls = 0
        self.fail = False

    def __call__(self, url: str, timeout: float) -> bytes:
        self.calls += 1
        if self.fail:
            raise OSError("connection refused")
        return json.dumps({"keys": self.keys}).encode()


@pytest.fixture
def make_verifier(rsa_key: jwk.JWK) -> Callable[..., tuple[rp.IdTokenVerifier, FakeJWKS]]:
    def make(*keys: dict[str, Any], **kwargs: Any) -> tuple[rp.IdTokenVerifier, FakeJWKS]:
        fetch = FakeJWKS(*(keys or (public(rsa_key, "RS256"),)))
        client_kwargs = {
            k: kwargs.pop(k) for k in ("cache_seconds", "min_refetch_interval") if k in kwargs
        }
        client = rp.JWKSClient(
            f"{ISSUER}/fedcm/jwks.json",
            fetch=fetch,
            clock=kwargs.pop("jwks_clock", time.monotonic),
            **client_kwargs,
        )
        verifier = rp.IdTokenVerifier(issuer=ISSUER, client_id=CLIENT, jwks_client=client, **kwargs)
        return verifier, fetch

    return make


# --------------------------------------------------------------------------- happy paths


@pytest.mark.parametrize(
    ("key_name", "alg"), [("rsa_key", "RS256"), ("ec_key", "ES256"), ("ed_key", "EdDSA")]
)
def test_verify_accepts_each_supported_algorithm(
    request: pytest.FixtureRequest, make_verifier: Callable[..., Any], key_name: str, alg: str
) -> None:
    key = request.getfixturevalue(key_name)
    verifier, _ = make_verifier(public(key, alg))
    result = verifier.verify(sign(key, claims(), alg), nonce="n-123")
    assert result["sub"] == "42"
    assert result["aud"] == CLIENT


def test_default_jwks_uri_is_the_fedcm_jwks_of_the_issuer() -> None:
    verifier = rp.IdTokenVerifier(issuer="https://idp.test/", client_id=CLIENT)
    assert verifier.issuer == "https://idp.test"
    assert verifier.jwks_uri == "https://idp.test/fedcm/jwks.json"
    assert verifier.jwks_client.jwks_uri == verifier.jwks_uri


def test_audience_list_containing_client_with_azp_is_accepted(
    make_verifier: Callable[..., Any], rsa_key: jwk.JWK
) -> None:
    verifier, _ = make_verifier()
    token = sign(rsa_key, claims(aud=[CLIENT, "other"], azp=CLIENT))
    assert verifier.verify(token)["azp"] == CLIENT


def test_nonce_is_not_checked_when_not_given(
    make_verifier: Callable[..., Any], rsa_key: jwk.JWK
) -> None:
    verifier, _ = make_verifier()
    assert verifier.verify(sign(rsa_key, claims(nonce=None)))["sub"] == "42"


def test_leeway_accepts_slightly_expired_token(
    make_verifier: Callable[..., Any], rsa_key: jwk.JWK
) -> None:
    now = int(time.time())
    verifier, _ = make_verifier(leeway=30)
    assert verifier.verify(sign(rsa_key, claims(iat=now - 400, exp=now - 10)))


# --------------------------------------------------------------------------- failures


@pytest.mark.checklist(35)
def test_token_for_another_audience_is_refused(
    make_verifier: Callable[..., Any], rsa_key: jwk.JWK
) -> None:
    verifier, _ = make_verifier()
    with pytest.raises(rp.InvalidAudience):
        verifier.verify(sign(rsa_key, claims(aud="other-client")))
    with pytest.raises(rp.InvalidAudience):
        verifier.verify(sign(rsa_key, claims(aud=[CLIENT, "other"])))  # no azp
    with pytest.raises(rp.InvalidAudience):
        verifier.verify(sign(rsa_key, claims(aud=None)))


def test_wrong_issuer_is_refused(make_verifier: Callable[..., Any], rsa_key: jwk.JWK) -> None:
    verifier, _ = make_verifier()
    with pytest.raises(rp.InvalidIssuer):
        verifier.verify(sign(rsa_key, claims(iss="https://evil.test")))


def test_expired_token_is_refused(make_verifier: Callable[..., Any], rsa_key: jwk.JWK) -> None:
    now = int(time.time())
    verifier, _ = make_verifier(leeway=30)
    with pytest.raises(rp.TokenExpired):
        verifier.verify(sign(rsa_key, claims(iat=now - 400, exp=now - 31)))


def test_token_issued_in_the_future_is_refused(
    make_verifier: Callable[..., Any], rsa_key: jwk.JWK
) -> None:
    now = int(time.time())
    verifier, _ = make_verifier(leeway=30)
    with pytest.raises(rp.InvalidToken):
        verifier.verify(sign(rsa_key, claims(iat=now + 120, exp=now + 500)))


@pytest.mark.parametrize("missing", ["exp", "iat"])
def test_missing_time_claims_are_refused(
    make_verifier: Callable[..., Any], rsa_key: jwk.JWK, missing: str
) -> None:
    verifier, _ = make_verifier()
    with pytest.raises(rp.InvalidToken):
        verifier.verify(sign(rsa_key, claims(**{missing: None})))


@pytest.mark.checklist(34)
def test_nonce_mismatch_or_absence_is_refused_when_expected(
    make_verifier: Callable[..., Any], rsa_key: jwk.JWK
) -> None:
    verifier, _ = make_verifier()
    with pytest.raises(rp.InvalidNonce):
        verifier.verify(sign(rsa_key, claims()), nonce="other")
    with pytest.raises(rp.InvalidNonce):
        verifier.verify(sign(rsa_key, claims(nonce=None)), nonce="n-123")


def test_tampered_token_is_refused(make_verifier: Callable[..., Any], rsa_key: jwk.JWK) -> None:
    verifier, _ = make_verifier()
    header, _payload, signature = sign(rsa_key, claims()).split(".")
    forged = jws.base64url_encode(json.dumps(claims(sub="1")).encode())
    with pytest.raises(rp.InvalidSignature):
        verifier.verify(f"{header}.{forged}.{signature}")


def test_token_signed_by_a_foreign_key_with_a_known_kid_is_refused(
    make_verifier: Callable[..., Any], rsa_key: jwk.JWK
) -> None:
    verifier, _ = make_verifier()
    attacker = jwk.JWK.generate(kty="EC", crv="P-256", kid="rsa-1")
    with pytest.raises(rp.InvalidSignature):
        verifier.verify(sign(attacker, claims(), "ES256"))


@pytest.mark.parametrize("alg", ["none", "HS256"])
def test_disallowed_algorithms_are_refused(
    make_verifier: Callable[..., Any], rsa_key: jwk.JWK, alg: str
) -> None:
    verifier, _ = make_verifier()
    header = jws.base64url_encode(json.dumps({"alg": alg, "kid": "rsa-1"}).encode())
    payload = jws.base64url_encode(json.dumps(claims()).encode())
    with pytest.raises(rp.InvalidSignature):
        verifier.verify(f"{header}.{payload}.c2ln")


@pytest.mark.parametrize(
    "token",
    ["", "abc", "a.b", "a.b.c", "x" * (rp.MAX_TOKEN_BYTES + 1), "e30.e30.e30.e30"],
)
def test_malformed_tokens_raise_invalid_token(
    make_verifier: Callable[..., Any], token: str
) -> None:
    verifier, fetch = make_verifier()
    with pytest.raises(rp.InvalidToken):
        verifier.verify(token)
    assert fetch.calls == 0  # garbage never costs a network request


def test_non_object_payload_is_refused(make_verifier: Callable[..., Any], rsa_key: jwk.JWK) -> None:
    verifier, _ = make_verifier()
    token = jws.JWS(b"[1, 2]")
    token.add_signature(
        rsa_key, alg="RS256", protected=json.dumps({"alg": "RS256", "kid": "rsa-1"})
    )
    with pytest.raises(rp.InvalidToken):
        verifier.verify(token.serialize(compact=True))


def test_every_error_is_a_token_verification_error() -> None:
    for cls in (
        rp.InvalidToken,
        rp.InvalidSignature,
        rp.UnknownKey,
        rp.InvalidIssuer,
        rp.InvalidAudience,
        rp.TokenExpired,
        rp.InvalidNonce,
        rp.JWKSFetchError,
    ):
        assert issubclass(cls, rp.TokenVerificationError)


# --------------------------------------------------------------------------- JWKS cache


def test_jwks_is_fetched_once_and_cached(
    make_verifier: Callable[..., Any], rsa_key: jwk.JWK
) -> None:
    verifier, fetch = make_verifier()
    for _ in range(5):
        verifier.verify(sign(rsa_key, claims()))
    assert fetch.calls == 1


def test_unknown_kid_refetches_once_and_picks_up_a_rotated_key(
    make_verifier: Callable[..., Any], rsa_key: jwk.JWK, ec_key: jwk.JWK
) -> None:
    verifier, fetch = make_verifier()
    verifier.verify(sign(rsa_key, claims()))
    fetch.keys.append(public(ec_key, "ES256"))  # the IdP rotated
    clock = Clock()
    verifier.jwks_client._clock = clock
    verifier.jwks_client._attempted_at = clock.now - 60
    verifier.jwks_client._fetched_at = clock.now - 60
    assert verifier.verify(sign(ec_key, claims(), "ES256"))["sub"] == "42"
    assert fetch.calls == 2


def test_unknown_kid_refetch_is_rate_limited(
    make_verifier: Callable[..., Any], rsa_key: jwk.JWK
) -> None:
    clock = Clock()
    verifier, fetch = make_verifier(jwks_clock=clock, min_refetch_interval=30)
    verifier.verify(sign(rsa_key, claims()))
    stranger = jwk.JWK.generate(kty="EC", crv="P-256", kid="random")
    for _ in range(20):
        with pytest.raises(rp.UnknownKey):
            verifier.verify(sign(stranger, claims(), "ES256"))
    assert fetch.calls == 1  # within the interval: no refetch at all
    clock.now += 31
    with pytest.raises(rp.UnknownKey):
        verifier.verify(sign(stranger, claims(), "ES256"))
    assert fetch.calls == 2


def test_stale_jwks_is_refetched_after_cache_seconds(
    make_verifier: Callable[..., Any], rsa_key: jwk.JWK
) -> None:
    clock = Clock()
    verifier, fetch = make_verifier(jwks_clock=clock, cache_seconds=300)
    verifier.verify(sign(rsa_key, claims()))
    clock.now += 301
    verifier.verify(sign(rsa_key, claims()))
    assert fetch.calls == 2


def test_stale_jwks_after_key_removed_refuses_token(
    make_verifier: Callable[..., Any], rsa_key: jwk.JWK
) -> None:
    """A key the IdP stopped publishing (retired past its grace period, or
    compromised) stops verifying once the cache refreshes."""
    clock = Clock()
    verifier, fetch = make_verifier(jwks_clock=clock, cache_seconds=300)
    verifier.verify(sign(rsa_key, claims()))
    fetch.keys = []
    clock.now += 301
    with pytest.raises(rp.UnknownKey):
        verifier.verify(sign(rsa_key, claims()))


def test_failed_refresh_keeps_the_stale_key_set(
    make_verifier: Callable[..., Any], rsa_key: jwk.JWK
) -> None:
    clock = Clock()
    verifier, fetch = make_verifier(jwks_clock=clock, cache_seconds=300)
    verifier.verify(sign(rsa_key, claims()))
    fetch.fail = True
    clock.now += 301
    assert verifier.verify(sign(rsa_key, claims()))["sub"] == "42"


def test_unreachable_jwks_without_cache_raises_fetch_error(
    make_verifier: Callable[..., Any], rsa_key: jwk.JWK
) -> None:
    verifier, fetch = make_verifier()
    fetch.fail = True
    with pytest.raises(rp.JWKSFetchError) as excinfo:
        verifier.verify(sign(rsa_key, claims()))
    assert excinfo.value.error == "temporarily_unavailable"


@pytest.mark.parametrize("body", [b"not json", b"[]", b'{"keys": {}}', b"x" * 300_000])
def test_malformed_jwks_raises_fetch_error(body: bytes) -> None:
    client = rp.JWKSClient("https://idp.test/jwks", fetch=lambda url, timeout: body)
    with pytest.raises(rp.JWKSFetchError):
        client.get_keys()


def test_jwks_skips_unusable_keys(rsa_key: jwk.JWK) -> None:
    document = {
        "keys": [
            {"kty": "nope"},
            "junk",
            {**public(rsa_key, "RS256"), "use": "enc"},
            public(rsa_key, "RS256"),
        ]
    }
    client = rp.JWKSClient(
        "https://idp.test/jwks", fetch=lambda u, t: json.dumps(document).encode()
    )
    assert [k.get("kid") for k in client.get_keys()] == ["rsa-1"]


def test_default_fetch_refuses_non_http_urls() -> None:
    client = rp.JWKSClient("file:///etc/passwd")
    with pytest.raises(rp.JWKSFetchError):
        client.get_keys()


def test_unreachable_jwks_without_cache_is_retried_at_most_once_per_interval(
    make_verifier: Callable[..., Any], rsa_key: jwk.JWK
) -> None:
    # An IdP outage before the first successful fetch must not turn every
    # incoming token into an outbound request (each may block for `timeout`).
    clock = Clock()
    verifier, fetch = make_verifier(jwks_clock=clock, min_refetch_interval=30)
    fetch.fail = True
    for _ in range(5):
        with pytest.raises(rp.JWKSFetchError):
            verifier.verify(sign(rsa_key, claims()))
    assert fetch.calls == 1
    clock.now += 31
    fetch.fail = False
    assert verifier.verify(sign(rsa_key, claims()))["sub"] == "42"
    assert fetch.calls == 2


def test_http_protocol_error_from_the_jwks_fetch_is_a_fetch_error() -> None:
    import http.client

    def fetch(url: str, timeout: float) -> bytes:
        raise http.client.BadStatusLine("garbage")  # not an OSError

    client = rp.JWKSClient("https://idp.test/jwks", fetch=fetch)
    with pytest.raises(rp.JWKSFetchError):
        client.get_keys()


def test_default_fetch_does_not_follow_a_redirect_out_of_http(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # urllib follows redirects to ftp:// by default: a JWKS host (or anyone
    # able to answer for it) could point the RP's server at an internal service.
    import http.server
    import threading
    import urllib.error
    import urllib.request

    followed: list[str] = []

    def ftp_open(self: Any, req: Any) -> Any:
        followed.append(req.full_url)
        raise urllib.error.URLError("no ftp in tests")

    monkeypatch.setattr(urllib.request.FTPHandler, "ftp_open", ftp_open)

    class Redirect(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(302)
            self.send_header("Location", "ftp://127.0.0.1:9/jwks.json")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Redirect)
    thread = threading.Thread(target=server.handle_request, daemon=True)
    thread.start()
    try:
        client = rp.JWKSClient(f"http://127.0.0.1:{server.server_port}/jwks.json", timeout=5)
        with pytest.raises(rp.JWKSFetchError):
            client.get_keys()
    finally:
        thread.join(timeout=5)
        server.server_close()
    assert followed == []
