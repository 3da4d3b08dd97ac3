"""Fixtures for the relying-party side: standalone keys and verifiers (no
database), and for the Django integrations, tokens signed by the test IdP's
key set with a JWKS fetch served by the Django test client (no network)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.test import Client
from jwcrypto import jwk, jws

from django_fedcm import rp
from django_fedcm.rp import backends
from django_fedcm.rp import fetch as rp_fetch
from django_fedcm.services import keys
from tests.rp.servers import DripServer
from tests.rp.tokens import CLIENT, ISSUER, NONCE, FakeJWKS, public


@pytest.fixture(scope="session")
def rsa_key() -> jwk.JWK:
    return jwk.JWK.generate(kty="RSA", size=2048, kid="rsa-1")


@pytest.fixture(scope="session")
def ec_key() -> jwk.JWK:
    return jwk.JWK.generate(kty="EC", crv="P-256", kid="ec-1")


@pytest.fixture(scope="session")
def ed_key() -> jwk.JWK:
    return jwk.JWK.generate(kty="OKP", crv="Ed25519", kid="ed-1")


@pytest.fixture
def make_verifier(rsa_key: jwk.JWK) -> Callable[..., tuple[rp.IdTokenVerifier, FakeJWKS]]:
    """A verifier whose JWKS client fetches from a :class:`FakeJWKS` (default: the RSA key)."""

    def make(*keys: dict[str, Any], **kwargs: Any) -> tuple[rp.IdTokenVerifier, FakeJWKS]:
        fetch = FakeJWKS(*(keys or (public(rsa_key, "RS256"),)))
        client_kwargs = {
            k: kwargs.pop(k) for k in ("cache_seconds", "min_refetch_interval") if k in kwargs
        }
        client = rp.JWKSClient(
            f"{ISSUER}/fedcm/jwks.json",
            fetch=fetch,
            clock=kwargs.pop("jwks_clock", time.monotonic),
            **client_kwargs,
        )
        verifier = rp.IdTokenVerifier(issuer=ISSUER, client_id=CLIENT, jwks_client=client, **kwargs)
        return verifier, fetch

    return make


@pytest.fixture
def fedcm_rp_settings(
    settings: Any, fedcm_signing_key: Any, monkeypatch: pytest.MonkeyPatch
) -> Iterator[list[str]]:
    """RP settings pointing at this test IdP; returns the list of fetched URLs."""
    settings.FEDCM_RP_ISSUER = "https://idp.test"
    settings.FEDCM_RP_CLIENT_ID = "rp-client"
    fetched: list[str] = []
    client = Client()

    def fetch(url: str, timeout: float, max_bytes: int) -> bytes:
        fetched.append(url)
        assert url.startswith("https://idp.test/")
        return bytes(client.get(url.removeprefix("https://idp.test")).content)

    monkeypatch.setattr(rp_fetch, "fetch_url", fetch)
    backends._verifier.cache_clear()
    yield fetched
    backends._verifier.cache_clear()


@pytest.fixture
def fedcm_id_token() -> Callable[..., str]:
    """Sign claims with the IdP's active key (defaults: a valid token for rp-client,
    carrying :data:`~tests.rp.tokens.NONCE`)."""

    def make(**overrides: Any) -> str:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": "https://idp.test",
            "aud": "rp-client",
            "sub": "42",
            "iat": now,
            "exp": now + 300,
            "nonce": NONCE,
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


@pytest.fixture
def drip_server() -> Iterator[Callable[..., DripServer]]:
    """``drip_server(head, drip, interval)``: a local server that sends ``head``,
    then ``drip`` one byte per ``interval`` seconds (closed after the test)."""
    servers: list[DripServer] = []

    def start(head: bytes, drip: bytes, interval: float = 0.05) -> DripServer:
        servers.append(DripServer(head, drip, interval))
        return servers[-1]

    yield start
    for server in servers:
        server.close()
