from __future__ import annotations

import pytest
from jwcrypto.jwk import JWK
from jwcrypto.jwt import JWT

from django_fedcm import keys
from django_fedcm.models import SigningKey

pytestmark = pytest.mark.django_db


def test_first_rotate_creates_active_key() -> None:
    result = keys.rotate("ES256")
    assert result.created and result.retired is None
    assert SigningKey.objects.get().state == "active"
    assert keys.signing_key().kid == result.activated.kid


def test_rotate_retires_previous_and_keeps_it_published(fedcm_signing_key: SigningKey) -> None:
    result = keys.rotate("ES256")
    fedcm_signing_key.refresh_from_db()
    assert fedcm_signing_key.state == "retired"
    kids = [k["kid"] for k in keys.jwks()["keys"]]
    assert kids == [result.activated.kid, fedcm_signing_key.kid]


def test_token_signed_before_rotation_verifies_with_published_jwks(
    fedcm_signing_key: SigningKey,
) -> None:
    signer = keys.signing_key()
    token = JWT(header={"alg": signer.algorithm, "kid": signer.kid}, claims={"sub": "1"})
    token.make_signed_token(signer.jwk)
    serialized = token.serialize()
    keys.rotate("ES256")
    published = keys.jwks()
    public = next(k for k in published["keys"] if k["kid"] == signer.kid)
    assert "d" not in public
    verified = JWT(jwt=serialized, key=JWK(**public))
    assert verified.claims == '{"sub":"1"}'
