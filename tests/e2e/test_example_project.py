"""The README demo, driven by a real browser: ``example_project/demo.py``
serves the IdP and the demo RP; a signed-out user clicks "Sign in with
django-fedcm", signs in in the IdP's popup, and the RP *backend* shows the
claims it verified. Then disconnect.

``DEMO_VENV`` points the launcher at the running interpreter's environment,
so nothing is created or installed here.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from selenium.webdriver.common.by import By

from tests.e2e import harness

pytestmark = pytest.mark.e2e

DEMO = Path(__file__).resolve().parents[2] / "example_project" / "demo.py"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def demo(tmp_path: Path, e2e_browser_available: None) -> Iterator[harness.Sites]:
    idp_port, rp_port = free_port(), free_port()
    env = {
        **os.environ,
        "DEMO_VENV": sys.prefix,
        "DEMO_DB": str(tmp_path / "demo.sqlite3"),
        "DEMO_IDP_PORT": str(idp_port),
        "DEMO_RP_PORT": str(rp_port),
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    log = (tmp_path / "demo.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, str(DEMO)], env=env, stdout=log, stderr=subprocess.STDOUT
    )
    sites = harness.Sites(idp=f"http://localhost:{idp_port}", rp=f"http://127.0.0.1:{rp_port}")
    try:
        deadline = time.monotonic() + 90
        while b"Press Ctrl-C" not in (tmp_path / "demo.log").read_bytes():
            assert process.poll() is None, (tmp_path / "demo.log").read_text()
            assert time.monotonic() < deadline, "demo.py did not start within 90 s"
            time.sleep(0.2)
        yield sites
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def sign_in_as_alice(driver: Any, demo: harness.Sites, button: str) -> harness.Browser:
    """Open the demo RP, press ``button``, sign in as alice in the IdP's popup and
    pick her account in the browser's chooser."""
    page = harness.Browser(driver, demo)
    driver.get(f"{demo.rp}/")
    page.rp_window = driver.current_window_handle
    # Passive sign-in on load stays silent for a visitor unknown to the IdP.
    page.assert_no_dialog(1.0)
    page.press(button)
    page.wait_for_popup()
    page.fill_login_form("alice", "alice-demo")
    page.wait_popup_closed()
    page.wait_for_dialog(harness.ACCOUNT_CHOOSER)
    page.select_account(0)
    return page


def test_demo_sign_in_with_the_button_then_disconnect(demo: harness.Sites) -> None:
    with urllib.request.urlopen(f"{demo.idp}/fedcm/config.json", timeout=5) as response:
        assert json.load(response)["login_url"] == f"{demo.idp}/fedcm/login"

    with harness.launch() as driver:
        page = sign_in_as_alice(driver, demo, "sign-in")

        # The RP backend verified the token (JWKS, iss, aud, nonce, exp).
        try:
            page.wait(
                lambda: driver.find_element(By.ID, "signed-in").is_displayed(),
                what="the RP to show the verified claims",
            )
        except AssertionError as exc:
            status = driver.find_element(By.ID, "status").text
            logs = driver.get_log("browser")  # type: ignore[no-untyped-call]
            raise AssertionError(f"{exc}; the RP page says {status!r}; console: {logs}") from None
        claims = json.loads(driver.find_element(By.ID, "claims").text)
        assert claims["iss"] == demo.idp
        assert claims["aud"] == "demo-rp"
        assert claims["email"] == "alice@example.com"
        assert driver.find_element(By.ID, "who").text == "Alice Example"

        page.press("disconnect")
        page.wait(
            lambda: "Disconnected" in driver.find_element(By.ID, "status").text,
            what="the disconnect to finish",
        )
        assert driver.find_element(By.ID, "signed-out").is_displayed()

        # The IdP's own home page lists no relying party any more.
        driver.get(f"{demo.idp}/")
        assert "alice" in driver.find_element(By.ID, "signed-in-as").text
        assert not driver.find_elements(By.ID, "grants")


def test_demo_work_account_set(demo: harness.Sites) -> None:
    """The demo's second config (FEDCM_CONFIGS "work"): alice carries the label."""
    with urllib.request.urlopen(f"{demo.idp}/fedcm/config/work.json", timeout=5) as response:
        assert json.load(response)["account_label"] == "work"

    with harness.launch() as driver:
        page = sign_in_as_alice(driver, demo, "sign-in-work")
        page.wait(
            lambda: driver.find_element(By.ID, "signed-in").is_displayed(),
            what="the RP to show the verified claims",
        )
        assert json.loads(driver.find_element(By.ID, "claims").text)["aud"] == "demo-rp"
        assert driver.find_element(By.ID, "who").text == "Alice Example"


def test_seed_demo_is_idempotent(tmp_path: Path) -> None:
    """Seeding twice leaves one of everything and keeps the active key."""
    env = {**os.environ, "DEMO_DB": str(tmp_path / "seed.sqlite3")}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    manage = [sys.executable, str(DEMO.parent / "manage.py")]
    count = (
        "from django.contrib.auth.models import User;"
        "from django_fedcm.models import RelyingParty, SigningKey, AccountProfile;"
        "print(User.objects.count(), RelyingParty.objects.count(), AccountProfile.objects.count(),"
        " list(SigningKey.objects.filter(state='active').values_list('kid', flat=True)))"
    )

    def run(*args: str) -> str:
        done = subprocess.run(
            [*manage, *args], env=env, capture_output=True, text=True, timeout=120, check=True
        )
        lines = done.stdout.strip().splitlines()
        return lines[-1] if lines else ""  # the last line: after the shell's import notice

    run("migrate", "--noinput", "-v", "0")
    run("seed_demo")
    first = run("shell", "-c", count)
    assert run("seed_demo") == "demo data ready"
    assert run("shell", "-c", count) == first
    users, relying_parties, profiles, active = first.split(" ", 3)
    assert (users, relying_parties, profiles) == ("3", "1", "2")
    assert active.count("'") == 2  # exactly one active kid
