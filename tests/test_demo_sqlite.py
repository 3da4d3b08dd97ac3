"""The demo IdP on SQLite under concurrent sign-ins: no "database is locked".

``example_project/demo.py`` serves the IdP (threaded ``runserver``) on a fresh
SQLite file with the options docs/deployment.md recommends for small
deployments (WAL, ``transaction_mode = "IMMEDIATE"``, a busy timeout). Four
clients at once sign in through the IdP's login form, get an ID token from the
id assertion endpoint and sign out, several times each: every one of those
writes (session rows, ``last_login``, the grant) must succeed. Bounded: 4 x 6
rounds, about 20 s with the launcher.
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

DEMO = Path(__file__).resolve().parents[1] / "example_project" / "demo.py"
CLIENTS = 4
ROUNDS = 6


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def demo_idp(tmp_path: Path) -> Iterator[tuple[str, str]]:
    idp_port, rp_port = free_port(), free_port()
    env = {
        **os.environ,
        "DEMO_VENV": sys.prefix,
        "DEMO_DB": str(tmp_path / "demo.sqlite3"),
        "DEMO_IDP_PORT": str(idp_port),
        "DEMO_RP_PORT": str(rp_port),
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    log_path = tmp_path / "demo.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, str(DEMO)], env=env, stdout=log, stderr=subprocess.STDOUT
        )
        try:
            deadline = time.monotonic() + 90
            while b"Press Ctrl-C" not in log_path.read_bytes():
                assert process.poll() is None, log_path.read_text()
                assert time.monotonic() < deadline, "demo.py did not start within 90 s"
                time.sleep(0.2)
            yield f"http://localhost:{idp_port}", f"http://127.0.0.1:{rp_port}"
        finally:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
    assert "database is locked" not in log_path.read_text(errors="replace")


class Browser:
    """Just enough of a browser: cookies, no redirects followed."""

    def __init__(self, idp: str, rp: str) -> None:
        self.idp, self.rp = idp, rp
        # The IdP's cookies are Secure (FedCM needs SameSite=None); browsers
        # send them to http://localhost, so this client does too.
        policy = http.cookiejar.DefaultCookiePolicy(secure_protocols=("https", "wss", "http"))
        self.jar = http.cookiejar.CookieJar(policy)

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args: object, **kwargs: object) -> None:
                return None

        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), NoRedirect()
        )

    def send(
        self, path: str, data: dict[str, str] | None = None, **headers: str
    ) -> tuple[int, bytes]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(self.idp + path, data=body, headers=headers)
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    def csrf(self) -> str:
        return next(c.value for c in self.jar if c.name == "demo_idp_csrftoken")

    def round(self, username: str, password: str) -> list[int]:
        statuses = []
        status, _ = self.send("/accounts/login/")
        statuses.append(status)
        status, _ = self.send(
            "/accounts/login/",
            {"username": username, "password": password, "csrfmiddlewaretoken": self.csrf()},
            Referer=self.idp + "/accounts/login/",
        )
        statuses.append(status)
        status, body = self.send("/fedcm/accounts", **{"Sec-Fetch-Dest": "webidentity"})
        statuses.append(status)
        account_id = json.loads(body)["accounts"][0]["id"]
        status, body = self.send(
            "/fedcm/assertion",
            {
                "client_id": "demo-rp",
                "account_id": account_id,
                "params": json.dumps({"nonce": "n"}),
                "disclosure_shown_for": "name,email,picture",
            },
            Origin=self.rp,
            **{"Sec-Fetch-Dest": "webidentity"},
        )
        statuses.append(status)
        assert "token" in json.loads(body), body
        status, _ = self.send(
            "/accounts/logout/", {"csrfmiddlewaretoken": self.csrf()}, Referer=self.idp + "/"
        )
        statuses.append(status)
        return statuses


def test_concurrent_sign_ins_on_sqlite(demo_idp: tuple[str, str]) -> None:
    idp, rp = demo_idp
    users = [("alice", "alice-demo"), ("bob", "bob-demo")]

    def client(index: int) -> list[int]:
        browser = Browser(idp, rp)
        username, password = users[index % len(users)]
        return [s for _ in range(ROUNDS) for s in browser.round(username, password)]

    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        statuses = [s for result in pool.map(client, range(CLIENTS)) for s in result]
    assert len(statuses) == CLIENTS * ROUNDS * 5
    assert [s for s in statuses if s >= 500] == []
    assert not [s for s in statuses if re.fullmatch(r"4\d\d", str(s)) and s != 401], statuses
