"""``/.well-known/openid-configuration`` (django_fedcm.views.openid_configuration)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client, RequestFactory
from django.urls import URLPattern, URLResolver, include, path
from oauth2_provider import views as dot_views

from django_fedcm.views import openid_configuration

pytestmark = pytest.mark.django_db


def get(client: Client, path: str = "/.well-known/openid-configuration") -> Any:
    return client.get(path, secure=True, HTTP_HOST="idp.test")


def test_discovery_names_the_fedcm_issuer_jwks_and_dot_endpoints(
    client: Client, fedcm_signing_key: Any, django_assert_num_queries: Any
) -> None:
    with django_assert_num_queries(1):  # the key set, once per process
        response = get(client)
    assert response.status_code == 200
    data = response.json()
    assert data["issuer"] == "https://idp.test"
    assert data["jwks_uri"] == "https://idp.test/fedcm/jwks.json"
    assert data["authorization_endpoint"] == "https://idp.test/o/authorize/"
    assert data["token_endpoint"] == "https://idp.test/o/token/"
    assert data["userinfo_endpoint"] == "https://idp.test/o/userinfo/"
    assert data["code_challenge_methods_supported"] == ["S256"]
    assert data["response_types_supported"] == ["code"]
    assert data["id_token_signing_alg_values_supported"] == ["RS256"]
    assert {"openid", "profile", "email"} <= set(data["scopes_supported"])
    assert {"sub", "email", "name"} <= set(data["claims_supported"])
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["Cache-Control"].startswith("public, max-age=")
    with django_assert_num_queries(0):
        assert get(client).status_code == 200


def test_dot_discovery_path_serves_the_same_document(
    client: Client, fedcm_signing_key: Any
) -> None:
    root = get(client).json()
    assert get(client, "/o/.well-known/openid-configuration").json() == root


def test_signing_algorithms_follow_the_published_keys(client: Client, fedcm_make_key: Any) -> None:
    fedcm_make_key("ES256")
    fedcm_make_key("EdDSA", state="next")
    assert get(client).json()["id_token_signing_alg_values_supported"] == ["ES256", "EdDSA"]


def test_without_keys_the_default_algorithm_is_named(client: Client) -> None:
    assert get(client).json()["id_token_signing_alg_values_supported"] == ["RS256"]


def test_issuer_from_the_request_without_fedcm_issuer(
    client: Client, settings: Any, fedcm_signing_key: Any
) -> None:
    settings.FEDCM_ISSUER = None
    data = get(client).json()
    assert data["issuer"] == "https://idp.test"
    assert data["jwks_uri"] == "https://idp.test/fedcm/jwks.json"


def test_404_when_oidc_is_disabled(client: Client, settings: Any) -> None:
    settings.OAUTH2_PROVIDER = {**settings.OAUTH2_PROVIDER, "OIDC_ENABLED": False}
    response = get(client)
    assert response.status_code == 404
    assert "error" in json.loads(response.content)


def test_only_safe_methods(client: Client) -> None:
    assert client.post("/.well-known/openid-configuration").status_code == 405


def test_404_when_the_oauth_urls_are_not_mounted(client: Client, settings: Any) -> None:
    settings.ROOT_URLCONF = "tests.views.urls_without_oauth"
    response = get(client)
    assert response.status_code == 404
    assert response.json() == {"error": "The OAuth endpoints are not mounted."}


#: What the product's OAuth door offers: the authorization-code grant with
#: PKCE S256, and refresh (docs/oauth-and-fedcm.md "Discovery").
CODE_ONLY = {
    "response_types_supported": ["code"],
    "grant_types_supported": ["authorization_code", "refresh_token"],
    "code_challenge_methods_supported": ["S256"],
}


def test_discovery_lists_public_client_authentication(
    client: Client, fedcm_signing_key: Any
) -> None:
    # Public PKCE clients and FedCM for OAuth authenticate with client_id alone.
    data = get(client).json()
    assert data["token_endpoint_auth_methods_supported"] == [
        "client_secret_post",
        "client_secret_basic",
        "none",
    ]
    assert data["revocation_endpoint_auth_methods_supported"] == [
        "client_secret_post",
        "client_secret_basic",
        "none",
    ]
    assert "none" not in data["introspection_endpoint_auth_methods_supported"]


def test_rfc8414_metadata_says_what_oidc_discovery_says(
    client: Client, fedcm_signing_key: Any
) -> None:
    oidc = get(client).json()
    oauth = get(client, "/o/.well-known/oauth-authorization-server")
    assert oauth.status_code == 200
    assert oauth["Access-Control-Allow-Origin"] == "*"
    assert oauth.json() == oidc
    for document in (oidc, oauth.json()):
        assert {k: document[k] for k in CODE_ONLY} == CODE_ONLY


def test_rfc8414_metadata_without_oidc_keeps_the_oauth_members(
    client: Client, settings: Any, fedcm_signing_key: Any
) -> None:
    full = get(client).json()
    settings.OAUTH2_PROVIDER = {**settings.OAUTH2_PROVIDER, "OIDC_ENABLED": False}
    data = get(client, "/o/.well-known/oauth-authorization-server").json()
    assert {k: data[k] for k in CODE_ONLY} == CODE_ONLY
    assert data["token_endpoint"] == full["token_endpoint"]
    assert data["token_endpoint_auth_methods_supported"][-1] == "none"
    for oidc_only in (
        "userinfo_endpoint",
        "claims_supported",
        "subject_types_supported",
        "id_token_signing_alg_values_supported",
    ):
        assert oidc_only not in data


def test_rfc8414_metadata_404_when_the_oauth_urls_are_not_mounted(
    client: Client, settings: Any
) -> None:
    settings.ROOT_URLCONF = "tests.views.urls_without_oauth"
    response = openid_configuration.authorization_server_view(
        RequestFactory().get("/.well-known/oauth-authorization-server")
    )
    assert response.status_code == 404


def test_authorization_response_iss_is_advertised_when_dot_sends_it(
    client: Client, settings: Any, fedcm_signing_key: Any
) -> None:
    assert "authorization_response_iss_parameter_supported" not in get(client).json()
    settings.OAUTH2_PROVIDER = {
        **settings.OAUTH2_PROVIDER,
        "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,
    }
    for document in (
        "/.well-known/openid-configuration",
        "/o/.well-known/oauth-authorization-server",
    ):
        assert get(client, document).json()["authorization_response_iss_parameter_supported"]


#: A project mounting DOT's authorization, token and RP-initiated logout
#: endpoints only (with DOT's own views, under ``o/``).
urlpatterns: list[URLPattern | URLResolver] = [
    path(
        "o/",
        include(
            (
                [
                    path("authorize/", dot_views.AuthorizationView.as_view(), name="authorize"),
                    path("token/", dot_views.TokenView.as_view(), name="token"),
                    path(
                        "logout/",
                        dot_views.RPInitiatedLogoutView.as_view(),
                        name="rp-initiated-logout",
                    ),
                ],
                "oauth2_provider",
            )
        ),
    ),
    path("", include("django_fedcm.urls")),
]


def test_endpoints_the_project_does_not_mount_are_not_advertised(
    client: Client, settings: Any, fedcm_signing_key: Any
) -> None:
    settings.ROOT_URLCONF = __name__
    data = get(client).json()
    assert data["token_endpoint"] == "https://idp.test/o/token/"
    for absent in (
        "userinfo_endpoint",
        "end_session_endpoint",  # mounted, but DOT's logout is off
        "revocation_endpoint",
        "revocation_endpoint_auth_methods_supported",
        "introspection_endpoint",
        "introspection_endpoint_auth_methods_supported",
    ):
        assert absent not in data


def test_rp_initiated_logout_is_advertised_only_where_mounted(
    client: Client, settings: Any, fedcm_signing_key: Any
) -> None:
    # A project on DOT's own URLs may offer RP-initiated logout;
    # django_fedcm.oauth.urls does not mount it (docs/oauth-and-fedcm.md).
    settings.OAUTH2_PROVIDER = {
        **settings.OAUTH2_PROVIDER,
        "OIDC_RP_INITIATED_LOGOUT_ENABLED": True,
    }
    assert "end_session_endpoint" not in get(client).json()
    settings.ROOT_URLCONF = __name__
    assert get(client).json()["end_session_endpoint"] == "https://idp.test/o/logout/"
