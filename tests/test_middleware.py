"""django_fedcm.middleware.LoginStatusMiddleware: the ``Set-Login`` header
(checklist 51-53; docs/login-status.md)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from types import SimpleNamespace
from typing import Any

import pytest
from asgiref.sync import async_to_sync, iscoroutinefunction
from django.contrib.auth import get_user_model, login, logout
from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.test import AsyncRequestFactory, Client, RequestFactory
from django.urls import path

from django_fedcm.middleware import (
    FormCharsetMiddleware,
    LoginStatusMiddleware,
    refuse_form_charset,
)
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


# --------------------------------------------------------------------------- FormCharsetMiddleware

URLENCODED = "application/x-www-form-urlencoded"
CSRF_TOKEN = "a" * 32
APP_POSTS = [
    "/fedcm/login",
    "/fedcm/connected-apps",
    "/fedcm/continue/ref",
    "/fedcm/assertion",
    "/o/authorize/",
    "/o/token/",
]


def form_post(client: Client, path: str, charset: str) -> Any:
    """What a crafted client can send: a CSRF cookie and token, and a charset
    no browser declares on a form."""
    client.cookies["csrftoken"] = CSRF_TOKEN
    return client.generic(
        "POST",
        path,
        f"csrfmiddlewaretoken={CSRF_TOKEN}&client_id=rp-client".encode(),
        content_type=f"{URLENCODED}; charset={charset}",
        HTTP_REFERER="https://idp.test/",  # CSRF over HTTPS checks it
        **IDP,
    )


@pytest.mark.urls("tests.urls")
def test_django_alone_crashes_on_a_form_in_another_charset(settings: Any) -> None:
    """Django's bug (docs/security.md): its 400 view re-runs the CSRF check,
    which reads request.POST and raises again; the exception escapes the
    handler. If this starts to pass, Django fixed it: update the docs."""
    settings.MIDDLEWARE = [
        m for m in settings.MIDDLEWARE if not m.endswith("FormCharsetMiddleware")
    ]
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    with pytest.raises(BadRequest):
        form_post(client, "/fedcm/login", "latin-1")


@pytest.mark.urls("tests.urls")
@pytest.mark.parametrize("path", APP_POSTS)
@pytest.mark.parametrize("charset", ["latin-1", "ascii", "utf8", "UTF-16"])
def test_app_urls_answer_400_to_a_form_in_another_charset(path: str, charset: str) -> None:
    response = form_post(Client(enforce_csrf_checks=True), path, charset)
    assert response.status_code == 400
    assert response.json() == {"error": "invalid_request"}
    assert response["Cache-Control"] == "no-store"


@pytest.mark.urls("tests.urls")
@pytest.mark.parametrize("charset", ["utf-8", "UTF-8", "no-such-charset"])
def test_utf8_and_unknown_charsets_reach_the_view(charset: str) -> None:
    """Django decodes these as UTF-8 (an unknown charset is ignored)."""
    response = form_post(Client(enforce_csrf_checks=True), "/fedcm/login", charset)
    assert response.status_code == 200  # the sign-in form again: no credentials


@pytest.mark.urls("tests.urls")
def test_other_urls_and_requests_are_left_alone() -> None:
    factory = RequestFactory()
    latin1 = f"{URLENCODED}; charset=latin-1"
    assert refuse_form_charset(factory.post("/admin/login/", "a=b", content_type=latin1)) is None
    assert refuse_form_charset(factory.post("/no-such-url", "a=b", content_type=latin1)) is None
    assert refuse_form_charset(factory.generic("PUT", "/fedcm/login", b"", latin1)) is None
    multipart = "multipart/form-data; boundary=x; charset=latin-1"
    assert refuse_form_charset(factory.post("/fedcm/login", b"", content_type=multipart)) is None


@pytest.mark.urls("tests.urls")
def test_the_body_is_not_read() -> None:
    request = RequestFactory().post(
        "/fedcm/login", "a=b", content_type=f"{URLENCODED}; charset=latin-1"
    )
    assert refuse_form_charset(request) is not None
    assert not request._read_started  # type: ignore[attr-defined]


@pytest.mark.urls("tests.urls")
def test_form_charset_middleware_sync_and_async() -> None:
    assert FormCharsetMiddleware.sync_capable and FormCharsetMiddleware.async_capable
    passed = HttpResponse("view")
    sync = FormCharsetMiddleware(sync_view(None, passed))
    asynchronous = FormCharsetMiddleware(async_view(None, passed))
    assert iscoroutinefunction(asynchronous) and not iscoroutinefunction(sync)
    latin1 = f"{URLENCODED}; charset=latin-1"
    assert (
        sync(RequestFactory().post("/fedcm/login", "a=b", content_type=latin1)).status_code == 400
    )
    assert sync(RequestFactory().post("/fedcm/login", "a=b", content_type=URLENCODED)) is passed
    refused = async_to_sync(asynchronous)(
        AsyncRequestFactory().post("/fedcm/login", "a=b", content_type=latin1)
    )
    assert refused.status_code == 400
    assert (
        async_to_sync(asynchronous)(
            AsyncRequestFactory().post("/fedcm/login", "a=b", content_type=URLENCODED)
        )
        is passed
    )
