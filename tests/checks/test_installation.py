"""django_fedcm.checks.installation: apps, middleware, the OAuth validator."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.contrib.sessions.middleware import SessionMiddleware
from django.test import override_settings

from django_fedcm.checks import installation as checks


def ids(messages: list[Any]) -> list[str]:
    return [m.id for m in messages]


def test_required_apps() -> None:
    assert checks.check_installed_apps() == []
    apps = [a for a in settings.INSTALLED_APPS if a != "corsheaders"]
    with override_settings(INSTALLED_APPS=apps):
        (error,) = checks.check_installed_apps()
    assert error.id == "django_fedcm.E003"
    assert error.msg == "django_fedcm needs these apps in INSTALLED_APPS: corsheaders."


def test_rest_framework_is_not_a_required_app() -> None:
    # Only the optional REST API needs it (django_fedcm.E004 in checks.urls).
    apps = [a for a in settings.INSTALLED_APPS if not a.startswith("rest_framework")]
    with override_settings(INSTALLED_APPS=apps):
        assert checks.check_installed_apps() == []


MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_fedcm.middleware.LoginStatusMiddleware",
]


def without(*names: str) -> list[str]:
    return [m for m in MIDDLEWARE if m.rsplit(".", 1)[1] not in names]


@pytest.mark.parametrize(
    ("middleware", "expected"),
    [
        (MIDDLEWARE, []),
        (without("SessionMiddleware"), ["django_fedcm.E010"]),
        (without("AuthenticationMiddleware"), ["django_fedcm.E011"]),
        (
            [MIDDLEWARE[3], *MIDDLEWARE[:3], MIDDLEWARE[4]],
            ["django_fedcm.E011"],
        ),
        (without("CorsMiddleware"), ["django_fedcm.E012"]),
        (
            [MIDDLEWARE[0], MIDDLEWARE[2], MIDDLEWARE[1], *MIDDLEWARE[3:]],
            ["django_fedcm.E012"],
        ),
        (without("LoginStatusMiddleware"), ["django_fedcm.E013"]),
        (
            [*MIDDLEWARE[:3], MIDDLEWARE[4], MIDDLEWARE[3]],
            ["django_fedcm.E013"],
        ),
        ([], ["django_fedcm.E010", "django_fedcm.E011", "django_fedcm.E012", "django_fedcm.E013"]),
    ],
)
def test_middleware_presence_and_order(middleware: list[str], expected: list[str]) -> None:
    with override_settings(MIDDLEWARE=middleware):
        assert ids(checks.check_middleware()) == expected


class CustomSessionMiddleware:  # not a subclass: does not count
    pass


def test_middleware_subclasses_count_and_unknown_entries_are_ignored() -> None:
    subclass = "tests.checks.test_installation.FedCMSessionMiddleware"
    middleware = [subclass, "no.such.Middleware", *MIDDLEWARE[1:]]
    with override_settings(MIDDLEWARE=middleware):
        assert checks.check_middleware() == []
    with override_settings(
        MIDDLEWARE=["tests.checks.test_installation.CustomSessionMiddleware", *MIDDLEWARE[1:]]
    ):
        assert ids(checks.check_middleware()) == ["django_fedcm.E010"]


def test_middleware_check_when_corsheaders_is_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(checks, "CORS_MIDDLEWARE", "not_installed.middleware.CorsMiddleware")
    assert ids(checks.check_middleware()) == ["django_fedcm.E012"]


class FedCMSessionMiddleware(SessionMiddleware):
    pass


def test_w090_oidc_needs_the_fedcm_validator() -> None:
    assert checks.check_oauth_validator() == []
    with override_settings(OAUTH2_PROVIDER={"OIDC_ENABLED": True}):
        assert [m.id for m in checks.check_oauth_validator()] == ["django_fedcm.W090"]
    with override_settings(OAUTH2_PROVIDER={"OIDC_ENABLED": False}):
        assert checks.check_oauth_validator() == []
