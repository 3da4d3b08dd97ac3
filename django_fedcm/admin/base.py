"""What every django-fedcm admin shares: typing aliases, form-field defaults and
:class:`ReadOnlyAdmin`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import admin
from django.db import models
from django.forms.models import BaseModelFormSet
from django.http import HttpRequest

if TYPE_CHECKING:
    # django-stubs makes these generic; at runtime they are not subscriptable.
    from typing import TypeAlias

    ModelAdmin: TypeAlias = admin.ModelAdmin[Any]
    StackedInline: TypeAlias = admin.StackedInline[Any, Any]
    ModelForm: TypeAlias = forms.ModelForm[Any]
    FormSet: TypeAlias = BaseModelFormSet[Any, Any]
else:
    ModelAdmin = admin.ModelAdmin
    StackedInline = admin.StackedInline
    ModelForm = forms.ModelForm
    FormSet = BaseModelFormSet

__all__ = [
    "HTTPS_URL_FIELDS",
    "VIA",
    "FormSet",
    "ModelAdmin",
    "ModelForm",
    "ReadOnlyAdmin",
    "StackedInline",
]

#: ``via`` of every change the admin makes (audit events, ``grant_revoked``).
VIA = "admin"

#: Django 6's default scheme for scheme-less URL input, without 5.2's warning.
HTTPS_URL_FIELDS: dict[type[models.Field[Any, Any]], dict[str, Any]] = {
    models.URLField: {"assume_scheme": "https"}
}


class ReadOnlyAdmin(ModelAdmin):
    """A list and detail view only: rows are created and removed by services
    (keys, audit) or edited elsewhere (relying parties, on the Application page)."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
