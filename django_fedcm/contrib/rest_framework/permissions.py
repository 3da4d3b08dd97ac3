"""Permissions of the django-fedcm API.

* Staff endpoints: :class:`StaffModelPermissions` -- an active staff user
  (``is_staff``, as :class:`~rest_framework.permissions.IsAdminUser`) holding
  the Django model permission for the request: ``view_*`` for reads (DRF's
  own ``DjangoModelPermissions`` lets every authenticated user read),
  ``add_*`` / ``change_*`` for writes, and a per-action list for the custom
  actions (``disable`` needs ``change_relyingparty``, ``rotate`` needs
  ``add_signingkey`` and ``change_signingkey``). Superusers hold them all.
  Registrations and keys have no owner, so there is no per-object rule: the
  model permission covers every object.
* Self-service endpoints: :class:`~rest_framework.permissions.IsAuthenticated`
  plus a queryset scoped to ``request.user``: another user's grant is a 404.
"""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import DjangoModelPermissions
from rest_framework.request import Request


def is_staff(user: Any) -> bool:
    return bool(
        user and user.is_authenticated and getattr(user, "is_active", False) and user.is_staff
    )


class StaffModelPermissions(DjangoModelPermissions):
    """Staff only, plus the model permission the method (or action) needs.

    A view may set ``action_permissions = {"rotate": ["app.perm", ...]}`` to
    name the permissions of a custom action explicitly.
    """

    perms_map = {
        **DjangoModelPermissions.perms_map,
        "GET": ["%(app_label)s.view_%(model_name)s"],
        "HEAD": ["%(app_label)s.view_%(model_name)s"],
    }

    def _required(self, request: Request, view: Any) -> list[str]:
        action = getattr(view, "action", None)
        explicit: dict[str, list[str]] = getattr(view, "action_permissions", {})
        if action in explicit:
            return list(explicit[action])
        return self.get_required_permissions(request.method or "", self._queryset(view).model)

    def has_permission(self, request: Request, view: Any) -> bool:
        if not is_staff(request.user):
            return False
        return bool(request.user.has_perms(self._required(request, view)))
