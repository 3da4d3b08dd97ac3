"""``manage.py fedcm_cleanup [--dry-run] [--metrics-days N]``: delete expired
``continue_on`` state and old browser sign-in reports.

Expired continuation rows are useless (their pages answer 410) and sign-in
reports older than the dashboard's longest period (90 days) are never shown,
but nothing removes either on the request path, to keep the endpoints' query
counts constant. Run this from cron or a scheduler, next to
django-oauth-toolkit's ``cleartokens``.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from django_fedcm.models import ContinuationRequest
from django_fedcm.services import continuations, metrics

#: The admin dashboard's longest period: older reports are never shown.
METRICS_DAYS = 90


class Command(BaseCommand):
    help = "Delete expired FedCM continuation (consent) requests."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="Only count what would be deleted."
        )
        parser.add_argument(
            "--metrics-days",
            type=int,
            default=METRICS_DAYS,
            help=f"Keep browser sign-in reports this many days (default {METRICS_DAYS}).",
        )

    def handle(self, *args: Any, dry_run: bool, metrics_days: int, **options: Any) -> None:
        if metrics_days < 1:
            raise CommandError("--metrics-days must be at least 1.")
        if dry_run:
            count = ContinuationRequest.objects.filter(expires_at__lte=timezone.now()).count()
            reports = metrics.older_than(metrics_days).count()
            self.stdout.write(f"Would delete {count} expired continuation request(s).")
            self.stdout.write(
                f"Would delete {reports} sign-in report(s) over {metrics_days} days old."
            )
            return
        count = continuations.delete_expired()
        reports = metrics.delete_older_than(metrics_days)
        self.stdout.write(f"Deleted {count} expired continuation request(s).")
        self.stdout.write(f"Deleted {reports} sign-in report(s) over {metrics_days} days old.")
