"""Registration service: validation rules shared by the API and the admin, writes, audit."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from django_fedcm.models import AuditEvent, RelyingParty
from django_fedcm.services import registrations


@pytest.mark.parametrize(
    "url",
    ["", "https://rp.test/terms", "http://localhost:8000/terms", "http://127.0.0.1/x"],
)
def test_validate_public_url_accepts(url: str) -> None:
    registrations.validate_public_url(url)


@pytest.mark.parametrize(
    "url", ["http://rp.test/terms", "ftp://rp.test/x", "javascript:alert(1)", "not a url"]
)
def test_validate_public_url_rejects_in_production(url: str) -> None:
    with pytest.raises(ValidationError):
        registrations.validate_public_url(url)


def test_validate_public_url_allows_http_with_debug(settings: Any) -> None:
    settings.DEBUG = True
    registrations.validate_public_url("http://rp.test/terms")


def test_clean_origins_normalises_and_deduplicates() -> None:
    assert registrations.clean_origins(
        ["HTTPS://RP.test:443/", "https://rp.test", "http://localhost:3000", "http://[::1]:8080"]
    ) == ["https://rp.test", "http://localhost:3000", "http://[::1]:8080"]


@pytest.mark.parametrize(
    "origins",
    [
        [],
        ["https://rp.test/path"],
        ["https://*.rp.test"],
        ["https://a.test https://b.test"],
        ["http://rp.test"],
        ["rp.test"],
    ],
)
def test_clean_origins_rejects(origins: list[str]) -> None:
    with pytest.raises(ValidationError):
        registrations.clean_origins(origins)


def test_clean_registration_collects_every_field_error() -> None:
    with pytest.raises(ValidationError) as caught:
        registrations.clean_registration(
            {"name": " ", "origins": ["x"], "icon_url": "http://rp.test/i.png", "enabled": True}
        )
    assert set(caught.value.message_dict) == {"name", "origins", "icon_url"}


@pytest.mark.parametrize(
    "data", [{"enabled": "false"}, {"icon_size": "40"}, {"icon_size": 0}, {"icon_size": True}]
)
def test_clean_registration_wants_real_types(data: dict[str, Any]) -> None:
    # Callers coerce (a serializer, a form); a string "false" must not become True.
    with pytest.raises(ValidationError) as caught:
        registrations.clean_registration(data)
    assert set(caught.value.message_dict) == set(data)


def test_create_requires_name_and_origins(db: None) -> None:
    with pytest.raises(ValidationError) as caught:
        registrations.create_relying_party(None, {})
    assert set(caught.value.message_dict) == {"name", "origins"}
    assert not RelyingParty.objects.exists()


def test_create_writes_both_rows_and_one_audit_event(fedcm_user: Any) -> None:
    registration = registrations.create_relying_party(
        fedcm_user,
        {"name": "Shop", "origins": ["https://shop.test"], "structured_tokens": True},
        client_id="shop",
        client_type="confidential",
    )
    rp = RelyingParty.objects.select_related("application").get()
    assert rp == registration.relying_party
    assert (rp.client_id, rp.origins, rp.structured_tokens) == ("shop", ["https://shop.test"], True)
    assert rp.application.client_type == "confidential"
    assert registration.client_secret
    event = AuditEvent.objects.get()
    assert (event.actor, event.action) == (fedcm_user, "relying_party.created")
    assert "client_secret" not in event.changes


def test_create_rejects_taken_client_id(fedcm_rp: RelyingParty) -> None:
    with pytest.raises(ValidationError) as caught:
        registrations.create_relying_party(
            None, {"name": "X", "origins": ["https://x.test"]}, client_id="rp-client"
        )
    assert "client_id" in caught.value.message_dict


def test_update_is_atomic_with_its_audit_row(
    fedcm_rp: RelyingParty, fedcm_user: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("audit store down")

    monkeypatch.setattr(registrations.audit, "record", fail)
    with pytest.raises(RuntimeError):
        registrations.update_relying_party(fedcm_user, fedcm_rp, {"name": "Renamed"})
    fedcm_rp.refresh_from_db()
    fedcm_rp.application.refresh_from_db()
    assert fedcm_rp.application.name == "Demo RP"  # nothing half-written


def test_set_enabled_records_the_action(
    fedcm_make_rp: Callable[..., RelyingParty], fedcm_user: Any
) -> None:
    rp = fedcm_make_rp()
    disabled = registrations.set_enabled(fedcm_user, rp, False)
    assert disabled.enabled is False
    registrations.set_enabled(fedcm_user, disabled, False)  # no change, no event
    assert list(AuditEvent.objects.values_list("action", flat=True)) == ["relying_party.disabled"]
