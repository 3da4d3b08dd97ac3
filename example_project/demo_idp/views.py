from __future__ import annotations

from typing import Any

import demo_env
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def demo_context(request: HttpRequest) -> dict[str, Any]:
    return {
        "demo_rp_origin": demo_env.RP_ORIGIN,
        "demo_idp_origin": demo_env.IDP_ORIGIN,
        "demo_client_id": demo_env.CLIENT_ID,
        "demo_accounts": demo_env.DEMO_ACCOUNTS,
    }


def home(request: HttpRequest) -> HttpResponse:
    grants = []
    if request.user.is_authenticated:
        grants = list(
            request.user.fedcm_grants.select_related("relying_party__application").order_by(
                "created_at"
            )
        )
    return render(request, "demo_idp/home.html", {"grants": grants})
