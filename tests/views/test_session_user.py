"""The session's user read with the profile and grant in one query
(django_fedcm/services/session_user.py) is the user Django's own
``get_user`` returns, in every case; the shortcut is taken only where it may.

Each case signs a user in, changes what Django checks (active flag, password,
``SECRET_KEY``, backends, the user manager), then compares, on two requests
carrying the same session, what ``grants.signed_in_user_and_grant`` and
``grants.signed_in_user_and_approved_clients`` return with what
``django.contrib.auth.get_user`` returns. The endpoints that use them are
checked at the end.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any
from unittest import mock

import pytest
from django.contrib import auth
from django.contrib.auth import SESSION_KEY, get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.middleware import AuthenticationMiddleware
from django.contrib.sessions.backends.db import SessionStore
from django.db.models.manager import BaseManager
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory

from django_fedcm.models import RelyingParty
from django_fedcm.services import grants
from tests.views.fedcm_http import fedcm_post

pytestmark = pytest.mark.django_db

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"
ALLOW_ALL = "django.contrib.auth.backends.AllowAllUsersModelBackend"


class RefusingBackend(ModelBackend):
    """Overrides ``get_user``: only Django may call it, and it says no."""

    def get_user(self, user_id: Any) -> Any:
        return None


class EagerUserMiddleware:
    """Reads ``request.user`` before the view, as some projects' middleware does."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        _ = request.user.is_authenticated
        return self.get_response(request)


@pytest.fixture
def get_user_calls() -> Iterator[Any]:
    """``ModelBackend.get_user``, still working, its calls counted: called
    means Django decided, not the shortcut."""
    real = ModelBackend.get_user
    with mock.patch.object(ModelBackend, "get_user", autospec=True, side_effect=real) as spy:
        yield spy


def request_with(client: Client) -> HttpRequest:
    """A request carrying the client's session, through AuthenticationMiddleware."""
    request = RequestFactory().get("/")
    request.session = SessionStore(client.cookies["sessionid"].value)
    AuthenticationMiddleware(lambda r: HttpResponse()).process_request(request)
    return request


def readers(relying_party: RelyingParty) -> dict[str, Callable[[HttpRequest], Any]]:
    """Django's ``get_user`` and the two reads that may take the shortcut."""
    return {
        "django": auth.get_user,
        "grant": lambda request: grants.signed_in_user_and_grant(request, relying_party)[0],
        "clients": lambda request: grants.signed_in_user_and_approved_clients(request)[0],
    }


def pk(user: Any) -> Any:
    return user.pk if user.is_authenticated else None


def deactivate(user: Any, settings: Any) -> None:
    get_user_model().objects.filter(pk=user.pk).update(is_active=False)


def change_password(user: Any, settings: Any) -> None:
    user.set_password("a-new-password-123")
    user.save()


def rotate_secret_key(user: Any, settings: Any) -> None:
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = f"a-brand-new-secret-key-{user.pk}-" + "x" * 40


def delete(user: Any, settings: Any) -> None:
    get_user_model().objects.filter(pk=user.pk).delete()


def drop_the_backend(user: Any, settings: Any) -> None:
    settings.AUTHENTICATION_BACKENDS = [ALLOW_ALL]


def nothing(user: Any, settings: Any) -> None:
    pass


#: (case, sign in with, change, the user stays signed in, the shortcut decides)
CASES = [
    ("unchanged", MODEL_BACKEND, nothing, True, True),
    ("inactive", MODEL_BACKEND, deactivate, False, False),
    ("password changed", MODEL_BACKEND, change_password, False, False),
    ("SECRET_KEY rotated, old one in fallbacks", MODEL_BACKEND, rotate_secret_key, True, False),
    ("user deleted", MODEL_BACKEND, delete, False, False),
    ("backend no longer configured", MODEL_BACKEND, drop_the_backend, False, False),
    ("AllowAllUsersModelBackend, inactive", ALLOW_ALL, deactivate, True, True),
    ("backend with its own get_user", f"{__name__}.RefusingBackend", nothing, False, False),
]


@pytest.mark.parametrize(
    ("backend", "change", "signed_in", "shortcut"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_the_same_user_as_django(
    fedcm_make_user: Callable[..., Any],
    fedcm_rp: RelyingParty,
    settings: Any,
    get_user_calls: Any,
    backend: str,
    change: Callable[[Any, Any], None],
    signed_in: bool,
    shortcut: bool,
) -> None:
    """Each reader gets a session of its own (Django's flushes or cycles the
    one it rejects or renews), made and changed the same way."""
    settings.AUTHENTICATION_BACKENDS = [MODEL_BACKEND, ALLOW_ALL, f"{__name__}.RefusingBackend"]
    for name, read in readers(fedcm_rp).items():
        user = fedcm_make_user(f"user-{name}")
        client = Client()
        client.force_login(user, backend=backend)
        change(user, settings)
        get_user_calls.reset_mock()
        assert pk(read(request_with(client))) == (user.pk if signed_in else None), name
        if name != "django" and backend == MODEL_BACKEND and change is not drop_the_backend:
            assert get_user_calls.called is not shortcut, name  # called: Django decided


def test_a_filtering_default_manager_is_left_to_django(
    client: Client,
    fedcm_user: Any,
    fedcm_rp: RelyingParty,
    get_user_calls: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A project whose user manager hides rows (soft deletion, tenants):
    ModelBackend reads through it, so only Django may decide."""
    client.force_login(fedcm_user, backend=MODEL_BACKEND)
    manager_class = type(get_user_model()._default_manager)

    def hide_everyone(self: Any) -> Any:
        return BaseManager.get_queryset(self).none()

    monkeypatch.setattr(manager_class, "get_queryset", hide_everyone, raising=False)
    for name, read in readers(fedcm_rp).items():
        get_user_calls.reset_mock()
        assert pk(read(request_with(client))) is None, name
        assert get_user_calls.call_count == 1, name


def test_a_user_read_before_is_not_read_again(
    client: Client, fedcm_user: Any, fedcm_rp: RelyingParty, get_user_calls: Any
) -> None:
    client.force_login(fedcm_user, backend=MODEL_BACKEND)
    request = request_with(client)
    assert request.user.pk == fedcm_user.pk  # evaluated, as by a middleware
    user, _grant = grants.signed_in_user_and_grant(request, fedcm_rp)
    assert user.pk == fedcm_user.pk and get_user_calls.call_count == 1


def test_signed_out_costs_nothing(
    client: Client, fedcm_rp: RelyingParty, django_assert_num_queries: Any
) -> None:
    request = RequestFactory().get("/")
    request.session = SessionStore()
    AuthenticationMiddleware(lambda r: HttpResponse()).process_request(request)
    with django_assert_num_queries(0):
        user, grant = grants.signed_in_user_and_grant(request, fedcm_rp)
    assert not user.is_authenticated and grant is None


# --------------------------------------------------------------------------- the endpoints


def assertion(client: Client, user: Any) -> dict[str, Any]:
    form = {
        "client_id": "rp-client",
        "account_id": str(user.pk),
        "params": json.dumps({"nonce": "n"}),
        "fields": "name,email,picture",
        "disclosure_text_shown": "false",
    }
    result: dict[str, Any] = fedcm_post(client, "id_assertion", form).json()
    return result


def test_the_endpoints_refuse_a_session_whose_password_changed(
    client: Client,
    fedcm_user: Any,
    fedcm_rp: RelyingParty,
    fedcm_signing_key: Any,
    fedcm_get: Callable[..., Any],
) -> None:
    grants.record_grant(fedcm_user, fedcm_rp, fields=["name", "email", "picture"])
    client.force_login(fedcm_user, backend=MODEL_BACKEND)
    assert "token" in assertion(client, fedcm_user)
    assert fedcm_get("accounts").status_code == 200
    change_password(fedcm_user, None)
    assert assertion(client, fedcm_user)["error"]["code"] == "access_denied"
    assert SESSION_KEY not in client.session  # Django flushed it, as on any page
    assert fedcm_get("accounts").status_code == 401


def test_the_endpoints_take_a_user_loaded_by_earlier_middleware(
    client: Client,
    fedcm_user: Any,
    fedcm_rp: RelyingParty,
    fedcm_signing_key: Any,
    fedcm_get: Callable[..., Any],
    settings: Any,
    django_assert_num_queries: Any,
) -> None:
    middleware = list(settings.MIDDLEWARE)
    auth_middleware = middleware.index("django.contrib.auth.middleware.AuthenticationMiddleware")
    middleware.insert(auth_middleware + 1, f"{__name__}.EagerUserMiddleware")
    settings.MIDDLEWARE = middleware
    grants.record_grant(fedcm_user, fedcm_rp, fields=["name", "email", "picture"])
    client.force_login(fedcm_user, backend=MODEL_BACKEND)
    # the session, the user (Django, in the middleware), the profile with the clients
    with django_assert_num_queries(3):
        assert fedcm_get("accounts").json()["accounts"][0]["id"] == str(fedcm_user.pk)
    assert "token" in assertion(client, fedcm_user)
