from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("fedcm/api/", include("django_fedcm.contrib.rest_framework.urls")),
    path("o/", include("django_fedcm.oauth.urls")),
    path("", include("django_fedcm.urls")),
]
