"""Registration rules shared by the REST API and the admin."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError

from django_fedcm.services import registration_rules


@pytest.mark.parametrize(
    "url",
    ["", "https://rp.test/terms", "http://localhost:8000/terms", "http://127.0.0.1/x"],
)
def test_validate_public_url_accepts(url: str) -> None:
    registration_rules.validate_public_url(url)


@pytest.mark.parametrize(
    "url", ["http://rp.test/terms", "ftp://rp.test/x", "javascript:alert(1)", "not a url"]
)
def test_validate_public_url_rejects_in_production(url: str) -> None:
    with pytest.raises(ValidationError):
        registration_rules.validate_public_url(url)


def test_validate_public_url_allows_http_with_debug(settings: Any) -> None:
    settings.DEBUG = True
    registration_rules.validate_public_url("http://rp.test/terms")


def test_clean_origins_normalises_and_deduplicates(settings: Any) -> None:
    settings.OAUTH2_PROVIDER = {**settings.OAUTH2_PROVIDER, "ALLOWED_SCHEMES": ["https", "HTTP"]}
    assert registration_rules.clean_origins(
        ["HTTPS://RP.test:443/", "https://rp.test", "http://localhost:3000", "http://[::1]:8080"]
    ) == ["https://rp.test", "http://localhost:3000", "http://[::1]:8080"]


@pytest.mark.parametrize(
    "origins",
    [
        [],
        ["https://rp.test/path"],
        ["https://*.rp.test"],
        ["https://a.test https://b.test"],
        ["http://rp.test"],
        ["rp.test"],
    ],
)
def test_clean_origins_rejects(origins: list[str]) -> None:
    with pytest.raises(ValidationError):
        registration_rules.clean_origins(origins)


def test_clean_origins_keeps_to_dot_allowed_schemes() -> None:
    # django-oauth-toolkit's default ALLOWED_SCHEMES is ["https"]; its
    # Application.clean() would refuse what the service accepted.
    with pytest.raises(ValidationError) as caught:
        registration_rules.clean_origins(["https://rp.test", "http://localhost:3000"])
    assert caught.value.code == "scheme_not_allowed"
    assert "ALLOWED_SCHEMES" in caught.value.messages[0]


def test_clean_registration_collects_every_field_error() -> None:
    with pytest.raises(ValidationError) as caught:
        registration_rules.clean_registration(
            {"name": " ", "origins": ["x"], "icon_url": "http://rp.test/i.png", "enabled": True}
        )
    assert set(caught.value.message_dict) == {"name", "origins", "icon_url"}


@pytest.mark.parametrize(
    "data", [{"enabled": "false"}, {"icon_size": "40"}, {"icon_size": 0}, {"icon_size": True}]
)
def test_clean_registration_wants_real_types(data: dict[str, Any]) -> None:
    # Callers coerce (a serializer, a form); a string "false" must not become True.
    with pytest.raises(ValidationError) as caught:
        registration_rules.clean_registration(data)
    assert set(caught.value.message_dict) == set(data)


def test_clean_allowed_origins_normalises_and_allows_none() -> None:
    assert registration_rules.clean_allowed_origins(" HTTPS://A.test\nhttps://a.test ") == (
        "https://a.test"
    )
    assert registration_rules.clean_allowed_origins("") == ""
    with pytest.raises(ValidationError):
        registration_rules.clean_allowed_origins("http://rp.example")
