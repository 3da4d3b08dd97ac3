"""Revoking an app closes the OAuth door too: on every revocation path (the
REST API, the connected-apps page, the admin, FedCM disconnect) the client's
access and refresh tokens and its unexchanged authorization codes for that
user go (docs/oauth-and-fedcm.md "Consent")."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from oauth2_provider.models import AccessToken, RefreshToken, get_grant_model

from django_fedcm.models import Grant, RelyingParty
from django_fedcm.services import grants
from tests.oauth.conftest import PKCE, make_pkce, query
from tests.oauth.test_validators import approve, exchange
from tests.views.fedcm_http import fedcm_post

pytestmark = pytest.mark.django_db


def revoke_by_api(browser: Client, admin_client: Client, grant: Grant) -> None:
    response = browser.delete(f"/fedcm/api/me/connected-apps/{grant.pk}/")
    assert response.status_code == 204


def revoke_on_the_page(browser: Client, admin_client: Client, grant: Grant) -> None:
    response = browser.post(reverse("django_fedcm:connected_apps"), {"grant": grant.pk})
    assert response.status_code == 303


def revoke_in_the_admin(browser: Client, admin_client: Client, grant: Grant) -> None:
    response = admin_client.post(
        reverse("admin:django_fedcm_grant_changelist"),
        {"action": "revoke_grants", "_selected_action": [grant.pk]},
    )
    assert response.status_code == 302


def revoke_by_disconnect(browser: Client, admin_client: Client, grant: Grant) -> None:
    data = {"client_id": "rp-client", "account_hint": str(grant.user_id)}
    assert fedcm_post(browser, "disconnect", data).status_code == 200


def revoke_by_service(browser: Client, admin_client: Client, grant: Grant) -> None:
    assert grants.revoke_grant(grant.user, grant.relying_party, via="test") is True


@pytest.mark.parametrize(
    "revoke",
    [
        revoke_by_api,
        revoke_on_the_page,
        revoke_in_the_admin,
        revoke_by_disconnect,
        revoke_by_service,
    ],
)
def test_revocation_kills_unexchanged_codes_and_every_token(
    fedcm_rp: RelyingParty,
    fedcm_user: Any,
    fedcm_signing_key: Any,
    fedcm_browser: Client,
    fedcm_pkce: PKCE,
    fedcm_authorize: Callable[..., Any],
    fedcm_token_request: Callable[..., Any],
    admin_client: Client,
    revoke: Callable[[Client, Client, Grant], None],
) -> None:
    first = exchange(
        fedcm_token_request, approve(fedcm_browser, fedcm_pkce), fedcm_pkce.verifier
    ).json()
    # A second sign-in moments before the revocation: its code is not exchanged yet.
    pending = query(fedcm_authorize("openid profile email")["Location"])["code"]
    assert get_grant_model().objects.filter(code=pending).exists()

    revoke(fedcm_browser, admin_client, Grant.objects.get(user=fedcm_user))

    late = exchange(fedcm_token_request, pending, fedcm_pkce.verifier)
    assert late.status_code == 400
    assert late.json()["error"] == "invalid_grant"
    refresh = fedcm_token_request(
        grant_type="refresh_token", refresh_token=first["refresh_token"], client_id="rp-client"
    )
    assert refresh.status_code == 400
    assert refresh.json()["error"] == "invalid_grant"
    assert not get_grant_model().objects.filter(user=fedcm_user).exists()
    assert not RefreshToken.objects.filter(user=fedcm_user).exists()
    assert not AccessToken.objects.filter(user=fedcm_user).exists()


def test_revocation_leaves_other_users_and_clients_codes(
    fedcm_make_rp: Callable[..., RelyingParty],
    fedcm_rp: RelyingParty,
    fedcm_make_user: Callable[..., Any],
    fedcm_user: Any,
    fedcm_authorize: Callable[..., Any],
) -> None:
    grants.record_grant(fedcm_user, fedcm_rp, fields=["name", "email", "picture"])
    other = fedcm_make_rp("other-client", origins="https://other.test")
    bob = fedcm_make_user("bob")
    code_grants = get_grant_model().objects
    pkce = make_pkce()
    for user, application in [(bob, fedcm_rp.application), (fedcm_user, other.application)]:
        code_grants.create(
            user=user,
            application=application,
            code=f"code-{user.pk}-{application.pk}",
            expires="2999-01-01T00:00:00Z",
            redirect_uri=application.redirect_uris,
            scope="openid",
            code_challenge=pkce.challenge,
            code_challenge_method="S256",
        )
    assert fedcm_authorize("openid profile email").status_code == 302  # alice's code
    assert code_grants.filter(user=fedcm_user, application=fedcm_rp.application).exists()

    grants.revoke_grant(fedcm_user, fedcm_rp, via="test")

    assert not code_grants.filter(user=fedcm_user, application=fedcm_rp.application).exists()
    assert code_grants.count() == 2
