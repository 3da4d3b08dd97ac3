"""``POST /fedcm/disconnect``: ``IdentityCredential.disconnect()`` (Chrome 122+;
https://w3c-fedid.github.io/FedCM/#idp-api-disconnect-endpoint; checklist 56-58).

Same guards as the id assertion endpoint (``Sec-Fetch-Dest``, client and
``Origin`` in :func:`~django_fedcm.views.guards.credentialed_post`; session),
then the signed-in account matching ``account_hint`` (its id, email or one of
its ``login_hints``) loses its grant to that one client, and the answer names
the account: ``{"account_id": "<id>"}``. Idempotent: disconnecting an account
that has no grant still answers its id, which tells the browser to forget its
own record of the connection.

Errors are FedCM error objects with HTTP 200 (see ``id_assertion``). On any
error Chromium drops *all* of its connections between that RP and this IdP;
the server-side grants stay.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, QueryDict
from django.views.decorators.csrf import csrf_exempt

from django_fedcm.adapter import get_adapter
from django_fedcm.models import RelyingParty
from django_fedcm.services.grants import revoke_grant
from django_fedcm.services.profiles import get_profile
from django_fedcm.views.base import (
    ACCESS_DENIED,
    INVALID_REQUEST,
    fedcm_error,
    json_response,
)
from django_fedcm.views.guards import credentialed_post


def matches_account_hint(user: Any, account_id: str, hint: str) -> bool:
    """The RP may pass our account ``id``, an email or a login hint (MDN
    idp_integration, disconnect section): match all three. Email compares
    case-insensitively; ids and hints exactly."""
    if hint == account_id:
        return True
    email = getattr(user, "email", "") or ""
    if email and hint.casefold() == email.casefold():
        return True
    return hint in get_profile(user).login_hints


# CSRF: exempt for the same reasons as the id assertion endpoint (see the
# comment there): the browser's cross-site FedCM POST carries no CSRF token;
# Sec-Fetch-Dest: webidentity (unforgeable by page JavaScript), the exact
# Origin check against the client's registered origins and the SameSite=None
# session cookie on a credentialed CORS fetch replace it (checklist 26, 56).
@csrf_exempt
@credentialed_post
def view(request: HttpRequest, relying_party: RelyingParty, form: QueryDict) -> HttpResponse:
    hint = form.get("account_hint")
    if not hint:
        return fedcm_error(request, INVALID_REQUEST)
    user = request.user
    if not user.is_authenticated:
        return fedcm_error(request, ACCESS_DENIED)
    account_id = get_adapter().get_account_id(user)
    if not matches_account_hint(user, account_id, hint):
        return fedcm_error(request, ACCESS_DENIED)
    revoke_grant(user, relying_party, via="disconnect", request=request)
    return json_response({"account_id": account_id})
