from __future__ import annotations

from django.apps import AppConfig


class DemoIdpConfig(AppConfig):
    name = "demo_idp"
    verbose_name = "django-fedcm demo IdP"
