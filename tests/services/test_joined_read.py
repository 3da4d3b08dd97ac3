"""services.joined_read returns exactly what the equivalent queryset returns."""

from __future__ import annotations

from typing import Any

import pytest
from django.db.models import FilteredRelation, Q

from django_fedcm.models import Grant, RelyingParty
from django_fedcm.services import grants, joined_read

pytestmark = pytest.mark.django_db

GRANT_COLUMNS = [f.attname for f in joined_read.GRANT_FIELDS]
PROFILE_COLUMNS = [f.attname for f in joined_read.PROFILE_FIELDS]


def through_the_orm(user: Any, relying_party: RelyingParty) -> list[Any]:
    condition = Q(fedcm_grants__relying_party=relying_party)
    row = (
        user._meta.model._default_manager.filter(pk=user.pk)
        .annotate(g=FilteredRelation("fedcm_grants", condition=condition))
        .values_list(
            *(f"fedcm_profile__{c}" for c in PROFILE_COLUMNS),
            *(f"g__{c}" for c in GRANT_COLUMNS),
        )
        .get()
    )
    return list(row)


def joined(user: Any, relying_party: RelyingParty) -> list[Any]:
    found = joined_read.profile_and_grant(user, relying_party)
    assert found is not None
    return [*found[0], *found[1]]


@pytest.mark.parametrize("profile", [False, True])
@pytest.mark.parametrize("grant", [False, True])
def test_same_values_as_the_orm(
    fedcm_make_user: Any,
    fedcm_make_rp: Any,
    fedcm_rp: RelyingParty,
    profile: bool,
    grant: bool,
) -> None:
    hints = {"login_hints": ["a@example.test"], "label_hints": ["work"]} if profile else {}
    user = fedcm_make_user("joined", **hints)
    other = fedcm_make_rp("other", origins="https://other.test")
    grants.record_grant(user, other, fields=["email"])  # must not leak into rp-client's
    if grant:
        grants.record_grant(user, fedcm_rp, fields=["name"], scopes=["openid"])
    row = joined(user, fedcm_rp)
    assert row == through_the_orm(user, fedcm_rp)
    grant_id = row[len(PROFILE_COLUMNS) + GRANT_COLUMNS.index("id")]
    assert (grant_id is not None) is grant
    if grant:
        assert grant_id == Grant.objects.get(user=user, relying_party=fedcm_rp).pk


def test_a_deleted_user_reads_nothing(fedcm_make_user: Any, fedcm_rp: RelyingParty) -> None:
    user = fedcm_make_user("gone")
    type(user).objects.filter(pk=user.pk).delete()
    assert joined_read.profile_and_grant(user, fedcm_rp) is None
    assert grants.get_grant(user, fedcm_rp) is None


@pytest.mark.parametrize("profile", [False, True])
def test_approved_clients_as_the_orm_lists_them(
    fedcm_make_user: Any, fedcm_make_rp: Any, profile: bool
) -> None:
    hints = {"domain_hints": ["example.test"]} if profile else {}
    user = fedcm_make_user("approver", **hints)
    fedcm_make_user("bystander")
    for client_id in ("c-2", "c-1", "c-3"):
        grants.record_grant(user, fedcm_make_rp(client_id, origins=f"https://{client_id}.test"))
    RelyingParty.objects.filter(application__client_id="c-3").update(enabled=False)
    found = joined_read.profile_and_approved_clients(user)
    assert found is not None
    profile_values, client_ids = found
    assert client_ids == list(
        Grant.objects.filter(user=user, relying_party__enabled=True)
        .order_by("relying_party__application__client_id")
        .values_list("relying_party__application__client_id", flat=True)
    )
    assert client_ids == ["c-1", "c-2"]
    expected = through_the_orm(user, RelyingParty.objects.get(application__client_id="c-1"))
    assert list(profile_values) == expected[: len(PROFILE_COLUMNS)]


def test_no_grants_still_reads_the_profile(fedcm_make_user: Any) -> None:
    user = fedcm_make_user("lonely", login_hints=["l@example.test"])
    found = joined_read.profile_and_approved_clients(user)
    assert found is not None and found[1] == []
    assert found[0][PROFILE_COLUMNS.index("login_hints")] == ["l@example.test"]
    type(user).objects.filter(pk=user.pk).delete()
    assert joined_read.profile_and_approved_clients(user) is None
    assert grants.approved_client_ids(user) == []
