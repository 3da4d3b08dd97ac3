"""``FEDCM_CACHE``: the cache shared by every server process (docs/deployment.md)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.checks import Tags, register

from django_fedcm.checks.common import Messages, error, warning
from django_fedcm.conf import raw_setting

__all__ = ["check_cache", "check_cache_is_shared"]

#: Backends whose entries live in one process: another worker never sees a
#: write made here, so a disabled client would stay cached there.
PROCESS_LOCAL_BACKENDS = (
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
)


def _backend(alias: str) -> str | None:
    config = getattr(settings, "CACHES", {}).get(alias)
    return str(config.get("BACKEND", "")) if isinstance(config, dict) else None


@register(Tags.caches)
def check_cache(**kwargs: Any) -> Messages:
    messages: Messages = []
    alias = raw_setting("CACHE")
    if alias is not None and (not isinstance(alias, str) or _backend(alias) is None):
        messages.append(
            error(
                "E047",
                f"FEDCM_CACHE {alias!r} is not an alias in CACHES.",
                'Set FEDCM_CACHE to a key of CACHES (e.g. "default" on Redis), or None.',
            )
        )
    seconds = raw_setting("CACHE_SECONDS")
    if isinstance(seconds, timedelta):
        seconds = seconds.total_seconds()
    if isinstance(seconds, bool) or not isinstance(seconds, int | float) or seconds <= 0:
        messages.append(
            error(
                "E048",
                "FEDCM_CACHE_SECONDS must be a positive number of seconds or a timedelta.",
                "Remove FEDCM_CACHE_SECONDS for the default (300), or set e.g. 300.",
            )
        )
    return messages


@register(Tags.caches, deploy=True)
def check_cache_is_shared(**kwargs: Any) -> Messages:
    alias = raw_setting("CACHE")
    if isinstance(alias, str) and _backend(alias) in PROCESS_LOCAL_BACKENDS:
        return [
            warning(
                "W082",
                f"FEDCM_CACHE {alias!r} is local to each process: a relying party disabled "
                "through one worker stays cached in the others.",
                "Point FEDCM_CACHE at a cache every server shares (Redis), or set it to None "
                "if you run more than one process.",
            )
        ]
    return []
