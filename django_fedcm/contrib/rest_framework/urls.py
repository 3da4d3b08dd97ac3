"""URLconf of the django-fedcm API. Include it under a prefix of your choice::

    path("fedcm/api/", include("django_fedcm.contrib.rest_framework.urls")),

Routes (names in the ``django_fedcm_api`` namespace):

=======================================  ==========================  ======================
path                                     methods                     name
=======================================  ==========================  ======================
``relying-parties/``                     GET, POST                   ``relying-party-list``
``relying-parties/<id>/``                GET, PUT, PATCH             ``relying-party-detail``
``relying-parties/<id>/disable/``        POST                        ``relying-party-disable``
``relying-parties/<id>/enable/``         POST                        ``relying-party-enable``
``signing-keys/``                        GET                         ``signing-key-list``
``signing-keys/<kid>/``                  GET                         ``signing-key-detail``
``signing-keys/rotate/``                 POST                        ``signing-key-rotate``
``me/connected-apps/``                   GET                         ``connected-app-list``
``me/connected-apps/<id>/``              GET, DELETE                 ``connected-app-detail``
``schema/``                              GET (OpenAPI 3, JSON)       ``schema``
=======================================  ==========================  ======================
"""

from __future__ import annotations

from django.urls import path
from rest_framework.routers import DefaultRouter

from django_fedcm.contrib.rest_framework import schema, views

app_name = "django_fedcm_api"


class ApiRouter(DefaultRouter):
    APIRootView = views.ApiRootView


router = ApiRouter()
router.register("relying-parties", views.RelyingPartyViewSet, basename="relying-party")
router.register("signing-keys", views.SigningKeyViewSet, basename="signing-key")
router.register("me/connected-apps", views.ConnectedAppViewSet, basename="connected-app")

urlpatterns = [
    path("schema/", schema.schema_view(), name="schema"),
    *router.urls,
]
