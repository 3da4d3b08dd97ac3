"""Account profiles: lazy defaults, and audited saves and deletes."""

from __future__ import annotations

from typing import Any

import pytest

from django_fedcm.models import AccountProfile, AuditEvent
from django_fedcm.services import audit, profiles

pytestmark = pytest.mark.django_db


def test_get_profile_does_not_write(fedcm_user: Any) -> None:
    profile = profiles.get_profile(fedcm_user)
    assert profile.login_hints == []
    assert not AccountProfile.objects.exists()
    saved = profiles.get_or_create_profile(fedcm_user)
    assert AccountProfile.objects.get() == saved


def test_save_profile_records_created_then_updated(fedcm_user: Any) -> None:
    profile = AccountProfile(user=fedcm_user, login_hints=["a"])
    profiles.save_profile(fedcm_user, profile, fields=["login_hints"], via="admin")
    profile.domain_hints = ["example.com"]
    profiles.save_profile(fedcm_user, profile, fields=["domain_hints"], via="admin")
    assert list(AuditEvent.objects.order_by("pk").values_list("action", "changes")) == [
        ("account_profile.created", {"via": "admin", "fields": ["login_hints"]}),
        ("account_profile.updated", {"via": "admin", "fields": ["domain_hints"]}),
    ]
    assert AccountProfile.objects.get().domain_hints == ["example.com"]


def test_delete_profile_keeps_the_target_id(fedcm_user: Any) -> None:
    profile = profiles.get_or_create_profile(fedcm_user)
    pk = profile.pk
    profiles.delete_profile(None, profile, via="admin")
    assert not AccountProfile.objects.exists()
    event = AuditEvent.objects.get()
    assert (event.action, event.target_id, event.changes) == (
        "account_profile.deleted",
        str(pk),
        {"via": "admin"},
    )


def test_save_and_its_event_are_one_transaction(
    fedcm_user: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("audit store down")

    monkeypatch.setattr(audit, "record", fail)
    with pytest.raises(RuntimeError):
        profiles.save_profile(fedcm_user, AccountProfile(user=fedcm_user))
    assert not AccountProfile.objects.exists()
