"""Fixtures for the RP-side integrations: tokens signed by the test IdP's key
set, and a JWKS fetch served by the Django test client (no network)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.test import Client
from jwcrypto import jws

from django_fedcm import rp
from django_fedcm.contrib.rp import backends
from django_fedcm.services import keys


@pytest.fixture
def fedcm_rp_settings(settings: Any, fedcm_signing_key: Any) -> Iterator[list[str]]:
    """RP settings pointing at this test IdP; returns the list of fetched URLs."""
    settings.FEDCM_RP_ISSUER = "https://idp.test"
    settings.FEDCM_RP_CLIENT_ID = "rp-client"
    fetched: list[str] = []
    client = Client()

    def fetch(url: str, timeout: float) -> bytes:
        fetched.append(url)
        assert url.startswith("https://idp.test/")
        return bytes(client.get(url.removeprefix("https://idp.test")).content)

    original = rp._urllib_fetch
    rp._urllib_fetch = fetch
    backends._verifier.cache_clear()
    yield fetched
    rp._urllib_fetch = original
    backends._verifier.cache_clear()


@pytest.fixture
def fedcm_id_token() -> Callable[..., str]:
    """Sign claims with the IdP's active key (defaults: a valid token for rp-client)."""

    def make(**overrides: Any) -> str:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": "https://idp.test",
            "aud": "rp-client",
            "sub": "42",
            "iat": now,
            "exp": now + 300,
            "email": "alice@example.com",
            "given_name": "Alice",
            "family_name": "Example",
        }
        claims.update(overrides)
        claims = {k: v for k, v in claims.items() if v is not None}
        key = keys.signing_key()
        token = jws.JWS(json.dumps(claims).encode())
        token.add_signature(
            key.jwk,
            alg=key.algorithm,
            protected=json.dumps({"alg": key.algorithm, "kid": key.kid, "typ": "JWT"}),
        )
        return str(token.serialize(compact=True))

    return make
