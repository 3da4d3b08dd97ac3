"""Helpers for the relying-party tests: sign tokens, serve a JWKS, move a clock."""

from __future__ import annotations

import json
import time
from typing import Any

from jwcrypto import jwk, jws

ISSUER = "https://idp.test"
CLIENT = "rp-client"
NONCE = "n-123"


class Clock:
    def __init__(self, now: float = 1_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def public(key: jwk.JWK, alg: str) -> dict[str, Any]:
    data = key.export_public(as_dict=True)
    data.update({"alg": alg, "use": "sig"})
    return data


def sign(key: jwk.JWK, claims: dict[str, Any], alg: str = "RS256", **header: Any) -> str:
    header = {"alg": alg, "kid": key.get("kid"), "typ": "JWT", **header}
    header = {k: v for k, v in header.items() if v is not None}
    token = jws.JWS(json.dumps(claims).encode())
    token.add_signature(key, alg=alg, protected=json.dumps(header))
    return str(token.serialize(compact=True))


def claims(**overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    base: dict[str, Any] = {
        "iss": ISSUER,
        "aud": CLIENT,
        "sub": "42",
        "iat": now,
        "exp": now + 300,
        "nonce": NONCE,
    }
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not None}


class FakeJWKS:
    """A fetch function serving a mutable key list and counting calls."""

    def __init__(self, *keys: dict[str, Any]) -> None:
        self.keys = list(keys)
        self.calls = 0
        self.fail = False

    def __call__(self, url: str, timeout: float) -> bytes:
        self.calls += 1
        if self.fail:
            raise OSError("connection refused")
        return json.dumps({"keys": self.keys}).encode()
