"""django_fedcm.checks.database: the active signing key."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import OperationalError, ProgrammingError
from django.test import override_settings

from django_fedcm.checks import database as checks
from django_fedcm.models import SigningKey


def ids(messages: list[Any]) -> list[str]:
    return [m.id for m in messages]


@pytest.mark.django_db
def test_no_active_key_warns() -> None:
    assert ids(checks.check_signing_keys()) == ["django_fedcm.W030"]


@pytest.mark.django_db
def test_active_key_is_silent_and_retired_keys_do_not_count(
    fedcm_make_key: Any,
) -> None:
    fedcm_make_key("ES256", state="retired")
    assert ids(checks.check_signing_keys()) == ["django_fedcm.W030"]
    fedcm_make_key("RS256")
    assert checks.check_signing_keys() == []


@pytest.mark.django_db
def test_undecryptable_active_key_warns(fedcm_signing_key: SigningKey) -> None:
    with override_settings(SECRET_KEY="another-secret-" + "q" * 40):
        (warning,) = checks.check_signing_keys()
    assert warning.id == "django_fedcm.W031"
    assert fedcm_signing_key.kid in warning.msg


@pytest.mark.parametrize("exc", [OperationalError("no such table"), ProgrammingError("x")])
def test_signing_key_check_tolerates_missing_tables(
    monkeypatch: pytest.MonkeyPatch, exc: Exception
) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise exc

    monkeypatch.setattr(SigningKey.objects, "filter", broken)
    (warning,) = checks.check_signing_keys()
    assert warning.id == "django_fedcm.W032"
    assert "migrate" in warning.hint
