"""The sign-in popup in the browser's language (docs/customization.md#languages).

Chromium runs in German (``--lang=de``, ``--accept-lang=de``; no FedCM flag is
needed): the popup it opens on ``login_url`` sends ``Accept-Language: de``, and
with ``LocaleMiddleware`` in the project the page and the form's errors are in
German; the sign-in then completes as usual.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core.handlers.wsgi import WSGIHandler
from selenium.webdriver.common.by import By

from tests.e2e import harness
from tests.e2e.conftest import PASSWORDS
from tests.e2e.harness import ACCOUNT_CHOOSER, Browser

pytestmark = pytest.mark.e2e

GERMAN = ("--lang=de", "--accept-lang=de")


def _reload_middleware(live_server: Any) -> None:
    # The live server is shared by the session and built its middleware chain
    # at start: a MIDDLEWARE change reaches it only through a reload.
    handler = live_server.thread.httpd.get_app()
    while type(handler) is not WSGIHandler:
        handler = handler.application
    handler.load_middleware()


@pytest.fixture
def browser(e2e_sites: harness.Sites, live_server: Any, settings: Any) -> Iterator[Browser]:
    """A German Chromium, and a project with LocaleMiddleware (docs/customization.md)."""
    original = list(settings.MIDDLEWARE)
    middleware = list(original)
    middleware.insert(
        middleware.index("django.contrib.sessions.middleware.SessionMiddleware") + 1,
        "django.middleware.locale.LocaleMiddleware",
    )
    settings.MIDDLEWARE = middleware
    _reload_middleware(live_server)
    try:
        with harness.launch(GERMAN) as driver:
            yield Browser(driver, e2e_sites)
    finally:
        settings.MIDDLEWARE = original
        _reload_middleware(live_server)


def test_the_login_popup_speaks_the_browsers_language(
    e2e_users: dict[str, Any],
    rp_page: Callable[..., Browser],
    verify_token: Callable[..., dict[str, Any]],
) -> None:
    page = rp_page(mode="active", nonce="n-de")
    page.press("sign-in")  # no IdP session: the browser opens login_url
    page.wait_for_popup()
    assert "/fedcm/login" in page.driver.current_url
    page.wait(lambda: page.driver.find_elements(By.NAME, "password"), what="the login form")

    html = page.driver.find_element(By.TAG_NAME, "html")
    assert html.get_attribute("lang") == "de"
    assert page.driver.title == "Anmelden"
    assert page.driver.find_element(By.TAG_NAME, "h1").text == "Anmelden"
    assert "mit Ihrem Konto bei localhost" in page.driver.page_source
    assert page.driver.find_element(By.CSS_SELECTOR, "form [type=submit]").text == "Anmelden"
    assert page.driver.find_element(By.CSS_SELECTOR, "label[for=id_password]").text == "Passwort"

    page.fill_login_form("bob", "not-the-password")
    page.wait(
        lambda: page.driver.find_elements(By.CSS_SELECTOR, ".fedcm-errors"),
        what="the form error",
    )
    errors = page.driver.find_element(By.CSS_SELECTOR, ".fedcm-errors").text
    assert "Bitte Benutzername und Passwort eingeben" in errors, errors  # Django's catalog

    page.fill_login_form("bob", PASSWORDS["bob"])
    page.wait_popup_closed()
    page.wait_for_dialog(ACCOUNT_CHOOSER)
    page.select_account(0)
    result = page.result()
    assert result["status"] == "ok", result
    assert verify_token(result["token"], nonce="n-de")["sub"] == str(e2e_users["bob"].pk)
