"""``GET /fedcm/accounts``: the accounts endpoint
(https://w3c-fedid.github.io/FedCM/#idp-api-accounts-endpoint).

The browser sends the IdP cookies and ``Sec-Fetch-Dest: webidentity`` but
nothing that identifies the relying party, by design. The response is
therefore RP-agnostic (it ignores ``Origin``, ``Referer`` and the query
string; checklist 17), and this module deliberately logs nothing: a log line
with the user and a timestamp could be joined with the uncredentialed client
metadata request (which names the RP) to learn who signs in where — the
"Timing Attacks" the spec's privacy section describes (checklist 64).

Queries: the session and user (loaded by ``AuthenticationMiddleware``; no
query for the session with the ``cached_db`` engine) and one for the profile
and the approved clients together — a constant three (two), whatever the
number of clients or grants.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_safe

from django_fedcm.adapter import get_adapter
from django_fedcm.services.grants import signed_in_user_and_approved_clients
from django_fedcm.services.profiles import get_profile
from django_fedcm.views.base import json_response
from django_fedcm.views.guards import json_on_database_error, require_webidentity

#: At least one of these must be a non-empty string, or Chromium rejects the
#: *whole* response (``ParseAccount``; ``username``/``tel`` count since Chrome 141).
IDENTIFIER_KEYS = ("name", "email", "username", "tel")


def is_valid_account(account: dict[str, Any]) -> bool:
    """Chromium's per-account rules: a non-empty ``id`` and an identifier."""
    account_id = account.get("id")
    if not isinstance(account_id, str) or not account_id.strip():
        return False
    return any(
        isinstance(account.get(key), str) and account[key].strip() for key in IDENTIFIER_KEYS
    )


def signed_in_accounts(request: HttpRequest) -> list[dict[str, Any]]:
    """Account entries for the users signed in by the request's cookies.

    A Django session holds one user, so ids are unique by construction. An
    entry the adapter builds without an id or identifier is left out rather
    than sent: Chromium would reject the whole list for it (checklist 14, 15).
    """
    # The session's user, their profile and approved clients: one query.
    user, approved_clients = signed_in_user_and_approved_clients(request)
    if not user.is_authenticated:
        return []
    adapter = get_adapter()
    if not adapter.is_account_enabled(request, user):
        return []
    account = adapter.get_account(request, user, get_profile(user), approved_clients)
    return [account] if is_valid_account(account) else []


@json_on_database_error
@require_safe
@require_webidentity
def view(request: HttpRequest) -> HttpResponse:
    accounts = signed_in_accounts(request)
    # Signed out: 401 as MDN / Chrome docs say; Chromium treats it exactly
    # like an empty list (the browser records "logged-out"). Never a redirect
    # to a login page (checklist 16).
    return json_response({"accounts": accounts}, status=200 if accounts else 401)
