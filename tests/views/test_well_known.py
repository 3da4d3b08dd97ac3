"""views/well_known.py: ``/.well-known/web-identity``
(https://w3c-fedid.github.io/FedCM/#idp-api-well-known)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.checklist(1)
def test_well_known_returns_200_json_without_cookies_origin_or_query(
    fedcm_get: Callable[..., Any], django_assert_num_queries: Any
) -> None:
    with django_assert_num_queries(0):
        response = fedcm_get("well_known")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "Set-Cookie" not in response
    assert "cookie" not in response.get("Vary", "").lower()


@pytest.mark.checklist(2)
def test_well_known_provider_urls_is_exactly_the_config_url(
    fedcm_get: Callable[..., Any],
) -> None:
    assert fedcm_get("well_known").json()["provider_urls"] == ["https://idp.test/fedcm/config.json"]


@pytest.mark.checklist(3, 4)
def test_well_known_accounts_endpoint_and_login_url_equal_the_configs(
    fedcm_get: Callable[..., Any],
) -> None:
    well_known = fedcm_get("well_known").json()
    config = fedcm_get("config").json()
    assert "client_metadata_endpoint" in config
    assert well_known["accounts_endpoint"] == config["accounts_endpoint"]
    assert well_known["login_url"] == config["login_url"]


@pytest.mark.checklist(3, 4)
def test_well_known_follows_a_custom_login_url(
    fedcm_get: Callable[..., Any], settings: Any
) -> None:
    settings.FEDCM_LOGIN_URL = "/accounts/login/"
    well_known = fedcm_get("well_known").json()
    assert well_known["login_url"] == "https://idp.test/accounts/login/"
    assert fedcm_get("config").json()["login_url"] == well_known["login_url"]


@pytest.mark.checklist(65)
def test_well_known_does_not_require_sec_fetch_dest(fedcm_get: Callable[..., Any]) -> None:
    assert fedcm_get("well_known", webidentity=False).status_code == 200


@pytest.mark.checklist(1)
def test_well_known_is_the_same_for_a_signed_in_browser(
    fedcm_get: Callable[..., Any], fedcm_signed_in: Any
) -> None:
    response = fedcm_get("well_known", HTTP_ORIGIN="https://rp.test")
    assert response.json() == fedcm_get("well_known").json()
    assert "Set-Login" not in response
    assert "cookie" not in response.get("Vary", "").lower()


def test_well_known_is_publicly_cacheable(fedcm_get: Callable[..., Any], settings: Any) -> None:
    assert fedcm_get("well_known")["Cache-Control"] == "public, max-age=3600"
    settings.FEDCM_DISCOVERY_MAX_AGE = 60
    assert fedcm_get("well_known")["Cache-Control"] == "public, max-age=60"


def test_well_known_uses_the_request_origin_without_fedcm_issuer(
    fedcm_get: Callable[..., Any], settings: Any
) -> None:
    settings.FEDCM_ISSUER = None
    body = fedcm_get("well_known", HTTP_HOST="localhost:8000").json()
    assert body["provider_urls"] == ["https://localhost:8000/fedcm/config.json"]


def test_well_known_is_404_when_disabled(fedcm_get: Callable[..., Any], settings: Any) -> None:
    settings.FEDCM_WELL_KNOWN_ENABLED = False
    response = fedcm_get("well_known")
    assert response.status_code == 404
    assert response.json() == {}


def test_well_known_refuses_post(client: Any) -> None:
    assert client.post("/.well-known/web-identity", secure=True).status_code == 405


@pytest.mark.checklist(2, 3, 4)
def test_well_known_admits_every_named_config_with_one_provider_url(
    fedcm_get: Callable[..., Any], settings: Any, django_assert_num_queries: Any
) -> None:
    """More than one ``provider_urls`` entry would make the file invalid
    (spec "fetch the config file"); the named configs are admitted by the
    ``accounts_endpoint``/``login_url`` pair, which each of them repeats."""
    settings.FEDCM_CONFIGS = {"work": {"account_label": "work"}, "home": {"account_label": "home"}}
    with django_assert_num_queries(0):
        well_known = fedcm_get("well_known").json()
    assert well_known["provider_urls"] == ["https://idp.test/fedcm/config.json"]
    for name in ("work", "home"):
        config = fedcm_get("named_config", name).json()
        assert well_known["accounts_endpoint"] == config["accounts_endpoint"]
        assert well_known["login_url"] == config["login_url"]
