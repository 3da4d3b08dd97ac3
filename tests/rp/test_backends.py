"""django_fedcm.rp.backends: IdP ID token → local Django user."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.contrib.sessions.backends.db import SessionStore
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory

from django_fedcm import rp
from django_fedcm.rp import backends
from django_fedcm.rp.backends import IdTokenBackend, get_verifier
from tests.rp.tokens import NONCE

BACKEND = "django_fedcm.rp.backends.IdTokenBackend"
User = get_user_model()


@pytest.fixture(autouse=True)
def _backends(settings: Any) -> None:
    settings.AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend", BACKEND]


def test_first_sign_in_creates_a_user_from_the_claims(
    fedcm_rp_settings: list[str], fedcm_id_token: Callable[..., str]
) -> None:
    user = authenticate(None, id_token=fedcm_id_token(nonce="n1"), nonce="n1")
    assert user is not None
    assert user.username == "fedcm:42@idp.test"
    assert (user.email, user.first_name, user.last_name) == (
        "alice@example.com",
        "Alice",
        "Example",
    )
    assert not user.has_usable_password()
    assert fedcm_rp_settings == ["https://idp.test/fedcm/jwks.json"]


def test_returning_user_is_found_by_iss_and_sub(
    fedcm_rp_settings: list[str], fedcm_id_token: Callable[..., str]
) -> None:
    first = authenticate(None, id_token=fedcm_id_token(), nonce=NONCE)
    second = authenticate(None, id_token=fedcm_id_token(email="new@example.com"), nonce=NONCE)
    assert first is not None and second is not None
    assert first.pk == second.pk
    assert User.objects.count() == 1
    assert len(fedcm_rp_settings) == 1  # JWKS cached across sign-ins


def test_wrong_nonce_is_refused_and_the_reason_kept_on_the_request(
    fedcm_rp_settings: list[str], fedcm_id_token: Callable[..., str]
) -> None:
    request = RequestFactory().post("/")
    assert authenticate(request, id_token=fedcm_id_token(nonce="n1"), nonce="n2") is None
    assert isinstance(request.fedcm_token_error, rp.InvalidNonce)  # type: ignore[attr-defined]
    assert not User.objects.exists()


def sign_in(request: Any, token: str) -> Any:
    """The documented sign-in view: the nonce is popped from the session (single use)."""
    return authenticate(request, id_token=token, nonce=request.session.pop("fedcm_nonce", None))


def test_captured_token_does_not_replay_into_a_fresh_session(
    fedcm_rp_settings: list[str], fedcm_id_token: Callable[..., str]
) -> None:
    token = fedcm_id_token()
    victim = RequestFactory().post("/")
    victim.session = SessionStore()
    victim.session["fedcm_nonce"] = NONCE
    assert sign_in(victim, token) is not None
    for session in (victim.session, SessionStore()):  # the same session again, or a new one
        attacker = RequestFactory().post("/")
        attacker.session = session
        assert sign_in(attacker, token) is None
        assert isinstance(attacker.fedcm_token_error, rp.InvalidNonce)  # type: ignore[attr-defined]


def test_nonce_false_opts_out_of_the_nonce_check(
    fedcm_rp_settings: list[str], fedcm_id_token: Callable[..., str]
) -> None:
    assert authenticate(None, id_token=fedcm_id_token(), nonce=None) is None
    assert authenticate(None, id_token=fedcm_id_token()) is None
    assert authenticate(None, id_token=fedcm_id_token(nonce=None), nonce=False) is not None


def test_token_for_another_audience_is_refused(
    fedcm_rp_settings: list[str], fedcm_id_token: Callable[..., str]
) -> None:
    assert authenticate(None, id_token=fedcm_id_token(aud="someone-else"), nonce=NONCE) is None


def test_calls_without_an_id_token_are_left_to_other_backends(
    fedcm_rp_settings: list[str], fedcm_make_user: Callable[..., Any]
) -> None:
    fedcm_make_user("bob", password="pw-bob-123")
    assert authenticate(None, username="bob", password="pw-bob-123") is not None
    assert IdTokenBackend().authenticate(None) is None


def test_unknown_users_are_not_created_when_disabled(
    fedcm_rp_settings: list[str], fedcm_id_token: Callable[..., str], settings: Any
) -> None:
    settings.FEDCM_RP_CREATE_USERS = False
    assert authenticate(None, id_token=fedcm_id_token(), nonce=NONCE) is None
    assert not User.objects.exists()


def test_inactive_local_user_is_refused(
    fedcm_rp_settings: list[str], fedcm_id_token: Callable[..., str]
) -> None:
    User.objects.create(username="fedcm:42@idp.test", is_active=False)
    assert authenticate(None, id_token=fedcm_id_token(), nonce=NONCE) is None


def test_very_long_sub_is_hashed_into_a_valid_username(
    fedcm_rp_settings: list[str], fedcm_id_token: Callable[..., str]
) -> None:
    user = authenticate(None, id_token=fedcm_id_token(sub="x" * 300), nonce=NONCE)
    assert user is not None
    assert len(user.username) <= 150 and user.username.startswith("fedcm:")


def test_missing_configuration_is_an_improperly_configured_error(settings: Any) -> None:
    settings.FEDCM_RP_ISSUER = None
    with pytest.raises(ImproperlyConfigured):
        get_verifier()


def test_old_contrib_path_is_a_deprecated_alias(
    fedcm_rp_settings: list[str], fedcm_id_token: Callable[..., str], settings: Any
) -> None:
    sys.modules.pop("django_fedcm.contrib.rp.backends", None)
    with pytest.warns(DeprecationWarning, match="django_fedcm.rp.backends"):
        old = importlib.import_module("django_fedcm.contrib.rp.backends")
    assert old is backends
    settings.AUTHENTICATION_BACKENDS = ["django_fedcm.contrib.rp.backends.IdTokenBackend"]
    assert authenticate(None, id_token=fedcm_id_token(), nonce=NONCE) is not None


@pytest.mark.parametrize("sub", ["", 42])
def test_token_without_a_usable_sub_is_refused(
    fedcm_rp_settings: list[str], fedcm_id_token: Callable[..., str], sub: Any
) -> None:
    assert authenticate(None, id_token=fedcm_id_token(sub=sub), nonce=NONCE) is None
    assert not User.objects.exists()
