"""``GET /fedcm/config.json``: the config file (https://w3c-fedid.github.io/FedCM/#idp-api-config-file).

Fetched without cookies; any redirect is an error, so this answers 200
directly. Built from settings only: no database query. Deprecated keys
(``id_token_endpoint``, ``signin_url``, ``modes``, ``accounts.include``) are
not emitted (checklist 11).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_safe

from django_fedcm.conf import fedcm_settings
from django_fedcm.services.discovery import absolute, endpoint_urls
from django_fedcm.views.base import json_response


def branding(request: HttpRequest) -> dict[str, Any] | None:
    """``FEDCM_BRANDING`` with relative icon URLs made absolute (Chrome fetches
    them without cookies from any HTTPS origin; ship square PNGs, not SVG)."""
    value = fedcm_settings.BRANDING
    if not value:
        return None
    result = dict(value)
    icons = result.get("icons")
    if isinstance(icons, list):
        result["icons"] = [
            {**icon, "url": absolute(str(icon["url"]), request)}
            if isinstance(icon, dict) and icon.get("url")
            else icon
            for icon in icons
        ]
    return result


def config_document(request: HttpRequest) -> dict[str, Any]:
    """The config JSON (spec ``IdentityProviderAPIConfig``)."""
    document: dict[str, Any] = dict(endpoint_urls(request))
    brand = branding(request)
    if brand:
        document["branding"] = brand
    # Top-level key since Chrome 137; only meaningful in active mode.
    document["supports_use_other_account"] = fedcm_settings.SUPPORTS_USE_OTHER_ACCOUNT
    label = fedcm_settings.ACCOUNT_LABEL
    if label:
        document["account_label"] = label
    return document


@require_safe
def view(request: HttpRequest) -> HttpResponse:
    return json_response(
        config_document(request),
        cache=f"public, max-age={fedcm_settings.DISCOVERY_MAX_AGE}",
    )
