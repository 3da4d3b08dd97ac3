"""The id assertion endpoint
(https://w3c-fedid.github.io/FedCM/#idp-api-id-assertion-endpoint; checklist 25-45)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any
from unittest import mock
from urllib.parse import urlsplit

import pytest
from django.dispatch import Signal
from django.test import Client
from django.urls import URLPattern, reverse
from django.utils import timezone
from jwcrypto.jwk import JWK

from django_fedcm import signals
from django_fedcm import urls as fedcm_urls
from django_fedcm.adapter import DefaultFedCMAdapter
from django_fedcm.models import ContinuationRequest, Grant, RelyingParty
from django_fedcm.services import grants, keys, registry
from django_fedcm.views.base import ERROR_CODES
from tests.views.fedcm_http import (
    RP_ORIGIN,
    assert_cors,
    assert_no_cors,
    error_of,
    fedcm_post,
    verify,
)

pytestmark = pytest.mark.django_db

ALL_FIELDS = "name,email,picture"


class RefusingAdapter(DefaultFedCMAdapter):
    def can_sign_in(self, request: Any, user: Any, relying_party: Any) -> bool:
        return False


def form(user: Any, **extra: str) -> dict[str, str]:
    """What Chrome posts for a returning account, plus ``extra``."""
    data = {
        "client_id": "rp-client",
        "account_id": str(user.pk),
        "is_auto_selected": "false",
        "params": json.dumps({"nonce": "n-0S6_WzA2Mj"}),
        "fields": ALL_FIELDS,
        "disclosure_text_shown": "false",
        "mode": "active",
    }
    data.update(extra)
    return data


def state() -> tuple[list[Any], int]:
    """Everything the endpoint may write."""
    grant_rows = list(Grant.objects.values_list("user_id", "relying_party_id", "disclosed_fields"))
    return grant_rows, ContinuationRequest.objects.count()


@pytest.fixture
def issued(fedcm_signal_log: Callable[[Signal], list[dict[str, Any]]]) -> list[dict[str, Any]]:
    return fedcm_signal_log(signals.token_issued)


# --------------------------------------------------------------------------- 25, 26


@pytest.mark.checklist(25)
@pytest.mark.parametrize("dest", [None, "empty", "document", "iframe"])
def test_25_without_sec_fetch_dest_webidentity_no_token(
    client: Client, fedcm_returning: Any, dest: str | None, issued: list[Any]
) -> None:
    before = state()
    extra = {"HTTP_SEC_FETCH_DEST": dest} if dest else {}
    response = fedcm_post(client, "id_assertion", form(fedcm_returning), webidentity=False, **extra)
    assert response.status_code == 400
    assert error_of(response) == "invalid_request"
    assert "token" not in response.json()
    assert state() == before and issued == []


@pytest.mark.checklist(26)
def test_26_form_post_without_csrf_token_is_accepted(fedcm_returning: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(fedcm_returning)
    response = fedcm_post(client, "id_assertion", form(fedcm_returning))
    assert response.status_code == 200
    assert "token" in response.json()


@pytest.mark.checklist(26)
def test_26_only_the_fedcm_posts_are_csrf_exempt() -> None:
    exempt = {
        p.name
        for p in fedcm_urls.urlpatterns
        if isinstance(p, URLPattern) and getattr(p.callback, "csrf_exempt", False)
    }
    # metrics: the browser's anonymous sign-in report (docs/security.md).
    assert exempt == {"id_assertion", "disconnect", "metrics"}


# --------------------------------------------------------------------------- 27, 28


@pytest.mark.checklist(27, 30)
@pytest.mark.parametrize(
    "origin",
    [None, "https://evil.test", "https://rp.test/", "HTTPS://RP.TEST", "http://rp.test", "null"],
)
def test_27_unregistered_origin_gets_error_without_cors(
    client: Client, fedcm_returning: Any, origin: str | None, issued: list[Any]
) -> None:
    before = state()
    response = fedcm_post(client, "id_assertion", form(fedcm_returning), origin=origin)
    assert response.status_code == 200
    assert error_of(response) == "unauthorized_client"
    assert_no_cors(response)
    assert state() == before and issued == []


@pytest.mark.checklist(27)
def test_27_origin_of_another_client_is_rejected(
    client: Client, fedcm_returning: Any, fedcm_make_rp: Any
) -> None:
    fedcm_make_rp("other-client", origins="https://other.test")
    response = fedcm_post(
        client, "id_assertion", form(fedcm_returning), origin="https://other.test"
    )
    assert error_of(response) == "unauthorized_client"
    assert_no_cors(response)


@pytest.mark.checklist(28)
@pytest.mark.parametrize(
    ("client_id", "code"),
    [
        ("", "invalid_request"),
        ("no-such-client", "unauthorized_client"),
        ("x" * 300, "unauthorized_client"),
        ("rp\x00client", "unauthorized_client"),
    ],
)
def test_28_missing_or_unknown_client_id(
    client: Client, fedcm_returning: Any, client_id: str, code: str
) -> None:
    before = state()
    response = fedcm_post(client, "id_assertion", form(fedcm_returning, client_id=client_id))
    assert response.status_code == 200
    assert error_of(response) == code
    assert_no_cors(response)  # no client, so no registered origin to reflect
    assert state() == before


@pytest.mark.checklist(28, 30)
def test_28_disabled_client_gets_unauthorized_client_with_cors(
    client: Client, fedcm_returning: Any, fedcm_rp: RelyingParty, issued: list[Any]
) -> None:
    fedcm_rp.enabled = False
    fedcm_rp.save()
    before = state()
    response = fedcm_post(client, "id_assertion", form(fedcm_returning))
    assert error_of(response) == "unauthorized_client"
    assert_cors(response)  # the RP can read why
    assert state() == before and issued == []


# --------------------------------------------------------------------------- 29


@pytest.mark.checklist(29)
def test_29_account_id_of_another_user_is_refused(
    client: Client,
    fedcm_returning: Any,
    fedcm_make_user: Any,
    fedcm_rp: RelyingParty,
    issued: list[Any],
) -> None:
    bob = fedcm_make_user("bob")
    grants.record_grant(bob, fedcm_rp, fields=ALL_FIELDS.split(","))
    before = state()
    response = fedcm_post(client, "id_assertion", form(fedcm_returning, account_id=str(bob.pk)))
    assert error_of(response) == "access_denied"
    assert_cors(response)
    assert state() == before and issued == []


@pytest.mark.checklist(29)
def test_29_without_session_is_refused(
    client: Client, fedcm_user: Any, fedcm_rp: RelyingParty, fedcm_signing_key: Any
) -> None:
    response = fedcm_post(client, "id_assertion", form(fedcm_user))
    assert error_of(response) == "access_denied"
    assert_cors(response)
    assert state() == ([], 0)


@pytest.mark.checklist(29)
def test_29_missing_account_id_is_invalid_request(client: Client, fedcm_returning: Any) -> None:
    data = form(fedcm_returning)
    del data["account_id"]
    response = fedcm_post(client, "id_assertion", data)
    assert error_of(response) == "invalid_request"


def test_adapter_can_refuse_sign_in(
    client: Client, fedcm_returning: Any, settings: Any, issued: list[Any]
) -> None:
    settings.FEDCM_ADAPTER = "tests.views.test_id_assertion.RefusingAdapter"
    before = state()
    response = fedcm_post(client, "id_assertion", form(fedcm_returning))
    assert error_of(response) == "access_denied"
    assert state() == before and issued == []


# --------------------------------------------------------------------------- 30-35


@pytest.mark.checklist(30, 31, 32)
def test_30_32_success_is_json_with_exactly_a_token_and_cors(
    client: Client, fedcm_returning: Any
) -> None:
    response = fedcm_post(client, "id_assertion", form(fedcm_returning))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert list(response.json()) == ["token"]
    assert_cors(response)
    assert response["Access-Control-Allow-Origin"] != "*"
    assert response["Cache-Control"] == "no-store"


@pytest.mark.checklist(30, 31)
@pytest.mark.parametrize(
    "change",
    [
        {"account_id": "999999"},
        {"params": "{not json"},
        {"params": "[1]"},
        {"client_id": ""},
    ],
)
def test_30_31_error_answers_carry_cors_and_no_store(
    client: Client, fedcm_returning: Any, change: dict[str, str]
) -> None:
    response = fedcm_post(client, "id_assertion", form(fedcm_returning, **change))
    assert error_of(response) in ERROR_CODES
    assert response["Cache-Control"] == "no-store"
    assert "origin" in response["Vary"].lower()
    if change.get("client_id") == "":
        assert_no_cors(response)  # no client_id: nothing to match the Origin against
    else:
        assert_cors(response)


@pytest.mark.checklist(33, 35)
def test_33_35_token_is_a_jwt_string_verified_by_the_jwks(
    client: Client, fedcm_returning: Any, fedcm_signing_key: Any
) -> None:
    response = fedcm_post(client, "id_assertion", form(fedcm_returning))
    token = response.json()["token"]
    assert isinstance(token, str)
    header, claims = verify(token)
    assert header == {"alg": "RS256", "kid": fedcm_signing_key.kid, "typ": "JWT"}
    assert claims["iss"] == "https://idp.test"
    assert claims["sub"] == str(fedcm_returning.pk)
    assert claims["aud"] == "rp-client"
    assert claims["nonce"] == "n-0S6_WzA2Mj"
    assert claims["exp"] - claims["iat"] == 300
    assert isinstance(claims["auth_time"], int) and claims["auth_time"] <= claims["iat"]
    assert claims["name"] == "Alice Example"
    assert claims["email"] == "alice@example.com"


@pytest.mark.checklist(33)
def test_33_structured_token_only_when_the_client_opted_in(
    client: Client, fedcm_returning: Any, fedcm_rp: RelyingParty
) -> None:
    fedcm_rp.structured_tokens = True
    fedcm_rp.save()
    token = fedcm_post(client, "id_assertion", form(fedcm_returning)).json()["token"]
    assert isinstance(token, dict) and list(token) == ["id_token"]
    assert verify(token["id_token"])[1]["aud"] == "rp-client"


@pytest.mark.checklist(34)
@pytest.mark.parametrize(
    ("params", "legacy", "expected"),
    [
        ({"nonce": "from-params"}, None, "from-params"),
        ({"nonce": "from-params"}, "legacy", "from-params"),
        ({}, "legacy-only", "legacy-only"),
        (None, "legacy-only", "legacy-only"),
        ({"nonce": "  spaced + plus/ü  "}, None, "  spaced + plus/ü  "),
        ({}, None, None),
        ({"nonce": ""}, None, None),
    ],
)
def test_34_nonce_from_params_then_legacy_field(
    client: Client, fedcm_returning: Any, params: Any, legacy: str | None, expected: str | None
) -> None:
    data = form(fedcm_returning)
    del data["params"]
    if params is not None:
        data["params"] = json.dumps(params)
    if legacy is not None:
        data["nonce"] = legacy
    response = fedcm_post(client, "id_assertion", data)
    claims = verify(response.json()["token"])[1]
    assert claims.get("nonce") == expected


@pytest.mark.checklist(34, 36)
@pytest.mark.parametrize(
    "data",
    [
        {"params": json.dumps({"nonce": 123})},
        {"params": json.dumps({"nonce": ["a"]})},
        {"params": json.dumps({"nonce": "x" * 1025})},
        {"params": json.dumps({"nonce": "a\x00b"})},
        {"params": "", "nonce": "x" * 1025},
        {"params": "", "nonce": "a\x00b"},
    ],
)
def test_34_unusable_nonce_is_invalid_request(
    client: Client, fedcm_returning: Any, data: dict[str, str], issued: list[Any]
) -> None:
    before = state()
    response = fedcm_post(client, "id_assertion", form(fedcm_returning, **data))
    assert error_of(response) == "invalid_request"
    assert state() == before and issued == []


@pytest.mark.checklist(36, 45)
@pytest.mark.parametrize(
    "params",
    [
        "{not json",
        "[]",
        '"a string"',
        "42",
        "null",
        '{"a": NaN}',
        '{"a": Infinity}',
        '{"a": 1e400}',  # overflows to inf: not storable as JSON (a 500 before)
        '{"a": -1e999}',
        '{"a": "\\u0000"}',
        '{"\\u0000": 1}',
        "[" * 3000 + "]" * 3000,
        '{"a": ' + "[" * 2000 + "]" * 2000 + "}",  # under the size limit, too deep
        json.dumps({"pad": "x" * 5000}),
        "\ufeff{}",
    ],
    ids=lambda p: p[:12],
)
def test_36_malformed_or_oversized_params_is_invalid_request(
    client: Client, fedcm_returning: Any, params: str, issued: list[Any]
) -> None:
    before = state()
    response = fedcm_post(client, "id_assertion", form(fedcm_returning, params=params))
    assert response.status_code == 200
    assert error_of(response) == "invalid_request"
    assert_cors(response)
    assert state() == before and issued == []


@pytest.mark.checklist(36)
def test_36_params_size_limit_is_the_setting(
    client: Client, fedcm_returning: Any, settings: Any
) -> None:
    params = json.dumps({"nonce": "n", "pad": "x" * 200})
    settings.FEDCM_PARAMS_MAX_BYTES = len(params.encode())
    assert (
        "token" in fedcm_post(client, "id_assertion", form(fedcm_returning, params=params)).json()
    )
    settings.FEDCM_PARAMS_MAX_BYTES = len(params.encode()) - 1
    response = fedcm_post(client, "id_assertion", form(fedcm_returning, params=params))
    assert error_of(response) == "invalid_request"


@pytest.mark.checklist(36)
def test_36_unparseable_bodies_are_invalid_request(
    client: Client, fedcm_returning: Any, settings: Any
) -> None:
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 20
    data = form(fedcm_returning)
    data.update({f"extra{i}": "x" for i in range(30)})
    response = fedcm_post(client, "id_assertion", data)
    assert response.status_code == 200
    assert error_of(response) == "invalid_request"
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    response = fedcm_post(client, "id_assertion", form(fedcm_returning, pad="y" * 200))
    assert error_of(response) == "invalid_request"
    assert Grant.objects.get().disclosed_fields == sorted(ALL_FIELDS.split(","))


@pytest.mark.checklist(37)
def test_37_only_client_id_and_account_id_are_needed(client: Client, fedcm_returning: Any) -> None:
    data = {"client_id": "rp-client", "account_id": str(fedcm_returning.pk)}
    response = fedcm_post(client, "id_assertion", data)
    claims = verify(response.json()["token"])[1]
    assert "nonce" not in claims and claims["aud"] == "rp-client"


@pytest.mark.checklist(37)
def test_37_extra_fields_and_any_accept_header_are_tolerated(
    client: Client, fedcm_returning: Any
) -> None:
    data = form(
        fedcm_returning,
        disclosure_shown_for="",
        type="indieauth",
        mode="passive",
        param_nonce="origin-trial-era",
        something_new="1",
    )
    response = fedcm_post(
        client, "id_assertion", data, HTTP_ACCEPT="application/x-www-form-urlencoded"
    )
    assert "token" in response.json()
    response = fedcm_post(client, "id_assertion", data, HTTP_ACCEPT="text/html")
    assert "token" in response.json()


# --------------------------------------------------------------------------- 38, 39, 44


@pytest.mark.checklist(38, 44)
def test_38_44_new_user_without_disclosure_gets_continue_on(
    client: Client, fedcm_asserting_user: Any, fedcm_rp: RelyingParty, issued: list[Any]
) -> None:
    response = fedcm_post(
        client,
        "id_assertion",
        form(fedcm_asserting_user, params=json.dumps({"nonce": "N", "scope": "x"})),
    )
    body = response.json()
    assert list(body) == ["continue_on"]
    assert_cors(response)
    url = urlsplit(body["continue_on"])
    # On the IdP's config origin, carrying nothing but an opaque reference.
    assert f"{url.scheme}://{url.netloc}" == "https://idp.test"
    assert not url.query and not url.fragment
    reference = url.path.rsplit("/", 1)[1]
    assert url.path == reverse("django_fedcm:continuation", args=[reference])
    assert len(reference) >= 40 and "rp-client" not in reference
    stored = ContinuationRequest.objects.get()
    assert stored.reference_hash == hashlib.sha256(reference.encode()).hexdigest()
    assert reference not in {stored.reference_hash, stored.nonce, stored.account_id}
    assert (stored.user, stored.relying_party, stored.origin) == (
        fedcm_asserting_user,
        fedcm_rp,
        RP_ORIGIN,
    )
    assert (stored.account_id, stored.nonce) == (str(fedcm_asserting_user.pk), "N")
    assert stored.params == {"nonce": "N", "scope": "x"}
    assert stored.fields == ["email", "name", "picture"]
    assert stored.used_at is None
    assert 590 <= (stored.expires_at - stored.created_at).total_seconds() <= 600
    assert Grant.objects.count() == 0 and issued == []


@pytest.mark.checklist(38)
@pytest.mark.parametrize(
    ("extra", "expect"),
    [
        ({"disclosure_shown_for": "name,email,picture"}, "token"),
        ({"disclosure_shown_for": "name, email"}, "continue_on"),
        ({"disclosure_shown_for": ""}, "continue_on"),
        ({"disclosure_text_shown": "true"}, "token"),  # Chrome < 132
        ({"fields": "name", "disclosure_shown_for": "name"}, "token"),
        ({"fields": "", "disclosure_shown_for": ""}, "token"),  # RP asked for nothing
    ],
)
def test_38_new_user_consent_depends_on_what_the_browser_disclosed(
    client: Client,
    fedcm_asserting_user: Any,
    fedcm_rp: RelyingParty,
    extra: dict[str, str],
    expect: str,
) -> None:
    body = fedcm_post(client, "id_assertion", form(fedcm_asserting_user, **extra)).json()
    assert list(body) == [expect]
    if expect == "token":
        grant = Grant.objects.get(user=fedcm_asserting_user, relying_party=fedcm_rp)
        requested = extra.get("fields", ALL_FIELDS)
        assert grant.disclosed_fields == sorted(f for f in requested.split(",") if f)


@pytest.mark.checklist(38)
def test_38_returning_user_asking_for_more_fields_gets_continue_on(
    client: Client, fedcm_asserting_user: Any, fedcm_rp: RelyingParty
) -> None:
    grants.record_grant(fedcm_asserting_user, fedcm_rp, fields=["name"])
    body = fedcm_post(client, "id_assertion", form(fedcm_asserting_user, fields="name")).json()
    assert "token" in body
    body = fedcm_post(
        client, "id_assertion", form(fedcm_asserting_user, fields="name,email")
    ).json()
    assert "continue_on" in body


@pytest.mark.checklist(39)
def test_39_auto_selection_refused_when_the_client_requires_user_action(
    client: Client, fedcm_returning: Any, fedcm_rp: RelyingParty, issued: list[Any]
) -> None:
    assert (
        "token"
        in fedcm_post(client, "id_assertion", form(fedcm_returning, is_auto_selected="true")).json()
    )
    fedcm_rp.require_user_action = True
    fedcm_rp.save()
    response = fedcm_post(client, "id_assertion", form(fedcm_returning, is_auto_selected="true"))
    assert error_of(response) == "access_denied"
    assert_cors(response)
    assert len(issued) == 1
    assert "token" in fedcm_post(client, "id_assertion", form(fedcm_returning)).json()


# --------------------------------------------------------------------------- 41-45


@pytest.mark.checklist(41, 42, 43)
def test_41_43_error_object_shape_status_and_no_pii(client: Client, fedcm_returning: Any) -> None:
    response = fedcm_post(client, "id_assertion", form(fedcm_returning, account_id="someone-else"))
    assert response.status_code == 200  # portable: spec-literal browsers drop non-2xx bodies
    error = response.json()["error"]
    assert set(error) == {"error", "code", "url"}
    assert error["error"] == error["code"] == "access_denied"
    url = urlsplit(error["url"])
    assert (url.scheme, url.hostname) == ("https", "idp.test")
    text = response.content.decode()
    for pii in ("alice", "Alice", "example.com", "someone-else"):
        assert pii not in text


@pytest.mark.checklist(45)
def test_45_get_is_405_with_cors_for_a_registered_origin(
    client: Client, fedcm_returning: Any
) -> None:
    url = reverse("django_fedcm:id_assertion")
    response = client.get(
        f"{url}?client_id=rp-client",
        secure=True,
        HTTP_HOST="idp.test",
        HTTP_ORIGIN=RP_ORIGIN,
        HTTP_SEC_FETCH_DEST="webidentity",
    )
    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert response["Cache-Control"] == "no-store"
    assert_cors(response)
    foreign = client.get(url, secure=True, HTTP_HOST="idp.test", HTTP_ORIGIN="https://evil.test")
    assert foreign.status_code == 405
    assert_no_cors(foreign)


def test_no_active_key_is_server_error_and_rolls_the_grant_back(
    client: Client, fedcm_user: Any, fedcm_rp: RelyingParty, issued: list[Any]
) -> None:
    client.force_login(fedcm_user)
    response = fedcm_post(client, "id_assertion", form(fedcm_user, disclosure_shown_for=ALL_FIELDS))
    assert response.status_code == 500
    assert error_of(response) == "server_error"
    assert_cors(response)
    assert Grant.objects.count() == 0 and issued == []


# --------------------------------------------------------------------------- side effects


def test_first_sign_in_records_the_grant_and_sends_signals(
    client: Client, fedcm_asserting_user: Any, fedcm_rp: RelyingParty, issued: list[Any]
) -> None:
    created: list[Any] = []

    def on_created(**kwargs: Any) -> None:
        created.append(kwargs)

    signals.grant_created.connect(on_created)
    try:
        response = fedcm_post(
            client, "id_assertion", form(fedcm_asserting_user, disclosure_shown_for=ALL_FIELDS)
        )
    finally:
        signals.grant_created.disconnect(on_created)
    claims = verify(response.json()["token"])[1]
    assert grants.approved_client_ids(fedcm_asserting_user) == ["rp-client"]
    assert len(created) == 1 and created[0]["relying_party"] == fedcm_rp
    assert len(issued) == 1
    assert issued[0]["claims"] == claims
    assert issued[0]["user"] == fedcm_asserting_user and issued[0]["relying_party"] == fedcm_rp
    assert issued[0]["request"] is not None and issued[0]["sender"] is RelyingParty


def test_auth_time_is_the_session_sign_in_not_a_later_login_elsewhere(
    client: Client, fedcm_returning: Any
) -> None:
    first = verify(fedcm_post(client, "id_assertion", form(fedcm_returning)).json()["token"])[1]
    other = Client()
    with mock.patch(
        "django_fedcm.services.auth_time.time.time", return_value=first["auth_time"] + 500
    ):
        other.force_login(fedcm_returning)  # moves last_login, not this session's auth_time
    fedcm_returning.refresh_from_db()
    assert int(fedcm_returning.last_login.timestamp()) > first["auth_time"] - 1
    again = verify(fedcm_post(client, "id_assertion", form(fedcm_returning)).json()["token"])[1]
    assert again["auth_time"] == first["auth_time"]


# --------------------------------------------------------------------------- cost


def _writes(queries: Any) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if not q["sql"].startswith("SELECT")]


def _warm(client: Client, user: Any) -> None:
    """One sign-in first, as in a running server: the key set parsed, the
    client in the registry cache, the grant's last use just written."""
    keys.signing_key()
    assert "token" in fedcm_post(client, "id_assertion", form(user)).json()


def test_returning_user_costs_two_queries_and_writes_nothing(
    client: Client, fedcm_returning: Any, django_assert_num_queries: Any
) -> None:
    _warm(client, fedcm_returning)
    # the session; the user with the profile and the grant (services/session_user.py)
    with django_assert_num_queries(2) as queries:
        response = fedcm_post(client, "id_assertion", form(fedcm_returning))
    assert "token" in response.json()
    assert _writes(queries) == []


def test_returning_user_costs_one_query_with_cached_db_sessions(
    client: Client, fedcm_returning: Any, settings: Any, django_assert_num_queries: Any
) -> None:
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    client.force_login(fedcm_returning)
    _warm(client, fedcm_returning)
    with django_assert_num_queries(1):  # the user with the profile and the grant
        assert "token" in fedcm_post(client, "id_assertion", form(fedcm_returning)).json()


def test_a_stale_last_use_is_refreshed_in_one_statement(
    client: Client, fedcm_returning: Any, django_assert_num_queries: Any
) -> None:
    _warm(client, fedcm_returning)
    stale = timezone.now() - grants.LAST_USED_RESOLUTION - timedelta(seconds=1)
    Grant.objects.update(last_used_at=stale)
    with django_assert_num_queries(3) as queries:
        assert "token" in fedcm_post(client, "id_assertion", form(fedcm_returning)).json()
    assert len(_writes(queries)) == 1 and "INSERT" in _writes(queries)[0]
    assert Grant.objects.get().last_used_at > stale


def test_first_sign_in_creates_the_grant_in_three_queries(
    client: Client,
    fedcm_asserting_user: Any,
    django_assert_num_queries: Any,
) -> None:
    keys.signing_key()
    registry.get_relying_party("rp-client")  # the registry cache, warm
    data = form(fedcm_asserting_user, disclosure_shown_for="name,email,picture")
    # session, the user with the profile and the (absent) grant, the upsert
    with django_assert_num_queries(3):
        assert "token" in fedcm_post(client, "id_assertion", data).json()
    assert Grant.objects.filter(relying_party__application__client_id="rp-client").count() == 1


def test_query_count_is_flat_with_10k_clients_and_1000_grants(
    client: Client,
    fedcm_returning: Any,
    fedcm_make_user: Any,
    django_assert_num_queries: Any,
) -> None:
    from oauth2_provider.models import get_application_model

    application_model = get_application_model()
    applications = application_model.objects.bulk_create(
        application_model(
            client_id=f"bulk-{i}",
            name=f"bulk {i}",
            client_type="public",
            authorization_grant_type="authorization-code",
            allowed_origins=f"https://bulk{i}.test",
        )
        for i in range(10_000)
    )
    parties = RelyingParty.objects.bulk_create(RelyingParty(application=a) for a in applications)
    other = fedcm_make_user("other")
    Grant.objects.bulk_create(
        Grant(user=user, relying_party=rp)
        for rp in parties[:1000]
        for user in (fedcm_returning, other)
    )
    _warm(client, fedcm_returning)
    with django_assert_num_queries(2):
        assert "token" in fedcm_post(client, "id_assertion", form(fedcm_returning)).json()


def test_query_count_for_continue_on(
    client: Client, fedcm_asserting_user: Any, django_assert_num_queries: Any
) -> None:
    # session, client (registry cache cold), the user with the profile and
    # the grant, insert continuation
    with django_assert_num_queries(4):
        response = fedcm_post(client, "id_assertion", form(fedcm_asserting_user))
    assert "continue_on" in response.json()


def test_signing_key_is_parsed_once_not_per_request(client: Client, fedcm_returning: Any) -> None:
    with mock.patch.object(JWK, "from_json", wraps=JWK.from_json) as from_json:
        for _ in range(3):
            assert "token" in fedcm_post(client, "id_assertion", form(fedcm_returning)).json()
    assert from_json.call_count == 1
