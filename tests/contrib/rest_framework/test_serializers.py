"""Serializers: what is never rendered, and how service errors surface."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from rest_framework.exceptions import ValidationError

from django_fedcm.contrib.rest_framework.serializers import (
    RelyingPartySerializer,
    SigningKeySerializer,
)
from django_fedcm.models import RelyingParty, SigningKey


def test_signing_key_serializer_never_renders_private_members(
    fedcm_make_key: Callable[..., SigningKey],
) -> None:
    # Even a row whose public_jwk was (wrongly) saved with private members.
    key = fedcm_make_key("ES256")
    key.public_jwk = {**key.public_jwk, "d": "secret-scalar"}
    data = SigningKeySerializer(key).data
    assert "d" not in data["public_jwk"]
    assert "private_key_encrypted" not in data
    assert data["published"] is True


def test_relying_party_serializer_reports_service_errors_per_field(
    fedcm_rp: RelyingParty, fedcm_user: Any
) -> None:
    serializer = RelyingPartySerializer(
        data={"name": "A", "origins": ["https://a.test"], "client_id": "rp-client"},
        context={"request": None},
    )
    assert serializer.is_valid()
    with pytest.raises(ValidationError) as caught:
        serializer.save()
    assert caught.value.detail == {"client_id": ["This client_id is taken."]}
    assert RelyingParty.objects.count() == 1
