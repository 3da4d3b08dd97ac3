"""DOT's authorization and token endpoints, as the OAuth door offers them.

* :class:`AuthorizationView`: consent shared with the FedCM door. A user who
  already approved the client (a FedCM :class:`~django_fedcm.models.Grant`
  covering the requested scopes, recorded by either door) is not asked again:
  the authorization request is approved at once, the way DOT's
  ``approval_prompt=auto`` does for clients holding a live token
  (docs/oauth-and-fedcm.md "Consent").
* :class:`TokenView`: only the grant types the door offers
  (:mod:`.capabilities`) reach oauthlib.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from oauth2_provider.exceptions import OAuthToolkitError
from oauth2_provider.views import AuthorizationView as DOTAuthorizationView
from oauth2_provider.views import TokenView as DOTTokenView

from django_fedcm.oauth import capabilities
from django_fedcm.oauth.validators import relying_party_of
from django_fedcm.services import scopes as scope_map
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


class TokenView(DOTTokenView):  # type: ignore[misc]
    """Drop-in for ``oauth2_provider.views.TokenView``.

    oauthlib also serves the password, client-credentials and device-code
    grants (the last one crashed on a request without ``device_code``); the
    door offers none of them, so they are ``unsupported_grant_type`` (RFC 6749
    §5.2) whatever the client's registration says. A missing ``grant_type``
    is left to oauthlib.
    """

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        grant_type = request.POST.get("grant_type")
        if grant_type and grant_type not in capabilities.GRANT_TYPES:
            response = JsonResponse({"error": "unsupported_grant_type"}, status=400)
            # RFC 6749 §5.1, as oauthlib answers its own errors.
            response["Cache-Control"] = "no-store"
            response["Pragma"] = "no-cache"
            return response
        result: HttpResponse = super().post(request, *args, **kwargs)
        return result
