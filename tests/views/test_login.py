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
