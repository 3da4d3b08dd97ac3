"""ViewSets of the django-fedcm API (staff management and self-service).

Authentication and body parsing are the API's own, not the project's
``REST_FRAMEWORK`` defaults (:mod:`django_fedcm.contrib.rest_framework.base`).
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from rest_framework import mixins, routers, status, viewsets
from rest_framework.decorators import action
from rest_framework.pagination import BasePagination, PageNumberPagination
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from django_fedcm.contrib.rest_framework import serializers
from django_fedcm.contrib.rest_framework.base import ApiRequestMixin
from django_fedcm.contrib.rest_framework.permissions import StaffModelPermissions
from django_fedcm.contrib.rest_framework.schema import FedCMAutoSchema
from django_fedcm.models import Grant, RelyingParty, SigningKey
from django_fedcm.services import connected_apps, keys, registrations


class ApiPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class ApiViewMixin(ApiRequestMixin):
    """Authentication, body parsing (:class:`ApiRequestMixin`) and pagination
    shared by every viewset."""

    pagination_class: type[BasePagination] | None = ApiPagination


class ApiRootView(ApiRequestMixin, routers.APIRootView):
    """The router's root page (the browsable API's index), with the API's
    authentication and body parser."""


def _truthy(value: str) -> bool:
    return value.lower() in {"1", "true", "yes", "on"}


class RelyingPartyViewSet(
    ApiViewMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet[RelyingParty],
):
    """Relying-party registrations (staff). No DELETE: disable instead, which
    keeps the users' grants and the audit history intact.

    Filters: ``?client_id=<id>``, ``?enabled=true|false``.
    """

    queryset = RelyingParty.objects.select_related("application").order_by("pk")
    serializer_class = serializers.RelyingPartySerializer
    permission_classes = [StaffModelPermissions]
    action_permissions = {
        "disable": ["django_fedcm.change_relyingparty"],
        "enable": ["django_fedcm.change_relyingparty"],
    }
    response_serializers = {
        "disable": serializers.RelyingPartySerializer,
        "enable": serializers.RelyingPartySerializer,
    }
    schema = FedCMAutoSchema(
        singular="RelyingParty", plural="RelyingParties", tags=["relying parties"]
    )

    def get_queryset(self) -> QuerySet[RelyingParty]:
        queryset = super().get_queryset()
        params = self.request.query_params
        if "client_id" in params:
            client_id = params["client_id"]
            # No client id holds a NUL byte, and PostgreSQL refuses one in a query.
            if "\x00" in client_id:
                return queryset.none()
            queryset = queryset.filter(application__client_id=client_id)
        if "enabled" in params:
            queryset = queryset.filter(enabled=_truthy(params["enabled"]))
        return queryset

    def get_serializer_class(self) -> type[BaseSerializer[Any]]:
        if self.action in {"disable", "enable"}:
            return serializers.EmptySerializer
        return serializers.RelyingPartySerializer

    def _set_enabled(self, request: Request, enabled: bool) -> Response:
        instance = self.get_object()
        # No body expected: one with a field (``{"enabled": false}`` sent to
        # enable/) is refused rather than ignored.
        serializers.EmptySerializer(data=request.data).is_valid(raise_exception=True)
        relying_party = registrations.set_enabled(request.user, instance, enabled)
        data = serializers.RelyingPartySerializer(relying_party, context={"request": request})
        return Response(data.data)

    @action(detail=True, methods=["post"])
    def disable(self, request: Request, pk: str | None = None) -> Response:
        """Disable the registration: every FedCM endpoint refuses the client and
        ``approved_clients`` stops listing it. Grants are kept."""
        return self._set_enabled(request, False)

    @action(detail=True, methods=["post"])
    def enable(self, request: Request, pk: str | None = None) -> Response:
        """Re-enable a disabled registration."""
        return self._set_enabled(request, True)


class SigningKeyViewSet(ApiViewMixin, viewsets.ReadOnlyModelViewSet[SigningKey]):
    """Signing keys, public parts only (staff), and the ``rotate`` action."""

    queryset = SigningKey.objects.order_by("-created_at", "-pk")
    serializer_class = serializers.SigningKeySerializer
    permission_classes = [StaffModelPermissions]
    lookup_field = "kid"
    # Key ids are JWK thumbprints; a NUL byte would be a PostgreSQL error (500).
    lookup_value_regex = "[^/.\x00]+"
    action_permissions = {
        "rotate": ["django_fedcm.add_signingkey", "django_fedcm.change_signingkey"],
    }
    response_serializers = {"rotate": serializers.RotationSerializer}
    created_actions = {"rotate"}
    schema = FedCMAutoSchema(singular="SigningKey", plural="SigningKeys", tags=["signing keys"])

    def get_serializer_class(self) -> type[BaseSerializer[Any]]:
        if self.action == "rotate":
            return serializers.RotateSerializer
        return serializers.SigningKeySerializer

    def get_serializer_context(self) -> dict[str, Any]:
        # One cutoff per request: every key of a page is judged at the same instant.
        return {**super().get_serializer_context(), "grace_cutoff": keys.grace_cutoff()}

    @action(detail=False, methods=["post"])
    def rotate(self, request: Request) -> Response:
        """Activate a new signing key and retire the current one (``keys.rotate``)."""
        params = serializers.RotateSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        algorithm = params.validated_data.get("algorithm")
        try:
            # Audited (signing_key.rotated) in the rotation's own transaction.
            result = keys.rotate(algorithm, actor=request.user)
        except keys.KeyManagementError as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_409_CONFLICT)
        body = serializers.RotationSerializer(result, context=self.get_serializer_context())
        return Response(body.data, status=status.HTTP_201_CREATED)


class ConnectedAppViewSet(
    ApiViewMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet[Grant],
):
    """The relying parties the signed-in user approved. ``DELETE`` revokes one:
    the grant and that client's OAuth tokens for the user are removed, so the
    next FedCM sign-in asks again. Only the user's own grants exist here."""

    serializer_class = serializers.ConnectedAppSerializer
    permission_classes = [IsAuthenticated]
    lookup_value_regex = "[0-9]+"
    schema = FedCMAutoSchema(
        singular="ConnectedApp", plural="ConnectedApps", tags=["connected apps"]
    )

    def get_queryset(self) -> QuerySet[Grant]:
        return connected_apps.connected_apps(self.request.user)

    def perform_destroy(self, instance: Grant) -> None:
        connected_apps.revoke_connected_app(
            self.request.user, instance, via="api", request=self.request._request
        )
