"""A sign-in racing a disconnect on PostgreSQL: the grant upsert never fails.

Before the upsert, a sign-in that read the grant just before a disconnect
deleted it saved with ``update_fields`` and got a 500. SQLite serialises
writers, so this runs on PostgreSQL only (and fails under
``FEDCM_REQUIRE_POSTGRES=1``, the CI PostgreSQL run).
"""

from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from django_fedcm.models import Grant, RelyingParty
from django_fedcm.services import grants, keys

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROUNDS = 60  # per thread; bounded, a few seconds in all


def test_sign_ins_racing_disconnects_never_fail(
    fedcm_returning: Any, fedcm_rp: RelyingParty
) -> None:
    keys.signing_key()
    data = {
        "client_id": "rp-client",
        "account_id": str(fedcm_returning.pk),
        "params": json.dumps({"nonce": "n"}),
        "disclosure_shown_for": "name,email,picture",
    }
    barrier = threading.Barrier(3, timeout=30)

    def sign_in() -> list[int]:
        client = Client()
        client.force_login(fedcm_returning)
        barrier.wait()
        statuses = []
        try:
            for _ in range(ROUNDS):
                # Every read finds a stale last use: each sign-in writes.
                Grant.objects.filter(user=fedcm_returning).update(last_used_at="2000-01-01T00:00Z")
                response = client.post(
                    "/fedcm/assertion",
                    data,
                    secure=True,
                    HTTP_HOST="idp.test",
                    HTTP_ORIGIN="https://rp.test",
                    HTTP_SEC_FETCH_DEST="webidentity",
                )
                statuses.append(response.status_code)
        finally:
            connection.close()
        return statuses

    def disconnect() -> list[int]:
        barrier.wait()
        try:
            for _ in range(ROUNDS):
                grants.revoke_grant(fedcm_returning, fedcm_rp, via="test")
        finally:
            connection.close()
        return []

    with ThreadPoolExecutor(max_workers=3) as pool:
        futures = [pool.submit(sign_in), pool.submit(sign_in), pool.submit(disconnect)]
        statuses = [s for f in futures for s in f.result(timeout=120)]
    assert len(statuses) == 2 * ROUNDS
    assert set(statuses) == {200}
