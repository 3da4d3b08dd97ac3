"""The API viewsets: permission boundaries, validation, audit trail, revocation."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from oauth2_provider.models import AccessToken, RefreshToken
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from django_fedcm import signals
from django_fedcm.models import AuditEvent, Grant, RelyingParty, SigningKey
from django_fedcm.services import grants, keys

from .conftest import API

RPS = API + "relying-parties/"
KEYS = API + "signing-keys/"
APPS = API + "me/connected-apps/"

NEW_RP = {"name": "Shop", "origins": ["https://shop.test"]}


def post_json(client: APIClient, url: str, body: Any) -> Any:
    return client.post(url, json.dumps(body), content_type="application/json")


def patch_json(client: APIClient, url: str, body: Any) -> Any:
    return client.patch(url, json.dumps(body), content_type="application/json")


def query_count(client: APIClient, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


# --------------------------------------------------------------------------- relying parties: who


def test_relying_parties_anonymous_gets_401_with_token_challenge(
    fedcm_api: Callable[..., APIClient], fedcm_rp: RelyingParty
) -> None:
    response = fedcm_api().get(RPS)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert post_json(fedcm_api(), RPS, NEW_RP).status_code == 401


def test_relying_parties_normal_user_is_forbidden(
    fedcm_api: Callable[..., APIClient], fedcm_user: Any, fedcm_rp: RelyingParty
) -> None:
    client = fedcm_api(fedcm_user)
    assert client.get(RPS).status_code == 403
    assert client.get(f"{RPS}{fedcm_rp.pk}/").status_code == 403
    assert post_json(client, RPS, NEW_RP).status_code == 403
    assert client.post(f"{RPS}{fedcm_rp.pk}/disable/").status_code == 403


def test_relying_parties_non_staff_with_permissions_is_forbidden(
    fedcm_api: Callable[..., APIClient], fedcm_make_staff: Callable[..., Any]
) -> None:
    user = fedcm_make_staff("view_relyingparty", "add_relyingparty", is_staff=False)
    assert fedcm_api(user).get(RPS).status_code == 403


def test_relying_parties_staff_without_permissions_is_forbidden(
    fedcm_api: Callable[..., APIClient],
    fedcm_make_staff: Callable[..., Any],
    fedcm_rp: RelyingParty,
) -> None:
    client = fedcm_api(fedcm_make_staff())
    assert client.get(RPS).status_code == 403
    assert client.get(f"{RPS}{fedcm_rp.pk}/").status_code == 403


def test_relying_parties_view_permission_reads_but_cannot_write(
    fedcm_api: Callable[..., APIClient],
    fedcm_make_staff: Callable[..., Any],
    fedcm_rp: RelyingParty,
) -> None:
    client = fedcm_api(fedcm_make_staff("view_relyingparty"))
    assert client.get(RPS).json()["count"] == 1
    assert client.get(f"{RPS}{fedcm_rp.pk}/").json()["client_id"] == "rp-client"
    assert post_json(client, RPS, NEW_RP).status_code == 403
    assert patch_json(client, f"{RPS}{fedcm_rp.pk}/", {"name": "x"}).status_code == 403
    assert client.post(f"{RPS}{fedcm_rp.pk}/disable/").status_code == 403
    fedcm_rp.refresh_from_db()
    assert fedcm_rp.enabled
    assert not AuditEvent.objects.exists()


def test_relying_parties_add_and_change_permissions_allow_writes(
    fedcm_api: Callable[..., APIClient], fedcm_make_staff: Callable[..., Any]
) -> None:
    staff = fedcm_make_staff("add_relyingparty", "change_relyingparty")
    client = fedcm_api(staff)
    created = post_json(client, RPS, NEW_RP)
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    assert patch_json(client, f"{RPS}{pk}/", {"name": "Shop 2"}).status_code == 200
    assert client.post(f"{RPS}{pk}/disable/").status_code == 200
    assert [e.actor for e in AuditEvent.objects.all()] == [staff, staff, staff]


def test_relying_parties_token_authentication(fedcm_superuser: Any, fedcm_rp: RelyingParty) -> None:
    token = Token.objects.create(user=fedcm_superuser)
    client = APIClient(enforce_csrf_checks=True)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert client.get(RPS).status_code == 200
    # No CSRF token needed: the credential is not ambient.
    assert post_json(client, RPS, NEW_RP).status_code == 201


def test_relying_parties_session_authentication_enforces_csrf(
    fedcm_api: Callable[..., APIClient], fedcm_superuser: Any
) -> None:
    client = fedcm_api(fedcm_superuser, csrf=True)
    refused = post_json(client, RPS, NEW_RP)
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"]
    assert not RelyingParty.objects.exists()

    client.get(API, HTTP_ACCEPT="text/html")  # the browsable API sets the cookie
    csrf = client.cookies["csrftoken"].value
    accepted = client.post(
        RPS, json.dumps(NEW_RP), content_type="application/json", HTTP_X_CSRFTOKEN=csrf
    )
    assert accepted.status_code == 201


def test_relying_parties_have_no_delete(fedcm_admin_api: APIClient, fedcm_rp: RelyingParty) -> None:
    assert fedcm_admin_api.delete(f"{RPS}{fedcm_rp.pk}/").status_code == 405
    assert RelyingParty.objects.filter(pk=fedcm_rp.pk).exists()


# --------------------------------------------------------------------------- relying parties: what


def allow_http_origins(settings: Any) -> None:
    """What a development setup with an http://localhost relying party sets."""
    settings.OAUTH2_PROVIDER = {**settings.OAUTH2_PROVIDER, "ALLOWED_SCHEMES": ["https", "http"]}


def test_create_relying_party_normalises_and_audits(
    fedcm_admin_api: APIClient, fedcm_superuser: Any, settings: Any
) -> None:
    allow_http_origins(settings)
    response = post_json(
        fedcm_admin_api,
        RPS,
        {
            "client_id": "shop",
            "name": "Shop",
            "origins": ["HTTPS://Shop.test:443/", "https://shop.test", "http://localhost:8000"],
            "redirect_uris": ["https://shop.test/cb"],
            "icon_url": "https://shop.test/icon.png",
            "require_user_action": True,
        },
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["client_id"] == "shop"
    assert body["origins"] == ["https://shop.test", "http://localhost:8000"]
    assert body["enabled"] is True
    assert "client_secret" not in body  # public client
    rp = RelyingParty.objects.select_related("application").get(pk=body["id"])
    assert rp.application.allowed_origins == "https://shop.test http://localhost:8000"
    assert rp.require_user_action
    event = AuditEvent.objects.get()
    assert (event.actor, event.action, event.target_id) == (
        fedcm_superuser,
        "relying_party.created",
        str(rp.pk),
    )
    assert event.changes["client_id"] == [None, "shop"]
    assert event.changes["origins"] == [None, ["https://shop.test", "http://localhost:8000"]]


def test_create_confidential_client_shows_secret_once(fedcm_admin_api: APIClient) -> None:
    body = post_json(fedcm_admin_api, RPS, {**NEW_RP, "client_type": "confidential"}).json()
    secret = body["client_secret"]
    assert len(secret) >= 32
    again = fedcm_admin_api.get(f"{RPS}{body['id']}/").json()
    assert "client_secret" not in again
    rp = RelyingParty.objects.select_related("application").get(pk=body["id"])
    assert rp.application.client_secret != secret  # stored hashed
    assert secret not in json.dumps(list(AuditEvent.objects.values_list("changes", flat=True)))


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "X", "origins": ["https://shop.test/path"]}, "origins"),
        ({"name": "X", "origins": ["https://*.shop.test"]}, "origins"),
        ({"name": "X", "origins": ["https://a.test https://b.test"]}, "origins"),
        ({"name": "X", "origins": []}, "origins"),
        ({"name": "X", "origins": "https://shop.test"}, "origins"),
        ({"name": "X", "origins": ["http://shop.test"]}, "origins"),
        # Not in OAUTH2_PROVIDER["ALLOWED_SCHEMES"] (default ["https"]).
        ({"name": "X", "origins": ["http://localhost:8000"]}, "origins"),
        ({"name": "X", "origins": [1, {"a": 2}]}, "origins"),
        ({"origins": ["https://shop.test"]}, "name"),
        ({"name": "   ", "origins": ["https://shop.test"]}, "name"),
        ({**NEW_RP, "terms_of_service_url": "http://shop.test/terms"}, "terms_of_service_url"),
        ({**NEW_RP, "privacy_policy_url": "javascript:alert(1)"}, "privacy_policy_url"),
        ({**NEW_RP, "icon_url": "ftp://shop.test/i.png"}, "icon_url"),
        ({**NEW_RP, "icon_size": "big"}, "icon_size"),
        ({**NEW_RP, "icon_size": 0}, "icon_size"),
        ({**NEW_RP, "enabled": "maybe"}, "enabled"),
        ({**NEW_RP, "client_type": "secret-ish"}, "client_type"),
        ({**NEW_RP, "client_id": "has space"}, "client_id"),
        ({**NEW_RP, "redirect_uris": ["not a uri"]}, "redirect_uris"),
    ],
)
def test_create_relying_party_reports_field_errors(
    fedcm_admin_api: APIClient, body: dict[str, Any], field: str
) -> None:
    response = post_json(fedcm_admin_api, RPS, body)
    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert not RelyingParty.objects.exists()
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize("raw", ["{bad json", "[]", "null", '"text"', "42"])
def test_create_relying_party_malformed_body_is_400(fedcm_admin_api: APIClient, raw: str) -> None:
    response = fedcm_admin_api.post(RPS, raw, content_type="application/json")
    assert response.status_code == 400
    assert response.json()


def test_create_relying_party_http_urls_allowed_for_localhost_and_debug(
    fedcm_admin_api: APIClient, settings: Any
) -> None:
    allow_http_origins(settings)
    local = {**NEW_RP, "terms_of_service_url": "http://127.0.0.1:8000/terms"}
    assert post_json(fedcm_admin_api, RPS, local).status_code == 201
    settings.DEBUG = True
    dev = {
        "name": "Dev",
        "origins": ["http://rp.dev.test"],
        "icon_url": "http://rp.dev.test/icon.png",
    }
    assert post_json(fedcm_admin_api, RPS, dev).status_code == 201


def test_create_relying_party_duplicate_client_id(
    fedcm_admin_api: APIClient, fedcm_rp: RelyingParty
) -> None:
    response = post_json(fedcm_admin_api, RPS, {**NEW_RP, "client_id": "rp-client"})
    assert response.status_code == 400
    assert "client_id" in response.json()
    assert RelyingParty.objects.count() == 1


def test_update_relying_party_audits_only_changed_fields(
    fedcm_admin_api: APIClient, fedcm_rp: RelyingParty
) -> None:
    url = f"{RPS}{fedcm_rp.pk}/"
    response = patch_json(
        fedcm_admin_api,
        url,
        {"name": "Renamed", "origins": ["https://rp.test", "https://m.rp.test"], "icon_size": 40},
    )
    assert response.status_code == 200, response.json()
    event = AuditEvent.objects.get()
    assert event.action == "relying_party.updated"
    assert event.changes == {
        "name": ["Demo RP", "Renamed"],
        "origins": [["https://rp.test"], ["https://rp.test", "https://m.rp.test"]],
    }
    # The same values again change nothing and write no audit row.
    assert patch_json(fedcm_admin_api, url, {"name": "Renamed"}).status_code == 200
    assert AuditEvent.objects.count() == 1


def test_update_relying_party_validates_fields(
    fedcm_admin_api: APIClient, fedcm_rp: RelyingParty
) -> None:
    url = f"{RPS}{fedcm_rp.pk}/"
    response = patch_json(
        fedcm_admin_api, url, {"origins": ["https://rp.test/x"], "icon_url": "http://rp.test/i"}
    )
    assert response.status_code == 400
    assert set(response.json()) == {"origins", "icon_url"}
    for immutable in ({"client_id": "other"}, {"client_type": "confidential"}):
        response = patch_json(fedcm_admin_api, url, immutable)
        assert response.status_code == 400
        assert set(response.json()) == set(immutable)
    # Sending the current values is not a change.
    unchanged = {"client_id": "rp-client", "client_type": "public"}
    assert patch_json(fedcm_admin_api, url, unchanged).status_code == 200
    assert fedcm_admin_api.put(url, "{", content_type="application/json").status_code == 400
    fedcm_rp.refresh_from_db()
    assert fedcm_rp.application.client_id == "rp-client"
    assert not AuditEvent.objects.exists()


def test_put_relying_party_keeps_unsent_options(
    fedcm_admin_api: APIClient, fedcm_make_rp: Callable[..., RelyingParty]
) -> None:
    rp = fedcm_make_rp(enabled=False, require_user_action=True)
    url = f"{RPS}{rp.pk}/"
    response = fedcm_admin_api.put(
        url,
        json.dumps({"name": "N", "origins": ["https://rp.test"]}),
        content_type="application/json",
    )
    assert response.status_code == 200
    rp.refresh_from_db()
    assert (rp.enabled, rp.require_user_action, rp.application.name) == (False, True, "N")


def test_update_unknown_relying_party_is_404(fedcm_admin_api: APIClient) -> None:
    assert patch_json(fedcm_admin_api, f"{RPS}999/", {"name": "x"}).status_code == 404
    assert fedcm_admin_api.get(f"{RPS}abc/").status_code == 404


def test_disable_and_enable_relying_party(
    fedcm_admin_api: APIClient,
    fedcm_rp: RelyingParty,
    fedcm_user: Any,
    fedcm_make_grant: Callable[..., Grant],
) -> None:
    fedcm_make_grant(fedcm_user, fedcm_rp)
    assert grants.approved_client_ids(fedcm_user) == ["rp-client"]
    response = fedcm_admin_api.post(f"{RPS}{fedcm_rp.pk}/disable/")
    assert response.status_code == 200
    assert response.json()["enabled"] is False
    assert grants.approved_client_ids(fedcm_user) == []
    assert Grant.objects.filter(user=fedcm_user).exists()  # kept for re-enabling
    fedcm_admin_api.post(f"{RPS}{fedcm_rp.pk}/enable/")
    assert grants.approved_client_ids(fedcm_user) == ["rp-client"]
    assert list(AuditEvent.objects.order_by("pk").values_list("action", "changes")) == [
        ("relying_party.disabled", {"enabled": [True, False]}),
        ("relying_party.enabled", {"enabled": [False, True]}),
    ]


def test_relying_parties_filters(
    fedcm_admin_api: APIClient, fedcm_make_rp: Callable[..., RelyingParty]
) -> None:
    fedcm_make_rp("a")
    fedcm_make_rp("b", enabled=False)
    assert [
        r["client_id"] for r in fedcm_admin_api.get(RPS + "?client_id=b").json()["results"]
    ] == ["b"]
    enabled = fedcm_admin_api.get(RPS + "?enabled=true").json()["results"]
    assert [r["client_id"] for r in enabled] == ["a"]


def test_relying_parties_pagination(
    fedcm_admin_api: APIClient, fedcm_make_rp: Callable[..., RelyingParty]
) -> None:
    for i in range(5):
        fedcm_make_rp(f"rp-{i}")
    first = fedcm_admin_api.get(RPS + "?page_size=2").json()
    assert first["count"] == 5
    assert [r["client_id"] for r in first["results"]] == ["rp-0", "rp-1"]
    assert first["next"].endswith("page=2&page_size=2")
    last = fedcm_admin_api.get(RPS + "?page_size=2&page=3").json()
    assert [r["client_id"] for r in last["results"]] == ["rp-4"]
    assert last["next"] is None
    assert fedcm_admin_api.get(RPS + "?page=9").status_code == 404
    assert fedcm_admin_api.get(RPS + "?page=abc").status_code == 404
    assert fedcm_admin_api.get(RPS + "?page_size=abc").status_code == 200


def test_relying_parties_list_query_count_is_constant(
    fedcm_admin_api: APIClient,
    fedcm_make_rp: Callable[..., RelyingParty],
    django_assert_num_queries: Any,
) -> None:
    fedcm_make_rp("rp-0")
    few = query_count(fedcm_admin_api, RPS)
    for i in range(1, 8):
        fedcm_make_rp(f"rp-{i}")
    # session, user, count, page (application joined)
    with django_assert_num_queries(4):
        assert fedcm_admin_api.get(RPS).json()["count"] == 8
    assert few == 4


def test_browsable_api_renders_for_staff(
    fedcm_admin_api: APIClient, fedcm_rp: RelyingParty
) -> None:
    response = fedcm_admin_api.get(RPS, HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    assert b"rp-client" in response.content


# --------------------------------------------------------------------------- signing keys


def test_signing_keys_list_public_parts_only(
    fedcm_admin_api: APIClient,
    fedcm_make_key: Callable[..., SigningKey],
    settings: Any,
) -> None:
    from datetime import timedelta

    from django.utils import timezone

    active = fedcm_make_key("RS256")
    expired = fedcm_make_key(
        "ES256", state="retired", retired_at=timezone.now() - timedelta(days=30)
    )
    body = fedcm_admin_api.get(KEYS).json()
    assert body["count"] == 2
    by_kid = {k["kid"]: k for k in body["results"]}
    assert set(by_kid[active.kid]) == {
        "kid",
        "alg",
        "state",
        "published",
        "created_at",
        "activated_at",
        "retired_at",
        "public_jwk",
    }
    assert by_kid[active.kid]["published"] is True
    assert by_kid[expired.kid]["published"] is False
    for key in body["results"]:
        assert not {"d", "p", "q", "dp", "dq", "qi"} & set(key["public_jwk"])
    assert by_kid[active.kid]["public_jwk"] == keys.jwks()["keys"][0]
    detail = fedcm_admin_api.get(f"{KEYS}{active.kid}/").json()
    assert detail["alg"] == "RS256"
    assert fedcm_admin_api.get(f"{KEYS}nope/").status_code == 404


def test_signing_keys_permission_boundaries(
    fedcm_api: Callable[..., APIClient],
    fedcm_make_staff: Callable[..., Any],
    fedcm_user: Any,
    fedcm_signing_key: SigningKey,
) -> None:
    rotate = KEYS + "rotate/"
    assert fedcm_api().get(KEYS).status_code == 401
    assert fedcm_api(fedcm_user).get(KEYS).status_code == 403
    assert fedcm_api(fedcm_user).post(rotate).status_code == 403
    assert fedcm_api(fedcm_make_staff(username="s0")).get(KEYS).status_code == 403
    viewer = fedcm_api(fedcm_make_staff("view_signingkey", username="s1"))
    assert viewer.get(KEYS).status_code == 200
    assert viewer.post(rotate).status_code == 403
    adder = fedcm_api(fedcm_make_staff("add_signingkey", username="s2"))
    assert adder.post(rotate).status_code == 403  # also needs change_signingkey
    assert SigningKey.objects.get().state == "active"


def test_rotate_signing_key(
    fedcm_api: Callable[..., APIClient],
    fedcm_make_staff: Callable[..., Any],
    fedcm_signing_key: SigningKey,
    fedcm_signal_log: Any,
) -> None:
    staff = fedcm_make_staff("add_signingkey", "change_signingkey")
    rotated = fedcm_signal_log(signals.key_rotated)
    response = post_json(fedcm_api(staff), KEYS + "rotate/", {"algorithm": "ES256"})
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["activated"]["alg"] == "ES256"
    assert body["activated"]["state"] == "active"
    assert body["retired"]["kid"] == fedcm_signing_key.kid
    assert body["created"] is True
    assert [call["activated"].kid for call in rotated] == [body["activated"]["kid"]]
    assert keys.signing_key().kid == body["activated"]["kid"]
    event = AuditEvent.objects.get()
    assert (event.actor, event.action, event.target_repr.split()[0]) == (
        staff,
        "signing_key.rotated",
        body["activated"]["kid"],
    )
    assert event.changes["active_kid"] == [fedcm_signing_key.kid, body["activated"]["kid"]]


def test_rotate_signing_key_without_body_uses_default_algorithm(
    fedcm_admin_api: APIClient, settings: Any
) -> None:
    settings.FEDCM_KEY_ALGORITHM = "EdDSA"
    response = fedcm_admin_api.post(KEYS + "rotate/")
    assert response.status_code == 201
    assert response.json()["activated"]["alg"] == "EdDSA"
    assert response.json()["retired"] is None


@pytest.mark.parametrize(
    "raw", ['{"algorithm": "HS256"}', '{"algorithm": ["RS256"]}', "{oops", '["RS256"]']
)
def test_rotate_signing_key_bad_input_is_400(
    fedcm_admin_api: APIClient, fedcm_signing_key: SigningKey, raw: str
) -> None:
    response = fedcm_admin_api.post(KEYS + "rotate/", raw, content_type="application/json")
    assert response.status_code == 400
    assert SigningKey.objects.get().kid == fedcm_signing_key.kid
    assert not AuditEvent.objects.exists()


def test_rotate_signing_key_refused_is_409(
    fedcm_admin_api: APIClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise keys.KeyManagementError("Could not rotate: concurrent rotations kept conflicting.")

    monkeypatch.setattr(keys, "rotate", refuse)
    response = fedcm_admin_api.post(KEYS + "rotate/")
    assert response.status_code == 409
    assert "concurrent" in response.json()["detail"]
    assert not AuditEvent.objects.exists()


def test_signing_keys_list_query_count_is_constant(
    fedcm_admin_api: APIClient,
    fedcm_make_key: Callable[..., SigningKey],
    django_assert_num_queries: Any,
) -> None:
    fedcm_make_key("RS256")
    few = query_count(fedcm_admin_api, KEYS)
    fedcm_make_key("ES256", state="next")
    fedcm_make_key("EdDSA", state="retired")
    with django_assert_num_queries(4):
        assert fedcm_admin_api.get(KEYS).json()["count"] == 3
    assert few == 4


# --------------------------------------------------------------------------- connected apps


@pytest.fixture
def two_users(
    fedcm_make_user: Callable[..., Any],
    fedcm_make_rp: Callable[..., RelyingParty],
    fedcm_make_grant: Callable[..., Grant],
) -> dict[str, Any]:
    """Alice approved shop (with OAuth tokens) and news; Bob approved shop."""
    alice, bob = fedcm_make_user("alice"), fedcm_make_user("bob")
    shop = fedcm_make_rp("shop", "https://shop.test", "Shop", icon_url="https://shop.test/i.png")
    news = fedcm_make_rp("news", "https://news.test", "News")
    return {
        "alice": alice,
        "bob": bob,
        "shop": shop,
        "alice_shop": fedcm_make_grant(alice, shop, tokens=True),
        "alice_news": fedcm_make_grant(alice, news, fields=("name",)),
        "bob_shop": fedcm_make_grant(bob, shop, tokens=True),
    }


def test_connected_apps_anonymous_gets_401(
    fedcm_api: Callable[..., APIClient], two_users: dict[str, Any]
) -> None:
    assert fedcm_api().get(APPS).status_code == 401
    assert fedcm_api().delete(f"{APPS}{two_users['alice_shop'].pk}/").status_code == 401
    assert Grant.objects.count() == 3


def test_connected_apps_lists_only_my_grants(
    fedcm_api: Callable[..., APIClient], two_users: dict[str, Any]
) -> None:
    body = fedcm_api(two_users["alice"]).get(APPS).json()
    assert body["count"] == 2
    shop = next(a for a in body["results"] if a["client_id"] == "shop")
    grant = two_users["alice_shop"]
    assert shop == {
        "id": grant.pk,
        "client_id": "shop",
        "name": "Shop",
        "icon_url": "https://shop.test/i.png",
        "terms_of_service_url": "https://rp.test/terms",
        "privacy_policy_url": "https://rp.test/privacy",
        "first_sign_in": shop["first_sign_in"],
        "last_sign_in": shop["last_sign_in"],
        "disclosed_fields": ["email", "name"],
        "scopes": ["openid"],
    }
    assert shop["first_sign_in"].startswith(grant.created_at.date().isoformat())
    bob = fedcm_api(two_users["bob"]).get(APPS).json()
    assert [a["id"] for a in bob["results"]] == [two_users["bob_shop"].pk]


def test_connected_apps_other_users_grant_is_404_not_403(
    fedcm_api: Callable[..., APIClient], two_users: dict[str, Any]
) -> None:
    alice = fedcm_api(two_users["alice"])
    bobs = f"{APPS}{two_users['bob_shop'].pk}/"
    assert alice.get(bobs).status_code == 404
    assert alice.delete(bobs).status_code == 404
    assert Grant.objects.filter(pk=two_users["bob_shop"].pk).exists()
    assert AccessToken.objects.filter(user=two_users["bob"]).exists()
    assert alice.delete(f"{APPS}999999/").status_code == 404
    assert alice.delete(f"{APPS}abc/").status_code == 404


def test_connected_apps_superuser_cannot_see_others_grants(
    fedcm_admin_api: APIClient, two_users: dict[str, Any]
) -> None:
    assert fedcm_admin_api.get(APPS).json()["count"] == 0
    url = f"{APPS}{two_users['alice_shop'].pk}/"
    assert fedcm_admin_api.delete(url).status_code == 404
    assert Grant.objects.count() == 3


def test_connected_apps_revoke_removes_grant_and_tokens(
    fedcm_api: Callable[..., APIClient], two_users: dict[str, Any], fedcm_signal_log: Any
) -> None:
    alice, shop = two_users["alice"], two_users["shop"]
    assert grants.approved_client_ids(alice) == ["news", "shop"]
    revoked = fedcm_signal_log(signals.grant_revoked)
    response = fedcm_api(alice).delete(f"{APPS}{two_users['alice_shop'].pk}/")
    assert response.status_code == 204
    assert grants.approved_client_ids(alice) == ["news"]
    assert grants.get_grant(alice, shop) is None
    assert not AccessToken.objects.filter(user=alice).exists()
    assert not RefreshToken.objects.filter(user=alice).exists()
    # Bob's approval of the same client and his tokens are untouched.
    assert grants.approved_client_ids(two_users["bob"]) == ["shop"]
    assert AccessToken.objects.filter(user=two_users["bob"]).count() == 1
    assert [(r["user"], r["relying_party"], r["via"]) for r in revoked] == [(alice, shop, "api")]
    event = AuditEvent.objects.get()
    assert (event.actor, event.action, event.target_type) == (
        alice,
        "grant.revoked",
        "django_fedcm.grant",
    )
    assert event.changes == {"via": "api", "disclosed_fields": ["email", "name"]}


def test_connected_apps_revoke_with_session_needs_csrf(
    fedcm_api: Callable[..., APIClient], two_users: dict[str, Any]
) -> None:
    client = fedcm_api(two_users["alice"], csrf=True)
    assert client.delete(f"{APPS}{two_users['alice_shop'].pk}/").status_code == 403
    assert Grant.objects.count() == 3


def test_connected_apps_revoke_with_token(two_users: dict[str, Any]) -> None:
    token = Token.objects.create(user=two_users["alice"])
    client = APIClient(enforce_csrf_checks=True)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert client.delete(f"{APPS}{two_users['alice_news'].pk}/").status_code == 204
    assert grants.approved_client_ids(two_users["alice"]) == ["shop"]


def test_connected_apps_are_read_only_otherwise(
    fedcm_api: Callable[..., APIClient], two_users: dict[str, Any]
) -> None:
    alice = fedcm_api(two_users["alice"])
    url = f"{APPS}{two_users['alice_shop'].pk}/"
    assert patch_json(alice, url, {"disclosed_fields": []}).status_code == 405
    assert post_json(alice, APPS, {"client_id": "shop"}).status_code == 405


def test_connected_apps_list_query_count_is_constant(
    fedcm_api: Callable[..., APIClient],
    fedcm_user: Any,
    fedcm_make_rp: Callable[..., RelyingParty],
    fedcm_make_grant: Callable[..., Grant],
    django_assert_num_queries: Any,
) -> None:
    client = fedcm_api(fedcm_user)
    fedcm_make_grant(fedcm_user, fedcm_make_rp("rp-0"))
    few = query_count(client, APPS)
    for i in range(1, 8):
        fedcm_make_grant(fedcm_user, fedcm_make_rp(f"rp-{i}"))
    # session, user, count, page (relying party and application joined)
    with django_assert_num_queries(4):
        assert client.get(APPS).json()["count"] == 8
    assert few == 4


def test_browsable_api_renders_every_page(
    fedcm_admin_api: APIClient,
    fedcm_superuser: Any,
    fedcm_rp: RelyingParty,
    fedcm_signing_key: SigningKey,
    fedcm_make_grant: Callable[..., Grant],
) -> None:
    grant = fedcm_make_grant(fedcm_superuser, fedcm_rp)
    for url in (
        API,
        f"{RPS}{fedcm_rp.pk}/",
        f"{RPS}{fedcm_rp.pk}/disable/",
        KEYS,
        f"{KEYS}{fedcm_signing_key.kid}/",
        KEYS + "rotate/",
        APPS,
        f"{APPS}{grant.pk}/",
    ):
        response = fedcm_admin_api.get(url, HTTP_ACCEPT="text/html")
        # GET on a POST-only action is 405, still rendered as a page.
        assert response.status_code in (200, 405), url
        assert response["Content-Type"].startswith("text/html"), url
    fedcm_rp.refresh_from_db()
    assert fedcm_rp.enabled  # rendering the disable page did not disable anything
    assert SigningKey.objects.count() == 1  # nor rotate


def test_only_json_bodies_are_accepted(
    fedcm_admin_api: APIClient, fedcm_make_rp: Callable[..., RelyingParty]
) -> None:
    rp = fedcm_make_rp(require_user_action=True)
    form = fedcm_admin_api.put(
        f"{RPS}{rp.pk}/",
        "name=N&origins=https%3A%2F%2Frp.test",
        content_type="application/x-www-form-urlencoded",
    )
    assert form.status_code == 415
    rp.refresh_from_db()
    assert (rp.enabled, rp.require_user_action) == (True, True)
    multipart = fedcm_admin_api.post(RPS, {"name": "N", "origins": "https://rp.test"})
    assert multipart.status_code == 415


def test_connected_apps_reject_oauth_access_tokens(two_users: dict[str, Any]) -> None:
    # A relying party holding the user's OAuth token must not manage their grants.
    client = APIClient()
    client.credentials(
        HTTP_AUTHORIZATION=f"Bearer at-{two_users['alice'].pk}-{two_users['shop'].application.pk}"
    )
    assert AccessToken.objects.filter(user=two_users["alice"]).exists()
    assert client.get(APPS).status_code == 401
    assert client.delete(f"{APPS}{two_users['alice_news'].pk}/").status_code == 401
    assert Grant.objects.count() == 3


def test_nul_bytes_in_lookups_are_not_a_database_error(
    fedcm_admin_api: APIClient, fedcm_make_rp: Callable[..., RelyingParty]
) -> None:
    # PostgreSQL refuses NUL in string literals; these were 500s there.
    fedcm_make_rp("a")
    listed = fedcm_admin_api.get(RPS + "?client_id=%00")
    assert listed.status_code == 200 and listed.json()["results"] == []
    assert fedcm_admin_api.get(API + "signing-keys/%00/").status_code == 404
