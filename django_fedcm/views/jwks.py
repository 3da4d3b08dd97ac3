"""``GET /fedcm/jwks.json``: the public key set (RFC 7517).

Public parts of the active key, the pre-published next key and retired keys
inside their grace period. Served from the per-process key cache: no query
once warm.
"""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_safe

from django_fedcm.conf import fedcm_settings
from django_fedcm.services import keys
from django_fedcm.views.outage import json_when_database_down


@json_when_database_down
@require_safe
def view(request: HttpRequest) -> JsonResponse:
    response = JsonResponse(keys.jwks())
    # Short enough that a rotation reaches RPs well inside the grace period.
    max_age = min(fedcm_settings.KEY_CACHE_SECONDS * 5, 3600)
    response["Cache-Control"] = f"public, max-age={max_age}"
    response["Access-Control-Allow-Origin"] = "*"
    return response
