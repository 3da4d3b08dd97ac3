"""django_fedcm.oauth.validators: DOT's redirect flow speaks for the FedCM identity
(one issuer, one key set, the same claims, grants shared with approved_clients)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from jwcrypto import jws
from oauth2_provider.models import IDToken

from django_fedcm import rp
from django_fedcm.adapter import get_adapter
from django_fedcm.models import Grant, RelyingParty
from django_fedcm.services import grants, keys
from tests.oauth.conftest import PKCE, make_pkce, query


def approve(browser: Client, pkce: PKCE, scope: str = "openid profile email") -> str:
    """Submit DOT's consent form; returns the authorization code."""
    response = browser.post(
        "/o/authorize/",
        {
            "client_id": "rp-client",
            "redirect_uri": "https://rp.test/callback",
            "response_type": "code",
            "scope": scope,
            "state": "st-1",
            "nonce": "no-1",
            "code_challenge": pkce.challenge,
            "code_challenge_method": "S256",
            "allow": "Authorize",
        },
    )
    assert response.status_code == 302, response.content
    params = query(response["Location"])
    assert params["state"] == "st-1"
    return params["code"]


def exchange(post: Callable[..., Any], code: str, verifier: str, **extra: str) -> Any:
    data = {
        "grant_type": "authorization_code",
        "code": code,
        "client_id": "rp-client",
        "redirect_uri": "https://rp.test/callback",
        "code_verifier": verifier,
        **extra,
    }
    return post(**data)


def header(token: str) -> dict[str, Any]:
    parsed = jws.JWS()
    parsed.deserialize(token)
    return dict(parsed.jose_header)


@pytest.fixture
def fedcm_code_flow(
    fedcm_rp: RelyingParty,
    fedcm_signing_key: Any,
    fedcm_authorize: Callable[..., Any],
    fedcm_browser: Client,
    fedcm_pkce: PKCE,
    fedcm_token_request: Callable[..., Any],
) -> Callable[..., dict[str, Any]]:
    """Run authorize → consent → token; return the token response JSON."""

    def run(scope: str = "openid profile email") -> dict[str, Any]:
        first = fedcm_authorize(scope)
        if first.status_code == 302:  # already approved: consent skipped
            code = query(first["Location"])["code"]
        else:
            assert first.status_code == 200  # the consent page
            code = approve(fedcm_browser, fedcm_pkce, scope)
        response = exchange(fedcm_token_request, code, fedcm_pkce.verifier)
        assert response.status_code == 200, response.content
        body: dict[str, Any] = response.json()
        return body

    return run


def test_id_token_is_signed_by_the_fedcm_key_set_with_kid(
    fedcm_code_flow: Callable[..., dict[str, Any]], fedcm_signing_key: Any
) -> None:
    body = fedcm_code_flow()
    assert header(body["id_token"]) == {"typ": "JWT", "alg": "RS256", "kid": fedcm_signing_key.kid}


def test_id_token_has_the_fedcm_issuer_sub_and_claims(
    fedcm_code_flow: Callable[..., dict[str, Any]],
    fedcm_verifier: rp.IdTokenVerifier,
    fedcm_user: Any,
    fedcm_rp: RelyingParty,
    rf: Any,
) -> None:
    claims = fedcm_verifier.verify(fedcm_code_flow()["id_token"], nonce="no-1")
    assert claims["iss"] == "https://idp.test"
    assert claims["aud"] == "rp-client"
    assert claims["sub"] == get_adapter().get_account_id(fedcm_user)
    # The same user claims the FedCM door puts in its token for its default
    # fields (name, email, picture) — "openid profile email" releases exactly those.
    fedcm_claims = get_adapter().get_claims(
        rf.get("/"), fedcm_user, fedcm_rp, {"name", "email", "picture"}
    )
    assert fedcm_claims
    assert {k: claims[k] for k in fedcm_claims} == fedcm_claims
    assert {"auth_time", "exp", "iat", "jti"} <= claims.keys()


@pytest.mark.parametrize(
    ("overrides", "lifetime"),
    [
        ({}, 300),  # FEDCM_TOKEN_LIFETIME's default, as for FedCM tokens
        ({"FEDCM_TOKEN_LIFETIME": timedelta(minutes=2)}, 120),
        ({"OAUTH2_PROVIDER": {"ID_TOKEN_EXPIRE_SECONDS": 3600}}, 3600),  # DOT's own wins
    ],
)
def test_id_token_lifetime_is_the_fedcm_token_lifetime_unless_dot_sets_one(
    fedcm_code_flow: Callable[..., dict[str, Any]],
    fedcm_verifier: rp.IdTokenVerifier,
    settings: Any,
    overrides: dict[str, Any],
    lifetime: int,
) -> None:
    for name, value in overrides.items():
        if name == "OAUTH2_PROVIDER":
            value = {**settings.OAUTH2_PROVIDER, **value}
        setattr(settings, name, value)
    claims = fedcm_verifier.verify(fedcm_code_flow()["id_token"], nonce=False)
    assert claims["exp"] - claims["iat"] == pytest.approx(lifetime, abs=2)
    # DOT's record of the token expires with it (id_token_hint checks it).
    stored = IDToken.objects.get(jti=claims["jti"]).expires.timestamp()
    assert stored == pytest.approx(claims["exp"], abs=1)


def test_picture_claim_is_an_absolute_url_on_the_issuer(
    fedcm_code_flow: Callable[..., dict[str, Any]],
    fedcm_verifier: rp.IdTokenVerifier,
    fedcm_user: Any,
    settings: Any,
) -> None:
    from django_fedcm.models import AccountProfile

    AccountProfile.objects.create(user=fedcm_user, picture="fedcm/pictures/alice.png")
    settings.ALLOWED_HOSTS = ["testserver"]  # the issuer's host need not be listed
    claims = fedcm_verifier.verify(fedcm_code_flow()["id_token"], nonce=False)
    assert claims["picture"] == f"https://idp.test/fedcm/picture/{fedcm_user.pk}"


def test_scopes_limit_the_claims(
    fedcm_code_flow: Callable[..., dict[str, Any]], fedcm_verifier: rp.IdTokenVerifier
) -> None:
    claims = fedcm_verifier.verify(fedcm_code_flow("openid")["id_token"], nonce=False)
    assert "email" not in claims and "name" not in claims
    assert claims["sub"]


def test_userinfo_returns_the_same_claims(
    fedcm_code_flow: Callable[..., dict[str, Any]], fedcm_verifier: rp.IdTokenVerifier
) -> None:
    body = fedcm_code_flow()
    response = Client().get("/o/userinfo/", HTTP_AUTHORIZATION=f"Bearer {body['access_token']}")
    assert response.status_code == 200
    id_claims = fedcm_verifier.verify(body["id_token"], nonce=False)
    info = response.json()
    assert info == {k: id_claims[k] for k in info}
    assert info["email"] == "alice@example.com"


def test_approval_records_a_grant_that_shows_in_approved_clients(
    fedcm_code_flow: Callable[..., dict[str, Any]], fedcm_user: Any
) -> None:
    fedcm_code_flow("openid email read")
    grant = Grant.objects.get(user=fedcm_user)
    assert grant.scopes == ["email", "openid", "read"]
    assert grant.disclosed_fields == ["email"]
    assert grants.approved_client_ids(fedcm_user) == ["rp-client"]


def test_refresh_token_works_through_dot(
    fedcm_code_flow: Callable[..., dict[str, Any]],
    fedcm_token_request: Callable[..., Any],
    fedcm_verifier: rp.IdTokenVerifier,
) -> None:
    body = fedcm_code_flow()
    response = fedcm_token_request(
        grant_type="refresh_token", refresh_token=body["refresh_token"], client_id="rp-client"
    )
    assert response.status_code == 200, response.content
    refreshed = response.json()
    assert refreshed["access_token"] != body["access_token"]
    assert (
        fedcm_verifier.verify(refreshed["id_token"], nonce=False)["sub"]
        == fedcm_verifier.verify(body["id_token"], nonce=False)["sub"]
    )


def test_key_rotation_rotates_the_oauth_door_too(
    fedcm_code_flow: Callable[..., dict[str, Any]],
    fedcm_make_key: Callable[..., Any],
    fedcm_signing_key: Any,
    fedcm_verifier: rp.IdTokenVerifier,
) -> None:
    before = fedcm_code_flow()["id_token"]
    fedcm_make_key("ES256", state="next")
    result = keys.rotate()
    after = fedcm_code_flow()["id_token"]
    assert header(after)["kid"] == result.activated.kid != fedcm_signing_key.kid
    assert header(after)["alg"] == "ES256"
    # One JWKS verifies both: the new key, and the retired one in its grace period.
    fedcm_verifier.jwks_client.min_refetch_interval = 0
    assert (
        fedcm_verifier.verify(after, nonce=False)["sub"]
        == fedcm_verifier.verify(before, nonce=False)["sub"]
    )


def test_no_oidc_rsa_private_key_is_needed(settings: Any) -> None:
    assert "OIDC_RSA_PRIVATE_KEY" not in settings.OAUTH2_PROVIDER


# ------------------------------------------------------------------ bad input


def test_wrong_pkce_verifier_is_invalid_grant(
    fedcm_rp: RelyingParty,
    fedcm_signing_key: Any,
    fedcm_browser: Client,
    fedcm_pkce: PKCE,
    fedcm_token_request: Callable[..., Any],
) -> None:
    code = approve(fedcm_browser, fedcm_pkce)
    response = exchange(fedcm_token_request, code, "x" * 50)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"


def test_reused_code_is_invalid_grant(
    fedcm_rp: RelyingParty,
    fedcm_signing_key: Any,
    fedcm_browser: Client,
    fedcm_pkce: PKCE,
    fedcm_token_request: Callable[..., Any],
) -> None:
    code = approve(fedcm_browser, fedcm_pkce)
    assert exchange(fedcm_token_request, code, fedcm_pkce.verifier).status_code == 200
    again = exchange(fedcm_token_request, code, fedcm_pkce.verifier)
    assert again.status_code == 400
    assert again.json()["error"] == "invalid_grant"


def userinfo(access_token: str) -> int:
    response = Client().get("/o/userinfo/", HTTP_AUTHORIZATION=f"Bearer {access_token}")
    return int(response.status_code)


def refresh(post: Callable[..., Any], refresh_token: str) -> Any:
    return post(grant_type="refresh_token", refresh_token=refresh_token, client_id="rp-client")


def test_replayed_code_revokes_the_tokens_issued_from_it(
    fedcm_rp: RelyingParty,
    fedcm_signing_key: Any,
    fedcm_browser: Client,
    fedcm_pkce: PKCE,
    fedcm_token_request: Callable[..., Any],
) -> None:
    # RFC 6749 §4.1.2: a code used twice is refused and the tokens issued
    # from it are revoked (the first exchange may have been the attacker's).
    code = approve(fedcm_browser, fedcm_pkce)
    first = exchange(fedcm_token_request, code, fedcm_pkce.verifier).json()
    rotated = refresh(fedcm_token_request, first["refresh_token"]).json()
    assert userinfo(rotated["access_token"]) == 200

    again = exchange(fedcm_token_request, code, fedcm_pkce.verifier)

    assert again.status_code == 400
    assert again.json()["error"] == "invalid_grant"
    assert "access_token" not in again.json()
    # Every token descending from the code is dead, refreshed ones included.
    assert userinfo(first["access_token"]) == 401
    assert userinfo(rotated["access_token"]) == 401
    for token in (first["refresh_token"], rotated["refresh_token"]):
        assert refresh(fedcm_token_request, token).json()["error"] == "invalid_grant"


def test_replayed_code_leaves_tokens_from_other_codes(
    fedcm_rp: RelyingParty,
    fedcm_signing_key: Any,
    fedcm_browser: Client,
    fedcm_pkce: PKCE,
    fedcm_token_request: Callable[..., Any],
) -> None:
    replayed = approve(fedcm_browser, fedcm_pkce)
    exchange(fedcm_token_request, replayed, fedcm_pkce.verifier)
    other_pkce = make_pkce()
    other = exchange(
        fedcm_token_request, approve(fedcm_browser, other_pkce), other_pkce.verifier
    ).json()

    exchange(fedcm_token_request, replayed, fedcm_pkce.verifier)

    assert userinfo(other["access_token"]) == 200
    assert refresh(fedcm_token_request, other["refresh_token"]).status_code == 200


def test_unknown_code_is_invalid_grant_and_revokes_nothing(
    fedcm_code_flow: Callable[..., dict[str, Any]],
    fedcm_pkce: PKCE,
    fedcm_token_request: Callable[..., Any],
) -> None:
    body = fedcm_code_flow()
    response = exchange(fedcm_token_request, "never-issued", fedcm_pkce.verifier)
    assert response.json()["error"] == "invalid_grant"
    assert userinfo(body["access_token"]) == 200


def test_redirect_uri_mismatch_at_the_token_endpoint_is_invalid_grant(
    fedcm_rp: RelyingParty,
    fedcm_signing_key: Any,
    fedcm_browser: Client,
    fedcm_pkce: PKCE,
    fedcm_token_request: Callable[..., Any],
) -> None:
    # RFC 6749 §5.2: the redirection URI does not match the one the code was
    # issued to: invalid_grant (oauthlib answers invalid_request).
    fedcm_rp.application.redirect_uris = "https://rp.test/callback https://rp.test/other"
    fedcm_rp.application.save()
    code = approve(fedcm_browser, fedcm_pkce)
    for redirect_uri in ("https://rp.test/other", "https://evil.test/callback"):
        response = exchange(
            fedcm_token_request, code, fedcm_pkce.verifier, redirect_uri=redirect_uri
        )
        assert response.status_code == 400
        assert response.json()["error"] == "invalid_grant"
    # The code was not used up by the refused requests.
    assert exchange(fedcm_token_request, code, fedcm_pkce.verifier).status_code == 200


def test_code_for_another_client_is_invalid_grant(
    fedcm_make_rp: Callable[..., RelyingParty],
    fedcm_rp: RelyingParty,
    fedcm_signing_key: Any,
    fedcm_browser: Client,
    fedcm_pkce: PKCE,
    fedcm_token_request: Callable[..., Any],
) -> None:
    fedcm_make_rp("other-client", "https://rp.test")
    code = approve(fedcm_browser, fedcm_pkce)
    response = exchange(fedcm_token_request, code, fedcm_pkce.verifier, client_id="other-client")
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"


def test_expired_code_is_invalid_grant(
    fedcm_rp: RelyingParty,
    fedcm_signing_key: Any,
    fedcm_browser: Client,
    fedcm_pkce: PKCE,
    fedcm_token_request: Callable[..., Any],
) -> None:
    from datetime import timedelta

    from django.utils import timezone
    from oauth2_provider.models import Grant as CodeGrant

    code = approve(fedcm_browser, fedcm_pkce)
    CodeGrant.objects.filter(code=code).update(expires=timezone.now() - timedelta(seconds=1))
    response = exchange(fedcm_token_request, code, fedcm_pkce.verifier)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"


def test_unknown_scope_is_invalid_scope(
    fedcm_rp: RelyingParty, fedcm_authorize: Callable[..., Any]
) -> None:
    response = fedcm_authorize("openid admin")
    assert response.status_code == 302
    location = query(response["Location"])
    assert location["error"] == "invalid_scope"
    assert location["state"] == "st-1"


def test_tampered_oauth_id_token_is_refused(
    fedcm_code_flow: Callable[..., dict[str, Any]], fedcm_verifier: rp.IdTokenVerifier
) -> None:
    head, payload, signature = fedcm_code_flow()["id_token"].split(".")
    claims = json.loads(jws.base64url_decode(payload))
    claims["sub"] = "999"
    forged = jws.base64url_encode(json.dumps(claims).encode())
    with pytest.raises(rp.InvalidSignature):
        fedcm_verifier.verify(f"{head}.{forged}.{signature}")


def test_no_active_key_is_503_temporarily_unavailable_and_keeps_the_code(
    fedcm_rp: RelyingParty,
    fedcm_signing_key: Any,
    fedcm_browser: Client,
    fedcm_pkce: PKCE,
    fedcm_token_request: Callable[..., Any],
) -> None:
    code = approve(fedcm_browser, fedcm_pkce)
    fedcm_signing_key.delete()
    keys.clear_cache()
    response = exchange(fedcm_token_request, code, fedcm_pkce.verifier)
    assert response.status_code == 503
    assert response.json()["error"] == "temporarily_unavailable"
    from oauth2_provider.models import Grant as CodeGrant

    assert CodeGrant.objects.filter(code=code).exists()  # usable once a key exists


def test_no_active_key_refresh_is_503(
    fedcm_code_flow: Callable[..., dict[str, Any]],
    fedcm_signing_key: Any,
    fedcm_token_request: Callable[..., Any],
) -> None:
    body = fedcm_code_flow()
    fedcm_signing_key.delete()
    keys.clear_cache()
    response = fedcm_token_request(
        grant_type="refresh_token", refresh_token=body["refresh_token"], client_id="rp-client"
    )
    assert response.status_code == 503
    assert response.json()["error"] == "temporarily_unavailable"


def test_issuer_comes_from_the_request_without_fedcm_issuer(
    fedcm_code_flow: Callable[..., dict[str, Any]], settings: Any
) -> None:
    settings.FEDCM_ISSUER = None
    claims = json.loads(jws.base64url_decode(fedcm_code_flow()["id_token"].split(".")[1]))
    assert claims["iss"] == "http://testserver"


def test_dot_verifies_its_id_tokens_against_the_fedcm_key_set(
    fedcm_code_flow: Callable[..., dict[str, Any]],
) -> None:
    """DOT reads ID tokens back (id_token_hint, ID tokens as bearer tokens)."""
    from oauth2_provider.models import IDToken

    from django_fedcm.oauth.validators import FedCMOAuth2Validator

    loaded = FedCMOAuth2Validator()._load_id_token(fedcm_code_flow()["id_token"])
    assert isinstance(loaded, IDToken)


@pytest.mark.parametrize("method", ["plain", None])
def test_pkce_plain_is_refused_as_discovery_says(
    fedcm_rp: RelyingParty,
    fedcm_browser: Client,
    fedcm_pkce: PKCE,
    method: str | None,
) -> None:
    # Discovery advertises code_challenge_methods_supported ["S256"]; oauthlib
    # would accept "plain" (and default to it when the method is omitted).
    params = {
        "response_type": "code",
        "client_id": "rp-client",
        "redirect_uri": "https://rp.test/callback",
        "scope": "openid",
        "state": "st-1",
        "code_challenge": fedcm_pkce.verifier,
    }
    if method is not None:
        params["code_challenge_method"] = method
    response = fedcm_browser.get("/o/authorize/", params)
    assert response.status_code == 302
    location = query(response["Location"])
    assert location["error"] == "invalid_request"
    assert location["state"] == "st-1"
    assert "code" not in location
    # The consent form's POST goes through the same validation.
    posted = fedcm_browser.post("/o/authorize/", {**params, "allow": "Authorize"})
    assert "code=" not in posted.get("Location", "")


def test_disabled_relying_party_gets_nothing_from_the_oauth_door(
    fedcm_rp: RelyingParty,
    fedcm_signing_key: Any,
    fedcm_authorize: Callable[..., Any],
    fedcm_browser: Client,
    fedcm_pkce: PKCE,
    fedcm_token_request: Callable[..., Any],
) -> None:
    assert fedcm_authorize("openid").status_code == 200  # the consent page
    code = approve(fedcm_browser, fedcm_pkce, "openid")
    fedcm_rp.enabled = False
    fedcm_rp.save()
    # A code issued before the client was disabled cannot be exchanged ...
    response = exchange(fedcm_token_request, code, fedcm_pkce.verifier)
    assert response.status_code in (400, 401)
    assert response.json()["error"] == "invalid_client"
    # ... and no new authorization starts.
    refused = fedcm_authorize("openid")
    assert refused.status_code == 400
    assert b"Invalid client_id parameter value." in refused.content


@pytest.mark.parametrize(
    ("grant_type", "response_type"),
    [
        ("implicit", "token"),
        ("implicit", "id_token"),
        ("implicit", "id_token token"),
        ("openid-hybrid", "code id_token"),
        ("openid-hybrid", "code token"),
    ],
)
def test_only_the_code_response_type_is_served(
    fedcm_rp: RelyingParty,
    fedcm_signing_key: Any,
    fedcm_browser: Client,
    fedcm_user: Any,
    fedcm_pkce: PKCE,
    grant_type: str,
    response_type: str,
) -> None:
    # Discovery advertises response_types_supported ["code"]: a client
    # registered for the implicit or hybrid flow gets no token in the front
    # channel either (RFC 6749 §4.1.2.1 unsupported_response_type).
    fedcm_rp.application.authorization_grant_type = grant_type
    fedcm_rp.application.save()
    grants.record_grant(fedcm_user, fedcm_rp, fields=["name", "email", "picture"])
    params = {
        "response_type": response_type,
        "client_id": "rp-client",
        "redirect_uri": "https://rp.test/callback",
        "scope": "openid",
        "state": "st-1",
        "nonce": "no-1",
        "code_challenge": fedcm_pkce.challenge,
        "code_challenge_method": "S256",
    }
    for response in (
        fedcm_browser.get("/o/authorize/", params),
        fedcm_browser.post("/o/authorize/", {**params, "allow": "Authorize"}),
    ):
        assert response.status_code == 302
        location = response["Location"]
        assert location.startswith("https://rp.test/callback")
        assert "access_token" not in location and "id_token" not in location
        assert "code=" not in location
        assert "error=unsupported_response_type" in location
