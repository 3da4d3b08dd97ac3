"""The django-cors-headers receiver that approves CORS for the FedCM POST
endpoints (django_fedcm.cors; https://w3c-fedid.github.io/FedCM/#sec-cors-header;
checklist 27, 30)."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

import pytest
from django.test import Client, RequestFactory
from django.urls import include, path, reverse

from django_fedcm import cors
from django_fedcm.models import RelyingParty
from django_fedcm.services import grants, registry
from tests.views.fedcm_http import RP_ORIGIN, assert_cors, assert_no_cors, fedcm_post

pytestmark = pytest.mark.django_db

#: A project that mounts the app under a prefix (used via pytest.mark.urls).
urlpatterns = [path("idp/", include("django_fedcm.urls"))]


def form_request(path_: str, data: dict[str, str], origin: str | None = RP_ORIGIN) -> Any:
    headers = {"HTTP_ORIGIN": origin} if origin else {}
    return RequestFactory().post(
        path_, urlencode(data), content_type="application/x-www-form-urlencoded", **headers
    )


@pytest.fixture
def assertion_path() -> str:
    return reverse("django_fedcm:id_assertion")


@pytest.mark.checklist(27, 30)
@pytest.mark.parametrize(
    ("client_id", "origin", "approved"),
    [
        ("rp-client", RP_ORIGIN, True),
        ("rp-client", "https://evil.test", False),
        ("rp-client", "https://rp.test:8443", False),
        ("rp-client", None, False),
        ("other-client", RP_ORIGIN, False),  # registered, but for another client
        ("no-such-client", RP_ORIGIN, False),
        ("", RP_ORIGIN, False),
    ],
)
def test_receiver_approves_only_an_origin_registered_for_the_named_client(
    fedcm_rp: RelyingParty,
    fedcm_make_rp: Any,
    assertion_path: str,
    client_id: str,
    origin: str | None,
    approved: bool,
) -> None:
    fedcm_make_rp("other-client", origins="https://other.test")
    request = form_request(assertion_path, {"client_id": client_id}, origin)
    assert cors.allow_registered_origin(sender=None, request=request) is approved


@pytest.mark.checklist(30)
def test_disabled_client_is_still_approved_so_the_rp_reads_the_error(
    fedcm_rp: RelyingParty, assertion_path: str
) -> None:
    fedcm_rp.enabled = False
    fedcm_rp.save()
    request = form_request(assertion_path, {"client_id": "rp-client"})
    assert cors.allow_registered_origin(sender=None, request=request) is True


@pytest.mark.parametrize("name", ["accounts", "client_metadata", "config", "login", "user_info"])
def test_other_endpoints_are_never_approved(fedcm_rp: RelyingParty, name: str) -> None:
    request = form_request(reverse(f"django_fedcm:{name}"), {"client_id": "rp-client"})
    assert cors.allow_registered_origin(sender=None, request=request) is False


def test_continuation_page_gets_no_cors_headers(client: Client, fedcm_rp: RelyingParty) -> None:
    response = client.get(
        reverse("django_fedcm:continuation", args=["abc"]) + "?client_id=rp-client",
        HTTP_ORIGIN=RP_ORIGIN,
    )
    assert_no_cors(response)


def test_unknown_path_is_not_approved(fedcm_rp: RelyingParty) -> None:
    request = form_request("/no/such/page", {"client_id": "rp-client"})
    assert cors.allow_registered_origin(sender=None, request=request) is False


@pytest.mark.urls("tests.test_cors")
def test_endpoints_are_found_by_url_name_not_path(
    client: Client, fedcm_user: Any, fedcm_rp: RelyingParty, fedcm_signing_key: Any
) -> None:
    assert reverse("django_fedcm:id_assertion") == "/idp/fedcm/assertion"
    grants.record_grant(fedcm_user, fedcm_rp, fields=["name", "email", "picture"])
    client.force_login(fedcm_user)
    data = {"client_id": "rp-client", "account_id": str(fedcm_user.pk)}
    response = fedcm_post(client, "id_assertion", data)
    assert "token" in response.json()
    assert_cors(response)


def test_receiver_leaves_its_lookup_on_the_request_for_the_view(
    fedcm_rp: RelyingParty, assertion_path: str, django_assert_num_queries: Any
) -> None:
    request = form_request(assertion_path, {"client_id": "rp-client"})
    with django_assert_num_queries(1):
        assert cors.allow_registered_origin(sender=None, request=request) is True
        assert cors.allow_registered_origin(sender=None, request=request) is True
        assert registry.relying_party_for_request(request) == fedcm_rp


def test_restrictive_cors_urls_regex_still_works_with_one_lookup(
    client: Client,
    fedcm_user: Any,
    fedcm_rp: RelyingParty,
    fedcm_signing_key: Any,
    settings: Any,
    django_assert_num_queries: Any,
) -> None:
    # cors-headers then asks the signal before the view runs (no resolver_match yet).
    settings.CORS_URLS_REGEX = r"^/api/"
    grants.record_grant(fedcm_user, fedcm_rp, fields=["name", "email", "picture"])
    client.force_login(fedcm_user)
    from django_fedcm.services import keys

    keys.signing_key()
    data = {
        "client_id": "rp-client",
        "account_id": str(fedcm_user.pk),
        "params": json.dumps({"nonce": "n"}),
    }
    # session, client (registry cache cold: one lookup), the user with the
    # profile and the grant
    with django_assert_num_queries(3):
        response = fedcm_post(client, "id_assertion", data)
    assert "token" in response.json()
    assert_cors(response)


def test_without_cors_allow_credentials_the_browser_would_fail(
    client: Client, fedcm_rp: RelyingParty, settings: Any
) -> None:
    # Why docs/security.md requires CORS_ALLOW_CREDENTIALS = True.
    settings.CORS_ALLOW_CREDENTIALS = False
    response = fedcm_post(client, "id_assertion", {"client_id": "rp-client", "account_id": "1"})
    assert response["Access-Control-Allow-Origin"] == RP_ORIGIN
    assert "Access-Control-Allow-Credentials" not in response


def test_broken_body_is_not_approved_and_does_not_raise(
    fedcm_rp: RelyingParty, assertion_path: str, settings: Any
) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10
    request = form_request(assertion_path, {"client_id": "rp-client", "pad": "x" * 100})
    assert cors.allow_registered_origin(sender=None, request=request) is False
