"""django_fedcm.checks.deploy: ``check --deploy`` only."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.checks import run_checks
from django.test import override_settings

from django_fedcm.checks import deploy as checks
from django_fedcm.models import SigningKey


def ids(messages: list[Any]) -> list[str]:
    return [m.id for m in messages]


def test_deploy_issuer_https_is_fine() -> None:
    assert checks.check_deploy() == []


@pytest.mark.parametrize("issuer", [None, ""])
def test_deploy_warns_without_issuer(issuer: Any) -> None:
    with override_settings(FEDCM_ISSUER=issuer):
        assert ids(checks.check_deploy()) == ["django_fedcm.W080"]


@pytest.mark.checklist(60)
def test_deploy_warns_on_http_issuer() -> None:
    with override_settings(FEDCM_ISSUER="http://idp.test"):
        assert ids(checks.check_deploy()) == ["django_fedcm.W081"]
    with override_settings(FEDCM_ISSUER="https://idp.test/path"):  # E041 reports it
        assert checks.check_deploy() == []


def test_deploy_checks_only_run_with_deploy(fedcm_signing_key: SigningKey) -> None:
    with override_settings(FEDCM_ISSUER=None):
        plain = ids(run_checks())
        deploy = ids(run_checks(include_deployment_checks=True))
    assert "django_fedcm.W080" not in plain
    assert "django_fedcm.W080" in deploy
