"""The demo RP: one page plus a backend that verifies the FedCM token."""

from __future__ import annotations

import json
import secrets
from typing import Any

import demo_env
from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.http import require_POST

from demo_rp.verify import TokenVerificationError, verify


def _new_nonce(request: HttpRequest) -> str:
    """One nonce per sign-in attempt, remembered server-side; a token is only
    accepted with the nonce this session handed out (replay protection)."""
    nonce = secrets.token_urlsafe(16)
    request.session["nonce"] = nonce
    return nonce


@ensure_csrf_cookie  # the page's fetch() calls send it back as X-CSRFToken
def index(request: HttpRequest) -> HttpResponse:
    context = {
        "config": {
            "configURL": settings.DEMO_RP_CONFIG_URL,
            "clientId": settings.DEMO_RP_CLIENT_ID,
            "origin": settings.DEMO_RP_ORIGIN,
            "nonce": _new_nonce(request),
            "claims": request.session.get("claims"),
        },
        "demo_accounts": [a for a in demo_env.DEMO_ACCOUNTS if a[0] == "sign in to the RP"],
    }
    return render(request, "demo_rp/index.html", context)


@require_POST
def session(request: HttpRequest) -> JsonResponse:
    """Exchange a FedCM token for an RP session after verifying it."""
    try:
        token = json.loads(request.body or b"{}").get("token")
    except (ValueError, AttributeError):
        token = None
    expected = request.session.pop("nonce", None)  # single use
    if not isinstance(token, str) or not expected:
        return JsonResponse(
            {"error": "no token or no sign-in in progress", "nonce": _new_nonce(request)},
            status=400,
        )
    try:
        claims = verify(token, nonce=expected)
    except TokenVerificationError as exc:
        return JsonResponse({"error": str(exc), "nonce": _new_nonce(request)}, status=400)
    request.session.cycle_key()
    request.session["claims"] = claims
    return JsonResponse({"claims": claims, "nonce": _new_nonce(request)})


@require_POST
def signout(request: HttpRequest) -> JsonResponse:
    request.session.flush()
    return JsonResponse({"nonce": _new_nonce(request)})


def legal(request: HttpRequest, title: str) -> HttpResponse:
    body: dict[str, Any] = {"title": title}
    return render(request, "demo_rp/legal.html", body)
