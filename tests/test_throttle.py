"""django_fedcm.throttle: the brute-force throttle for a project's own sign-in
views (docs/security.md#brute-force-protection)."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import authenticate, get_user_model
from django.test import Client, RequestFactory

from django_fedcm import throttle
from django_fedcm.services import throttle as throttle_service
from tests import fake_clock
from tests.fake_clock import Clock

pytestmark = pytest.mark.django_db

ALICE_PASSWORD = "pw-alice-123"  # tests/conftest.py fedcm_make_user default
ADDRESS = "203.0.113.66"
BACKENDS = ["django_fedcm.throttle.ThrottleBackend", "django.contrib.auth.backends.ModelBackend"]


@pytest.fixture
def fedcm_clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return fake_clock.install(monkeypatch)


@pytest.fixture
def fedcm_locked_alice(fedcm_clock: Clock, fedcm_user: Any) -> Any:
    """alice has reached the per-account limit (10 failures)."""
    for _ in range(10):
        throttle_service.count_failure(account="alice", address=None)
    return fedcm_user


def login_request(address: str = ADDRESS) -> Any:
    return RequestFactory().post("/accounts/login/", REMOTE_ADDR=address)


def form_data(password: str = ALICE_PASSWORD) -> dict[str, str]:
    return {"username": "alice", "password": password}


def test_public_names() -> None:
    assert set(throttle.__all__) == {
        "SignInThrottled",
        "ThrottleBackend",
        "ThrottledAuthenticationForm",
        "check_allowed",
        "client_address",
        "record_failure",
    }


def test_the_form_signs_in_when_nothing_is_locked(fedcm_clock: Clock, fedcm_user: Any) -> None:
    form = throttle.ThrottledAuthenticationForm(login_request(), data=form_data())
    assert form.is_valid()
    assert form.get_user() == fedcm_user


def test_the_form_refuses_a_locked_account_before_the_password(fedcm_locked_alice: Any) -> None:
    form = throttle.ThrottledAuthenticationForm(login_request(), data=form_data())
    assert not form.is_valid()
    assert form.has_error("__all__", "throttled")
    assert form.retry_after == 900
    assert "Try again in 15 minutes." in form.non_field_errors()[0]
    assert form.get_user() is None


def test_the_form_counts_failures_through_authenticate(fedcm_clock: Clock, fedcm_user: Any) -> None:
    for _ in range(10):
        form = throttle.ThrottledAuthenticationForm(login_request(), data=form_data("wrong"))
        assert not form.has_error("__all__", "throttled")
    form = throttle.ThrottledAuthenticationForm(login_request("192.0.2.1"), data=form_data())
    assert form.has_error("__all__", "throttled")


def test_the_form_mixes_into_the_admin_login_form(fedcm_locked_alice: Any) -> None:
    class ThrottledAdminForm(throttle.ThrottledAuthenticationForm, AdminAuthenticationForm):
        pass

    form = ThrottledAdminForm(login_request(), data=form_data())
    assert form.has_error("__all__", "throttled")


def test_the_admin_login_counts_failures_without_any_setup(
    fedcm_clock: Clock, fedcm_make_user: Any
) -> None:
    fedcm_make_user("root", password="pw-root-123", is_staff=True)
    client = Client()
    for _ in range(10):
        client.post("/admin/login/", {"username": "root", "password": "wrong"})
    with pytest.raises(throttle.SignInThrottled):
        throttle.check_allowed(None, "root")


def test_the_backend_refuses_a_locked_account(fedcm_locked_alice: Any, settings: Any) -> None:
    settings.AUTHENTICATION_BACKENDS = BACKENDS
    assert authenticate(login_request(), username="alice", password=ALICE_PASSWORD) is None
    assert authenticate(None, username="alice", password=ALICE_PASSWORD) is None
    assert authenticate(None, username="bob", password="x") is None


def test_the_backend_lets_an_allowed_sign_in_through(
    fedcm_clock: Clock, fedcm_user: Any, settings: Any
) -> None:
    settings.AUTHENTICATION_BACKENDS = BACKENDS
    user = authenticate(login_request(), username="alice", password=ALICE_PASSWORD)
    assert user == fedcm_user
    assert user.backend == BACKENDS[1]


def test_the_backend_reads_the_user_models_username_field(
    fedcm_locked_alice: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(get_user_model(), "USERNAME_FIELD", "email")
    with pytest.raises(throttle.SignInThrottled):
        throttle.ThrottleBackend().authenticate(None, email="alice", password="x")


def test_the_backend_lets_calls_without_a_username_through(
    fedcm_clock: Clock, settings: Any
) -> None:
    settings.FEDCM_THROTTLE_ADDRESS_FAILURES = 1
    throttle.record_failure(login_request(), "mallory")
    with pytest.raises(throttle.SignInThrottled):
        throttle.check_allowed(login_request(), "anyone")
    assert throttle.ThrottleBackend().authenticate(login_request(), id_token="t") is None


def test_a_backend_refusal_is_not_counted_again(fedcm_locked_alice: Any, settings: Any) -> None:
    # authenticate() sends user_login_failed after the backend's refusal; the
    # address must not collect those refusals.
    settings.AUTHENTICATION_BACKENDS = BACKENDS
    settings.FEDCM_THROTTLE_ADDRESS_FAILURES = 2
    for _ in range(3):
        authenticate(login_request(), username="alice", password=ALICE_PASSWORD)
    throttle.check_allowed(login_request(), "bob")
