"""Server-side state behind ``continue_on`` URLs
(https://w3c-fedid.github.io/FedCM/#dom-identityassertionresponse-continue_on;
checklist 38, 44, 46).

The URL carries only a random opaque reference; the database keeps its
SHA-256, so a leaked database row cannot be turned back into a usable URL.
The row binds the reference to everything the id assertion endpoint
validated (user, client, Origin, account, nonce, params, fields). It is
single use (:func:`claim`) and expires after ``FEDCM_CONTINUATION_LIFETIME``.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from django_fedcm.conf import fedcm_settings
from django_fedcm.models import ContinuationRequest, RelyingParty
from django_fedcm.services import discovery

__all__ = ["claim", "create", "delete_expired", "find", "is_expired"]


def _hash(reference: str) -> str:
    return hashlib.sha256(reference.encode()).hexdigest()


def create(
    request: HttpRequest,
    *,
    user: Any,
    relying_party: RelyingParty,
    origin: str,
    account_id: str,
    nonce: str | None,
    params: dict[str, Any],
    fields: set[str],
) -> str:
    """Store a continuation and return its absolute ``continue_on`` URL.

    The URL is on the IdP's config origin (Chromium requires it to be
    same-origin with the config URL).
    """
    reference = secrets.token_urlsafe(32)
    ContinuationRequest.objects.create(
        reference_hash=_hash(reference),
        user=user,
        relying_party=relying_party,
        origin=origin,
        account_id=account_id,
        nonce=nonce or "",
        params=params,
        fields=sorted(fields),
        expires_at=timezone.now() + timedelta(seconds=fedcm_settings.CONTINUATION_LIFETIME),
    )
    path = reverse("django_fedcm:continuation", args=[reference])
    return discovery.base_origin(request) + path


def find(reference: str) -> ContinuationRequest | None:
    """The continuation for ``reference`` (used or not, expired or not)."""
    if not reference or len(reference) > 128:
        return None
    return (
        ContinuationRequest.objects.select_related("relying_party__application")
        .filter(reference_hash=_hash(reference))
        .first()
    )


def is_expired(continuation: ContinuationRequest) -> bool:
    return continuation.expires_at <= timezone.now()


def claim(continuation: ContinuationRequest) -> bool:
    """Mark the continuation used; ``True`` only for the one caller that did.

    A conditional UPDATE, so two concurrent submissions cannot both win.
    """
    now = timezone.now()
    updated = ContinuationRequest.objects.filter(
        pk=continuation.pk, used_at__isnull=True, expires_at__gt=now
    ).update(used_at=now)
    if updated == 1:
        continuation.used_at = now
        return True
    return False


def delete_expired() -> int:
    """Delete continuations past their expiry (used or not); returns how many.

    Expired rows are useless (their pages answer 410), so a periodic job may
    call this; nothing depends on them.
    """
    deleted, _ = ContinuationRequest.objects.filter(expires_at__lte=timezone.now()).delete()
    return deleted
