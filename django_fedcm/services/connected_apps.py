"""Connected apps: the relying parties a user has approved, and revoking one.

Used by the self-service API and the "Connected apps" page. Every lookup is
scoped to the user, so another user's grant is indistinguishable from one
that does not exist (callers answer 404, never 403).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet

from django_fedcm.models import Grant
from django_fedcm.services import grants

if TYPE_CHECKING:
    from django.http import HttpRequest


__all__ = ["connected_apps", "get_connected_app", "revoke_connected_app"]


def connected_apps(user: Any) -> QuerySet[Grant]:
    """The user's grants, most recently used first (one query, client joined)."""
    if not getattr(user, "is_authenticated", False):
        return Grant.objects.none()
    return (
        Grant.objects.filter(user=user)
        .select_related("relying_party__application")
        .order_by("-last_used_at", "-pk")
    )


def get_connected_app(user: Any, grant_id: Any) -> Grant | None:
    """The user's grant with this id, or ``None`` (also for someone else's)."""
    try:
        pk = int(grant_id)
    except (TypeError, ValueError):
        return None
    return connected_apps(user).filter(pk=pk).first()


def revoke_connected_app(
    user: Any, grant: Grant, *, via: str, request: HttpRequest | None = None
) -> bool:
    """Revoke the user's own grant: the grant and the client's OAuth tokens for
    the user go (:func:`django_fedcm.services.grants.revoke`), so the next FedCM
    sign-in shows the disclosure again. Audited as ``grant.revoked``."""
    if grant.user_id != user.pk:
        # Defence in depth: callers look grants up through connected_apps().
        return False
    grant.user = user  # the same row (checked above); spares a query
    return grants.revoke(user, grant, via=via, request=request)
