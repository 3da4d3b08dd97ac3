"""Services and servers for ``bench_server.py``: a fresh PostgreSQL database,
a Redis key prefix, gunicorn processes and their workers' CPU time."""

from __future__ import annotations

import contextlib
import http.client
import http.cookies
import os
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

EXAMPLE = Path(__file__).resolve().parents[2] / "example_project"
TICK = os.sysconf("SC_CLK_TCK")


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


@contextlib.contextmanager
def fresh_database(admin_url: str) -> Iterator[str]:
    """A new database on the server of ``admin_url``; its URL; dropped after."""
    import psycopg

    name = f"fedcm_bench_{os.getpid()}_{secrets.token_hex(3)}"
    parts = urlsplit(admin_url)
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        version = admin.execute("SHOW server_version").fetchone()
    log(f"database {name} (PostgreSQL {version[0] if version else '?'})")
    try:
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextlib.contextmanager
def cache_namespace(cache_url: str) -> Iterator[str]:
    """A key prefix for this run; its keys are deleted after."""
    import redis

    prefix = f"fedcm-bench-{os.getpid()}-{secrets.token_hex(3)}"
    client = redis.Redis.from_url(cache_url)
    log(f"redis {client.info('server')['redis_version']}, key prefix {prefix}")
    try:
        yield prefix
    finally:
        keys = list(client.scan_iter(f"{prefix}:*"))
        if keys:
            client.delete(*keys)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    name: str
    port: int
    process: subprocess.Popen[bytes]
    log_path: Path

    def workers(self) -> list[int]:
        """The gunicorn master's children: the workers."""
        pids = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                with contextlib.suppress(OSError):
                    after_comm = (entry / "stat").read_text().rpartition(")")[2].split()
                    if int(after_comm[1]) == self.process.pid:
                        pids.append(int(entry.name))
        return sorted(pids)

    def cpu_seconds(self, pids: list[int]) -> float:
        total = 0
        for pid in pids:
            after_comm = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
            total += int(after_comm[11]) + int(after_comm[12])  # utime, stime
        return total / TICK

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()


def gunicorn(
    name: str, app: str, env: dict[str, str], workers: int, logs: Path, port: int
) -> Server:
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        app,
        f"--workers={workers}",
        "--worker-class=sync",
        f"--bind=127.0.0.1:{port}",
        "--log-level=warning",
    ]
    help_text = subprocess.run(
        [sys.executable, "-m", "gunicorn", "--help"], capture_output=True, text=True, check=True
    ).stdout
    if "--no-control-socket" in help_text:  # gunicorn 25+: two servers, one default socket
        command.append("--no-control-socket")
    log_path = logs / f"{name}.log"
    with log_path.open("wb") as output:
        process = subprocess.Popen(
            command, cwd=EXAMPLE, env=env, stdout=output, stderr=subprocess.STDOUT
        )
    server = Server(name, port, process, log_path)
    deadline = time.monotonic() + 60
    while len(server.workers()) < workers or not _answers(port):
        if process.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(f"{name} did not start:\n{log_path.read_text()[-3000:]}")
        time.sleep(0.2)
    log(f"{name}: gunicorn on 127.0.0.1:{port}, workers {server.workers()}")
    return server


def _answers(port: int) -> bool:
    try:
        request("127.0.0.1", port, "GET", "/", {})
    except OSError:
        return False
    return True


def request(
    host: str, port: int, method: str, path: str, headers: dict[str, str], body: bytes | None = None
) -> tuple[int, http.client.HTTPMessage, bytes]:
    connection = http.client.HTTPConnection(host, port, timeout=15)
    try:
        connection.request(method, path, body, headers)
        response = connection.getresponse()
        return response.status, response.headers, response.read()
    finally:
        connection.close()


def cookies(headers: http.client.HTTPMessage) -> dict[str, str]:
    jar: http.cookies.SimpleCookie = http.cookies.SimpleCookie()
    for value in headers.get_all("Set-Cookie") or []:
        jar.load(value)
    return {name: morsel.value for name, morsel in jar.items()}
