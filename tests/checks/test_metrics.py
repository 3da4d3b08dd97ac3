"""checks/metrics.py: ``FEDCM_METRICS_ENABLED`` (E095)."""

from __future__ import annotations

from typing import Any

import pytest

from django_fedcm.checks.metrics import check_metrics_enabled
from django_fedcm.conf import fedcm_settings


@pytest.mark.parametrize("value", [True, False])
def test_a_boolean_is_silent(settings: Any, value: bool) -> None:
    settings.FEDCM_METRICS_ENABLED = value
    assert check_metrics_enabled() == []
    assert fedcm_settings.METRICS_ENABLED is value


def test_the_default_is_off_and_silent() -> None:
    assert check_metrics_enabled() == []
    assert fedcm_settings.METRICS_ENABLED is False


@pytest.mark.parametrize("value", ["False", "1", 1, None])
def test_anything_else_is_e095_and_reads_as_off(settings: Any, value: Any) -> None:
    settings.FEDCM_METRICS_ENABLED = value
    [message] = check_metrics_enabled()
    assert message.id == "django_fedcm.E095"
    assert repr(value) in message.msg and message.hint
    assert fedcm_settings.METRICS_ENABLED is False
