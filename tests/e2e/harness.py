"""Real-browser harness: headless Debian Chromium driven by chromedriver.

The pitfalls numbered below are those of docs/testing-with-a-browser.md
("Pitfalls the harness handles"):

* a fresh ``--user-data-dir`` per browser, so no login status, connection or
  cooldown leaks between scenarios (pitfall 7);
* ``fedcm.disable_delay()`` as the very first FedCM command of the session:
  ChromeDriver enables the FedCM CDP domain lazily, and Chromium 156 crashes
  when that first command lands in the middle of a flow (pitfall 2); it also
  removes the 3 s "Verifying…" hold and the random rejection delay (pitfall 1);
* active mode is started with a 100 ms press, not ``WebElement.click()``
  (pitfall 3: the browser process sometimes has not seen the activation);
* an ``Error`` dialog must be dismissed before the RP's promise settles
  (pitfall 4);
* ``MAP * ~NOTFOUND`` with ``localhost`` and ``127.0.0.1`` excluded, so the
  browser can never reach the network ("Browser flags");
* orphaned Chromium processes are found by their unique profile directory and
  killed by PID (pitfall 8).

Every wait is bounded.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from selenium import webdriver
from selenium.common.exceptions import (
    NoAlertPresentException,
    NoSuchElementException,
    StaleElementReferenceException,
    WebDriverException,
)
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.command import Command

CHROMIUM = os.environ.get("E2E_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("E2E_CHROMEDRIVER", "/usr/bin/chromedriver")

#: Flags every browser gets (docs/testing-with-a-browser.md, "Browser flags").
#: No FedCM feature flag is needed.
BASE_FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--window-size=1280,900",
    # A safety net: only the two loopback sites resolve (docs: "Browser flags").
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
)

#: Default bound for any wait (dialog, result, popup, page).
TIMEOUT = 10.0

ACCOUNT_CHOOSER = "AccountChooser"
CONFIRM_IDP_LOGIN = "ConfirmIdpLogin"
ERROR = "Error"


def missing_browser() -> str | None:
    """Why the browser cannot run here, or ``None`` when it can."""
    for label, path in (("chromium", CHROMIUM), ("chromedriver", CHROMEDRIVER)):
        if not (Path(path).is_file() and os.access(path, os.X_OK)):
            return (
                f"{label} not found at {path} (apt-get install chromium chromium-driver, "
                f"or set E2E_CHROMIUM / E2E_CHROMEDRIVER)"
            )
    return None


@dataclass(frozen=True)
class Sites:
    """The IdP and the RP served by one live server (the "http-one-port" layout)."""

    idp: str  # http://localhost:PORT
    rp: str  # http://127.0.0.1:PORT

    @property
    def config_url(self) -> str:
        return f"{self.idp}/fedcm/config.json"


def _kill_profile_processes(profile_dir: str) -> None:
    """Kill every process whose command line names this profile directory."""
    marker = f"--user-data-dir={profile_dir}".encode()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if marker in cmdline:
            with contextlib.suppress(OSError):
                os.kill(int(entry.name), signal.SIGKILL)


@contextlib.contextmanager
def launch(extra_flags: tuple[str, ...] = ()) -> Iterator[webdriver.Chrome]:
    """A headless Chromium with a fresh profile; always cleaned up."""
    profile_dir = tempfile.mkdtemp(prefix="fedcm-e2e-profile-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (*BASE_FLAGS, *extra_flags, f"--user-data-dir={profile_dir}"):
        options.add_argument(flag)
    os.environ.setdefault("SE_OFFLINE", "true")  # never let selenium-manager download
    driver = None
    try:
        driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
        driver.set_page_load_timeout(TIMEOUT * 2)
        driver.set_script_timeout(TIMEOUT)
        # The first FedCM command, before any flow can start (pitfalls 1 and 2).
        driver.fedcm.disable_delay()
        yield driver
    finally:
        if driver is not None:
            with contextlib.suppress(WebDriverException, OSError):
                driver.quit()
        _kill_profile_processes(profile_dir)
        shutil.rmtree(profile_dir, ignore_errors=True)


#: What chromedriver 156 answers, instead of a stale element reference, when
#: the page navigated between finding an element and reading it.
DETACHED_NODE = "does not belong to the document"


def left_the_page(exc: WebDriverException) -> bool:
    """The element is gone (missing, stale or detached by a navigation), not a
    real failure: the bounded waits poll again."""
    return isinstance(exc, NoSuchElementException | StaleElementReferenceException) or (
        DETACHED_NODE in (exc.msg or "")
    )


class Browser:
    """One scenario's browser, with the FedCM helpers the scenarios share."""

    def __init__(self, driver: webdriver.Chrome, sites: Sites) -> None:
        self.driver = driver
        self.sites = sites
        self.rp_window: str | None = None

    # ---------------------------------------------------------------- waits

    def wait(self, condition: Callable[[], Any], timeout: float = TIMEOUT, what: str = "") -> Any:
        """Poll ``condition`` until it returns something truthy (bounded)."""
        deadline = time.monotonic() + timeout
        while True:
            value = condition()
            if value:
                return value
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
            time.sleep(0.05)

    def dialog_type(self) -> str | None:
        """The FedCM dialog currently shown, or ``None``."""
        try:
            value = self.driver.fedcm.dialog_type
        except NoAlertPresentException:
            return None
        return str(value) if value else None

    def wait_for_dialog(self, expected: str | None = None, timeout: float = TIMEOUT) -> str:
        """Wait until a FedCM dialog (of the ``expected`` type) is shown.

        Transient dialogs (``AutoReauthn``, the "Verifying…" sheet) may come
        first; they are waited through, and a different stable type fails
        once the time is up.
        """
        seen: list[str] = []

        def shown() -> str | None:
            kind = self.dialog_type()
            if kind and (not seen or seen[-1] != kind):
                seen.append(kind)
            return kind if kind and (expected is None or kind == expected) else None

        try:
            kind = self.wait(shown, timeout, f"a FedCM dialog ({expected or 'any'})")
        except AssertionError as exc:
            raise AssertionError(f"{exc}; dialogs seen: {seen or 'none'}") from None
        return str(kind)

    def assert_no_dialog(self, duration: float = 1.5) -> None:
        """No FedCM dialog appears for ``duration`` seconds."""
        deadline = time.monotonic() + duration
        while time.monotonic() < deadline:
            kind = self.dialog_type()
            assert kind is None, f"unexpected FedCM dialog {kind}"
            time.sleep(0.1)

    def accounts(self) -> list[dict[str, Any]]:
        """The account chooser's list (accountId, email, name, loginState, ...)."""
        return list(self.driver.fedcm.account_list)

    def account_ids(self) -> list[str]:
        return [str(a["accountId"]) for a in self.accounts()]

    def select_account(self, index: int = 0) -> None:
        """ "Continue as …" in the account chooser (``accept()`` is not that: pitfall 5)."""
        self.driver.fedcm.select_account(index)

    def confirm_idp_login(self) -> None:
        """ "Continue" in the ConfirmIdpLogin dialog: opens the IdP login popup."""
        self.driver.fedcm.accept()

    def dismiss_error_dialog(self) -> None:
        """Click "Got it" on the Error dialog; the RP promise settles only then."""
        self.wait_for_dialog(ERROR)
        self.driver.execute(Command.CLICK_FEDCM_DIALOG_BUTTON, {"dialogButton": "ErrorGotIt"})

    def result(self, element_id: str = "result", timeout: float = TIMEOUT) -> dict[str, Any]:
        """What the RP page received (``{"status": "ok", "token": …}`` or an error)."""

        def done() -> str | None:
            if self.attribute_of(element_id, "data-state") == "done":
                return self.text_of(element_id)
            return None

        return dict(json.loads(self.wait(done, timeout, f"#{element_id} on the RP page")))

    def result_pending(self, element_id: str = "result") -> bool:
        return self.attribute_of(element_id, "data-state") == "pending"

    # The page may be navigating (a login redirect, a redirect fallback, a
    # reload): an element that is missing or stale right now reads as None, so
    # the bounded waits poll again instead of failing.

    def text_of(self, element_id: str) -> str | None:
        """The element's text, or ``None`` while it is not on the page."""
        try:
            return str(self.driver.find_element(By.ID, element_id).text)
        except WebDriverException as exc:
            if not left_the_page(exc):
                raise
            return None

    def attribute_of(self, element_id: str, name: str) -> str | None:
        try:
            value = self.driver.find_element(By.ID, element_id).get_attribute(name)
        except WebDriverException as exc:
            if not left_the_page(exc):
                raise
            return None
        return None if value is None else str(value)

    # ---------------------------------------------------------------- pages

    def open_rp(self, **params: str) -> None:
        """Open the RP page; in passive mode (the default) it calls get() on load.

        Options: mode, mediation, nonce, loginHint, domainHint, fields
        (comma-separated, "" for none), scope, clientId, accountHint, auto="0".
        """
        query = urlencode(params)
        self.driver.get(f"{self.sites.rp}/e2e/rp/{'?' + query if query else ''}")
        self.rp_window = self.driver.current_window_handle

    def press(self, element_id: str) -> None:
        """A 100 ms press: gives the browser process the user activation
        active mode needs (pitfall 3)."""
        element = self.driver.find_element(By.ID, element_id)
        ActionChains(self.driver).move_to_element(element).click_and_hold().pause(
            0.1
        ).release().perform()

    def idp_login(self, username: str, password: str) -> None:
        """Sign in on the IdP's login page (top-level), as a user would.

        The login POST's redirect carries ``Set-Login: logged-in``.
        """
        self.driver.get(f"{self.sites.idp}/fedcm/login?next=/e2e/idp/")
        self.fill_login_form(username, password)
        self.wait(
            lambda: self.text_of("who") == username,
            what=f"the IdP page to show {username} signed in",
        )

    def idp_logout(self) -> None:
        """Sign out of the IdP (Django's LogoutView; ``Set-Login: logged-out``)."""
        self.driver.get(f"{self.sites.idp}/e2e/idp/")
        self.driver.find_element(By.ID, "sign-out").click()
        self.wait(
            lambda: self.text_of("who") == "" and "/e2e/idp/" in self.driver.current_url,
            what="the IdP page to show nobody signed in",
        )

    def fill_login_form(self, username: str, password: str) -> None:
        self.wait(lambda: self.driver.find_elements(By.NAME, "password"), what="the login form")
        # A popup may still be loading or redirecting: retry the fill once on
        # a stale element rather than fail.
        try:
            self._fill(username, password)
        except WebDriverException as exc:
            if not left_the_page(exc):
                raise
            self.wait(lambda: self.driver.find_elements(By.NAME, "password"), what="the form")
            self._fill(username, password)

    def _fill(self, username: str, password: str) -> None:
        field = self.driver.find_element(By.NAME, "username")
        field.clear()
        field.send_keys(username)
        self.driver.find_element(By.NAME, "password").send_keys(password)
        self.driver.find_element(By.CSS_SELECTOR, "form [type=submit]").click()

    # ---------------------------------------------------------------- popups

    def wait_for_popup(self, timeout: float = TIMEOUT) -> str:
        """Switch to the window the browser opened (login or continuation popup)."""
        assert self.rp_window is not None, "open the RP page first"
        handle = self.wait(
            lambda: next((h for h in self.driver.window_handles if h != self.rp_window), None),
            timeout,
            "the browser to open a popup",
        )
        self.driver.switch_to.window(handle)
        self.wait(lambda: self.driver.current_url not in ("", "about:blank"), what="popup URL")
        return str(handle)

    def wait_popup_closed(self, timeout: float = TIMEOUT) -> None:
        """Wait until only the RP window is left, then switch back to it."""
        assert self.rp_window is not None
        self.wait(
            lambda: self.driver.window_handles == [self.rp_window],
            timeout,
            "the popup to close",
        )
        self.driver.switch_to.window(self.rp_window)
