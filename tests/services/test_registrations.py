"""Registration service: writes (API and admin paths), one transaction, audit."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from django_fedcm.models import AuditEvent, RelyingParty
from django_fedcm.services import registrations


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


# --------------------------------------------------------------------------- field-by-field saves


def new_application(**fields: Any) -> Any:
    from oauth2_provider.models import Application

    values: dict[str, Any] = {
        "name": "Shop",
        "client_id": "shop",
        "client_type": "public",
        "authorization_grant_type": "authorization-code",
        "allowed_origins": "HTTPS://Shop.test:443 https://shop.test",
        "redirect_uris": "https://shop.test/cb",
    }
    return Application(**{**values, **fields})


def test_save_application_creates_a_registration(fedcm_user: Any) -> None:
    application = new_application()
    saved = registrations.save_application(
        fedcm_user,
        application,
        relying_party=RelyingParty(application=application, icon_size=32),
        changed=["name", "client_id", "client_secret", "allowed_origins"],
        via="admin",
    )
    assert saved is not None and saved.pk is not None
    assert saved.application.allowed_origins == "https://shop.test"  # normalised
    event = AuditEvent.objects.get()
    assert (event.actor, event.action, event.target_id) == (
        fedcm_user,
        "relying_party.created",
        str(saved.pk),
    )
    assert event.changes["via"] == "admin"
    assert event.changes["origins"] == [None, ["https://shop.test"]]
    assert event.changes["client_id"] == [None, "shop"]
    assert event.changes["fields"] == ["client_secret"]  # names only
    assert application.client_secret not in str(event.changes)


def test_save_application_updates_with_the_api_audit_shape(fedcm_rp: RelyingParty) -> None:
    application = fedcm_rp.application
    application.name = "Renamed"
    application.client_id = "rp-renamed"
    application.skip_authorization = True
    fedcm_rp.require_user_action = True
    registrations.save_application(
        None,
        application,
        relying_party=fedcm_rp,
        changed=["name", "client_id", "skip_authorization"],
    )
    event = AuditEvent.objects.get()
    assert event.action == "relying_party.updated"
    assert event.changes == {
        "name": ["Demo RP", "Renamed"],
        "require_user_action": [False, True],
        "client_id": ["rp-client", "rp-renamed"],
        "fields": ["skip_authorization"],
    }
    # Saving again unchanged writes no event.
    registrations.save_application(None, application)
    assert AuditEvent.objects.count() == 1


def test_save_application_keeps_the_stored_relying_party_valid(fedcm_rp: RelyingParty) -> None:
    application = fedcm_rp.application
    application.allowed_origins = ""
    with pytest.raises(ValidationError) as caught:
        registrations.save_application(None, application, changed=["allowed_origins"])
    assert set(caught.value.message_dict) == {"origins"}
    application.refresh_from_db()
    assert application.allowed_origins == "https://rp.test"
    assert not AuditEvent.objects.exists()


def test_save_application_refuses_a_bad_relying_party(db: None) -> None:
    application = new_application()
    with pytest.raises(ValidationError) as caught:
        registrations.save_application(
            None,
            application,
            relying_party=RelyingParty(application=application, icon_url="http://shop.test/i"),
        )
    assert set(caught.value.message_dict) == {"icon_url"}
    assert not RelyingParty.objects.exists() and not AuditEvent.objects.exists()


def test_save_application_deletes_the_relying_party(
    fedcm_rp: RelyingParty, fedcm_user: Any, fedcm_make_grant: Callable[..., Any]
) -> None:
    from oauth2_provider.models import Application

    fedcm_make_grant(fedcm_user, fedcm_rp)
    pk = fedcm_rp.pk
    kept = registrations.save_application(
        fedcm_user, fedcm_rp.application, delete_relying_party=True, via="admin"
    )
    assert kept is None and not RelyingParty.objects.exists()
    assert Application.objects.filter(pk=fedcm_rp.application_id).exists()
    event = AuditEvent.objects.get()
    assert (event.action, event.target_id) == ("relying_party.deleted", str(pk))
    assert event.changes["client_id"] == ["rp-client", None]
    assert event.changes["origins"] == [["https://rp.test"], None]


def test_save_application_without_relying_party(db: None) -> None:
    application = new_application(allowed_origins="")
    assert registrations.save_application(None, application, changed=["name"]) is None
    application.client_secret = "new-secret"
    registrations.save_application(None, application, changed=["client_secret"], via="admin")
    registrations.save_application(None, application)  # nothing changed: no event
    events = AuditEvent.objects.order_by("pk").values_list("action", "changes")
    assert list(events) == [
        ("application.created", {"fields": ["name"]}),
        ("application.updated", {"via": "admin", "fields": ["client_secret"]}),
    ]
    bad = new_application(client_id="other", allowed_origins="http://rp.example")
    with pytest.raises(ValidationError) as caught:
        registrations.save_application(None, bad)
    assert set(caught.value.message_dict) == {"origins"}


def test_save_application_is_atomic_with_its_audit_row(
    db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from oauth2_provider.models import Application

    def fail(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("audit store down")

    monkeypatch.setattr(registrations.audit, "record", fail)
    application = new_application()
    with pytest.raises(RuntimeError):
        registrations.save_application(
            None, application, relying_party=RelyingParty(application=application)
        )
    assert not Application.objects.exists() and not RelyingParty.objects.exists()


def test_delete_application_records_what_went(
    fedcm_make_rp: Callable[..., RelyingParty],
) -> None:
    from oauth2_provider.models import Application

    registration = fedcm_make_rp("a", origins="https://a.test")
    oauth_only = new_application(client_id="b", allowed_origins="")
    oauth_only.save()
    registrations.delete_application(None, registration.application, via="admin")
    registrations.delete_application(None, oauth_only)
    assert not Application.objects.exists() and not RelyingParty.objects.exists()
    events = AuditEvent.objects.order_by("pk").values_list("action", "target_type")
    assert list(events) == [
        ("relying_party.deleted", "django_fedcm.relyingparty"),
        ("application.deleted", "oauth2_provider.application"),
    ]


def test_rules_are_importable_from_registrations() -> None:
    from django_fedcm.services import registration_rules

    for name in registration_rules.__all__:
        assert getattr(registrations, name) is getattr(registration_rules, name)
    assert set(registration_rules.__all__) <= set(registrations.__all__)


# --------------------------------------------------------------------------- caps


def origins(count: int) -> list[str]:
    return [f"https://rp{i}.test" for i in range(count)]


def test_a_registration_holds_at_most_max_origins(db: None) -> None:
    with pytest.raises(ValidationError) as caught:
        registrations.create_relying_party(
            None, {"name": "Shop", "origins": origins(registrations.MAX_ORIGINS + 1)}
        )
    assert caught.value.message_dict == {
        "origins": [f"Register at most {registrations.MAX_ORIGINS} origins (101 given)."]
    }
    assert not RelyingParty.objects.exists() and not AuditEvent.objects.exists()
    created = registrations.create_relying_party(
        None, {"name": "Shop", "origins": origins(registrations.MAX_ORIGINS)}
    )
    assert len(created.relying_party.origins) == registrations.MAX_ORIGINS


def test_fifty_thousand_origins_are_refused_at_once(db: None) -> None:
    # The whole list used to be scanned once per origin: minutes of one worker.
    started = time.perf_counter()
    with pytest.raises(ValidationError) as caught:
        registrations.clean_registration({"origins": origins(50_000)})
    assert time.perf_counter() - started < 1
    assert [e.code for e in caught.value.error_dict["origins"]] == ["too_many"]


def test_the_admin_path_applies_the_origin_cap(fedcm_rp: RelyingParty) -> None:
    too_many = " ".join(origins(registrations.MAX_ORIGINS + 1))
    with pytest.raises(ValidationError) as caught:
        registrations.clean_allowed_origins(too_many)
    assert caught.value.code == "too_many"
    application = fedcm_rp.application
    application.allowed_origins = too_many
    with pytest.raises(ValidationError) as caught:
        registrations.save_application(None, application, changed=["allowed_origins"])
    assert set(caught.value.message_dict) == {"origins"}
    application.refresh_from_db()
    assert application.allowed_origins == "https://rp.test"


def test_a_registration_holds_at_most_max_redirect_uris(fedcm_rp: RelyingParty) -> None:
    uris = [f"https://rp.test/cb/{i}" for i in range(registrations.MAX_REDIRECT_URIS + 1)]
    with pytest.raises(ValidationError) as caught:
        registrations.update_relying_party(None, fedcm_rp, {"redirect_uris": uris})
    assert caught.value.message_dict == {
        "redirect_uris": [
            f"Register at most {registrations.MAX_REDIRECT_URIS} redirect URIs (101 given)."
        ]
    }
    kept = registrations.clean_redirect_uris(uris[:90] + uris[:10])
    assert kept == uris[:90]  # duplicates dropped, order kept


def test_duplicate_origins_are_dropped_in_order(settings: Any) -> None:
    settings.DEBUG = False
    assert registrations.clean_origins(
        ["https://b.test", "HTTPS://A.test:443", "https://b.test/", "https://a.test"]
    ) == ["https://b.test", "https://a.test"]
