"""Database faults on the FedCM JSON endpoints (docs/security.md, "Database faults").

A failed query answers the FedCM error object (``temporarily_unavailable``,
503) with the CORS headers the request earned, never Django's HTML 500, and
the next request works again.

* Everywhere: queries are made to fail with ``connection.execute_wrapper``.
* On PostgreSQL (``@pytest.mark.postgres``): the app's connection is really
  terminated from a second connection (``pg_terminate_backend``) in the middle
  of a request, and requests go through ``WSGIHandler`` like a server's, so
  Django's own ``close_old_connections`` decides the recovery.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any
from unittest import mock
from urllib.parse import urlencode

import pytest
from django.contrib.sessions.models import Session
from django.core.handlers.wsgi import WSGIHandler
from django.db import DEFAULT_DB_ALIAS, InterfaceError, OperationalError, connection, connections
from django.test import Client, RequestFactory
from django.urls import reverse

from django_fedcm import cors
from django_fedcm.models import Grant, RelyingParty
from tests.views.fedcm_http import (
    BROWSER_HEADERS,
    IDP_HOST,
    RP_ORIGIN,
    assert_cors,
    assert_no_cors,
    error_of,
    fedcm_post,
)

# Transactional: a fault answer marks open atomic blocks for rollback, which
# would poison the test's own transaction.
pytestmark = pytest.mark.django_db(transaction=True)

SESSION_TABLE = f'"{Session._meta.db_table}"'
CLIENT_TABLE = f'"{RelyingParty._meta.db_table}"'
GRANT_TABLE = f'"{Grant._meta.db_table}"'


@contextmanager
def failing_queries(table: str, error: Exception) -> Iterator[list[str]]:
    """Every query that names ``table`` raises ``error`` (a database that went
    away fails every later query too); yields the failed statements."""
    failed: list[str] = []

    def wrapper(execute: Callable[..., Any], sql: str, *args: Any) -> Any:
        if table in sql:
            failed.append(sql)
            raise error
        return execute(sql, *args)

    with connection.execute_wrapper(wrapper):
        yield failed


def assertion_form(user: Any) -> dict[str, str]:
    return {
        "client_id": "rp-client",
        "account_id": str(user.pk),
        "params": json.dumps({"nonce": "n-1"}),
        "fields": "name,email,picture",
        "disclosure_text_shown": "true",
    }


def assert_fault_answer(response: Any) -> None:
    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    assert response["Cache-Control"] == "no-store"
    assert error_of(response) == "temporarily_unavailable"


# --------------------------------------------------------------------------- any database


def test_assertion_fault_after_the_client_check_keeps_cors_and_recovers(
    client: Client, fedcm_asserting_user: Any
) -> None:
    """The client was verified before the session query failed: the RP can
    read the error (https://w3c-fedid.github.io/FedCM/#sec-cors-header)."""
    with failing_queries(SESSION_TABLE, OperationalError("connection lost")) as failed:
        response = fedcm_post(client, "id_assertion", assertion_form(fedcm_asserting_user))
    assert failed
    assert_fault_answer(response)
    assert_cors(response)
    again = fedcm_post(client, "id_assertion", assertion_form(fedcm_asserting_user))
    assert again.status_code == 200 and "token" in again.json()


def test_assertion_fault_before_the_client_check_gets_no_cors(
    client: Client, fedcm_asserting_user: Any
) -> None:
    """An Origin nobody could check is never approved: the browser reports a
    network error rather than hand the body to an unverified page."""
    with failing_queries(CLIENT_TABLE, InterfaceError("connection already closed")) as failed:
        response = fedcm_post(client, "id_assertion", assertion_form(fedcm_asserting_user))
    assert failed
    assert_fault_answer(response)
    assert_no_cors(response)


def test_disconnect_fault_is_a_fedcm_error_with_cors(
    client: Client, fedcm_returning: Any, fedcm_rp: RelyingParty
) -> None:
    form = {"client_id": "rp-client", "account_hint": str(fedcm_returning.pk)}
    with failing_queries(GRANT_TABLE, OperationalError("connection lost")):
        response = fedcm_post(client, "disconnect", form)
    assert_fault_answer(response)
    assert_cors(response)
    assert Grant.objects.filter(user=fedcm_returning, relying_party=fedcm_rp).exists()
    assert fedcm_post(client, "disconnect", form).json() == {"account_id": str(fedcm_returning.pk)}


def test_accounts_fault_is_a_fedcm_error_not_a_sign_out(
    client: Client, fedcm_signed_in: Any
) -> None:
    """503, not the 401 that tells the browser the user signed out."""
    headers = {"HTTP_SEC_FETCH_DEST": "webidentity", "secure": True, "HTTP_HOST": IDP_HOST}
    with failing_queries(SESSION_TABLE, OperationalError("connection lost")):
        response = client.get(reverse("django_fedcm:accounts"), **headers)
    assert_fault_answer(response)
    assert client.get(reverse("django_fedcm:accounts"), **headers).status_code == 200


def test_client_metadata_fault_is_a_fedcm_error(client: Client, fedcm_rp: RelyingParty) -> None:
    url = reverse("django_fedcm:client_metadata") + "?client_id=rp-client"
    headers = {"HTTP_ORIGIN": RP_ORIGIN, "secure": True, "HTTP_HOST": IDP_HOST}
    with failing_queries(CLIENT_TABLE, OperationalError("connection lost")):
        response = client.get(url, **headers)
    assert_fault_answer(response)
    assert client.get(url, **headers).status_code == 200


def test_cors_receiver_does_not_approve_when_the_lookup_fails(
    caplog: pytest.LogCaptureFixture,
) -> None:
    request = RequestFactory().post(
        reverse("django_fedcm:id_assertion"),
        "client_id=rp-client",
        content_type="application/x-www-form-urlencoded",
        HTTP_ORIGIN=RP_ORIGIN,
    )
    failure = OperationalError("connection lost")
    with mock.patch.object(cors, "relying_party_for_request", side_effect=failure):
        assert cors.allow_registered_origin(sender=None, request=request) is False
    assert "client lookup failed" in caplog.text


# --------------------------------------------------------------------------- PostgreSQL


def terminate_backend(pid: int) -> None:
    """``pg_terminate_backend`` from a second connection, then wait until the
    backend is gone, so the victim's next statement meets a closed socket."""
    killer = connections.create_connection(DEFAULT_DB_ALIAS)
    try:
        with killer.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                cursor.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid])
                if cursor.fetchone() is None:
                    return
                time.sleep(0.02)
        raise AssertionError(f"backend {pid} still alive")
    finally:
        killer.close()


@contextmanager
def killed_before(table: str) -> Iterator[list[str]]:
    """Terminate the app's connection just before its first query on ``table``."""
    killed: list[str] = []

    def wrapper(execute: Callable[..., Any], sql: str, *args: Any) -> Any:
        if not killed and table in sql:
            killed.append(sql)
            terminate_backend(connection.connection.info.backend_pid)
        return execute(sql, *args)

    with connection.execute_wrapper(wrapper):
        yield killed


def serve(request: Any) -> tuple[int, dict[str, str], bytes]:
    """Run a RequestFactory request through ``WSGIHandler`` as a WSGI server
    would: ``request_started``/``request_finished`` fire, and with them
    Django's ``close_old_connections`` (the test client disconnects it).
    Header names come back in lower case."""
    started: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]], *exc: Any) -> None:
        started.update(status=int(status.split()[0]), headers={k.lower(): v for k, v in headers})

    result = WSGIHandler()(request.environ, start_response)
    try:
        body = b"".join(result)
    finally:
        result.close()  # type: ignore[attr-defined]
    return started["status"], started["headers"], body


@pytest.fixture
def browser(client: Client, fedcm_asserting_user: Any) -> RequestFactory:
    """A request factory carrying the signed-in user's session cookie."""
    factory = RequestFactory(HTTP_HOST=IDP_HOST)
    factory.cookies = client.cookies
    return factory


def assertion_request(browser: RequestFactory, user: Any) -> Any:
    return browser.post(
        reverse("django_fedcm:id_assertion"),
        urlencode(assertion_form(user)),
        content_type="application/x-www-form-urlencoded",
        secure=True,
        HTTP_ORIGIN=RP_ORIGIN,
        **BROWSER_HEADERS,
    )


@pytest.mark.postgres
@pytest.mark.parametrize("conn_max_age", [0, 60], ids=["per-request", "persistent"])
@pytest.mark.parametrize(
    ("table", "cors_earned"),
    [(SESSION_TABLE, True), (CLIENT_TABLE, False)],
    ids=["after-client-check", "at-client-lookup"],
)
def test_postgres_connection_killed_mid_assertion(
    browser: RequestFactory,
    fedcm_asserting_user: Any,
    monkeypatch: pytest.MonkeyPatch,
    conn_max_age: int,
    table: str,
    cors_earned: bool,
) -> None:
    monkeypatch.setitem(connection.settings_dict, "CONN_MAX_AGE", conn_max_age)
    with killed_before(table) as killed:
        status, headers, body = serve(assertion_request(browser, fedcm_asserting_user))
    assert killed
    assert status == 503
    assert headers["content-type"] == "application/json"
    assert json.loads(body)["error"]["error"] == "temporarily_unavailable"
    assert headers.get("access-control-allow-origin") == (RP_ORIGIN if cors_earned else None)

    status, headers, body = serve(assertion_request(browser, fedcm_asserting_user))
    assert status == 200, body
    assert "token" in json.loads(body)
    assert headers["access-control-allow-origin"] == RP_ORIGIN


@pytest.mark.postgres
def test_postgres_connection_killed_mid_accounts(
    browser: RequestFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(connection.settings_dict, "CONN_MAX_AGE", 60)
    url = reverse("django_fedcm:accounts")
    headers = {"HTTP_SEC_FETCH_DEST": "webidentity", "secure": True}
    with killed_before(SESSION_TABLE) as killed:
        status, _, body = serve(browser.get(url, **headers))
    assert killed
    assert (status, json.loads(body)["error"]["error"]) == (503, "temporarily_unavailable")
    status, _, body = serve(browser.get(url, **headers))
    assert status == 200 and json.loads(body)["accounts"]
