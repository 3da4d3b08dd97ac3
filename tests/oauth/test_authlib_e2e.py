"""End to end with a standard OIDC client library (authlib, not our code):
discover the IdP at /.well-known/openid-configuration, run authorization code
+ PKCE (S256) against DOT over real HTTP (live server), verify the ID token
against the discovered JWKS — for both doors."""

from __future__ import annotations

import json
import secrets
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
from authlib.integrations.requests_client import OAuth2Session
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from authlib.oidc.core import CodeIDToken, IDToken
from django.test import Client
from joserfc import jwt
from joserfc.jwk import KeySet

from django_fedcm.services import grants
from tests.views.fedcm_http import fedcm_post

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def idp(live_server: Any, settings: Any, fedcm_signing_key: Any) -> str:
    settings.FEDCM_ISSUER = live_server.url
    settings.OAUTH2_PROVIDER = {**settings.OAUTH2_PROVIDER, "OIDC_ISS_ENDPOINT": live_server.url}
    return str(live_server.url)


@pytest.fixture
def sessions() -> Any:
    """authlib sessions, closed before the live server stops (a keep-alive
    connection closed after it would touch the test database from a dead thread)."""
    opened: list[OAuth2Session] = []

    def make(*args: Any, **kwargs: Any) -> OAuth2Session:
        session = OAuth2Session(*args, **kwargs)
        opened.append(session)
        return session

    yield make
    for session in opened:
        session.close()


@pytest.fixture
def rp_client(fedcm_make_rp: Any) -> Any:
    return fedcm_make_rp()


def discover(idp: str) -> dict[str, Any]:
    metadata: dict[str, Any] = requests.get(
        f"{idp}/.well-known/openid-configuration", timeout=5
    ).json()
    return metadata


def verify_with_authlib(
    metadata: dict[str, Any], id_token: str, nonce: str, access_token: str | None = None
) -> Any:
    keys = KeySet.import_key_set(requests.get(metadata["jwks_uri"], timeout=5).json())
    # Signature with joserfc (authlib's JOSE engine), restricted to the
    # advertised algorithms; OIDC ID token rules with authlib.oidc.core.
    token = jwt.decode(id_token, keys, algorithms=metadata["id_token_signing_alg_values_supported"])
    claims_cls = CodeIDToken if access_token else IDToken
    params = {"nonce": nonce, "client_id": "rp-client"}
    if access_token:
        params["access_token"] = access_token
    claims = claims_cls(
        token.claims,
        token.header,
        {"iss": {"essential": True, "value": metadata["issuer"]}},
        params,
    )
    claims.validate(leeway=30)
    return claims


def test_authlib_runs_code_pkce_and_verifies_the_id_token(
    idp: str, rp_client: Any, fedcm_user: Any, sessions: Any
) -> None:
    metadata = discover(idp)
    assert metadata["issuer"] == idp
    assert metadata["jwks_uri"] == f"{idp}/fedcm/jwks.json"

    oauth = sessions(
        "rp-client",
        redirect_uri="https://rp.test/callback",
        scope="openid profile email",
        token_endpoint_auth_method="none",
        code_challenge_method="S256",
    )
    verifier, nonce = secrets.token_urlsafe(48), secrets.token_urlsafe(16)
    url, state = oauth.create_authorization_url(
        metadata["authorization_endpoint"], code_verifier=verifier, nonce=nonce
    )

    # The user's browser: signed in at the IdP, approves on DOT's consent page.
    browser = Client()
    browser.force_login(fedcm_user)
    parts = urlsplit(url)
    consent = browser.get(f"{parts.path}?{parts.query}")
    assert consent.status_code == 200
    form = {
        name: consent.context["form"].initial.get(name) or ""
        for name in consent.context["form"].fields
    }
    form["allow"] = "Authorize"
    callback = browser.post(parts.path, form)
    assert callback.status_code == 302
    assert f"state={state}" in callback["Location"]

    token = oauth.fetch_token(
        metadata["token_endpoint"],
        authorization_response=callback["Location"],
        code_verifier=verifier,
    )
    assert {"access_token", "refresh_token", "id_token"} <= token.keys()
    claims = verify_with_authlib(metadata, token["id_token"], nonce, token["access_token"])
    assert claims["sub"] == str(fedcm_user.pk)
    assert claims["email"] == fedcm_user.email
    assert claims["iss"] == idp

    userinfo = oauth.get(metadata["userinfo_endpoint"]).json()
    assert userinfo["sub"] == claims["sub"]

    refreshed = oauth.refresh_token(metadata["token_endpoint"])
    assert refreshed["access_token"] != token["access_token"]


def test_authlib_exchanges_a_fedcm_code_and_verifies_both_doors_alike(
    idp: str, rp_client: Any, fedcm_user: Any, sessions: Any
) -> None:
    """FedCM for OAuth: the code comes from the id assertion endpoint; authlib's
    token request (no redirect_uri) and ID token validation are unchanged."""
    metadata = discover(idp)
    grants.record_grant(fedcm_user, rp_client, fields=["name", "email", "picture"])
    verifier, nonce = secrets.token_urlsafe(48), secrets.token_urlsafe(16)
    params = {
        "response_type": "code",
        "scope": "openid profile email",
        "code_challenge": create_s256_code_challenge(verifier),
        "code_challenge_method": "S256",
        "nonce": nonce,
    }
    browser = Client()
    browser.force_login(fedcm_user)
    answer = fedcm_post(
        browser,
        "id_assertion",
        {"client_id": "rp-client", "account_id": str(fedcm_user.pk), "params": json.dumps(params)},
    ).json()
    code = answer["token"]

    oauth = sessions("rp-client", token_endpoint_auth_method="none")
    token = oauth.fetch_token(
        metadata["token_endpoint"],
        grant_type="authorization_code",
        code=code,
        code_verifier=verifier,
    )
    oauth_claims = verify_with_authlib(metadata, token["id_token"], nonce, token["access_token"])

    # The plain FedCM door's token verifies with the same library and JWKS.
    plain = fedcm_post(
        browser,
        "id_assertion",
        {
            "client_id": "rp-client",
            "account_id": str(fedcm_user.pk),
            "params": json.dumps({"nonce": nonce}),
        },
    ).json()["token"]
    fedcm_claims = verify_with_authlib(metadata, plain, nonce)
    for claim in ("iss", "sub", "aud", "name", "email", "given_name", "family_name"):
        assert oauth_claims[claim] == fedcm_claims[claim]
