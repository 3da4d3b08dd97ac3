"""Fixtures for the real-browser FedCM scenarios (docs/testing-with-a-browser.md).

* ``e2e_sites``: the live server as two sites, IdP ``http://localhost:PORT``
  and RP ``http://127.0.0.1:PORT`` (ROOT_URLCONF and FEDCM_ISSUER overridden);
* ``e2e_rp``: the RP's registration (client ``e2e-rp``, origin = the RP site);
* ``e2e_users``: alice and bob with different login/domain hints;
* ``browser``: a fresh headless Chromium (:class:`tests.e2e.harness.Browser`);
* ``rp_page``: ``rp_page(mode="active", loginHint=…)`` opens the RP page;
* ``verify_token``: checks a token with :class:`django_fedcm.rp.IdTokenVerifier`
  against the live server's JWKS;
* ``request_log``: paths the live server was asked for, in order.

Missing Chromium/chromedriver: a failure on CI (``CI=true``, or 1/yes/on), a
skip with a loud reason elsewhere.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.core.servers.basehttp import ThreadedWSGIServer
from django.core.signals import request_started
from django.db import connection
from django.test.testcases import LiveServerThread

from django_fedcm.models import RelyingParty
from django_fedcm.rp import IdTokenVerifier
from tests.e2e import harness
from tests.e2e.views import CLIENT_ID
from tests.machine import on_ci

PASSWORDS = {"alice": "alice-e2e-pw", "bob": "bob-e2e-pw"}


class _OneRequestAtATime:
    """The live server's WSGI application, one request at a time.

    On SQLite the test database is in memory, and the live server shares its
    one connection with every request thread; two queries at once on it fail
    ("bad parameter or other API misuse", seen on Python 3.13 under load).
    Attribute access goes to the wrapped handler (tests reload its middleware).

    Test RP backends that call back into the live server while answering
    (:data:`UNSERIALIZED_PREFIXES`) run outside the lock, or the call back
    would wait for them forever; they touch the database only before or after
    it, while the request they made holds the lock.
    """

    UNSERIALIZED_PREFIXES = ("/renewal-rp/",)

    def __init__(self, application: Any) -> None:
        self.application = application
        self.lock = threading.Lock()

    def __call__(self, environ: Any, start_response: Any) -> Any:
        if str(environ.get("PATH_INFO", "")).startswith(self.UNSERIALIZED_PREFIXES):
            return self.application(environ, start_response)
        with self.lock:
            return self.application(environ, start_response)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.application, name)


class _LiveServer(ThreadedWSGIServer):
    def set_app(self, application: Any) -> None:
        if connection.vendor == "sqlite" and connection.is_in_memory_db():
            application = _OneRequestAtATime(application)
        super().set_app(application)


LiveServerThread.server_class = _LiveServer


SKIP_BANNER = "real-browser FedCM tests SKIPPED"


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Repeat the skip reason at the very end, where nobody can miss it."""
    skipped = terminalreporter.stats.get("skipped", [])
    if any(SKIP_BANNER in str(getattr(report, "longrepr", "")) for report in skipped):
        terminalreporter.write_sep(
            "!", f"{SKIP_BANNER}: {harness.missing_browser()}", red=True, bold=True
        )


@pytest.fixture(scope="session")
def e2e_browser_available() -> None:
    reason = harness.missing_browser()
    if reason is None:
        return
    if on_ci():
        pytest.fail(f"E2E BROWSER MISSING ON CI: {reason}", pytrace=False)
    pytest.skip(
        f"!!! {SKIP_BANNER}: {reason}. They run on CI, where a missing browser is a failure."
    )


@pytest.fixture
def e2e_sites(
    e2e_browser_available: None,
    live_server: Any,
    transactional_db: None,
    settings: Any,
) -> harness.Sites:
    parts = urlsplit(live_server.url)
    assert parts.hostname == "localhost", live_server.url
    sites = harness.Sites(idp=f"http://localhost:{parts.port}", rp=f"http://127.0.0.1:{parts.port}")
    settings.ROOT_URLCONF = "tests.e2e.urls"
    settings.FEDCM_ISSUER = sites.idp
    settings.DEBUG = False
    return sites


@pytest.fixture
def e2e_rp(
    e2e_sites: harness.Sites,
    fedcm_make_rp: Callable[..., RelyingParty],
    fedcm_signing_key: Any,
) -> RelyingParty:
    """The RP registration (plus the active signing key every sign-in needs)."""
    return fedcm_make_rp(
        client_id=CLIENT_ID,
        origins=e2e_sites.rp,
        name="E2E relying party",
        terms_of_service_url=f"{e2e_sites.rp}/terms",
        privacy_policy_url=f"{e2e_sites.rp}/privacy",
    )


@pytest.fixture
def e2e_users(fedcm_make_user: Callable[..., Any], e2e_sites: harness.Sites) -> dict[str, Any]:
    return {
        "alice": fedcm_make_user(
            "alice",
            email="alice@example.com",
            password=PASSWORDS["alice"],
            login_hints=["alice@example.com", "alice"],
            domain_hints=["example.com"],
        ),
        "bob": fedcm_make_user(
            "bob",
            email="bob@example.org",
            password=PASSWORDS["bob"],
            login_hints=["bob@example.org", "bob"],
            domain_hints=["example.org"],
        ),
    }


@pytest.fixture
def browser(e2e_sites: harness.Sites) -> Iterator[harness.Browser]:
    with harness.launch() as driver:
        yield harness.Browser(driver, e2e_sites)


@pytest.fixture
def rp_page(browser: harness.Browser, e2e_rp: RelyingParty) -> Callable[..., harness.Browser]:
    """``rp_page(**options)`` opens the RP page (see ``Browser.open_rp``)."""

    def open_page(**params: str) -> harness.Browser:
        browser.open_rp(**params)
        return browser

    return open_page


@pytest.fixture
def signed_in(browser: harness.Browser, e2e_users: dict[str, Any]) -> Callable[[str], Any]:
    """``signed_in("alice")`` signs the browser in to the IdP and returns the user."""

    def sign_in(username: str) -> Any:
        browser.idp_login(username, PASSWORDS[username])
        return e2e_users[username]

    return sign_in


@pytest.fixture
def verify_token(e2e_sites: harness.Sites) -> Callable[..., dict[str, Any]]:
    """Verify like an RP backend: JWKS from the live server, iss, aud, exp, nonce."""
    verifier = IdTokenVerifier(issuer=e2e_sites.idp, client_id=CLIENT_ID)

    def verify(token: str, nonce: str = "n-e2e") -> dict[str, Any]:
        return verifier.verify(token, nonce=nonce)

    return verify


@pytest.fixture
def request_log(e2e_sites: harness.Sites) -> Iterator[list[str]]:
    """Paths the live server received during the test (``request_started``)."""
    paths: list[str] = []
    lock = threading.Lock()

    def record(sender: Any, environ: dict[str, Any] | None = None, **kwargs: Any) -> None:
        if environ is not None:
            with lock:
                paths.append(str(environ.get("PATH_INFO", "")))

    request_started.connect(record, weak=False)
    yield paths
    request_started.disconnect(record)
