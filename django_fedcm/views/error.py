"""``/fedcm/error/<code>``: help page for FedCM error codes
(https://w3c-fedid.github.io/FedCM/#browser-api-identity-credential-error-interface).

Error objects from the id assertion endpoint carry a ``url`` that the browser
opens in a popup when the user asks for details; it must be same-site with the
IdP, so the app serves it. One page per OAuth error code Chrome knows; any
other code is a 404. No personal data: the page explains the code only.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from django_fedcm.views import base

TEMPLATE = "django_fedcm/error.html"

#: (title, explanation) per code, in the user's words rather than RFC 6749's.
EXPLANATIONS = {
    base.INVALID_REQUEST: (
        _("The sign-in request was not valid"),
        _(
            "The site you were signing in to sent a request that could not be "
            "understood. Reload the site and try again; if it keeps happening, "
            "tell the site's owners."
        ),
    ),
    base.UNAUTHORIZED_CLIENT: (
        _("This site cannot use this sign-in"),
        _(
            "The site you were signing in to is not registered for this sign-in "
            "service, or its registration was switched off. Nothing about your "
            "account was shared with it."
        ),
    ),
    base.ACCESS_DENIED: (
        _("Sign-in was not allowed"),
        _(
            "Your account cannot be used to sign in to this site, or the sign-in "
            "needs your explicit confirmation. Try again and choose your account, "
            "or contact the site's owners."
        ),
    ),
    base.SERVER_ERROR: (
        _("Something went wrong"),
        _(
            "The sign-in service hit an unexpected problem. Nothing was shared. "
            "Please try again in a few minutes."
        ),
    ),
    base.TEMPORARILY_UNAVAILABLE: (
        _("Sign-in is temporarily unavailable"),
        _(
            "The sign-in service is busy or under maintenance right now. Please "
            "try again in a few minutes."
        ),
    ),
}


@require_safe
@cache_control(public=True, max_age=3600)
def view(request: HttpRequest, code: str) -> HttpResponse:
    if code not in EXPLANATIONS:
        raise Http404("unknown error code")
    title, explanation = EXPLANATIONS[code]
    return render(request, TEMPLATE, {"code": code, "title": title, "explanation": explanation})
