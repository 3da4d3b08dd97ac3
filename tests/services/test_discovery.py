"""django_fedcm.services.discovery: URL building shared by config, well-known and the command."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory
from django.urls import resolve

from django_fedcm.services import discovery


def test_base_origin_uses_fedcm_issuer_origin_only(settings) -> None:
    settings.FEDCM_ISSUER = "https://idp.example:8443/sso/"
    assert discovery.base_origin() == "https://idp.example:8443"


def test_base_origin_falls_back_to_the_request(settings, rf: RequestFactory) -> None:
    settings.FEDCM_ISSUER = None
    request = rf.get("/", secure=True, HTTP_HOST="localhost:8000")
    assert discovery.base_origin(request) == "https://localhost:8000"


def test_issuer_argument_wins_over_setting(settings) -> None:
    settings.FEDCM_ISSUER = "https://idp.test"
    assert discovery.base_origin(issuer="https://other.example") == "https://other.example"


def test_base_origin_without_issuer_or_request_is_improperly_configured(settings) -> None:
    settings.FEDCM_ISSUER = None
    with pytest.raises(ImproperlyConfigured, match="FEDCM_ISSUER"):
        discovery.base_origin()


def test_relative_issuer_is_improperly_configured(settings) -> None:
    settings.FEDCM_ISSUER = "idp.example"
    with pytest.raises(ImproperlyConfigured, match="absolute"):
        discovery.base_origin()


def test_config_url_is_the_config_route(settings) -> None:
    settings.FEDCM_ISSUER = "https://idp.test"
    assert discovery.config_url() == "https://idp.test/fedcm/config.json"


@pytest.mark.checklist(6)
def test_login_url_defaults_to_the_app_page() -> None:
    assert discovery.login_url() == "https://idp.test/fedcm/login"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("/accounts/fedcm-login/", "https://idp.test/accounts/fedcm-login/"),
        ("https://idp.test/signin", "https://idp.test/signin"),
    ],
)
def test_login_url_follows_fedcm_login_url(settings, value: str, expected: str) -> None:
    settings.FEDCM_LOGIN_URL = value
    assert discovery.login_url() == expected


@pytest.mark.checklist(6, 7)
def test_every_endpoint_is_on_the_config_origin_and_routes_to_its_view() -> None:
    urls = discovery.endpoint_urls()
    assert set(urls) == set(discovery.ENDPOINT_KEYS)
    for key, url in urls.items():
        parts = urlsplit(url)
        assert f"{parts.scheme}://{parts.netloc}" == "https://idp.test"
        assert resolve(parts.path).url_name == discovery.ENDPOINT_KEYS[key]


@pytest.mark.checklist(2, 3, 4)
def test_well_known_document_names_the_config_urls() -> None:
    document = discovery.well_known_document()
    urls = discovery.endpoint_urls()
    assert document == {
        "provider_urls": [discovery.config_url()],
        "accounts_endpoint": urls["accounts_endpoint"],
        "login_url": urls["login_url"],
    }


def test_urls_keep_the_script_prefix(settings) -> None:
    from django.urls import set_script_prefix

    set_script_prefix("/idp/")
    try:
        assert discovery.config_url() == "https://idp.test/idp/fedcm/config.json"
    finally:
        set_script_prefix("/")


def test_config_urls_lists_the_default_config_then_each_named_one(settings: Any) -> None:
    assert discovery.config_urls() == ["https://idp.test/fedcm/config.json"]
    settings.FEDCM_CONFIGS = {"work": {"account_label": "work"}, "home": {"account_label": "h"}}
    assert discovery.config_urls() == [
        "https://idp.test/fedcm/config.json",
        "https://idp.test/fedcm/config/work.json",
        "https://idp.test/fedcm/config/home.json",
    ]
    assert discovery.config_url(name="work") == "https://idp.test/fedcm/config/work.json"
    assert resolve("/fedcm/config/work.json").url_name == "named_config"


@pytest.mark.checklist(2)
def test_well_known_document_keeps_one_provider_url_with_named_configs(settings: Any) -> None:
    settings.FEDCM_CONFIGS = {"work": {"account_label": "work"}}
    assert discovery.well_known_document()["provider_urls"] == [discovery.config_url()]
