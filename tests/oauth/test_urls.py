"""django_fedcm.oauth.urls: DOT's URL set with three routes replaced."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from django.test import Client
from django.urls import resolve, reverse

from django_fedcm.oauth.views import AuthorizationView
from django_fedcm.views import jwks, openid_configuration


def test_replaced_routes_resolve_to_django_fedcm_views() -> None:
    assert resolve(reverse("oauth2_provider:authorize")).func.view_class is AuthorizationView
    assert resolve("/o/.well-known/openid-configuration").func is openid_configuration.view
    assert resolve(reverse("oauth2_provider:jwks-info")).func is jwks.view


def test_supported_dot_routes_are_kept() -> None:
    for name in ("token", "revoke-token", "introspect", "user-info", "oauth-server-metadata"):
        assert reverse(f"oauth2_provider:{name}").startswith("/o/")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", "/o/device-authorization/"),
        ("get", "/o/device/"),
        ("get", "/o/device-confirm/rp-client/ABCD"),
        ("get", "/o/device-grant-status/rp-client/ABCD"),
        ("get", "/o/logout/"),
        ("post", "/o/logout/"),
        ("get", "/o/.well-known/oauth-protected-resource"),
        ("get", "/o/.well-known/oauth-authorization-server/tenant"),
    ],
)
def test_unsupported_dot_routes_are_not_mounted(
    client: Client, fedcm_rp: Any, settings: Any, method: str, path: str
) -> None:
    """The device flow crashed (500) on a known client_id and DOT's logout view
    raises ImproperlyConfigured under DEBUG: the product offers neither."""
    settings.DEBUG = True
    if method == "get":
        response = client.get(path, {"client_id": "rp-client"})
    else:
        response = client.post(
            path, "client_id=rp-client", content_type="application/x-www-form-urlencoded"
        )
    assert response.status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize(
    "grant_type",
    [
        "urn:ietf:params:oauth:grant-type:device_code",
        "password",
        "client_credentials",
        "implicit",
        "urn:ietf:params:oauth:grant-type:jwt-bearer",
        "nonsense",
    ],
)
def test_token_endpoint_refuses_unsupported_grant_types(
    client: Client, fedcm_rp: Any, fedcm_user: Any, grant_type: str
) -> None:
    # RFC 6749 §5.2: only authorization_code and refresh_token are offered.
    data = {
        "grant_type": grant_type,
        "client_id": "rp-client",
        "username": "alice",
        "password": "pw-alice-123",
    }
    response = client.post(reverse("oauth2_provider:token"), data)
    assert response.status_code == 400
    assert response.json() == {"error": "unsupported_grant_type"}
    assert response["Cache-Control"] == "no-store"
    assert response["Pragma"] == "no-cache"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    ["/o/applications/", "/o/applications/register/", "/o/authorized_tokens/", "/o/register/"],
)
def test_self_service_client_registration_is_not_mounted(
    client: Client, django_user_model: Any, path: str
) -> None:
    """Any signed-in user could register a client through DOT's management
    views or DCR; registrations go through the admin / staff API instead."""
    client.force_login(django_user_model.objects.create_user("mallory", password="x"))
    assert client.get(path).status_code == 404
    assert client.post(path, {"name": "evil"}).status_code == 404


@pytest.mark.parametrize(
    ("method", "name", "data", "headers"),
    [
        ("get", "authorize", {"client_id": "\x00", "response_type": "code"}, {}),
        (
            "post",
            "token",
            {"grant_type": "authorization_code", "code": "\x00", "client_id": "rp-client"},
            {},
        ),
        ("post", "introspect", {"token": "x", "client_id": "\x00"}, {}),
        ("post", "revoke-token", {"token": "\x00", "client_id": "rp-client"}, {}),
        (
            "post",
            "token",
            {"grant_type": "client_credentials"},
            {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(b"%00:secret").decode()},
        ),
    ],
)
def test_nul_bytes_are_an_invalid_request_not_a_database_error(
    client: Client,
    fedcm_rp: Any,
    method: str,
    name: str,
    data: dict[str, str],
    headers: dict[str, str],
) -> None:
    # PostgreSQL refuses NUL in string literals: DOT's lookups would be a 500.
    response = getattr(client, method)(reverse(f"oauth2_provider:{name}"), data, **headers)
    assert response.status_code == 400
    assert response.json() == {"error": "invalid_request"}


def test_wrapped_routes_keep_their_view_class_and_csrf_exemption() -> None:
    token = resolve(reverse("oauth2_provider:token")).func
    assert getattr(token, "csrf_exempt", False)
    assert token.view_class.__name__ == "TokenView"
