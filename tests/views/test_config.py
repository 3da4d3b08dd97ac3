"""views/config.py: the config file (https://w3c-fedid.github.io/FedCM/#idp-api-config-file)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.urls import resolve

pytestmark = pytest.mark.django_db

REQUIRED = ("accounts_endpoint", "id_assertion_endpoint", "login_url")
OPTIONAL = ("disconnect_endpoint", "client_metadata_endpoint")


@pytest.mark.checklist(5, 61)
def test_config_returns_200_json_directly_without_cookies(
    fedcm_get: Callable[..., Any], django_assert_num_queries: Any
) -> None:
    with django_assert_num_queries(0):
        response = fedcm_get("config")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "Location" not in response
    assert "Set-Cookie" not in response


@pytest.mark.checklist(6, 7, 60)
def test_config_endpoints_resolve_to_the_config_origin_over_https(
    fedcm_get: Callable[..., Any],
) -> None:
    config = fedcm_get("config").json()
    for key in (*REQUIRED, *OPTIONAL):
        parts = urlsplit(config[key])
        assert (parts.scheme, parts.netloc) == ("https", "idp.test"), key
        assert resolve(parts.path).url_name  # a route of this project, no redirect


@pytest.mark.checklist(6)
def test_config_endpoints_route_to_their_views(fedcm_get: Callable[..., Any]) -> None:
    config = fedcm_get("config").json()
    names = {key: resolve(urlsplit(config[key]).path).url_name for key in (*REQUIRED, *OPTIONAL)}
    assert names == {
        "accounts_endpoint": "accounts",
        "id_assertion_endpoint": "id_assertion",
        "login_url": "login",
        "disconnect_endpoint": "disconnect",
        "client_metadata_endpoint": "client_metadata",
    }


@pytest.mark.checklist(8)
def test_config_branding_comes_from_the_setting_with_absolute_icons(
    fedcm_get: Callable[..., Any], settings: Any
) -> None:
    settings.FEDCM_BRANDING = {
        "background_color": "#1a73e8",
        "color": "#ffffff",
        "icons": [
            {"url": "/static/idp-64.png", "size": 64},
            {"url": "https://cdn.example/idp-40.png", "size": 40},
        ],
    }
    assert fedcm_get("config").json()["branding"] == {
        "background_color": "#1a73e8",
        "color": "#ffffff",
        "icons": [
            {"url": "https://idp.test/static/idp-64.png", "size": 64},
            {"url": "https://cdn.example/idp-40.png", "size": 40},
        ],
    }


def test_config_branding_without_icons_is_passed_through(
    fedcm_get: Callable[..., Any], settings: Any
) -> None:
    settings.FEDCM_BRANDING = {"background_color": "green", "name": "Example ID"}
    assert fedcm_get("config").json()["branding"] == settings.FEDCM_BRANDING


def test_config_has_no_branding_by_default(fedcm_get: Callable[..., Any]) -> None:
    assert "branding" not in fedcm_get("config").json()


@pytest.mark.checklist(9)
def test_config_supports_use_other_account_follows_the_setting(
    fedcm_get: Callable[..., Any], settings: Any
) -> None:
    assert fedcm_get("config").json()["supports_use_other_account"] is False
    settings.FEDCM_SUPPORTS_USE_OTHER_ACCOUNT = True
    assert fedcm_get("config").json()["supports_use_other_account"] is True


@pytest.mark.checklist(10)
def test_config_account_label_only_when_set(fedcm_get: Callable[..., Any], settings: Any) -> None:
    assert "account_label" not in fedcm_get("config").json()
    settings.FEDCM_ACCOUNT_LABEL = "staff"
    assert fedcm_get("config").json()["account_label"] == "staff"


@pytest.mark.checklist(11)
def test_config_has_no_deprecated_keys(fedcm_get: Callable[..., Any], settings: Any) -> None:
    settings.FEDCM_SUPPORTS_USE_OTHER_ACCOUNT = True
    settings.FEDCM_ACCOUNT_LABEL = "staff"
    config = fedcm_get("config").json()
    for key in ("id_token_endpoint", "signin_url", "revocation_endpoint", "modes", "accounts"):
        assert key not in config


@pytest.mark.checklist(65)
def test_config_does_not_require_sec_fetch_dest(fedcm_get: Callable[..., Any]) -> None:
    assert fedcm_get("config", webidentity=False).status_code == 200


def test_config_is_publicly_cacheable(fedcm_get: Callable[..., Any]) -> None:
    assert fedcm_get("config")["Cache-Control"] == "public, max-age=3600"


@pytest.mark.checklist(62)
def test_config_does_not_redirect_with_a_trailing_slash_setting(
    fedcm_get: Callable[..., Any], settings: Any
) -> None:
    settings.APPEND_SLASH = True
    assert fedcm_get("config").status_code == 200
