"""views/login.py: the ``login_url`` popup
(https://w3c-fedid.github.io/FedCM/#show-an-idp-login-dialog)."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

import django_fedcm
from django_fedcm.models import AuditEvent
from tests import fake_clock
from tests.fake_clock import Clock

pytestmark = pytest.mark.django_db

URL = "/fedcm/login"
ALICE_PASSWORD = "pw-alice-123"  # tests/conftest.py fedcm_make_user default
IDP = {"secure": True, "HTTP_HOST": "idp.test"}
LOGIN_JS = Path(django_fedcm.__file__).parent / "static" / "django_fedcm" / "login.js"


def script_code() -> str:
    """login.js without its comments."""
    lines = LOGIN_JS.read_text().splitlines()
    return "\n".join(line for line in lines if not line.strip().startswith("//"))


def post_login(
    client: Client, username: str = "alice", password: str = ALICE_PASSWORD, **extra: str
) -> Any:
    headers = {key: extra.pop(key) for key in list(extra) if key.startswith("HTTP_")}
    data = {"username": username, "password": password, **extra}
    return client.post(URL, data, **IDP, **headers)


def closes_popup(response: Any) -> bool:
    """The page shape login.js acts on: status element + the script."""
    html = response.content.decode()
    return 'id="fedcm-login-status" data-status="logged-in"' in html and "login.js" in html


@pytest.mark.checklist(48)
def test_login_page_is_a_csrf_protected_form_usable_without_opener(client: Client) -> None:
    response = client.get(URL, **IDP)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="csrfmiddlewaretoken"' in html
    assert 'name="username"' in html and 'name="password"' in html
    assert "opener" not in html and "opener" not in script_code()
    assert re.search(r'<input type="text" name="username"[^>]*autofocus', html)
    assert "Set-Login" not in response


def test_login_page_names_the_idp(client: Client, settings: Any) -> None:
    # The popup has no trusted address bar: the page says whose sign-in it is.
    assert "with your idp.test account" in client.get(URL, **IDP).content.decode()
    settings.FEDCM_BRANDING = {"name": "Example ID"}
    assert "with your Example ID account" in client.get(URL, **IDP).content.decode()


@pytest.mark.checklist(48)
def test_login_page_prefills_login_hint_and_shows_domain_hint(client: Client) -> None:
    response = client.get(URL, {"login_hint": "alice", "domain_hint": "corp.example"}, **IDP)
    html = response.content.decode()
    assert 'value="alice"' in html
    assert "corp.example" in html
    # The cursor goes to the password field once the username is prefilled.
    assert re.search(r'<input type="password"[^>]*autofocus', html)
    assert not re.search(r'<input type="text" name="username"[^>]*autofocus', html)


@pytest.mark.checklist(48)
def test_login_page_escapes_and_caps_hints(client: Client) -> None:
    hint = '"><script>alert(1)</script>' + "x" * 400
    html = client.get(URL, {"login_hint": hint, "domain_hint": hint}, **IDP).content.decode()
    assert "<script>alert(1)" not in html
    assert "x" * 300 not in html


@pytest.mark.checklist(49, 51)
def test_successful_login_redirect_carries_set_login_logged_in(
    client: Client, fedcm_user: Any
) -> None:
    response = post_login(client)
    assert response.status_code == 302
    assert response["Set-Login"] == "logged-in"
    assert response["Location"] == URL
    assert client.session["_auth_user_id"] == str(fedcm_user.pk)


@pytest.mark.checklist(49)
def test_after_login_the_page_sets_status_and_closes(client: Client, fedcm_user: Any) -> None:
    response = post_login(client, login_hint="ignored")
    landing = client.get(response["Location"], **IDP)
    assert landing.status_code == 200
    assert landing["Set-Login"] == "logged-in"
    assert closes_popup(landing)


@pytest.mark.checklist(49, 54)
def test_login_js_sets_status_then_calls_identity_provider_close() -> None:
    script = script_code()
    assert 'navigator.login.setStatus("logged-in")' in script
    assert "window.IdentityProvider.close()" in script
    # close() runs once setStatus() settled: it only counts while logged-in.
    assert script.index("setStatus(") < script.index("ready.then(close")


@pytest.mark.checklist(50)
def test_already_signed_in_still_sets_status_and_closes(
    client: Client, fedcm_signed_in: Any, settings: Any
) -> None:
    settings.FEDCM_LOGIN_STATUS_REASSERT = False  # the view itself sets it
    response = client.get(URL, **IDP)
    assert response.status_code == 200
    assert response["Set-Login"] == "logged-in"
    assert closes_popup(response)
    assert "csrfmiddlewaretoken" not in response.content.decode()


@pytest.mark.checklist(50)
@pytest.mark.parametrize(
    "query",
    [
        {"login_hint": "alice"},
        {"login_hint": "alice@example.com"},
        {"login_hint": "alice@corp.example"},
        {"domain_hint": "corp.example"},
        {"domain_hint": "any"},
    ],
)
def test_already_signed_in_matching_the_hints_closes(
    client: Client, fedcm_make_user: Callable[..., Any], query: dict[str, str]
) -> None:
    user = fedcm_make_user(login_hints=["alice@corp.example"], domain_hints=["corp.example"])
    client.force_login(user)
    assert closes_popup(client.get(URL, query, **IDP))


@pytest.mark.checklist(48)
@pytest.mark.parametrize(
    "query", [{"login_hint": "bob"}, {"domain_hint": "other.example"}, {"domain_hint": "any"}]
)
def test_signed_in_with_another_account_than_hinted_shows_the_form(
    client: Client, fedcm_signed_in: Any, query: dict[str, str]
) -> None:
    response = client.get(URL, query, **IDP)
    html = response.content.decode()
    assert not closes_popup(response)
    assert 'name="password"' in html
    assert "You are signed in as alice" in html
    # Chromium would fetch the accounts again on logged-in and offer alice.
    assert "Set-Login" not in response


@pytest.mark.checklist(48, 49)
def test_switching_account_from_the_form_signs_in_the_other_user(
    client: Client, fedcm_signed_in: Any, fedcm_make_user: Callable[..., Any]
) -> None:
    bob = fedcm_make_user("bob", password="pw-bob-123")
    response = post_login(client, "bob", "pw-bob-123")
    assert response["Set-Login"] == "logged-in"
    assert client.session["_auth_user_id"] == str(bob.pk)


@pytest.mark.checklist(51)
def test_failed_login_shows_errors_and_no_set_login(client: Client, fedcm_user: Any) -> None:
    response = post_login(client, password="wrong")
    assert response.status_code == 200
    assert "Set-Login" not in response
    assert 'role="alert"' in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_login_post_without_csrf_token_is_refused(fedcm_user: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    response = post_login(client)
    assert response.status_code == 403
    assert "Set-Login" not in response


def test_login_with_csrf_token_succeeds(fedcm_user: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    client.get(URL, **IDP)
    token = client.cookies["csrftoken"].value
    response = post_login(
        client, csrfmiddlewaretoken=token, HTTP_REFERER="https://idp.test/fedcm/login"
    )
    assert response.status_code == 302


@pytest.mark.parametrize(
    ("next_url", "expected"),
    [("/welcome/", "/welcome/"), ("https://evil.test/", URL), ("//evil.test/", URL)],
)
def test_login_redirects_only_to_a_safe_next(
    client: Client, fedcm_user: Any, next_url: str, expected: str
) -> None:
    assert post_login(client, next=next_url)["Location"] == expected


def test_login_page_is_not_cached_and_not_frameable(client: Client) -> None:
    response = client.get(URL, **IDP)
    assert "no-cache" in response["Cache-Control"]
    assert response["X-Frame-Options"] == "DENY"


def test_login_refuses_put(client: Client) -> None:
    assert client.put(URL, **IDP).status_code == 405


@pytest.mark.parametrize(("username", "password"), [("ali\x00ce", "x"), ("alice", "pw\x00")])
def test_login_with_nul_bytes_is_a_form_error_not_a_crash(
    client: Client, fedcm_user: Any, username: str, password: str
) -> None:
    response = post_login(client, username, password)
    assert response.status_code == 200
    assert "Set-Login" not in response


def test_login_hint_with_nul_byte_is_harmless(client: Client, fedcm_signed_in: Any) -> None:
    response = client.get(URL, {"login_hint": "al\x00ice"}, **IDP)
    assert response.status_code == 200


def test_login_page_is_not_frameable_without_the_clickjacking_middleware(
    client: Client, settings: Any
) -> None:
    # The sign-in form must not be framed (clickjacking) even in a project
    # that dropped XFrameOptionsMiddleware: the view says DENY itself.
    settings.MIDDLEWARE = [
        m
        for m in settings.MIDDLEWARE
        if m != "django.middleware.clickjacking.XFrameOptionsMiddleware"
    ]
    assert client.get(URL, **IDP)["X-Frame-Options"] == "DENY"


@pytest.mark.checklist(55)
def test_no_deprecated_signin_status_api_is_used(client: Client, fedcm_user: Any) -> None:
    """IdP-SignIn-Status headers and IdentityProvider.login()/logout() were the
    Chrome 116-119 origin trial; only Set-Login and setStatus() are used."""
    login = post_login(client, login_hint="ignored")
    landing = client.get(login["Location"], **IDP)
    for response in (login, landing):
        assert "IdP-SignIn-Status" not in response
        assert "Set-Login" in response
    script = script_code()
    assert "IdentityProvider.login(" not in script
    assert "IdentityProvider.logout(" not in script


# ------------------------------------------------------------------ brute-force protection
# docs/security.md#brute-force-protection; the limits are the defaults
# (10 failures per account, 30 per address, 900 s window and lockout).

ATTACKER = {"REMOTE_ADDR": "203.0.113.66"}
ELSEWHERE = {"REMOTE_ADDR": "198.51.100.20"}
RETRY = "Too many failed sign-in attempts. Try again in 15 minutes."


@pytest.fixture
def fedcm_clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return fake_clock.install(monkeypatch)


def post_from(
    address: dict[str, str], username: str = "alice", password: str = ALICE_PASSWORD
) -> Any:
    return Client().post(URL, {"username": username, "password": password}, **IDP, **address)


def assert_throttled(response: Any) -> None:
    assert response.status_code == 429
    assert response["Retry-After"] == "900"
    html = response.content.decode()
    assert RETRY in html and 'role="alert"' in html
    assert 'name="password"' in html  # the form is still there to retry later
    assert "Set-Login" not in response


def test_fifteen_wrong_passwords_then_the_right_one_is_refused_with_when_to_retry(
    fedcm_clock: Clock, client: Client, fedcm_user: Any
) -> None:
    for _ in range(15):
        response = post_login(client, password="wrong", **ATTACKER)
        assert response.status_code in (200, 429)
    response = post_login(client, **ATTACKER)
    assert_throttled(response)
    assert "_auth_user_id" not in client.session


def test_the_tenth_failure_locks_and_the_right_password_from_elsewhere_is_refused(
    fedcm_clock: Clock, fedcm_user: Any
) -> None:
    for _ in range(9):
        assert post_from(ATTACKER, password="wrong").status_code == 200
    assert post_from(ATTACKER).status_code == 302  # still below the limit
    for _ in range(10):
        post_from(ATTACKER, password="wrong")
    assert_throttled(post_from(ELSEWHERE))


def test_an_account_lockout_leaves_other_accounts_at_that_address_alone(
    fedcm_clock: Clock, fedcm_user: Any, fedcm_make_user: Callable[..., Any]
) -> None:
    fedcm_make_user("bob", password="pw-bob-123")
    for _ in range(10):
        post_from(ATTACKER, password="wrong")
    assert_throttled(post_from(ATTACKER))
    assert post_from(ATTACKER, "bob", "pw-bob-123").status_code == 302


def test_an_address_lockout_leaves_that_account_alone_from_other_addresses(
    fedcm_clock: Clock, fedcm_user: Any
) -> None:
    for n in range(30):  # credential stuffing: one guess at each of 30 names
        post_from(ATTACKER, f"user{n}", "guess")
    assert_throttled(post_from(ATTACKER))
    assert post_from(ELSEWHERE).status_code == 302


def test_the_lockout_expires(fedcm_clock: Clock, fedcm_user: Any) -> None:
    for _ in range(10):
        post_from(ATTACKER, password="wrong")
    fedcm_clock.advance(899)
    response = post_from(ATTACKER)
    assert response.status_code == 429 and response["Retry-After"] == "1"
    assert "Try again in 1 minute." in response.content.decode()
    fedcm_clock.advance(1)
    assert post_from(ATTACKER).status_code == 302


def test_a_short_lockout_setting_is_honoured(
    fedcm_clock: Clock, fedcm_user: Any, settings: Any
) -> None:
    settings.FEDCM_THROTTLE_LOCKOUT = 30
    for _ in range(10):
        post_from(ATTACKER, password="wrong")
    assert post_from(ATTACKER)["Retry-After"] == "30"
    fedcm_clock.advance(30)
    assert post_from(ATTACKER).status_code == 302


def test_a_successful_sign_in_resets_no_counter(fedcm_clock: Clock, fedcm_user: Any) -> None:
    # Documented choice: counters only expire, so neither the victim's own
    # sign-ins nor an attacker's sign-ins to an account of their own refill
    # a budget.
    for _ in range(9):
        post_from(ATTACKER, password="wrong")
    assert post_from(ELSEWHERE).status_code == 302
    assert post_from(ATTACKER).status_code == 302
    post_from(ATTACKER, password="wrong")
    assert_throttled(post_from(ELSEWHERE))


def test_a_lockout_is_audited_once(fedcm_clock: Clock, fedcm_user: Any) -> None:
    for _ in range(15):
        post_from(ATTACKER, password="wrong")
    (event,) = AuditEvent.objects.filter(action="sign_in.locked_out")
    assert event.changes == {
        "scope": "account",
        "account": "alice",
        "failures": 10,
        "locked_seconds": 900,
    }


def test_the_throttle_can_be_turned_off(fedcm_clock: Clock, fedcm_user: Any, settings: Any) -> None:
    settings.FEDCM_THROTTLE_ACCOUNT_FAILURES = None
    settings.FEDCM_THROTTLE_ADDRESS_FAILURES = None
    for _ in range(40):
        post_from(ATTACKER, password="wrong")
    assert post_from(ATTACKER).status_code == 302


def test_behind_a_proxy_the_named_header_is_the_address(
    fedcm_clock: Clock, fedcm_user: Any, settings: Any
) -> None:
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    settings.FEDCM_THROTTLE_CLIENT_IP_HEADER = "X-Forwarded-For"
    for n in range(30):
        post_from({**proxy, "HTTP_X_FORWARDED_FOR": "203.0.113.66"}, f"user{n}", "guess")
    # Another client behind the same proxy is not locked out...
    assert post_from({**proxy, "HTTP_X_FORWARDED_FOR": "198.51.100.20"}).status_code == 302
    # ...and the attacker cannot pick a new address by prepending one.
    spoofed = {**proxy, "HTTP_X_FORWARDED_FOR": "192.0.2.1, 203.0.113.66"}
    assert_throttled(post_from(spoofed))
