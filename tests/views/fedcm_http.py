"""Request and response helpers for the FedCM POST endpoint tests: a browser-like
POST, the error code of an answer, CORS assertions and token verification."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from django.test import Client
from django.urls import reverse
from jwcrypto.jwk import JWKSet
from jwcrypto.jwt import JWT

from django_fedcm.services import keys

RP_ORIGIN = "https://rp.test"
IDP_HOST = "idp.test"

#: What Chromium sends on the assertion/disconnect POSTs
#: (https://w3c-fedid.github.io/FedCM/#idp-api-id-assertion-endpoint).
BROWSER_HEADERS = {
    "HTTP_SEC_FETCH_DEST": "webidentity",
    "HTTP_SEC_FETCH_MODE": "cors",
    "HTTP_SEC_FETCH_SITE": "cross-site",
    "HTTP_ACCEPT": "application/json",
}


def fedcm_post(
    client: Client,
    name: str,
    data: dict[str, str],
    *,
    origin: str | None = RP_ORIGIN,
    webidentity: bool = True,
    **extra: Any,
) -> Any:
    headers: dict[str, Any] = dict(BROWSER_HEADERS) if webidentity else {}
    if origin is not None:
        headers["HTTP_ORIGIN"] = origin
    headers.update(extra)
    return client.post(
        reverse(f"django_fedcm:{name}"),
        urlencode(data),
        content_type="application/x-www-form-urlencoded",
        secure=True,
        HTTP_HOST=IDP_HOST,
        **headers,
    )


def error_of(response: Any) -> str | None:
    body = response.json()
    if not isinstance(body, dict) or "error" not in body:
        return None
    error = body["error"]
    assert error["error"] == error["code"]  # both keys, same value (checklist 41)
    return str(error["error"])


def assert_cors(response: Any, origin: str = RP_ORIGIN) -> None:
    assert response["Access-Control-Allow-Origin"] == origin
    assert response["Access-Control-Allow-Credentials"] == "true"
    assert "origin" in response["Vary"].lower()


def assert_no_cors(response: Any) -> None:
    assert "Access-Control-Allow-Origin" not in response
    assert "Access-Control-Allow-Credentials" not in response


def verify(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Verify ``token`` with the published JWKS only; return (header, claims)."""
    jwks = JWKSet.from_json(json.dumps(keys.jwks()))
    parsed = JWT(jwt=token, key=jwks, expected_type="JWS")
    return json.loads(parsed.header), json.loads(parsed.claims)
