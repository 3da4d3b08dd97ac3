"""Serializers: what is never rendered, how service errors surface, unknown fields."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from rest_framework.exceptions import ValidationError
from rest_framework.test import APIClient

from django_fedcm.contrib.rest_framework.serializers import (
    RelyingPartySerializer,
    SigningKeySerializer,
)
from django_fedcm.models import AuditEvent, RelyingParty, SigningKey


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


# --------------------------------------------------------------------------- unknown fields

API_RPS = "/fedcm/api/relying-parties/"


def send_json(client: APIClient, method: str, url: str, body: Any) -> Any:
    return getattr(client, method)(url, json.dumps(body), content_type="application/json")


def test_a_misspelt_field_is_refused_not_ignored(
    fedcm_admin_api: APIClient, fedcm_rp: RelyingParty
) -> None:
    response = send_json(fedcm_admin_api, "patch", f"{API_RPS}{fedcm_rp.pk}/", {"enabeld": False})
    assert response.status_code == 400
    assert response.json() == {"enabeld": ["Unknown field."]}
    fedcm_rp.refresh_from_db()
    assert fedcm_rp.enabled
    assert not AuditEvent.objects.exists()


def test_unknown_fields_are_reported_with_the_other_errors(fedcm_admin_api: APIClient) -> None:
    body = {"name": "", "origins": ["https://shop.test"], "origin": "x", "enabeld": False}
    response = send_json(fedcm_admin_api, "post", API_RPS, body)
    assert response.status_code == 400
    assert set(response.json()) == {"name", "origin", "enabeld"}
    assert not RelyingParty.objects.exists()


def test_every_write_refuses_unknown_fields(
    fedcm_admin_api: APIClient, fedcm_rp: RelyingParty, fedcm_signing_key: SigningKey
) -> None:
    for method, url, body in (
        ("post", API_RPS, {"name": "Shop", "origins": ["https://shop.test"], "icon": "x"}),
        ("put", f"{API_RPS}{fedcm_rp.pk}/", {"name": "N", "origins": ["https://rp.test"], "x": 1}),
        ("post", f"{API_RPS}{fedcm_rp.pk}/disable/", {"enabled": True}),
        ("post", f"{API_RPS}{fedcm_rp.pk}/enable/", {"enabled": False}),
        ("post", "/fedcm/api/signing-keys/rotate/", {"algoritm": "ES256"}),
    ):
        response = send_json(fedcm_admin_api, method, url, body)
        assert response.status_code == 400, (method, url)
        assert list(response.json().values()) == [["Unknown field."]], (method, url)
    fedcm_rp.refresh_from_db()
    assert (fedcm_rp.application.name, fedcm_rp.enabled) == ("Demo RP", True)
    assert SigningKey.objects.get() == fedcm_signing_key
    assert not AuditEvent.objects.exists()


def test_a_representation_read_with_get_can_be_sent_back(
    fedcm_admin_api: APIClient, fedcm_rp: RelyingParty
) -> None:
    url = f"{API_RPS}{fedcm_rp.pk}/"
    representation = fedcm_admin_api.get(url).json()
    representation["name"] = "Renamed"
    # Read-only fields (id, client_id, created_at, ...) are known, not refused.
    response = send_json(fedcm_admin_api, "put", url, representation)
    assert response.status_code == 200, response.json()
    assert response.json()["name"] == "Renamed"


def test_disable_and_enable_take_an_empty_body(
    fedcm_admin_api: APIClient, fedcm_rp: RelyingParty
) -> None:
    assert (
        send_json(fedcm_admin_api, "post", f"{API_RPS}{fedcm_rp.pk}/disable/", {}).json()["enabled"]
        is False
    )
    assert fedcm_admin_api.post(f"{API_RPS}{fedcm_rp.pk}/enable/").json()["enabled"] is True


def test_too_many_origins_or_redirect_uris_are_400(fedcm_admin_api: APIClient) -> None:
    origins = [f"https://rp{i}.test" for i in range(101)]
    response = send_json(fedcm_admin_api, "post", API_RPS, {"name": "Shop", "origins": origins})
    assert response.status_code == 400
    assert set(response.json()) == {"origins"}
    uris = [f"https://shop.test/cb/{i}" for i in range(101)]
    body = {"name": "Shop", "origins": ["https://shop.test"], "redirect_uris": uris}
    response = send_json(fedcm_admin_api, "post", API_RPS, body)
    assert response.status_code == 400
    assert set(response.json()) == {"redirect_uris"}
    assert not RelyingParty.objects.exists()
