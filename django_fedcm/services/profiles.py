"""Account profiles: created lazily, so a user without one still works."""

from __future__ import annotations

from typing import Any

from django_fedcm.models import AccountProfile


def get_profile(user: Any) -> AccountProfile:
    """The user's profile, or an unsaved default one (no write on read paths)."""
    try:
        profile: AccountProfile = user.fedcm_profile
    except AccountProfile.DoesNotExist:
        profile = AccountProfile(user=user)
    return profile


def get_or_create_profile(user: Any) -> AccountProfile:
    """The user's saved profile, creating it on first write."""
    profile, _created = AccountProfile.objects.get_or_create(user=user)
    return profile
