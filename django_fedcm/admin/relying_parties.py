"""Relying parties: an inline on django-oauth-toolkit's Application page (one
registration serves the FedCM and the OAuth doors), and a read-only list.

The Application page writes through
:func:`django_fedcm.services.registrations.save_application` and
:func:`~django_fedcm.services.registrations.delete_application`: the REST
API's rules, transaction and audit actions (docs/models.md). The forms run the
same rules first, so a refusal is a form error and nothing is saved.
"""

from __future__ import annotations

from typing import Any

# DOT registers its Application admin at import: import it first so that
# replacing that registration does not depend on the order of INSTALLED_APPS.
import oauth2_provider.admin  # noqa: F401
from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from oauth2_provider.models import get_application_admin_class, get_application_model

from django_fedcm.admin.base import (
    HTTPS_URL_FIELDS,
    VIA,
    ModelAdmin,
    ModelForm,
    ReadOnlyAdmin,
    StackedInline,
)
from django_fedcm.models import RelyingParty
from django_fedcm.services import registrations

__all__ = [
    "FedCMApplicationAdmin",
    "FedCMApplicationAdminMixin",
    "FedCMApplicationForm",
    "RelyingPartyAdmin",
    "RelyingPartyInline",
    "register_application_admin",
]

Application = get_application_model()

#: Registration field name (the API's) -> Application model field name.
FORM_FIELDS = registrations.APPLICATION_MODEL_FIELDS


def _add_errors(form: forms.BaseForm, exc: ValidationError, fields: dict[str, str]) -> None:
    """Report a :func:`~django_fedcm.services.registrations.clean_registration`
    error on the form's fields (``fields`` maps the service's names to them)."""
    for name, errors in exc.error_dict.items():
        form.add_error(fields.get(name, name), errors)


class RelyingPartyForm(ModelForm):
    """The inline's form: the relying-party fields checked by the service."""

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        data = {k: cleaned[k] for k in registrations.RELYING_PARTY_FIELDS if k in cleaned}
        try:
            registrations.clean_registration(data)
        except ValidationError as exc:
            _add_errors(self, exc, {})
        return cleaned


class RelyingPartyFormSet(BaseInlineFormSet):  # type: ignore[type-arg]
    def clean(self) -> None:
        super().clean()
        added = [
            form
            for form in self.forms
            if form.instance._state.adding
            and form.has_changed()
            and not getattr(form, "cleaned_data", {}).get("DELETE", False)
        ]
        if not added:
            return
        # A new registration: the application's name, origins and redirect
        # URIs must pass the service's rules too (for a stored one the
        # application form checks them). Without origins the id assertion
        # endpoint refuses every request of the client, as it matches the
        # Origin header exactly
        # (https://w3c-fedid.github.io/FedCM/#idp-api-id-assertion-endpoint).
        try:
            registrations.clean_registration(registrations.application_data(self.instance))
        except ValidationError as exc:
            raise ValidationError(
                [
                    f"{Application._meta.get_field(FORM_FIELDS[name]).verbose_name}: {message}"
                    for name, messages in exc.message_dict.items()
                    for message in messages
                ]
            ) from None


class RelyingPartyInline(StackedInline):
    model = RelyingParty
    form = RelyingPartyForm
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


#: DOT's ``Application.clean()`` messages (same msgids, so they match in any language).
DOT_RSA_KEY_ERROR = _("You must set OIDC_RSA_PRIVATE_KEY to use RSA algorithm")
DOT_NO_REDIRECT_URI_ERROR = _("redirect_uris cannot be empty with grant_type {grant_type}")

REDIRECT_SCHEME_ERROR = _(
    'Redirect URI %(value)s: its scheme is not in OAUTH2_PROVIDER["ALLOWED_REDIRECT_URI_SCHEMES"] '
    '(%(schemes)s). Use https, or add "http" there for a local relying party in development.'
)


def signs_with_fedcm_keys() -> bool:
    """True when DOT's ID tokens are signed by FedCMOAuth2Validator with the
    ``fedcm_keys`` key set, so DOT's ``OIDC_RSA_PRIVATE_KEY`` is never used."""
    from oauth2_provider.settings import oauth2_settings

    from django_fedcm.oauth.validators import FedCMOAuth2Validator

    validator = oauth2_settings.OAUTH2_VALIDATOR_CLASS
    return isinstance(validator, type) and issubclass(validator, FedCMOAuth2Validator)


class FedCMApplicationForm(ModelForm):
    """Mixed into the Application admin's form.

    * ``allowed_origins`` is checked and normalised by the service
      (:func:`~django_fedcm.services.registrations.clean_allowed_origins`);
      with a stored relying party, name, origins and redirect URIs must pass
      :func:`~django_fedcm.services.registrations.clean_registration`.
    * DOT refuses the RS256 algorithm unless ``OIDC_RSA_PRIVATE_KEY`` is set,
      but with FedCMOAuth2Validator that key is never used, and the demo, the
      REST API and the docs register RS256 clients.
    * DOT demands a redirect URI for the authorization-code grant. FedCM
      sign-in redirects nowhere (the token comes back to the RP's page), so an
      application saved with a FedCM relying party needs none, as through the
      REST API; an OAuth-only client still does.
    * A redirect URI whose scheme DOT does not allow says which setting to change.
    """

    #: The relying-party inline's formset class (set by the admin's
    #: ``get_form``), read to learn whether this save keeps a relying party.
    relying_party_formset: type[BaseInlineFormSet] | None = None  # type: ignore[type-arg]

    def keeps_relying_party(self) -> bool:
        """Whether the application has a FedCM relying party after this save:
        a stored one whose delete box is not ticked, or a new one filled in."""
        formset_class = self.relying_party_formset
        if formset_class is None or not self.is_bound:
            pk = self.instance.pk
            return pk is not None and RelyingParty.objects.filter(application_id=pk).exists()
        formset = formset_class(
            self.data,
            self.files,
            instance=self.instance,
            prefix=formset_class.get_default_prefix(),
        )
        if not formset.management_form.is_valid():
            return False  # the formset reports the tampered form itself
        for index, form in enumerate(formset.forms):
            if formset.can_delete and form["DELETE"].value():
                continue
            if index < formset.initial_form_count() or form.has_changed():
                return True
        return False

    def clean_allowed_origins(self) -> str:
        return registrations.clean_allowed_origins(self.cleaned_data.get("allowed_origins", ""))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        pk = self.instance.pk
        if pk is not None and RelyingParty.objects.filter(application_id=pk).exists():
            data = {
                name: str(cleaned[field]) if name == "name" else str(cleaned[field]).split()
                for name, field in FORM_FIELDS.items()
                if field in cleaned
            }
            try:
                registrations.clean_registration(data)
            except ValidationError as exc:
                _add_errors(self, exc, FORM_FIELDS)
        return cleaned

    def _post_clean(self) -> None:
        super()._post_clean()  # type: ignore[misc]  # private ModelForm hook
        if self.errors.get("algorithm") and signs_with_fedcm_keys():
            self._drop_error("algorithm", str(DOT_RSA_KEY_ERROR))
        if self.errors.get("redirect_uris"):
            self._explain_redirect_schemes()
            grant_type = self.instance.authorization_grant_type
            message = str(DOT_NO_REDIRECT_URI_ERROR).format(grant_type=grant_type)
            if message in self.errors["redirect_uris"] and self.keeps_relying_party():
                self._drop_error("redirect_uris", message)

    def _drop_error(self, field: str, message: str) -> None:
        """Remove one of DOT's messages from ``field``; with none left, the
        field's (already constructed) instance value counts as cleaned."""
        errors = self.errors[field]
        errors.data[:] = [e for e in errors.as_data() if message not in e.messages]
        if not errors:
            del self.errors[field]
            self.cleaned_data[field] = getattr(self.instance, field)

    def _explain_redirect_schemes(self) -> None:
        from oauth2_provider.settings import oauth2_settings

        schemes = ", ".join(oauth2_settings.ALLOWED_REDIRECT_URI_SCHEMES)
        errors = self.errors["redirect_uris"]
        explained: dict[str, ValidationError] = {}
        for error in errors.as_data():
            if (error.params or {}).get("cause") == "invalid_scheme":
                params = {"value": error.params["value"], "schemes": schemes}  # type: ignore[index]
                error = ValidationError(
                    REDIRECT_SCHEME_ERROR, code="scheme_not_allowed", params=params
                )
            # The service and DOT's own clean() both check a stored
            # registration's URIs: one message each.
            explained.setdefault(" ".join(error.messages), error)
        errors.data[:] = list(explained.values())


class FedCMApplicationAdminMixin(ModelAdmin):
    """Adds the relying-party inline to whatever Application admin is
    registered (DOT's, or the project's own) and saves both through the
    registration service. The base admin's ``save_model`` is not called: the
    service writes the application, with its relying party, in one
    transaction."""

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> type[ModelForm]:
        form = super().get_form(request, obj, change, **kwargs)
        inline = next(
            (
                i
                for i in self.get_inline_instances(request, obj)
                if isinstance(i, RelyingPartyInline)
            ),
            None,
        )
        formset = inline.get_formset(request, obj) if inline is not None else None
        return type(form.__name__, (FedCMApplicationForm, form), {"relying_party_formset": formset})

    def get_inlines(self, request: HttpRequest, obj: Any) -> list[type[Any]]:
        return [*super().get_inlines(request, obj), RelyingPartyInline]

    def get_list_display(self, request: HttpRequest) -> list[Any]:
        # The client id is what a relying party configures (FedCM's clientId);
        # it replaces DOT's primary-key column.
        first = ("client_id", "name", "fedcm_enabled")
        rest = [f for f in super().get_list_display(request) if f not in (*first, "pk", "id")]
        return [*first, *rest]

    def get_search_fields(self, request: HttpRequest) -> list[str]:
        fields = list(super().get_search_fields(request))
        return fields if "client_id" in fields else [*fields, "client_id"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return super().get_queryset(request).select_related("fedcm")

    @admin.display(description=_("FedCM enabled"), boolean=True, ordering="fedcm__enabled")
    def fedcm_enabled(self, obj: Any) -> bool | None:
        """On or off for a FedCM relying party; unknown for an OAuth-only client."""
        try:
            return bool(obj.fedcm.enabled)
        except RelyingParty.DoesNotExist:
            return None

    def formfield_for_dbfield(
        self, db_field: models.Field[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> forms.Field | None:
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if formfield is not None and db_field.name == "allowed_origins":
            formfield.help_text = _(
                "Exact origins, one per line or space separated: scheme://host[:port], "
                "no path, no wildcard. The FedCM id assertion and disconnect endpoints "
                "accept requests only from these. An http:// origin (a relying party on "
                'your machine) needs "http" in OAUTH2_PROVIDER["ALLOWED_SCHEMES"].'
            )
        if formfield is not None and db_field.name == "redirect_uris":
            formfield.help_text = _(
                "Only for the OAuth redirect flow (the o/ door, the SDK's fallback): "
                "FedCM sign-in redirects nowhere. A FedCM relying party may leave it empty."
            )
        return formfield

    def save_model(self, request: HttpRequest, obj: Any, form: ModelForm, change: bool) -> None:
        """Nothing yet: :meth:`save_related` saves the application with its
        relying party, once the inline's changes are known."""

    def save_related(
        self, request: HttpRequest, form: ModelForm, formsets: Any, change: bool
    ) -> None:
        fedcm = next((f for f in formsets if f.model is RelyingParty), None)
        relying_party, delete = None, False
        if fedcm is not None:
            # commit=False writes nothing; it fills new_objects, changed_objects
            # and deleted_objects, which the admin's change message reads.
            saved = fedcm.save(commit=False)
            relying_party = saved[0] if saved else None
            delete = bool(fedcm.deleted_objects)
        registrations.save_application(
            request.user,
            form.instance,
            relying_party=relying_party,
            delete_relying_party=delete,
            changed=form.changed_data,
            via=VIA,
        )
        others = [f for f in formsets if f is not fedcm]
        super().save_related(request, form, others, change)

    def get_deleted_objects(self, objs: Any, request: HttpRequest) -> Any:
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        # The relying-party list is read-only, which Django reads as "may not
        # delete"; deleting an application removes its registration through
        # the service, which needs the model permission only.
        if request.user.has_perm(f"{RelyingParty._meta.app_label}.delete_relyingparty"):
            perms_needed.discard(RelyingParty._meta.verbose_name)
        return deleted, counts, perms_needed, protected

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        registrations.delete_application(request.user, obj, via=VIA)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        for application in queryset:
            registrations.delete_application(request.user, application, via=VIA)


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
