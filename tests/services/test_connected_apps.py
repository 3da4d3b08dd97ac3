"""Connected-apps service: scoped to the user, revocation reuses grants.revoke_grant."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django_fedcm.models import AuditEvent, Grant, RelyingParty
from django_fedcm.services import connected_apps


def test_connected_apps_are_scoped_to_the_user(
    fedcm_make_user: Callable[..., Any],
    fedcm_rp: RelyingParty,
    fedcm_make_grant: Callable[..., Grant],
) -> None:
    from django.contrib.auth.models import AnonymousUser

    alice, bob = fedcm_make_user("alice"), fedcm_make_user("bob")
    mine, theirs = fedcm_make_grant(alice, fedcm_rp), fedcm_make_grant(bob, fedcm_rp)
    assert list(connected_apps.connected_apps(alice)) == [mine]
    assert list(connected_apps.connected_apps(AnonymousUser())) == []
    assert connected_apps.get_connected_app(alice, mine.pk) == mine
    assert connected_apps.get_connected_app(alice, str(mine.pk)) == mine
    assert connected_apps.get_connected_app(alice, theirs.pk) is None
    for junk in (None, "", "1.5", "abc", [1]):
        assert connected_apps.get_connected_app(alice, junk) is None


def test_revoke_refuses_someone_elses_grant(
    fedcm_make_user: Callable[..., Any],
    fedcm_rp: RelyingParty,
    fedcm_make_grant: Callable[..., Grant],
) -> None:
    alice, bob = fedcm_make_user("alice"), fedcm_make_user("bob")
    bobs = fedcm_make_grant(bob, fedcm_rp)
    assert connected_apps.revoke_connected_app(alice, bobs, via="test") is False
    assert Grant.objects.filter(pk=bobs.pk).exists()
    assert not AuditEvent.objects.exists()


def test_revoke_twice_records_once(
    fedcm_user: Any, fedcm_rp: RelyingParty, fedcm_make_grant: Callable[..., Grant]
) -> None:
    grant = fedcm_make_grant(fedcm_user, fedcm_rp)
    assert connected_apps.revoke_connected_app(fedcm_user, grant, via="test") is True
    assert connected_apps.revoke_connected_app(fedcm_user, grant, via="test") is False
    assert AuditEvent.objects.count() == 1
