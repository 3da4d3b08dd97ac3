from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DjangoFedCMConfig(AppConfig):
    name = "django_fedcm"
    verbose_name = _("FedCM identity provider")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Importing registers the system checks and signal receivers.
        # login_status holds the Set-Login receivers; cors approves CORS for the
        # FedCM POSTs; auth_time records each session's sign-in time; throttle
        # counts failed sign-ins (docs/security.md#brute-force-protection).
        from django_fedcm import checks, cors, receivers  # noqa: F401
        from django_fedcm.services import auth_time, login_status, throttle  # noqa: F401
