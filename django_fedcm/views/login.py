"""``/fedcm/login``: the ``login_url`` sign-in popup
(https://w3c-fedid.github.io/FedCM/#show-an-idp-login-dialog; checklist 48-50).

The browser opens this page in a popup it owns (no ``window.opener``) when the
user must sign in to the IdP, appending the RP's ``login_hint`` and
``domain_hint`` to the query. It is an ordinary first-party page: a
CSRF-protected :class:`~django.contrib.auth.forms.AuthenticationForm`.

On success the login POST answers a redirect; ``django.contrib.auth.login``
fires ``user_logged_in`` and the :class:`~django_fedcm.middleware.LoginStatusMiddleware`
puts ``Set-Login: logged-in`` on that redirect. The page it lands on (and the
page shown to a user who was already signed in) sets the status again and
calls ``IdentityProvider.close()`` from ``static/django_fedcm/login.js``: per
spec ``close()`` only counts as success while the status is ``logged-in``.

Failed sign-ins are throttled per account and per client address
(docs/security.md#brute-force-protection): while either is locked out, the POST
is answered ``429`` with ``Retry-After`` and a form error that says when to
retry, before any password is checked.

A project with its own sign-in page points ``FEDCM_LOGIN_URL`` at it instead
(docs/login-status.md says what that page must do; :mod:`django_fedcm.throttle`
gives it the same throttle).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import login as auth_login
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import NON_FIELD_ERRORS
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.clickjacking import xframe_options_deny
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from django_fedcm.adapter import get_adapter
from django_fedcm.services.login_status import LOGGED_IN, reassert_exempt, set_login_status
from django_fedcm.services.profiles import get_profile
from django_fedcm.throttle import ThrottledAuthenticationForm
from django_fedcm.views.outage import page_when_database_down
from django_fedcm.views.user_info import idp_name

TEMPLATE = "django_fedcm/login.html"

#: Hints are untrusted RP input, only ever used to prefill and to explain.
MAX_HINT_LENGTH = 255


def read_hint(request: HttpRequest, name: str) -> str:
    """A ``login_hint`` / ``domain_hint`` query value, trimmed and length-capped."""
    return request.GET.get(name, "").strip()[:MAX_HINT_LENGTH]


def session_matches_hints(
    request: HttpRequest, user: Any, login_hint: str, domain_hint: str
) -> bool:
    """Does the signed-in account satisfy the RP's hints?

    If it does not, closing at once would only make the browser fetch the same
    accounts again and filter them all out; the form is shown instead so the
    user can sign in with the account the RP asked for.
    """
    if not login_hint and not domain_hint:
        return True
    profile = get_profile(user)
    if login_hint:
        known = {
            get_adapter().get_account_id(user),
            user.get_username(),
            getattr(user, "email", "") or "",
            *profile.login_hints,
        }
        if login_hint not in known:
            return False
    if domain_hint:
        # domainHint "any" matches every account with at least one domain hint
        # (Chrome 123).
        if domain_hint == "any":
            return bool(profile.domain_hints)
        return domain_hint in profile.domain_hints
    return True


def safe_next(request: HttpRequest) -> str:
    """The ``next`` parameter if it stays on this host (no open redirect), else ``""``."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return ""


def success_url(request: HttpRequest) -> str:
    """Where a successful login POST redirects: a safe ``next``, else this page
    without the hints (which then shows the "signed in" state and closes)."""
    return safe_next(request) or reverse("django_fedcm:login")


def render_page(
    request: HttpRequest, form: AuthenticationForm | None, **context: Any
) -> HttpResponse:
    user = request.user
    return render(
        request,
        TEMPLATE,
        {
            "form": form,
            "next": safe_next(request),
            "account_name": user.get_username() if user.is_authenticated else "",
            # The popup shows no address bar the user trusts: name the IdP.
            "idp_name": idp_name(request),
            **context,
        },
    )


# The form may be shown to a user signed in with another account than the RP
# hinted; re-asserting logged-in there would make Chromium offer that account.
@reassert_exempt
# A sign-in form must never be framed (clickjacking), even in a project
# without XFrameOptionsMiddleware; the browser opens it as a popup anyway.
@xframe_options_deny
@sensitive_post_parameters()
@csrf_protect
@never_cache
@page_when_database_down
@require_http_methods(["GET", "HEAD", "POST"])
def view(request: HttpRequest) -> HttpResponse:
    login_hint = read_hint(request, "login_hint")
    domain_hint = read_hint(request, "domain_hint")
    context = {"login_hint": login_hint, "domain_hint": domain_hint}
    user = request.user

    if request.method == "POST":
        form = ThrottledAuthenticationForm(request, data=request.POST)
        if form.is_valid():
            # login() fires user_logged_in: the middleware adds Set-Login to
            # this redirect (Chromium honours it on every redirect hop).
            auth_login(request, form.get_user())
            return HttpResponseRedirect(success_url(request))
        response = render_page(request, form, **context)
        if form.has_error(NON_FIELD_ERRORS, "throttled"):
            # RFC 6585 section 4; RFC 9110 section 10.2.3 (Retry-After).
            response.status_code = 429
            response["Retry-After"] = str(form.retry_after)
        return response

    if user.is_authenticated and session_matches_hints(request, user, login_hint, domain_hint):
        # Already signed in: still set the status and close (checklist 50).
        set_login_status(request, LOGGED_IN)
        return render_page(request, None, signed_in=True, **context)

    form = ThrottledAuthenticationForm(
        request, initial={"username": login_hint} if login_hint else None
    )
    if login_hint:
        # The username is prefilled: put the cursor where the user types next.
        form.fields["username"].widget.attrs.pop("autofocus", None)
        form.fields["password"].widget.attrs["autofocus"] = True
    return render_page(request, form, other_account=user.is_authenticated, **context)
