"""The RP JavaScript SDK (``/fedcm/sdk.js``) in real headless Chromium.

Both paths of ``DjangoFedCM.signIn()``:

* FedCM on: the account chooser, an ID token (and FedCM for OAuth: a code
  plus the SDK's PKCE verifier, exchanged at DOT's token endpoint);
* the redirect fallback (state + PKCE S256 through DOT's authorization
  endpoint, back to the RP's callback page): with FedCM disabled
  (``--disable-features=FedCm``), when FedCM rejects (nobody signed in, a
  passive request), and when it never answers (a stalled ``get()``).

The RP pages load the SDK cross-site with ``integrity`` + ``crossorigin``, so
the SRI hash and the CORS header are exercised too. This module is also the
live server's URLconf (the RP pages plus ``tests.e2e.urls``).
"""

from __future__ import annotations

import json
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.http import HttpRequest, HttpResponse
from django.urls import path
from selenium.webdriver.common.by import By

from django_fedcm.models import Grant
from django_fedcm.views.sdk import sdk_integrity, sdk_version
from tests.e2e import harness
from tests.e2e.conftest import PASSWORDS
from tests.e2e.harness import ACCOUNT_CHOOSER, Browser
from tests.e2e.urls import urlpatterns as e2e_urlpatterns
from tests.e2e.views import CLIENT_ID, RP_HOST, on_host

pytestmark = pytest.mark.e2e

NONCE = "n-sdk"

_HEAD = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>sdk rp</title>
<script src="__SRC__" integrity="__INTEGRITY__" crossorigin="anonymous"></script></head>
<body><button id="sign-in" type="button">Sign in</button>
<pre id="result" data-state="pending"></pre>
<script>
"use strict";
function report(outcome) {
  const element = document.getElementById("result");
  element.textContent = JSON.stringify(outcome);
  element.dataset.state = "done";
}
function failure(error) {
  return {status: "error", name: error.name, error: error.error || "", message: error.message};
}
"""

SIGN_IN_PAGE = (
    _HEAD
    + """
const query = new URLSearchParams(location.search);
const options = {
  clientId: "__CLIENT_ID__", nonce: "__NONCE__", redirectUri: location.origin + "/callback",
  timeout: Number(query.get("timeout") || 20000),
};
if (query.get("mode")) options.mode = query.get("mode");
if (query.get("oauth")) options.params = {response_type: "code", scope: "openid profile email"};
if (query.get("stall")) {
  // FedCM is present but never settles (some browsers do this).
  navigator.credentials.get = () => new Promise(() => {});
}
async function signIn() {
  try {
    const result = await DjangoFedCM.signIn(options);
    if (result.flow === "fedcm") report(Object.assign({status: "ok"}, result));
    else sessionStorage.setItem("sdk-test.reason", result.reason);
  } catch (error) {
    report(failure(error));
  }
}
document.getElementById("sign-in").addEventListener("click", signIn);
if (query.get("auto") !== "0") signIn();
</script></body></html>"""
)

CALLBACK_PAGE = (
    _HEAD
    + """
try {
  const result = DjangoFedCM.handleRedirectCallback();
  report(Object.assign({status: "ok", reason: sessionStorage.getItem("sdk-test.reason")}, result));
} catch (error) {
  report(failure(error));
}
</script></body></html>"""
)


def _render(request: HttpRequest, page: str) -> HttpResponse:
    from django.conf import settings

    html = (
        page.replace("__SRC__", f"{settings.FEDCM_ISSUER}/fedcm/sdk.js?v={sdk_version()}")
        .replace("__INTEGRITY__", sdk_integrity())
        .replace("__CLIENT_ID__", CLIENT_ID)
        .replace("__NONCE__", NONCE)
    )
    return HttpResponse(html)


@on_host(RP_HOST)
def sdk_rp_page(request: HttpRequest) -> HttpResponse:
    return _render(request, SIGN_IN_PAGE)


@on_host(RP_HOST)
def callback_page(request: HttpRequest) -> HttpResponse:
    return _render(request, CALLBACK_PAGE)


urlpatterns = [
    path("sdk-rp/", sdk_rp_page),
    # The redirect URI registered for the e2e client (conftest fedcm_make_rp).
    path("callback", callback_page),
    *e2e_urlpatterns,
]


# --------------------------------------------------------------------------- fixtures


@pytest.fixture
def sdk_sites(e2e_sites: harness.Sites, settings: Any) -> harness.Sites:
    settings.ROOT_URLCONF = __name__
    # DOT's authorization view sends signed-out users to the IdP's own page.
    settings.LOGIN_URL = "/fedcm/login"
    return e2e_sites


@pytest.fixture
def fedcm_off_browser(sdk_sites: harness.Sites) -> Iterator[Browser]:
    with harness.launch(("--disable-features=FedCm",)) as driver:
        yield Browser(driver, sdk_sites)


def open_sdk_page(browser: Browser, **params: str) -> None:
    query = urllib.parse.urlencode(params)
    browser.driver.get(f"{browser.sites.rp}/sdk-rp/{'?' + query if query else ''}")
    browser.rp_window = browser.driver.current_window_handle


def approve_on_consent_page(browser: Browser) -> None:
    """DOT's consent page (the IdP's normal pages, top-level)."""
    browser.wait(lambda: browser.driver.find_elements(By.NAME, "allow"), what="DOT's consent page")
    assert browser.driver.current_url.startswith(f"{browser.sites.idp}/o/authorize/")
    browser.driver.find_element(By.NAME, "allow").click()


def token_request(sites: harness.Sites, **data: str) -> dict[str, Any]:
    """The RP backend's call to DOT's token endpoint (real HTTP)."""
    body = urllib.parse.urlencode({"client_id": CLIENT_ID, **data}).encode()
    request = urllib.request.Request(f"{sites.idp}/o/token/", data=body, method="POST")
    with urllib.request.urlopen(request, timeout=10) as response:
        result: dict[str, Any] = json.loads(response.read())
    return result


def redeem_redirect_result(
    sites: harness.Sites, result: dict[str, Any], verify: Callable[..., dict[str, Any]]
) -> dict[str, Any]:
    assert result["status"] == "ok", result
    assert result["flow"] == "redirect"
    assert result["redirectUri"] == f"{sites.rp}/callback"
    assert result["nonce"] == NONCE
    tokens = token_request(
        sites,
        grant_type="authorization_code",
        code=result["code"],
        code_verifier=result["codeVerifier"],
        redirect_uri=result["redirectUri"],
    )
    assert tokens["refresh_token"]
    return verify(tokens["id_token"], nonce=NONCE)


# --------------------------------------------------------------------------- FedCM on


def test_sdk_signs_in_with_fedcm(
    sdk_sites: harness.Sites,
    browser: Browser,
    signed_in: Callable[[str], Any],
    e2e_rp: Any,
    verify_token: Callable[..., dict[str, Any]],
    request_log: list[str],
) -> None:
    alice = signed_in("alice")
    open_sdk_page(browser)
    browser.wait_for_dialog(ACCOUNT_CHOOSER)
    browser.select_account(0)
    result = browser.result()
    assert result["status"] == "ok", result
    assert result["flow"] == "fedcm"
    assert result["configURL"] == sdk_sites.config_url
    assert verify_token(result["token"], nonce=NONCE)["sub"] == str(alice.pk)
    assert "/o/authorize/" not in request_log
    assert any(p == "/fedcm/sdk.js" for p in request_log)


def test_sdk_fedcm_for_oauth_returns_a_code_and_pkce_verifier(
    sdk_sites: harness.Sites,
    browser: Browser,
    signed_in: Callable[[str], Any],
    e2e_rp: Any,
    verify_token: Callable[..., dict[str, Any]],
) -> None:
    alice = signed_in("alice")
    open_sdk_page(browser, oauth="1")
    browser.wait_for_dialog(ACCOUNT_CHOOSER)
    browser.select_account(0)
    result = browser.result()
    assert result["status"] == "ok", result
    assert result["flow"] == "fedcm" and result["codeVerifier"]
    # The RP backend: no redirect_uri for a code that came through FedCM.
    tokens = token_request(
        sdk_sites,
        grant_type="authorization_code",
        code=result["token"],
        code_verifier=result["codeVerifier"],
    )
    assert tokens["access_token"] and tokens["refresh_token"]
    assert verify_token(tokens["id_token"], nonce=NONCE)["sub"] == str(alice.pk)


def test_sdk_sign_out_and_disconnect(
    sdk_sites: harness.Sites,
    browser: Browser,
    signed_in: Callable[[str], Any],
    e2e_rp: Any,
) -> None:
    alice = signed_in("alice")
    open_sdk_page(browser)
    browser.wait_for_dialog(ACCOUNT_CHOOSER)
    browser.select_account(0)
    assert browser.result()["status"] == "ok"
    assert Grant.objects.filter(user=alice, relying_party=e2e_rp).exists()
    outcome = browser.driver.execute_async_script(
        """
        const done = arguments[arguments.length - 1];
        DjangoFedCM.signOut()
          .then(() => DjangoFedCM.disconnect({clientId: arguments[0], accountHint: arguments[1]}))
          .then(() => done("ok"), (error) => done(error.name + ": " + error.message));
        """,
        CLIENT_ID,
        "alice@example.com",
    )
    assert outcome == "ok"
    assert not Grant.objects.filter(user=alice, relying_party=e2e_rp).exists()


# --------------------------------------------------------------------------- fallback


def test_sdk_falls_back_to_redirect_when_fedcm_is_disabled(
    sdk_sites: harness.Sites,
    fedcm_off_browser: Browser,
    e2e_users: dict[str, Any],
    e2e_rp: Any,
    verify_token: Callable[..., dict[str, Any]],
    request_log: list[str],
) -> None:
    browser = fedcm_off_browser
    browser.idp_login("alice", PASSWORDS["alice"])
    open_sdk_page(browser)
    assert browser.driver.execute_script("return typeof window.IdentityCredential") == "undefined"
    approve_on_consent_page(browser)
    result = browser.result()
    assert result["reason"] == "fedcm_unavailable"
    claims = redeem_redirect_result(sdk_sites, result, verify_token)
    assert claims["sub"] == str(e2e_users["alice"].pk)
    assert "/fedcm/assertion" not in request_log
    # The OAuth approval is a grant like a FedCM one (approved_clients).
    assert Grant.objects.filter(user=e2e_users["alice"], relying_party=e2e_rp).exists()


def test_sdk_falls_back_when_fedcm_rejects(
    sdk_sites: harness.Sites,
    browser: Browser,
    e2e_users: dict[str, Any],
    e2e_rp: Any,
    verify_token: Callable[..., dict[str, Any]],
) -> None:
    # Nobody signed in at the IdP: a passive FedCM request rejects without a
    # dialog (docs/login-status.md); the SDK redirects to
    # the IdP's normal sign-in page, then DOT's consent.
    open_sdk_page(browser)
    browser.wait(
        lambda: browser.driver.current_url.startswith(f"{sdk_sites.idp}/fedcm/login"),
        what="the redirect to the IdP's sign-in page",
    )
    browser.fill_login_form("alice", PASSWORDS["alice"])
    approve_on_consent_page(browser)
    result = browser.result()
    assert result["reason"] == "fedcm_failed"
    assert redeem_redirect_result(sdk_sites, result, verify_token)["sub"] == str(
        e2e_users["alice"].pk
    )


def test_sdk_falls_back_when_fedcm_never_answers(
    sdk_sites: harness.Sites,
    browser: Browser,
    signed_in: Callable[[str], Any],
    e2e_rp: Any,
    verify_token: Callable[..., dict[str, Any]],
) -> None:
    alice = signed_in("alice")
    open_sdk_page(browser, stall="1", timeout="800")
    approve_on_consent_page(browser)
    result = browser.result()
    assert result["reason"] == "timeout"
    assert redeem_redirect_result(sdk_sites, result, verify_token)["sub"] == str(alice.pk)


def test_sdk_callback_refuses_a_foreign_state(
    sdk_sites: harness.Sites, browser: Browser, e2e_rp: Any
) -> None:
    browser.driver.get(f"{sdk_sites.rp}/callback?code=stolen&state=forged")
    result = browser.result()
    assert result == {
        "status": "error",
        "name": "SignInError",
        "error": "state_mismatch",
        "message": "The sign-in response does not belong to this tab.",
    }
