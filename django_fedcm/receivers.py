"""Signal receivers wired in ``AppConfig.ready()``."""

from __future__ import annotations

from typing import Any

from django.core.signals import setting_changed
from django.dispatch import receiver

from django_fedcm.services import keys


@receiver(setting_changed)
def _clear_derived_caches(*, setting: str, **kwargs: Any) -> None:
    if setting.startswith("FEDCM_") or setting in {"SECRET_KEY", "SECRET_KEY_FALLBACKS"}:
        keys.clear_cache()
