"""django_fedcm.services.login_status: signal receivers that record the login status."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.test import RequestFactory

from django_fedcm.services.login_status import (
    HEADER,
    LOGGED_IN,
    LOGGED_OUT,
    get_login_status,
    set_login_status,
)

pytestmark = pytest.mark.django_db


def test_header_name_and_bare_token_values() -> None:
    assert HEADER == "Set-Login"
    assert (LOGGED_IN, LOGGED_OUT) == ("logged-in", "logged-out")


def test_nothing_recorded_by_default(rf: RequestFactory) -> None:
    assert get_login_status(rf.get("/")) is None


@pytest.mark.checklist(51)
def test_user_logged_in_marks_the_request(rf: RequestFactory, fedcm_user: Any) -> None:
    request = rf.post("/login")
    user_logged_in.send(sender=get_user_model(), request=request, user=fedcm_user)
    assert get_login_status(request) == LOGGED_IN


@pytest.mark.checklist(52)
def test_user_logged_out_marks_the_request(rf: RequestFactory, fedcm_user: Any) -> None:
    request = rf.post("/logout")
    user_logged_out.send(sender=get_user_model(), request=request, user=fedcm_user)
    assert get_login_status(request) == LOGGED_OUT


def test_signals_without_a_request_are_ignored(fedcm_user: Any) -> None:
    # e.g. a management command calling login machinery: nothing to mark, no error
    user_logged_in.send(sender=get_user_model(), request=None, user=fedcm_user)
    user_logged_out.send(sender=get_user_model(), request=None, user=fedcm_user)


@pytest.mark.checklist(51)
def test_user_switch_in_one_request_ends_logged_in(rf: RequestFactory, fedcm_user: Any) -> None:
    request = rf.post("/switch")
    user_logged_out.send(sender=get_user_model(), request=request, user=fedcm_user)
    user_logged_in.send(sender=get_user_model(), request=request, user=fedcm_user)
    assert get_login_status(request) == LOGGED_IN


def test_set_login_status_is_public_for_custom_flows(rf: RequestFactory) -> None:
    request = rf.get("/sso/callback")
    set_login_status(request, LOGGED_IN)
    assert get_login_status(request) == LOGGED_IN
