"""``/.well-known/openid-configuration`` (django_fedcm.views.openid_configuration)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

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
