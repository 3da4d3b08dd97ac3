"""A project that includes django_fedcm but not the OAuth URLs
(tests/views/test_openid_configuration.py)."""

from django.urls import include, path

urlpatterns = [path("", include("django_fedcm.urls"))]
