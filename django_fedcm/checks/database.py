"""Checks that query the database: the active signing key (``W030``-``W032``, docs/checks.md).

Warnings only, and tolerant of missing tables: a fresh project must run
``migrate`` and then ``fedcm_keys rotate``, and both commands run these checks
first.
"""

from __future__ import annotations

from typing import Any

from django.core.checks import register
from django.db import DatabaseError

from django_fedcm.checks.common import Messages, warning

__all__ = ["check_signing_keys"]


@register()
def check_signing_keys(**kwargs: Any) -> Messages:
    from django_fedcm.models import SigningKey
    from django_fedcm.services.crypto import KeyDecryptionError, decrypt

    try:
        active = (
            SigningKey.objects.filter(state=SigningKey.State.ACTIVE)
            .only("kid", "private_key_encrypted")
            .first()
        )
    except DatabaseError:  # not migrated yet, or no database at all
        return [
            warning(
                "W032",
                "Could not look for an active FedCM signing key (database not reachable or "
                "not migrated).",
                "Run `manage.py migrate`, then `manage.py fedcm_keys rotate`.",
            )
        ]
    if active is None:
        return [
            warning(
                "W030",
                "There is no active FedCM signing key: the id assertion endpoint cannot "
                "issue tokens.",
                "Run `manage.py fedcm_keys rotate`.",
            )
        ]
    try:
        decrypt(active.private_key_encrypted)
    except KeyDecryptionError:
        return [
            warning(
                "W031",
                f"The active signing key {active.kid} cannot be decrypted with the current "
                "secrets: the id assertion endpoint will fail.",
                "Put the previous SECRET_KEY in SECRET_KEY_FALLBACKS (or back in "
                "FEDCM_KEY_ENCRYPTION_SECRETS) and run `manage.py fedcm_keys reencrypt`; "
                "if it is lost, run `manage.py fedcm_keys rotate`.",
            )
        ]
    return []
