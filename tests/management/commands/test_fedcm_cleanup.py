from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from django_fedcm.models import ContinuationRequest, RelyingParty, SignInMetric

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


def _report(days_ago: int) -> SignInMetric:
    hour = timezone.now().replace(minute=0, second=0, microsecond=0)
    return SignInMetric.objects.create(
        outcome="success", recorded_at=hour - timedelta(days=days_ago)
    )


def test_cleanup_deletes_old_sign_in_reports(db: None) -> None:
    keep, old = _report(10), _report(91)
    out = StringIO()
    call_command("fedcm_cleanup", "--dry-run", stdout=out)
    assert "Would delete 1 sign-in report(s) over 90 days old" in out.getvalue()
    assert SignInMetric.objects.count() == 2
    call_command("fedcm_cleanup", stdout=out)
    assert list(SignInMetric.objects.values_list("pk", flat=True)) == [keep.pk]
    assert not SignInMetric.objects.filter(pk=old.pk).exists()
    call_command("fedcm_cleanup", "--metrics-days", "5", stdout=out)
    assert SignInMetric.objects.count() == 0


def test_cleanup_refuses_a_period_under_a_day(db: None) -> None:
    with pytest.raises(CommandError, match="at least 1"):
        call_command("fedcm_cleanup", "--metrics-days", "0")
