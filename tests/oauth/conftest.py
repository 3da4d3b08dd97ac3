"""Fixtures for the OAuth door: PKCE pairs, a signed-in browser, the token
endpoint, and an RP-side verifier that fetches the JWKS through the test client."""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client

from django_fedcm import rp


@dataclass(frozen=True)
class PKCE:
    verifier: str
    challenge: str


def make_pkce() -> PKCE:
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return PKCE(verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode())


@pytest.fixture
def fedcm_pkce() -> PKCE:
    return make_pkce()


@pytest.fixture
def fedcm_browser(client: Client, fedcm_user: Any) -> Client:
    """A test client signed in as ``fedcm_user`` at the IdP."""
    client.force_login(fedcm_user)
    return client


def query(location: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


@pytest.fixture
def fedcm_token_request(db: None) -> Callable[..., Any]:
    """POST to DOT's token endpoint as the RP backend would (a fresh client: no cookies)."""

    def post(**data: str) -> Any:
        return Client().post("/o/token/", data)

    return post


@pytest.fixture
def fedcm_verifier(db: None) -> rp.IdTokenVerifier:
    """The RP-side verifier for rp-client, reading /fedcm/jwks.json via the test client."""
    client = Client()

    def fetch(url: str, timeout: float) -> bytes:
        return bytes(client.get(url.removeprefix("https://idp.test")).content)

    return rp.IdTokenVerifier(
        issuer="https://idp.test",
        client_id="rp-client",
        jwks_client=rp.JWKSClient("https://idp.test/fedcm/jwks.json", fetch=fetch),
    )


@pytest.fixture
def fedcm_authorize(fedcm_browser: Client, fedcm_pkce: PKCE) -> Callable[..., Any]:
    """GET DOT's authorization endpoint for rp-client with PKCE (S256)."""

    def authorize(scope: str = "openid profile email", **extra: str) -> Any:
        params = {
            "response_type": "code",
            "client_id": "rp-client",
            "redirect_uri": "https://rp.test/callback",
            "scope": scope,
            "state": "st-1",
            "nonce": "no-1",
            "code_challenge": fedcm_pkce.challenge,
            "code_challenge_method": "S256",
            **extra,
        }
        return fedcm_browser.get("/o/authorize/", params)

    return authorize
