"""Demo configuration read from the environment (documented in README.md).

Shared by the IdP settings, the RP settings, ``seed_demo`` and ``demo.py``;
stdlib only so the launcher can import it before the virtualenv exists.
"""

from __future__ import annotations

import os
from pathlib import Path

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

DATABASE = Path(env("DEMO_DB", str(HERE / "demo.sqlite3")))

# A fixed development key: the signing keys are encrypted with it, so it must
# stay the same between runs. Never reuse this value outside the demo.
SECRET_KEY = env("DEMO_SECRET_KEY", "django-fedcm-demo-only-secret-key-do-not-deploy-0123456789")
