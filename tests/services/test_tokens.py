"""ID token signing (django_fedcm.services.tokens; checklist 33, 34, 35)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from jwcrypto.jwt import JWTExpired

from django_fedcm.adapter import DefaultFedCMAdapter
from django_fedcm.models import RelyingParty
from django_fedcm.services import keys, tokens
from tests.views.fedcm_http import verify

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


class UsernameAdapter(DefaultFedCMAdapter):
    def get_account_id(self, user: Any) -> str:
        return f"user:{user.get_username()}"


def issue(user: Any, rp: RelyingParty, **overrides: Any) -> tuple[str, dict[str, Any]]:
    arguments: dict[str, Any] = {
        "issuer": "https://idp.test",
        "user": user,
        "relying_party": rp,
        "nonce": "n-1",
        "claims": {"name": "Alice Example", "email": "alice@example.com"},
        "auth_time": 1_700_000_000,
    }
    arguments.update(overrides)
    return tokens.issue_id_token(**arguments)


@pytest.mark.checklist(35)
@pytest.mark.parametrize("algorithm", ["RS256", "ES256", "EdDSA"])
def test_35_every_algorithm_verifies_with_the_published_jwks(
    fedcm_make_key: Any, fedcm_user: Any, fedcm_rp: RelyingParty, algorithm: str
) -> None:
    key = fedcm_make_key(algorithm)
    token, payload = issue(fedcm_user, fedcm_rp)
    header, claims = verify(token)
    assert header == {"alg": algorithm, "kid": key.kid, "typ": "JWT"}
    assert claims == payload


@pytest.mark.checklist(34, 35)
def test_35_registered_claims(
    fedcm_signing_key: Any, fedcm_user: Any, fedcm_rp: RelyingParty, settings: Any
) -> None:
    settings.FEDCM_TOKEN_LIFETIME = 120
    _token, payload = issue(fedcm_user, fedcm_rp, now=NOW)
    iat = int(NOW.timestamp())
    assert payload == {
        "iss": "https://idp.test",
        "sub": str(fedcm_user.pk),
        "aud": "rp-client",
        "nonce": "n-1",
        "iat": iat,
        "exp": iat + 120,
        "auth_time": 1_700_000_000,
        "name": "Alice Example",
        "email": "alice@example.com",
    }


def test_expired_token_fails_verification(
    fedcm_signing_key: Any, fedcm_user: Any, fedcm_rp: RelyingParty
) -> None:
    token, _payload = issue(fedcm_user, fedcm_rp, now=datetime(2020, 1, 1, tzinfo=UTC))
    with pytest.raises(JWTExpired):
        verify(token)


@pytest.mark.checklist(34)
@pytest.mark.parametrize("nonce", [None, ""])
def test_34_nonce_only_when_given(
    fedcm_signing_key: Any, fedcm_user: Any, fedcm_rp: RelyingParty, nonce: str | None
) -> None:
    _token, payload = issue(fedcm_user, fedcm_rp, nonce=nonce, auth_time=None)
    assert "nonce" not in payload and "auth_time" not in payload


def test_user_claims_cannot_override_registered_claims(
    fedcm_signing_key: Any, fedcm_user: Any, fedcm_rp: RelyingParty
) -> None:
    hostile = {k: "forged" for k in tokens.REGISTERED_CLAIMS} | {"locale": "de"}
    _token, payload = issue(fedcm_user, fedcm_rp, claims=hostile)
    assert payload["aud"] == "rp-client" and payload["sub"] == str(fedcm_user.pk)
    assert payload["nonce"] == "n-1" and payload["iss"] == "https://idp.test"
    assert isinstance(payload["exp"], int) and payload["auth_time"] == 1_700_000_000
    assert payload["locale"] == "de"


def test_sub_is_the_adapter_account_id(
    fedcm_signing_key: Any, fedcm_user: Any, fedcm_rp: RelyingParty, settings: Any
) -> None:
    settings.FEDCM_ADAPTER = "tests.services.test_tokens.UsernameAdapter"
    _token, payload = issue(fedcm_user, fedcm_rp)
    assert payload["sub"] == "user:alice"


def test_no_active_key_raises(fedcm_user: Any, fedcm_rp: RelyingParty) -> None:
    with pytest.raises(keys.NoActiveKey):
        issue(fedcm_user, fedcm_rp)


@pytest.mark.checklist(33)
def test_33_token_value_is_a_string_unless_the_client_opted_in(fedcm_rp: RelyingParty) -> None:
    assert tokens.token_value("a.b.c", fedcm_rp) == "a.b.c"
    fedcm_rp.structured_tokens = True
    assert tokens.token_value("a.b.c", fedcm_rp) == {"id_token": "a.b.c"}
