"""The app's middleware.

* ``LoginStatusMiddleware`` writes the ``Set-Login`` header
  (https://w3c-fedid.github.io/login-status/#login-status-http; docs/login-status.md).
* ``FormCharsetMiddleware`` answers ``400`` to a form POST in a charset Django
  refuses, on this app's URLs, before Django's own error path turns it into an
  unhandled exception (docs/security.md, "Form bodies in another charset").

``LoginStatusMiddleware`` goes after ``AuthenticationMiddleware``;
``FormCharsetMiddleware`` anywhere (it runs before every view middleware's
``process_view``, wherever it is listed)::

    MIDDLEWARE = [
        "django.middleware.security.SecurityMiddleware",
        "django_fedcm.middleware.FormCharsetMiddleware",
        ...,
        "django.contrib.auth.middleware.AuthenticationMiddleware",
        "django_fedcm.middleware.LoginStatusMiddleware",
    ]

``LoginStatusMiddleware`` emits

* the status a sign-in or sign-out recorded on the request
  (:mod:`django_fedcm.services.login_status`), on any response, redirects included;
* ``logged-in`` again on successful HTML page responses of an authenticated
  user (``FEDCM_LOGIN_STATUS_REASSERT``): a self-healing measure for browsers
  whose status went stale, e.g. after a session restored without a login
  page (checklist 53).

JSON and other non-HTML responses (the FedCM endpoints themselves) never
touch the session here, so the public, cookieless endpoints stay query-free
and gain no ``Vary: Cookie``. Both are sync and async capable, like
django-cors-headers' middleware.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.http.response import HttpResponseBase
from django.urls import Resolver404, resolve

from django_fedcm.conf import fedcm_settings
from django_fedcm.services.login_status import HEADER, LOGGED_IN, REASSERT_EXEMPT, get_login_status

__all__ = ["FormCharsetMiddleware", "LoginStatusMiddleware"]

GetResponse = Callable[[HttpRequest], Any]


def wants_reassert(request: HttpRequest, response: HttpResponseBase) -> bool:
    """Whether this response is an HTML page worth re-asserting ``logged-in`` on.

    Only 200 HTML responses to requests that carry a session cookie: looking
    up the user anywhere else would load sessions (and add ``Vary: Cookie``)
    for anonymous traffic. Never on responses marked ``public`` (a shared
    cache would replay one user's status to everybody) nor on views marked
    :func:`~django_fedcm.services.login_status.reassert_exempt`.
    """
    return (
        fedcm_settings.LOGIN_STATUS_REASSERT
        and response.status_code == 200
        and HEADER not in response
        and not getattr(response, REASSERT_EXEMPT, False)
        and "public" not in response.get("Cache-Control", "")
        and response.get("Content-Type", "").startswith("text/html")
        and settings.SESSION_COOKIE_NAME in request.COOKIES
        and hasattr(request, "user")
    )


def apply_status(request: HttpRequest, response: HttpResponseBase) -> bool:
    """Write a recorded status; return ``False`` when none was recorded."""
    status = get_login_status(request)
    if status is None:
        return False
    response[HEADER] = status
    return True


class _SyncAndAsync:
    """A middleware Django may call synchronously or as a coroutine, matching
    the rest of the stack; subclasses write ``call`` and ``__acall__``."""

    sync_capable = True
    async_capable = True

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response
        self.async_mode = iscoroutinefunction(self.get_response)
        if self.async_mode:
            # Mark the instance so Django calls it as a coroutine function.
            markcoroutinefunction(self)

    def __call__(self, request: HttpRequest) -> Any:
        if self.async_mode:
            return self.__acall__(request)
        return self.call(request)

    def call(self, request: HttpRequest) -> HttpResponseBase:
        raise NotImplementedError

    async def __acall__(self, request: HttpRequest) -> HttpResponseBase:
        raise NotImplementedError


class LoginStatusMiddleware(_SyncAndAsync):
    """Sends ``Set-Login: logged-in`` / ``logged-out`` recorded during the
    request, and re-asserts ``logged-in`` on signed-in HTML pages."""

    def call(self, request: HttpRequest) -> HttpResponseBase:
        response: HttpResponseBase = self.get_response(request)
        if (
            not apply_status(request, response)
            and wants_reassert(request, response)
            and request.user.is_authenticated
        ):
            response[HEADER] = LOGGED_IN
        return response

    async def __acall__(self, request: HttpRequest) -> HttpResponseBase:
        awaitable: Awaitable[HttpResponseBase] = self.get_response(request)
        response = await awaitable
        if not apply_status(request, response) and wants_reassert(request, response):
            user = await request.auser()
            if user.is_authenticated:
                response[HEADER] = LOGGED_IN
        return response


#: ``app_name`` of the URLconfs this app ships (FedCM, the OAuth door, the REST API).
APP_NAMES = frozenset({"django_fedcm", "oauth2_provider", "django_fedcm_api"})


def declares_refused_charset(request: HttpRequest) -> bool:
    """A urlencoded POST declaring a charset other than UTF-8: the body that
    makes ``request.POST`` raise ``BadRequest`` (https://code.djangoproject.com/ticket/34709).
    Decided from the headers alone; the body is not read."""
    encoding = request.encoding  # the declared charset, when Python knows it
    return (
        request.method == "POST"
        and request.content_type == "application/x-www-form-urlencoded"
        and encoding is not None
        and encoding.lower() != "utf-8"
    )


def is_app_url(request: HttpRequest) -> bool:
    try:
        match = resolve(request.path_info, getattr(request, "urlconf", None))
    except Resolver404:
        return False
    return not APP_NAMES.isdisjoint(match.app_names)


def refuse_form_charset(request: HttpRequest) -> HttpResponseBase | None:
    """``400 invalid_request`` for :func:`declares_refused_charset` on this
    app's URLs, else ``None``.

    Django's answer to that ``BadRequest`` is its 400 view, which is wrapped in
    ``requires_csrf_token``: it re-runs the CSRF check, which reads
    ``request.POST`` again and raises again, and so does the 500 view, so the
    exception escapes Django (the WSGI server answers its bare 500). Any such
    POST with a CSRF cookie gets there, also on CSRF-exempt views that read
    the form. Browsers never declare a charset on a urlencoded form, so only
    crafted requests are refused. Other URLs are the project's to decide.
    """
    if not declares_refused_charset(request) or not is_app_url(request):
        return None
    response = JsonResponse({"error": "invalid_request"}, status=400)
    response["Cache-Control"] = "no-store"
    return response


class FormCharsetMiddleware(_SyncAndAsync):
    """Answers :func:`refuse_form_charset` before any middleware or view reads the body."""

    def call(self, request: HttpRequest) -> HttpResponseBase:
        response: HttpResponseBase = refuse_form_charset(request) or self.get_response(request)
        return response

    async def __acall__(self, request: HttpRequest) -> HttpResponseBase:
        refused = refuse_form_charset(request)
        if refused is not None:
            return refused
        awaitable: Awaitable[HttpResponseBase] = self.get_response(request)
        return await awaitable
