"""Demo configuration read from the environment (documented in README.md).

Shared by the IdP settings, the RP settings, ``seed_demo`` and ``demo.py``;
stdlib only so the launcher can import it before the virtualenv exists.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

HERE = Path(__file__).resolve().parent


def env(name: str, default: str) -> str:
    return os.environ.get(name, "").strip() or default


IDP_HOST = env("DEMO_IDP_HOST", "localhost")
IDP_PORT = int(env("DEMO_IDP_PORT", "8000"))
RP_HOST = env("DEMO_RP_HOST", "127.0.0.1")
RP_PORT = int(env("DEMO_RP_PORT", "8001"))

IDP_ORIGIN = f"http://{IDP_HOST}:{IDP_PORT}"
RP_ORIGIN = f"http://{RP_HOST}:{RP_PORT}"

CLIENT_ID = env("DEMO_CLIENT_ID", "demo-rp")

ADMIN_USERNAME = env("DEMO_ADMIN_USERNAME", "admin")
ADMIN_PASSWORD = env("DEMO_ADMIN_PASSWORD", "admin-demo")
ALICE_USERNAME = env("DEMO_ALICE_USERNAME", "alice")
ALICE_PASSWORD = env("DEMO_ALICE_PASSWORD", "alice-demo")
BOB_USERNAME = env("DEMO_BOB_USERNAME", "bob")
BOB_PASSWORD = env("DEMO_BOB_PASSWORD", "bob-demo")

#: The seeded accounts the demo pages name: (what for, username, password).
DEMO_ACCOUNTS = (
    ("sign in to the RP", ALICE_USERNAME, ALICE_PASSWORD),
    ("sign in to the RP", BOB_USERNAME, BOB_PASSWORD),
    ("the admin", ADMIN_USERNAME, ADMIN_PASSWORD),
)

DATABASE = Path(env("DEMO_DB", str(HERE / "demo.sqlite3")))

# A fixed development key: the signing keys are encrypted with it, so it must
# stay the same between runs. Never reuse this value outside the demo.
SECRET_KEY = env("DEMO_SECRET_KEY", "django-fedcm-demo-only-secret-key-do-not-deploy-0123456789")

# Production mode (README.md, "Production mode"): PostgreSQL, Redis, DEBUG off.
# Unset, the demo stays on SQLite and local memory.
DATABASE_URL = env("DEMO_DATABASE_URL", "")
CACHE_URL = env("DEMO_CACHE_URL", "")
DEBUG = env("DEMO_DEBUG", "1").lower() not in {"0", "false", "no", "off"}
ALLOWED_HOSTS = list(
    dict.fromkeys(
        host.strip()
        for host in env("DEMO_ALLOWED_HOSTS", f"{IDP_HOST},localhost,127.0.0.1").split(",")
        if host.strip()
    )
)


def database_from_url(url: str) -> dict[str, object]:
    """``postgres://user:password@host:port/name?sslmode=require`` as a Django
    ``DATABASES`` entry; query parameters become libpq ``OPTIONS``."""
    parts = urlsplit(url)
    if parts.scheme not in {"postgres", "postgresql"}:
        raise ValueError(f"DEMO_DATABASE_URL: expected postgres://..., got {parts.scheme!r}")
    name = unquote(parts.path.lstrip("/"))
    if not name:
        raise ValueError("DEMO_DATABASE_URL names no database (postgres://host/NAME)")
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": name,
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": parts.hostname or "",
        "PORT": str(parts.port or ""),
        "OPTIONS": dict(parse_qsl(parts.query)),
    }


def cache_from_url(url: str) -> dict[str, object]:
    """``redis://host:port/db`` (or ``rediss://``) as a Django ``CACHES`` entry."""
    if urlsplit(url).scheme not in {"redis", "rediss", "unix"}:
        raise ValueError(f"DEMO_CACHE_URL: expected redis://..., got {url!r}")
    return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}
