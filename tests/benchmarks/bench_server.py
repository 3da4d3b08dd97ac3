#!/usr/bin/env python3
"""Benchmark the example IdP served for real: ``python tests/benchmarks/bench_server.py``.

Not a test (pytest does not collect it); the method and a run's output are in
docs/benchmarks.md. It needs PostgreSQL and Redis (``--database-url``,
``--cache-url``), gunicorn and redis-py in the running environment
(``pip install -e '.[demo]'``), and uses wrk when installed.

1. Creates a fresh PostgreSQL database (dropped at the end), migrates it and
   runs ``seed_demo``: a user, a relying party and a signing key.
2. Serves the example IdP in its production mode (example_project/README.md:
   PostgreSQL, Redis, DEBUG off) under gunicorn, sync workers, 127.0.0.1, with
   ``tests/benchmarks/server_settings.py`` adding an ``X-Queries`` header.
3. Signs alice in through the IdP's login page (a real session cookie) and
   makes her first sign-in (the grant), so every measured id assertion is a
   returning user's.
4. Serves the floor (``floor.py``: a bare Django view that parses the same
   form, checks the Origin and signs one RS256 JWT, no database) the same way.
5. With ``--node`` (the default when node and npm are installed), serves the
   Node IdP too (``node_idp/server.js``: Express, a JSON-file store, as many
   cluster workers as gunicorn has), seeded with the same user, client and
   claims, signs alice in there and makes her first sign-in.
6. Drives well-known, config.json, jwks.json, accounts and the id assertion
   with the headers Chrome sends, each run preceded by a floor run and a Node
   IdP id assertion run (and, before the accounts run, a Node IdP accounts
   run), so machine noise hits all alike, ``--rounds`` times.
7. Prints req/s, p50/p99 latency, worker CPU per request (utime + stime from
   /proc), queries per request, the ratios to the floor and to the Node IdP,
   and the machine's load average and CPU count at the start and the end.

Exits non-zero on any 5xx, socket error or wrong answer (an id assertion
without a token, an accounts list without the account).
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import dataclasses
import hashlib
import json
import os
import platform
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from urllib.parse import urlencode

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
EXAMPLE = ROOT / "example_project"
NODE_IDP = HERE / "node_idp"
sys.path[:0] = [str(ROOT), str(EXAMPLE)]

from tests.benchmarks import load  # noqa: E402
from tests.benchmarks.servers import (  # noqa: E402
    Server,
    cache_namespace,
    cookies,
    free_port,
    fresh_database,
    gunicorn,
    log,
    request,
)

RP_ORIGIN = "http://127.0.0.1:8001"  # the demo RP's origin, registered by seed_demo
CLIENT_ID = "demo-rp"
USERNAME, PASSWORD = "alice", "alice-demo"
CHROME = {
    "User-Agent": (
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/145.0.0.0 Safari/537.36"
    ),
    "Accept": "application/json",
    "Sec-Fetch-Dest": "webidentity",
}


def machine() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{os.cpu_count()} CPUs, load average {one:.2f} {five:.2f} {fifteen:.2f}"


# -- the IdP -------------------------------------------------------------------


def manage(env: dict[str, str], *args: str) -> None:
    command = [sys.executable, str(EXAMPLE / "manage.py"), *args, "-v", "0"]
    subprocess.run(command, cwd=EXAMPLE, env=env, check=True, stdout=subprocess.DEVNULL)


def sign_in(port: int) -> str:
    """Alice's session cookie, through the IdP's own login page."""
    status, headers, body = request("127.0.0.1", port, "GET", "/accounts/login/", {})
    csrf_cookie = cookies(headers)
    match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
    if status != 200 or match is None:
        raise SystemExit(f"login page: HTTP {status}")
    form = {"csrfmiddlewaretoken": match.group(1).decode(), "username": USERNAME}
    form["password"] = PASSWORD
    cookie = "; ".join(f"{k}={v}" for k, v in csrf_cookie.items())
    status, headers, _ = request(
        "127.0.0.1",
        port,
        "POST",
        "/accounts/login/",
        {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie},
        urlencode(form).encode(),
    )
    session = cookies(headers).get("demo_idp_session")
    if status != 302 or not session:
        raise SystemExit(f"sign-in failed: HTTP {status}")
    return f"demo_idp_session={session}"


def assertion_body(account_id: str, *, first: bool) -> bytes:
    """The form Chrome posts (nonce inside ``params``, as Chrome 145 sends it)."""
    form = {
        "client_id": CLIENT_ID,
        "account_id": account_id,
        "params": json.dumps({"nonce": secrets.token_urlsafe(16)}, separators=(",", ":")),
        "disclosure_text_shown": "true" if first else "false",
        "is_auto_selected": "false",
    }
    if first:  # the first sign-in: the browser showed the disclosure, the grant is made
        form["disclosure_shown_for"] = "name,email,picture"
    return urlencode(form).encode()


ENDPOINTS = ["well-known", "config.json", "jwks.json", "accounts", "id assertion"]


def targets(idp: int, session: str, account_id: str) -> dict[str, load.Target]:
    credentialed = {**CHROME, "Cookie": session}
    post = {
        **credentialed,
        "Origin": RP_ORIGIN,
        "Content-Type": "application/x-www-form-urlencoded",
        "Sec-Fetch-Mode": "cors",
        "Sec-Fetch-Site": "cross-site",
    }

    def get(path: str, headers: dict[str, str], expect: bytes) -> load.Target:
        return load.Target("127.0.0.1", idp, "GET", path, headers, None, expect)

    body = assertion_body(account_id, first=False)
    return {
        "well-known": get("/.well-known/web-identity", CHROME, b"provider_urls"),
        "config.json": get("/fedcm/config.json", CHROME, b"accounts_endpoint"),
        # Fetched by the RP's backend, not by Chrome: no FedCM headers.
        "jwks.json": get("/fedcm/jwks.json", {"Accept": "application/json"}, b'"keys"'),
        "accounts": get("/fedcm/accounts", credentialed, f'"{account_id}"'.encode()),
        "id assertion": load.Target(
            "127.0.0.1", idp, "POST", "/fedcm/assertion", post, body, b'"token"'
        ),
    }


def first_sign_in(port: int, session: str) -> str:
    """The account id from the accounts endpoint, then one assertion that makes the grant."""
    headers = {**CHROME, "Cookie": session}
    status, _, body = request("127.0.0.1", port, "GET", "/fedcm/accounts", headers)
    if status != 200:
        raise SystemExit(f"accounts: HTTP {status} {body[:300]!r}")
    account_id = str(json.loads(body)["accounts"][0]["id"])
    post = {**headers, "Origin": RP_ORIGIN, "Content-Type": "application/x-www-form-urlencoded"}
    body = assertion_body(account_id, first=True)
    status, _, answer = request("127.0.0.1", port, "POST", "/fedcm/assertion", post, body)
    if status != 200 or b'"token"' not in answer:
        raise SystemExit(f"first id assertion: HTTP {status} {answer[:300]!r}")
    return account_id


# -- measuring -----------------------------------------------------------------


@dataclass
class Tally:
    """One endpoint's runs added up."""

    requests: int = 0
    seconds: float = 0.0
    cpu_seconds: float = 0.0
    client_cpu_seconds: float = 0.0
    queries: int = 0
    runs: int = 0
    p50: float = 0.0  # summed over runs; averaged when read
    p99: float = 0.0

    def add(self, outcome: load.Outcome, cpu_seconds: float) -> None:
        self.requests += outcome.requests
        self.seconds += outcome.seconds
        self.cpu_seconds += cpu_seconds
        self.client_cpu_seconds += outcome.client_cpu_s
        self.queries += outcome.queries
        self.runs += 1
        self.p50 += outcome.p50_ms
        self.p99 += outcome.p99_ms

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def cpu_ms(self) -> float:
        return 1000 * self.cpu_seconds / self.requests if self.requests else 0.0

    def row(self, name: str) -> dict[str, float | int | str]:
        requests = self.requests or 1
        return {
            "endpoint": name,
            "requests": self.requests,
            "req/s": round(self.rps, 1),
            "p50 ms": round(self.p50 / self.runs, 2),
            "p99 ms": round(self.p99 / self.runs, 2),
            "CPU ms/req": round(self.cpu_ms, 2),
            "queries/req": round(self.queries / requests, 2),
            "client CPU ms/req": round(1000 * self.client_cpu_seconds / requests, 3),
        }


def drive(
    generator: str, server: Server, target: load.Target, concurrency: int, duration: float
) -> tuple[load.Outcome, float]:
    """One run; the server's worker CPU seconds over it."""
    pids = server.workers()
    before = server.cpu_seconds(pids)
    outcome = load.run(generator, target, concurrency=concurrency, duration=duration)
    if server.workers() != pids:
        raise SystemExit(f"{server.name}: a worker was replaced during the run")
    cpu = server.cpu_seconds(pids) - before
    failures = outcome.server_errors + outcome.bad + outcome.socket_errors
    if failures:
        raise SystemExit(
            f"FAILED {server.name} {target.method} {target.path}: {outcome.server_errors} 5xx, "
            f"{outcome.bad} wrong answers, {outcome.socket_errors} socket errors "
            f"in {outcome.requests} requests; e.g. {outcome.samples[:2]}\n"
            f"{server.name} log, last lines:\n{server.log_path.read_text()[-2000:]}"
        )
    return outcome, cpu


def table(rows: list[dict[str, float | int | str]]) -> str:
    columns = list(rows[0])
    lines = ["| " + " | ".join(columns) + " |", "|---" + "|---:" * (len(columns) - 1) + "|"]
    lines += ["| " + " | ".join(str(row[c]) for c in columns) + " |" for row in rows]
    return "\n".join(lines)


def versions(generator: str) -> str:
    found = [f"Python {platform.python_version()}"]
    for package in ("django", "gunicorn", "psycopg", "jwcrypto", "redis"):
        with contextlib.suppress(metadata.PackageNotFoundError):
            found.append(f"{package} {metadata.version(package)}")
    if generator == "wrk":
        banner = subprocess.run(["wrk", "-v"], capture_output=True, text=True, check=False)
        found.append(banner.stdout.split(" [")[0] or "wrk")
    else:
        found.append("Python load generator (http.client, one process per connection)")
    return ", ".join(found)


#: ``--compare``: alternatives served side by side, each by its own gunicorn
#: (server_settings.py reads the variables).
VARIANTS: dict[str, list[tuple[str, dict[str, str]]]] = {
    "db-connections": [
        ("persistent", {"BENCH_DB_CONNECTIONS": "persistent"}),
        ("persistent, no health check", {"BENCH_DB_CONNECTIONS": "persistent-unchecked"}),
        ("pool", {"BENCH_DB_CONNECTIONS": "pool"}),
        ("pool, no health check", {"BENCH_DB_CONNECTIONS": "pool-unchecked"}),
        ("per request", {"BENCH_DB_CONNECTIONS": "per-request"}),
    ],
    "sessions": [
        ("cached_db", {"BENCH_SESSION_ENGINE": "cached_db"}),
        ("db", {"BENCH_SESSION_ENGINE": "db"}),
        ("cache", {"BENCH_SESSION_ENGINE": "cache"}),
    ],
    "fedcm-cache": [
        ("FEDCM_CACHE on", {}),
        ("FEDCM_CACHE off", {"BENCH_FEDCM_CACHE": "off"}),
    ],
}


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=5.0, help="seconds per run (5)")
    parser.add_argument("--concurrency", type=int, default=8, help="requests in flight (8)")
    parser.add_argument("--rounds", type=int, default=2, help="runs per endpoint (2)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers (2)")
    parser.add_argument("--quick", action="store_true", help="one round of 2-second runs")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres"),
        help="any database of the PostgreSQL server; the benchmark creates its own beside it",
    )
    parser.add_argument(
        "--cache-url", default=os.environ.get("BENCH_CACHE_URL", "redis://127.0.0.1:6379/0")
    )
    parser.add_argument("--load-generator", choices=["auto", "wrk", "python"], default="auto")
    parser.add_argument(
        "--compare",
        choices=sorted(VARIANTS),
        help="serve these alternatives to the demo's settings side by side (docs/deployment.md)",
    )
    parser.add_argument(
        "--only", nargs="+", choices=ENDPOINTS, metavar="ENDPOINT", help="measure only these"
    )
    parser.add_argument("--json", metavar="PATH", help="also write the rows as JSON")
    parser.add_argument(
        "--node",
        action=argparse.BooleanOptionalAction,
        help="also serve and measure the Node IdP (node_idp/); default: when node and npm are "
        "installed and its packages are or can be installed with npm ci",
    )
    options = parser.parse_args(argv)
    if options.quick:
        options.duration, options.rounds = 2.0, 1
    if options.duration <= 0 or options.rounds < 1 or options.concurrency < 1:
        parser.error("need --duration > 0, --rounds >= 1, --concurrency >= 1")
    return options


def environment(options: argparse.Namespace, database_url: str, prefix: str) -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), str(EXAMPLE)]),
        "DJANGO_SETTINGS_MODULE": "tests.benchmarks.server_settings",
        "DEMO_DATABASE_URL": database_url,
        "DEMO_CACHE_URL": options.cache_url,
        "DEMO_DEBUG": "0",
        "DEMO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "BENCH_CACHE_PREFIX": prefix,
    }


@dataclass
class Idp:
    """One IdP server, signed in."""

    label: str  # "" for the demo's own settings, else the variant's name
    server: Server
    targets: dict[str, load.Target]

    def name(self, endpoint: str) -> str:
        return f"{endpoint} [{self.label}]" if self.label else endpoint


def start_idp(label: str, env: dict[str, str], options: argparse.Namespace, logs: Path) -> Idp:
    # The issuer (FEDCM_ISSUER) names the IdP's port, so choose it first.
    port = free_port()
    idp_env = {**env, "DEMO_IDP_PORT": str(port)}
    name = f"idp {label}" if label else "idp"
    server = gunicorn(name, "demo_idp.wsgi:application", idp_env, options.workers, logs, port)
    session = sign_in(port)
    account_id = first_sign_in(port, session)
    return Idp(label, server, targets(port, session, account_id))


def assertion_account(idp: Idp) -> str:
    """The account id the IdP's id assertion target signs in."""
    found = re.search(r"account_id=([^&]+)", (idp.targets["id assertion"].body or b"").decode())
    return found.group(1) if found else ""


def start_floor(idp: Idp, env: dict[str, str], options: argparse.Namespace, logs: Path) -> Idp:
    """The floor, sent the same request as the IdP's id assertion."""
    assertion = idp.targets["id assertion"]
    floor_env = {
        **env,
        "DJANGO_SETTINGS_MODULE": "tests.benchmarks.floor",
        "BENCH_FLOOR_ACCOUNT_ID": assertion_account(idp),
        "BENCH_FLOOR_ORIGINS": RP_ORIGIN,
        "BENCH_FLOOR_CLIENT_ID": CLIENT_ID,
    }
    app = "django.core.wsgi:get_wsgi_application()"
    server = gunicorn("floor", app, floor_env, options.workers, logs, free_port())
    return Idp("", server, {"floor": dataclasses.replace(assertion, port=server.port)})


# -- the Node IdP ----------------------------------------------------------------


def node_unavailable() -> str:
    """Why the Node IdP cannot be served here; "" when it can (after ``npm ci`` if needed)."""
    npm = shutil.which("npm")
    if not shutil.which("node") or not npm:
        return "node or npm is not on PATH"
    if not (NODE_IDP / "node_modules" / "express").is_dir():
        log("node IdP: npm ci")
        command = [npm, "ci", "--no-audit", "--no-fund"]
        try:
            done = subprocess.run(
                command, cwd=NODE_IDP, capture_output=True, text=True, timeout=300, check=False
            )
        except subprocess.TimeoutExpired:
            return "npm ci did not finish in 300 s"
        if done.returncode:
            return f"npm ci failed: {(done.stderr or done.stdout).strip()[-300:]}"
    return ""


def node_versions() -> str:
    node = subprocess.run(["node", "--version"], capture_output=True, text=True, check=True)
    express = json.loads((NODE_IDP / "node_modules" / "express" / "package.json").read_text())
    return f"node {node.stdout.strip()}, express {express['version']}"


def node_store(path: Path, account_id: str) -> None:
    """The Node IdP's JSON file: alice with the demo's password and the claims the demo IdP
    and the floor sign (same account id), and the demo RP's client id and origin."""
    salt, iterations = secrets.token_urlsafe(12), 600_000
    digest = hashlib.pbkdf2_hmac("sha256", PASSWORD.encode(), salt.encode(), iterations)
    alice = {
        "id": account_id,
        "username": USERNAME,
        "password": f"pbkdf2_sha256${iterations}${salt}${base64.b64encode(digest).decode()}",
        "name": "Alice Example",
        "given_name": "Alice",
        "family_name": "Example",
        "email": "alice@example.com",
        "email_verified": False,
        "login_hints": ["alice@example.com", USERNAME],
        "domain_hints": ["example.com"],
    }
    store = {
        "users": {account_id: alice},
        "clients": {CLIENT_ID: {"origins": [RP_ORIGIN]}},
        "grants": {},
        "sessions": {},
    }
    path.write_text(json.dumps(store, indent=2))


def start_node(idp: Idp, options: argparse.Namespace, logs: Path, store_dir: Path) -> Idp:
    """The Node IdP on a store of its own, alice signed in and her first sign-in made."""
    account_id = assertion_account(idp)
    store_dir.mkdir()
    store = store_dir / "store.json"
    node_store(store, account_id)
    port = free_port()
    env = {
        **os.environ,
        "NODE_ENV": "production",
        "NODE_IDP_PORT": str(port),
        "NODE_IDP_STORE": str(store),
        "NODE_IDP_WORKERS": str(options.workers),
        "NODE_IDP_ISSUER": f"http://127.0.0.1:{port}",
        "NODE_IDP_CONNECTION_CLOSE": "1",  # one connection per request, as with gunicorn
    }
    log_path = logs / "node.log"
    with log_path.open("wb") as output:
        process = subprocess.Popen(
            ["node", "server.js"], cwd=NODE_IDP, env=env, stdout=output, stderr=subprocess.STDOUT
        )
    server = Server("node", port, process, log_path)  # the cluster primary; its children work
    try:
        deadline = time.monotonic() + 60
        while len(server.workers()) < options.workers or not answers(port):
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"node IdP did not start:\n{log_path.read_text()[-3000:]}")
            time.sleep(0.2)
        log(f"node: node IdP on 127.0.0.1:{port}, cluster workers {server.workers()}")
        form = urlencode({"username": USERNAME, "password": PASSWORD}).encode()
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        status, answer, _ = request("127.0.0.1", port, "POST", "/signin", headers, form)
        session = cookies(answer).get("node_idp_session")
        if status != 204 or not session:
            raise SystemExit(f"node IdP sign-in failed: HTTP {status}")
        cookie = f"node_idp_session={session}"
        if first_sign_in(port, cookie) != account_id:
            raise SystemExit("node IdP: its accounts endpoint names another account")
        if CLIENT_ID not in json.loads(store.read_text())["grants"].get(account_id, {}):
            raise SystemExit("node IdP: the first sign-in's grant is not in its store file")
    except BaseException:
        server.stop()
        raise
    both = targets(port, cookie, account_id)
    return Idp(
        "", server, {"node id assertion": both["id assertion"], "node accounts": both["accounts"]}
    )


def answers(port: int) -> bool:
    try:
        request("127.0.0.1", port, "GET", "/", {})
    except OSError:
        return False
    return True


def measure(options: argparse.Namespace, logs: Path, database_url: str, prefix: str) -> int:
    generator = load.choose(options.load_generator)
    env = environment(options, database_url, prefix)
    manage(env, "migrate", "--noinput", "--skip-checks")
    manage(env, "seed_demo", "--skip-checks")
    variants = VARIANTS[options.compare] if options.compare else [("", {})]
    endpoints = options.only or ENDPOINTS
    started: list[Server] = []
    tallies: dict[str, Tally] = {}
    node_store_dir = logs / "node-idp"
    try:
        idps = []
        for label, overrides in variants:
            idps.append(start_idp(label, {**env, **overrides}, options, logs))
            started.append(idps[-1].server)
        floor = start_floor(idps[0], env, options, logs)
        started.append(floor.server)
        node = start_node(idps[0], options, logs, node_store_dir) if options.node else None
        if node:
            started.append(node.server)
        # Floor, the Node IdP, then each IdP, for every endpoint: machine noise hits
        # them alike. The Node IdP's accounts run goes just before the IdP's.
        schedule: list[tuple[Idp, str]] = []
        for endpoint in endpoints:
            schedule.append((floor, "floor"))
            if node:
                schedule.append((node, "node id assertion"))
                if endpoint == "accounts":
                    schedule.append((node, "node accounts"))
            schedule += [(idp, endpoint) for idp in idps]
        log(f"load generator: {generator}; warming up")
        for idp, endpoint in schedule:
            drive(generator, idp.server, idp.targets[endpoint], options.concurrency, 1)
        for round_number in range(options.rounds):
            for idp, endpoint in schedule:
                target = idp.targets[endpoint]
                outcome, cpu = drive(
                    generator, idp.server, target, options.concurrency, options.duration
                )
                name = idp.name(endpoint)
                tallies.setdefault(name, Tally()).add(outcome, cpu)
                rps = outcome.requests / outcome.seconds
                cpu_ms = 1000 * cpu / max(outcome.requests, 1)
                log(f"round {round_number + 1} {name}: {rps:.0f} req/s, {cpu_ms:.2f} CPU ms")
    finally:
        for server in started:
            server.stop()
        shutil.rmtree(node_store_dir, ignore_errors=True)
    report(tallies, [idp.label for idp in idps], options)
    return 0


def report(tallies: dict[str, Tally], labels: list[str], options: argparse.Namespace) -> None:
    floor = tallies.pop("floor")
    node: dict[str, Tally] = {
        name: tallies.pop(name)
        for name in ("node id assertion", "node accounts")
        if name in tallies
    }
    rows = [tally.row(name) for name, tally in tallies.items()] + [floor.row("floor")]
    rows += [tally.row(name) for name, tally in node.items()]
    print(table(rows))
    print()
    for label in labels:
        suffix = f" [{label}]" if label else ""
        assertion = tallies.get(f"id assertion{suffix}")
        if assertion:
            print(
                f"id assertion{suffix} / floor: {assertion.rps / floor.rps:.2f} x the req/s, "
                f"{assertion.cpu_ms / floor.cpu_ms:.2f} x the CPU per request"
            )
        accounts, config = tallies.get(f"accounts{suffix}"), tallies.get(f"config.json{suffix}")
        if accounts and config:
            print(
                f"accounts{suffix} / config.json{suffix}: {accounts.rps / config.rps:.2f} x the "
                f"req/s, {accounts.cpu_ms / config.cpu_ms:.2f} x the CPU per request"
            )
        for endpoint in ("id assertion", "accounts"):
            ours, theirs = tallies.get(f"{endpoint}{suffix}"), node.get(f"node {endpoint}")
            if ours and theirs:
                print(
                    f"{endpoint}{suffix} / node {endpoint}: {ours.rps / theirs.rps:.2f} x the "
                    f"req/s, {ours.cpu_ms / theirs.cpu_ms:.2f} x the CPU per request"
                )
    node_assertion = node.get("node id assertion")
    if node_assertion:
        print(
            f"node id assertion / floor: {node_assertion.rps / floor.rps:.2f} x the req/s, "
            f"{node_assertion.cpu_ms / floor.cpu_ms:.2f} x the CPU per request"
        )
    if options.json:
        Path(options.json).write_text(json.dumps(rows, indent=2) + "\n")


def stop_on_signal(signum: int, frame: object) -> None:
    raise KeyboardInterrupt  # the finally blocks stop the servers and drop the database


def main(argv: list[str] | None = None) -> int:
    options = parse_args(argv)
    signal.signal(signal.SIGTERM, stop_on_signal)
    signal.signal(signal.SIGINT, stop_on_signal)  # even when started in the background
    start = machine()
    generator = load.choose(options.load_generator)
    print(f"start: {start}")
    print(versions(generator))
    compared = ", ".join(label for label, _ in VARIANTS[options.compare]) if options.compare else ""
    why_not = "--no-node" if options.node is False else node_unavailable()
    if why_not and options.node:
        raise SystemExit(f"--node: {why_not}")
    options.node = not why_not
    print(
        f"gunicorn {options.workers} sync workers per server, concurrency "
        f"{options.concurrency}, {options.rounds} x {options.duration:g} s per endpoint"
        + (f"; compared: {compared}" if compared else "; the demo's production settings")
    )
    if options.node:
        print(f"node IdP: {node_versions()}, {options.workers} cluster workers, JSON-file store")
    else:
        print(f"node IdP: not measured ({why_not})")
    print()
    with (
        tempfile.TemporaryDirectory(prefix="fedcm-bench-") as logs,
        fresh_database(options.database_url) as database_url,
        cache_namespace(options.cache_url) as prefix,
    ):
        status = measure(options, Path(logs), database_url, prefix)
    print()
    print(f"start: {start}")
    print(f"end:   {machine()}")
    return status


if __name__ == "__main__":
    sys.exit(main())
