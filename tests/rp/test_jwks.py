"""django_fedcm.rp.jwks: fetching and caching the identity provider's JWKS.

Network only to 127.0.0.1; timings are upper bounds (a deadline plus a
margin), never performance targets.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from jwcrypto import jwk

from django_fedcm import defaults, rp
from tests.rp.servers import DripServer
from tests.rp.tokens import CLIENT, ISSUER, NONCE, Clock, claims, public, sign


def test_jwks_is_fetched_once_and_cached(
    make_verifier: Callable[..., Any], rsa_key: jwk.JWK
) -> None:
    verifier, fetch = make_verifier()
    for _ in range(5):
        verifier.verify(sign(rsa_key, claims()), nonce=NONCE)
    assert fetch.calls == 1


def test_unknown_kid_refetches_once_and_picks_up_a_rotated_key(
    make_verifier: Callable[..., Any], rsa_key: jwk.JWK, ec_key: jwk.JWK
) -> None:
    verifier, fetch = make_verifier()
    verifier.verify(sign(rsa_key, claims()), nonce=NONCE)
    fetch.keys.append(public(ec_key, "ES256"))  # the IdP rotated
    clock = Clock()
    verifier.jwks_client._clock = clock
    verifier.jwks_client._attempted_at = clock.now - 60
    verifier.jwks_client._fetched_at = clock.now - 60
    assert verifier.verify(sign(ec_key, claims(), "ES256"), nonce=NONCE)["sub"] == "42"
    assert fetch.calls == 2


def test_unknown_kid_refetch_is_rate_limited(
    make_verifier: Callable[..., Any], rsa_key: jwk.JWK
) -> None:
    clock = Clock()
    verifier, fetch = make_verifier(jwks_clock=clock, min_refetch_interval=30)
    verifier.verify(sign(rsa_key, claims()), nonce=NONCE)
    stranger = jwk.JWK.generate(kty="EC", crv="P-256", kid="random")
    for _ in range(20):
        with pytest.raises(rp.UnknownKey):
            verifier.verify(sign(stranger, claims(), "ES256"), nonce=NONCE)
    assert fetch.calls == 1  # within the interval: no refetch at all
    clock.now += 31
    with pytest.raises(rp.UnknownKey):
        verifier.verify(sign(stranger, claims(), "ES256"), nonce=NONCE)
    assert fetch.calls == 2


def test_stale_jwks_is_refetched_after_cache_seconds(
    make_verifier: Callable[..., Any], rsa_key: jwk.JWK
) -> None:
    clock = Clock()
    verifier, fetch = make_verifier(jwks_clock=clock, cache_seconds=300)
    verifier.verify(sign(rsa_key, claims()), nonce=NONCE)
    clock.now += 301
    verifier.verify(sign(rsa_key, claims()), nonce=NONCE)
    assert fetch.calls == 2


def test_stale_jwks_after_key_removed_refuses_token(
    make_verifier: Callable[..., Any], rsa_key: jwk.JWK
) -> None:
    """A key the IdP stopped publishing (retired past its grace period, or
    compromised) stops verifying once the cache refreshes."""
    clock = Clock()
    verifier, fetch = make_verifier(jwks_clock=clock, cache_seconds=300)
    verifier.verify(sign(rsa_key, claims()), nonce=NONCE)
    fetch.keys = []
    clock.now += 301
    with pytest.raises(rp.UnknownKey):
        verifier.verify(sign(rsa_key, claims()), nonce=NONCE)


def test_failed_refresh_keeps_the_stale_key_set(
    make_verifier: Callable[..., Any], rsa_key: jwk.JWK
) -> None:
    clock = Clock()
    verifier, fetch = make_verifier(jwks_clock=clock, cache_seconds=300)
    verifier.verify(sign(rsa_key, claims()), nonce=NONCE)
    fetch.fail = True
    clock.now += 301
    assert verifier.verify(sign(rsa_key, claims()), nonce=NONCE)["sub"] == "42"


def test_unreachable_jwks_without_cache_raises_fetch_error(
    make_verifier: Callable[..., Any], rsa_key: jwk.JWK
) -> None:
    verifier, fetch = make_verifier()
    fetch.fail = True
    with pytest.raises(rp.JWKSFetchError) as excinfo:
        verifier.verify(sign(rsa_key, claims()), nonce=NONCE)
    assert excinfo.value.error == "temporarily_unavailable"


@pytest.mark.parametrize("body", [b"not json", b"[]", b'{"keys": {}}', b"x" * 300_000])
def test_malformed_jwks_raises_fetch_error(body: bytes) -> None:
    client = rp.JWKSClient("https://idp.test/jwks", fetch=lambda url, timeout: body)
    with pytest.raises(rp.JWKSFetchError):
        client.get_keys()


def test_jwks_skips_unusable_keys(rsa_key: jwk.JWK) -> None:
    document = {
        "keys": [
            {"kty": "nope"},
            "junk",
            {**public(rsa_key, "RS256"), "use": "enc"},
            public(rsa_key, "RS256"),
        ]
    }
    client = rp.JWKSClient(
        "https://idp.test/jwks", fetch=lambda u, t: json.dumps(document).encode()
    )
    assert [k.get("kid") for k in client.get_keys()] == ["rsa-1"]


def test_default_fetch_refuses_non_http_urls() -> None:
    client = rp.JWKSClient("file:///etc/passwd")
    with pytest.raises(rp.JWKSFetchError):
        client.get_keys()


def test_unreachable_jwks_without_cache_is_retried_at_most_once_per_interval(
    make_verifier: Callable[..., Any], rsa_key: jwk.JWK
) -> None:
    # An IdP outage before the first successful fetch must not turn every
    # incoming token into an outbound request (each may block for `timeout`).
    clock = Clock()
    verifier, fetch = make_verifier(jwks_clock=clock, min_refetch_interval=30)
    fetch.fail = True
    for _ in range(5):
        with pytest.raises(rp.JWKSFetchError):
            verifier.verify(sign(rsa_key, claims()), nonce=NONCE)
    assert fetch.calls == 1
    clock.now += 31
    fetch.fail = False
    assert verifier.verify(sign(rsa_key, claims()), nonce=NONCE)["sub"] == "42"
    assert fetch.calls == 2


def test_http_protocol_error_from_the_jwks_fetch_is_a_fetch_error() -> None:
    import http.client

    def fetch(url: str, timeout: float) -> bytes:
        raise http.client.BadStatusLine("garbage")  # not an OSError

    client = rp.JWKSClient("https://idp.test/jwks", fetch=fetch)
    with pytest.raises(rp.JWKSFetchError):
        client.get_keys()


def test_default_fetch_does_not_follow_a_redirect_out_of_http(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # urllib follows redirects to ftp:// by default: a JWKS host (or anyone
    # able to answer for it) could point the RP's server at an internal service.
    import http.server
    import threading
    import urllib.error
    import urllib.request

    followed: list[str] = []

    def ftp_open(self: Any, req: Any) -> Any:
        followed.append(req.full_url)
        raise urllib.error.URLError("no ftp in tests")

    monkeypatch.setattr(urllib.request.FTPHandler, "ftp_open", ftp_open)

    class Redirect(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(302)
            self.send_header("Location", "ftp://127.0.0.1:9/jwks.json")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Redirect)
    thread = threading.Thread(target=server.handle_request, daemon=True)
    thread.start()
    try:
        client = rp.JWKSClient(f"http://127.0.0.1:{server.server_port}/jwks.json", timeout=5)
        with pytest.raises(rp.JWKSFetchError):
            client.get_keys()
    finally:
        thread.join(timeout=5)
        server.server_close()
    assert followed == []


def test_client_defaults_come_from_defaults_py() -> None:
    client = rp.JWKSClient("https://idp.test/jwks")
    assert client.cache_seconds == defaults.RP_JWKS_CACHE_SECONDS
    assert client.min_refetch_interval == defaults.RP_JWKS_MIN_REFETCH_INTERVAL
    assert client.timeout == defaults.RP_JWKS_TIMEOUT
    assert client.max_bytes == defaults.RP_JWKS_MAX_BYTES == rp.jwks.MAX_JWKS_BYTES


def test_default_fetch_follows_an_http_redirect_and_reads_the_key_set(rsa_key: jwk.JWK) -> None:
    import http.server
    import threading

    body = json.dumps({"keys": [public(rsa_key, "RS256")]}).encode()

    class Server(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path == "/old":
                self.send_response(301)
                self.send_header("Location", "/jwks.json")
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Server)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        client = rp.JWKSClient(f"http://127.0.0.1:{server.server_port}/old", timeout=5)
        assert [k.get("kid") for k in client.get_keys()] == ["rsa-1"]
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def test_verify_fails_within_the_deadline_against_a_dripping_jwks_host(
    drip_server: Callable[..., DripServer], rsa_key: jwk.JWK
) -> None:
    # One byte every 50 ms: each read succeeds long before a per-read timeout,
    # and the headers and body take 12 s in all. Only the deadline stops it.
    head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 250\r\n\r\n"
    server = drip_server(head, b'{"keys": [' + b" " * 240)
    client = rp.JWKSClient(server.url(), timeout=1.0)
    verifier = rp.IdTokenVerifier(issuer=ISSUER, client_id=CLIENT, jwks_client=client)
    started = time.monotonic()
    with pytest.raises(rp.JWKSFetchError, match="TimeoutError"):
        verifier.verify(sign(rsa_key, claims()), nonce=NONCE)
    assert time.monotonic() - started < 1.0 + 2.0  # an upper bound, not a benchmark


class StuckFetch:
    """A fetch hook that ignores its timeout: serves ``keys`` at once for the
    first ``free`` calls, then blocks until released (10 s at most)."""

    def __init__(self, *keys: dict[str, Any], free: int = 0) -> None:
        self.keys, self.free = list(keys), free
        self.timeouts: list[float] = []
        self.started, self.release = threading.Event(), threading.Event()

    def __call__(self, url: str, timeout: float) -> bytes:
        self.timeouts.append(timeout)
        if len(self.timeouts) > self.free:
            self.started.set()
            if not self.release.wait(10):
                raise OSError("never released")
        return json.dumps({"keys": self.keys}).encode()

    def in_background(self, call: Callable[[], Any]) -> threading.Thread:
        def run() -> None:
            with contextlib.suppress(rp.TokenVerificationError):
                call()

        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        assert self.started.wait(5)
        return thread


def test_waiting_for_a_stuck_first_fetch_ends_at_its_deadline(rsa_key: jwk.JWK) -> None:
    fetch = StuckFetch(public(rsa_key, "RS256"))
    client = rp.JWKSClient("https://idp.test/jwks", fetch=fetch, timeout=0.5)
    leader = fetch.in_background(client.get_keys)
    try:
        started = time.monotonic()
        with pytest.raises(rp.JWKSFetchError):
            client.get_keys()  # nothing cached: waits for that fetch, not for a lock
        assert time.monotonic() - started < 0.5 + 2.0
        assert fetch.timeouts == [0.5]  # and starts no second fetch
    finally:
        fetch.release.set()
        leader.join(5)
    assert [k.get("kid") for k in client.get_keys()] == ["rsa-1"]  # the late answer is kept


def test_lookups_with_cached_keys_never_wait_for_a_refresh(rsa_key: jwk.JWK) -> None:
    clock = Clock()
    fetch = StuckFetch(public(rsa_key, "RS256"), free=1)
    client = rp.JWKSClient("https://idp.test/jwks", fetch=fetch, clock=clock, timeout=5)
    verifier = rp.IdTokenVerifier(issuer=ISSUER, client_id=CLIENT, jwks_client=client)
    verifier.verify(sign(rsa_key, claims()), nonce=NONCE)
    clock.now += defaults.RP_JWKS_CACHE_SECONDS + 1  # stale: the next lookup refreshes
    leader = fetch.in_background(lambda: verifier.verify(sign(rsa_key, claims()), nonce=NONCE))
    try:
        started = time.monotonic()
        for _ in range(3):
            assert verifier.verify(sign(rsa_key, claims()), nonce=NONCE)["sub"] == "42"
        assert time.monotonic() - started < 2.0  # the stale set, without waiting
    finally:
        fetch.release.set()
        leader.join(5)
    assert len(fetch.timeouts) == 2


def test_an_unknown_kid_during_a_refresh_waits_for_its_result(
    rsa_key: jwk.JWK, ec_key: jwk.JWK
) -> None:
    clock = Clock()
    fetch = StuckFetch(public(rsa_key, "RS256"), free=1)
    client = rp.JWKSClient("https://idp.test/jwks", fetch=fetch, clock=clock, timeout=5)
    verifier = rp.IdTokenVerifier(issuer=ISSUER, client_id=CLIENT, jwks_client=client)
    verifier.verify(sign(rsa_key, claims()), nonce=NONCE)
    fetch.keys.append(public(ec_key, "ES256"))  # the IdP rotated
    clock.now += defaults.RP_JWKS_CACHE_SECONDS + 1
    leader = fetch.in_background(client.get_keys)
    timer = threading.Timer(0.2, fetch.release.set)
    timer.start()
    try:
        assert verifier.verify(sign(ec_key, claims(), "ES256"), nonce=NONCE)["sub"] == "42"
    finally:
        fetch.release.set()
        timer.cancel()
        leader.join(5)
    assert len(fetch.timeouts) == 2


def test_anything_a_fetch_hook_raises_is_a_fetch_error() -> None:
    def fetch(url: str, timeout: float) -> bytes:
        raise RuntimeError("httpx.HTTPError, say")

    client = rp.JWKSClient("https://idp.test/jwks", fetch=fetch, min_refetch_interval=0)
    for _ in range(2):  # the failed fetch did not stay "in progress"
        with pytest.raises(rp.JWKSFetchError, match="RuntimeError"):
            client.get_keys()


def test_a_document_over_max_bytes_is_refused() -> None:
    client = rp.JWKSClient(
        "https://idp.test/jwks", fetch=lambda url, timeout: b'{"keys": []}', max_bytes=11
    )
    with pytest.raises(rp.JWKSFetchError, match="too large"):
        client.get_keys()
