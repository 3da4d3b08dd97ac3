from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from django_fedcm.models import ContinuationRequest, RelyingParty

pytestmark = pytest.mark.django_db


def _continuation(user: Any, rp: RelyingParty, ref: str, expires_in: int) -> ContinuationRequest:
    return ContinuationRequest.objects.create(
        reference_hash=ref,
        user=user,
        relying_party=rp,
        origin="https://rp.test",
        account_id=str(user.pk),
        expires_at=timezone.now() + timedelta(seconds=expires_in),
    )


@pytest.fixture
def rows(fedcm_user: Any, fedcm_rp: RelyingParty) -> Callable[[], list[str]]:
    _continuation(fedcm_user, fedcm_rp, "a" * 64, -5)
    _continuation(fedcm_user, fedcm_rp, "b" * 64, -3600)
    _continuation(fedcm_user, fedcm_rp, "c" * 64, 600)
    return lambda: sorted(ContinuationRequest.objects.values_list("reference_hash", flat=True))


def test_cleanup_deletes_only_expired(rows: Callable[[], list[str]]) -> None:
    out = StringIO()
    call_command("fedcm_cleanup", stdout=out)
    assert "Deleted 2 expired" in out.getvalue()
    assert rows() == ["c" * 64]


def test_cleanup_dry_run_changes_nothing(rows: Callable[[], list[str]]) -> None:
    out = StringIO()
    call_command("fedcm_cleanup", "--dry-run", stdout=out)
    assert "Would delete 2 expired" in out.getvalue()
    assert len(rows()) == 3
