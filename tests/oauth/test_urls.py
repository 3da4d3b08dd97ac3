"""django_fedcm.oauth.urls: DOT's URL set with three routes replaced."""

from __future__ import annotations

from django.urls import resolve, reverse

from django_fedcm.oauth.views import AuthorizationView
from django_fedcm.views import jwks, openid_configuration


def test_replaced_routes_resolve_to_django_fedcm_views() -> None:
    assert resolve(reverse("oauth2_provider:authorize")).func.view_class is AuthorizationView
    assert resolve("/o/.well-known/openid-configuration").func is openid_configuration.view
    assert resolve(reverse("oauth2_provider:jwks-info")).func is jwks.view


def test_other_dot_routes_are_kept() -> None:
    for name in ("token", "revoke-token", "introspect", "user-info", "rp-initiated-logout"):
        assert reverse(f"oauth2_provider:{name}").startswith("/o/")
