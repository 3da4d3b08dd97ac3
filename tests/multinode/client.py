"""The browser's and the relying party's side of a sign-in, as the multinode
test plays them: Chrome's id assertion request, and the RP backend's
:class:`~django_fedcm.rp.IdTokenVerifier` with a JWKS fetched from one server.
"""

from __future__ import annotations

import base64
import http.client
import json
import secrets
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django_fedcm.rp import IdTokenVerifier
from django_fedcm.rp.exceptions import JWKSFetchError
from django_fedcm.rp.jwks import JWKSClient
from tests.benchmarks.bench_server import CHROME, CLIENT_ID, RP_ORIGIN
from tests.benchmarks.servers import request

POST_HEADERS = {
    **CHROME,
    "Origin": RP_ORIGIN,
    "Content-Type": "application/x-www-form-urlencoded",
    "Sec-Fetch-Mode": "cors",
    "Sec-Fetch-Site": "cross-site",
}


@dataclass
class Answer:
    """One id assertion request and what came back."""

    started: float  # time.monotonic()
    ended: float
    nonce: str
    status: int = 0  # 0: no HTTP answer at all
    served_by: str = ""  # HAProxy's X-Served-By, or the server asked directly
    token: str = ""
    error_code: str = ""  # the FedCM error object's code
    failure: str = ""  # the socket error, or the start of an unexpected body
    truncated: bool = False  # the headers came, then the connection closed

    @property
    def kid(self) -> str:
        header = self.token.split(".")[0]
        decoded = json.loads(base64.urlsafe_b64decode(header + "=" * (-len(header) % 4)))
        return str(decoded.get("kid", ""))

    @property
    def kind(self) -> str:
        """token, designed 503 (FedCM ``temporarily_unavailable``), other 5xx,
        wrong answer (any other status or body), truncated (the connection
        closed after the headers) or socket error (no answer)."""
        if self.truncated:
            return "truncated"
        if not self.status:
            return "socket error"
        if self.status == 200 and self.token:
            return "token"
        if self.status == 503 and self.error_code == "temporarily_unavailable":
            return "designed 503"
        if self.status >= 500:
            return "other 5xx"
        return "wrong answer"


def id_assertion(port: int, session: str, account_id: str, served_by: str = "") -> Answer:
    """Chrome's id assertion request for a returning user, with a fresh nonce."""
    nonce = secrets.token_urlsafe(16)
    form = {
        "client_id": CLIENT_ID,
        "account_id": account_id,
        "params": json.dumps({"nonce": nonce}, separators=(",", ":")),
        "disclosure_text_shown": "false",
        "is_auto_selected": "false",
    }
    headers = {**POST_HEADERS, "Cookie": session}
    answer = Answer(time.monotonic(), 0.0, nonce, served_by=served_by)
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=15)
    try:
        connection.request("POST", "/fedcm/assertion", urlencode(form).encode(), headers)
        response = connection.getresponse()
        answer.served_by = response.getheader("X-Served-By") or served_by
        answer.truncated = True  # until the whole body has arrived
        body = response.read()
        answer.truncated = False
        answer.status = response.status
    except (OSError, http.client.HTTPException) as exc:
        answer.ended, answer.failure = time.monotonic(), f"{type(exc).__name__}: {exc}"
        return answer
    finally:
        connection.close()
    answer.ended = time.monotonic()
    content = None
    if response.getheader("Content-Type", "").startswith("application/json"):
        try:
            content = json.loads(body)
        except ValueError:
            content = None
    if isinstance(content, dict) and isinstance(content.get("token"), str):
        answer.token = content["token"]
    elif isinstance(content, dict) and isinstance(content.get("error"), dict):
        answer.error_code = str(content["error"].get("error", ""))
    if not answer.token and not answer.error_code:
        answer.failure = f"{response.getheader('Content-Type')} {body[:120]!r}"
    return answer


@dataclass
class JwksFetches:
    """The JWKS downloads of one verifier, by HTTP status."""

    statuses: Counter[int] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def fetch(self, port: int, url: str, timeout: float) -> bytes:
        status, _, body = request("127.0.0.1", port, "GET", "/fedcm/jwks.json", {})
        with self.lock:
            self.statuses[status] += 1
        if status != 200:
            raise JWKSFetchError(f"{url}: HTTP {status}")
        return body


def verifier(issuer: str, port: int, fetches: JwksFetches) -> IdTokenVerifier:
    """The RP's verifier with the JWKS of the server on ``port``: cached, and
    fetched again whenever a token names a kid it lacks (no rate limit here,
    so a rotation is checked against that server's answer, not a stale copy)."""
    url = f"http://127.0.0.1:{port}/fedcm/jwks.json"
    jwks = JWKSClient(
        url, min_refetch_interval=0, fetch=lambda u, timeout: fetches.fetch(port, u, timeout)
    )
    return IdTokenVerifier(issuer=issuer, client_id=CLIENT_ID, jwks_client=jwks)
