"""views/guards.py: the prologue of the FedCM views (method, ``Sec-Fetch-Dest``,
the form, the client and its origin)."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

import pytest
from django.contrib.auth import get_user_model
from django.db import (
    DatabaseError,
    IntegrityError,
    InterfaceError,
    OperationalError,
    ProgrammingError,
    transaction,
)
from django.http import HttpRequest, HttpResponse, QueryDict
from django.test import RequestFactory
from pytest_django import DjangoAssertNumQueries

from django_fedcm import cors
from django_fedcm.models import RelyingParty
from django_fedcm.views import guards
from tests.views.fedcm_http import BROWSER_HEADERS, IDP_HOST, RP_ORIGIN

pytestmark = pytest.mark.django_db

ASSERTION_PATH = "/fedcm/assertion"


def browser_post(
    data: dict[str, str], *, origin: str | None = RP_ORIGIN, webidentity: bool = True
) -> HttpRequest:
    headers: dict[str, Any] = dict(BROWSER_HEADERS) if webidentity else {}
    if origin is not None:
        headers["HTTP_ORIGIN"] = origin
    request: HttpRequest = RequestFactory().post(
        ASSERTION_PATH,
        urlencode(data),
        content_type="application/x-www-form-urlencoded",
        secure=True,
        HTTP_HOST=IDP_HOST,
        **headers,
    )
    return request


@pytest.fixture
def calls() -> list[tuple[RelyingParty, QueryDict]]:
    return []


@pytest.fixture
def guarded(calls: list[tuple[RelyingParty, QueryDict]]) -> Any:
    """A credentialed view that records what the guard handed it."""

    @guards.credentialed_post
    def view(request: HttpRequest, relying_party: RelyingParty, form: QueryDict) -> HttpResponse:
        calls.append((relying_party, form))
        response = HttpResponse("ok")
        response["Vary"] = "Cookie"
        return response

    return view


def error_of(response: HttpResponse) -> str:
    error = json.loads(response.content)["error"]
    assert error["error"] == error["code"]
    return str(error["error"])


def assert_fedcm_headers(response: HttpResponse) -> None:
    assert response["Cache-Control"] == "no-store"
    assert "Origin" in response["Vary"]


# --------------------------------------------------------------------------- credentialed_post


@pytest.mark.checklist(31)
@pytest.mark.parametrize("method", ["get", "put", "delete", "options"])
def test_credentialed_post_answers_405_to_other_methods(
    guarded: Any, calls: list[Any], fedcm_rp: RelyingParty, method: str
) -> None:
    # Checked first: even without Sec-Fetch-Dest the answer is 405, not 400.
    request = getattr(RequestFactory(), method)(ASSERTION_PATH, HTTP_ORIGIN=RP_ORIGIN)
    response = guarded(request)
    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert_fedcm_headers(response)
    assert calls == []


@pytest.mark.checklist(25, 31)
def test_credentialed_post_answers_400_without_sec_fetch_dest(
    guarded: Any, calls: list[Any], fedcm_rp: RelyingParty
) -> None:
    response = guarded(browser_post({"client_id": "rp-client"}, webidentity=False))
    assert response.status_code == 400
    assert error_of(response) == "invalid_request"
    assert_fedcm_headers(response)
    assert calls == []


@pytest.mark.parametrize("value", ["webidentity", "WebIdentity"])
def test_sec_fetch_dest_is_compared_case_insensitively(value: str) -> None:
    request = RequestFactory().get("/", HTTP_SEC_FETCH_DEST=value)
    assert guards.is_webidentity(request)
    assert not guards.is_webidentity(RequestFactory().get("/", HTTP_SEC_FETCH_DEST="empty"))


@pytest.mark.parametrize("data", [{}, {"client_id": ""}, {"account_id": "1"}])
def test_credentialed_post_without_client_id_is_invalid_request(
    guarded: Any, calls: list[Any], fedcm_rp: RelyingParty, data: dict[str, str]
) -> None:
    response = guarded(browser_post(data))
    assert response.status_code == 200
    assert error_of(response) == "invalid_request"
    assert_fedcm_headers(response)
    assert calls == []


def test_credentialed_post_with_a_broken_body_is_invalid_request(
    guarded: Any, calls: list[Any], fedcm_rp: RelyingParty, settings: Any
) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10
    response = guarded(browser_post({"client_id": "rp-client", "pad": "x" * 100}))
    assert error_of(response) == "invalid_request"
    assert calls == []


@pytest.mark.checklist(27, 28)
@pytest.mark.parametrize(
    ("client_id", "origin"),
    [
        ("no-such-client", RP_ORIGIN),
        ("rp\x00client", RP_ORIGIN),
        ("x" * 300, RP_ORIGIN),
        ("disabled-client", RP_ORIGIN),
        ("rp-client", "https://evil.test"),
        ("rp-client", "https://rp.test:8443"),
        ("rp-client", "null"),
        ("rp-client", None),
    ],
)
def test_credentialed_post_refuses_clients_that_may_not_ask_from_this_origin(
    guarded: Any,
    calls: list[Any],
    fedcm_rp: RelyingParty,
    fedcm_make_rp: Any,
    client_id: str,
    origin: str | None,
) -> None:
    fedcm_make_rp("disabled-client", enabled=False)
    response = guarded(browser_post({"client_id": client_id}, origin=origin))
    assert response.status_code == 200
    assert error_of(response) == "unauthorized_client"
    assert_fedcm_headers(response)
    assert calls == []


def test_credentialed_post_hands_the_view_the_client_and_the_form(
    guarded: Any, calls: list[tuple[RelyingParty, QueryDict]], fedcm_rp: RelyingParty
) -> None:
    response = guarded(browser_post({"client_id": "rp-client", "account_id": "7"}))
    assert response.content == b"ok"
    [(relying_party, form)] = calls
    assert relying_party == fedcm_rp
    assert form["account_id"] == "7"
    assert response["Cache-Control"] == "no-store"
    assert response["Vary"] == "Cookie, Origin"  # the view's Vary is kept


def test_credentialed_post_keeps_the_view_name(guarded: Any) -> None:
    assert guarded.__name__ == "view"


@pytest.mark.checklist(27, 30)
def test_cors_receiver_guard_and_view_share_one_lookup(
    guarded: Any,
    calls: list[Any],
    fedcm_rp: RelyingParty,
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    request = browser_post({"client_id": "rp-client"})
    request.resolver_match = None
    with django_assert_num_queries(1):
        assert cors.allow_registered_origin(sender=None, request=request) is True
        guarded(request)
        assert guards.requested_client(request) == fedcm_rp
    assert len(calls) == 1


# --------------------------------------------------------------------------- require_webidentity


def test_require_webidentity_refuses_other_fetches_with_a_fedcm_error() -> None:
    @guards.require_webidentity
    def view(request: HttpRequest) -> HttpResponse:
        return HttpResponse("ok")

    plain = RequestFactory().get("/fedcm/accounts", secure=True, HTTP_HOST=IDP_HOST)
    response = view(plain)
    assert response.status_code == 400
    assert error_of(response) == "invalid_request"
    fedcm = RequestFactory().get("/fedcm/accounts", HTTP_SEC_FETCH_DEST="webidentity")
    assert view(fedcm).content == b"ok"


# --------------------------------------------------------------------------- the client


def test_requested_client_reads_the_query_string_of_a_get_enabled_or_not(
    fedcm_make_rp: Any,
) -> None:
    disabled = fedcm_make_rp("disabled-client", enabled=False)
    request = RequestFactory().get("/fedcm/user_info", {"client_id": "disabled-client"})
    assert guards.requested_client(request) == disabled


@pytest.mark.checklist(23)
@pytest.mark.parametrize(
    ("query", "origin", "found"),
    [
        ("client_id=rp-client", RP_ORIGIN, True),
        ("client_id=rp-client", "https://evil.test", False),
        ("client_id=rp-client", None, False),
        ("client_id=disabled-client", RP_ORIGIN, False),
        ("client_id=no-such-client", RP_ORIGIN, False),
        ("", RP_ORIGIN, False),
    ],
)
def test_client_for_origin_needs_an_enabled_client_registered_for_the_origin(
    fedcm_rp: RelyingParty,
    fedcm_make_rp: Any,
    query: str,
    origin: str | None,
    found: bool,
) -> None:
    fedcm_make_rp("disabled-client", enabled=False)
    headers: dict[str, Any] = {"HTTP_ORIGIN": origin} if origin else {}
    request = RequestFactory().get("/fedcm/client_metadata?" + query, **headers)
    assert guards.client_for_origin(request) == (fedcm_rp if found else None)


# --------------------------------------------------------------------------- database faults


def failing_view(error: Exception) -> Any:
    @guards.json_on_database_error
    def view(request: HttpRequest) -> HttpResponse:
        raise error

    return view


@pytest.mark.parametrize(
    "error",
    [OperationalError("server closed the connection"), InterfaceError("connection closed")],
)
def test_a_lost_connection_is_temporarily_unavailable(
    error: Exception, caplog: pytest.LogCaptureFixture
) -> None:
    response = failing_view(error)(RequestFactory().get("/fedcm/accounts"))
    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    assert response["Cache-Control"] == "no-store"
    assert error_of(response) == "temporarily_unavailable"
    assert [r.exc_info[1] for r in caplog.records if r.exc_info] == [error]


@pytest.mark.parametrize(
    "error", [ProgrammingError("no such table"), IntegrityError("dup"), DatabaseError("x")]
)
def test_other_database_errors_are_server_error(error: Exception) -> None:
    response = failing_view(error)(RequestFactory().get("/fedcm/accounts"))
    assert response.status_code == 500
    assert error_of(response) == "server_error"


def test_other_exceptions_are_not_database_faults() -> None:
    with pytest.raises(ValueError, match="bug"):
        failing_view(ValueError("bug"))(RequestFactory().get("/fedcm/accounts"))


def test_answers_of_a_healthy_view_pass_unchanged() -> None:
    @guards.json_on_database_error
    def view(request: HttpRequest) -> HttpResponse:
        return HttpResponse("ok", status=201)

    response = view(RequestFactory().get("/fedcm/accounts"))
    assert (response.status_code, response.content) == (201, b"ok")
    assert view.__name__ == "view"


def test_a_fault_rolls_back_what_the_request_wrote_under_atomic_requests() -> None:
    """ATOMIC_REQUESTS runs the view in transaction.atomic(); answering instead
    of raising must not let that block commit the half-written request."""

    @guards.json_on_database_error
    def view(request: HttpRequest) -> HttpResponse:
        get_user_model().objects.create(username="half-written")
        raise OperationalError("connection lost")

    with transaction.atomic():  # what ATOMIC_REQUESTS wraps the view in
        response = view(RequestFactory().get("/fedcm/accounts"))
    assert response.status_code == 503
    assert not get_user_model().objects.filter(username="half-written").exists()


def test_credentialed_post_answers_a_fault_with_its_headers(fedcm_rp: RelyingParty) -> None:
    @guards.credentialed_post
    def view(request: HttpRequest, relying_party: RelyingParty, form: QueryDict) -> HttpResponse:
        raise OperationalError("connection lost")

    response = view(browser_post({"client_id": "rp-client"}))
    assert response.status_code == 503
    assert error_of(response) == "temporarily_unavailable"
    assert_fedcm_headers(response)
