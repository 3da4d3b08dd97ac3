"""``/fedcm/user_info?client_id=X``: the ``IdentityProvider.getUserInfo()`` iframe
(https://w3c-fedid.github.io/FedCM/#browser-api-identity-provider-interface; checklist 66).

A relying party embeds this IdP page in an iframe (with
``allow="identity-credentials-get"``); the page asks the browser for the
returning user's name, email and picture and renders a personalised "Continue
as ..." button. The browser answers only for an account whose
``approved_clients`` contain the client, so the server does nothing here but
serve the page: it is cookieless and query-light (one lookup of the client).

Framing: only the client's registered origins may embed it
(``Content-Security-Policy: frame-ancestors``); it is exempt from
``XFrameOptionsMiddleware``'s blanket ``DENY``, which would block every
embedder (https://w3c-fedid.github.io/FedCM/#clickjacking). A click posts a
message without personal data to the parent page, addressed to each
registered origin (the browser delivers it only to the one that matches), so
the RP can start ``navigator.credentials.get()`` itself.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_safe

from django_fedcm.conf import fedcm_settings
from django_fedcm.models import RelyingParty
from django_fedcm.services.discovery import config_url
from django_fedcm.views.guards import requested_client
from django_fedcm.views.outage import page_when_database_down

TEMPLATE = "django_fedcm/user_info.html"

#: ``postMessage`` type the RP page listens for (docs/endpoints.md).
CLICK_MESSAGE = "django-fedcm:user-info-click"


def frame_ancestors(relying_party: RelyingParty) -> str:
    """The CSP directive allowing exactly the client's origins to frame the page."""
    origins = relying_party.origins
    return "frame-ancestors " + (" ".join(origins) if origins else "'none'")


def idp_name(request: HttpRequest) -> str:
    """The name on the generic button: ``FEDCM_BRANDING["name"]`` or the host."""
    branding = fedcm_settings.BRANDING or {}
    return str(branding.get("name") or request.get_host())


@xframe_options_exempt
@page_when_database_down
@require_safe
def view(request: HttpRequest) -> HttpResponse:
    relying_party = requested_client(request)
    if relying_party is None or not relying_party.enabled:
        return JsonResponse({}, status=404)
    data = {
        "configURL": config_url(request),
        "clientId": relying_party.client_id,
        "origins": relying_party.origins,
        "message": CLICK_MESSAGE,
    }
    response = render(request, TEMPLATE, {"data": data, "idp_name": idp_name(request)})
    response["Content-Security-Policy"] = frame_ancestors(relying_party)
    return response
