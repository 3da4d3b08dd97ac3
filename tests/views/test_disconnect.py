"""The disconnect endpoint
(https://w3c-fedid.github.io/FedCM/#idp-api-disconnect-endpoint; checklist 56-58)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.dispatch import Signal
from django.test import Client
from django.urls import reverse

from django_fedcm import signals
from django_fedcm.models import Grant, RelyingParty
from django_fedcm.services import grants
from tests.views.fedcm_http import (
    RP_ORIGIN,
    assert_cors,
    assert_no_cors,
    error_of,
    fedcm_post,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice(client: Client, fedcm_make_user: Any, fedcm_rp: RelyingParty) -> Any:
    user = fedcm_make_user("alice", login_hints=["alice-hint", "a@work.example"])
    grants.record_grant(user, fedcm_rp, fields=["name"])
    client.force_login(user)
    return user


@pytest.fixture
def bystanders(fedcm_make_user: Any, fedcm_make_rp: Any, fedcm_rp: RelyingParty, alice: Any) -> Any:
    """Grants disconnect must not touch: bob's to the same client, alice's to another."""
    bob = fedcm_make_user("bob")
    grants.record_grant(bob, fedcm_rp, fields=["name"])
    other = fedcm_make_rp("other-client", origins="https://other.test")
    grants.record_grant(alice, other, fields=["name"])
    return bob, other


def grant_rows() -> set[tuple[str, str]]:
    return set(Grant.objects.values_list("user__username", "relying_party__application__client_id"))


@pytest.fixture
def revoked(fedcm_signal_log: Callable[[Signal], list[dict[str, Any]]]) -> list[dict[str, Any]]:
    return fedcm_signal_log(signals.grant_revoked)


@pytest.mark.checklist(57, 58)
@pytest.mark.parametrize("hint", ["id", "alice@example.com", "ALICE@Example.COM", "alice-hint"])
def test_57_58_account_hint_matches_id_email_or_login_hint_and_revokes_only_that_grant(
    client: Client, alice: Any, bystanders: Any, hint: str, revoked: list[Any]
) -> None:
    account_hint = str(alice.pk) if hint == "id" else hint
    response = fedcm_post(
        client, "disconnect", {"client_id": "rp-client", "account_hint": account_hint}
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"account_id": str(alice.pk)}
    assert_cors(response)
    assert response["Cache-Control"] == "no-store"
    assert grant_rows() == {("bob", "rp-client"), ("alice", "other-client")}
    # checklist 58: the accounts endpoint's approved_clients comes from here
    assert grants.approved_client_ids(alice) == ["other-client"]
    assert len(revoked) == 1 and revoked[0]["via"] == "disconnect"


@pytest.mark.checklist(57)
def test_57_disconnect_without_a_grant_still_names_the_account(
    client: Client, alice: Any, fedcm_rp: RelyingParty
) -> None:
    grants.revoke_grant(alice, fedcm_rp, via="test")
    response = fedcm_post(
        client, "disconnect", {"client_id": "rp-client", "account_hint": str(alice.pk)}
    )
    assert response.json() == {"account_id": str(alice.pk)}


@pytest.mark.checklist(56, 57)
@pytest.mark.parametrize(
    ("data", "origin", "code", "cors"),
    [
        ({"account_hint": "alice-hint"}, RP_ORIGIN, "invalid_request", False),
        (
            {"client_id": "nope", "account_hint": "alice-hint"},
            RP_ORIGIN,
            "unauthorized_client",
            False,
        ),
        (
            {"client_id": "rp\x00", "account_hint": "alice-hint"},
            RP_ORIGIN,
            "unauthorized_client",
            False,
        ),
        (
            {"client_id": "rp-client", "account_hint": "alice-hint"},
            "https://evil.test",
            "unauthorized_client",
            False,
        ),
        (
            {"client_id": "rp-client", "account_hint": "alice-hint"},
            None,
            "unauthorized_client",
            False,
        ),
        (
            {"client_id": "rp-client", "account_hint": "alice-hint"},
            "https://other.test",
            "unauthorized_client",
            False,
        ),
        ({"client_id": "rp-client"}, RP_ORIGIN, "invalid_request", True),
        ({"client_id": "rp-client", "account_hint": ""}, RP_ORIGIN, "invalid_request", True),
        (
            {"client_id": "rp-client", "account_hint": "bob@example.com"},
            RP_ORIGIN,
            "access_denied",
            True,
        ),
        ({"client_id": "rp-client", "account_hint": "*"}, RP_ORIGIN, "access_denied", True),
    ],
)
def test_56_bad_requests_change_nothing(
    client: Client,
    alice: Any,
    bystanders: Any,
    data: dict[str, str],
    origin: str | None,
    code: str,
    cors: bool,
    revoked: list[Any],
) -> None:
    before = grant_rows()
    response = fedcm_post(client, "disconnect", data, origin=origin)
    assert response.status_code == 200
    assert error_of(response) == code
    assert "account_id" not in response.json()
    if cors:
        assert_cors(response)
    else:
        assert_no_cors(response)
    assert grant_rows() == before and revoked == []


@pytest.mark.checklist(56)
def test_56_another_users_id_is_refused(client: Client, alice: Any, bystanders: Any) -> None:
    bob, _other = bystanders
    before = grant_rows()
    response = fedcm_post(
        client, "disconnect", {"client_id": "rp-client", "account_hint": str(bob.pk)}
    )
    assert error_of(response) == "access_denied"
    assert grant_rows() == before


@pytest.mark.checklist(56)
def test_56_requires_sec_fetch_dest(client: Client, alice: Any) -> None:
    before = grant_rows()
    data = {"client_id": "rp-client", "account_hint": "alice-hint"}
    response = fedcm_post(client, "disconnect", data, webidentity=False)
    assert response.status_code == 400
    assert grant_rows() == before


@pytest.mark.checklist(56)
def test_56_requires_a_session(fedcm_user: Any, fedcm_rp: RelyingParty, revoked: list[Any]) -> None:
    grants.record_grant(fedcm_user, fedcm_rp)
    response = fedcm_post(
        Client(), "disconnect", {"client_id": "rp-client", "account_hint": str(fedcm_user.pk)}
    )
    assert error_of(response) == "access_denied"
    assert_cors(response)
    assert Grant.objects.count() == 1 and revoked == []


@pytest.mark.checklist(56)
def test_56_disabled_client_is_refused_but_can_read_the_error(
    client: Client, alice: Any, fedcm_rp: RelyingParty
) -> None:
    fedcm_rp.enabled = False
    fedcm_rp.save()
    response = fedcm_post(
        client, "disconnect", {"client_id": "rp-client", "account_hint": "alice-hint"}
    )
    assert error_of(response) == "unauthorized_client"
    assert_cors(response)
    assert Grant.objects.filter(user=alice, relying_party=fedcm_rp).exists()


@pytest.mark.checklist(56)
def test_56_no_csrf_token_needed_and_get_is_405(alice: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    response = fedcm_post(
        client, "disconnect", {"client_id": "rp-client", "account_hint": "alice-hint"}
    )
    assert response.json() == {"account_id": str(alice.pk)}
    response = client.get(
        reverse("django_fedcm:disconnect") + "?client_id=rp-client",
        secure=True,
        HTTP_HOST="idp.test",
        HTTP_ORIGIN=RP_ORIGIN,
    )
    assert response.status_code == 405
    assert_cors(response)


@pytest.mark.parametrize("others", [0, 6])
def test_query_count_is_constant(
    client: Client,
    alice: Any,
    fedcm_make_rp: Any,
    fedcm_make_user: Any,
    others: int,
    django_assert_num_queries: Any,
) -> None:
    for i in range(others):
        rp = fedcm_make_rp(f"client-{i}", origins=f"https://rp{i}.test")
        grants.record_grant(alice, rp)
        grants.record_grant(fedcm_make_user(f"user{i}"), rp)
    # session, user, client, profile (login hint), savepoint, delete grant,
    # delete authorization codes, delete refresh tokens, delete access tokens, release
    with django_assert_num_queries(10):
        response = fedcm_post(
            client, "disconnect", {"client_id": "rp-client", "account_hint": "alice-hint"}
        )
    assert response.json() == {"account_id": str(alice.pk)}
