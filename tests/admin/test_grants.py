"""Grants admin: list per user and relying party; revoking goes through grants.revoke."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from oauth2_provider.models import AccessToken

from django_fedcm import signals
from django_fedcm.models import AuditEvent, Grant, RelyingParty

pytestmark = pytest.mark.django_db


@pytest.fixture
def revoked(fedcm_signal_log: Any) -> Any:
    return fedcm_signal_log(signals.grant_revoked)


def test_grant_changelist_per_user_and_relying_party(
    admin_client: Client,
    fedcm_user: Any,
    fedcm_make_user: Callable[..., Any],
    fedcm_make_rp: Callable[..., RelyingParty],
    fedcm_make_grant: Callable[..., Grant],
) -> None:
    shop = fedcm_make_rp("shop", origins="https://shop.test", name="Shop")
    news = fedcm_make_rp("news", origins="https://news.test", name="News")
    bob = fedcm_make_user("bob")
    fedcm_make_grant(fedcm_user, shop)
    fedcm_make_grant(bob, news)
    url = reverse("admin:django_fedcm_grant_changelist")
    response = admin_client.get(url, {"relying_party__id__exact": shop.pk})
    assert [g.user for g in response.context["cl"].result_list] == [fedcm_user]
    response = admin_client.get(url, {"q": "bob"})
    assert [g.relying_party for g in response.context["cl"].result_list] == [news]
    assert reverse("admin:django_fedcm_grant_add") not in response.content.decode()


def test_grant_changelist_shows_fields_and_scopes_as_plain_lists(
    admin_client: Client,
    fedcm_user: Any,
    fedcm_rp: RelyingParty,
    fedcm_make_grant: Callable[..., Grant],
) -> None:
    fedcm_make_grant(fedcm_user, fedcm_rp, fields=("email", "name"))  # scopes: openid
    html = admin_client.get(reverse("admin:django_fedcm_grant_changelist")).content.decode()
    assert '<td class="field-disclosed_fields_list">email, name</td>' in html
    assert '<td class="field-scopes_list">openid</td>' in html
    assert "[&quot;email&quot;" not in html


def test_revoke_action_calls_the_grant_service(
    admin_client: Client,
    admin_user: Any,
    fedcm_user: Any,
    fedcm_rp: RelyingParty,
    fedcm_make_grant: Callable[..., Grant],
    revoked: list[dict[str, Any]],
) -> None:
    grant = fedcm_make_grant(fedcm_user, fedcm_rp, tokens=True, fields=("email",))
    response = admin_client.post(
        reverse("admin:django_fedcm_grant_changelist"),
        {"action": "revoke_grants", "_selected_action": [grant.pk]},
        follow=True,
    )
    assert "Revoked 1 grant." in response.content.decode()
    assert not Grant.objects.exists()
    assert not AccessToken.objects.exists()  # the service also drops OAuth tokens
    assert [c["via"] for c in revoked] == ["admin"]
    event = AuditEvent.objects.get()
    assert (event.actor, event.action, event.target_id) == (
        admin_user,
        "grant.revoked",
        str(grant.pk),
    )
    assert event.changes == {"via": "admin", "disclosed_fields": ["email"]}


def test_admin_delete_revokes_through_the_service(
    admin_client: Client,
    fedcm_user: Any,
    fedcm_make_rp: Callable[..., RelyingParty],
    fedcm_make_grant: Callable[..., Grant],
    revoked: list[dict[str, Any]],
) -> None:
    first = fedcm_make_grant(fedcm_user, fedcm_make_rp("a", origins="https://a.test"))
    second = fedcm_make_grant(fedcm_user, fedcm_make_rp("b", origins="https://b.test"))
    third = fedcm_make_grant(fedcm_user, fedcm_make_rp("c", origins="https://c.test"))
    url = reverse("admin:django_fedcm_grant_delete", args=[first.pk])
    assert admin_client.post(url, {"post": "yes"}).status_code == 302
    admin_client.post(
        reverse("admin:django_fedcm_grant_changelist"),
        {"action": "delete_selected", "_selected_action": [second.pk, third.pk], "post": "yes"},
    )
    assert not Grant.objects.exists()
    assert len(revoked) == 3
    assert AuditEvent.objects.filter(action="grant.revoked").count() == 3
