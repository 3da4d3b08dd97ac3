"""``manage.py seed_demo``: idempotent demo data.

Safe to run on every start: it creates what is missing, resets the demo
users' passwords and profile hints to the configured values, and rotates the
signing key only when there is no active key.
"""

from __future__ import annotations

from typing import Any

import demo_env
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from oauth2_provider.models import get_application_model

from django_fedcm.models import AccountProfile, RelyingParty, SigningKey
from django_fedcm.services import keys

DEMO_USERS = [
    {
        "username": demo_env.ALICE_USERNAME,
        "password": demo_env.ALICE_PASSWORD,
        "first_name": "Alice",
        "last_name": "Example",
        "email": "alice@example.com",
        "login_hints": ["alice@example.com", "alice"],
        "domain_hints": ["example.com"],
        "label_hints": ["work"],  # offered by the "work" config too
    },
    {
        "username": demo_env.BOB_USERNAME,
        "password": demo_env.BOB_PASSWORD,
        "first_name": "Bob",
        "last_name": "Sample",
        "email": "bob@example.org",
        "login_hints": ["bob@example.org", "bob"],
        "domain_hints": ["example.org"],
        "label_hints": [],
    },
]


class Command(BaseCommand):
    help = "Create or refresh the demo users, the demo relying party and a signing key."

    def handle(self, *args: Any, **options: Any) -> None:
        with transaction.atomic():
            for spec in DEMO_USERS:
                self._user(**spec)
            self._admin()
            self._relying_party()
        if not SigningKey.objects.filter(state=SigningKey.State.ACTIVE).exists():
            result = keys.rotate()
            self.stdout.write(f"signing key {result.activated.kid} activated")
        self.stdout.write(self.style.SUCCESS("demo data ready"))

    def _user(
        self,
        *,
        username: str,
        password: str,
        login_hints: list[str],
        domain_hints: list[str],
        label_hints: list[str],
        **fields: str,
    ) -> None:
        user, created = get_user_model().objects.update_or_create(
            username=username, defaults=fields
        )
        if created or not user.check_password(password):
            user.set_password(password)
            user.save(update_fields=["password"])
        AccountProfile.objects.update_or_create(
            user=user,
            defaults={
                "login_hints": login_hints,
                "domain_hints": domain_hints,
                "label_hints": label_hints,
            },
        )
        self.stdout.write(f"user {username} {'created' if created else 'up to date'}")

    def _admin(self) -> None:
        user, created = get_user_model().objects.update_or_create(
            username=demo_env.ADMIN_USERNAME,
            defaults={"is_staff": True, "is_superuser": True, "email": "admin@example.com"},
        )
        if created or not user.check_password(demo_env.ADMIN_PASSWORD):
            user.set_password(demo_env.ADMIN_PASSWORD)
            user.save(update_fields=["password"])
        self.stdout.write(f"superuser {user.username} {'created' if created else 'up to date'}")

    def _relying_party(self) -> None:
        Application = get_application_model()
        application, created = Application.objects.update_or_create(
            client_id=demo_env.CLIENT_ID,
            defaults={
                "name": "Demo relying party",
                "client_type": Application.CLIENT_PUBLIC,
                "authorization_grant_type": Application.GRANT_AUTHORIZATION_CODE,
                # The OAuth 2.0 fallback door; FedCM itself uses allowed_origins.
                "redirect_uris": f"{demo_env.RP_ORIGIN}/oauth/callback",
                "allowed_origins": demo_env.RP_ORIGIN,
                "algorithm": Application.RS256_ALGORITHM,
                "skip_authorization": False,
            },
        )
        RelyingParty.objects.update_or_create(
            application=application,
            defaults={
                "enabled": True,
                "terms_of_service_url": f"{demo_env.RP_ORIGIN}/terms",
                "privacy_policy_url": f"{demo_env.RP_ORIGIN}/privacy",
            },
        )
        state = "created" if created else "up to date"
        self.stdout.write(f"relying party {demo_env.CLIENT_ID} ({demo_env.RP_ORIGIN}) {state}")
