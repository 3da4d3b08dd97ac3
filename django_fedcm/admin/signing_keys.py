"""Signing keys: read-only (public parts only) plus a "Rotate signing key"
button that calls :func:`django_fedcm.services.keys.rotate` (which audits
``signing_key.rotated``); ``manage.py fedcm_keys`` does everything else."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponseBase, HttpResponseRedirect
from django.urls import URLPattern, path, reverse
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from django_fedcm.admin.base import VIA, ReadOnlyAdmin
from django_fedcm.models import SigningKey
from django_fedcm.services import keys

__all__ = ["SigningKeyAdmin"]


@admin.register(SigningKey)
class SigningKeyAdmin(ReadOnlyAdmin):
    """Public parts only. ``private_key_encrypted`` is never loaded into a form
    or a template: it is not in ``fields``, and the querysets defer it."""

    change_list_template = "admin/django_fedcm/signingkey/change_list.html"
    list_display = (
        "kid",
        "algorithm",
        "state",
        "created_at",
        "activated_at",
        "retired_at",
        "published_until_display",
    )
    list_filter = ("state", "algorithm")
    search_fields = ("kid",)
    fields = (
        "kid",
        "algorithm",
        "state",
        "created_at",
        "activated_at",
        "retired_at",
        "published_until_display",
        "public_jwk_display",
    )
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[SigningKey]:
        return super().get_queryset(request).defer("private_key_encrypted")

    # No delete either: deleting a key still in the JWKS breaks tokens in
    # flight; `fedcm_keys retire` / `prune` know the grace period.

    def has_rotate_permission(self, request: HttpRequest) -> bool:
        opts = self.opts
        return bool(request.user.has_perm(f"{opts.app_label}.change_{opts.model_name}"))

    @admin.display(description=_("published until"))
    def published_until_display(self, obj: SigningKey) -> Any:
        return keys.published_until(obj) or _("while not retired")

    @admin.display(description=_("public JWK"))
    def public_jwk_display(self, obj: SigningKey) -> str:
        return format_html("<pre>{}</pre>", json.dumps(obj.public_jwk, indent=2, sort_keys=True))

    def get_urls(self) -> list[URLPattern]:
        opts = self.opts
        rotate = path(
            "rotate/",
            self.admin_site.admin_view(require_POST(self.rotate_view)),
            name=f"{opts.app_label}_{opts.model_name}_rotate",
        )
        return [rotate, *super().get_urls()]

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> Any:
        extra_context = {**(extra_context or {}), "can_rotate": self.has_rotate_permission(request)}
        return super().changelist_view(request, extra_context)

    def rotate_view(self, request: HttpRequest) -> HttpResponseBase:
        if not self.has_rotate_permission(request):
            raise PermissionDenied
        opts = self.opts
        changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        try:
            result = keys.rotate(actor=request.user, via=VIA)
        except keys.KeyManagementError as exc:
            self.message_user(request, str(exc), messages.ERROR)
            return HttpResponseRedirect(changelist)
        new, old = result.activated, result.retired
        start = keys.takes_over_at(result)
        if start is None:
            message = _("Rotated: %(kid)s (%(alg)s) now signs.") % {
                "kid": new.kid,
                "alg": new.algorithm,
            }
        else:
            # Published everywhere first (docs/deployment.md, "Rotating keys").
            message = _("Rotated: %(kid)s (%(alg)s) signs from %(start)s.") % {
                "kid": new.kid,
                "alg": new.algorithm,
                "start": date_format(localtime(start), "Y-m-d H:i:s T"),
            }
        if old is not None:
            until = keys.published_until(old)
            assert until is not None  # a key retired by rotate has retired_at
            # No final period: en date formats end in "p.m." already.
            message += " " + _("%(kid)s stays in the JWKS until %(until)s") % {
                "kid": old.kid,
                "until": date_format(localtime(until), "DATETIME_FORMAT"),
            }
        self.message_user(request, message, messages.SUCCESS)
        return HttpResponseRedirect(changelist)
