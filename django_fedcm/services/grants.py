"""Grants: which relying parties each user has approved (``approved_clients``).

The one place that creates and removes grants; the id assertion endpoint,
disconnect, the admin, the API and the OAuth door all call these.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.utils import timezone

from django_fedcm import signals
from django_fedcm.models import Grant, RelyingParty
from django_fedcm.services import audit, joined_read, session_user
from django_fedcm.services.profiles import prime_profile

if TYPE_CHECKING:
    from django.http import HttpRequest


__all__ = [
    "LAST_USED_RESOLUTION",
    "UNREAD",
    "approved_client_ids",
    "get_grant",
    "record_grant",
    "revoke",
    "revoke_grant",
    "signed_in_user_and_approved_clients",
    "signed_in_user_and_grant",
]

#: ``last_used_at`` is rewritten at most this often: a returning user's
#: sign-in reads the grant and, most of the time, writes nothing.
LAST_USED_RESOLUTION = timedelta(minutes=1)

_GRANT_COLUMNS: tuple[str, ...] = tuple(f.attname for f in Grant._meta.concrete_fields)
#: ``known=UNREAD``: the caller did not read the grant.
UNREAD: Any = object()


def approved_client_ids(user: Any) -> list[str]:
    """Client ids of enabled relying parties the user approved.

    One query, whatever the number of grants, which also loads the user's
    profile (:func:`~django_fedcm.services.profiles.prime_profile`): the
    accounts endpoint needs both. Compiled once per process
    (:mod:`~django_fedcm.services.joined_read`).
    """
    found = joined_read.profile_and_approved_clients(user)
    if found is None:  # the user row is gone
        return []
    profile_values, client_ids = found
    prime_profile(user, profile_values)
    return client_ids


def _request_user(request: HttpRequest) -> Any:
    """Django's answer; signed out without ``AuthenticationMiddleware``."""
    return getattr(request, "user", None) or AnonymousUser()


def _load_user(found: session_user.SessionUser, values: Any) -> Any:
    return found.model.from_db(
        found.alias, [f.attname for f in joined_read.user_fields(found.model)], list(values)
    )


def signed_in_user_and_approved_clients(request: HttpRequest) -> tuple[Any, list[str]]:
    """``request.user`` (``AnonymousUser`` when signed out) and
    :func:`approved_client_ids`, the user's profile loaded: one query for
    both when :mod:`~django_fedcm.services.session_user` allows it."""
    found = session_user.session_user_id(request)
    if found is not None:
        row = joined_read.user_profile_and_approved_clients(found.alias, found.model, found.pk)
        if row is not None:
            user = _load_user(found, row[0])
            if session_user.adopt(request, found, user):
                prime_profile(user, row[1])
                return user, row[2]
    user = _request_user(request)
    return user, approved_client_ids(user) if user.is_authenticated else []


def signed_in_user_and_grant(
    request: HttpRequest, relying_party: RelyingParty
) -> tuple[Any, Grant | None]:
    """``request.user`` (``AnonymousUser`` when signed out) and
    :func:`get_grant`, the user's profile loaded: one query for all three
    when :mod:`~django_fedcm.services.session_user` allows it."""
    found = session_user.session_user_id(request)
    if found is not None:
        row = joined_read.user_profile_and_grant(found.alias, found.model, found.pk, relying_party)
        if row is not None:
            user = _load_user(found, row[0])
            if session_user.adopt(request, found, user):
                prime_profile(user, row[1])
                return user, _grant_from(user, relying_party, row[2])
    user = _request_user(request)
    return user, get_grant(user, relying_party) if user.is_authenticated else None


def _grant_from(user: Any, relying_party: RelyingParty, values: Any) -> Grant | None:
    if values[_GRANT_COLUMNS.index("id")] is None:
        return None
    grant = Grant.from_db(user._state.db, list(_GRANT_COLUMNS), list(values))
    Grant.user.field.set_cached_value(grant, user)
    Grant.relying_party.field.set_cached_value(grant, relying_party)
    return grant


def get_grant(user: Any, relying_party: RelyingParty) -> Grant | None:
    """The user's grant for ``relying_party``, or ``None``.

    One query that also loads the user's profile, which the token's
    ``picture`` claim needs (a LEFT JOIN of both on the user row, so it works
    for a first sign-in too), compiled once per process
    (:mod:`~django_fedcm.services.joined_read`): it runs on every sign-in.
    """
    found = joined_read.profile_and_grant(user, relying_party)
    if found is None:  # the user row is gone
        return None
    profile_values, values = found
    prime_profile(user, profile_values)
    return _grant_from(user, relying_party, values)


def record_grant(
    user: Any,
    relying_party: RelyingParty,
    *,
    fields: Iterable[str] = (),
    scopes: Iterable[str] = (),
    request: HttpRequest | None = None,
    known: Grant | None = UNREAD,
) -> None:
    """Create or refresh the grant, widening disclosed fields/scopes (never
    narrowing what ``known`` holds).

    ``known`` is the grant as the caller already read it (``None``: there was
    none), to save reading it again. Nothing is written when it already
    covers ``fields`` and ``scopes`` and was used within
    :data:`LAST_USED_RESOLUTION`. Otherwise one statement, an upsert
    (``INSERT ... ON CONFLICT (user, relying_party) DO UPDATE``), so whatever
    happened since the read (another first sign-in, a disconnect deleting the
    grant) it neither fails nor needs a transaction.
    """
    fields, scopes = set(fields), set(scopes)
    if known is UNREAD:
        known = get_grant(user, relying_party)
    now = timezone.now()
    if known is not None:
        fresh = now - known.last_used_at < LAST_USED_RESOLUTION
        if fresh and fields <= set(known.disclosed_fields) and scopes <= set(known.scopes):
            return
        fields |= set(known.disclosed_fields)
        scopes |= set(known.scopes)
    grant = Grant(
        user=user,
        relying_party=relying_party,
        disclosed_fields=sorted(fields),
        scopes=sorted(scopes),
        last_used_at=now,
    )
    Grant.objects.bulk_create(
        [grant],
        update_conflicts=True,
        unique_fields=["user", "relying_party"],
        update_fields=["disclosed_fields", "scopes", "last_used_at"],
    )
    if known is None:
        # Sent by each of two simultaneous first sign-ins: receivers must
        # tolerate a repeat (docs/signals.md).
        signals.grant_created.send(
            sender=Grant, request=request, user=user, relying_party=relying_party, grant=grant
        )


def revoke_grant(
    user: Any,
    relying_party: RelyingParty,
    *,
    via: str,
    request: HttpRequest | None = None,
) -> bool:
    """Remove the grant (and the OAuth door's tokens and unexchanged
    authorization codes for that user and client).

    Returns ``False`` when there was nothing to revoke.
    """
    from oauth2_provider.models import (
        get_access_token_model,
        get_grant_model,
        get_refresh_token_model,
    )

    with transaction.atomic():
        deleted, _ = Grant.objects.filter(user=user, relying_party=relying_party).delete()
        application = relying_party.application
        # A code minted just before the revocation would otherwise still
        # exchange for fresh tokens afterwards.
        get_grant_model().objects.filter(user=user, application=application).delete()
        get_refresh_token_model().objects.filter(user=user, application=application).delete()
        get_access_token_model().objects.filter(user=user, application=application).delete()
    if deleted:
        signals.grant_revoked.send(
            sender=Grant, request=request, user=user, relying_party=relying_party, via=via
        )
    return bool(deleted)


def revoke(actor: Any, grant: Grant, *, via: str, request: HttpRequest | None = None) -> bool:
    """A revocation someone chose (staff in the admin, a user on the Connected
    apps page or the API): :func:`revoke_grant` plus a ``grant.revoked`` audit
    event, in one transaction. Returns ``False`` when it was already gone."""
    with transaction.atomic():
        revoked = revoke_grant(grant.user, grant.relying_party, via=via, request=request)
        if revoked:
            audit.record(
                actor,
                "grant.revoked",
                grant,
                {"disclosed_fields": list(grant.disclosed_fields)},
                via=via,
            )
    return revoked
