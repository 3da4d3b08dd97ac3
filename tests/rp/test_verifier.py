"""django_fedcm.rp.verifier: ID-token verification (no database)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import pytest
from jwcrypto import jwk, jws

from django_fedcm import defaults, rp
from django_fedcm.rp.verifier import MAX_TOKEN_BYTES
from tests.rp.tokens import CLIENT, ISSUER, claims, public, sign


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
    assert verifier.verify(token, nonce="n-123")["azp"] == CLIENT


@pytest.mark.parametrize("expected", [None, "", b"n-123"], ids=["none", "empty", "bytes"])
def test_missing_expected_nonce_is_refused(
    make_verifier: Callable[..., Any], rsa_key: jwk.JWK, expected: Any
) -> None:
    # The documented pattern passes session.pop("fedcm_nonce", None): a fresh
    # session yields None, and a captured token must not replay into it.
    verifier, _ = make_verifier()
    with pytest.raises(rp.InvalidNonce, match="nonce=False"):
        verifier.verify(sign(rsa_key, claims()), nonce=expected)
    with pytest.raises(rp.InvalidNonce):
        verifier.verify(sign(rsa_key, claims(nonce=None)), nonce=expected)


def test_nonce_is_required_by_default(make_verifier: Callable[..., Any], rsa_key: jwk.JWK) -> None:
    verifier, _ = make_verifier()
    with pytest.raises(rp.InvalidNonce):
        verifier.verify(sign(rsa_key, claims()))


def test_nonce_false_skips_the_check_explicitly(
    make_verifier: Callable[..., Any], rsa_key: jwk.JWK
) -> None:
    verifier, _ = make_verifier()
    assert verifier.verify(sign(rsa_key, claims(nonce=None)), nonce=False)["sub"] == "42"
    # A nonce in the token is then ignored, not refused: whether a token is
    # bound to a sign-in attempt is the caller's context, not the token's.
    assert verifier.verify(sign(rsa_key, claims()), nonce=False)["nonce"] == "n-123"


def test_leeway_accepts_slightly_expired_token(
    make_verifier: Callable[..., Any], rsa_key: jwk.JWK
) -> None:
    now = int(time.time())
    verifier, _ = make_verifier(leeway=30)
    assert verifier.verify(sign(rsa_key, claims(iat=now - 400, exp=now - 10)), nonce="n-123")


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
    ["", "abc", "a.b", "a.b.c", "x" * (MAX_TOKEN_BYTES + 1), "e30.e30.e30.e30"],
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


def test_defaults_come_from_defaults_py() -> None:
    default = rp.IdTokenVerifier(issuer=ISSUER, client_id=CLIENT)
    assert rp.DEFAULT_ALGORITHMS == defaults.ALGORITHMS == default.algorithms
    assert default.leeway == defaults.RP_LEEWAY


def test_none_is_never_an_allowed_algorithm() -> None:
    verifier = rp.IdTokenVerifier(issuer=ISSUER, client_id=CLIENT, algorithms=["none", "RS256"])
    assert verifier.algorithms == ("RS256",)


def test_token_without_kid_is_tried_against_every_key(
    make_verifier: Callable[..., Any], rsa_key: jwk.JWK, ec_key: jwk.JWK
) -> None:
    verifier, _ = make_verifier(public(rsa_key, "RS256"), public(ec_key, "ES256"))
    assert verifier.verify(sign(ec_key, claims(), "ES256", kid=None), nonce="n-123")["sub"] == "42"


def test_non_string_kid_is_refused(make_verifier: Callable[..., Any], rsa_key: jwk.JWK) -> None:
    verifier, _ = make_verifier()
    with pytest.raises(rp.InvalidToken, match="kid"):
        verifier.verify(sign(rsa_key, claims(), kid=7))


def test_non_json_payload_is_refused(make_verifier: Callable[..., Any], rsa_key: jwk.JWK) -> None:
    verifier, _ = make_verifier()
    token = jws.JWS(b"not json")
    token.add_signature(
        rsa_key, alg="RS256", protected=json.dumps({"alg": "RS256", "kid": "rsa-1"})
    )
    with pytest.raises(rp.InvalidToken, match="not JSON"):
        verifier.verify(token.serialize(compact=True))


def test_token_not_valid_yet_is_refused(
    make_verifier: Callable[..., Any], rsa_key: jwk.JWK
) -> None:
    verifier, _ = make_verifier(leeway=30)
    now = int(time.time())
    assert verifier.verify(sign(rsa_key, claims(nbf=now + 20)), nonce="n-123")["sub"] == "42"
    with pytest.raises(rp.InvalidToken, match="not valid yet"):
        verifier.verify(sign(rsa_key, claims(nbf=now + 120)))
