"""OpenAPI 3 schema of the django-fedcm API, built by DRF's own generator.

The generator walks the project's URLconf (so paths carry whatever prefix the
project included the API under) and keeps only this package's viewsets. The
schema is rendered as JSON, which needs ``uritemplate`` but neither PyYAML
nor ``inflection`` (see :class:`FedCMAutoSchema`): as
``application/vnd.oai.openapi+json`` (the default) or, for a client that
asks for it, ``application/json``.
"""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONOpenAPIRenderer
from rest_framework.schemas.generators import EndpointEnumerator
from rest_framework.schemas.openapi import AutoSchema, SchemaGenerator
from rest_framework.schemas.views import SchemaView

from django_fedcm.contrib.rest_framework.base import ApiRequestMixin

_PACKAGE = __name__.rpartition(".")[0]


class FedCMAutoSchema(AutoSchema):
    """``AutoSchema`` with explicit singular and plural operation names.

    DRF pluralises list operation ids with the ``inflection`` package; naming
    both forms here avoids that dependency and gives stable ids
    (``listRelyingParties``, ``retrieveRelyingParty``, ``disableRelyingParty``).
    """

    def __init__(self, *, singular: str, plural: str, tags: list[str]) -> None:
        super().__init__(tags=tags, operation_id_base=singular)
        self.plural = plural

    def get_operation_id_base(self, path: str, method: str, action: str) -> str:
        return self.plural if action == "list" else str(self.operation_id_base)

    def get_response_serializer(self, path: str, method: str) -> Any:
        # A view names what an action answers when it differs from its request
        # body (``disable`` takes nothing and returns the relying party).
        answers: dict[str, Any] = getattr(self.view, "response_serializers", {})
        serializer_class = answers.get(getattr(self.view, "action", None) or "")
        if serializer_class is not None:
            return serializer_class()
        return super().get_response_serializer(path, method)

    def get_responses(self, path: str, method: str) -> dict[str, Any]:
        responses: dict[str, Any] = super().get_responses(path, method)
        # DRF documents every POST as 201; only creating actions answer that.
        created: set[str] = getattr(self.view, "created_actions", {"create"})
        if method == "POST" and getattr(self.view, "action", None) not in created:
            responses = {"200" if k == "201" else k: v for k, v in responses.items()}
        return responses


class FedCMEndpointEnumerator(EndpointEnumerator):
    def should_include_endpoint(self, path: str, callback: Any) -> bool:
        if not super().should_include_endpoint(path, callback):
            return False
        return bool(callback.cls.__module__.startswith(_PACKAGE + "."))


class FedCMSchemaGenerator(SchemaGenerator):
    endpoint_inspector_cls = FedCMEndpointEnumerator


class OpenAPIJSONRenderer(JSONOpenAPIRenderer):
    """The same document for ``Accept: application/json`` (else 406)."""

    media_type = "application/json"


class FedCMSchemaView(ApiRequestMixin, SchemaView):
    """DRF's schema view with the API's authentication and body parser: a body
    sent to it is bounded like everywhere else in the API."""


def schema_view() -> Any:
    """The schema view. Public: the API's shape is documented anyway; every
    endpoint it lists still enforces its own permissions."""
    from django_fedcm import __version__

    generator = FedCMSchemaGenerator(
        title="django-fedcm API",
        description="Manage relying parties and signing keys (staff); "
        "see and revoke connected apps (signed-in users).",
        version=__version__,
    )
    return FedCMSchemaView.as_view(
        renderer_classes=[JSONOpenAPIRenderer, OpenAPIJSONRenderer],
        schema_generator=generator,
        public=True,
        permission_classes=[AllowAny],
    )
