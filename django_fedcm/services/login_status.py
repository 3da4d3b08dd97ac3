"""Login Status API, server side (https://w3c-fedid.github.io/login-status/;
checklist 51-53; docs/login-status.md).

The browser keeps a per-origin status (``logged-in`` / ``logged-out`` /
``unknown``) that decides whether FedCM even asks the accounts endpoint.
The IdP sets it with the ``Set-Login`` response header.

Django's ``user_logged_in`` / ``user_logged_out`` signals fire for every
sign-in method that goes through :func:`django.contrib.auth.login` /
``logout`` (password form, admin, allauth, social and passkey backends,
``alogin``/``alogout``), so the receivers here only *mark the request*; the
:class:`~django_fedcm.middleware.LoginStatusMiddleware` writes the header on
whatever response that request produces — including the 302 after a login
POST, which Chromium honours on every redirect hop.

Code that restores a session without ``login()`` (a "remember me" cookie, an
SSO callback) can call :func:`set_login_status` itself.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, Literal, ParamSpec

from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.dispatch import receiver
from django.http import HttpRequest
from django.http.response import HttpResponseBase

__all__ = [
    "HEADER",
    "LOGGED_IN",
    "LOGGED_OUT",
    "REASSERT_EXEMPT",
    "LoginStatus",
    "get_login_status",
    "reassert_exempt",
    "set_login_status",
]

P = ParamSpec("P")

LoginStatus = Literal["logged-in", "logged-out"]

LOGGED_IN: LoginStatus = "logged-in"
LOGGED_OUT: LoginStatus = "logged-out"

#: Response header of the Login Status API. Its value is an RFC 8941 token:
#: bare, never quoted (Chromium ignores ``"logged-in"`` with quotes).
HEADER = "Set-Login"

_ATTRIBUTE = "_fedcm_login_status"

#: Response attribute set by :func:`reassert_exempt`.
REASSERT_EXEMPT = "fedcm_login_status_reassert_exempt"


def set_login_status(request: HttpRequest, status: LoginStatus) -> None:
    """Make the response to ``request`` carry ``Set-Login: <status>``.

    The last call wins, so a logout followed by a login in one request (a
    user switch) ends ``logged-in``.
    """
    setattr(request, _ATTRIBUTE, status)


def get_login_status(request: HttpRequest) -> LoginStatus | None:
    """The status :func:`set_login_status` recorded for this request, if any."""
    status: LoginStatus | None = getattr(request, _ATTRIBUTE, None)
    return status


def reassert_exempt(
    view: Callable[P, HttpResponseBase],
) -> Callable[P, HttpResponseBase]:
    """Never re-assert ``logged-in`` on this view's responses (a recorded
    status is still sent).

    For sign-in pages shown in the FedCM ``login_url`` popup: Chromium reacts
    to ``Set-Login: logged-in`` in that popup by fetching the accounts again,
    so a sign-in form shown to a user signed in with *another* account must
    not carry it, or the browser offers that other account before the user
    has typed anything.
    """

    @wraps(view)
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> HttpResponseBase:
        response = view(*args, **kwargs)
        setattr(response, REASSERT_EXEMPT, True)
        return response

    return wrapped


@receiver(user_logged_in, dispatch_uid="django_fedcm.services.login_status.logged_in")
def _mark_logged_in(*, request: HttpRequest | None = None, **kwargs: Any) -> None:
    if request is not None:
        set_login_status(request, LOGGED_IN)


@receiver(user_logged_out, dispatch_uid="django_fedcm.services.login_status.logged_out")
def _mark_logged_out(*, request: HttpRequest | None = None, **kwargs: Any) -> None:
    # A Django session holds one account, so logout always leaves none signed
    # in: exactly when the spec wants logged-out (checklist 52).
    if request is not None:
        set_login_status(request, LOGGED_OUT)
