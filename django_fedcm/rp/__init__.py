"""Relying-party side: verify ID tokens issued by a django-fedcm identity provider.

Dependency-light (stdlib ``urllib`` + jwcrypto), so an RP backend that is not
a Django project can use it too::

    from django_fedcm.rp import IdTokenVerifier

    verifier = IdTokenVerifier(issuer="https://idp.example", client_id="my-rp")
    claims = verifier.verify(token, nonce=expected_nonce)

The nonce check fails closed: a missing ``nonce`` (or ``None``) is refused;
``nonce=False`` skips it deliberately.

The same verifier accepts tokens from both doors: the FedCM id assertion
endpoint and DOT's OIDC token endpoint sign with the same key set and name the
same issuer (docs/oauth-and-fedcm.md). Modules (docs/rp-integration.md):

* :mod:`~django_fedcm.rp.verifier`: :class:`IdTokenVerifier`;
* :mod:`~django_fedcm.rp.jwks`: :class:`JWKSClient`, the cached key set;
* :mod:`~django_fedcm.rp.fetch`: its standard-library HTTP GET, bounded in
  time and size;
* :mod:`~django_fedcm.rp.exceptions`: one :class:`TokenVerificationError`
  subclass per failure;
* :mod:`~django_fedcm.rp.refresh`: :class:`TokenRefresher`, which renews an ID
  token with the OAuth refresh token (session renewal, OpenID Connect Core
  §12.2 checks);
* :mod:`~django_fedcm.rp.backends`: a Django authentication backend (import
  it by its path: it needs configured Django settings);
* :mod:`~django_fedcm.rp.rest_framework`: a DRF authentication class (needs
  the ``api`` extra; never imported from here).
"""

from __future__ import annotations

from django_fedcm.rp.exceptions import (
    InvalidAudience,
    InvalidIssuer,
    InvalidNonce,
    InvalidSignature,
    InvalidToken,
    JWKSFetchError,
    TokenExpired,
    TokenVerificationError,
    UnknownKey,
)
from django_fedcm.rp.jwks import JWKSClient
from django_fedcm.rp.refresh import (
    RefreshedTokens,
    RefreshError,
    RefreshRejected,
    RefreshUnavailable,
    TokenRefresher,
)
from django_fedcm.rp.verifier import DEFAULT_ALGORITHMS, IdTokenVerifier

__all__ = [
    "DEFAULT_ALGORITHMS",
    "IdTokenVerifier",
    "InvalidAudience",
    "InvalidIssuer",
    "InvalidNonce",
    "InvalidSignature",
    "InvalidToken",
    "JWKSClient",
    "JWKSFetchError",
    "RefreshError",
    "RefreshRejected",
    "RefreshUnavailable",
    "RefreshedTokens",
    "TokenExpired",
    "TokenRefresher",
    "TokenVerificationError",
    "UnknownKey",
]
