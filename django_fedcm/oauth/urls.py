"""Drop-in replacement for ``oauth2_provider.urls``: mount it where DOT's URLs
would go, ``path("o/", include("django_fedcm.oauth.urls"))``.

The namespace stays ``oauth2_provider`` (so every ``reverse()`` in DOT and in
projects keeps working). Three routes differ from DOT's:

* ``authorize/`` is :class:`django_fedcm.oauth.views.AuthorizationView`
  (consent shared with FedCM grants);
* ``.well-known/openid-configuration`` serves the same document as the
  site-root discovery view (one issuer);
* ``.well-known/jwks.json`` serves the ``fedcm_keys`` key set (one key set)
  instead of DOT's ``OIDC_RSA_PRIVATE_KEY``.
"""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path, re_path
from oauth2_provider import urls as dot_urls

from django_fedcm.oauth.views import AuthorizationView
from django_fedcm.views import jwks, openid_configuration

app_name = "oauth2_provider"

_REPLACED: dict[str, URLPattern] = {
    "authorize": path("authorize/", AuthorizationView.as_view(), name="authorize"),
    "oidc-connect-discovery-info": re_path(
        r"^\.well-known/openid-configuration/?$",
        openid_configuration.view,
        name="oidc-connect-discovery-info",
    ),
    "jwks-info": path(".well-known/jwks.json", jwks.view, name="jwks-info"),
}

urlpatterns: list[URLPattern | URLResolver] = [
    _REPLACED.get(getattr(pattern, "name", None) or "", pattern) for pattern in dot_urls.urlpatterns
]
