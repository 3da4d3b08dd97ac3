"""Relying-party registrations: validate, create, update, enable and disable.

A registration is a django-oauth-toolkit ``Application`` (``client_id``,
``name``, allowed origins, redirect URIs) plus its one-to-one
:class:`~django_fedcm.models.RelyingParty` (the FedCM options). Both rows are
written in one transaction, and every change is recorded in the audit trail
(:func:`django_fedcm.services.audit.record`) with the fields that changed.

The staff API (:func:`create_relying_party`, :func:`update_relying_party`,
:func:`set_enabled`) and the admin's Application page (:func:`save_application`,
:func:`delete_application`) write through these functions, so both apply the
same rules (:mod:`~django_fedcm.services.registration_rules`, re-exported
here) and write the same audit actions (``relying_party.created``,
``.updated``, ``.deleted``, ``.enabled``, ``.disabled``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from oauth2_provider.models import get_application_model
from oauth2_provider.settings import oauth2_settings

from django_fedcm.models import RelyingParty
from django_fedcm.services import audit
from django_fedcm.services.registration_rules import (
    APPLICATION_FIELDS,
    APPLICATION_MODEL_FIELDS,
    CLIENT_TYPES,
    EDITABLE_FIELDS,
    LOCAL_HOSTS,
    MAX_ORIGINS,
    MAX_REDIRECT_URIS,
    PUBLIC_URL_FIELDS,
    RELYING_PARTY_FIELDS,
    application_data,
    clean_allowed_origins,
    clean_origins,
    clean_redirect_uris,
    clean_registration,
    relying_party_data,
    validate_client_id,
    validate_public_url,
)

__all__ = [
    "APPLICATION_FIELDS",
    "APPLICATION_MODEL_FIELDS",
    "CLIENT_TYPES",
    "EDITABLE_FIELDS",
    "LOCAL_HOSTS",
    "MAX_ORIGINS",
    "MAX_REDIRECT_URIS",
    "PUBLIC_URL_FIELDS",
    "RELYING_PARTY_FIELDS",
    "Registration",
    "application_data",
    "clean_allowed_origins",
    "clean_origins",
    "clean_redirect_uris",
    "clean_registration",
    "create_relying_party",
    "delete_application",
    "relying_party_data",
    "save_application",
    "set_enabled",
    "snapshot",
    "update_relying_party",
    "validate_client_id",
    "validate_public_url",
]


@dataclass(frozen=True)
class Registration:
    """A created registration. ``client_secret`` is the plaintext secret of a
    confidential client, available only here, right after creation (the
    stored value is hashed)."""

    relying_party: RelyingParty
    client_secret: str | None = None


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
