"""django_fedcm.middleware.LoginStatusMiddleware: the ``Set-Login`` header
(checklist 51-53; docs/login-status.md)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from types import SimpleNamespace
from typing import Any

import pytest
from asgiref.sync import async_to_sync, iscoroutinefunction
from django.contrib.auth import get_user_model, login, logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.test import AsyncRequestFactory, Client, RequestFactory
from django.urls import path

from django_fedcm.middleware import LoginStatusMiddleware
from django_fedcm.services.login_status import (
    LOGGED_IN,
    LOGGED_OUT,
    reassert_exempt,
    set_login_status,
)

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]

IDP = {"secure": True, "HTTP_HOST": "idp.test"}


def sign_in(request: HttpRequest) -> HttpResponse:
    """Any sign-in method that ends in django.contrib.auth.login()."""
    user = get_user_model().objects.get(username=request.POST["username"])
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    return HttpResponseRedirect("/html/")


def sign_out(request: HttpRequest) -> HttpResponse:
    logout(request)
    return HttpResponseRedirect("/html/")


def html_page(request: HttpRequest) -> HttpResponse:
    return HttpResponse("<p>page</p>")


def public_page(request: HttpRequest) -> HttpResponse:
    response = HttpResponse("<p>cached</p>")
    response["Cache-Control"] = "public, max-age=60"
    return response


def missing_page(request: HttpRequest) -> HttpResponse:
    return HttpResponse("<p>gone</p>", status=404)


def json_page(request: HttpRequest) -> HttpResponse:
    return JsonResponse({"ok": True})


@reassert_exempt
def exempt_page(request: HttpRequest) -> HttpResponse:
    if "sign_in" in request.GET:
        set_login_status(request, LOGGED_IN)
    return HttpResponse("<form>sign in</form>")


urlpatterns = [
    path("sign-in/", sign_in),
    path("sign-out/", sign_out),
    path("html/", html_page),
    path("public/", public_page),
    path("missing/", missing_page),
    path("json/", json_page),
    path("exempt/", exempt_page),
]


@pytest.mark.checklist(51)
def test_sign_in_redirect_carries_bare_logged_in_token(client: Client, fedcm_user: Any) -> None:
    response = client.post("/sign-in/", {"username": "alice"}, **IDP)
    assert response.status_code == 302
    assert response["Set-Login"] == "logged-in"  # a bare RFC 8941 token, no quotes


@pytest.mark.checklist(52)
def test_sign_out_carries_logged_out(client: Client, fedcm_user: Any) -> None:
    client.force_login(fedcm_user)
    response = client.post("/sign-out/", **IDP)
    assert response.status_code == 302
    assert response["Set-Login"] == "logged-out"


@pytest.mark.checklist(52)
def test_sign_out_of_an_anonymous_session_still_says_logged_out(client: Client) -> None:
    # Nobody is signed in afterwards either way; the browser's status must agree.
    assert client.post("/sign-out/", **IDP)["Set-Login"] == "logged-out"


@pytest.mark.checklist(53)
def test_authenticated_html_page_reasserts_logged_in(client: Client, fedcm_user: Any) -> None:
    client.force_login(fedcm_user)
    assert client.get("/html/", **IDP)["Set-Login"] == "logged-in"


@pytest.mark.checklist(53)
@pytest.mark.parametrize("url", ["/json/", "/public/", "/missing/"])
def test_no_reassert_on_json_public_or_error_responses(
    client: Client, fedcm_user: Any, url: str
) -> None:
    client.force_login(fedcm_user)
    assert "Set-Login" not in client.get(url, **IDP)


@pytest.mark.checklist(53)
def test_no_reassert_for_anonymous_visitors(client: Client) -> None:
    response = client.get("/html/", **IDP)
    assert "Set-Login" not in response
    assert "cookie" not in response.get("Vary", "").lower()  # session never loaded


@pytest.mark.checklist(53)
def test_reassert_can_be_switched_off(client: Client, fedcm_user: Any, settings: Any) -> None:
    settings.FEDCM_LOGIN_STATUS_REASSERT = False
    client.force_login(fedcm_user)
    assert "Set-Login" not in client.get("/html/", **IDP)


@pytest.mark.checklist(53)
def test_reassert_exempt_view_gets_no_reassert_but_keeps_recorded_status(
    client: Client, fedcm_user: Any
) -> None:
    client.force_login(fedcm_user)
    assert "Set-Login" not in client.get("/exempt/", **IDP)
    assert client.get("/exempt/", {"sign_in": "1"}, **IDP)["Set-Login"] == "logged-in"


def test_json_responses_do_not_load_the_session(
    client: Client, fedcm_user: Any, django_assert_num_queries: Any
) -> None:
    client.force_login(fedcm_user)
    with django_assert_num_queries(0):
        response = client.get("/json/", **IDP)
    assert "cookie" not in response.get("Vary", "").lower()


# --------------------------------------------------------------------------- direct calls


def sync_view(status: str | None, response: HttpResponse) -> Callable[[HttpRequest], HttpResponse]:
    def get_response(request: HttpRequest) -> HttpResponse:
        if status:
            set_login_status(request, status)  # type: ignore[arg-type]
        return response

    return get_response


def async_view(
    status: str | None, response: HttpResponse
) -> Callable[[HttpRequest], Awaitable[HttpResponse]]:
    async def get_response(request: HttpRequest) -> HttpResponse:
        if status:
            set_login_status(request, status)  # type: ignore[arg-type]
        return response

    return get_response


def with_user(request: HttpRequest, authenticated: bool) -> HttpRequest:
    user = SimpleNamespace(is_authenticated=authenticated)

    async def auser() -> Any:
        return user

    request.user = user  # type: ignore[assignment]
    request.auser = auser  # type: ignore[attr-defined]
    request.COOKIES["sessionid"] = "s"
    return request


def test_middleware_is_sync_and_async_capable() -> None:
    assert LoginStatusMiddleware.sync_capable and LoginStatusMiddleware.async_capable
    assert not iscoroutinefunction(LoginStatusMiddleware(sync_view(None, HttpResponse())))
    assert iscoroutinefunction(LoginStatusMiddleware(async_view(None, HttpResponse())))


@pytest.mark.checklist(51, 52)
@pytest.mark.parametrize("status", [LOGGED_IN, LOGGED_OUT])
def test_async_mode_writes_the_recorded_status(status: str) -> None:
    middleware = LoginStatusMiddleware(async_view(status, HttpResponseRedirect("/")))
    request = AsyncRequestFactory().post("/sign-in/")
    response = async_to_sync(middleware)(request)
    assert response["Set-Login"] == status


@pytest.mark.checklist(53)
@pytest.mark.parametrize(("authenticated", "expected"), [(True, "logged-in"), (False, None)])
def test_async_mode_reasserts_with_auser(authenticated: bool, expected: str | None) -> None:
    middleware = LoginStatusMiddleware(async_view(None, HttpResponse("<p>x</p>")))
    request = with_user(AsyncRequestFactory().get("/"), authenticated)
    response = async_to_sync(middleware)(request)
    assert response.get("Set-Login") == expected


@pytest.mark.checklist(53)
def test_sync_mode_recorded_status_wins_over_reassert() -> None:
    middleware = LoginStatusMiddleware(sync_view(LOGGED_OUT, HttpResponse("<p>bye</p>")))
    request = with_user(RequestFactory().get("/"), authenticated=True)
    assert middleware(request)["Set-Login"] == "logged-out"


def test_middleware_without_authentication_middleware_does_not_fail() -> None:
    middleware = LoginStatusMiddleware(sync_view(None, HttpResponse("<p>x</p>")))
    request = RequestFactory().get("/")
    request.COOKIES["sessionid"] = "s"
    assert "Set-Login" not in middleware(request)
