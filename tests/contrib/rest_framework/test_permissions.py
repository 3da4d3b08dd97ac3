"""StaffModelPermissions: staff flag, active flag, model and action permissions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from rest_framework.test import APIRequestFactory, force_authenticate

from django_fedcm.contrib.rest_framework.permissions import StaffModelPermissions, is_staff
from django_fedcm.contrib.rest_framework.views import RelyingPartyViewSet, SigningKeyViewSet
from django_fedcm.models import RelyingParty

factory = APIRequestFactory()


def allowed(user: Any, method: str, viewset: Any, action: str) -> bool:
    request = getattr(factory, method.lower())("/")
    force_authenticate(request, user=user)
    view = viewset(action_map={method.lower(): action}, format_kwarg=None)
    drf_request = view.initialize_request(request)
    view.request = drf_request
    return StaffModelPermissions().has_permission(drf_request, view)


@pytest.mark.parametrize(
    ("codenames", "method", "action", "expected"),
    [
        ((), "GET", "list", False),
        (("view_relyingparty",), "GET", "list", True),
        (("view_relyingparty",), "POST", "create", False),
        (("add_relyingparty",), "POST", "create", True),
        (("add_relyingparty",), "POST", "disable", False),
        (("change_relyingparty",), "POST", "disable", True),
        (("change_relyingparty",), "PATCH", "partial_update", True),
    ],
)
def test_relying_party_permissions(
    fedcm_make_staff: Callable[..., Any],
    codenames: tuple[str, ...],
    method: str,
    action: str,
    expected: bool,
) -> None:
    staff = fedcm_make_staff(*codenames)
    assert allowed(staff, method, RelyingPartyViewSet, action) is expected


def test_rotate_needs_add_and_change(fedcm_make_staff: Callable[..., Any]) -> None:
    both = fedcm_make_staff("add_signingkey", "change_signingkey", username="both")
    change_only = fedcm_make_staff("change_signingkey", username="change")
    assert allowed(both, "POST", SigningKeyViewSet, "rotate")
    assert not allowed(change_only, "POST", SigningKeyViewSet, "rotate")


def test_inactive_staff_is_refused(fedcm_make_user: Callable[..., Any]) -> None:
    user = fedcm_make_user("gone", is_staff=True, is_superuser=True, is_active=False)
    assert not is_staff(user)
    assert not allowed(user, "GET", RelyingPartyViewSet, "list")


def test_anonymous_and_superuser(fedcm_make_user: Callable[..., Any]) -> None:
    assert not is_staff(AnonymousUser())
    root = fedcm_make_user("root", is_staff=True, is_superuser=True)
    assert allowed(root, "POST", RelyingPartyViewSet, "create")
    assert RelyingParty.objects.count() == 0  # a permission check writes nothing
