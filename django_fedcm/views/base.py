"""Responses of the FedCM endpoint views: JSON with the headers FedCM needs
and FedCM error objects
(https://w3c-fedid.github.io/FedCM/#browser-api-identity-credential-error-interface).
The request checks are in :mod:`django_fedcm.views.guards`."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, JsonResponse
from django.urls import reverse

from django_fedcm.services.discovery import base_origin

#: OAuth 2.0 error codes Chrome renders with specific text (RFC 6749 §4.1.2.1).
INVALID_REQUEST = "invalid_request"
UNAUTHORIZED_CLIENT = "unauthorized_client"
ACCESS_DENIED = "access_denied"
SERVER_ERROR = "server_error"
TEMPORARILY_UNAVAILABLE = "temporarily_unavailable"
ERROR_CODES = (
    INVALID_REQUEST,
    UNAUTHORIZED_CLIENT,
    ACCESS_DENIED,
    SERVER_ERROR,
    TEMPORARILY_UNAVAILABLE,
)


def json_response(data: Any, status: int = 200, *, cache: str = "no-store") -> JsonResponse:
    """``application/json`` response; FedCM data is per-user unless said otherwise."""
    response = JsonResponse(data, status=status, safe=False)
    response["Cache-Control"] = cache
    return response


def error_help_url(request: HttpRequest, code: str) -> str:
    """Same-site help page for an error code (the error object's ``url``)."""
    # Same origin as every other endpoint URL (FEDCM_ISSUER when set), so the
    # URL is same-site with the IdP even behind a proxy that rewrites Host.
    return base_origin(request) + reverse("django_fedcm:error", args=[code])


def fedcm_error(request: HttpRequest, code: str, *, status: int = 200) -> JsonResponse:
    """A FedCM error object. Both ``error`` (spec, Chrome 143+) and ``code``
    (Chrome <= 142) carry the same value. Codes never contain user data."""
    url = error_help_url(request, code if code in ERROR_CODES else SERVER_ERROR)
    return json_response({"error": {"error": code, "code": code, "url": url}}, status=status)
