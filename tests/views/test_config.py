"""views/config.py: the config file (https://w3c-fedid.github.io/FedCM/#idp-api-config-file)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.urls import resolve, reverse

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


# ------------------------------------------------ several configs (FEDCM_CONFIGS)

WORK_BRANDING = {"background_color": "#0b57d0", "icons": [{"url": "/static/work.png", "size": 40}]}


@pytest.fixture
def two_configs(settings: Any) -> None:
    settings.FEDCM_BRANDING = {"background_color": "#ffffff", "name": "Example ID"}
    settings.FEDCM_CONFIGS = {
        "work": {"account_label": "work", "branding": WORK_BRANDING},
        "personal": {"account_label": "personal", "supports_use_other_account": True},
    }


@pytest.mark.checklist(5, 10)
def test_named_config_is_served_at_its_own_url_without_queries(
    fedcm_get: Callable[..., Any], two_configs: None, django_assert_num_queries: Any
) -> None:
    assert reverse("django_fedcm:named_config", args=["work"]) == "/fedcm/config/work.json"
    with django_assert_num_queries(0):
        response = fedcm_get("named_config", "work")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Cache-Control"] == "public, max-age=3600"
    assert "Set-Cookie" not in response
    assert response.json()["account_label"] == "work"


@pytest.mark.checklist(3, 10)
def test_named_configs_share_the_default_configs_endpoints(
    fedcm_get: Callable[..., Any], two_configs: None
) -> None:
    default = fedcm_get("config").json()
    for name in ("work", "personal"):
        config = fedcm_get("named_config", name).json()
        for key in (*REQUIRED, *OPTIONAL):
            assert config[key] == default[key], (name, key)


@pytest.mark.checklist(8, 9, 10)
def test_named_config_has_its_own_label_branding_and_use_other_account(
    fedcm_get: Callable[..., Any], two_configs: None
) -> None:
    work = fedcm_get("named_config", "work").json()
    personal = fedcm_get("named_config", "personal").json()
    default = fedcm_get("config").json()
    assert work["branding"] == {
        "background_color": "#0b57d0",
        "icons": [{"url": "https://idp.test/static/work.png", "size": 40}],
    }
    assert personal["branding"] == default["branding"]
    assert default["branding"] == {"background_color": "#ffffff", "name": "Example ID"}
    assert (work["supports_use_other_account"], personal["supports_use_other_account"]) == (
        False,
        True,
    )
    assert (work["account_label"], personal["account_label"]) == ("work", "personal")
    assert "account_label" not in default


def test_unknown_config_name_is_a_json_404(
    fedcm_get: Callable[..., Any], two_configs: None
) -> None:
    response = fedcm_get("named_config", "tenant-3")
    assert response.status_code == 404
    assert response.json() == {}


def test_no_named_config_without_the_setting(fedcm_get: Callable[..., Any]) -> None:
    assert fedcm_get("named_config", "work").status_code == 404


@pytest.mark.parametrize(
    "entry",
    [
        {"account_label": ["work"], "branding": "blue", "supports_use_other_account": "yes"},
        {"branding": {"icons": "nope"}},
    ],
)
def test_named_config_with_bad_values_leaves_them_out_not_500(
    fedcm_get: Callable[..., Any], settings: Any, entry: dict[str, Any]
) -> None:
    """The system checks report them (E065); the file still answers."""
    settings.FEDCM_CONFIGS = {"work": entry}
    response = fedcm_get("named_config", "work")
    assert response.status_code == 200
    config = response.json()
    assert "account_label" not in config
    assert config["supports_use_other_account"] is False
    assert config.get("branding", {}).get("icons", "nope") == "nope"


def test_named_config_refuses_post(client: Any, two_configs: None) -> None:
    assert client.post("/fedcm/config/work.json", secure=True).status_code == 405
