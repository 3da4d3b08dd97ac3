#!/usr/bin/env python3
"""Benchmark the hot FedCM endpoints in-process: ``python tests/benchmarks/bench_endpoints.py``.

Not a test (pytest does not collect it). Django's test ``Client`` against an
in-memory SQLite database seeded with one user, one relying party and an
active RS256 key, using ``tests.settings``. For each endpoint (config,
well-known, JWKS, accounts, id assertion) it first checks the answer is the
real thing (status and body shape), warms up, then times requests until
``--iterations`` or ``--seconds`` is reached, whichever comes first, and
prints requests/second, mean and p95 latency, mean CPU time and queries per
request. CPU time is the figure to compare on a busy machine: wall-clock
latency there includes time spent waiting for a core.

The figures measure the app plus Django's request cycle (middleware, URL
resolution, JSON encoding), not a network or WSGI server. Results are in
docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.urls import reverse  # noqa: E402
from oauth2_provider.models import Application  # noqa: E402

from django_fedcm.adapter import get_adapter  # noqa: E402
from django_fedcm.models import RelyingParty  # noqa: E402
from django_fedcm.services import keys  # noqa: E402

IDP_HOST = "idp.test"
RP_ORIGIN = "https://rp.test"
CLIENT_ID = "bench-rp"
WEBIDENTITY = {"HTTP_SEC_FETCH_DEST": "webidentity", "HTTP_ACCEPT": "application/json"}


@dataclass
class Endpoint:
    name: str
    send: Callable[[], Any]
    check: Callable[[Any], bool]


@dataclass
class Result:
    name: str
    requests: int
    seconds: float
    mean_ms: float
    p95_ms: float
    cpu_ms: float
    queries: int

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def seed() -> tuple[Any, str]:
    """Tables, one user, one RP, one active key. Returns (user, account id)."""
    from django.contrib.auth import get_user_model

    call_command("migrate", verbosity=0, interactive=False)
    user = get_user_model().objects.create_user(
        "alice", "alice@example.com", "bench-password", first_name="Alice", last_name="Example"
    )
    application = Application.objects.create(
        client_id=CLIENT_ID,
        name="Bench RP",
        client_type=Application.CLIENT_PUBLIC,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris=f"{RP_ORIGIN}/callback",
        allowed_origins=RP_ORIGIN,
        algorithm=Application.RS256_ALGORITHM,
    )
    RelyingParty.objects.create(
        application=application,
        terms_of_service_url=f"{RP_ORIGIN}/terms",
        privacy_policy_url=f"{RP_ORIGIN}/privacy",
    )
    keys.rotate("RS256")
    return user, get_adapter().get_account_id(user)


def endpoints(client: Client, account_id: str) -> list[Endpoint]:
    def get(name: str) -> Callable[[], Any]:
        url = reverse(f"django_fedcm:{name}")
        return lambda: client.get(url, secure=True, HTTP_HOST=IDP_HOST, **WEBIDENTITY)

    assertion_url = reverse("django_fedcm:id_assertion")
    assertion_body = urlencode(
        {
            "client_id": CLIENT_ID,
            "account_id": account_id,
            "nonce": "bench-nonce",
            "disclosure_text_shown": "true",
            "disclosure_shown_for": "name,email,picture",
            "is_auto_selected": "false",
        }
    )

    def assertion() -> Any:
        return client.post(
            assertion_url,
            assertion_body,
            content_type="application/x-www-form-urlencoded",
            secure=True,
            HTTP_HOST=IDP_HOST,
            HTTP_ORIGIN=RP_ORIGIN,
            HTTP_SEC_FETCH_MODE="cors",
            HTTP_SEC_FETCH_SITE="cross-site",
            **WEBIDENTITY,
        )

    def ok_json(key: str) -> Callable[[Any], bool]:
        return lambda r: r.status_code == 200 and key in json.loads(r.content)

    return [
        Endpoint("config", get("config"), ok_json("accounts_endpoint")),
        Endpoint("well_known", get("well_known"), ok_json("provider_urls")),
        Endpoint("jwks", get("jwks"), ok_json("keys")),
        Endpoint("accounts", get("accounts"), ok_json("accounts")),
        Endpoint("id_assertion", assertion, ok_json("token")),
    ]


def measure(endpoint: Endpoint, iterations: int, seconds: float, warmup: int) -> Result:
    response = endpoint.send()
    if not endpoint.check(response):
        raise SystemExit(
            f"{endpoint.name}: unexpected answer {response.status_code} {response.content[:300]!r}"
        )
    for _ in range(warmup):
        endpoint.send()
    # Every request clears the query log (request_started → reset_queries), so
    # start from an empty log and count before the next request empties it.
    reset_queries()
    with CaptureQueriesContext(connection) as captured:
        endpoint.send()
    queries = len(captured.captured_queries)
    samples: list[float] = []
    started = time.perf_counter()
    cpu_started = time.process_time()
    deadline = started + seconds
    while len(samples) < iterations and time.perf_counter() < deadline:
        t0 = time.perf_counter()
        endpoint.send()
        samples.append(time.perf_counter() - t0)
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    return Result(
        name=endpoint.name,
        requests=len(samples),
        seconds=elapsed,
        mean_ms=statistics.fmean(samples) * 1000,
        p95_ms=p95 * 1000,
        cpu_ms=cpu / len(samples) * 1000,
        queries=queries,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--iterations", type=int, default=2000, help="max requests per endpoint")
    parser.add_argument("--seconds", type=float, default=5.0, help="max seconds per endpoint")
    parser.add_argument("--warmup", type=int, default=20, help="untimed requests first")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args(argv)
    if args.iterations < 1 or not 0 < args.seconds <= 120 or args.warmup < 0:
        parser.error("need iterations >= 1, 0 < seconds <= 120, warmup >= 0")

    setup_test_environment()
    user, account_id = seed()
    client = Client()
    client.force_login(user)
    results = [
        measure(endpoint, args.iterations, args.seconds, args.warmup)
        for endpoint in endpoints(client, account_id)
    ]

    if args.json:
        print(json.dumps([{**vars(r), "rps": round(r.rps, 1)} for r in results], indent=2))
        return 0
    print(
        f"django-fedcm endpoint benchmark: Python {platform.python_version()}, "
        f"Django {django.get_version()}, SQLite in memory, {os.cpu_count()} CPUs, "
        f"<= {args.iterations} requests or {args.seconds:g}s per endpoint"
    )
    print(
        f"{'endpoint':<14}{'requests':>9}{'req/s':>9}{'mean ms':>9}{'p95 ms':>9}"
        f"{'CPU ms':>9}{'queries':>9}"
    )
    for r in results:
        print(
            f"{r.name:<14}{r.requests:>9}{r.rps:>9.0f}{r.mean_ms:>9.2f}{r.p95_ms:>9.2f}"
            f"{r.cpu_ms:>9.2f}{r.queries:>9}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
