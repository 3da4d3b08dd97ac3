"""A newcomer's first sign-in, from docs/quickstart.md alone.

``django-admin startproject`` in a temporary directory; the settings and URL
blocks taken from docs/quickstart.md between their ``quickstart-settings`` /
``quickstart-urls`` markers (so the page cannot drift from what works), with
only the port of its development issuer changed; ``migrate``,
``fedcm_keys rotate`` and ``createsuperuser`` as step 4 says; ``runserver``;
a relying party registered through the real admin over HTTP as step 5 says
(an ``http://127.0.0.1`` origin, no redirect URI, RS256); then a real FedCM
sign-in in headless Chromium, the token verified against the project's JWKS,
and a sign-out through ``/fedcm/logout`` that silences the next passive
request (``Set-Login: logged-out``). Every wait is bounded.
"""

from __future__ import annotations

import http.cookiejar
import http.server
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from selenium.webdriver.common.by import By

from django_fedcm.rp import IdTokenVerifier
from tests.admin.html_forms import FormValues
from tests.e2e import harness

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
QUICKSTART = ROOT / "docs" / "quickstart.md"
RP_PAGE = (Path(__file__).parent / "rp_page.html").read_text()

#: The development issuer the quickstart's settings name; only its port changes here.
DOCS_ISSUER = "http://localhost:8000"
USERNAME, PASSWORD = "newcomer", "newcomer-pw-1234"
COMMAND_TIMEOUT = 120


def docs_block(marker: str) -> str:
    """The code block between ``<!-- marker: start -->`` and ``<!-- marker: end -->``."""
    text = QUICKSTART.read_text(encoding="utf-8")
    found = re.search(
        rf"<!-- {marker}: start -->\s*```python\n(.*?)```\s*<!-- {marker}: end -->", text, re.S
    )
    assert found, f"docs/quickstart.md has no python block marked {marker}"
    return found.group(1)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Project:
    directory: Path
    env: dict[str, str]
    idp: str

    def manage(self, *args: str) -> str:
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=self.directory,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=COMMAND_TIMEOUT,
        )
        output = result.stdout + result.stderr
        assert result.returncode == 0, f"manage.py {' '.join(args)} failed:\n{output}"
        return output


def start_project(base: Path, port: int) -> Project:
    """startproject, then settings.py and urls.py as docs/quickstart.md says."""
    env = {**os.environ, "DJANGO_SUPERUSER_PASSWORD": PASSWORD}
    env.pop("DJANGO_SETTINGS_MODULE", None)  # manage.py sets the project's own
    directory = base / "project"
    directory.mkdir()
    subprocess.run(
        [sys.executable, "-m", "django", "startproject", "idp", str(directory)],
        check=True,
        env=env,
        timeout=COMMAND_TIMEOUT,
    )
    idp = f"http://localhost:{port}"
    settings_block = docs_block("quickstart-settings")
    assert f'"{DOCS_ISSUER}"' in settings_block, "the quickstart's development issuer moved"
    settings_py = directory / "idp" / "settings.py"
    settings_py.write_text(
        settings_py.read_text() + "\n\n" + settings_block.replace(DOCS_ISSUER, idp)
    )
    (directory / "idp" / "urls.py").write_text(docs_block("quickstart-urls"))
    return Project(directory, env, idp)


class LocalhostCookiePolicy(http.cookiejar.DefaultCookiePolicy):
    """Send Secure cookies over http to localhost, as Chrome does."""

    def return_ok_secure(self, cookie: Any, request: Any) -> bool:
        return True


class AdminSession:
    """A staff user in the admin over HTTP, as a browser submits its forms."""

    def __init__(self, idp: str) -> None:
        self.idp = idp
        self.jar = http.cookiejar.CookieJar(LocalhostCookiePolicy())
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def get(self, path: str) -> tuple[int, str, str]:
        with self.opener.open(self.idp + path, timeout=10) as response:
            return response.status, response.url, response.read().decode()

    def form(self, path: str, form_id: str) -> dict[str, Any]:
        status, _url, html = self.get(path)
        assert status == 200, path
        parser = FormValues(form_id)
        parser.feed(html)
        return parser.data

    def post(self, path: str, data: dict[str, Any]) -> tuple[int, str, str]:
        body = urllib.parse.urlencode(data, doseq=True).encode()
        request = urllib.request.Request(
            self.idp + path, data=body, headers={"Referer": self.idp + path}
        )
        with self.opener.open(request, timeout=10) as response:
            return response.status, response.url, response.read().decode()

    def sign_in(self) -> None:
        data = self.form("/admin/login/", "login-form")
        data.update({"username": USERNAME, "password": PASSWORD, "next": "/admin/"})
        _status, url, _html = self.post("/admin/login/?next=/admin/", data)
        assert urllib.parse.urlsplit(url).path == "/admin/", "the admin sign-in failed"

    def register_relying_party(self, rp_origin: str) -> str:
        """Step 5 of docs/quickstart.md; returns the client id from the list page."""
        add = "/admin/oauth2_provider/application/add/"
        data = self.form(add, "application_form")
        client_id = data["client_id"]
        data.update(
            {
                "name": "My first relying party",
                "client_type": "public",
                "authorization_grant_type": "authorization-code",
                "algorithm": "RS256",
                "allowed_origins": rp_origin,
                "redirect_uris": "",
                "fedcm-0-terms_of_service_url": f"{rp_origin}/terms",
                "fedcm-0-privacy_policy_url": f"{rp_origin}/privacy",
            }
        )
        _status, url, html = self.post(add, data)
        errors = re.findall(r'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>', html, re.S)
        assert url.endswith("/admin/oauth2_provider/application/"), f"not saved: {errors}"
        assert client_id in html, "the Applications list does not show the client id"
        return str(client_id)


def serve_rp_page(port: int, config: dict[str, str]) -> http.server.ThreadingHTTPServer:
    """The relying party: one static page on http://127.0.0.1:PORT (any path)."""
    page = RP_PAGE.replace("__CONFIG__", json.dumps(config).replace("</", "<\\/")).encode()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(page)))
            self.end_headers()
            self.wfile.write(page)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def wait_until_serving(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while True:
        assert process.poll() is None, log.read_text()
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        assert time.monotonic() < deadline, f"runserver did not answer {url}:\n{log.read_text()}"
        time.sleep(0.2)


@pytest.fixture
def runserver(tmp_path: Path, e2e_browser_available: None) -> Iterator[tuple[Project, float]]:
    """The quickstart's project, migrated, keyed and served; and when it started."""
    started = time.monotonic()
    port = free_port()
    project = start_project(tmp_path, port)
    project.manage("migrate", "--noinput")
    project.manage("fedcm_keys", "rotate")
    project.manage(
        "createsuperuser", "--noinput", "--username", USERNAME, "--email", "new@example.com"
    )
    checks = project.manage("check")
    assert "django_fedcm." not in checks, f"the quickstart's project fails a check:\n{checks}"
    log = tmp_path / "runserver.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
            cwd=project.directory,
            env=project.env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_until_serving(f"{project.idp}/fedcm/config.json", process, log)
        yield project, started
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)


def sign_out(browser: harness.Browser) -> None:
    """POST /fedcm/logout with the CSRF token, as a sign-out button does."""
    driver = browser.driver
    driver.get(f"{browser.sites.idp}/fedcm/login")
    browser.wait(lambda: driver.get_cookie("csrftoken"), what="the CSRF cookie")
    driver.execute_script(
        """
        const form = document.createElement("form");
        form.method = "post";
        form.action = "/fedcm/logout";
        const token = document.createElement("input");
        token.type = "hidden";
        token.name = "csrfmiddlewaretoken";
        token.value = arguments[0];
        form.append(token);
        document.body.append(form);
        form.submit();
        """,
        driver.get_cookie("csrftoken")["value"],
    )
    browser.wait(
        lambda: driver.find_elements(By.NAME, "password") and not driver.get_cookie("sessionid"),
        what="the sign-in form after signing out",
    )


def test_first_sign_in_following_the_quickstart(
    runserver: tuple[Project, float], capsys: pytest.CaptureFixture[str]
) -> None:
    project, started = runserver
    rp_port = free_port()
    sites = harness.Sites(idp=project.idp, rp=f"http://127.0.0.1:{rp_port}")

    admin = AdminSession(project.idp)
    admin.sign_in()
    client_id = admin.register_relying_party(sites.rp)

    server = serve_rp_page(rp_port, {"configURL": sites.config_url, "clientId": client_id})
    try:
        with harness.launch() as driver:
            browser = harness.Browser(driver, sites)
            driver.get(f"{sites.idp}/fedcm/login")
            browser.fill_login_form(USERNAME, PASSWORD)
            browser.wait(
                lambda: driver.find_elements(By.ID, "fedcm-login-status"),
                what="the IdP to say the user is signed in",
            )

            browser.open_rp(nonce="n-newcomer")
            browser.wait_for_dialog(harness.ACCOUNT_CHOOSER)
            browser.select_account(0)
            outcome = browser.result()
            assert outcome["status"] == "ok", outcome
            first_sign_in = time.monotonic() - started

            verifier = IdTokenVerifier(issuer=project.idp, client_id=client_id)
            claims = verifier.verify(outcome["token"], nonce="n-newcomer")
            assert claims["iss"] == project.idp and claims["aud"] == client_id

            # Signing out tells the browser (Set-Login: logged-out): a passive
            # request on the RP page then fails at once, showing nothing.
            sign_out(browser)
            browser.open_rp(nonce="n-after")
            assert browser.result()["status"] == "error"
            browser.assert_no_dialog(1.0)
    finally:
        server.shutdown()
        server.server_close()
    with capsys.disabled():
        print(f"\nnewcomer: startproject to first FedCM sign-in in {first_sign_in:.1f} s")
