"""Django admin for django-fedcm. Thin: every change goes through the service
modules (:mod:`~django_fedcm.services.keys`, :mod:`~django_fedcm.services.grants`) and is
recorded with :func:`django_fedcm.services.audit.record`.

* Relying parties are edited on django-oauth-toolkit's Application page
  (one registration serves the FedCM and the OAuth doors), as an inline.
* FedCM profiles are an inline on Django's default User admin, or a
  standalone admin when the project replaced the User admin.
* Signing keys are read-only here (public parts only) plus a "Rotate signing
  key" button; ``manage.py fedcm_keys`` does everything else.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

# DOT and django.contrib.auth register their admins at import: import them
# first so that replacing their registrations does not depend on the order of
# INSTALLED_APPS.
import oauth2_provider.admin  # noqa: F401
from django import forms
from django.contrib import admin, messages
from django.contrib.auth import admin as auth_admin
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import models
from django.db.models import QuerySet
from django.forms.models import BaseInlineFormSet, BaseModelFormSet
from django.http import HttpRequest, HttpResponseBase, HttpResponseRedirect
from django.urls import URLPattern, path, reverse
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST
from oauth2_provider.models import get_application_admin_class, get_application_model

from django_fedcm.internal.images import sniff_image_type
from django_fedcm.internal.origins import parse_origin_list, validate_origin_list
from django_fedcm.models import AccountProfile, AuditEvent, Grant, RelyingParty, SigningKey
from django_fedcm.services import audit, grants, keys, profiles

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

Application = get_application_model()
User = get_user_model()

#: Image types the browser's account chooser renders (checked by magic bytes).
PICTURE_TYPES = ("image/png", "image/jpeg", "image/webp")
#: Largest accepted picture upload.
PICTURE_MAX_BYTES = 1024 * 1024
#: Limits for each hint list (they travel in every accounts response).
HINTS_MAX_ITEMS = 50
HINT_MAX_LENGTH = 255
#: Django 6's default scheme for scheme-less URL input, without 5.2's warning.
HTTPS_URL_FIELDS: dict[type[models.Field[Any, Any]], dict[str, Any]] = {
    models.URLField: {"assume_scheme": "https"}
}


def _record(request: HttpRequest, action: str, obj: models.Model, **changes: Any) -> None:
    audit.record(request.user, action, obj, {"via": "admin", **changes})


def _record_formset(request: HttpRequest, formset: FormSet, name: str) -> None:
    """Audit what an inline formset saved (field names only, never values:
    they may be secrets)."""
    for obj in formset.new_objects:
        _record(request, f"{name}.created", obj)
    for obj, fields in formset.changed_objects:
        _record(request, f"{name}.changed", obj, fields=list(fields))
    for obj in formset.deleted_objects:
        _record(request, f"{name}.deleted", obj)


# =========================================================================== relying parties


class RelyingPartyFormSet(BaseInlineFormSet):  # type: ignore[type-arg]
    def clean(self) -> None:
        super().clean()
        kept = [
            form
            for form in self.forms
            if (form.has_changed() or form.instance.pk)
            and not getattr(form, "cleaned_data", {}).get("DELETE", False)
        ]
        # The id assertion endpoint refuses every request of a client without
        # origins (FEDCM-IDP-SPEC §1.6), so registering one is always a mistake.
        if kept and not parse_origin_list(self.instance.allowed_origins or ""):
            raise ValidationError(
                _("A FedCM relying party needs at least one allowed origin (above)."),
                code="origins_required",
            )


class RelyingPartyInline(StackedInline):
    model = RelyingParty
    formset = RelyingPartyFormSet
    fk_name = "application"
    extra = 1
    max_num = 1
    verbose_name = _("FedCM relying party")
    verbose_name_plural = _("FedCM relying party")
    formfield_overrides = HTTPS_URL_FIELDS
    fields = (
        "enabled",
        "terms_of_service_url",
        "privacy_policy_url",
        ("icon_url", "icon_size"),
        "client_is_third_party",
        "require_user_action",
        "structured_tokens",
    )

    def formfield_for_dbfield(
        self, db_field: models.Field[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> forms.Field | None:
        from django_fedcm.services.registrations import validate_public_url

        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if formfield is not None and isinstance(db_field, models.URLField):
            # Same rules as the staff API: https (http only on localhost / DEBUG).
            formfield.validators.append(validate_public_url)
        return formfield


#: DOT's ``Application.clean()`` message (same msgid, so it matches in any language).
DOT_RSA_KEY_ERROR = _("You must set OIDC_RSA_PRIVATE_KEY to use RSA algorithm")


def signs_with_fedcm_keys() -> bool:
    """True when DOT's ID tokens are signed by FedCMOAuth2Validator with the
    ``fedcm_keys`` key set, so DOT's ``OIDC_RSA_PRIVATE_KEY`` is never used."""
    from oauth2_provider.settings import oauth2_settings

    from django_fedcm.oauth.validators import FedCMOAuth2Validator

    validator = oauth2_settings.OAUTH2_VALIDATOR_CLASS
    return isinstance(validator, type) and issubclass(validator, FedCMOAuth2Validator)


class FedCMKeysApplicationForm(ModelForm):
    """Mixed into the Application admin form: DOT refuses the RS256 algorithm
    unless ``OIDC_RSA_PRIVATE_KEY`` is set, but with FedCMOAuth2Validator that
    key is never used, and the demo, the REST API and the docs register RS256
    clients; without this they could not be saved in the admin."""

    def _post_clean(self) -> None:
        super()._post_clean()  # type: ignore[misc]  # private ModelForm hook
        errors = self.errors.get("algorithm")
        if not errors or not signs_with_fedcm_keys():
            return
        message = str(DOT_RSA_KEY_ERROR)
        kept = [e for e in errors.as_data() if message not in e.messages]
        if kept:
            errors.data[:] = kept
        else:
            del self.errors["algorithm"]
            self.cleaned_data["algorithm"] = self.instance.algorithm


class FedCMApplicationAdminMixin(ModelAdmin):
    """Adds the relying-party inline and exact-origin validation to whatever
    Application admin is registered (DOT's, or the project's own)."""

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> type[ModelForm]:
        form = super().get_form(request, obj, change, **kwargs)
        return type(form.__name__, (FedCMKeysApplicationForm, form), {})

    def get_inlines(self, request: HttpRequest, obj: Any) -> list[type[Any]]:
        return [*super().get_inlines(request, obj), RelyingPartyInline]

    def formfield_for_dbfield(
        self, db_field: models.Field[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> forms.Field | None:
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if formfield is not None and db_field.name == "allowed_origins":
            # FEDCM-IDP-SPEC §1.6: the Origin header is matched exactly; a path
            # or wildcard here would silently match nothing.
            formfield.validators.append(validate_origin_list)
            formfield.help_text = _(
                "Exact origins, one per line or space separated: scheme://host[:port], "
                "no path, no wildcard. The FedCM id assertion and disconnect endpoints "
                "accept requests only from these."
            )
        return formfield

    def save_model(self, request: HttpRequest, obj: Any, form: ModelForm, change: bool) -> None:
        super().save_model(request, obj, form, change)
        action = "application.changed" if change else "application.created"
        _record(request, action, obj, fields=list(form.changed_data))

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        super().save_formset(request, form, formset, change)
        if formset.model is RelyingParty:
            _record_formset(request, formset, "relying_party")


def register_application_admin(site: admin.AdminSite) -> type[ModelAdmin]:
    """Replace the registered Application admin with a subclass that adds
    :class:`FedCMApplicationAdminMixin`."""
    if site.is_registered(Application):
        base: type[ModelAdmin] = type(site.get_model_admin(Application))
        site.unregister(Application)
    else:
        base = get_application_admin_class()
    admin_class: type[ModelAdmin] = type(
        "FedCMApplicationAdmin", (FedCMApplicationAdminMixin, base), {}
    )
    site.register(Application, admin_class)
    return admin_class


FedCMApplicationAdmin = register_application_admin(admin.site)


class ReadOnlyAdmin(ModelAdmin):
    """A list and detail view only: rows are created and removed by services
    (keys, audit) or edited elsewhere (relying parties, on the Application page)."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(RelyingParty)
class RelyingPartyAdmin(ReadOnlyAdmin):
    """Read-only overview; registrations are edited on the Application page."""

    formfield_overrides = HTTPS_URL_FIELDS
    list_display = ("display_name", "client_id_link", "enabled", "origin_list", "updated_at")
    list_filter = ("enabled", "client_is_third_party", "require_user_action")
    search_fields = ("application__name", "application__client_id")
    list_select_related = ("application",)

    @admin.display(description=_("client_id"), ordering="application__client_id")
    def client_id_link(self, obj: RelyingParty) -> str:
        opts = Application._meta
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.application_id])
        return format_html('<a href="{}">{}</a>', url, obj.client_id)

    @admin.display(description=_("origins"))
    def origin_list(self, obj: RelyingParty) -> str:
        return " ".join(obj.origins)


# =========================================================================== account profiles


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
        profiles.delete_profile(request.user, obj, via="admin")
    for obj in formset.new_objects:
        form = next(f for f in formset.forms if f.instance is obj)
        profiles.save_profile(request.user, obj, fields=form.changed_data, via="admin")
    for obj, fields in formset.changed_objects:
        profiles.save_profile(request.user, obj, fields=fields, via="admin")


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
        profiles.save_profile(request.user, obj, fields=form.changed_data, via="admin")

    def delete_model(self, request: HttpRequest, obj: AccountProfile) -> None:
        profiles.delete_profile(request.user, obj, via="admin")

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[AccountProfile]) -> None:
        for profile in queryset:
            profiles.delete_profile(request.user, profile, via="admin")


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


# =========================================================================== grants


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
        return grants.revoke(request.user, grant, via="admin", request=request)

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


# =========================================================================== signing keys


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
            result = keys.rotate(actor=request.user, via="admin")
        except keys.KeyManagementError as exc:
            self.message_user(request, str(exc), messages.ERROR)
            return HttpResponseRedirect(changelist)
        new, old = result.activated, result.retired
        message = _("Rotated: %(kid)s (%(alg)s) now signs.") % {
            "kid": new.kid,
            "alg": new.algorithm,
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


# =========================================================================== audit


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
