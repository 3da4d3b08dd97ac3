"""Include at the site root: ``path("", include("django_fedcm.urls"))``.

URL name == view module name. Paths are exact and slash-free where FedCM
fetches them (the browser treats any redirect as an error).
"""

from __future__ import annotations

from django.urls import path

from django_fedcm.views import (
    accounts,
    client_metadata,
    config,
    connected_apps,
    continuation,
    disconnect,
    error,
    id_assertion,
    jwks,
    login,
    logout,
    metrics,
    openid_configuration,
    picture,
    registration,
    sdk,
    user_info,
    well_known,
)

app_name = "django_fedcm"

urlpatterns = [
    path(".well-known/web-identity", well_known.view, name="well_known"),
    path("fedcm/config.json", config.view, name="config"),
    path("fedcm/config/<slug:name>.json", config.named_view, name="named_config"),
    path("fedcm/accounts", accounts.view, name="accounts"),
    path("fedcm/client_metadata", client_metadata.view, name="client_metadata"),
    path("fedcm/assertion", id_assertion.view, name="id_assertion"),
    path("fedcm/disconnect", disconnect.view, name="disconnect"),
    path("fedcm/metrics", metrics.view, name="metrics"),
    path("fedcm/login", login.view, name="login"),
    path("fedcm/logout", logout.view, name="logout"),
    path("fedcm/continue/<str:reference>", continuation.view, name="continuation"),
    path("fedcm/error/<slug:code>", error.view, name="error"),
    path("fedcm/picture/<str:account_id>", picture.view, name="picture"),
    path("fedcm/user_info", user_info.view, name="user_info"),
    path("fedcm/jwks.json", jwks.view, name="jwks"),
    path(
        ".well-known/openid-configuration",
        openid_configuration.view,
        name="openid_configuration",
    ),
    path("fedcm/sdk.js", sdk.view, name="sdk"),
    path("fedcm/connected-apps", connected_apps.view, name="connected_apps"),
    path("fedcm/register", registration.view, name="idp_registration"),
]
