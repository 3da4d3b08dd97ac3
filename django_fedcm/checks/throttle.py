"""The brute-force throttle's settings and cache, ids ``E051``-``E053``, ``W054``
and ``W055`` (docs/checks.md, docs/security.md#brute-force-protection)."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.checks import Tags, register

from django_fedcm import defaults
from django_fedcm.checks.common import Messages, error, warning
from django_fedcm.conf import raw_setting

__all__ = ["check_throttle_cache", "check_throttle_cache_is_shared", "check_throttle_settings"]

#: A header name as it travels (``X-Forwarded-For``), not a ``META`` key.
HEADER_NAME = re.compile(r"[A-Za-z0-9]+(-[A-Za-z0-9]+)*\Z")
DUMMY_CACHE = "django.core.cache.backends.dummy.DummyCache"
LOCAL_CACHE = "django.core.cache.backends.locmem.LocMemCache"


def _limit_ok(value: Any) -> bool:
    return value is None or (isinstance(value, int) and not isinstance(value, bool) and value > 0)


def _duration_ok(value: Any) -> bool:
    if isinstance(value, timedelta):
        value = value.total_seconds()
    return isinstance(value, int | float) and not isinstance(value, bool) and value >= 1


def _enabled() -> bool:
    names = ("THROTTLE_ACCOUNT_FAILURES", "THROTTLE_ADDRESS_FAILURES")
    return any(raw_setting(name) is not None for name in names)


@register(Tags.security)
def check_throttle_settings(**kwargs: Any) -> Messages:
    messages: Messages = []
    for name in ("THROTTLE_ACCOUNT_FAILURES", "THROTTLE_ADDRESS_FAILURES"):
        if not _limit_ok(raw_setting(name)):
            messages.append(
                error(
                    "E051",
                    f"FEDCM_{name} must be a positive integer or None.",
                    f"Remove FEDCM_{name} for the default ({getattr(defaults, name)}), "
                    "or set None to turn this limit off.",
                )
            )
    for name in ("THROTTLE_WINDOW", "THROTTLE_LOCKOUT"):
        if not _duration_ok(raw_setting(name)):
            messages.append(
                error(
                    "E052",
                    f"FEDCM_{name} must be at least 1 second (a number or a timedelta).",
                    f"Remove FEDCM_{name} for the default ({getattr(defaults, name)}).",
                )
            )
    header = raw_setting("THROTTLE_CLIENT_IP_HEADER")
    if header is not None and not (isinstance(header, str) and HEADER_NAME.match(header)):
        messages.append(
            error(
                "E053",
                f"FEDCM_THROTTLE_CLIENT_IP_HEADER {header!r} is not an HTTP header name.",
                'Name the header your proxy sets, as sent (e.g. "X-Forwarded-For", not '
                '"HTTP_X_FORWARDED_FOR"), or None to use REMOTE_ADDR.',
            )
        )
    return messages


def _throttle_cache() -> tuple[str, str | None]:
    alias = raw_setting("CACHE")
    alias = alias if isinstance(alias, str) and alias else "default"
    config = getattr(settings, "CACHES", {}).get(alias)
    return alias, str(config.get("BACKEND", "")) if isinstance(config, dict) else None


@register(Tags.caches, Tags.security)
def check_throttle_cache(**kwargs: Any) -> Messages:
    alias, backend = _throttle_cache()
    if _enabled() and backend == DUMMY_CACHE:
        return [
            warning(
                "W054",
                f"The brute-force throttle counts in cache {alias!r}, a DummyCache: failed "
                "sign-ins are never counted and nobody is locked out.",
                "Point FEDCM_CACHE (or CACHES['default']) at a real cache (Redis), or set "
                "FEDCM_THROTTLE_ACCOUNT_FAILURES and FEDCM_THROTTLE_ADDRESS_FAILURES to None.",
            )
        ]
    return []


@register(Tags.caches, Tags.security, deploy=True)
def check_throttle_cache_is_shared(**kwargs: Any) -> Messages:
    alias, backend = _throttle_cache()
    if _enabled() and backend == LOCAL_CACHE:
        return [
            warning(
                "W055",
                f"The brute-force throttle counts in cache {alias!r}, local to each process: "
                "with N processes an attacker gets N times the failures before a lockout.",
                "Point FEDCM_CACHE (or CACHES['default']) at a cache every server shares (Redis).",
            )
        ]
    return []
