"""``GET /.well-known/openid-configuration``: OpenID Provider metadata
(OpenID Connect Discovery 1.0 §3) for the OAuth door, and the same metadata
as RFC 8414 authorization server metadata (``authorization_server_view``,
mounted by ``django_fedcm.oauth.urls`` at ``o/.well-known/oauth-authorization-server``).

Names the same issuer as FedCM tokens and the FedCM JWKS
(``/fedcm/jwks.json``), so a standard OIDC client library discovers one
identity provider whichever door an RP uses. The authorization, token,
userinfo, revocation and introspection endpoints are django-oauth-toolkit's,
found by reversing the ``oauth2_provider`` namespace: the project includes
``django_fedcm.oauth.urls`` (or DOT's own URLs) under ``o/``. Without them
the document cannot be built and the view answers 404. Grant types,
response types, PKCE methods and client authentication come from
:mod:`django_fedcm.oauth.capabilities`, what the door enforces.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_safe
from oauth2_provider.scopes import get_scopes_backend
from oauth2_provider.settings import oauth2_settings

from django_fedcm.conf import fedcm_settings
from django_fedcm.oauth import capabilities
from django_fedcm.oauth.validators import SUPPORTED_CLAIMS
from django_fedcm.services import discovery, keys
from django_fedcm.views.outage import json_when_database_down


def _dot_url(request: HttpRequest, name: str) -> str | None:
    try:
        return discovery.base_origin(request) + reverse(f"oauth2_provider:{name}")
    except NoReverseMatch:
        return None


def _signing_algorithms() -> list[str]:
    """Algorithms of the published keys (active first), else the configured default."""
    algorithms: list[str] = []
    for key in keys.jwks()["keys"]:
        alg = key.get("alg")
        if alg and alg not in algorithms:
            algorithms.append(alg)
    return algorithms or [fedcm_settings.KEY_ALGORITHM]


def metadata(request: HttpRequest) -> dict[str, object] | None:
    """The discovery document, or ``None`` when DOT's URLs are not mounted."""
    authorize, token = _dot_url(request, "authorize"), _dot_url(request, "token")
    if authorize is None or token is None:
        return None
    data: dict[str, object] = {
        # The same issuer as FedCM tokens (django_fedcm.services.assertion.issuer).
        "issuer": fedcm_settings.ISSUER or discovery.base_origin(request),
        "authorization_endpoint": authorize,
        "token_endpoint": token,
        "jwks_uri": discovery.url_for("jwks", request),
        "scopes_supported": list(get_scopes_backend().get_available_scopes()),
        "response_types_supported": list(capabilities.RESPONSE_TYPES),
        "response_modes_supported": ["query"],
        "grant_types_supported": list(capabilities.GRANT_TYPES),
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": _signing_algorithms(),
        "token_endpoint_auth_methods_supported": capabilities.client_auth_methods(),
        "code_challenge_methods_supported": list(capabilities.CODE_CHALLENGE_METHODS),
        "claims_supported": list(SUPPORTED_CLAIMS),
    }
    if oauth2_settings.COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS:
        # DOT then adds ``iss`` to authorization responses (RFC 9207 §3).
        data["authorization_response_iss_parameter_supported"] = True
    optional = {
        "userinfo_endpoint": "user-info",
        "revocation_endpoint": "revoke-token",
        "introspection_endpoint": "introspect",
    }
    if oauth2_settings.OIDC_RP_INITIATED_LOGOUT_ENABLED:
        optional["end_session_endpoint"] = "rp-initiated-logout"
    for key, name in optional.items():
        url = _dot_url(request, name)
        if url is not None:
            data[key] = url
    if "revocation_endpoint" in data:
        # RFC 7009 §2.1: public clients revoke with their client_id alone.
        data["revocation_endpoint_auth_methods_supported"] = capabilities.client_auth_methods()
    if "introspection_endpoint" in data:
        # DOT's introspection needs a confidential client (or a bearer token).
        data["introspection_endpoint_auth_methods_supported"] = [
            m for m in capabilities.client_auth_methods() if m != "none"
        ]
    return data


#: Members that only mean something with OpenID Connect (Discovery 1.0 §3).
_OIDC_ONLY = (
    "userinfo_endpoint",
    "end_session_endpoint",
    "subject_types_supported",
    "id_token_signing_alg_values_supported",
    "claims_supported",
)


def _not_mounted() -> HttpResponse:
    return JsonResponse({"error": "The OAuth endpoints are not mounted."}, status=404)


@json_when_database_down
@require_safe
def view(request: HttpRequest) -> HttpResponse:
    if not oauth2_settings.OIDC_ENABLED:
        return JsonResponse({"error": "OpenID Connect is not enabled."}, status=404)
    data = metadata(request)
    if data is None:
        return _not_mounted()
    return _document(data)


@json_when_database_down
@require_safe
def authorization_server_view(request: HttpRequest) -> HttpResponse:
    """RFC 8414 §3 metadata: the discovery document (RFC 8414 §2 shares its
    members), without the OpenID-only ones when OIDC is off."""
    data = metadata(request)
    if data is None:
        return _not_mounted()
    if not oauth2_settings.OIDC_ENABLED:
        for key in _OIDC_ONLY:
            data.pop(key, None)
    return _document(data)


def _document(data: dict[str, object]) -> HttpResponse:
    response = JsonResponse(data)
    response["Cache-Control"] = f"public, max-age={fedcm_settings.DISCOVERY_MAX_AGE}"
    # Browser-based RPs (the JS SDK's redirect fallback) read it cross-origin.
    response["Access-Control-Allow-Origin"] = "*"
    return response
