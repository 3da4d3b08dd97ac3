"""Test-only pages served by the live server next to the IdP endpoints.

The live server answers on one port for two sites (the layout in
docs/testing-with-a-browser.md): ``http://localhost:PORT`` is the IdP and
``http://127.0.0.1:PORT`` is the relying party. ``localhost`` and
``127.0.0.1`` are different sites, so FedCM's cross-site rules apply exactly
as in production. Each page answers only on its own host.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps
from pathlib import Path

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils.html import escape

RP_HOST = "127.0.0.1"
IDP_HOST = "localhost"
CLIENT_ID = "e2e-rp"

View = Callable[[HttpRequest], HttpResponse]


def on_host(host: str) -> Callable[[View], View]:
    """Route by the ``Host`` header: 404 on the other site."""

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest) -> HttpResponse:
            if request.get_host().rsplit(":", 1)[0] != host:
                raise Http404("served on another host")
            return view(request)

        return wrapped

    return decorate


# The RP page. Every option comes from the query string so one page serves
# every scenario; the outcome is written as JSON into #result (get()) and
# #disconnect-result (IdentityCredential.disconnect()).
RP_PAGE = (Path(__file__).parent / "rp_page.html").read_text()


@on_host(RP_HOST)
def rp_page(request: HttpRequest) -> HttpResponse:
    issuer = settings.FEDCM_ISSUER
    config = {"configURL": f"{issuer}/fedcm/config.json", "clientId": CLIENT_ID}
    # json.dumps + "</" escaping keeps the inline JSON inert.
    payload = json.dumps(config).replace("</", "<\\/")
    return HttpResponse(RP_PAGE.replace("__CONFIG__", payload))


@on_host(IDP_HOST)
def idp_home(request: HttpRequest) -> HttpResponse:
    """Landing page after the test signs in to the IdP; has the sign-out form."""
    user = request.user
    who = escape(user.get_username()) if user.is_authenticated else ""
    token = get_token(request)
    return HttpResponse(
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>idp</title></head>'
        f'<body><p id="who">{who}</p>'
        f'<form method="post" action="/e2e/logout/"><input type="hidden" '
        f'name="csrfmiddlewaretoken" value="{token}">'
        f'<button id="sign-out" type="submit">Sign out</button></form></body></html>'
    )
