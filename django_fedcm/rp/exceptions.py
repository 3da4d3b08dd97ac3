"""What :class:`~django_fedcm.rp.IdTokenVerifier` raises: one subclass per failure."""

from __future__ import annotations

__all__ = [
    "InvalidAudience",
    "InvalidIssuer",
    "InvalidNonce",
    "InvalidSignature",
    "InvalidToken",
    "JWKSFetchError",
    "TokenExpired",
    "TokenVerificationError",
    "UnknownKey",
]


class TokenVerificationError(Exception):
    """The token must not be trusted. ``error`` is the RFC 6750 error code an
    API should answer with; messages never contain the token itself."""

    error = "invalid_token"


class InvalidToken(TokenVerificationError):
    """Not a well-formed JWS compact token, or its claims are malformed."""


class InvalidSignature(TokenVerificationError):
    """The signature does not verify, or ``alg`` is not allowed."""


class UnknownKey(TokenVerificationError):
    """No key in the IdP's JWKS (even after a refetch) matches the token's ``kid``."""


class InvalidIssuer(TokenVerificationError):
    """``iss`` is not the expected issuer."""


class InvalidAudience(TokenVerificationError):
    """The token was issued for another client (``aud`` / ``azp``)."""


class TokenExpired(TokenVerificationError):
    """``exp`` is in the past (beyond the leeway)."""


class InvalidNonce(TokenVerificationError):
    """``nonce`` is missing or differs from the one the RP sent."""


class JWKSFetchError(TokenVerificationError):
    """The JWKS could not be fetched or parsed, and no cached copy is usable."""

    error = "temporarily_unavailable"
