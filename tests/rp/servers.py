"""A hostile JWKS host on 127.0.0.1 for the fetch-deadline tests."""

from __future__ import annotations

import socket
import threading


class DripServer:
    """Answers every connection with ``head`` at once, then ``drip`` one byte
    per ``interval`` seconds. Every read gets data long before a per-read
    timeout, so only a deadline on the whole fetch stops the client. Ignores
    the request; stops dripping on :meth:`close` or when the client goes away."""

    def __init__(self, head: bytes, drip: bytes, interval: float) -> None:
        self.head, self.drip, self.interval = head, drip, interval
        self._stop = threading.Event()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.05)
        self.port = self._listener.getsockname()[1]
        self._threads = [threading.Thread(target=self._accept, daemon=True)]
        self._threads[0].start()

    def url(self, scheme: str = "http", path: str = "/jwks.json") -> str:
        return f"{scheme}://127.0.0.1:{self.port}{path}"

    def close(self) -> None:
        self._stop.set()
        for thread in list(self._threads):
            thread.join(timeout=2)
        self._listener.close()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            thread = threading.Thread(target=self._answer, args=(conn,), daemon=True)
            self._threads.append(thread)
            thread.start()

    def _answer(self, conn: socket.socket) -> None:
        with conn:
            try:
                conn.sendall(self.head)
                for byte in self.drip:
                    if self._stop.wait(self.interval):
                        return
                    conn.sendall(bytes([byte]))
            except OSError:
                return  # the client gave up
