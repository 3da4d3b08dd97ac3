"""Check an ID token from the IdP the way any relying party backend must:
signature against the IdP's published JWKS, issuer, audience, nonce, expiry.

:mod:`django_fedcm.rp` does all of it; it needs only jwcrypto, so an RP that
is not a Django project can use it too.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from django.conf import settings

from django_fedcm.rp import IdTokenVerifier, TokenVerificationError

__all__ = ["TokenVerificationError", "verify"]


@cache
def _verifier(issuer: str, client_id: str) -> IdTokenVerifier:
    # One verifier per (issuer, client): it owns the cached JWKS.
    return IdTokenVerifier(issuer=issuer, client_id=client_id, leeway=30)


def verify(token: str, *, nonce: str) -> dict[str, Any]:
    """The token's claims, or :class:`TokenVerificationError`.

    ``nonce`` is the one this session handed out for the sign-in attempt. The
    verifier fails closed: an empty or missing nonce refuses the token too.
    """
    verifier = _verifier(settings.DEMO_RP_IDP_ORIGIN, settings.DEMO_RP_CLIENT_ID)
    return verifier.verify(token, nonce=nonce)
