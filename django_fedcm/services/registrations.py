"""Relying-party registrations: validate, create, update, enable and disable.

A registration is a django-oauth-toolkit ``Application`` (``client_id``,
``name``, allowed origins, redirect URIs) plus its one-to-one
:class:`~django_fedcm.models.RelyingParty` (the FedCM options). Both rows are
written in one transaction, and every change is recorded in the audit trail
(:func:`django_fedcm.services.audit.record`) with the fields that changed.

The staff API (:func:`create_relying_party`, :func:`update_relying_party`,
:func:`set_enabled`) and the admin's Application page (:func:`save_application`,
:func:`delete_application`) write through these functions, so both apply the
same rules and write the same audit actions (``relying_party.created``,
``.updated``, ``.deleted``, ``.enabled``, ``.disabled``):

* origins are exact (``scheme://host[:port]``, see
  :mod:`django_fedcm.internal.origins`);
* with ``DEBUG = False`` origins, terms, privacy and icon URLs must be
  ``https`` unless the host is ``localhost`` / ``127.0.0.1`` / ``[::1]``
  (FedCM is only exposed to secure contexts, and the browser fetches the
  icon and shows the links to users);
* origins also use a scheme in django-oauth-toolkit's
  ``OAUTH2_PROVIDER["ALLOWED_SCHEMES"]`` (default ``["https"]``), which its
  ``Application.clean()`` applies to them: a registration the API accepts
  can always be saved again in the admin.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator, URLValidator
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from oauth2_provider.models import get_application_model
from oauth2_provider.settings import oauth2_settings

from django_fedcm.internal.origins import normalize_origin, validate_origin_list
from django_fedcm.models import RelyingParty
from django_fedcm.services import audit

#: Hosts that count as a secure context over plain http
#: (https://w3c.github.io/webappsec-secure-contexts/#is-origin-trustworthy).
LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})

#: Editable fields stored on the OAuth application.
APPLICATION_FIELDS = ("name", "origins", "redirect_uris")
#: Editable fields stored on the relying party.
RELYING_PARTY_FIELDS = (
    "enabled",
    "terms_of_service_url",
    "privacy_policy_url",
    "icon_url",
    "icon_size",
    "client_is_third_party",
    "require_user_action",
    "structured_tokens",
)
EDITABLE_FIELDS = APPLICATION_FIELDS + RELYING_PARTY_FIELDS
#: Application model fields behind :data:`APPLICATION_FIELDS` (their values are
#: audited; other application fields are audited by name only).
APPLICATION_MODEL_FIELDS = {
    "name": "name",
    "origins": "allowed_origins",
    "redirect_uris": "redirect_uris",
}
PUBLIC_URL_FIELDS = ("terms_of_service_url", "privacy_policy_url", "icon_url")
CLIENT_TYPES = ("public", "confidential")

validate_client_id = RegexValidator(
    r"^[A-Za-z0-9._~:-]{1,100}\Z",
    _("Use 1 to 100 letters, digits or . _ ~ : - (the client_id travels in URLs and forms)."),
    code="invalid_client_id",
)


@dataclass(frozen=True)
class Registration:
    """A created registration. ``client_secret`` is the plaintext secret of a
    confidential client, available only here, right after creation (the
    stored value is hashed)."""

    relying_party: RelyingParty
    client_secret: str | None = None


# --------------------------------------------------------------------------- validation


def _secure_or_local(value: str) -> bool:
    parts = urlsplit(value)
    return parts.scheme == "https" or settings.DEBUG or (parts.hostname or "") in LOCAL_HOSTS


def validate_public_url(value: str) -> None:
    """Django validator for terms / privacy / icon URLs (empty is allowed)."""
    if not value:
        return
    URLValidator(schemes=["http", "https"])(value)
    if not _secure_or_local(value):
        raise ValidationError(
            _("Use an https:// URL (http is accepted only for localhost or with DEBUG=True)."),
            code="https_required",
        )


def clean_origins(values: Iterable[str]) -> list[str]:
    """Normalised, de-duplicated exact origins; at least one is required."""
    schemes = {scheme.lower() for scheme in oauth2_settings.ALLOWED_SCHEMES}
    items = list(values)
    bad = [item for item in items if len(item.split()) != 1]
    if bad:
        raise ValidationError(
            _("One origin per entry, without spaces: %(bad)s"),
            code="invalid_origin",
            params={"bad": ", ".join(repr(b) for b in bad)},
        )
    validate_origin_list(" ".join(items))
    origins: list[str] = []
    for item in items:
        origin = normalize_origin(item)
        if not _secure_or_local(origin):
            raise ValidationError(
                _("Origin %(origin)s must use https (FedCM needs a secure context)."),
                code="https_required",
                params={"origin": origin},
            )
        if origin.partition(":")[0] not in schemes:
            raise ValidationError(
                _(
                    'Origin %(origin)s: its scheme is not in OAUTH2_PROVIDER["ALLOWED_SCHEMES"] '
                    '(add "http" there for a local relying party in development).'
                ),
                code="scheme_not_allowed",
                params={"origin": origin},
            )
        if origin not in origins:
            origins.append(origin)
    if not origins:
        raise ValidationError(_("Register at least one origin."), code="required")
    return origins


def clean_redirect_uris(values: Iterable[str]) -> list[str]:
    """OAuth redirect URIs, validated like django-oauth-toolkit does (optional)."""
    from oauth2_provider.validators import AllowedURIValidator

    validator = AllowedURIValidator(
        oauth2_settings.ALLOWED_REDIRECT_URI_SCHEMES,
        name="redirect uri",
        allow_path=True,
        allow_query=True,
    )
    uris: list[str] = []
    for item in values:
        if len(item.split()) != 1:
            raise ValidationError(
                _("One redirect URI per entry, without spaces."), code="invalid_redirect_uri"
            )
        validator(item)
        if item not in uris:
            uris.append(item)
    return uris


def clean_registration(data: Mapping[str, Any]) -> dict[str, Any]:
    """Validate (and normalise) the editable fields present in ``data``.

    Raises one :class:`~django.core.exceptions.ValidationError` keyed by field
    name with every problem found. Type coercion is the caller's job (a
    serializer or a form); this applies the business rules.
    """
    cleaned: dict[str, Any] = {}
    errors: dict[str, list[ValidationError]] = {}

    def attempt(name: str, clean: Any) -> None:
        if name not in data:
            return
        try:
            cleaned[name] = clean(data[name])
        except ValidationError as exc:
            errors[name] = exc.error_list

    def clean_name(value: str) -> str:
        value = str(value).strip()
        if not value:
            raise ValidationError(_("A name is required (the browser shows it)."), code="required")
        return value

    def clean_url(value: str) -> str:
        value = str(value or "").strip()
        validate_public_url(value)
        return value

    def clean_bool(value: Any) -> bool:
        if not isinstance(value, bool):
            raise ValidationError(_("Must be true or false."), code="invalid")
        return value

    def clean_icon_size(value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 32767:
            raise ValidationError(_("A whole number of pixels, 1 to 32767."), code="invalid")
        return value

    attempt("name", clean_name)
    attempt("origins", clean_origins)
    attempt("redirect_uris", clean_redirect_uris)
    for name in PUBLIC_URL_FIELDS:
        attempt(name, clean_url)
    for name in ("enabled", "client_is_third_party", "require_user_action", "structured_tokens"):
        attempt(name, clean_bool)
    attempt("icon_size", clean_icon_size)
    if errors:
        raise ValidationError(errors)
    return cleaned


def clean_allowed_origins(value: str) -> str:
    """An application's ``allowed_origins`` text (whitespace separated),
    checked by :func:`clean_origins` and normalised; empty stays empty (an
    OAuth client without a relying party may have none)."""
    entries = (value or "").split()
    return " ".join(clean_origins(entries)) if entries else ""


def application_data(application: Any) -> dict[str, Any]:
    """The :data:`APPLICATION_FIELDS` of an application as
    :func:`clean_registration` takes them."""
    return {
        "name": application.name,
        "origins": (application.allowed_origins or "").split(),
        "redirect_uris": (application.redirect_uris or "").split(),
    }


def relying_party_data(relying_party: RelyingParty) -> dict[str, Any]:
    """The :data:`RELYING_PARTY_FIELDS` of a relying party."""
    return {name: getattr(relying_party, name) for name in RELYING_PARTY_FIELDS}


# --------------------------------------------------------------------------- snapshots


def snapshot(relying_party: RelyingParty) -> dict[str, Any]:
    """The editable fields of a registration as JSON-friendly values."""
    application = relying_party.application
    values: dict[str, Any] = {
        "name": application.name,
        "origins": relying_party.origins,
        "redirect_uris": application.redirect_uris.split(),
    }
    values.update(relying_party_data(relying_party))
    return values


def _diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    return {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}


def _apply(relying_party: RelyingParty, cleaned: Mapping[str, Any]) -> None:
    application = relying_party.application
    for name, value in cleaned.items():
        if name == "name":
            application.name = value
        elif name == "origins":
            application.allowed_origins = " ".join(value)
        elif name == "redirect_uris":
            application.redirect_uris = " ".join(value)
        elif name in RELYING_PARTY_FIELDS:
            setattr(relying_party, name, value)


# --------------------------------------------------------------------------- writes


def create_relying_party(
    actor: Any,
    data: Mapping[str, Any],
    *,
    client_id: str | None = None,
    client_type: str = "public",
) -> Registration:
    """Create the application and its relying party; audit ``relying_party.created``."""
    Application = get_application_model()
    errors: dict[str, list[ValidationError]] = {}
    try:
        cleaned = clean_registration(data)
    except ValidationError as exc:
        errors.update(exc.error_dict)
        cleaned = {}
    for required in ("name", "origins"):
        if required not in data and required not in errors:
            errors[required] = [ValidationError(_("This field is required."), code="required")]
    if client_type not in CLIENT_TYPES:
        errors["client_type"] = [
            ValidationError(_("Choose public or confidential."), code="invalid_choice")
        ]
    if client_id is not None:
        try:
            validate_client_id(client_id)
        except ValidationError as exc:
            errors["client_id"] = exc.error_list
        else:
            if Application.objects.filter(client_id=client_id).exists():
                errors["client_id"] = [
                    ValidationError(_("This client_id is taken."), code="unique")
                ]
    if errors:
        raise ValidationError(errors)

    secret = oauth2_settings.CLIENT_SECRET_GENERATOR_CLASS().hash()
    application = Application(
        name=cleaned["name"],
        client_type=client_type,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        # FedCM tokens and DOT's OIDC ID tokens are signed by the same RSA key set.
        algorithm=Application.RS256_ALGORITHM,
        # Public clients never use it, but an empty secret would be a hash of
        # "" (a guessable credential); DOT's own default is a random one too.
        client_secret=secret,
    )
    if client_id is not None:
        application.client_id = client_id
    relying_party = RelyingParty(application=application)
    _apply(relying_party, cleaned)
    try:
        with transaction.atomic():
            application.save()
            relying_party.application = application
            relying_party.save()
            changes = _diff({}, snapshot(relying_party))
            changes["client_id"] = [None, application.client_id]
            changes["client_type"] = [None, client_type]
            audit.record(actor, "relying_party.created", relying_party, changes)
    except IntegrityError:
        raise ValidationError(
            {"client_id": [ValidationError(_("This client_id is taken."), code="unique")]}
        ) from None
    return Registration(
        relying_party=relying_party,
        client_secret=secret if client_type == "confidential" else None,
    )


def update_relying_party(
    actor: Any,
    relying_party: RelyingParty,
    data: Mapping[str, Any],
    *,
    action: str = "relying_party.updated",
) -> RelyingParty:
    """Apply the editable fields in ``data``; audit the fields that changed.

    The rows are locked for the read-modify-write so that two concurrent
    updates cannot silently undo each other. Returns the fresh registration.
    """
    cleaned = clean_registration(data)
    with transaction.atomic():
        current = (
            RelyingParty.objects.select_for_update()
            .select_related("application")
            .get(pk=relying_party.pk)
        )
        before = snapshot(current)
        _apply(current, cleaned)
        changes = _diff(before, snapshot(current))
        if changes:
            current.application.save()
            current.save()
            audit.record(actor, action, current, changes)
    return current


def set_enabled(actor: Any, relying_party: RelyingParty, enabled: bool) -> RelyingParty:
    """Enable or disable a registration (never deletes: grants survive a
    disable and count again after re-enabling; ``approved_clients`` and every
    FedCM endpoint ignore disabled clients meanwhile)."""
    action = "relying_party.enabled" if enabled else "relying_party.disabled"
    return update_relying_party(actor, relying_party, {"enabled": enabled}, action=action)


def save_application(
    actor: Any,
    application: Any,
    *,
    relying_party: RelyingParty | None = None,
    delete_relying_party: bool = False,
    changed: Sequence[str] = (),
    via: str | None = None,
) -> RelyingParty | None:
    """Save an application edited field by field (the admin's Application page)
    together with its relying party, in one transaction.

    ``relying_party`` is a new or edited relying party (unsaved changes), or
    ``None`` to keep the stored one as it is; ``delete_relying_party`` removes
    the stored one (the OAuth application stays; its grants go with it, by
    database cascade). ``changed`` names the application fields the caller
    edited. The rules are :func:`clean_registration`'s, applied to the
    application's name, origins and redirect URIs whenever the application has
    a relying party, and to ``relying_party``'s fields when given; a
    :class:`~django.core.exceptions.ValidationError` keyed by field name means
    nothing was written.

    Audited as ``relying_party.created`` / ``.updated`` (registration fields
    with old and new values as in :func:`update_relying_party`; other changed
    application fields by name only under ``"fields"``: one may be the client
    secret) / ``.deleted``; an application without a relying party (an OAuth
    client only) as ``application.created`` / ``application.updated``.
    Returns the relying party, or ``None`` when there is none.
    """
    adding = application._state.adding
    with transaction.atomic():
        current = None
        if not adding:
            current = (
                RelyingParty.objects.select_for_update()
                .select_related("application")
                .filter(application_id=application.pk)
                .first()
            )
        before = snapshot(current) if current is not None else {}
        kept = None if delete_relying_party else (relying_party or current)
        if kept is not None:
            kept.application = application
            data = application_data(application)
            if relying_party is not None:
                data.update(relying_party_data(relying_party))
            _apply(kept, clean_registration(data))
        else:
            try:
                application.allowed_origins = clean_allowed_origins(application.allowed_origins)
            except ValidationError as exc:
                raise ValidationError({"origins": exc.error_list}) from None
        application.save()
        others = [f for f in changed if f not in APPLICATION_MODEL_FIELDS.values()]
        if kept is not None:
            kept.save()
            _record_saved(actor, current, kept, before, others, via)
        elif current is not None:
            _record_deleted(actor, current, via)
            # Through the queryset: the caller's instance keeps its primary key.
            RelyingParty.objects.filter(pk=current.pk).delete()
        elif adding or changed:
            action = "application.created" if adding else "application.updated"
            audit.record(actor, action, application, {"fields": list(changed)}, via=via)
    return kept


def _record_saved(
    actor: Any,
    current: RelyingParty | None,
    kept: RelyingParty,
    before: Mapping[str, Any],
    others: list[str],
    via: str | None,
) -> None:
    application = kept.application
    changes: dict[str, Any] = _diff(before, snapshot(kept))
    old_client_id = current.application.client_id if current is not None else None
    if old_client_id != application.client_id:
        changes["client_id"] = [old_client_id, application.client_id]
    if current is None:
        changes["client_type"] = [None, application.client_type]
    others = [f for f in others if f != "client_id"]
    if others:
        changes["fields"] = others
    if current is None:
        audit.record(actor, "relying_party.created", kept, changes, via=via)
    elif changes:
        audit.record(actor, "relying_party.updated", kept, changes, via=via)


def _record_deleted(actor: Any, relying_party: RelyingParty, via: str | None) -> None:
    changes = {name: [value, None] for name, value in snapshot(relying_party).items()}
    changes["client_id"] = [relying_party.application.client_id, None]
    audit.record(actor, "relying_party.deleted", relying_party, changes, via=via)


def delete_application(actor: Any, application: Any, *, via: str | None = None) -> None:
    """Delete an application. Its relying party and grants go with it (database
    cascade: no ``grant_revoked`` signal). Audited as ``relying_party.deleted``
    (or ``application.deleted`` for an OAuth client without one)."""
    with transaction.atomic():
        current = (
            RelyingParty.objects.select_for_update()
            .select_related("application")
            .filter(application_id=application.pk)
            .first()
        )
        if current is not None:
            _record_deleted(actor, current, via)
        else:
            changes = {"client_id": [application.client_id, None]}
            audit.record(actor, "application.deleted", application, changes, via=via)
        application.delete()
