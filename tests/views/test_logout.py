"""``/fedcm/logout``: POST-only, CSRF-protected sign-out that tells the browser
``Set-Login: logged-out``."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db

URL = "/fedcm/logout"
LOGIN = "/fedcm/login"


#: A CSRF secret, as the cookie holds it (Django accepts it unmasked in the form too).
CSRF = "csrfsecret0123456789abcdefABCDEF"


@pytest.fixture
def signed_in(fedcm_user: Any) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(fedcm_user)
    client.cookies["csrftoken"] = CSRF
    return client


def post(client: Client, **data: str) -> Any:
    return client.post(URL, {"csrfmiddlewaretoken": CSRF, **data})


def test_logout_url_name() -> None:
    assert reverse("django_fedcm:logout") == URL


def test_logout_signs_out_and_sends_logged_out(signed_in: Client) -> None:
    response = post(signed_in)
    assert response.status_code == 302
    assert response["Location"] == LOGIN
    assert response["Set-Login"] == "logged-out"
    assert "_auth_user_id" not in signed_in.session


def test_logout_needs_the_csrf_token(signed_in: Client) -> None:
    response = signed_in.post(URL)
    assert response.status_code == 403
    assert "_auth_user_id" in signed_in.session


def test_logout_by_get_is_refused(signed_in: Client) -> None:
    assert signed_in.get(URL).status_code == 405
    assert "_auth_user_id" in signed_in.session


@pytest.mark.parametrize(
    ("next_url", "landing"),
    [
        ("/fedcm/connected-apps", "/fedcm/connected-apps"),
        ("https://evil.test/", LOGIN),  # another site: ignored
        (URL, LOGIN),  # never the logout URL itself (Django would render a template)
    ],
)
def test_logout_follows_a_same_site_next(signed_in: Client, next_url: str, landing: str) -> None:
    response = post(signed_in, next=next_url)
    assert response.status_code == 302
    assert response["Location"] == landing


def test_logout_redirect_url_setting_is_honoured(signed_in: Client, settings: Any) -> None:
    settings.LOGOUT_REDIRECT_URL = "/fedcm/connected-apps"
    assert post(signed_in)["Location"] == "/fedcm/connected-apps"


def test_logout_when_signed_out_still_answers(client: Client) -> None:
    response = client.post(URL)
    assert response.status_code == 302
    assert response["Location"] == LOGIN
