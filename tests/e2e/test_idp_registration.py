"""The IdP Registration API: the user registers this IdP on its registration
page, then an RP asking for any registered IdP (``configURL: "any"``) signs in
with it.

Chrome flags: ``--enable-features=FedCmIdPRegistration,FedCmLightweightMode``
(``chrome://flags/#fedcm-idp-registration``, ``#fedcm-lightweight-mode``), dev
trials in Chromium 156. Without the first, ``IdentityProvider.register`` does
not exist. Without the second, Chromium 156 never fetches a registered IdP's
accounts endpoint (it asks for an empty URL: ERR_INVALID_URL) and shows the
"sign in to the IdP" dialog in a loop; with it, it offers the account the
registration page stored with ``navigator.login.setStatus``
(https://chromium.googlesource.com/chromium/src/+/main/content/browser/webid/idp_network_request_manager.cc).

This module is also the live server's URLconf for these scenarios: an RP page
that asks for any registered IdP of the type in its ``type`` query parameter,
plus the e2e URLconf.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.http import HttpRequest, HttpResponse
from django.urls import path

from django_fedcm.models import Grant
from tests.e2e import harness
from tests.e2e.conftest import PASSWORDS
from tests.e2e.harness import ACCOUNT_CHOOSER, Browser, Sites
from tests.e2e.urls import urlpatterns as e2e_urlpatterns
from tests.e2e.views import CLIENT_ID, RP_HOST, on_host

pytestmark = pytest.mark.e2e

FLAGS = ("--enable-features=FedCmIdPRegistration,FedCmLightweightMode",)
TYPE = "e2e-registered"

# The RP side: the snippet of docs/rp-integration.md ("Any registered IdP").
ANY_IDP_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>rp: any registered IdP</title></head><body>
<pre id="result" data-state="pending"></pre>
<script>
(async () => {
  const query = new URLSearchParams(location.search);
  const out = document.getElementById("result");
  const provider = {configURL: "any", clientId: __CLIENT__, params: {nonce: query.get("nonce")}};
  if (query.get("type")) provider.type = query.get("type");
  let result;
  try {
    const credential = await navigator.credentials.get({identity: {providers: [provider]}});
    result = {status: "ok", token: credential.token, configURL: credential.configURL || ""};
  } catch (error) {
    result = {status: "error", name: error.name, message: error.message};
  }
  out.textContent = JSON.stringify(result);
  out.setAttribute("data-state", "done");
})();
</script></body></html>"""


@on_host(RP_HOST)
def any_idp_page(request: HttpRequest) -> HttpResponse:
    return HttpResponse(ANY_IDP_PAGE.replace("__CLIENT__", json.dumps(CLIENT_ID)))


urlpatterns = [path("e2e/rp/any/", any_idp_page), *e2e_urlpatterns]


@pytest.fixture
def flagged_browser(e2e_sites: Sites, settings: Any) -> Iterator[Browser]:
    settings.ROOT_URLCONF = __name__
    settings.FEDCM_IDP_REGISTRATION_ENABLED = True
    settings.FEDCM_IDP_REGISTRATION_TYPES = [TYPE]
    with harness.launch(FLAGS) as driver:
        yield Browser(driver, e2e_sites)


def register(browser: Browser) -> dict[str, str | None]:
    """Press the IdP's registration button; the outcome the page shows."""
    browser.driver.get(f"{browser.sites.idp}/fedcm/register")
    browser.press("fedcm-register")
    state = browser.wait(
        lambda: (
            browser.attribute_of("fedcm-registration-status", "data-state")
            not in (None, "idle", "pending")
            and browser.attribute_of("fedcm-registration-status", "data-state")
        ),
        what="the registration outcome",
    )
    return {"state": state, "text": browser.text_of("fedcm-registration-status")}


def open_any_idp_page(browser: Browser, kind: str, nonce: str) -> None:
    browser.driver.get(f"{browser.sites.rp}/e2e/rp/any/?type={kind}&nonce={nonce}")
    browser.rp_window = browser.driver.current_window_handle


def test_a_registered_idp_signs_in_an_rp_that_asks_for_any(
    flagged_browser: Browser,
    e2e_users: dict[str, Any],
    e2e_rp: Any,
    verify_token: Callable[..., dict[str, Any]],
    e2e_sites: Sites,
    request_log: list[str],
) -> None:
    browser = flagged_browser
    browser.idp_login("alice", PASSWORDS["alice"])
    outcome = register(browser)
    assert outcome["state"] == "registered", outcome

    open_any_idp_page(browser, TYPE, "n-any")
    browser.wait_for_dialog(ACCOUNT_CHOOSER)
    [account] = browser.accounts()
    assert account["accountId"] == str(e2e_users["alice"].pk)
    assert account["idpConfigUrl"] == e2e_sites.config_url
    browser.select_account(0)
    result = browser.result()
    assert result["status"] == "ok", result
    assert result["configURL"] == e2e_sites.config_url
    assert verify_token(result["token"], nonce="n-any")["sub"] == str(e2e_users["alice"].pk)
    assert Grant.objects.filter(user=e2e_users["alice"], relying_party=e2e_rp).exists()
    # The account came from the browser's store, not the accounts endpoint.
    assert "/fedcm/accounts" not in request_log
    assert "/fedcm/assertion" in request_log


def test_an_rp_asking_for_another_type_gets_no_dialog(
    flagged_browser: Browser,
    e2e_users: dict[str, Any],
    e2e_rp: Any,
    request_log: list[str],
) -> None:
    """The config's ``types`` decide: Chromium says "The requested IdP type
    did not match the registered IdP." and the RP gets an error."""
    browser = flagged_browser
    browser.idp_login("alice", PASSWORDS["alice"])
    assert register(browser)["state"] == "registered"

    open_any_idp_page(browser, "some-other-type", "n-other")
    result = browser.result(timeout=20)
    assert result["status"] == "error", result
    assert browser.dialog_type() is None
    assert "/fedcm/assertion" not in request_log
