from __future__ import annotations

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.staticfiles import views as staticfiles_views
from django.urls import include, path, re_path

from demo_idp import views

urlpatterns = [
    path("", views.home, name="home"),
    path("admin/", admin.site.urls),
    # The project's own sign-in page (Django's auth views); the FedCM login
    # popup (/fedcm/login) is django_fedcm's.
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    # The OAuth 2.0 / OIDC door for browsers without FedCM (DOT, one registry).
    path("o/", include("django_fedcm.oauth.urls")),
    # The REST API (staff: relying parties and keys; users: connected apps).
    path("fedcm/api/", include("django_fedcm.contrib.rest_framework.urls")),
    # FedCM needs its endpoints at exact, redirect-free paths at the root.
    path("", include("django_fedcm.urls")),
]

if not settings.DEBUG:
    # Production mode without a web server in front: the login popup needs
    # django_fedcm's static files (docs/deployment.md, "Static files"). A real
    # deployment serves collectstatic's output from the proxy or WhiteNoise.
    urlpatterns.append(
        re_path(r"^static/(?P<path>.*)$", staticfiles_views.serve, {"insecure": True})
    )
