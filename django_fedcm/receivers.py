"""Signal receivers wired in ``AppConfig.ready()``."""

from __future__ import annotations

from typing import Any

from django.core.signals import setting_changed
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from oauth2_provider.models import get_application_model

from django_fedcm.models import RelyingParty, SigningKey
from django_fedcm.services import keys, registry


@receiver(setting_changed)
def _clear_derived_caches(*, setting: str, **kwargs: Any) -> None:
    if setting.startswith("FEDCM_") or setting in {"SECRET_KEY", "SECRET_KEY_FALLBACKS"}:
        keys.clear_cache()


# Model signals rather than service calls: they also see writes made outside
# django-fedcm's services (DOT's own views, a project's shell or data
# migration). QuerySet.update() sends none; the services never use it on these
# models. Signing keys: every process reloads its parsed key set on next use.
for _signal in (post_save, post_delete):
    _signal.connect(
        keys.invalidate,
        sender=SigningKey,
        dispatch_uid=f"django_fedcm.keys.SigningKey.{_signal is post_save}",
    )

for _model in (RelyingParty, get_application_model()):
    for _signal in (post_save, post_delete):
        _signal.connect(
            registry.invalidate,
            sender=_model,
            dispatch_uid=f"django_fedcm.registry.{_model._meta.label}.{_signal is post_save}",
        )
