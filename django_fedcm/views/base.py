"""Shared pieces of the FedCM endpoint views: the ``Sec-Fetch-Dest`` guard,
FedCM error objects and JSON responses with the headers FedCM needs."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, ParamSpec

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse

from django_fedcm.services.discovery import base_origin

P = ParamSpec("P")

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


def is_webidentity(request: HttpRequest) -> bool:
    """``Sec-Fetch-Dest: webidentity`` is a forbidden header: page JavaScript
    cannot set it, so it proves the browser's FedCM machinery sent the request.
    With ``SameSite=None`` cookies this is the CSRF defence (spec "Unauthorized
    Fetching")."""
    return request.headers.get("Sec-Fetch-Dest", "").lower() == "webidentity"


def require_webidentity(
    view: Callable[P, HttpResponse],
) -> Callable[P, HttpResponse]:
    """400 (with a FedCM error body) unless ``Sec-Fetch-Dest: webidentity``."""

    @wraps(view)
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> HttpResponse:
        request = args[0]
        assert isinstance(request, HttpRequest)
        if not is_webidentity(request):
            return fedcm_error(request, INVALID_REQUEST, status=400)
        return view(*args, **kwargs)

    return wrapped


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
