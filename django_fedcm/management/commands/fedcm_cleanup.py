"""``manage.py fedcm_cleanup [--dry-run]``: delete expired ``continue_on`` state.

Expired continuation rows are useless (their pages answer 410) but nothing
removes them on the request path, to keep the id assertion endpoint's query
count constant. Run this from cron or a scheduler, next to
django-oauth-toolkit's ``cleartokens``.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from django_fedcm.models import ContinuationRequest
from django_fedcm.services import continuations


class Command(BaseCommand):
    help = "Delete expired FedCM continuation (consent) requests."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="Only count what would be deleted."
        )

    def handle(self, *args: Any, dry_run: bool, **options: Any) -> None:
        if dry_run:
            count = ContinuationRequest.objects.filter(expires_at__lte=timezone.now()).count()
            self.stdout.write(f"Would delete {count} expired continuation request(s).")
            return
        count = continuations.delete_expired()
        self.stdout.write(f"Deleted {count} expired continuation request(s).")
