"""``GET /fedcm/register``: the page that registers this IdP with the browser.

A signed-in user presses the button; ``registration.js`` hands the user's
account to the browser (``navigator.login.setStatus("logged-in", {accounts})``)
and calls ``IdentityProvider.register(configURL)``, after which a relying
party may ask for any registered IdP with ``configURL: "any"`` (the IdP
Registration API; docs/endpoints.md). Chromium never fetches the accounts
endpoint of a registered IdP: it shows the accounts the IdP stored in the
browser, hence ``FedCmLightweightMode`` next to ``FedCmIdPRegistration``
(https://chromium.googlesource.com/chromium/src/+/main/content/browser/webid/idp_network_request_manager.cc).
An ordinary same-site page, not a FedCM endpoint, so Django's login applies.
404 unless ``FEDCM_IDP_REGISTRATION_ENABLED`` (docs/settings.md).
"""

from __future__ import annotations

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.clickjacking import xframe_options_deny
from django.views.decorators.http import require_safe

from django_fedcm.conf import fedcm_settings
from django_fedcm.services.discovery import config_url
from django_fedcm.views.accounts import signed_in_accounts
from django_fedcm.views.outage import page_when_database_down


@never_cache
# The button registers this IdP: a framing page must not trick a click into it.
@xframe_options_deny
@page_when_database_down
@require_safe
def view(request: HttpRequest) -> HttpResponse:
    # Off: the page does not exist, even for an anonymous visitor.
    if not fedcm_settings.IDP_REGISTRATION_ENABLED:
        raise Http404("IdP registration is off")
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    return render(
        request,
        "django_fedcm/idp_registration.html",
        # The same entries the accounts endpoint would answer (none for a
        # disabled account: the browser then has nothing to offer).
        {
            "config_url": config_url(request),
            "accounts": signed_in_accounts(request),
            "site": request.get_host(),
            "username": request.user.get_username(),
        },
    )
