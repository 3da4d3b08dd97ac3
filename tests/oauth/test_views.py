"""django_fedcm.oauth.views: consent is shared between the two doors."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from oauth2_provider.models import Application

from django_fedcm.models import RelyingParty
from django_fedcm.services import grants
from tests.oauth.conftest import query

pytestmark = pytest.mark.django_db


def test_fedcm_approval_skips_oauth_consent(
    fedcm_rp: RelyingParty,
    fedcm_user: Any,
    fedcm_authorize: Callable[..., Any],
    django_assert_max_num_queries: Any,
) -> None:
    grants.record_grant(fedcm_user, fedcm_rp, fields=["name", "email", "picture"])
    with django_assert_max_num_queries(14):
        response = fedcm_authorize("openid profile email")
    assert response.status_code == 302
    location = response["Location"]
    assert location.startswith("https://rp.test/callback?")
    assert query(location)["state"] == "st-1" and query(location)["code"]


def test_grant_not_covering_the_scopes_shows_the_consent_page(
    fedcm_rp: RelyingParty, fedcm_user: Any, fedcm_authorize: Callable[..., Any]
) -> None:
    grants.record_grant(fedcm_user, fedcm_rp, fields=["email"])
    response = fedcm_authorize("openid profile email")
    assert response.status_code == 200
    assert b'name="allow"' in response.content


def test_oauth_scopes_recorded_earlier_skip_consent(
    fedcm_rp: RelyingParty, fedcm_user: Any, fedcm_authorize: Callable[..., Any]
) -> None:
    grants.record_grant(fedcm_user, fedcm_rp, scopes=["openid", "read"])
    assert fedcm_authorize("openid read").status_code == 302
    assert fedcm_authorize("openid email").status_code == 200


def test_disabled_relying_party_is_refused_despite_its_grant(
    fedcm_make_rp: Callable[..., RelyingParty],
    fedcm_user: Any,
    fedcm_authorize: Callable[..., Any],
) -> None:
    relying_party = fedcm_make_rp(enabled=False)
    grants.record_grant(fedcm_user, relying_party, fields=["name", "email", "picture"])
    response = fedcm_authorize("openid")
    assert response.status_code == 400  # no consent skip, no consent page either
    assert "Location" not in response


def test_dot_only_application_keeps_dots_behaviour(
    db: None, fedcm_user: Any, fedcm_authorize: Callable[..., Any]
) -> None:
    Application.objects.create(
        client_id="rp-client",
        name="DOT only",
        client_type=Application.CLIENT_PUBLIC,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris="https://rp.test/callback",
    )
    assert fedcm_authorize("openid").status_code == 200


def test_unknown_client_is_an_error_page_not_a_500(
    fedcm_rp: RelyingParty, fedcm_authorize: Callable[..., Any]
) -> None:
    response = fedcm_authorize("openid", client_id="nobody")
    assert response.status_code == 400


@pytest.mark.parametrize("extra", [{"prompt": "consent"}, {"approval_prompt": "force"}])
def test_explicit_consent_request_is_not_skipped(
    fedcm_rp: RelyingParty,
    fedcm_user: Any,
    fedcm_authorize: Callable[..., Any],
    extra: dict[str, str],
) -> None:
    # OIDC Core §3.1.2.1 prompt=consent / DOT's approval_prompt=force: the
    # client asked for the consent page, an existing grant must not skip it.
    grants.record_grant(fedcm_user, fedcm_rp, fields=["name", "email", "picture"])
    response = fedcm_authorize("openid profile email", **extra)
    assert response.status_code == 200
    assert b'name="allow"' in response.content
