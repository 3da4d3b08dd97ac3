"""``GET /fedcm/client_metadata?client_id=X``: client metadata
(https://w3c-fedid.github.io/FedCM/#idp-api-client-id-metadata-endpoint).

Fetched without cookies, with ``Origin: <RP origin>``; when the RP runs in a
cross-site iframe the browser also names the embedder — ``top_frame_origin``
in Chromium, ``top_level_origin`` in the spec (PR #774); both are accepted
(checklist 24).

Nothing about a client is answered unless the request ``Origin`` is one of
that client's registered origins, so a page cannot read another client's
links (checklist 23); unknown and disabled clients look the same (404 with an
empty JSON object — Chrome then just shows no links). ``Sec-Fetch-Dest`` is
not enforced: the data is public (checklist 65). One query.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_safe

from django_fedcm.internal.origins import normalize_origin
from django_fedcm.models import RelyingParty
from django_fedcm.views.base import json_response
from django_fedcm.views.guards import client_for_origin, json_on_database_error

#: Query parameters naming the top-level (embedding) page's origin.
TOP_FRAME_PARAMS = ("top_frame_origin", "top_level_origin")


def top_frame_origin(request: HttpRequest) -> str | None:
    """The embedder's origin if the browser sent one (``""`` counts as sent)."""
    for name in TOP_FRAME_PARAMS:
        if name in request.GET:
            return request.GET[name]
    return None


def is_third_party(relying_party: RelyingParty, top_origin: str) -> bool:
    """``client_is_third_party_to_top_frame_origin``: the client is flagged as
    third party and the embedding page is not one of its own origins."""
    if not relying_party.client_is_third_party:
        return False
    try:
        return normalize_origin(top_origin) not in relying_party.origins
    except ValueError:  # not an origin at all: certainly not one of the client's
        return True


def client_metadata(request: HttpRequest, relying_party: RelyingParty) -> dict[str, Any]:
    """The JSON (spec ``IdentityProviderClientMetadata``); empty values omitted."""
    data: dict[str, Any] = {}
    if relying_party.privacy_policy_url:
        data["privacy_policy_url"] = relying_party.privacy_policy_url
    if relying_party.terms_of_service_url:
        data["terms_of_service_url"] = relying_party.terms_of_service_url
    if relying_party.icon_url:
        # Undocumented in the spec; Chromium parses it like branding.icons.
        data["icons"] = [{"url": relying_party.icon_url, "size": relying_party.icon_size}]
    top_origin = top_frame_origin(request)
    if top_origin is not None:
        data["client_is_third_party_to_top_frame_origin"] = is_third_party(
            relying_party, top_origin
        )
    return data


@json_on_database_error
@require_safe
def view(request: HttpRequest) -> HttpResponse:
    relying_party = client_for_origin(request)
    if relying_party is None:
        response = json_response({}, status=404)
    else:
        response = json_response(client_metadata(request, relying_party))
    # The answer depends on Origin; the browser keeps its own partitioned cache.
    response["Vary"] = "Origin"
    return response
