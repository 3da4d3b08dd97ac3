"""Settings of the IdP ``bench_server.py`` drives: the example project's
production mode (``demo_idp.settings`` with ``DEMO_DATABASE_URL``,
``DEMO_CACHE_URL`` and ``DEMO_DEBUG=0``) plus the benchmark's query counter.

The ``BENCH_*`` variables let the benchmark measure the alternatives
docs/deployment.md compares; unset, the demo's own choice is what runs.
"""

from __future__ import annotations

import os

import demo_idp.settings
from demo_idp.settings import *  # noqa: F403
from demo_idp.settings import DATABASES, MIDDLEWARE

MIDDLEWARE = ["tests.benchmarks.query_count.QueryCountMiddleware", *MIDDLEWARE]

if hasattr(demo_idp.settings, "CACHES"):  # production mode: Redis
    # Keys of this run only, deleted by the benchmark when it ends.
    demo_idp.settings.CACHES["default"]["KEY_PREFIX"] = os.environ.get("BENCH_CACHE_PREFIX", "")

_connections = os.environ.get("BENCH_DB_CONNECTIONS", "")
if _connections:
    _database = DATABASES["default"]
    _database.pop("CONN_HEALTH_CHECKS", None)
    _database["OPTIONS"] = {
        key: value for key, value in _database.get("OPTIONS", {}).items() if key != "pool"
    }
    if _connections == "per-request":
        _database["CONN_MAX_AGE"] = 0
    elif _connections == "persistent":
        _database["CONN_MAX_AGE"] = 600
        _database["CONN_HEALTH_CHECKS"] = True
    elif _connections == "persistent-unchecked":
        _database["CONN_MAX_AGE"] = 600
    elif _connections in {"pool", "pool-unchecked"}:
        # One request at a time per sync worker: one connection is all it uses.
        _database["CONN_MAX_AGE"] = 0
        _database["CONN_HEALTH_CHECKS"] = _connections == "pool"
        _database["OPTIONS"]["pool"] = {"min_size": 1, "max_size": 2}
    else:
        raise ValueError(f"BENCH_DB_CONNECTIONS={_connections!r}")

_sessions = os.environ.get("BENCH_SESSION_ENGINE", "")
if _sessions:
    SESSION_ENGINE = f"django.contrib.sessions.backends.{_sessions}"

if os.environ.get("BENCH_FEDCM_CACHE") == "off":
    FEDCM_CACHE = None
