from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser

from django_fedcm.models import AuditEvent, RelyingParty
from django_fedcm.services import audit

pytestmark = pytest.mark.django_db


def test_record_stores_actor_target_and_changes(fedcm_user: Any, fedcm_rp: RelyingParty) -> None:
    event = audit.record(fedcm_user, "relying_party.changed", fedcm_rp, {"fields": ["enabled"]})
    event.refresh_from_db()
    assert event.actor == fedcm_user
    assert event.action == "relying_party.changed"
    assert event.target_type == "django_fedcm.relyingparty"
    assert event.target_id == str(fedcm_rp.pk)
    assert event.target_repr == "Demo RP"
    assert event.changes == {"fields": ["enabled"]}


@pytest.mark.parametrize("actor", [None, AnonymousUser()])
def test_record_without_a_signed_in_actor(actor: Any, fedcm_rp: RelyingParty) -> None:
    event = audit.record(actor, "relying_party.changed", fedcm_rp)
    assert event.actor is None and event.changes == {}


def test_record_without_target() -> None:
    event = audit.record(None, "system.started", None)
    assert (event.target_type, event.target_id, event.target_repr) == ("", "", "")


def test_record_unsaved_target_and_long_repr() -> None:
    from oauth2_provider.models import Application

    rp = RelyingParty(application=Application(name="n" * 300))  # e.g. already deleted
    event = audit.record(None, "relying_party.deleted", rp)
    assert event.target_id == ""
    assert event.target_repr == "n" * 255
    assert AuditEvent.objects.count() == 1


def test_record_puts_via_first(fedcm_rp: RelyingParty) -> None:
    event = audit.record(None, "relying_party.updated", fedcm_rp, {"name": ["a", "b"]}, via="admin")
    assert list(event.changes.items()) == [("via", "admin"), ("name", ["a", "b"])]
    assert audit.record(None, "relying_party.deleted", fedcm_rp, via="api").changes == {
        "via": "api"
    }
