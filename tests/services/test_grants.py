from __future__ import annotations

from typing import Any

import pytest

from django_fedcm import signals
from django_fedcm.models import Grant, RelyingParty
from django_fedcm.services import grants

pytestmark = pytest.mark.django_db


def test_record_grant_creates_once_and_widens_fields(
    fedcm_user: Any, fedcm_rp: RelyingParty, fedcm_signal_log: Any
) -> None:
    seen = fedcm_signal_log(signals.grant_created)
    first = grants.record_grant(fedcm_user, fedcm_rp, fields={"name"})
    again = grants.record_grant(fedcm_user, fedcm_rp, fields={"email"})
    assert first.pk == again.pk and [call["grant"] for call in seen] == [first]
    assert Grant.objects.get().disclosed_fields == ["email", "name"]
    assert grants.approved_client_ids(fedcm_user) == ["rp-client"]


def test_disabled_client_is_not_listed_as_approved(fedcm_user: Any, fedcm_rp: RelyingParty) -> None:
    grants.record_grant(fedcm_user, fedcm_rp)
    fedcm_rp.enabled = False
    fedcm_rp.save()
    assert grants.approved_client_ids(fedcm_user) == []


def test_revoke_grant_removes_only_that_grant(fedcm_make_user: Any, fedcm_rp: RelyingParty) -> None:
    alice, bob = fedcm_make_user("alice"), fedcm_make_user("bob")
    grants.record_grant(alice, fedcm_rp)
    grants.record_grant(bob, fedcm_rp)
    assert grants.revoke_grant(alice, fedcm_rp, via="test") is True
    assert grants.revoke_grant(alice, fedcm_rp, via="test") is False
    assert list(Grant.objects.values_list("user__username", flat=True)) == ["bob"]
