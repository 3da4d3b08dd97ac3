from __future__ import annotations

from django.urls import path

from demo_rp import views

urlpatterns = [
    path("", views.index, name="index"),
    path("api/session", views.session, name="session"),
    path("api/signout", views.signout, name="signout"),
    path("terms", views.legal, {"title": "Terms of service"}, name="terms"),
    path("privacy", views.legal, {"title": "Privacy policy"}, name="privacy"),
]
