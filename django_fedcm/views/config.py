"""``GET /fedcm/config.json``: the config file (https://w3c-fedid.github.io/FedCM/#idp-api-config-file).

Fetched without cookies; any redirect is an error, so this answers 200
directly. Built from settings only: no database query. Deprecated keys
(``id_token_endpoint``, ``signin_url``, ``modes``, ``accounts.include``) are
not emitted (checklist 11).

``GET /fedcm/config/<name>.json`` serves the ``FEDCM_CONFIGS`` entry ``name``
(docs/settings.md): the same endpoints, its own ``account_label``, branding
and ``supports_use_other_account``. The endpoints cannot differ between the
configs of one site: the well-known file names one ``accounts_endpoint`` and
one ``login_url`` and the browser requires every config to equal them
(https://w3c-fedid.github.io/FedCM/#fetch-the-config-file-check-accounts-and-login-url-step).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_safe

from django_fedcm.conf import fedcm_settings
from django_fedcm.services.discovery import absolute, endpoint_urls
from django_fedcm.views.base import json_response


def branding(request: HttpRequest, value: Any = None) -> dict[str, Any] | None:
    """``value`` (``FEDCM_BRANDING`` when ``None``) with relative icon URLs made
    absolute (Chrome fetches them without cookies from any HTTPS origin; ship
    square PNGs, not SVG). Anything but a dict is no branding (check E060/E065)."""
    if value is None:
        value = fedcm_settings.BRANDING
    if not value or not isinstance(value, dict):
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


def config_document(request: HttpRequest, name: str | None = None) -> dict[str, Any]:
    """The config JSON (spec ``IdentityProviderAPIConfig``): the default one,
    or the ``FEDCM_CONFIGS`` entry ``name`` (``KeyError`` when there is none).

    An entry's values of the wrong type are left out rather than served
    (the system checks report them: E065).
    """
    document: dict[str, Any] = dict(endpoint_urls(request))
    use_other_account = fedcm_settings.SUPPORTS_USE_OTHER_ACCOUNT
    label = fedcm_settings.ACCOUNT_LABEL
    brand_value = None
    if name is not None:
        entry = fedcm_settings.CONFIGS[name]
        label = entry.get("account_label")
        brand_value = entry.get("branding")
        if isinstance(entry.get("supports_use_other_account"), bool):
            use_other_account = entry["supports_use_other_account"]
    brand = branding(request, brand_value)
    if brand:
        document["branding"] = brand
    # Top-level key since Chrome 137; only meaningful in active mode.
    document["supports_use_other_account"] = use_other_account
    # The browser shows only accounts whose label_hints contain it
    # (https://w3c-fedid.github.io/FedCM/#idp-api-config-file, checklist 10).
    if label and isinstance(label, str):
        document["account_label"] = label
    # A registered IdP answers an RP's configURL "any" only for a type it lists
    # (docs/settings.md, FEDCM_IDP_REGISTRATION_TYPES).
    types = fedcm_settings.IDP_REGISTRATION_TYPES
    if fedcm_settings.IDP_REGISTRATION_ENABLED and types:
        document["types"] = list(types)
    return document


@require_safe
def view(request: HttpRequest) -> HttpResponse:
    return json_response(
        config_document(request),
        cache=f"public, max-age={fedcm_settings.DISCOVERY_MAX_AGE}",
    )


@require_safe
def named_view(request: HttpRequest, name: str) -> HttpResponse:
    """One of the ``FEDCM_CONFIGS`` files; 404 (JSON) for a name not configured."""
    try:
        document = config_document(request, name)
    except KeyError:
        return json_response({}, status=404)
    return json_response(document, cache=f"public, max-age={fedcm_settings.DISCOVERY_MAX_AGE}")
