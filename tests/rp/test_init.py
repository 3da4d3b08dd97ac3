"""django_fedcm.rp: the public names, importable without Django or DRF."""

from __future__ import annotations

import subprocess
import sys

import django_fedcm.rp
from django_fedcm.rp import exceptions, jwks, refresh, verifier

EXPORTED = {
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
}


def test_all_names_the_public_api() -> None:
    assert set(django_fedcm.rp.__all__) == EXPORTED
    for name in EXPORTED:
        assert getattr(django_fedcm.rp, name) is (
            getattr(verifier, name, None)
            or getattr(jwks, name, None)
            or getattr(refresh, name, None)
            or getattr(exceptions, name)
        )


def test_importing_the_verifier_needs_neither_django_nor_drf() -> None:
    # An RP that is not a Django project uses django_fedcm.rp with jwcrypto only.
    code = (
        "import sys\n"
        "from django_fedcm.rp import *\n"
        "loaded = {m.split('.')[0] for m in sys.modules}\n"
        "assert not loaded & {'django', 'rest_framework'}, loaded & {'django', 'rest_framework'}\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
