"""Check an ID token from the IdP the way any relying party backend must:
signature against the IdP's published JWKS, issuer, audience, nonce, expiry.

Uses :mod:`django_fedcm.rp` (the RP-side verifier shipped with
django-fedcm) when it is installed, and a small jwcrypto fallback otherwise.
"""

from __future__ import annotations

import json
import time
import urllib.request
from typing import Any


class InvalidToken(Exception):
    """The token must not be trusted; the message says why."""


def verify(token: str, *, issuer: str, client_id: str, nonce: str) -> dict[str, Any]:
    try:
        from django_fedcm import rp
    except ImportError:
        return _verify_locally(token, issuer=issuer, client_id=client_id, nonce=nonce)
    verifier = rp.IdTokenVerifier(issuer=issuer, client_id=client_id, leeway=30)
    try:
        claims: dict[str, Any] = verifier.verify(token, nonce=nonce)
    except rp.TokenVerificationError as exc:
        raise InvalidToken(str(exc)) from exc
    return claims


def _verify_locally(token: str, *, issuer: str, client_id: str, nonce: str) -> dict[str, Any]:
    from jwcrypto import jwk, jws, jwt

    with urllib.request.urlopen(f"{issuer}/fedcm/jwks.json", timeout=5) as response:
        key_set = jwk.JWKSet.from_json(response.read().decode())
    try:
        parsed = jwt.JWT(jwt=token, key=key_set, expected_type="JWS")
    except (ValueError, jws.InvalidJWSSignature, jwt.JWException) as exc:
        raise InvalidToken(f"bad signature or format: {exc}") from exc
    claims: dict[str, Any] = json.loads(parsed.claims)
    now = time.time()
    if claims.get("iss") != issuer:
        raise InvalidToken("wrong issuer")
    audience = claims.get("aud")
    if client_id not in (audience if isinstance(audience, list) else [audience]):
        raise InvalidToken("wrong audience")
    if claims.get("nonce") != nonce:
        raise InvalidToken("wrong nonce")
    if not isinstance(claims.get("exp"), int | float) or claims["exp"] < now - 30:
        raise InvalidToken("expired")
    return claims
