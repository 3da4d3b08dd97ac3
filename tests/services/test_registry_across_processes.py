"""The registry cache across processes: a client disabled by one server
process is refused by another on its very next request.

Two real processes share PostgreSQL and a cache on disk (FileBasedCache, the
same contract as Redis: a store every process reads). SQLite's in-memory test
database cannot be shared with a subprocess, so this runs on PostgreSQL only
(and fails under ``FEDCM_REQUIRE_POSTGRES=1``, the CI PostgreSQL run).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from django_fedcm.models import RelyingParty

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]

DISABLE = """
import django
django.setup()
from django_fedcm.models import RelyingParty
from django_fedcm.services import registrations
registrations.set_enabled(None, RelyingParty.objects.get(application__client_id="rp-client"), False)
"""


def client_metadata(client: Client) -> Any:
    return client.get(
        "/fedcm/client_metadata",
        {"client_id": "rp-client"},
        secure=True,
        HTTP_HOST="idp.test",
        HTTP_ORIGIN="https://rp.test",
        HTTP_SEC_FETCH_DEST="webidentity",
    )


def test_a_client_disabled_in_another_process_is_refused_on_the_next_request(
    tmp_path: Path,
    settings: Any,
    fedcm_rp: RelyingParty,
    client: Client,
    django_assert_num_queries: Any,
) -> None:
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(tmp_path),
        }
    }
    settings.FEDCM_CACHE = "default"
    assert client_metadata(client).status_code == 200
    with django_assert_num_queries(0):  # served from the shared cache
        assert client_metadata(client).status_code == 200

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "FEDCM_TEST_DATABASE": "postgres",
        "PGDATABASE": connection.settings_dict["NAME"],
        "FEDCM_TEST_CACHE_DIR": str(tmp_path),
    }
    subprocess.run([sys.executable, "-c", DISABLE], cwd=ROOT, env=env, check=True, timeout=60)

    assert client_metadata(client).status_code == 404
