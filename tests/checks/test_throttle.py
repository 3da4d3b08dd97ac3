"""django_fedcm.checks.throttle: the brute-force throttle's limits and cache."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.checks import run_checks

from django_fedcm.checks.throttle import (
    check_throttle_cache,
    check_throttle_cache_is_shared,
    check_throttle_settings,
)

REDIS = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://x"}
LOCMEM = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
DUMMY = {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}


def ids(messages: list[Any]) -> list[str]:
    return [m.id for m in messages]


def test_the_defaults_are_silent() -> None:
    assert check_throttle_settings() == []


@pytest.mark.parametrize("name", ["ACCOUNT", "ADDRESS"])
@pytest.mark.parametrize("value", [None, 1, 50])
def test_a_positive_limit_or_none_is_fine(settings: Any, name: str, value: Any) -> None:
    setattr(settings, f"FEDCM_THROTTLE_{name}_FAILURES", value)
    assert check_throttle_settings() == []


@pytest.mark.parametrize("name", ["ACCOUNT", "ADDRESS"])
@pytest.mark.parametrize("value", [0, -3, "10", True, 2.5])
def test_a_bad_limit_is_e051(settings: Any, name: str, value: Any) -> None:
    setattr(settings, f"FEDCM_THROTTLE_{name}_FAILURES", value)
    messages = check_throttle_settings()
    assert ids(messages) == ["django_fedcm.E051"]
    assert f"FEDCM_THROTTLE_{name}_FAILURES" in messages[0].msg


@pytest.mark.parametrize("name", ["WINDOW", "LOCKOUT"])
@pytest.mark.parametrize("value", [0, 0.5, -1, "900", False, timedelta(0)])
def test_a_bad_duration_is_e052(settings: Any, name: str, value: Any) -> None:
    setattr(settings, f"FEDCM_THROTTLE_{name}", value)
    assert ids(check_throttle_settings()) == ["django_fedcm.E052"]


@pytest.mark.parametrize("value", [60, 1.5, timedelta(minutes=5)])
def test_a_good_duration(settings: Any, value: Any) -> None:
    settings.FEDCM_THROTTLE_WINDOW = value
    settings.FEDCM_THROTTLE_LOCKOUT = value
    assert check_throttle_settings() == []


@pytest.mark.parametrize("header", [None, "X-Forwarded-For", "X-Real-IP", "CF-Connecting-IP"])
def test_a_header_name_or_none_is_fine(settings: Any, header: Any) -> None:
    settings.FEDCM_THROTTLE_CLIENT_IP_HEADER = header
    assert check_throttle_settings() == []


@pytest.mark.parametrize("header", ["HTTP_X_FORWARDED_FOR", "X Forwarded", "", "-X", 5])
def test_a_bad_header_is_e053(settings: Any, header: Any) -> None:
    settings.FEDCM_THROTTLE_CLIENT_IP_HEADER = header
    assert ids(check_throttle_settings()) == ["django_fedcm.E053"]


def test_a_dummy_cache_warns_unless_the_throttle_is_off(settings: Any) -> None:
    settings.CACHES = {"default": LOCMEM, "none": DUMMY}
    settings.FEDCM_CACHE = "none"
    assert ids(check_throttle_cache()) == ["django_fedcm.W054"]
    settings.FEDCM_THROTTLE_ACCOUNT_FAILURES = None
    assert ids(check_throttle_cache()) == ["django_fedcm.W054"]
    settings.FEDCM_THROTTLE_ADDRESS_FAILURES = None
    assert check_throttle_cache() == []


def test_without_fedcm_cache_the_default_cache_counts(settings: Any) -> None:
    settings.CACHES = {"default": DUMMY}
    settings.FEDCM_CACHE = None
    assert ids(check_throttle_cache()) == ["django_fedcm.W054"]
    assert "'default'" in check_throttle_cache()[0].msg


@pytest.mark.django_db
def test_a_process_local_cache_warns_on_deploy_only(settings: Any) -> None:
    settings.CACHES = {"default": LOCMEM, "shared": REDIS}
    settings.FEDCM_CACHE = None
    assert ids(check_throttle_cache_is_shared()) == ["django_fedcm.W055"]
    assert "django_fedcm.W055" not in ids(run_checks())
    settings.FEDCM_CACHE = "shared"
    assert check_throttle_cache_is_shared() == []
    assert check_throttle_cache() == []


def test_no_cache_warning_when_the_throttle_is_off(settings: Any) -> None:
    settings.CACHES = {"default": LOCMEM}
    settings.FEDCM_THROTTLE_ACCOUNT_FAILURES = None
    settings.FEDCM_THROTTLE_ADDRESS_FAILURES = None
    assert check_throttle_cache_is_shared() == []


def test_an_unknown_alias_is_left_to_e047(settings: Any) -> None:
    settings.FEDCM_CACHE = "nope"
    assert check_throttle_cache() == [] and check_throttle_cache_is_shared() == []
