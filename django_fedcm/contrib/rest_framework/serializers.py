"""Serializers of the django-fedcm API.

They coerce types and report field-level errors; the business rules live in
:mod:`django_fedcm.services.registrations` (shared with the admin) and
:mod:`django_fedcm.services.connected_apps`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from rest_framework import serializers

from django_fedcm.conf import ALGORITHMS
from django_fedcm.models import Grant, RelyingParty, SigningKey
from django_fedcm.services import registrations

#: JWK members that only a private key has (RFC 7518 §6); never rendered.
_PRIVATE_JWK_MEMBERS = frozenset({"d", "p", "q", "dp", "dq", "qi", "oth", "k"})


def _as_drf_error(exc: DjangoValidationError) -> serializers.ValidationError:
    if hasattr(exc, "error_dict"):
        return serializers.ValidationError(exc.message_dict)
    return serializers.ValidationError(exc.messages)


class RefuseUnknownFieldsMixin:
    """A body naming a field the serializer does not have is a ``400`` naming
    it (DRF drops unknown keys silently: ``{"enabeld": false}`` left a client
    enabled and answered 200). Read-only fields are known: a representation
    read with GET can be sent back."""

    fields: Any

    def to_internal_value(self, data: Any) -> Any:
        unknown: dict[str, list[str]] = {}
        if isinstance(data, Mapping):
            unknown = {str(name): [_("Unknown field.")] for name in data if name not in self.fields}
        try:
            value = super().to_internal_value(data)  # type: ignore[misc]
        except serializers.ValidationError as exc:
            if unknown and isinstance(exc.detail, dict):
                raise serializers.ValidationError({**exc.detail, **unknown}) from None
            raise
        if unknown:
            raise serializers.ValidationError(unknown)
        return value


class RelyingPartySerializer(RefuseUnknownFieldsMixin, serializers.Serializer[RelyingParty]):
    """One registration: the OAuth application's identity plus the FedCM options."""

    id = serializers.IntegerField(read_only=True)
    client_id = serializers.CharField(
        required=False,
        max_length=100,
        validators=[registrations.validate_client_id],
        help_text="Chosen by the server when omitted. Cannot be changed later.",
    )
    client_type = serializers.ChoiceField(
        choices=registrations.CLIENT_TYPES,
        required=False,
        help_text="public (default) or confidential. Cannot be changed later.",
    )
    client_secret = serializers.CharField(
        read_only=True,
        help_text="Plaintext secret of a confidential client: only in the create response.",
    )
    name = serializers.CharField(max_length=255, help_text="Shown by the browser.")
    origins = serializers.ListField(
        child=serializers.CharField(max_length=255),
        allow_empty=False,
        max_length=registrations.MAX_ORIGINS,
        help_text="Exact origins (scheme://host[:port]) allowed to use this client_id.",
    )
    redirect_uris = serializers.ListField(
        child=serializers.CharField(max_length=2000),
        required=False,
        max_length=registrations.MAX_REDIRECT_URIS,
        help_text="OAuth 2.0 redirect URIs (the OAuth door); optional for FedCM only.",
    )
    enabled = serializers.BooleanField(required=False)
    terms_of_service_url = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        validators=[registrations.validate_public_url],
    )
    privacy_policy_url = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        validators=[registrations.validate_public_url],
    )
    icon_url = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        validators=[registrations.validate_public_url],
    )
    icon_size = serializers.IntegerField(min_value=1, max_value=32767, required=False)
    client_is_third_party = serializers.BooleanField(required=False)
    require_user_action = serializers.BooleanField(required=False)
    structured_tokens = serializers.BooleanField(required=False)
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)

    def validate_origins(self, value: list[str]) -> list[str]:
        try:
            return registrations.clean_origins(value)
        except DjangoValidationError as exc:
            raise _as_drf_error(exc) from None

    def validate_redirect_uris(self, value: list[str]) -> list[str]:
        try:
            return registrations.clean_redirect_uris(value)
        except DjangoValidationError as exc:
            raise _as_drf_error(exc) from None

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if self.instance is not None:
            application = self.instance.application
            current = {"client_id": application.client_id, "client_type": application.client_type}
            errors: dict[str, Any] = {
                name: ["Cannot be changed after creation."]
                for name in ("client_id", "client_type")
                if name in attrs and attrs[name] != current[name]
            }
            if errors:
                raise serializers.ValidationError(errors)
        return attrs

    def _actor(self) -> Any:
        request = self.context.get("request")
        return getattr(request, "user", None)

    def create(self, validated_data: dict[str, Any]) -> RelyingParty:
        data = {k: v for k, v in validated_data.items() if k in registrations.EDITABLE_FIELDS}
        try:
            registration = registrations.create_relying_party(
                self._actor(),
                data,
                client_id=validated_data.get("client_id"),
                client_type=validated_data.get("client_type", "public"),
            )
        except DjangoValidationError as exc:
            raise _as_drf_error(exc) from None
        self._client_secret = registration.client_secret
        return registration.relying_party

    def update(self, instance: RelyingParty, validated_data: dict[str, Any]) -> RelyingParty:
        data = {k: v for k, v in validated_data.items() if k in registrations.EDITABLE_FIELDS}
        try:
            return registrations.update_relying_party(self._actor(), instance, data)
        except DjangoValidationError as exc:
            raise _as_drf_error(exc) from None

    def to_representation(self, instance: RelyingParty) -> dict[str, Any]:
        application = instance.application
        values: dict[str, Any] = {
            **registrations.snapshot(instance),
            "id": instance.pk,
            "client_id": application.client_id,
            "client_type": application.client_type,
            "created_at": instance.created_at,
            "updated_at": instance.updated_at,
        }
        secret = getattr(self, "_client_secret", None)
        if secret:
            values["client_secret"] = secret
        return dict(super().to_representation(values))  # type: ignore[arg-type]


class SigningKeySerializer(serializers.ModelSerializer[SigningKey]):
    """Public parts of a signing key. The private key is never serialised."""

    alg = serializers.CharField(source="algorithm", read_only=True)
    published = serializers.SerializerMethodField(
        help_text="In the JWKS now (active, next, or retired within the grace period)."
    )
    public_jwk = serializers.SerializerMethodField()

    class Meta:
        model = SigningKey
        fields = [
            "kid",
            "alg",
            "state",
            "published",
            "created_at",
            "activated_at",
            "retired_at",
            "public_jwk",
        ]
        read_only_fields = fields

    def get_published(self, obj: SigningKey) -> bool:
        if obj.state != SigningKey.State.RETIRED:
            return True
        cutoff = self.context.get("grace_cutoff")
        return bool(cutoff is not None and obj.retired_at and obj.retired_at >= cutoff)

    def get_public_jwk(self, obj: SigningKey) -> dict[str, Any]:
        jwk: Mapping[str, Any] = obj.public_jwk or {}
        return {k: v for k, v in jwk.items() if k not in _PRIVATE_JWK_MEMBERS}


class EmptySerializer(RefuseUnknownFieldsMixin, serializers.Serializer[Any]):
    """No body (the ``disable`` / ``enable`` actions)."""


class RotateSerializer(RefuseUnknownFieldsMixin, serializers.Serializer[Any]):
    algorithm = serializers.ChoiceField(
        choices=ALGORITHMS,
        required=False,
        help_text="Algorithm of the new active key; default FEDCM_KEY_ALGORITHM "
        "(a pre-published next key is promoted when it matches).",
    )


class RotationSerializer(serializers.Serializer[Any]):
    activated = SigningKeySerializer(read_only=True)
    retired = SigningKeySerializer(read_only=True, allow_null=True)
    created = serializers.BooleanField(
        read_only=True, help_text="False when a pre-published next key was promoted."
    )


class ConnectedAppSerializer(serializers.ModelSerializer[Grant]):
    """A relying party the signed-in user approved, as the user sees it."""

    client_id = serializers.CharField(source="relying_party.application.client_id")
    name = serializers.CharField(source="relying_party.display_name")
    icon_url = serializers.CharField(source="relying_party.icon_url")
    terms_of_service_url = serializers.CharField(source="relying_party.terms_of_service_url")
    privacy_policy_url = serializers.CharField(source="relying_party.privacy_policy_url")
    first_sign_in = serializers.DateTimeField(source="created_at")
    last_sign_in = serializers.DateTimeField(source="last_used_at")

    class Meta:
        model = Grant
        fields = [
            "id",
            "client_id",
            "name",
            "icon_url",
            "terms_of_service_url",
            "privacy_policy_url",
            "first_sign_in",
            "last_sign_in",
            "disclosed_fields",
            "scopes",
        ]
        read_only_fields = fields
