"""Audit events: a read-only list (services write them, nobody edits them)."""

from __future__ import annotations

import json

from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from django_fedcm.admin.base import ReadOnlyAdmin
from django_fedcm.models import AuditEvent

__all__ = ["AuditEventAdmin"]


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "actor", "action", "target_type", "target_repr")
    list_filter = ("action", "target_type")
    list_select_related = ("actor",)
    search_fields = ("action", "target_repr", "target_id")
    date_hierarchy = "created_at"
    fields = (
        "created_at",
        "actor",
        "action",
        "target_type",
        "target_id",
        "target_repr",
        "changes_display",
    )
    readonly_fields = fields

    @admin.display(description=_("changes"))
    def changes_display(self, obj: AuditEvent) -> str:
        return format_html("<pre>{}</pre>", json.dumps(obj.changes, indent=2, sort_keys=True))
