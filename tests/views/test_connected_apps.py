"""The "Connected apps" page: login, listing only one's own grants, CSRF-protected revoke."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from oauth2_provider.models import AccessToken, RefreshToken

from django_fedcm.models import AuditEvent, Grant, RelyingParty
from django_fedcm.services import grants

URL = "/fedcm/connected-apps"


@pytest.fixture
def apps(
    fedcm_make_user: Callable[..., Any],
    fedcm_make_rp: Callable[..., RelyingParty],
    fedcm_make_grant: Callable[..., Grant],
) -> dict[str, Any]:
    alice, bob = fedcm_make_user("alice"), fedcm_make_user("bob")
    shop = fedcm_make_rp("shop", "https://shop.test", "Shop", icon_url="https://shop.test/i.png")
    news = fedcm_make_rp("news", "https://news.test", "News")
    secret = fedcm_make_rp("secret", "https://secret.test", "Bobs Secret Club")
    return {
        "alice": alice,
        "bob": bob,
        "alice_shop": fedcm_make_grant(alice, shop, tokens=True),
        "alice_news": fedcm_make_grant(alice, news, fields=()),
        "bob_secret": fedcm_make_grant(bob, secret, tokens=True),
    }


def test_connected_apps_url_name() -> None:
    assert reverse("django_fedcm:connected_apps") == URL


def test_connected_apps_requires_login(client: Client, apps: dict[str, Any]) -> None:
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/fedcm/login?next=")
    assert client.post(URL, {"grant": apps["alice_shop"].pk}).status_code == 302
    assert Grant.objects.count() == 3


def test_connected_apps_lists_only_my_apps(
    client: Client, apps: dict[str, Any], settings: Any
) -> None:
    settings.X_FRAME_OPTIONS = "SAMEORIGIN"  # the page insists on DENY regardless
    client.force_login(apps["alice"])
    response = client.get(URL)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]  # per-user page
    assert response["X-Frame-Options"] == "DENY"
    html = response.content.decode()
    assert "Shop" in html and "News" in html
    assert "Bobs Secret Club" not in html
    assert 'src="https://shop.test/i.png"' in html
    assert "email, name" in html
    assert html.count('name="csrfmiddlewaretoken"') == 2
    assert f'name="grant" value="{apps["alice_shop"].pk}"' in html


def test_connected_apps_empty_state(client: Client, fedcm_user: Any) -> None:
    client.force_login(fedcm_user)
    assert b"not signed in to any site" in client.get(URL).content


def test_connected_apps_revoke(client: Client, apps: dict[str, Any]) -> None:
    alice = apps["alice"]
    client.force_login(alice)
    response = client.post(URL, {"grant": apps["alice_shop"].pk})
    assert response.status_code == 303
    assert response["Location"] == URL
    assert grants.approved_client_ids(alice) == ["news"]
    assert not AccessToken.objects.filter(user=alice).exists()
    assert not RefreshToken.objects.filter(user=alice).exists()
    assert AccessToken.objects.filter(user=apps["bob"]).exists()
    event = AuditEvent.objects.get()
    assert (event.actor, event.action, event.changes["via"]) == (
        alice,
        "grant.revoked",
        "connected_apps",
    )
    page = client.get(URL).content.decode()
    assert "Shop can no longer sign you in without asking." in page
    assert f'value="{apps["alice_shop"].pk}"' not in page


@pytest.mark.parametrize("grant", ["bob_secret", "999999", "abc", ""])
def test_connected_apps_revoke_unknown_or_others_is_404(
    client: Client, apps: dict[str, Any], grant: str
) -> None:
    client.force_login(apps["alice"])
    value = apps[grant].pk if grant in apps else grant
    assert client.post(URL, {"grant": value}).status_code == 404
    assert Grant.objects.count() == 3
    assert not AuditEvent.objects.exists()


def test_connected_apps_revoke_needs_csrf_token(apps: dict[str, Any]) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(apps["alice"])
    assert client.post(URL, {"grant": apps["alice_shop"].pk}).status_code == 403
    assert Grant.objects.count() == 3
    client.get(URL)
    token = client.cookies["csrftoken"].value
    response = client.post(URL, {"grant": apps["alice_shop"].pk, "csrfmiddlewaretoken": token})
    assert response.status_code == 303
    assert Grant.objects.count() == 2


def test_connected_apps_other_methods_are_405(client: Client, apps: dict[str, Any]) -> None:
    client.force_login(apps["alice"])
    assert client.put(URL).status_code == 405
    assert client.delete(URL).status_code == 405


def test_connected_apps_query_count_is_constant(
    client: Client,
    fedcm_user: Any,
    fedcm_make_rp: Callable[..., RelyingParty],
    fedcm_make_grant: Callable[..., Grant],
    django_assert_num_queries: Any,
) -> None:
    client.force_login(fedcm_user)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(URL).status_code == 200
        return len(ctx.captured_queries)

    fedcm_make_grant(fedcm_user, fedcm_make_rp("rp-0"))
    few = count()
    for i in range(1, 6):
        fedcm_make_grant(fedcm_user, fedcm_make_rp(f"rp-{i}"))
    # session, user, grants (relying party and application joined)
    with django_assert_num_queries(3):
        client.get(URL)
    assert few == 3
