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
    grants.record_grant(fedcm_user, fedcm_rp, fields={"name"})
    grants.record_grant(fedcm_user, fedcm_rp, fields={"email"})
    grant = Grant.objects.get()
    assert len(seen) == 1 and seen[0]["grant"].disclosed_fields == ["name"]
    assert grant.disclosed_fields == ["email", "name"]
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


def test_a_grant_deleted_after_it_was_read_is_written_again_not_a_crash(
    fedcm_user: Any, fedcm_rp: RelyingParty
) -> None:
    grants.record_grant(fedcm_user, fedcm_rp, fields={"name"})
    read = grants.get_grant(fedcm_user, fedcm_rp)
    assert read is not None
    grants.revoke_grant(fedcm_user, fedcm_rp, via="test")  # a disconnect in between
    grants.record_grant(fedcm_user, fedcm_rp, fields={"email"}, known=read)
    assert Grant.objects.get().disclosed_fields == ["email", "name"]


def test_a_fresh_covering_grant_is_not_written(
    fedcm_user: Any, fedcm_rp: RelyingParty, django_assert_num_queries: Any
) -> None:
    grants.record_grant(fedcm_user, fedcm_rp, fields={"name", "email"})
    read = grants.get_grant(fedcm_user, fedcm_rp)
    with django_assert_num_queries(0):
        grants.record_grant(fedcm_user, fedcm_rp, fields={"name"}, known=read)


def test_widening_writes_once_and_never_narrows(
    fedcm_user: Any, fedcm_rp: RelyingParty, django_assert_num_queries: Any
) -> None:
    grants.record_grant(fedcm_user, fedcm_rp, fields={"name"}, scopes={"openid"})
    read = grants.get_grant(fedcm_user, fedcm_rp)
    with django_assert_num_queries(1):
        grants.record_grant(fedcm_user, fedcm_rp, scopes={"email"}, known=read)
    grant = Grant.objects.get()
    assert (grant.disclosed_fields, grant.scopes) == (["name"], ["email", "openid"])


def test_get_grant_loads_the_profile_in_the_same_query(
    fedcm_make_user: Any, fedcm_rp: RelyingParty, django_assert_num_queries: Any
) -> None:
    from django_fedcm.services.profiles import get_profile

    made = fedcm_make_user("hinted", login_hints=["h@example.test"])
    user = type(made).objects.get(pk=made.pk)  # nothing cached on it
    with django_assert_num_queries(1):
        assert grants.get_grant(user, fedcm_rp) is None
        assert get_profile(user).login_hints == ["h@example.test"]
