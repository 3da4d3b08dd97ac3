"""Several config files per site (``FEDCM_CONFIGS``): each one's
``account_label`` shows only the accounts whose ``label_hints`` contain it.

Chrome flags: none. Account labels and the well-known file's
``accounts_endpoint``/``login_url`` (which admit a config that is not in
``provider_urls``) shipped in Chrome 132; the ``account_label``/``label_hints``
names are read by default since Chrome 137
(https://chromium.googlesource.com/chromium/src/+/main/content/browser/webid/idp_network_request_manager.cc).

This module is also the live server's URLconf for these scenarios: the RP page
of ``tests.e2e.views`` with the ``configURL`` of the config named by the
``config`` query parameter (``config.json`` without it).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.http import HttpRequest, HttpResponse
from django.urls import path

from django_fedcm.models import AccountProfile, Grant
from django_fedcm.services.discovery import config_url
from tests.e2e.harness import ACCOUNT_CHOOSER, CONFIRM_IDP_LOGIN, Browser, Sites
from tests.e2e.urls import urlpatterns as e2e_urlpatterns
from tests.e2e.views import CLIENT_ID, RP_HOST, RP_PAGE, on_host

pytestmark = pytest.mark.e2e

CONFIGS = {
    "work": {
        "account_label": "work",
        "branding": {"background_color": "#0b57d0", "color": "#ffffff", "name": "Example Work"},
    },
    "personal": {"account_label": "personal"},
}


@on_host(RP_HOST)
def labelled_rp_page(request: HttpRequest) -> HttpResponse:
    name = request.GET.get("config") or None
    config = {"configURL": config_url(request, name=name), "clientId": CLIENT_ID}
    return HttpResponse(RP_PAGE.replace("__CONFIG__", json.dumps(config).replace("</", "<\\/")))


urlpatterns = [path("e2e/rp/", labelled_rp_page), *e2e_urlpatterns]


@pytest.fixture
def labelled(e2e_sites: Sites, e2e_users: dict[str, Any], settings: Any) -> dict[str, Any]:
    """Two config files; alice is a "work" account, bob a "personal" one."""
    settings.ROOT_URLCONF = __name__
    settings.FEDCM_CONFIGS = CONFIGS
    for username, label in (("alice", "work"), ("bob", "personal")):
        AccountProfile.objects.filter(user=e2e_users[username]).update(label_hints=[label])
    return e2e_users


@pytest.mark.checklist(10, 19)
@pytest.mark.parametrize(("config", "username"), [("work", "alice"), ("personal", "bob")])
def test_each_config_signs_in_the_account_with_its_label(
    config: str,
    username: str,
    labelled: dict[str, Any],
    signed_in: Callable[[str], Any],
    rp_page: Callable[..., Browser],
    verify_token: Callable[..., dict[str, Any]],
    e2e_sites: Sites,
    e2e_rp: Any,
    request_log: list[str],
) -> None:
    user = signed_in(username)
    page = rp_page(config=config, nonce=f"n-{config}")
    page.wait_for_dialog(ACCOUNT_CHOOSER)
    [account] = page.accounts()
    assert account["accountId"] == str(user.pk)
    assert account["idpConfigUrl"] == f"{e2e_sites.idp}/fedcm/config/{config}.json"
    page.select_account(0)

    result = page.result()
    assert result["status"] == "ok", result
    assert result["configURL"] == f"{e2e_sites.idp}/fedcm/config/{config}.json"
    claims = verify_token(result["token"], nonce=f"n-{config}")
    assert claims["sub"] == str(user.pk)
    assert Grant.objects.filter(user=user, relying_party=e2e_rp).exists()
    # Admitted by the well-known file's accounts_endpoint/login_url, not provider_urls.
    assert "/.well-known/web-identity" in request_log
    assert f"/fedcm/config/{config}.json" in request_log
    assert "/fedcm/config.json" not in request_log


@pytest.mark.checklist(10)
def test_an_account_without_the_label_is_not_offered(
    labelled: dict[str, Any],
    signed_in: Callable[[str], Any],
    rp_page: Callable[..., Browser],
    request_log: list[str],
) -> None:
    """alice is a "work" account: the "personal" config filters her out, and
    Chromium asks to sign in to the IdP instead of listing her."""
    signed_in("alice")
    page = rp_page(config="personal", nonce="n-personal")
    page.wait_for_dialog(CONFIRM_IDP_LOGIN)
    page.driver.fedcm.dismiss()
    result = page.result()
    assert result == {**result, "status": "error", "name": "NetworkError"}
    assert "/fedcm/accounts" in request_log
    assert "/fedcm/assertion" not in request_log


@pytest.mark.checklist(2)
def test_the_default_config_still_lists_every_account(
    labelled: dict[str, Any],
    signed_in: Callable[[str], Any],
    rp_page: Callable[..., Browser],
    verify_token: Callable[..., dict[str, Any]],
) -> None:
    bob = signed_in("bob")
    page = rp_page(nonce="n-default")
    page.wait_for_dialog(ACCOUNT_CHOOSER)
    assert page.account_ids() == [str(bob.pk)]
    page.select_account(0)
    result = page.result()
    assert result["status"] == "ok", result
    assert verify_token(result["token"], nonce="n-default")["sub"] == str(bob.pk)
