from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from django_fedcm.checks.cache import check_cache, check_cache_is_shared

REDIS = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://x"}
LOCMEM = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}


def ids(messages: list[Any]) -> list[str]:
    return [m.id for m in messages]


@pytest.mark.parametrize("alias", [None, "default"])
def test_known_alias_or_none_is_silent(settings: Any, alias: str | None) -> None:
    settings.FEDCM_CACHE = alias
    assert check_cache() == []


@pytest.mark.parametrize("alias", ["nope", 3])
def test_unknown_alias_is_e047(settings: Any, alias: Any) -> None:
    settings.FEDCM_CACHE = alias
    assert ids(check_cache()) == ["django_fedcm.E047"]


@pytest.mark.parametrize("seconds", [0, -1, "300", True, timedelta(0)])
def test_bad_cache_seconds_is_e048(settings: Any, seconds: Any) -> None:
    settings.FEDCM_CACHE_SECONDS = seconds
    assert ids(check_cache()) == ["django_fedcm.E048"]


def test_good_cache_seconds(settings: Any) -> None:
    settings.FEDCM_CACHE_SECONDS = timedelta(minutes=2)
    assert check_cache() == []


def test_process_local_cache_warns_on_deploy(settings: Any) -> None:
    settings.CACHES = {"default": LOCMEM, "shared": REDIS}
    settings.FEDCM_CACHE = "default"
    assert ids(check_cache_is_shared()) == ["django_fedcm.W082"]
    settings.FEDCM_CACHE = "shared"
    assert check_cache_is_shared() == []
    settings.FEDCM_CACHE = None
    assert check_cache_is_shared() == []
