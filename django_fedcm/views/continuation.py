"""``/fedcm/continue/<reference>``: the ``continue_on`` consent page
(https://w3c-fedid.github.io/FedCM/#dom-identityassertionresponse-continue_on;
checklist 38, 46, 47).

The browser opens it in a popup when the id assertion endpoint answered
``{"continue_on": url}``. A first-party page: the session cookie, Django's CSRF
protection on the form and clickjacking protection all apply as usual.

* GET shows what the client will receive, if the reference is known, unused,
  unexpired and belongs to the signed-in user.
* POST ``action=allow`` claims the reference (single use), records the grant
  and renders a page that calls ``IdentityProvider.resolve(token, {accountId})``
  with a token minted for the original client and nonce only.
* POST ``action=cancel`` claims it too and calls ``IdentityProvider.close()``:
  the RP gets an error.

Anything else is an error page with a 4xx status and nothing minted.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.clickjacking import xframe_options_deny
from django.views.decorators.http import require_http_methods

from django_fedcm.adapter import RECOGNISED_FIELDS, get_adapter
from django_fedcm.models import ContinuationRequest
from django_fedcm.services import continuations, oauth_codes
from django_fedcm.services.assertion import issue_assertion
from django_fedcm.services.keys import NoActiveKey
from django_fedcm.services.registry import origin_is_registered
from django_fedcm.views.outage import page_when_database_down

TEMPLATE = "django_fedcm/continuation.html"

FIELD_LABELS = {
    "name": _("Your name"),
    "email": _("Your email address"),
    "tel": _("Your phone number"),
    "username": _("Your username"),
    "picture": _("Your profile picture"),
}

_UNKNOWN = (404, _("This sign-in request is unknown."))
_USED = (410, _("This sign-in request was already completed or cancelled."))
_EXPIRED = (410, _("This sign-in request has expired. Please start again from the site."))
_SIGNED_OUT = (403, _("You are no longer signed in. Please start again from the site."))
_REFUSED = (403, _("This sign-in is not possible any more."))


def _problem(request: HttpRequest, state: ContinuationRequest | None) -> tuple[int, Any] | None:
    if state is None:
        return _UNKNOWN
    user = request.user
    if not user.is_authenticated:
        return _SIGNED_OUT
    if state.user_id != user.pk:
        return _UNKNOWN  # someone else's reference: reveal nothing about it
    if state.used_at is not None:
        return _USED
    if continuations.is_expired(state):
        return _EXPIRED
    relying_party = state.relying_party
    adapter = get_adapter()
    # Re-checked now: the client may have been disabled or lost the origin
    # since the id assertion request was validated.
    if (
        not relying_party.enabled
        or not origin_is_registered(relying_party, state.origin)
        or adapter.get_account_id(user) != state.account_id
        or not adapter.can_sign_in(request, user, relying_party)
    ):
        return _REFUSED
    try:  # the client may have lost the code grant or a scope since then too
        oauth_codes.parse_code_request(state.params, relying_party, state.nonce or None)
    except oauth_codes.OAuthParamsError:
        return _REFUSED
    return None


def _page(request: HttpRequest, page: str, *, status: int = 200, **context: Any) -> HttpResponse:
    context.setdefault("script_data", {"action": "none"})
    return render(request, TEMPLATE, {"page": page, **context}, status=status)


def _error(request: HttpRequest, problem: tuple[int, Any]) -> HttpResponse:
    status, message = problem
    return _page(request, "error", status=status, message=message)


def _allow(request: HttpRequest, state: ContinuationRequest) -> HttpResponse:
    try:
        with transaction.atomic():
            if not continuations.claim(state):  # a concurrent submit won
                return _error(request, _USED)
            body = issue_assertion(
                request,
                state.relying_party,
                request.user,
                nonce=state.nonce or None,
                params=state.params,
                fields=state.fields,
                origin=state.origin,
            )
    except NoActiveKey:
        # Rolled back: the reference stays usable once a key exists.
        return _error(request, (503, _("Sign-in is temporarily unavailable.")))
    return _page(
        request,
        "resolve",
        script_data={"action": "resolve", "token": body["token"], "accountId": state.account_id},
    )


# The Allow button must never be framed (clickjacking), even in a project
# without XFrameOptionsMiddleware; the browser opens the page as a popup.
@xframe_options_deny
@never_cache
@page_when_database_down
@require_http_methods(["GET", "HEAD", "POST"])
def view(request: HttpRequest, reference: str) -> HttpResponse:
    state = continuations.find(reference)
    problem = _problem(request, state)
    if problem is not None:
        return _error(request, problem)
    assert state is not None
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "allow":
            return _allow(request, state)
        if action == "cancel":
            continuations.claim(state)
            return _page(request, "close", script_data={"action": "close"})
        return _error(request, (400, _("Choose Allow or Cancel.")))
    relying_party = state.relying_party
    return _page(
        request,
        "consent",
        client_name=relying_party.display_name,
        origin=state.origin,
        fields=[FIELD_LABELS[f] for f in RECOGNISED_FIELDS if f in state.fields]
        + oauth_codes.scope_labels(state.params),
        terms_of_service_url=relying_party.terms_of_service_url,
        privacy_policy_url=relying_party.privacy_policy_url,
    )
