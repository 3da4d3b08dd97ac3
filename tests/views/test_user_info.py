"""views/user_info.py: the ``IdentityProvider.getUserInfo()`` iframe
(https://w3c-fedid.github.io/FedCM/#browser-api-identity-provider-interface)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import django_fedcm

pytestmark = pytest.mark.django_db

USER_INFO_JS = Path(django_fedcm.__file__).parent / "static" / "django_fedcm" / "user_info.js"


def page_data(response: Any) -> dict[str, Any]:
    match = re.search(
        r'<script id="fedcm-user-info-data" type="application/json">(.*?)</script>',
        response.content.decode(),
        re.S,
    )
    assert match
    data: dict[str, Any] = json.loads(match.group(1))
    return data


@pytest.mark.checklist(66)
def test_user_info_is_frameable_only_by_the_clients_origins(
    fedcm_get: Callable[..., Any],
    fedcm_make_rp: Callable[..., Any],
    django_assert_num_queries: Any,
) -> None:
    fedcm_make_rp(origins="https://rp.test https://www.rp.test:8443")
    with django_assert_num_queries(1):
        response = fedcm_get("user_info", data={"client_id": "rp-client"}, webidentity=False)
    assert response.status_code == 200
    assert response["Content-Security-Policy"] == (
        "frame-ancestors https://rp.test https://www.rp.test:8443"
    )
    assert "X-Frame-Options" not in response


@pytest.mark.checklist(66)
def test_user_info_of_a_client_without_origins_is_not_frameable(
    fedcm_get: Callable[..., Any], fedcm_make_rp: Callable[..., Any]
) -> None:
    fedcm_make_rp(origins="")
    response = fedcm_get("user_info", data={"client_id": "rp-client"})
    assert response["Content-Security-Policy"] == "frame-ancestors 'none'"


@pytest.mark.checklist(66)
@pytest.mark.parametrize("client_id", ["no-such-client", "", "disabled-client", "rp\x00client"])
def test_user_info_of_an_unknown_or_disabled_client_is_404(
    fedcm_get: Callable[..., Any], fedcm_make_rp: Callable[..., Any], client_id: str
) -> None:
    fedcm_make_rp("disabled-client", enabled=False)
    response = fedcm_get("user_info", data={"client_id": client_id})
    assert response.status_code == 404
    assert "Content-Security-Policy" not in response


@pytest.mark.checklist(66)
def test_user_info_page_passes_config_url_and_client_id_to_get_user_info(
    fedcm_get: Callable[..., Any], fedcm_rp: Any
) -> None:
    response = fedcm_get("user_info", data={"client_id": "rp-client"})
    assert page_data(response) == {
        "configURL": "https://idp.test/fedcm/config.json",
        "clientId": "rp-client",
        "origins": ["https://rp.test"],
        "message": "django-fedcm:user-info-click",
    }
    html = response.content.decode()
    assert "user_info.js" in html
    assert "<script>" not in html  # no inline script: CSP friendly
    assert 'data-continue-label="Continue as {name}"' in html
    script = USER_INFO_JS.read_text()
    assert "IdentityProvider.getUserInfo(" in script
    assert "innerHTML" not in script
    assert 'getAttribute("data-continue-label")' in script


def test_user_info_button_names_the_idp(
    fedcm_get: Callable[..., Any], fedcm_rp: Any, settings: Any
) -> None:
    assert (
        "Sign in with idp.test"
        in fedcm_get("user_info", data={"client_id": "rp-client"}).content.decode()
    )
    settings.FEDCM_BRANDING = {"name": "Example ID"}
    assert (
        "Sign in with Example ID"
        in fedcm_get("user_info", data={"client_id": "rp-client"}).content.decode()
    )


def test_user_info_does_not_depend_on_the_session(
    client: Any, fedcm_get: Callable[..., Any], fedcm_rp: Any, fedcm_signed_in: Any
) -> None:
    signed_in = fedcm_get("user_info", data={"client_id": "rp-client"}).content
    client.logout()
    assert fedcm_get("user_info", data={"client_id": "rp-client"}).content == signed_in
