"""Account profiles: created lazily, so a user without one still works.

Edits made by someone (the admin's profile forms) go through
:func:`save_profile` and :func:`delete_profile`, which audit them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import transaction

from django_fedcm.models import AccountProfile
from django_fedcm.services import audit

__all__ = [
    "PROFILE_COLUMNS",
    "delete_profile",
    "get_or_create_profile",
    "get_profile",
    "prime_profile",
    "save_profile",
]


def get_profile(user: Any) -> AccountProfile:
    """The user's profile, or an unsaved default one (no write on read paths)."""
    try:
        profile: AccountProfile = user.fedcm_profile
    except AccountProfile.DoesNotExist:
        profile = AccountProfile(user=user)
    return profile


#: The profile's columns in field order: how another query hands the profile
#: it read alongside its own data to :func:`prime_profile`.
PROFILE_COLUMNS: tuple[str, ...] = tuple(f.attname for f in AccountProfile._meta.concrete_fields)


def prime_profile(user: Any, values: Sequence[Any]) -> None:
    """Attach the profile read by another query (``values`` in
    :data:`PROFILE_COLUMNS` order, all ``None`` when the user has none) to
    ``user``, so :func:`get_profile` needs no query of its own."""
    # _meta, not type(): request.user is a SimpleLazyObject.
    descriptor = user._meta.model.fedcm_profile
    if values[PROFILE_COLUMNS.index("user_id")] is None:
        descriptor.related.set_cached_value(user, None)  # get_profile: unsaved default
        return
    profile = AccountProfile.from_db(user._state.db, list(PROFILE_COLUMNS), list(values))
    AccountProfile.user.field.set_cached_value(profile, user)
    descriptor.related.set_cached_value(user, profile)


def get_or_create_profile(user: Any) -> AccountProfile:
    """The user's saved profile, creating it on first write."""
    profile, _created = AccountProfile.objects.get_or_create(user=user)
    return profile


def save_profile(
    actor: Any, profile: AccountProfile, *, fields: Iterable[str] = (), via: str | None = None
) -> AccountProfile:
    """Save a profile edited in a form and audit ``account_profile.created`` or
    ``account_profile.updated`` with the changed field *names* (``fields``)."""
    action = "account_profile.created" if profile._state.adding else "account_profile.updated"
    with transaction.atomic():
        profile.save()
        audit.record(actor, action, profile, {"fields": list(fields)}, via=via)
    return profile


def delete_profile(actor: Any, profile: AccountProfile, *, via: str | None = None) -> None:
    """Delete a profile (the user keeps working with defaults); audit
    ``account_profile.deleted``."""
    with transaction.atomic():
        audit.record(actor, "account_profile.deleted", profile, via=via)
        # Through the queryset: the instance keeps its primary key (the user),
        # which the admin's change message still needs.
        AccountProfile.objects.filter(pk=profile.pk).delete()
