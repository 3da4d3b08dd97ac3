"""Session renewal in real headless Chromium: ``DjangoFedCM.keepSignedIn()``
keeps the RP signed in past the ID token's lifetime without a prompt.

``FEDCM_TOKEN_LIFETIME`` is 10 s here, so the SDK renews about 5 s after the
sign-in (half the token's remaining life, as its one-minute margin is longer
than the token):

* FedCM door: a silent ``navigator.credentials.get({mediation: "silent"})``
  (automatic re-authentication from the grant) while the test polls the
  browser's FedCM dialog API and answers nothing: no dialog asks the user
  anything (the only one seen is ``AutoReauthn``, Chromium's "Signing you in
  as …" notice, which has no button and closes by itself), and the page
  receives ``fedcm:renewed`` with a new ID token bound to the renewal's nonce.
  A second silent request inside Chromium's ten-minute quiet period fails
  with no UI at all, and the SDK plans its retry after the period;
* OAuth door (FedCM for OAuth): the page calls the RP backend's refresh
  endpoint, which exchanges the refresh token it keeps at the IdP's token
  endpoint with :class:`django_fedcm.rp.TokenRefresher`; the browser never
  sees the refresh token.

Chrome flags: none beyond the harness's base flags (automatic
re-authentication and ``mediation: "silent"`` have shipped). The RP pages load
the SDK cross-site with ``integrity`` + ``crossorigin``. This module is also
the live server's URLconf (the RP pages plus ``tests.e2e.urls``).
"""

from __future__ import annotations

import json
import secrets
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from django_fedcm import rp
from django_fedcm.views.sdk import sdk_integrity, sdk_version
from tests.e2e import harness
from tests.e2e.harness import ACCOUNT_CHOOSER, Browser
from tests.e2e.urls import urlpatterns as e2e_urlpatterns
from tests.e2e.views import CLIENT_ID, RP_HOST, on_host

pytestmark = pytest.mark.e2e

NONCE = "n-renewal"
TOKEN_LIFETIME = 10  # seconds: the SDK renews after about 5
QUIET_PERIOD_MS = 600_000  # Chromium: one automatic re-authentication per 10 minutes

PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>renewal rp</title>
<script src="__SRC__" integrity="__INTEGRITY__" crossorigin="anonymous"></script></head>
<body><pre id="result" data-state="pending"></pre><pre id="events">[]</pre>
<script>
"use strict";
const query = new URLSearchParams(location.search);
const events = [];
for (const name of ["fedcm:renewed", "fedcm:renewal-failed", "fedcm:signed-out"]) {
  window.addEventListener(name, (event) => {
    events.push(Object.assign({type: event.type, at: Date.now()}, event.detail));
    document.getElementById("events").textContent = JSON.stringify(events);
  });
}
function report(outcome) {
  const element = document.getElementById("result");
  element.textContent = JSON.stringify(outcome);
  element.dataset.state = "done";
}
let renewals = 0;
async function start() {
  const options = {clientId: "__CLIENT_ID__", nonce: "__NONCE__", fallback: false};
  if (query.get("door") === "oauth") {
    options.params = {response_type: "code", scope: "openid profile email"};
    const result = await DjangoFedCM.signIn(options);
    // The RP backend exchanges the code and keeps the refresh token.
    const response = await fetch("/renewal-rp/exchange", {
      method: "POST", headers: {"Content-Type": "application/json"},
      body: JSON.stringify({code: result.token, codeVerifier: result.codeVerifier}),
    });
    const session = await response.json();
    window.renewal = DjangoFedCM.keepSignedIn({
      refreshEndpoint: "/renewal-rp/refresh", expiresAt: session.expires_at * 1000,
    });
    report(Object.assign({status: "ok", signedInAt: Date.now()}, session));
  } else {
    const result = await DjangoFedCM.signIn(options);
    window.renewal = DjangoFedCM.keepSignedIn({
      clientId: "__CLIENT_ID__", token: result.token, nonce: () => "n-renew-" + (++renewals),
    });
    report(Object.assign({status: "ok", signedInAt: Date.now()}, result));
  }
}
start().catch((error) => report({status: "error", name: error.name, error: error.error || "",
                                 message: error.message}));
</script></body></html>"""


@on_host(RP_HOST)
def renewal_page(request: HttpRequest) -> HttpResponse:
    issuer = django_settings.FEDCM_ISSUER
    html = (
        PAGE.replace("__SRC__", f"{issuer}/fedcm/sdk.js?v={sdk_version()}")
        .replace("__INTEGRITY__", sdk_integrity())
        .replace("__CLIENT_ID__", CLIENT_ID)
        .replace("__NONCE__", NONCE)
    )
    return HttpResponse(html)


# --------------------------------------------------------------------------- the RP backend

#: The RP backend's sessions (cookie ``rp_sid``): refresh token and claims.
#: The browser holds only the opaque session id.
SESSIONS: dict[str, dict[str, Any]] = {}
_LOCK = threading.Lock()


def _verifier() -> rp.IdTokenVerifier:
    return rp.IdTokenVerifier(issuer=django_settings.FEDCM_ISSUER, client_id=CLIENT_ID)


def _token_request(**form: str) -> dict[str, Any]:
    body = urllib.parse.urlencode({"client_id": CLIENT_ID, **form}).encode()
    url = f"{django_settings.FEDCM_ISSUER}/o/token/"
    request = urllib.request.Request(url, data=body, method="POST")
    with urllib.request.urlopen(request, timeout=10) as response:
        result: dict[str, Any] = json.loads(response.read())
    return result


@csrf_exempt
@on_host(RP_HOST)
def exchange(request: HttpRequest) -> JsonResponse:
    """Code + PKCE verifier → tokens; the ID token verified with the sign-in's nonce."""
    data = json.loads(request.body)
    tokens = _token_request(
        grant_type="authorization_code", code=data["code"], code_verifier=data["codeVerifier"]
    )
    claims = _verifier().verify(tokens["id_token"], nonce=NONCE)
    sid = secrets.token_urlsafe(16)
    with _LOCK:
        SESSIONS[sid] = {"refresh_token": tokens["refresh_token"], "claims": claims, "log": []}
    response = JsonResponse({"expires_at": claims["exp"], "sub": claims["sub"]})
    response.set_cookie("rp_sid", sid, httponly=True, samesite="Lax")
    return response


@csrf_exempt
@on_host(RP_HOST)
def refresh(request: HttpRequest) -> JsonResponse:
    """The endpoint ``keepSignedIn({refreshEndpoint})`` calls (docs/rp-integration.md)."""
    with _LOCK:
        state = SESSIONS.get(request.COOKIES.get("rp_sid", ""))
    if state is None:
        return JsonResponse({"error": "login_required"}, status=401)
    refresher = rp.TokenRefresher(verifier=_verifier())
    try:
        tokens = refresher.refresh(state["refresh_token"], previous_claims=state["claims"])
    except rp.RefreshUnavailable as exc:
        return JsonResponse({"error": exc.error}, status=503)
    except (rp.RefreshRejected, rp.TokenVerificationError) as exc:
        return JsonResponse({"error": getattr(exc, "error", "invalid_token")}, status=401)
    with _LOCK:
        state["log"].append(state["refresh_token"])
        state.update(refresh_token=tokens.refresh_token, claims=tokens.claims)
    return JsonResponse({"expires_at": tokens.claims["exp"], "id_token": tokens.id_token})


urlpatterns = [
    path("renewal-rp/", renewal_page),
    path("renewal-rp/exchange", exchange),
    path("renewal-rp/refresh", refresh),
    *e2e_urlpatterns,
]


# --------------------------------------------------------------------------- fixtures


@pytest.fixture
def renewal_sites(e2e_sites: harness.Sites, settings: Any) -> harness.Sites:
    settings.ROOT_URLCONF = __name__
    settings.FEDCM_TOKEN_LIFETIME = TOKEN_LIFETIME  # both doors' ID tokens
    SESSIONS.clear()
    return e2e_sites


def open_renewal_page(browser: Browser, **params: str) -> None:
    query = urllib.parse.urlencode(params)
    browser.driver.get(f"{browser.sites.rp}/renewal-rp/{'?' + query if query else ''}")
    browser.rp_window = browser.driver.current_window_handle


def sign_in_with_the_chooser(browser: Browser, **params: str) -> dict[str, Any]:
    open_renewal_page(browser, **params)
    browser.wait_for_dialog(ACCOUNT_CHOOSER)
    browser.select_account(0)
    result = browser.result()
    assert result["status"] == "ok", result
    return result


def events(browser: Browser) -> list[dict[str, Any]]:
    return list(json.loads(browser.text_of("events") or "[]"))


#: Chromium's notice during an automatic re-authentication ("Signing you in
#: as …"): no button, nothing asked, it closes by itself. Any other dialog
#: (AccountChooser, ConfirmIdpLogin, Error) would be a prompt.
AUTO_REAUTHN_NOTICE = "AutoReauthn"


def wait_without_prompt(
    browser: Browser, until: Callable[[list[dict[str, Any]]], bool], timeout: float, what: str
) -> tuple[list[dict[str, Any]], set[str]]:
    """Poll the page's events until ``until`` holds, reading the browser's
    FedCM dialog every 50 ms; fail on any dialog that asks the user something.
    The test never answers a dialog here. Returns the events and the dialog
    types seen."""
    kinds: set[str] = set()
    deadline = time.monotonic() + timeout
    while True:
        kind = browser.dialog_type()
        if kind:
            assert kind == AUTO_REAUTHN_NOTICE, f"the renewal prompted the user: {kind}"
            kinds.add(kind)
        seen = events(browser)
        if until(seen):
            browser.assert_no_dialog(0.5)  # the notice, if any, closed by itself
            return seen, kinds
        assert time.monotonic() < deadline, f"timed out waiting for {what}; events: {seen}"
        time.sleep(0.05)


def has(kind: str) -> Callable[[list[dict[str, Any]]], bool]:
    return lambda seen: any(event["type"] == kind for event in seen)


# --------------------------------------------------------------------------- FedCM door


def test_silent_fedcm_renewal_before_the_token_expires(
    renewal_sites: harness.Sites,
    browser: Browser,
    signed_in: Callable[[str], Any],
    e2e_rp: Any,
    verify_token: Callable[..., dict[str, Any]],
    request_log: list[str],
) -> None:
    alice = signed_in("alice")
    first = sign_in_with_the_chooser(browser)
    assert first["isAutoSelected"] is False
    original = verify_token(first["token"], nonce=NONCE)
    assert original["exp"] - original["iat"] == TOKEN_LIFETIME
    assert request_log.count("/fedcm/assertion") == 1

    seen, dialogs = wait_without_prompt(
        browser, has("fedcm:renewed"), TOKEN_LIFETIME + 5, "fedcm:renewed"
    )
    assert dialogs <= {AUTO_REAUTHN_NOTICE}
    [renewed] = seen
    assert renewed["method"] == "fedcm" and renewed["isAutoSelected"] is True
    assert renewed["token"] != first["token"]
    # Before the first token expired, at about half its life.
    assert renewed["at"] < original["exp"] * 1000
    assert renewed["at"] - first["signedInAt"] >= (TOKEN_LIFETIME / 2 - 1.5) * 1000
    # The RP backend verifies it like any sign-in: the renewal's own nonce.
    claims = verify_token(renewed["token"], nonce="n-renew-1")
    assert claims["sub"] == original["sub"] == str(alice.pk)
    assert claims["exp"] > original["exp"]
    assert renewed["expiresAt"] == claims["exp"] * 1000
    assert request_log.count("/fedcm/assertion") == 2

    # The next silent renewal waits for Chromium's quiet period, whatever exp says.
    status = browser.driver.execute_script("return window.renewal.status()")
    assert status["running"] is True
    assert status["nextRenewalAt"] >= renewed["at"] + QUIET_PERIOD_MS


def test_a_second_silent_renewal_inside_the_quiet_period_fails_without_a_prompt(
    renewal_sites: harness.Sites,
    browser: Browser,
    signed_in: Callable[[str], Any],
    e2e_rp: Any,
    request_log: list[str],
) -> None:
    signed_in("alice")
    sign_in_with_the_chooser(browser)
    [renewed], _ = wait_without_prompt(
        browser, has("fedcm:renewed"), TOKEN_LIFETIME + 5, "fedcm:renewed"
    )

    # Force another silent request now: Chromium refuses it (one automatic
    # re-authentication per ten minutes), shows nothing, and the SDK retries
    # once the period is over instead of signing the user out.
    browser.driver.execute_script("window.renewal.renewNow()")
    seen, dialogs = wait_without_prompt(
        browser, has("fedcm:renewal-failed"), 10, "fedcm:renewal-failed"
    )
    assert dialogs == set()  # refused before any UI
    failed = seen[-1]
    assert failed["type"] == "fedcm:renewal-failed", seen
    assert failed["error"] == "NetworkError" and failed["attempt"] == 1
    assert failed["retryAt"] >= renewed["at"] + QUIET_PERIOD_MS
    assert not any(e["type"] == "fedcm:signed-out" for e in seen)
    assert request_log.count("/fedcm/assertion") == 2  # the refused one never reached the IdP


def test_a_client_requiring_user_action_refuses_renewal(
    renewal_sites: harness.Sites,
    browser: Browser,
    signed_in: Callable[[str], Any],
    e2e_rp: Any,
    request_log: list[str],
) -> None:
    e2e_rp.require_user_action = True
    e2e_rp.save()
    signed_in("alice")
    sign_in_with_the_chooser(browser)  # a click: allowed

    # The silent renewal reaches the IdP with is_auto_selected=true and is
    # refused; Chromium shows its error dialog until the user closes it.
    browser.dismiss_error_dialog()
    seen = wait_without_prompt(browser, has("fedcm:signed-out"), 10, "fedcm:signed-out")[0]
    assert [(e["type"], e["error"]) for e in seen] == [
        ("fedcm:renewal-failed", "access_denied"),
        ("fedcm:signed-out", "access_denied"),
    ]
    assert seen[0]["retryAt"] is None  # asking again would show the same error
    assert seen[1]["reason"] == "rejected"
    assert request_log.count("/fedcm/assertion") == 2


# --------------------------------------------------------------------------- OAuth door


def test_refresh_token_renewal_through_the_rp_backend(
    renewal_sites: harness.Sites,
    browser: Browser,
    signed_in: Callable[[str], Any],
    e2e_rp: Any,
    verify_token: Callable[..., dict[str, Any]],
    request_log: list[str],
) -> None:
    alice = signed_in("alice")
    first = sign_in_with_the_chooser(browser, door="oauth")
    assert first["sub"] == str(alice.pk)
    [state] = SESSIONS.values()
    original_refresh = state["refresh_token"]

    seen, dialogs = wait_without_prompt(
        browser, has("fedcm:renewed"), TOKEN_LIFETIME + 5, "fedcm:renewed"
    )
    assert dialogs == set()  # no FedCM request at all
    [renewed] = seen
    assert renewed["method"] == "refresh"
    assert renewed["at"] < first["expires_at"] * 1000
    claims = verify_token(renewed["token"], nonce=False)
    assert claims["sub"] == str(alice.pk)
    assert claims["exp"] > first["expires_at"]
    assert "nonce" not in claims  # OpenID Connect Core §12.2: SHOULD NOT
    assert renewed["expiresAt"] == claims["exp"] * 1000
    # The refresh token stayed on the RP backend and was rotated there.
    assert state["log"] == [original_refresh]
    assert state["refresh_token"] != original_refresh
    assert original_refresh not in browser.driver.page_source
    # No second FedCM request: the renewal went RP backend → token endpoint.
    assert request_log.count("/fedcm/assertion") == 1
    assert request_log.count("/renewal-rp/refresh") == 1
    assert request_log.count("/o/token/") == 2
