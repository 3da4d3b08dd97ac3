"""oauth/throttle.py: failed client authentication at the token endpoint is
throttled like sign-ins (docs/security.md#brute-force-protection)."""

from __future__ import annotations

import base64
import json
from typing import Any
from urllib.parse import quote_plus

import pytest
from django.test import Client
from oauth2_provider.models import Application
from oauthlib.common import Request

from django_fedcm.models import AuditEvent
from django_fedcm.oauth.throttle import attempted_client_id
from tests import fake_clock
from tests.fake_clock import Clock

pytestmark = pytest.mark.django_db

SECRET = "s3cret-for-the-backend"
ATTACKER = "203.0.113.66"


@pytest.fixture
def fedcm_clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return fake_clock.install(monkeypatch)


@pytest.fixture
def fedcm_confidential(db: None) -> Application:
    return Application.objects.create(
        client_id="backend-client",
        client_secret=SECRET,
        name="Confidential RP",
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris="https://rp.test/callback",
    )


def basic(client_id: str, secret: str) -> str:
    pair = f"{quote_plus(client_id)}:{quote_plus(secret)}"
    return "Basic " + base64.b64encode(pair.encode()).decode()


def token_request(secret: str, address: str = ATTACKER, client_id: str = "backend-client") -> Any:
    return Client().post(
        "/o/token/",
        {"grant_type": "authorization_code", "code": "no-such-code"},
        HTTP_AUTHORIZATION=basic(client_id, secret),
        REMOTE_ADDR=address,
    )


def test_a_right_secret_is_authenticated(fedcm_clock: Clock, fedcm_confidential: Any) -> None:
    response = token_request(SECRET)
    assert response.status_code == 400
    assert json.loads(response.content)["error"] == "invalid_grant"  # past client auth


def test_ten_wrong_secrets_lock_the_client_id_even_for_the_right_one(
    fedcm_clock: Clock, fedcm_confidential: Any
) -> None:
    for n in range(10):
        response = token_request("guess", address=f"198.51.100.{n}")
        assert response.status_code == 401
    response = token_request(SECRET, address="192.0.2.1")
    assert response.status_code == 429
    assert response["Retry-After"] == "900"
    assert json.loads(response.content)["error"] == "temporarily_unavailable"
    (event,) = AuditEvent.objects.filter(action="oauth_client.locked_out")
    assert event.changes["account"] == "backend-client"
    fedcm_clock.advance(900)
    assert token_request(SECRET).status_code == 400


@pytest.mark.parametrize("path", ["/o/introspect/", "/o/revoke_token/"])
def test_a_locked_client_id_gets_429_at_the_other_client_endpoints(
    fedcm_clock: Clock, fedcm_confidential: Any, path: str
) -> None:
    """Introspection authenticates the client outside oauthlib's endpoints;
    the lockout was a 500 there."""
    for n in range(10):
        token_request("guess", address=f"198.51.100.{n}")
    response = Client().post(
        path, {"token": "x"}, HTTP_AUTHORIZATION=basic("backend-client", SECRET)
    )
    assert response.status_code == 429
    assert response["Retry-After"] == "900"
    assert json.loads(response.content)["error"] == "temporarily_unavailable"


def test_guessing_many_client_ids_locks_the_address(
    fedcm_clock: Clock, fedcm_confidential: Any
) -> None:
    for n in range(30):
        assert token_request("guess", client_id=f"client-{n}").status_code == 401
    assert token_request(SECRET).status_code == 429
    assert token_request(SECRET, address="192.0.2.1").status_code == 400


def test_a_client_id_never_shares_a_counter_with_a_username(
    fedcm_clock: Clock, fedcm_confidential: Any
) -> None:
    for n in range(10):
        token_request("guess", address=f"198.51.100.{n}")
    login = Client().post(
        "/fedcm/login",
        {"username": "backend-client", "password": "x"},
        secure=True,
        HTTP_HOST="idp.test",
    )
    assert login.status_code == 200


def test_a_public_client_without_a_secret_is_not_counted(
    fedcm_clock: Clock, fedcm_rp: Any, settings: Any
) -> None:
    settings.FEDCM_THROTTLE_ADDRESS_FAILURES = 1
    for _ in range(3):
        response = Client().post(
            "/o/token/",
            {"grant_type": "authorization_code", "code": "x", "client_id": "rp-client"},
            REMOTE_ADDR=ATTACKER,
        )
        assert response.status_code == 400


def oauthlib_request(**headers: str) -> Request:
    return Request("https://idp.test/o/token/", http_method="POST", headers=headers)


@pytest.mark.parametrize(
    ("authorization", "expected"),
    [
        (basic("a b:c", "s"), "a b:c"),  # form-encoded per RFC 6749 section 2.3.1
        ("Basic !!!", None),
        ("Basic " + base64.b64encode(b"no-colon").decode(), None),
        ("Basic " + base64.b64encode(b"\xff:x").decode(), None),
        ("Bearer abc", None),
    ],
)
def test_attempted_client_id_reads_basic_auth(authorization: str, expected: str | None) -> None:
    assert attempted_client_id(oauthlib_request(HTTP_AUTHORIZATION=authorization)) == expected


def test_attempted_client_id_falls_back_to_the_form() -> None:
    request = oauthlib_request()
    request.client_id = "from-the-body"
    assert attempted_client_id(request) == "from-the-body"


def test_requests_without_a_secret_are_not_counted(
    fedcm_clock: Clock, fedcm_confidential: Any, settings: Any
) -> None:
    # A resource server introspecting with a bearer token, or a confidential
    # client that forgot its secret, guesses nothing.
    settings.FEDCM_THROTTLE_ADDRESS_FAILURES = 2
    settings.FEDCM_THROTTLE_ACCOUNT_FAILURES = 2
    for _ in range(3):
        introspect = Client().post(
            "/o/introspect/", {"token": "x"}, HTTP_AUTHORIZATION="Bearer junk", REMOTE_ADDR=ATTACKER
        )
        assert introspect.status_code == 403
        no_secret = Client().post(
            "/o/token/",
            {"grant_type": "authorization_code", "code": "x", "client_id": "backend-client"},
            REMOTE_ADDR=ATTACKER,
        )
        assert no_secret.status_code == 401
    assert token_request(SECRET).status_code == 400
