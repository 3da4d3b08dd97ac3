from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from django_fedcm.models import AccountProfile, AuditEvent, Grant, RelyingParty, SigningKey
from django_fedcm.services import keys

pytestmark = pytest.mark.django_db


# --------------------------------------------------------------------------- SigningKey invariants


def test_database_refuses_a_second_active_key(fedcm_signing_key: SigningKey) -> None:
    extra = keys._new_key("ES256", "active", timezone.now())
    with pytest.raises(IntegrityError), transaction.atomic():
        extra.save()
    assert SigningKey.objects.filter(state="active").count() == 1


def test_database_refuses_activating_a_second_key_by_update(
    fedcm_make_key: Callable[..., SigningKey],
) -> None:
    fedcm_make_key("RS256")
    retired = fedcm_make_key("ES256", state="retired")
    with pytest.raises(IntegrityError), transaction.atomic():
        SigningKey.objects.filter(pk=retired.pk).update(state="active")


def test_database_refuses_a_second_next_key(fedcm_make_key: Callable[..., SigningKey]) -> None:
    fedcm_make_key("RS256", state="next")
    with pytest.raises(IntegrityError), transaction.atomic():
        keys._new_key("ES256", "next", timezone.now()).save()


def test_database_refuses_unknown_state(fedcm_signing_key: SigningKey) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        SigningKey.objects.filter(pk=fedcm_signing_key.pk).update(state="stolen")


def test_database_refuses_retired_key_without_date(fedcm_signing_key: SigningKey) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        SigningKey.objects.filter(pk=fedcm_signing_key.pk).update(state="retired")


def test_kid_is_unique(fedcm_signing_key: SigningKey) -> None:
    clone = SigningKey(
        kid=fedcm_signing_key.kid,
        algorithm="RS256",
        state="retired",
        retired_at=timezone.now(),
        public_jwk=fedcm_signing_key.public_jwk,
        private_key_encrypted=b"x",
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        clone.save()


def test_signing_key_str_and_repr_name_the_key_only(fedcm_signing_key: SigningKey) -> None:
    kid = fedcm_signing_key.kid
    assert str(fedcm_signing_key) == f"{kid} (RS256, active)"
    assert repr(fedcm_signing_key) == f"<SigningKey kid={kid!r} algorithm=RS256 state=active>"


def test_public_jwk_has_no_private_members(fedcm_make_key: Callable[..., SigningKey]) -> None:
    for algorithm in ("RS256", "ES256", "EdDSA"):
        key = fedcm_make_key(algorithm, state="active" if algorithm == "RS256" else "retired")
        assert key.public_jwk["kid"] == key.kid
        assert key.public_jwk["alg"] == algorithm and key.public_jwk["use"] == "sig"
        assert not {"d", "p", "q", "dp", "dq", "qi"} & set(key.public_jwk)


# --------------------------------------------------------------------------- other models


def test_relying_party_properties(fedcm_make_rp: Callable[..., RelyingParty]) -> None:
    rp = fedcm_make_rp("shop", origins="https://Shop.test:443 https://shop.test bad", name="")
    assert rp.client_id == "shop"
    assert rp.display_name == "shop" == str(rp)
    assert rp.origins == ["https://shop.test"]


def test_relying_party_clean_validates_origins(fedcm_rp: RelyingParty) -> None:
    fedcm_rp.clean()
    fedcm_rp.application.allowed_origins = "https://rp.test/path"
    with pytest.raises(ValidationError, match="Not an exact origin"):
        fedcm_rp.clean()


def test_one_grant_per_user_and_relying_party(fedcm_user: Any, fedcm_rp: RelyingParty) -> None:
    grant = Grant.objects.create(user=fedcm_user, relying_party=fedcm_rp)
    assert str(grant) == "alice → Demo RP"
    with pytest.raises(IntegrityError), transaction.atomic():
        Grant.objects.create(user=fedcm_user, relying_party=fedcm_rp)


def test_account_profile_defaults(fedcm_user: Any) -> None:
    profile = AccountProfile.objects.create(user=fedcm_user)
    assert (profile.login_hints, profile.domain_hints, profile.label_hints) == ([], [], [])
    assert str(profile) == "alice"


def test_audit_event_str_and_order(fedcm_rp: RelyingParty) -> None:
    first = AuditEvent.objects.create(action="a.first", target_repr="one")
    second = AuditEvent.objects.create(action="a.second", target_repr="two")
    assert str(first) == "a.first one"
    assert list(AuditEvent.objects.all()) == [second, first]


def test_continuation_request_str(fedcm_user: Any, fedcm_rp: RelyingParty) -> None:
    from datetime import UTC, datetime, timedelta

    from django_fedcm.models import ContinuationRequest

    request = ContinuationRequest.objects.create(
        reference_hash="0" * 64,
        user=fedcm_user,
        relying_party=fedcm_rp,
        origin="https://rp.test",
        account_id=str(fedcm_user.pk),
        expires_at=timezone.now() + timedelta(minutes=10),
    )
    request.created_at = datetime(2026, 1, 2, 3, 4, tzinfo=UTC)
    assert str(request) == "continuation for Demo RP (2026-01-02 03:04)"
