"""Grants: which relying parties each user has approved (``approved_clients``).

The one place that creates and removes grants; the id assertion endpoint,
disconnect, the admin, the API and the OAuth door all call these.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction

from django_fedcm import signals
from django_fedcm.models import Grant, RelyingParty
from django_fedcm.services import audit

if TYPE_CHECKING:
    from django.http import HttpRequest


def approved_client_ids(user: Any) -> list[str]:
    """Client ids of enabled relying parties the user approved (one query)."""
    return list(
        Grant.objects.filter(user=user, relying_party__enabled=True)
        .order_by("relying_party__application__client_id")
        .values_list("relying_party__application__client_id", flat=True)
    )


def get_grant(user: Any, relying_party: RelyingParty) -> Grant | None:
    return Grant.objects.filter(user=user, relying_party=relying_party).first()


def record_grant(
    user: Any,
    relying_party: RelyingParty,
    *,
    fields: Iterable[str] = (),
    scopes: Iterable[str] = (),
    request: HttpRequest | None = None,
) -> Grant:
    """Create or refresh the grant, widening disclosed fields/scopes (never narrowing)."""
    fields, scopes = set(fields), set(scopes)
    grant = get_grant(user, relying_party)
    if grant is None:
        try:
            with transaction.atomic():
                grant = Grant.objects.create(
                    user=user,
                    relying_party=relying_party,
                    disclosed_fields=sorted(fields),
                    scopes=sorted(scopes),
                )
        except IntegrityError:  # a concurrent first sign-in created it
            grant = Grant.objects.get(user=user, relying_party=relying_party)
        else:
            signals.grant_created.send(
                sender=Grant, request=request, user=user, relying_party=relying_party, grant=grant
            )
            return grant
    grant.disclosed_fields = sorted(set(grant.disclosed_fields) | fields)
    grant.scopes = sorted(set(grant.scopes) | scopes)
    grant.save(update_fields=["disclosed_fields", "scopes", "last_used_at"])
    return grant


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
