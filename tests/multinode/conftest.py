"""Fixtures of the multinode test (docs/deployment.md, "Testing the topology").

``cluster`` serves the example IdP as two gunicorn servers behind HAProxy on a
fresh PostgreSQL database and a Redis key prefix, once per module. It runs in
the PostgreSQL pass of ``tests/run.py`` (``FEDCM_TEST_DATABASE=postgres``) and
is skipped in the SQLite pass. A missing piece (HAProxy, gunicorn, redis-py,
psycopg, the PostgreSQL or Redis server) skips it with the reason, except
under ``CI=true``, where it fails.

The figures the tests measure are printed at the end of the run.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.machine import on_ci
from tests.multinode.cluster import (
    Cluster,
    database_admin_url,
    haproxy_binary,
    reachable,
    redis_url,
    running_cluster,
)

_FIGURES: list[str] = []


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if _FIGURES:
        terminalreporter.write_sep("=", "multinode figures (two servers behind HAProxy)")
        for line in _FIGURES:
            terminalreporter.write_line(line)


@pytest.fixture(scope="session")
def multinode_report() -> Callable[[str], None]:
    """Print a figure now (``-s``) and again in the run's summary."""

    def report(line: str) -> None:
        _FIGURES.append(line)
        print(line)

    return report


def missing() -> list[str]:
    """What this machine lacks for the cluster."""
    found = []
    if haproxy_binary() is None:
        found.append("haproxy (Debian: apt-get install haproxy)")
    for module in ("gunicorn", "redis", "psycopg"):
        if importlib.util.find_spec(module) is None:
            found.append(f"the Python package {module} (pip install -e '.[test,postgres]')")
    if not reachable(database_admin_url()):
        found.append(f"a PostgreSQL server at {database_admin_url()}")
    if not reachable(redis_url()):
        found.append(f"a Redis server at {redis_url()}")
    return found


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    if os.environ.get("FEDCM_TEST_DATABASE") != "postgres":
        pytest.skip("runs in the PostgreSQL pass of tests/run.py (FEDCM_TEST_DATABASE=postgres)")
    lacking = missing()
    if lacking and on_ci():
        pytest.fail(
            f"MULTINODE TEST CANNOT RUN ON CI, missing: {'; '.join(lacking)}", pytrace=False
        )
    if lacking:
        pytest.skip(f"multinode test skipped, missing: {'; '.join(lacking)}")
    binary = haproxy_binary()
    assert binary is not None
    with running_cluster(binary, tmp_path_factory.mktemp("multinode")) as running:
        yield running
