"""django_fedcm.rp.exceptions: one subclass per failure."""

from __future__ import annotations

from django_fedcm import rp


def test_every_error_is_a_token_verification_error() -> None:
    for cls in (
        rp.InvalidToken,
        rp.InvalidSignature,
        rp.UnknownKey,
        rp.InvalidIssuer,
        rp.InvalidAudience,
        rp.TokenExpired,
        rp.InvalidNonce,
        rp.JWKSFetchError,
    ):
        assert issubclass(cls, rp.TokenVerificationError)
