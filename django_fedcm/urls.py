"""Include at the site root: ``path("", include("django_fedcm.urls"))``.

URL name == view module name. Paths are exact (no trailing-slash redirects:
FedCM treats any redirect as an error).
"""

from __future__ import annotations

from django.urls import path

from django_fedcm.views import jwks

app_name = "django_fedcm"

urlpatterns = [
    path("fedcm/jwks.json", jwks.view, name="jwks"),
]
