"""``GET /.well-known/web-identity``: the well-known file
(https://w3c-fedid.github.io/FedCM/#idp-api-well-known).

Public and cookieless: the browser fetches it without cookies, Origin or
Referer, so the response depends on nothing but settings (and on the request
host only when ``FEDCM_ISSUER`` is unset). It must be reachable on the
registrable domain (eTLD+1) of the config URL, with the port dropped; when
that host is not this Django project, publish the same JSON with
``manage.py fedcm_well_known`` (docs/deployment.md).
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_safe

from django_fedcm.conf import fedcm_settings
from django_fedcm.services.discovery import well_known_document
from django_fedcm.views.base import json_response


@require_safe
def view(request: HttpRequest) -> HttpResponse:
    if not fedcm_settings.WELL_KNOWN_ENABLED:
        return json_response({}, status=404)
    # No Sec-Fetch-Dest check: a public, cookieless file, and checking only
    # hampers tooling such as curl and link checkers (checklist 65).
    return json_response(
        well_known_document(request),
        cache=f"public, max-age={fedcm_settings.DISCOVERY_MAX_AGE}",
    )
