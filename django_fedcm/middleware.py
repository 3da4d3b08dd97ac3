"""``LoginStatusMiddleware``: writes the ``Set-Login`` header
(https://w3c-fedid.github.io/login-status/#login-status-http; docs/login-status.md).

Add it after ``AuthenticationMiddleware``::

    MIDDLEWARE = [
        ...,
        "django.contrib.auth.middleware.AuthenticationMiddleware",
        "django_fedcm.middleware.LoginStatusMiddleware",
    ]

It emits

* the status a sign-in or sign-out recorded on the request
  (:mod:`django_fedcm.services.login_status`), on any response, redirects included;
* ``logged-in`` again on successful HTML page responses of an authenticated
  user (``FEDCM_LOGIN_STATUS_REASSERT``): a self-healing measure for browsers
  whose status went stale, e.g. after a session restored without a login
  page (checklist 53).

JSON and other non-HTML responses (the FedCM endpoints themselves) never
touch the session here, so the public, cookieless endpoints stay query-free
and gain no ``Vary: Cookie``. Sync and async capable, like
django-cors-headers' middleware.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.conf import settings
from django.http import HttpRequest
from django.http.response import HttpResponseBase

from django_fedcm.conf import fedcm_settings
from django_fedcm.services.login_status import HEADER, LOGGED_IN, REASSERT_EXEMPT, get_login_status

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


class LoginStatusMiddleware:
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
