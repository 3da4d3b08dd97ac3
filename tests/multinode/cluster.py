"""Two gunicorn servers of the example IdP on one PostgreSQL database and one
Redis, behind HAProxy: the reference topology of docs/deployment.md, on
127.0.0.1 with free ports.

The servers run the example project's production mode (example_project/README.md)
through ``tests/benchmarks/server_settings.py``, which adds a per-run Redis key
prefix; the database, the prefix and the gunicorn processes come from
``tests/benchmarks/servers.py``.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from tests.benchmarks.bench_server import first_sign_in, sign_in
from tests.benchmarks.servers import Server, cache_namespace, free_port, fresh_database, gunicorn

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "example_project"
WORKERS = 2  # sync workers per server
SERVER_NAMES = ("a", "b")

# HAProxy in front of sync workers: at most WORKERS requests per server (the
# rest wait in HAProxy's queue, not in a server's backlog), a request whose
# server died before answering is sent again to the other one (retry-on +
# redispatch; the body is buffered so a POST can be replayed), and the
# X-Served-By header names the server that answered. The health check asks for
# the well-known file, which needs neither the database nor Redis: a database
# outage must not take every server out of the pool.
HAPROXY_CONFIG = """\
global
    maxconn 512
    stats socket {stats} mode 600 level user

defaults
    mode http
    timeout connect 2s
    timeout client 30s
    timeout server 30s
    timeout queue 15s
    timeout check 5s
    option http-buffer-request
    retries 3
    retry-on conn-failure empty-response
    option redispatch 1

frontend idp
    bind 127.0.0.1:{port}
    default_backend app

backend app
    balance roundrobin
    option httpchk
    http-check send meth GET uri /.well-known/web-identity ver HTTP/1.1 hdr Host 127.0.0.1
    http-check expect status 200
    http-response set-header X-Served-By %s
{servers}
"""


def haproxy_binary() -> str | None:
    """``haproxy`` on PATH, or Debian's ``/usr/sbin/haproxy`` (not on a user's PATH)."""
    found = shutil.which("haproxy")
    if found is None and os.access("/usr/sbin/haproxy", os.X_OK):
        found = "/usr/sbin/haproxy"
    return found


def database_admin_url() -> str:
    """A database of the PostgreSQL server the suite uses; the cluster creates its own beside it."""
    host = os.environ.get("PGHOST", "127.0.0.1")
    port = os.environ.get("PGPORT", "5432")
    user = os.environ.get("PGUSER", "postgres")
    default = f"postgres://{user}@{host}:{port}/postgres"
    return os.environ.get("FEDCM_MULTINODE_DATABASE_URL", default)


def redis_url() -> str:
    """A Redis database number of its own; only this run's key prefix is deleted after."""
    return os.environ.get("FEDCM_MULTINODE_REDIS_URL", "redis://127.0.0.1:6379/11")


def reachable(url: str) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 0), 2):
            return True
    except OSError:
        return False


@dataclass
class Cluster:
    issuer: str
    balancer: int  # HAProxy's port
    servers: dict[str, Server]  # by HAProxy server name
    env: dict[str, str]  # the servers' environment: manage.py uses the same
    database: str
    session: str  # alice's session cookie
    account_id: str
    stats_socket: Path
    processes: list[Server]  # the servers, then HAProxy
    operator: subprocess.Popen[str]  # tests/multinode/keys_operator.py

    def logs(self, tail: int = 1500) -> str:
        """The end of every process's log, for a failure message."""
        return "\n".join(
            f"--- {process.name} log:\n{process.log_path.read_text(errors='replace')[-tail:]}"
            for process in self.processes
        )

    def manage(self, *args: str) -> str:
        command = [sys.executable, str(EXAMPLE / "manage.py"), *args]
        result = subprocess.run(
            command, cwd=EXAMPLE, env=self.env, capture_output=True, text=True, check=False
        )
        if result.returncode:
            raise AssertionError(f"manage.py {' '.join(args)}: {result.stdout}{result.stderr}")
        return result.stdout

    def fedcm_keys(self, *args: str) -> tuple[str, float, float]:
        """``fedcm_keys ARGS`` in the key operator process: its output, when it
        started and when it returned (``time.monotonic()``)."""
        assert self.operator.stdin is not None and self.operator.stdout is not None
        started = time.monotonic()
        self.operator.stdin.write(" ".join(args) + "\n")
        self.operator.stdin.flush()
        line = self.operator.stdout.readline()
        ended = time.monotonic()
        answer = json.loads(line) if line else {"ok": False, "output": "the operator exited"}
        if not answer["ok"]:
            raise AssertionError(f"fedcm_keys {' '.join(args)}: {answer['output']}")
        return str(answer["output"]), started, ended

    def rotate(self) -> tuple[str, float, float]:
        """``fedcm_keys rotate``: the new active kid, when the command started and returned."""
        output, started, ended = self.fedcm_keys("rotate")
        match = re.search(r"Active signing key: (\S+) ", output)
        assert match, output
        return match.group(1), started, ended

    def terminate_connections(self) -> int:
        """``pg_terminate_backend`` on every connection to the cluster's database."""
        import psycopg

        with psycopg.connect(database_admin_url(), autocommit=True) as admin:
            rows = admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = %s AND pid <> pg_backend_pid()",
                (self.database,),
            ).fetchall()
        return sum(1 for (done,) in rows if done)

    def haproxy_stats(self) -> dict[str, dict[str, str]]:
        """``show stat`` on the stats socket: one row per server and for the backend."""
        with socket.socket(socket.AF_UNIX) as sock:
            sock.connect(str(self.stats_socket))
            sock.sendall(b"show stat\n")
            data = b""
            while chunk := sock.recv(65536):
                data += chunk
        rows = csv.DictReader(io.StringIO(data.decode().lstrip("# ")))
        return {row["svname"]: row for row in rows if row["pxname"] == "app"}


def _haproxy(binary: str, port: int, servers: dict[str, Server], workdir: Path) -> Server:
    lines = "\n".join(
        f"    server {name} 127.0.0.1:{server.port} maxconn {WORKERS} check inter 1s"
        for name, server in servers.items()
    )
    stats = workdir / "haproxy.sock"
    config = workdir / "haproxy.cfg"
    config.write_text(HAPROXY_CONFIG.format(stats=stats, port=port, servers=lines))
    check = subprocess.run([binary, "-c", "-q", "-f", str(config)], capture_output=True, text=True)
    assert check.returncode == 0, f"haproxy -c: {check.stdout}{check.stderr}"
    log_path = workdir / "haproxy.log"
    with log_path.open("wb") as output:
        process = subprocess.Popen(
            [binary, "-db", "-f", str(config)], stdout=output, stderr=subprocess.STDOUT
        )
    return Server("haproxy", port, process, log_path)


def _wait_until_up(cluster: Cluster, haproxy: Server) -> None:
    deadline = time.monotonic() + 30
    while True:
        with contextlib.suppress(OSError, KeyError):
            stats = cluster.haproxy_stats()
            if all(stats[name]["status"] == "UP" for name in cluster.servers):
                return
        if haproxy.process.poll() is not None or time.monotonic() > deadline:
            raise AssertionError(f"HAProxy did not come up:\n{haproxy.log_path.read_text()}")
        time.sleep(0.2)


@contextlib.contextmanager
def running_cluster(haproxy_path: str, workdir: Path) -> Iterator[Cluster]:
    """Fresh database and key prefix, migrated and seeded; two servers; HAProxy; alice signed in."""
    balancer = free_port()
    with (
        fresh_database(database_admin_url()) as database_url,
        cache_namespace(redis_url()) as prefix,
    ):
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join([str(ROOT), str(EXAMPLE)]),
            "DJANGO_SETTINGS_MODULE": "tests.benchmarks.server_settings",
            "DEMO_DATABASE_URL": database_url,
            "DEMO_CACHE_URL": redis_url(),
            "DEMO_DEBUG": "0",
            "DEMO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DEMO_IDP_PORT": str(balancer),  # the issuer is the balancer's origin
            "BENCH_CACHE_PREFIX": prefix,
        }
        started: list[Server] = []
        operator = subprocess.Popen(
            [sys.executable, "-m", "tests.multinode.keys_operator"],
            cwd=ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            cluster = Cluster(
                issuer=f"http://localhost:{balancer}",
                balancer=balancer,
                servers={},
                env=env,
                database=urlsplit(database_url).path.lstrip("/"),
                session="",
                account_id="",
                stats_socket=workdir / "haproxy.sock",
                processes=started,
                operator=operator,
            )
            cluster.manage("migrate", "--noinput", "--skip-checks", "-v", "0")
            cluster.manage("seed_demo", "--skip-checks", "-v", "0")
            for name in SERVER_NAMES:
                app = "demo_idp.wsgi:application"
                server = gunicorn(name, app, env, WORKERS, workdir, free_port())
                cluster.servers[name] = server
                started.append(server)
            haproxy = _haproxy(haproxy_path, balancer, cluster.servers, workdir)
            started.append(haproxy)
            _wait_until_up(cluster, haproxy)
            cluster.session = sign_in(balancer)
            cluster.account_id = first_sign_in(balancer, cluster.session)
            yield cluster
        finally:
            if operator.stdin:
                operator.stdin.close()
            try:
                operator.wait(timeout=15)
            except subprocess.TimeoutExpired:
                operator.kill()
            for server in reversed(started):
                server.stop()
