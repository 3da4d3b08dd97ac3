"""Every product URL answers ``503`` + ``Retry-After`` when the database
connection fails, in the form its caller reads (docs/security.md, "Database
faults"; :mod:`django_fedcm.views.outage`), and works again once it is back.

The FedCM JSON endpoints' own answers (and the PostgreSQL connection kills) are
in tests/test_db_faults.py; here every query of the request raises, as when
the database server is gone.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.db import InterfaceError, OperationalError, ProgrammingError, connection
from django.test import Client, RequestFactory
from django.utils import translation

from django_fedcm.models import ContinuationRequest, RelyingParty
from django_fedcm.services import continuations
from django_fedcm.views.outage import RETRY_AFTER_SECONDS
from tests.views.fedcm_http import BROWSER_HEADERS, RP_ORIGIN

pytestmark = pytest.mark.django_db(transaction=True)

TITLE = "Sign-in is temporarily unavailable"


@contextmanager
def database_down(error: Exception) -> Iterator[list[str]]:
    """Every query raises ``error``; yields the statements that were tried."""
    tried: list[str] = []

    def refuse(execute: Callable[..., Any], sql: str, *args: Any) -> Any:
        tried.append(sql)
        raise error

    with connection.execute_wrapper(refuse):
        yield tried


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    kind: str  # "json" or "page"
    signed_in: bool = False
    data: dict[str, str] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)

    def send(self, client: Client) -> Any:
        send = client.post if self.method == "POST" else client.get
        return send(self.path, self.data, **self.headers)


CONTINUATION = "/fedcm/continue/{reference}"

ROUTES = [
    # Documents the RP's backend fetches (cold key cache: the key set is read).
    Route("GET", "/fedcm/jwks.json", "json"),
    Route("GET", "/.well-known/openid-configuration", "json"),
    Route("GET", "/o/.well-known/jwks.json", "json"),
    Route("GET", "/o/.well-known/openid-configuration", "json"),
    Route("GET", "/o/.well-known/oauth-authorization-server", "json"),
    Route("GET", "/fedcm/picture/1", "json"),
    # The OAuth door's JSON endpoints.
    Route("POST", "/o/token/", "json", data={"grant_type": "authorization_code", "code": "c"}),
    Route("POST", "/o/introspect/", "json", data={"token": "t"}),
    Route("POST", "/o/revoke_token/", "json", data={"token": "t", "client_id": "rp-client"}),
    Route("GET", "/o/userinfo/", "json", headers={"HTTP_AUTHORIZATION": "Bearer some-token"}),
    # A FedCM endpoint: its own answer, with Retry-After too.
    Route("GET", "/fedcm/accounts", "fedcm", signed_in=True, headers=BROWSER_HEADERS),
    # Pages a person sees.
    Route("GET", "/fedcm/login", "page", signed_in=True),
    Route("POST", "/fedcm/login", "page", data={"username": "alice", "password": "pw"}),
    Route("POST", "/fedcm/logout", "page", signed_in=True),
    Route("GET", CONTINUATION, "page", signed_in=True),
    Route("GET", "/fedcm/connected-apps", "page", signed_in=True),
    Route("GET", "/fedcm/user_info?client_id=rp-client", "page"),
    Route("GET", "/fedcm/register", "page", signed_in=True),
    Route("GET", "/o/authorize/?client_id=rp-client&response_type=code", "page", signed_in=True),
]


@pytest.fixture
def prepared(
    client: Client, fedcm_rp: RelyingParty, fedcm_signing_key: Any, fedcm_user: Any, settings: Any
) -> Callable[[Route], Route]:
    settings.FEDCM_IDP_REGISTRATION_ENABLED = True

    def prepare(route: Route) -> Route:
        if route.signed_in:
            client.force_login(fedcm_user)
        if route.path == CONTINUATION:
            url = continuations.create(
                RequestFactory().get("/"),
                user=fedcm_user,
                relying_party=fedcm_rp,
                origin=RP_ORIGIN,
                account_id=str(fedcm_user.pk),
                nonce="n",
                params={},
                fields={"name"},
            )
            assert ContinuationRequest.objects.count() == 1
            route = Route(route.method, urlsplit(url).path, route.kind, True)
        client.raise_request_exception = False
        return route

    return prepare


def assert_unavailable(response: Any, kind: str) -> None:
    assert response.status_code == 503
    assert response["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert "no-store" in response["Cache-Control"]
    if kind == "page":
        assert response["Content-Type"].startswith("text/html")
        assert TITLE in response.content.decode()
    else:
        assert response["Content-Type"] == "application/json"
        error = response.json()["error"]
        code = error["code"] if kind == "fedcm" else error
        assert code == "temporarily_unavailable"


@pytest.mark.parametrize("route", ROUTES, ids=lambda route: f"{route.method} {route.path}")
@pytest.mark.parametrize(
    "error",
    [OperationalError("server closed the connection"), InterfaceError("connection already closed")],
    ids=["operational", "interface"],
)
def test_every_route_answers_503_and_recovers(
    client: Client,
    prepared: Callable[[Route], Route],
    route: Route,
    error: Exception,
    caplog: pytest.LogCaptureFixture,
) -> None:
    route = prepared(route)
    with caplog.at_level(logging.ERROR), database_down(error) as tried:
        response = route.send(client)
    assert tried, "the route never reached the database: the test proves nothing"
    assert_unavailable(response, route.kind)
    assert any(record.exc_info and record.exc_info[1] is error for record in caplog.records)
    again = route.send(client)
    assert again.status_code < 500


def test_a_page_refused_by_the_database_stays_django_500(
    client: Client, prepared: Callable[[Route], Route]
) -> None:
    """A broken schema or query is a defect, not an outage: no ``Retry-After``
    that would tell clients to come back for the same failure."""
    route = prepared(Route("GET", "/fedcm/login", "page", signed_in=True))
    client.raise_request_exception = True
    with (
        database_down(ProgrammingError("relation does not exist")),
        pytest.raises(ProgrammingError),
    ):
        route.send(client)


def test_the_outage_page_is_in_the_users_language(
    client: Client, prepared: Callable[[Route], Route], settings: Any
) -> None:
    middleware = list(settings.MIDDLEWARE)
    middleware.insert(
        middleware.index("django.middleware.common.CommonMiddleware"),
        "django.middleware.locale.LocaleMiddleware",
    )
    settings.MIDDLEWARE = middleware
    route = prepared(Route("GET", "/fedcm/connected-apps", "page", signed_in=True))
    try:
        with database_down(OperationalError("gone")):
            response = client.get(route.path, HTTP_ACCEPT_LANGUAGE="de")
    finally:  # LocaleMiddleware leaves the request's language active in this thread
        translation.deactivate()
    assert response.status_code == 503
    assert TITLE not in response.content.decode()
    assert 'lang="de"' in response.content.decode()
