"""The session's sign-in time (django_fedcm.services.auth_time), the tokens' ``auth_time``."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from unittest import mock

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.test import Client, RequestFactory

from django_fedcm.services import auth_time

pytestmark = pytest.mark.django_db


def request_with(session: dict[str, Any] | None) -> Any:
    request = RequestFactory().get("/")
    if session is not None:
        request.session = SessionStore()
        request.session.update(session)
    return request


def test_login_records_the_time_in_the_session(client: Client, fedcm_user: Any) -> None:
    with mock.patch("django_fedcm.services.auth_time.time.time", return_value=1_800_000_000.7):
        client.force_login(fedcm_user)
    assert client.session[auth_time.SESSION_KEY] == 1_800_000_000


def test_session_value_wins_over_last_login(fedcm_user: Any) -> None:
    fedcm_user.last_login = datetime(2026, 1, 1, tzinfo=UTC)
    request = request_with({auth_time.SESSION_KEY: 1_800_000_000})
    assert auth_time.auth_time(request, fedcm_user) == 1_800_000_000


@pytest.mark.parametrize("stored", [None, "1800000000", True, 1.5])
def test_falls_back_to_last_login(fedcm_user: Any, stored: Any) -> None:
    fedcm_user.last_login = datetime(2026, 1, 1, tzinfo=UTC)
    session = {} if stored is None else {auth_time.SESSION_KEY: stored}
    expected = int(datetime(2026, 1, 1, tzinfo=UTC).timestamp())
    assert auth_time.auth_time(request_with(session), fedcm_user) == expected
    assert auth_time.auth_time(request_with(None), fedcm_user) == expected


def test_unknown_without_session_value_or_last_login(fedcm_user: Any) -> None:
    fedcm_user.last_login = None
    assert auth_time.auth_time(request_with({}), fedcm_user) is None
