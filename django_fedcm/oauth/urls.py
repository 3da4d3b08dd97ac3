"""Drop-in replacement for ``oauth2_provider.urls``: mount it where DOT's URLs
would go, ``path("o/", include("django_fedcm.oauth.urls"))``.

The namespace stays ``oauth2_provider`` (so every ``reverse()`` in DOT and in
projects keeps working). Only the routes the door offers are mounted
(:mod:`.capabilities`; ``_MOUNTED`` below); five of them differ from DOT's:

* ``authorize/`` is :class:`django_fedcm.oauth.views.AuthorizationView`
  (consent shared with FedCM grants);
* ``token/`` is :class:`django_fedcm.oauth.views.TokenView` (the offered
  grant types only);
* ``.well-known/openid-configuration`` serves the same document as the
  site-root discovery view (one issuer), and
  ``.well-known/oauth-authorization-server`` (RFC 8414) the same metadata;
* ``.well-known/jwks.json`` serves the ``fedcm_keys`` key set (one key set)
  instead of DOT's ``OIDC_RSA_PRIVATE_KEY``.

Every route also answers ``400 invalid_request`` for a NUL byte in a query or
form value or in the ``Authorization`` header: DOT looks client ids, codes
and tokens up as given, and PostgreSQL refuses NUL in a string literal, so
such a request would otherwise end as a 500.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.urls import URLPattern, URLResolver, path, re_path
from oauth2_provider import urls as dot_urls

from django_fedcm.oauth.throttle import answer_throttled
from django_fedcm.oauth.views import AuthorizationView, TokenView
from django_fedcm.views import jwks, openid_configuration
from django_fedcm.views.outage import json_when_database_down, page_when_database_down

app_name = "oauth2_provider"

_REPLACED: dict[str, URLPattern] = {
    "authorize": path("authorize/", AuthorizationView.as_view(), name="authorize"),
    "token": path("token/", TokenView.as_view(), name="token"),
    "oauth-server-metadata": path(
        ".well-known/oauth-authorization-server",
        openid_configuration.authorization_server_view,
        name="oauth-server-metadata",
    ),
    "oidc-connect-discovery-info": re_path(
        r"^\.well-known/openid-configuration/?$",
        openid_configuration.view,
        name="oidc-connect-discovery-info",
    ),
    "jwks-info": path(".well-known/jwks.json", jwks.view, name="jwks-info"),
}


def _authorization_has_nul(request: HttpRequest) -> bool:
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if "\x00" in header:
        return True
    scheme, _, credentials = header.partition(" ")
    if scheme.lower() != "basic":
        return False
    try:  # DOT percent-decodes the Basic credentials too
        decoded = base64.b64decode(credentials.strip()).decode("utf-8", "replace")
    except (binascii.Error, ValueError):
        return False
    return "\x00" in decoded or "%00" in decoded


def _has_nul(request: HttpRequest) -> bool:
    if _authorization_has_nul(request):
        return True
    try:
        forms = [request.GET, request.POST]
    except (MultiPartParserError, ValueError, OSError):
        return False  # DOT answers the broken body itself
    return any(
        "\x00" in key or any("\x00" in value for value in values)
        for form in forms
        for key, values in form.lists()
    )


def refuse_nul(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """``400 invalid_request`` instead of a database error for NUL input."""

    @wraps(view)  # keeps view_class and csrf_exempt
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if _has_nul(request):
            return JsonResponse({"error": "invalid_request"}, status=400)
        return view(request, *args, **kwargs)

    return wrapped


#: Our own document views read no input; they stay unwrapped.
_UNGUARDED = frozenset({"oidc-connect-discovery-info", "jwks-info", "oauth-server-metadata"})


#: The one door route a person sees; the others answer JSON.
_PAGES = frozenset({"authorize"})


def _guarded(pattern: URLPattern | URLResolver) -> URLPattern | URLResolver:
    if not isinstance(pattern, URLPattern) or pattern.name in _UNGUARDED:
        return pattern
    when_database_down = (
        page_when_database_down if pattern.name in _PAGES else json_when_database_down
    )
    view = when_database_down(refuse_nul(answer_throttled(pattern.callback)))
    return URLPattern(pattern.pattern, view, pattern.default_args, pattern.name)


#: DOT's routes the door serves as they are: token revocation (RFC 7009),
#: introspection (RFC 7662) and OIDC userinfo.
_KEPT = frozenset({"revoke-token", "introspect", "user-info"})

#: Everything else DOT offers is left out:
#:
#: * self-service application management (``applications/``,
#:   ``authorized_tokens/``) and dynamic client registration: any signed-in
#:   end user could register a client there. Clients are registered in the
#:   admin or through the staff API, with the FedCM validation (exact origins,
#:   HTTPS URLs), and users manage their approvals on the connected-apps page,
#:   which revokes the OAuth tokens too;
#: * the device authorization grant (RFC 8628), RP-initiated logout, RFC 9728
#:   protected-resource metadata and the issuer-path form of RFC 8414: not
#:   offered (and DOT's device and logout views answered 500 here).
_MOUNTED = frozenset(_REPLACED) | _KEPT

_DOT_PATTERNS = (
    dot_urls.metadata_urlpatterns + dot_urls.base_urlpatterns + dot_urls.oidc_urlpatterns
)

urlpatterns: list[URLPattern | URLResolver] = [
    _guarded(_REPLACED.get(name, pattern))
    for pattern in _DOT_PATTERNS
    if (name := getattr(pattern, "name", None) or "") in _MOUNTED
]
