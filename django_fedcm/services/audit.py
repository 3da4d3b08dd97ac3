"""Audit trail: one row per change someone chose to make (staff in the admin,
the API or ``fedcm_keys``; a user revoking a connected app).

The single writer of :class:`~django_fedcm.models.AuditEvent`, called only by
the other service modules, each inside the transaction of the change it
records (a test keeps every other module from calling :func:`record`). They
pass field *names* or harmless values in ``changes``, never secrets (client
secrets, key material): the audit log is readable by every staff member with
view permission.
"""

from __future__ import annotations

from typing import Any

from django.db import models

from django_fedcm.models import AuditEvent

__all__ = ["record"]

_TARGET_REPR_MAX = AuditEvent._meta.get_field("target_repr").max_length or 255


def record(
    actor: Any,
    action: str,
    target: models.Model | None,
    changes: dict[str, Any] | None = None,
    *,
    via: str | None = None,
) -> AuditEvent:
    """Write one audit event.

    ``actor`` is the user who acted (``None`` or an anonymous user for the
    command line / the system); ``action`` a dotted verb such as
    ``"signing_key.rotated"``; ``target`` the changed object (its type, primary
    key and ``str()`` are stored, so the event survives the object's deletion);
    ``via`` where the change was made (``"admin"``, ``"fedcm_keys"``...), stored
    first in ``changes`` when given.
    """
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    target_type = target_id = target_repr = ""
    if target is not None:
        target_type = target._meta.label_lower
        target_id = "" if target.pk is None else str(target.pk)
        target_repr = str(target)[:_TARGET_REPR_MAX]
    return AuditEvent.objects.create(
        actor=actor,
        action=action,
        target_type=target_type,
        target_id=target_id,
        target_repr=target_repr,
        changes={"via": via, **(changes or {})} if via else (changes or {}),
    )
