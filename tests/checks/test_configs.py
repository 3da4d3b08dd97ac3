"""checks/configs.py: ``FEDCM_CONFIGS`` (E062-E065, W066)."""

from __future__ import annotations

from typing import Any

import pytest

from django_fedcm.checks.configs import check_configs
from django_fedcm.conf import fedcm_settings

WORK = {"account_label": "work", "branding": {"background_color": "#1a73e8"}}
PERSONAL = {"account_label": "personal", "supports_use_other_account": True}


def ids(messages: list[Any]) -> list[str]:
    return [m.id.removeprefix("django_fedcm.") for m in messages]


@pytest.mark.parametrize("value", [None, {}])
def test_no_extra_configs_is_silent(settings: Any, value: Any) -> None:
    settings.FEDCM_CONFIGS = value
    assert check_configs() == []
    assert fedcm_settings.CONFIGS == {}


def test_two_valid_configs_are_silent(settings: Any) -> None:
    settings.FEDCM_CONFIGS = {"work": WORK, "personal": PERSONAL}
    assert check_configs() == []
    assert fedcm_settings.CONFIGS == {"work": WORK, "personal": PERSONAL}


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        (["work"], "must be a dict of name -> dict, not list"),
        ({"my work": WORK}, "'my work' is not a URL slug"),
        ({"work.json": WORK}, "'work.json' is not a URL slug"),
        ({1: WORK}, "1 is not a URL slug"),
        ({"work": "work"}, "'work' must be a dict, not str"),
    ],
)
def test_a_malformed_setting_is_e062_and_serves_no_extra_config(
    settings: Any, value: Any, fragment: str
) -> None:
    settings.FEDCM_CONFIGS = value
    [message] = check_configs()
    assert message.id == "django_fedcm.E062"
    assert fragment in message.msg and message.hint
    assert fedcm_settings.CONFIGS == {}


@pytest.mark.parametrize("key", ["login_url", "accounts_endpoint", "metrics_endpoint"])
def test_an_endpoint_of_its_own_is_e063(settings: Any, key: str) -> None:
    settings.FEDCM_CONFIGS = {"work": {**WORK, key: "https://idp.test/work-login"}}
    [message] = check_configs()
    assert message.id == "django_fedcm.E063"
    assert key in message.msg and "well-known" in message.msg
    assert "FEDCM_LOGIN_URL" in str(message.hint)


def test_an_unknown_key_is_e064(settings: Any) -> None:
    settings.FEDCM_CONFIGS = {"work": {**WORK, "acount_label": "wrk"}}
    [message] = check_configs()
    assert message.id == "django_fedcm.E064"
    assert "'acount_label'" in message.msg and "'account_label'" in str(message.hint)


@pytest.mark.parametrize(
    ("entry", "fragment"),
    [
        ({}, "'account_label' must be a non-empty string"),
        ({"account_label": " "}, "'account_label' must be a non-empty string"),
        ({"account_label": ["work"]}, "'account_label' must be a non-empty string"),
        ({"account_label": "work", "branding": "blue"}, "'branding': it must be a dict"),
        (
            {"account_label": "work", "branding": {"icons": [{"url": "https://x.test/i.svg"}]}},
            "'branding': icons[0].url is an SVG",
        ),
        (
            {"account_label": "work", "supports_use_other_account": "yes"},
            "'supports_use_other_account' must be True or False",
        ),
    ],
)
def test_a_bad_value_is_e065(settings: Any, entry: dict[str, Any], fragment: str) -> None:
    settings.FEDCM_CONFIGS = {"work": entry}
    [message] = check_configs()
    assert message.id == "django_fedcm.E065"
    assert fragment in message.msg and message.hint


def test_branding_none_falls_back_silently(settings: Any) -> None:
    settings.FEDCM_CONFIGS = {"work": {"account_label": "work", "branding": None}}
    assert check_configs() == []


def test_two_configs_with_one_label_are_w066(settings: Any) -> None:
    settings.FEDCM_CONFIGS = {"work": WORK, "office": {"account_label": "work"}}
    [message] = check_configs()
    assert message.id == "django_fedcm.W066"
    assert "config/work.json, config/office.json" in message.msg


def test_a_config_with_the_default_configs_label_is_w066(settings: Any) -> None:
    settings.FEDCM_ACCOUNT_LABEL = "work"
    settings.FEDCM_CONFIGS = {"work": WORK}
    assert ids(check_configs()) == ["W066"]
    assert "config.json, config/work.json" in check_configs()[0].msg


def test_every_problem_is_reported_at_once(settings: Any) -> None:
    settings.FEDCM_CONFIGS = {
        "work": {**WORK, "login_url": "/l", "colour": "red"},
        "personal": {"account_label": ""},
    }
    assert ids(check_configs()) == ["E063", "E064", "E065"]
