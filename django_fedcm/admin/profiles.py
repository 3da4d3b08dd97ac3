"""FedCM account profiles: an inline on Django's default User admin, or a
standalone admin when the project registered its own User admin.

Saves and deletes go through :mod:`django_fedcm.services.profiles`, which
audits them (``account_profile.created`` / ``.updated`` / ``.deleted``).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth import admin as auth_admin
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from django_fedcm.admin.base import VIA, FormSet, ModelAdmin, ModelForm, StackedInline
from django_fedcm.internal.images import sniff_image_type
from django_fedcm.models import AccountProfile
from django_fedcm.services import profiles

__all__ = [
    "AccountProfileAdmin",
    "AccountProfileForm",
    "AccountProfileInline",
    "FedCMUserAdmin",
    "register_profile_admin",
    "validate_picture",
]

User = get_user_model()

#: Image types the browser's account chooser renders (checked by magic bytes).
PICTURE_TYPES = ("image/png", "image/jpeg", "image/webp")
#: Largest accepted picture upload.
PICTURE_MAX_BYTES = 1024 * 1024
#: Limits for each hint list (they travel in every accounts response).
HINTS_MAX_ITEMS = 50
HINT_MAX_LENGTH = 255


class LinesField(forms.CharField):
    """A list of strings edited as one item per line."""

    widget = forms.Textarea(attrs={"rows": 3})

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list | tuple):
            return "\n".join(str(v) for v in value)
        return value

    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]
        text = super().to_python(value)
        items: list[str] = []
        for line in (text or "").splitlines():
            line = line.strip()
            if line and line not in items:
                items.append(line)
        return items

    def validate(self, value: Any) -> None:
        if len(value) > HINTS_MAX_ITEMS:
            raise ValidationError(
                _("At most %(max)d entries."), code="max_items", params={"max": HINTS_MAX_ITEMS}
            )
        too_long = [v for v in value if len(v) > HINT_MAX_LENGTH]
        if too_long:
            raise ValidationError(
                _("Each entry is at most %(max)d characters."),
                code="max_length",
                params={"max": HINT_MAX_LENGTH},
            )

    def has_changed(self, initial: Any, data: Any) -> bool:
        return list(initial or []) != self.to_python(data)


class AccountProfileForm(ModelForm):
    login_hints = LinesField(
        label=_("login hints"),
        required=False,
        help_text=_("One per line. The RP's loginHint selects this account (e.g. an e-mail)."),
    )
    domain_hints = LinesField(
        label=_("domain hints"),
        required=False,
        help_text=_("One per line. Domains for the RP's domainHint (e.g. example.com)."),
    )
    label_hints = LinesField(
        label=_("label hints"),
        required=False,
        help_text=_("One per line. Labels matched by the config's account_label."),
    )

    class Meta:
        model = AccountProfile
        fields = ("login_hints", "domain_hints", "label_hints", "picture")

    def clean_picture(self) -> Any:
        picture = self.cleaned_data.get("picture")
        if isinstance(picture, UploadedFile):
            validate_picture(picture)
        return picture


def validate_picture(upload: UploadedFile[Any]) -> None:
    """PNG, JPEG or WebP by magic bytes (the file name and the browser's
    content type are not trusted: the picture endpoint serves these bytes
    from the IdP origin)."""
    if upload.size is not None and upload.size > PICTURE_MAX_BYTES:
        raise ValidationError(
            _("The picture is larger than %(max)d KiB."),
            code="too_large",
            params={"max": PICTURE_MAX_BYTES // 1024},
        )
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if sniff_image_type(head) not in PICTURE_TYPES:
        raise ValidationError(_("Upload a PNG, JPEG or WebP image."), code="invalid_image")


class AccountProfileInline(StackedInline):
    """Add to your own User admin if you replaced Django's (see docs/models.md)."""

    model = AccountProfile
    form = AccountProfileForm
    can_delete = True
    max_num = 1
    verbose_name = _("FedCM profile")
    verbose_name_plural = _("FedCM profile")


class FedCMUserAdmin(auth_admin.UserAdmin):  # type: ignore[type-arg]
    def get_inlines(self, request: HttpRequest, obj: Any) -> list[type[Any]]:
        inlines = list(super().get_inlines(request, obj))
        # The add page has no user yet: the profile is edited afterwards.
        return [*inlines, AccountProfileInline] if obj is not None else inlines

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        if formset.model is AccountProfile:
            save_profile_formset(request, formset)
        else:
            super().save_formset(request, form, formset, change)


def save_profile_formset(request: HttpRequest, formset: FormSet) -> None:
    """Save a profile inline through :mod:`django_fedcm.services.profiles`."""
    # commit=False writes nothing; it fills new_objects, changed_objects and
    # deleted_objects, which the admin's change message reads too.
    formset.save(commit=False)
    for obj in formset.deleted_objects:
        profiles.delete_profile(request.user, obj, via=VIA)
    for obj in formset.new_objects:
        form = next(f for f in formset.forms if f.instance is obj)
        profiles.save_profile(request.user, obj, fields=form.changed_data, via=VIA)
    for obj, fields in formset.changed_objects:
        profiles.save_profile(request.user, obj, fields=fields, via=VIA)


class AccountProfileAdmin(ModelAdmin):
    """Used when the project has its own User admin."""

    form = AccountProfileForm
    list_display = ("user",)
    search_fields = (f"user__{User.USERNAME_FIELD}",)
    raw_id_fields = ("user",)

    fields = ("user", *AccountProfileForm.Meta.fields)

    def save_model(
        self, request: HttpRequest, obj: AccountProfile, form: Any, change: bool
    ) -> None:
        profiles.save_profile(request.user, obj, fields=form.changed_data, via=VIA)

    def delete_model(self, request: HttpRequest, obj: AccountProfile) -> None:
        profiles.delete_profile(request.user, obj, via=VIA)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[AccountProfile]) -> None:
        for profile in queryset:
            profiles.delete_profile(request.user, profile, via=VIA)


def register_profile_admin(site: admin.AdminSite) -> None:
    """Profile inline on Django's own User admin; a standalone admin otherwise
    (a replaced User admin would silently drop an inline we bolted on)."""
    current = site.get_model_admin(User) if site.is_registered(User) else None
    if current is not None and type(current) is auth_admin.UserAdmin:
        site.unregister(User)
        site.register(User, FedCMUserAdmin)
    else:
        site.register(AccountProfile, AccountProfileAdmin)


register_profile_admin(admin.site)
