"""django_fedcm.checks: importing the package registers every check."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core.checks import run_checks
from django.core.checks.registry import registry
from django.test import override_settings

from django_fedcm import checks
from django_fedcm.models import SigningKey

PACKAGE = Path(checks.__file__).parent


def test_good_configuration_is_silent_without_deploy(fedcm_signing_key: SigningKey) -> None:
    fedcm = [m for m in run_checks() if m.id.startswith("django_fedcm.")]
    assert fedcm == []


def test_every_check_function_is_registered() -> None:
    registered = {f"{c.__module__}.{c.__name__}" for c in registry.get_checks(True)}
    defined = {
        f"django_fedcm.checks.{path.stem}.{name}"
        for path in PACKAGE.glob("*.py")
        for name in re.findall(r"^def (check_\w+)", path.read_text(), re.MULTILINE)
    }
    assert len(defined) == 25
    assert defined <= registered


@pytest.mark.django_db
def test_every_message_has_a_hint() -> None:
    with override_settings(
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=False,
        CORS_ALLOW_CREDENTIALS=False,
        CORS_ALLOW_ALL_ORIGINS=True,
        FEDCM_KEY_ALGORITHM="HS256",
        FEDCM_ISSUER="http://idp.test/path",
        FEDCM_ADAPTER="nope.Adapter",
        FEDCM_BRANDING="blue",
        FEDCM_LOGIN_URL="https://elsewhere.test/login",
        LOGIN_URL="/nowhere/",
    ):
        messages = run_checks(include_deployment_checks=True)
    fedcm = [m for m in messages if m.id.startswith("django_fedcm.")]
    assert len(fedcm) >= 10
    assert "django_fedcm.W075" in {m.id for m in fedcm}
    assert all(m.hint for m in fedcm)
