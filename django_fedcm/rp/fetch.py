"""The JWKS client's default HTTP GET: standard library only, bounded in time and size.

urllib's ``timeout`` bounds each socket operation, not the request: a server
that sends one byte a second keeps a read alive indefinitely. Here one
deadline covers the whole fetch (connect, TLS handshake, redirects, status
line, headers and body): every socket operation gets only the time left
before it, and the body is cut at ``max_bytes``. Name resolution is the system
resolver's and is not covered.
"""

from __future__ import annotations

import http.client
import io
import socket
import time
import urllib.error
import urllib.request
from typing import Any

from django_fedcm.rp.exceptions import JWKSFetchError

__all__ = ["fetch_url"]


def fetch_url(url: str, timeout: float, max_bytes: int) -> bytes:
    """GET ``url`` within ``timeout`` seconds in all; at most ``max_bytes + 1`` bytes.

    Raises :class:`OSError` (``TimeoutError`` past the deadline,
    :class:`urllib.error.URLError`), :class:`http.client.HTTPException`, or
    :class:`JWKSFetchError` (not an http(s) URL, or a ``Content-Length`` over
    ``max_bytes``).
    """
    if not url.startswith(("https://", "http://")):
        raise JWKSFetchError("The JWKS URI must be an http(s) URL.")
    deadline = time.monotonic() + timeout
    opener = urllib.request.build_opener(
        _HTTPRedirectsOnly, _HTTPHandler(deadline), _HTTPSHandler(deadline)
    )
    request = urllib.request.Request(  # noqa: S310 - scheme checked above
        url, headers={"Accept": "application/json", "User-Agent": "django-fedcm-rp"}
    )
    with opener.open(request, timeout=timeout) as response:
        length = response.headers.get("Content-Length", "")
        if length.isdigit() and int(length) > max_bytes:
            raise JWKSFetchError("The JWKS document is too large.")
        body: bytes = response.read(max_bytes + 1)
    return body


def _remaining(deadline: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise TimeoutError("The JWKS fetch took longer than its deadline.")
    return left


class _HTTPRedirectsOnly(urllib.request.HTTPRedirectHandler):
    """Follow redirects to HTTPS, or HTTP to HTTP, only: urllib would also follow
    one to ``ftp://`` (a request to any host the RP's server can reach) and
    from HTTPS down to HTTP."""

    def redirect_request(
        self, req: Any, fp: Any, code: int, msg: str, headers: Any, newurl: str
    ) -> Any:
        target = newurl.lower()
        if not (
            target.startswith("https://")
            or (target.startswith("http://") and req.full_url.lower().startswith("http://"))
        ):
            raise urllib.error.URLError("JWKS redirect to a non-HTTP(S) or downgraded URL")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


class _DeadlineReader(io.RawIOBase):
    """The response stream: each read may wait only until the deadline."""

    def __init__(self, sock: socket.socket, deadline: float) -> None:
        super().__init__()
        self._sock = sock
        # A real SocketIO underneath keeps the descriptor open after urllib
        # closes the connection's socket, as http.client expects.
        self._raw = sock.makefile("rb", buffering=0)
        self._deadline = deadline

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int | None:
        self._sock.settimeout(_remaining(self._deadline))
        return self._raw.readinto(buffer)

    def close(self) -> None:
        self._raw.close()
        super().close()


class _DeadlineSocket:
    """Wraps the connection's socket so that http.client's reads and writes
    share the fetch's deadline."""

    def __init__(self, sock: socket.socket, deadline: float) -> None:
        self._sock = sock
        self._deadline = deadline

    def makefile(self, mode: str = "rb", *args: Any, **kwargs: Any) -> io.BufferedReader:
        return io.BufferedReader(_DeadlineReader(self._sock, self._deadline))

    def sendall(self, data: Any, *args: Any) -> None:
        self._sock.settimeout(_remaining(self._deadline))
        self._sock.sendall(data, *args)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sock, name)


class _HTTPConnection(http.client.HTTPConnection):
    def __init__(self, host: str, *, deadline: float, **kwargs: Any) -> None:
        super().__init__(host, **kwargs)
        self.deadline = deadline
        self._create_connection = self._open_socket

    def _open_socket(
        self, address: tuple[str, int], timeout: float, source_address: Any = None
    ) -> socket.socket:
        # TCP connect, then (HTTPS) the TLS handshake: each is one blocking
        # call bounded by the socket timeout, so each gets only what is left.
        sock = socket.create_connection(address, _remaining(self.deadline), source_address)
        sock.settimeout(_remaining(self.deadline))
        return sock

    def connect(self) -> None:
        super().connect()
        self.sock = _DeadlineSocket(self.sock, self.deadline)


class _HTTPSConnection(_HTTPConnection, http.client.HTTPSConnection):
    pass


class _HTTPHandler(urllib.request.HTTPHandler):
    def __init__(self, deadline: float) -> None:
        super().__init__()
        self.deadline = deadline

    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(_HTTPConnection, req, deadline=self.deadline)  # type: ignore[arg-type]


class _HTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self, deadline: float) -> None:
        super().__init__()
        self.deadline = deadline

    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(_HTTPSConnection, req, deadline=self.deadline)  # type: ignore[arg-type]
