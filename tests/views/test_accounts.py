"""views/accounts.py: the accounts endpoint
(https://w3c-fedid.github.io/FedCM/#idp-api-accounts-endpoint)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import pytest

from django_fedcm.adapter import DefaultFedCMAdapter, get_adapter
from django_fedcm.models import Grant, RelyingParty
from django_fedcm.services import grants
from django_fedcm.views.accounts import is_valid_account

pytestmark = pytest.mark.django_db

#: The session; the user with the profile and the approved clients
#: (services/session_user.py).
SIGNED_IN_QUERIES = 2


class NoAccountsAdapter(DefaultFedCMAdapter):
    def is_account_enabled(self, request: Any, user: Any) -> bool:
        return False


class NamelessAdapter(DefaultFedCMAdapter):
    def get_account(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        account = super().get_account(*args, **kwargs)
        return {"id": account["id"], "name": " ", "approved_clients": []}


@pytest.fixture
def use_adapter(settings: Any) -> Callable[[type], None]:
    def use(cls: type) -> None:
        settings.FEDCM_ADAPTER = f"{__name__}.{cls.__name__}"

    return use


@pytest.mark.checklist(12)
@pytest.mark.parametrize("dest", [None, "empty", "document", "iframe", "image"])
def test_accounts_without_webidentity_dest_is_400_without_account_data(
    client: Any, fedcm_signed_in: Any, dest: str | None
) -> None:
    headers = {"HTTP_SEC_FETCH_DEST": dest} if dest else {}
    response = client.get("/fedcm/accounts", secure=True, HTTP_HOST="idp.test", **headers)
    assert response.status_code == 400
    assert "accounts" not in response.json()
    assert fedcm_signed_in.email.encode() not in response.content


@pytest.mark.checklist(13, 14, 15, 19, 61)
def test_accounts_lists_the_signed_in_account(
    fedcm_get: Callable[..., Any], fedcm_signed_in: Any
) -> None:
    response = fedcm_get("accounts")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "accounts": [
            {
                "id": str(fedcm_signed_in.pk),
                "name": "Alice Example",
                "given_name": "Alice",
                "email": "alice@example.com",
                "username": "alice",
                "approved_clients": [],
                "login_hints": [],
                "domain_hints": [],
                "label_hints": [],
            }
        ]
    }


@pytest.mark.checklist(19)
def test_accounts_include_hints_and_picture_where_known(
    client: Any,
    fedcm_get: Callable[..., Any],
    fedcm_make_user: Callable[..., Any],
    fedcm_set_picture: Callable[..., Any],
) -> None:
    user = fedcm_make_user(
        "bob",
        login_hints=["bob@corp.example"],
        domain_hints=["corp.example"],
        label_hints=["staff"],
    )
    fedcm_set_picture(user)
    client.force_login(user)
    (account,) = fedcm_get("accounts").json()["accounts"]
    assert account["login_hints"] == ["bob@corp.example"]
    assert account["domain_hints"] == ["corp.example"]
    assert account["label_hints"] == ["staff"]
    assert account["picture"] == f"https://idp.test/fedcm/picture/{user.pk}"


@pytest.mark.checklist(16)
def test_accounts_signed_out_is_401_with_an_empty_list(
    fedcm_get: Callable[..., Any], django_assert_num_queries: Any
) -> None:
    with django_assert_num_queries(0):
        response = fedcm_get("accounts")
    assert response.status_code == 401
    assert response.json() == {"accounts": []}
    assert "Location" not in response


@pytest.mark.checklist(16)
def test_accounts_with_an_unknown_session_is_401(
    client: Any, fedcm_get: Callable[..., Any]
) -> None:
    client.cookies["sessionid"] = "no-such-session"
    response = fedcm_get("accounts")
    assert response.status_code == 401
    assert response.json() == {"accounts": []}


@pytest.mark.checklist(16)
def test_accounts_of_an_inactive_user_are_not_listed(
    client: Any, fedcm_get: Callable[..., Any], fedcm_signed_in: Any
) -> None:
    fedcm_signed_in.is_active = False
    fedcm_signed_in.save()
    assert fedcm_get("accounts").status_code == 401


@pytest.mark.checklist(16)
def test_accounts_honour_the_adapter_is_account_enabled(
    fedcm_get: Callable[..., Any], fedcm_signed_in: Any, use_adapter: Callable[[type], None]
) -> None:
    use_adapter(NoAccountsAdapter)
    assert isinstance(get_adapter(), NoAccountsAdapter)
    assert fedcm_get("accounts").status_code == 401


@pytest.mark.checklist(14, 15)
def test_accounts_leave_out_an_entry_chromium_would_reject(
    fedcm_get: Callable[..., Any], fedcm_signed_in: Any, use_adapter: Callable[[type], None]
) -> None:
    use_adapter(NamelessAdapter)
    response = fedcm_get("accounts")
    assert response.status_code == 401
    assert response.json() == {"accounts": []}


@pytest.mark.checklist(17)
def test_accounts_response_ignores_origin_referer_and_query(
    fedcm_get: Callable[..., Any], fedcm_signed_in: Any, fedcm_rp: Any
) -> None:
    grants.record_grant(fedcm_signed_in, fedcm_rp, fields=["name"])
    plain = fedcm_get("accounts")
    varied = fedcm_get(
        "accounts",
        data={"client_id": "rp-client"},
        HTTP_ORIGIN="https://rp.test",
        HTTP_REFERER="https://rp.test/page",
    )
    assert varied.status_code == plain.status_code == 200
    assert varied.content == plain.content


@pytest.mark.checklist(18, 58)
def test_accounts_approved_clients_track_grants(
    fedcm_get: Callable[..., Any], fedcm_signed_in: Any, fedcm_make_rp: Callable[..., Any]
) -> None:
    first = fedcm_make_rp("client-a", "https://a.test")
    second = fedcm_make_rp("client-b", "https://b.test")
    disabled = fedcm_make_rp("client-c", "https://c.test", enabled=False)
    for rp in (first, second, disabled):
        grants.record_grant(fedcm_signed_in, rp)

    def approved() -> list[str]:
        return list(fedcm_get("accounts").json()["accounts"][0]["approved_clients"])

    assert approved() == ["client-a", "client-b"]
    grants.revoke_grant(fedcm_signed_in, first, via="test")
    assert approved() == ["client-b"]


@pytest.mark.checklist(18)
@pytest.mark.parametrize("clients", [1, 6])
def test_accounts_query_count_does_not_grow_with_clients(
    fedcm_get: Callable[..., Any],
    fedcm_make_user: Callable[..., Any],
    fedcm_make_rp: Callable[..., Any],
    client: Any,
    django_assert_num_queries: Any,
    clients: int,
) -> None:
    user = fedcm_make_user("carol", login_hints=["carol"])
    for index in range(clients):
        grants.record_grant(user, fedcm_make_rp(f"client-{index}", f"https://rp{index}.test"))
    client.force_login(user)
    with django_assert_num_queries(SIGNED_IN_QUERIES):
        response = fedcm_get("accounts")
    assert len(response.json()["accounts"][0]["approved_clients"]) == clients


@pytest.mark.checklist(18)
def test_accounts_cost_one_query_with_cached_db_sessions_and_1000_grants(
    fedcm_get: Callable[..., Any],
    fedcm_make_user: Callable[..., Any],
    client: Any,
    settings: Any,
    django_assert_num_queries: Any,
) -> None:
    from oauth2_provider.models import get_application_model

    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    user = fedcm_make_user("carol", login_hints=["carol"])
    application_model = get_application_model()
    applications = application_model.objects.bulk_create(
        application_model(client_id=f"bulk-{i:04}", name="bulk", client_type="public")
        for i in range(1000)
    )
    parties = RelyingParty.objects.bulk_create(RelyingParty(application=a) for a in applications)
    parties[0].enabled = False
    parties[0].save()
    Grant.objects.bulk_create(Grant(user=user, relying_party=rp) for rp in parties)
    client.force_login(user)
    fedcm_get("accounts")  # the session, now in the cache
    with django_assert_num_queries(1):  # the user with the profile and the approved clients
        account = fedcm_get("accounts").json()["accounts"][0]
    assert account["approved_clients"] == [f"bulk-{i:04}" for i in range(1, 1000)]
    assert account["login_hints"] == ["carol"]


@pytest.mark.checklist(21)
def test_accounts_are_never_cached(
    client: Any, fedcm_get: Callable[..., Any], fedcm_signed_in: Any
) -> None:
    signed_in = fedcm_get("accounts")
    client.logout()
    signed_out = fedcm_get("accounts")
    assert (signed_in.status_code, signed_out.status_code) == (200, 401)
    assert signed_in["Cache-Control"] == signed_out["Cache-Control"] == "no-store"


@pytest.mark.checklist(64)
def test_accounts_log_nothing(
    fedcm_get: Callable[..., Any], fedcm_signed_in: Any, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG):
        fedcm_get("accounts")
    assert [r for r in caplog.records if r.name.startswith("django_fedcm")] == []


def test_accounts_refuse_post(client: Any, fedcm_signed_in: Any) -> None:
    response = client.post(
        "/fedcm/accounts", secure=True, HTTP_HOST="idp.test", HTTP_SEC_FETCH_DEST="webidentity"
    )
    assert response.status_code == 405


@pytest.mark.checklist(14, 15)
@pytest.mark.parametrize(
    ("account", "valid"),
    [
        ({"id": "1", "name": "A"}, True),
        ({"id": "1", "tel": "+1 555"}, True),
        ({"id": "1", "username": "a"}, True),
        ({"id": "", "name": "A"}, False),
        ({"id": 1, "name": "A"}, False),
        ({"name": "A"}, False),
        ({"id": "1", "name": "  ", "email": ""}, False),
        ({"id": "1", "given_name": "A", "picture": "https://x.test/p.png"}, False),
    ],
)
def test_is_valid_account_follows_chromium(account: dict[str, Any], valid: bool) -> None:
    assert is_valid_account(account) is valid
