"""Concurrent ``keys.rotate()`` on PostgreSQL: row locks plus the partial
unique index must leave exactly one active key, whatever the interleaving.

SQLite serialises writers on a file lock, so it proves nothing here: the
module skips there, except when ``FEDCM_REQUIRE_POSTGRES=1`` (the CI
PostgreSQL run), where a skip would hide a misconfigured job, so it fails.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.db import connection

from django_fedcm.models import SigningKey
from django_fedcm.services import keys

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 8  # more than keys._ROTATE_ATTEMPTS: losing a race must queue, not fail


def run_concurrently(task: Callable[[], Any], count: int = THREADS) -> list[Any]:
    barrier = threading.Barrier(count, timeout=30)

    def worker() -> Any:
        try:
            barrier.wait()
            return task()
        finally:
            connection.close()  # each thread has its own connection

    with ThreadPoolExecutor(max_workers=count) as pool:
        futures = [pool.submit(worker) for _ in range(count)]
        return [f.result(timeout=120) for f in futures]


def assert_rotation_chain(results: list[keys.RotationResult], initial: str | None) -> None:
    """Every rotation retired exactly the key activated just before it."""
    activated = [r.activated.kid for r in results]
    retired = [r.retired.kid if r.retired else None for r in results]
    assert len(set(activated)) == len(results)
    # Each previously active key (the initial one and all but the last new one)
    # was retired by exactly one rotation.
    final = SigningKey.objects.get(state="active").kid
    assert sorted(retired, key=str) == sorted([initial, *(set(activated) - {final})], key=str)
    assert final in activated


def test_concurrent_first_rotations_leave_exactly_one_active_key() -> None:
    results = run_concurrently(lambda: keys.rotate("ES256"))
    assert SigningKey.objects.filter(state="active").count() == 1
    assert SigningKey.objects.filter(state="retired").count() == THREADS - 1
    assert SigningKey.objects.count() == THREADS
    assert sum(r.retired is None for r in results) == 1
    assert_rotation_chain(results, None)


def test_concurrent_rotations_of_an_existing_key(fedcm_make_key: Callable[..., SigningKey]) -> None:
    initial = fedcm_make_key("EdDSA")
    results = run_concurrently(lambda: keys.rotate("ES256"))
    assert SigningKey.objects.filter(state="active").count() == 1
    assert SigningKey.objects.filter(state="retired").count() == THREADS
    assert SigningKey.objects.count() == THREADS + 1
    assert_rotation_chain(results, initial.kid)
    keys.clear_cache()
    assert keys.signing_key().kid == SigningKey.objects.get(state="active").kid


def test_concurrent_rotations_promote_the_next_key_once(
    fedcm_make_key: Callable[..., SigningKey],
) -> None:
    initial = fedcm_make_key("RS256")
    upcoming = fedcm_make_key("ES256", state="next")
    results = run_concurrently(lambda: keys.rotate())
    assert sum(not r.created for r in results) == 1
    assert next(r for r in results if not r.created).activated.kid == upcoming.kid
    assert SigningKey.objects.filter(state="active").count() == 1
    assert not SigningKey.objects.filter(state="next").exists()
    assert_rotation_chain(results, initial.kid)
