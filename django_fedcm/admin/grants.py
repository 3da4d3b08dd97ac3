"""Grants: listed per user and relying party; staff can only look and revoke
(:func:`django_fedcm.services.grants.revoke`, which also drops the OAuth
tokens, sends ``grant_revoked`` and audits ``grant.revoked``)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from django_fedcm.admin.base import VIA, ModelAdmin
from django_fedcm.models import Grant
from django_fedcm.services import grants

__all__ = ["GrantAdmin"]

User = get_user_model()


@admin.register(Grant)
class GrantAdmin(ModelAdmin):
    """Grants are created by sign-ins; staff can only look and revoke."""

    list_display = (
        "user",
        "relying_party",
        "disclosed_fields_list",
        "scopes_list",
        "created_at",
        "last_used_at",
    )
    list_filter = ("relying_party",)
    list_select_related = ("user", "relying_party__application")
    search_fields = (
        f"user__{User.USERNAME_FIELD}",
        "relying_party__application__name",
        "relying_party__application__client_id",
    )
    date_hierarchy = "created_at"
    actions = ("revoke_grants",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    # Plain "email, name" rather than the JSON list the field would render.
    @admin.display(description=_("disclosed fields"), ordering="disclosed_fields")
    def disclosed_fields_list(self, obj: Grant) -> str:
        return ", ".join(obj.disclosed_fields) or "-"

    @admin.display(description=_("granted scopes"), ordering="scopes")
    def scopes_list(self, obj: Grant) -> str:
        return ", ".join(obj.scopes) or "-"

    def _revoke(self, request: HttpRequest, grant: Grant) -> bool:
        return grants.revoke(request.user, grant, via=VIA, request=request)

    def delete_model(self, request: HttpRequest, obj: Grant) -> None:
        self._revoke(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Grant]) -> None:
        for grant in queryset.select_related("user", "relying_party__application"):
            self._revoke(request, grant)

    @admin.action(
        description=_("Revoke selected grants (and their OAuth tokens)"), permissions=["delete"]
    )
    def revoke_grants(self, request: HttpRequest, queryset: QuerySet[Grant]) -> None:
        count = 0
        for grant in queryset.select_related("user", "relying_party__application"):
            count += self._revoke(request, grant)
        self.message_user(
            request,
            ngettext("Revoked %d grant.", "Revoked %d grants.", count) % count,
            messages.SUCCESS,
        )
