"""django_fedcm.defaults: one default per setting, read by conf."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import override_settings

from django_fedcm import defaults
from django_fedcm.conf import FedCMSettings, fedcm_settings, raw_setting

SETTINGS = sorted(
    name for name, value in vars(FedCMSettings).items() if isinstance(value, property)
)


def test_every_setting_has_a_default() -> None:
    assert "ISSUER" in SETTINGS
    missing = [name for name in SETTINGS if not hasattr(defaults, name)]
    assert not missing


def test_all_names_every_default() -> None:
    public = {name for name in vars(defaults) if name.isupper()}
    assert set(defaults.__all__) == public


@pytest.mark.parametrize("name", SETTINGS)
def test_unset_settings_read_their_default(name: str, settings: Any) -> None:
    if hasattr(settings, f"FEDCM_{name}"):
        delattr(settings, f"FEDCM_{name}")
    assert raw_setting(name) == getattr(defaults, name)


def test_raw_setting_is_what_the_project_wrote() -> None:
    with override_settings(FEDCM_TOKEN_LIFETIME="soon"):
        assert raw_setting("TOKEN_LIFETIME") == "soon"


def test_properties_convert_the_defaults(settings: Any) -> None:
    del settings.FEDCM_KEY_GRACE_PERIOD
    assert fedcm_settings.KEY_GRACE_PERIOD == 7 * 24 * 3600
    assert fedcm_settings.KEY_ALGORITHM == "RS256" == defaults.ALGORITHMS[0]
    with override_settings(FEDCM_KEY_GRACE_PERIOD=timedelta(hours=2)):
        assert fedcm_settings.KEY_GRACE_PERIOD == 7200
