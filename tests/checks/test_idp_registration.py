from __future__ import annotations

from typing import Any

import pytest

from django_fedcm.checks.idp_registration import check_idp_registration


def ids(settings: Any) -> list[str]:
    return [m.id for m in check_idp_registration()]


def test_defaults_and_good_values_are_silent(settings: Any) -> None:
    assert ids(settings) == []
    settings.FEDCM_IDP_REGISTRATION_ENABLED = True
    settings.FEDCM_IDP_REGISTRATION_TYPES = ["work", "school"]
    assert ids(settings) == []


@pytest.mark.parametrize("value", ["True", 1, None])
def test_enabled_must_be_a_boolean(settings: Any, value: Any) -> None:
    settings.FEDCM_IDP_REGISTRATION_ENABLED = value
    assert ids(settings) == ["django_fedcm.E096"]


@pytest.mark.parametrize("value", ["work", ["work", ""], [3], None])
def test_types_must_be_non_empty_strings(settings: Any, value: Any) -> None:
    settings.FEDCM_IDP_REGISTRATION_TYPES = value
    assert ids(settings) == ["django_fedcm.E097"]
