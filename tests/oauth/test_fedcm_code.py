"""FedCM for OAuth (django_fedcm.services.oauth_codes): the id assertion endpoint
answers with a DOT authorization code the RP backend exchanges at DOT's token
endpoint (checklist 35, 40; docs/oauth-and-fedcm.md)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.utils import timezone
from oauth2_provider.models import Grant as CodeGrant

from django_fedcm import rp
from django_fedcm.models import Grant, RelyingParty
from django_fedcm.services import grants, oauth_codes
from tests.oauth.conftest import PKCE, make_pkce
from tests.views.fedcm_http import IDP_HOST, assert_cors, error_of, fedcm_post

pytestmark = pytest.mark.django_db

SCOPE = "openid profile email"


def oauth_params(pkce: PKCE, scope: str = SCOPE, **extra: Any) -> dict[str, Any]:
    return {
        "response_type": "code",
        "scope": scope,
        "code_challenge": pkce.challenge,
        "code_challenge_method": "S256",
        "nonce": "n-oauth",
        **extra,
    }


def assertion(client: Client, user: Any, params: dict[str, Any], **extra: str) -> Any:
    data = {
        "client_id": "rp-client",
        "account_id": str(user.pk),
        "is_auto_selected": "false",
        "params": json.dumps(params),
        "fields": "name,email,picture",
        "disclosure_text_shown": "false",
        **extra,
    }
    return fedcm_post(client, "id_assertion", data)


def exchange(code: str, verifier: str, client_id: str = "rp-client", **extra: str) -> Any:
    """What the RP backend does: no cookies, no redirect_uri."""
    data = {
        "grant_type": "authorization_code",
        "code": code,
        "client_id": client_id,
        "code_verifier": verifier,
        **extra,
    }
    return Client().post("/o/token/", data)


# --------------------------------------------------------------------------- the happy path


@pytest.mark.checklist(40)
def test_40_code_params_get_a_dot_authorization_code(
    client: Client, fedcm_returning: Any, fedcm_pkce: PKCE
) -> None:
    response = assertion(client, fedcm_returning, oauth_params(fedcm_pkce))
    assert response.status_code == 200
    assert_cors(response)
    body = response.json()
    assert set(body) == {"token"}
    row = CodeGrant.objects.get(code=body["token"])
    assert row.application.client_id == "rp-client"
    assert row.user == fedcm_returning
    assert row.redirect_uri == "fedcm:https://rp.test"
    assert (row.code_challenge, row.code_challenge_method) == (fedcm_pkce.challenge, "S256")
    assert row.scope == "email openid profile"
    assert row.nonce == "n-oauth"
    assert row.expires <= timezone.now() + timedelta(seconds=60)


@pytest.mark.checklist(40)
def test_40_rp_backend_exchanges_the_code_for_access_refresh_and_id_tokens(
    client: Client, fedcm_returning: Any, fedcm_pkce: PKCE, fedcm_verifier: rp.IdTokenVerifier
) -> None:
    code = assertion(client, fedcm_returning, oauth_params(fedcm_pkce)).json()["token"]
    response = exchange(code, fedcm_pkce.verifier)
    assert response.status_code == 200, response.content
    body = response.json()
    assert {"access_token", "refresh_token", "id_token"} <= body.keys()
    claims = fedcm_verifier.verify(body["id_token"], nonce="n-oauth")
    assert claims["sub"] == str(fedcm_returning.pk)

    # The same claims as the FedCM door's own token for this user and client.
    plain = assertion(client, fedcm_returning, {"nonce": "n-oauth"}).json()["token"]
    fedcm_claims = fedcm_verifier.verify(plain, nonce="n-oauth")
    registered = {"iat", "exp", "auth_time", "jti", "at_hash", "c_hash"}
    assert {k: v for k, v in claims.items() if k not in registered} == {
        k: v for k, v in fedcm_claims.items() if k not in registered
    }


def test_structured_tokens_client_gets_the_code_in_an_object(
    client: Client, fedcm_returning: Any, fedcm_rp: RelyingParty, fedcm_pkce: PKCE
) -> None:
    fedcm_rp.structured_tokens = True
    fedcm_rp.save()
    token = assertion(client, fedcm_returning, oauth_params(fedcm_pkce)).json()["token"]
    assert set(token) == {"code"}
    assert exchange(token["code"], fedcm_pkce.verifier).status_code == 200


def test_new_user_whose_disclosure_covers_the_scopes_gets_a_code_at_once(
    client: Client, fedcm_asserting_user: Any, fedcm_pkce: PKCE
) -> None:
    response = assertion(
        client,
        fedcm_asserting_user,
        oauth_params(fedcm_pkce),
        disclosure_shown_for="name,email,picture",
    )
    assert "token" in response.json()
    grant = Grant.objects.get(user=fedcm_asserting_user)
    assert set(grant.scopes) == {"openid", "profile", "email"}
    assert grants.approved_client_ids(fedcm_asserting_user) == ["rp-client"]


def test_code_path_query_count(
    client: Client, fedcm_returning: Any, fedcm_pkce: PKCE, django_assert_num_queries: Any
) -> None:
    from django_fedcm.services import keys

    keys.signing_key()
    # session, client (application joined), the user with the profile and the
    # grant; savepoint, grant lookup + update (record_grant), code insert, release.
    with django_assert_num_queries(8):
        assert "token" in assertion(client, fedcm_returning, oauth_params(fedcm_pkce)).json()


# --------------------------------------------------------------------------- consent (40)


@pytest.mark.checklist(40)
def test_40_scopes_not_yet_granted_go_through_the_consent_page(
    client: Client, fedcm_returning: Any, fedcm_pkce: PKCE
) -> None:
    response = assertion(client, fedcm_returning, oauth_params(fedcm_pkce, scope="openid read"))
    assert set(response.json()) == {"continue_on"}
    assert not CodeGrant.objects.exists()

    page = urlsplit(response.json()["continue_on"]).path
    shown = client.get(page, secure=True, HTTP_HOST=IDP_HOST)
    assert "Read access" in shown.content.decode()  # the scope's description (SCOPES)
    allowed = client.post(page, {"action": "allow"}, secure=True, HTTP_HOST=IDP_HOST)
    match = re.search(
        r'<script id="fedcm-continuation" type="application/json">(.*?)</script>',
        allowed.content.decode(),
        re.S,
    )
    assert match is not None
    code = json.loads(match.group(1))["token"]
    row = CodeGrant.objects.get(code=code)
    assert row.scope == "openid read"
    assert row.redirect_uri == "fedcm:https://rp.test"  # the original Origin, not the popup's
    assert "read" in Grant.objects.get(user=fedcm_returning).scopes
    assert exchange(code, fedcm_pkce.verifier).status_code == 200

    # Granted now: the next request gets a code directly.
    again = assertion(client, fedcm_returning, oauth_params(make_pkce(), scope="openid read"))
    assert "token" in again.json()


def test_oauth_approval_counts_for_fedcm_codes(
    client: Client, fedcm_asserting_user: Any, fedcm_rp: RelyingParty, fedcm_pkce: PKCE
) -> None:
    grants.record_grant(
        fedcm_asserting_user, fedcm_rp, fields=["email"], scopes=["openid", "email"]
    )
    response = assertion(
        client, fedcm_asserting_user, oauth_params(fedcm_pkce, scope="openid email")
    )
    assert "token" in response.json()


# --------------------------------------------------------------------------- 35: the code


@pytest.mark.checklist(35)
def test_35_code_is_single_use(client: Client, fedcm_returning: Any, fedcm_pkce: PKCE) -> None:
    code = assertion(client, fedcm_returning, oauth_params(fedcm_pkce)).json()["token"]
    assert exchange(code, fedcm_pkce.verifier).status_code == 200
    again = exchange(code, fedcm_pkce.verifier)
    assert again.status_code == 400
    assert again.json()["error"] == "invalid_grant"


@pytest.mark.checklist(35)
def test_35_replayed_code_revokes_the_tokens_issued_from_it(
    client: Client, fedcm_returning: Any, fedcm_pkce: PKCE
) -> None:
    code = assertion(client, fedcm_returning, oauth_params(fedcm_pkce)).json()["token"]
    tokens = exchange(code, fedcm_pkce.verifier).json()
    assert exchange(code, fedcm_pkce.verifier).json()["error"] == "invalid_grant"
    bearer = f"Bearer {tokens['access_token']}"
    assert Client().get("/o/userinfo/", HTTP_AUTHORIZATION=bearer).status_code == 401
    refreshed = Client().post(
        "/o/token/",
        {
            "grant_type": "refresh_token",
            "refresh_token": tokens["refresh_token"],
            "client_id": "rp-client",
        },
    )
    assert refreshed.json()["error"] == "invalid_grant"


@pytest.mark.checklist(35)
def test_35_code_is_short_lived(client: Client, fedcm_returning: Any, fedcm_pkce: PKCE) -> None:
    code = assertion(client, fedcm_returning, oauth_params(fedcm_pkce)).json()["token"]
    CodeGrant.objects.filter(code=code).update(expires=timezone.now() - timedelta(seconds=1))
    response = exchange(code, fedcm_pkce.verifier)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"


@pytest.mark.checklist(35)
def test_35_code_is_bound_to_the_client(
    client: Client,
    fedcm_returning: Any,
    fedcm_make_rp: Callable[..., RelyingParty],
    fedcm_pkce: PKCE,
) -> None:
    fedcm_make_rp("other-client", "https://other.test")
    code = assertion(client, fedcm_returning, oauth_params(fedcm_pkce)).json()["token"]
    response = exchange(code, fedcm_pkce.verifier, client_id="other-client")
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"


@pytest.mark.checklist(35)
def test_35_code_is_bound_to_the_pkce_challenge(
    client: Client, fedcm_returning: Any, fedcm_pkce: PKCE
) -> None:
    code = assertion(client, fedcm_returning, oauth_params(fedcm_pkce)).json()["token"]
    response = exchange(code, make_pkce().verifier)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"
    missing = exchange(code, "")
    assert missing.status_code == 400


def test_fedcm_code_cannot_be_redeemed_as_a_redirect_flow_code(
    client: Client, fedcm_returning: Any, fedcm_pkce: PKCE
) -> None:
    code = assertion(client, fedcm_returning, oauth_params(fedcm_pkce)).json()["token"]
    response = exchange(code, fedcm_pkce.verifier, redirect_uri="https://rp.test/callback")
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"  # RFC 6749 §5.2


# --------------------------------------------------------------------------- bad params


@pytest.mark.parametrize(
    ("override", "error"),
    [
        ({"response_type": "token"}, "unsupported_response_type"),
        ({"code_challenge": None}, "invalid_request"),
        ({"code_challenge": "short"}, "invalid_request"),
        ({"code_challenge_method": "plain"}, "invalid_request"),
        ({"code_challenge_method": None}, "invalid_request"),
        ({"scope": "openid admin"}, "invalid_scope"),
        ({"scope": ""}, "invalid_scope"),
        ({"scope": ["openid"]}, "invalid_scope"),
        ({"nonce": "n" * 256}, "invalid_request"),
        ({"request_uri": "urn:ietf:params:oauth:request_uri:x"}, "invalid_request"),
    ],
)
def test_bad_oauth_params_are_refused_and_nothing_is_written(
    client: Client, fedcm_returning: Any, fedcm_pkce: PKCE, override: dict[str, Any], error: str
) -> None:
    params = oauth_params(fedcm_pkce)
    params.update(override)
    params = {k: v for k, v in params.items() if v is not None}
    response = assertion(client, fedcm_returning, params)
    assert response.status_code == 200
    assert error_of(response) == error
    assert_cors(response)
    assert not CodeGrant.objects.exists()


def test_client_not_allowed_the_code_grant_is_unauthorized(
    client: Client, fedcm_returning: Any, fedcm_rp: RelyingParty, fedcm_pkce: PKCE
) -> None:
    application = fedcm_rp.application
    application.authorization_grant_type = "client-credentials"
    application.save()
    response = assertion(client, fedcm_returning, oauth_params(fedcm_pkce))
    assert error_of(response) == "unauthorized_client"


def test_plain_fedcm_params_are_not_a_code_request(fedcm_rp: RelyingParty) -> None:
    assert oauth_codes.parse_code_request({"nonce": "x"}, fedcm_rp) is None
    assert oauth_codes.parse_code_request({}, fedcm_rp) is None


def test_par_request_uri_alone_is_refused_not_ignored(client: Client, fedcm_returning: Any) -> None:
    response = assertion(client, fedcm_returning, {"request_uri": "urn:x", "nonce": "n"})
    assert error_of(response) == "invalid_request"
