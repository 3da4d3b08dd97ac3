"""DOT's authorization endpoint, with consent shared with the FedCM door.

A user who already approved the client (a FedCM :class:`~django_fedcm.models.Grant`
covering the requested scopes, recorded by either door) is not asked again:
the authorization request is approved at once, the way DOT's
``approval_prompt=auto`` does for clients holding a live token
(docs/oauth-and-fedcm.md "Consent").
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from oauth2_provider.exceptions import OAuthToolkitError
from oauth2_provider.views import AuthorizationView as DOTAuthorizationView

from django_fedcm.oauth import scopes as scope_map
from django_fedcm.oauth.validators import relying_party_of
from django_fedcm.services.grants import get_grant


class AuthorizationView(DOTAuthorizationView):  # type: ignore[misc]
    """Drop-in for ``oauth2_provider.views.AuthorizationView``."""

    _validated: tuple[list[str], dict[str, Any]] | None = None

    def validate_authorization_request(self, request: HttpRequest) -> Any:
        # Keep what DOT validated: DOT's get() goes on to complete the same
        # credentials dict (resource, ui_locales) before rendering.
        scopes, credentials = super().validate_authorization_request(request)
        self._validated = (scopes, credentials)
        return scopes, credentials

    def render_to_response(self, context: dict[str, Any], **kwargs: Any) -> HttpResponse:
        response = self._approve_for_existing_grant(context)
        return response or super().render_to_response(context, **kwargs)

    def _approve_for_existing_grant(self, context: dict[str, Any]) -> HttpResponse | None:
        """The consent page is about to render: approve instead when a grant covers it."""
        if self.request.method != "GET" or self._validated is None:
            return None
        # The client asked for the consent page (OIDC Core §3.1.2.1
        # prompt=consent; DOT's approval_prompt=force): show it.
        if "consent" in self.request.GET.get("prompt", "").split():
            return None
        if self.request.GET.get("approval_prompt") == "force":
            return None
        application = context.get("application")
        relying_party = relying_party_of(application) if application is not None else None
        if relying_party is None or not relying_party.enabled:
            return None
        scopes, credentials = self._validated
        if not scope_map.grant_covers(get_grant(self.request.user, relying_party), scopes):
            return None
        try:
            uri, _headers, _body, _status = self.create_authorization_response(
                request=self.request, scopes=" ".join(scopes), credentials=credentials, allow=True
            )
        except OAuthToolkitError as error:
            response: HttpResponse = self.error_response(error, application)
            return response
        redirect: HttpResponse = self.redirect(uri, application)
        return redirect
