"""django_fedcm.rp.fetch: the JWKS client's HTTP GET, bounded in time and size.

Timings are upper bounds only (the deadline plus a generous margin), never a
performance target: the servers here would hold an unbounded client for 10 s.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest

from django_fedcm import rp
from django_fedcm.rp import fetch
from tests.rp.servers import DripServer

DEADLINE = 1.0
MARGIN = 2.0

HEAD = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"


@pytest.mark.parametrize(
    ("head", "drip"),
    [
        (b"", HEAD + b"X-Padding: " + b"a" * 200),
        (HEAD + b"Content-Length: 250\r\n\r\n", b'{"keys": [' + b" " * 240),
        (HEAD + b"Transfer-Encoding: chunked\r\n\r\n", b"1\r\n \r\n" * 40),
    ],
    ids=["status-and-headers", "body", "chunked-body"],
)
def test_a_dripping_server_is_cut_off_at_the_deadline(
    drip_server: Callable[..., DripServer], head: bytes, drip: bytes
) -> None:
    server = drip_server(head, drip)
    started = time.monotonic()
    with pytest.raises(OSError):
        fetch.fetch_url(server.url(), DEADLINE, 1024)
    assert time.monotonic() - started < DEADLINE + MARGIN


def test_a_dripping_tls_handshake_is_cut_off_at_the_deadline(
    drip_server: Callable[..., DripServer],
) -> None:
    # A TLS record header announcing 16 KiB, then the record one byte at a time.
    server = drip_server(b"", b"\x16\x03\x03\x40\x00" + b"\x02" * 200)
    started = time.monotonic()
    with pytest.raises(OSError):
        fetch.fetch_url(server.url("https"), DEADLINE, 1024)
    assert time.monotonic() - started < DEADLINE + MARGIN


def test_a_declared_length_over_the_limit_is_refused_before_reading(
    drip_server: Callable[..., DripServer],
) -> None:
    server = drip_server(HEAD + b"Content-Length: 1000000\r\n\r\n", b"x" * 200)
    started = time.monotonic()
    with pytest.raises(rp.JWKSFetchError, match="too large"):
        fetch.fetch_url(server.url(), 5, 1024)
    assert time.monotonic() - started < MARGIN  # did not wait for the body


def test_an_undeclared_body_is_read_to_one_byte_over_the_limit(
    drip_server: Callable[..., DripServer],
) -> None:
    server = drip_server(HEAD + b"Connection: close\r\n\r\n" + b"x" * 5000, b"")
    assert fetch.fetch_url(server.url(), 5, 1024) == b"x" * 1025


def test_a_deadline_already_passed_opens_no_connection() -> None:
    connection = fetch._HTTPConnection("127.0.0.1", port=9, deadline=time.monotonic() - 1)
    with pytest.raises(TimeoutError):
        connection.connect()


def test_only_http_urls_are_fetched() -> None:
    with pytest.raises(rp.JWKSFetchError, match="http"):
        fetch.fetch_url("file:///etc/passwd", 1, 1024)


def test_the_client_passes_its_limit_to_the_default_fetch(
    drip_server: Callable[..., DripServer], monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[Any] = []

    def spy(url: str, timeout: float, max_bytes: int) -> bytes:
        seen.append((timeout, max_bytes))
        return b'{"keys": []}'

    monkeypatch.setattr(fetch, "fetch_url", spy)
    rp.JWKSClient("https://idp.test/jwks", timeout=3, max_bytes=2048).get_keys()
    assert seen == [(3, 2048)]
