"""``POST /fedcm/assertion``: the id assertion endpoint
(https://w3c-fedid.github.io/FedCM/#idp-api-id-assertion-endpoint; checklist 25-45).

Checks, in order: ``Sec-Fetch-Dest`` (25), ``client_id`` known and enabled
(28), ``Origin`` registered for it (27) (these three in
:func:`~django_fedcm.views.guards.credentialed_post`), the session's account
is the ``account_id`` (29), the adapter lets the user sign in, ``params`` (36),
nonce (34), ``is_auto_selected`` policy (39). Then either ``continue_on`` for
the IdP's consent page (38, 44) or ``{"token": ...}`` (32).

Error status: protocol errors are ``{"error": {...}}`` with **HTTP 200**.
Chromium honours the error object on any status, but the spec's algorithm,
read literally, discards the body of a non-2xx answer, so 200 is the portable
choice (https://w3c-fedid.github.io/FedCM/#fetch-identity-assertion,
checklist 43). Exceptions: a request without ``Sec-Fetch-Dest: webidentity``
is not a FedCM request and gets 400; a method other than POST gets 405; a
missing signing key (a real server failure) gets ``server_error`` with 500.
Nothing here redirects (45).
"""

from __future__ import annotations

import logging
from typing import Any

from django.http import HttpRequest, HttpResponse, QueryDict
from django.views.decorators.csrf import csrf_exempt

from django_fedcm.adapter import get_adapter
from django_fedcm.conf import fedcm_settings
from django_fedcm.internal.params import parse_params
from django_fedcm.models import ContinuationRequest, RelyingParty
from django_fedcm.services import continuations, oauth_codes
from django_fedcm.services.assertion import issue_assertion
from django_fedcm.services.grants import signed_in_user_and_grant
from django_fedcm.services.keys import NoActiveKey
from django_fedcm.views.base import (
    ACCESS_DENIED,
    INVALID_REQUEST,
    SERVER_ERROR,
    fedcm_error,
    json_response,
)
from django_fedcm.views.guards import credentialed_post

logger = logging.getLogger(__name__)

#: The continuation row's column size; longer nonces are refused up front.
NONCE_MAX_LENGTH: int = ContinuationRequest._meta.get_field("nonce").max_length or 1024


def read_nonce(params: dict[str, Any], form: QueryDict) -> str | None:
    """``params.nonce``, else the legacy top-level ``nonce`` (checklist 34;
    Chrome sends the top-level one until 145). Copied unchanged; absent is
    fine; ``ValueError`` when it cannot be stored."""
    nonce = params["nonce"] if "nonce" in params else form.get("nonce")
    if nonce is None or nonce == "":
        return None
    if not isinstance(nonce, str) or len(nonce) > NONCE_MAX_LENGTH or "\x00" in nonce:
        raise ValueError("nonce")
    return nonce


def _field_set(raw: str | None) -> set[str] | None:
    """A comma-separated field list, ``None`` when the key is absent. Chrome and
    the spec disagree on when ``fields`` is sent: never infer from presence."""
    if raw is None:
        return None
    return {item.strip() for item in raw.split(",") if item.strip()}


def _disclosed(form: QueryDict) -> set[str] | None:
    """What the browser showed the user. ``disclosure_shown_for`` (Chrome 132+);
    older Chrome only says ``disclosure_text_shown=true``, which meant the
    disclosure covered name, email and picture."""
    shown_for = _field_set(form.get("disclosure_shown_for"))
    if shown_for is not None:
        return shown_for
    if form.get("disclosure_text_shown") == "true":
        return {"name", "email", "picture"}
    return None


# CSRF: exempt, and only this view and disconnect. The browser's FedCM POST is
# cross-site and carries no CSRF token, so CsrfViewMiddleware would reject it.
# What replaces the token: (1) Sec-Fetch-Dest: webidentity is required
# (credentialed_post); it is a forbidden header that page JavaScript cannot
# set, so the request came from the browser's FedCM machinery after user
# mediation; (2) the Origin is matched exactly against the client's registered
# origins before anything is minted; (3) the session cookie is SameSite=None,
# so the browser attaches it only to these credentialed CORS fetches the
# answer of which only that Origin can read
# (https://w3c-fedid.github.io/FedCM/#unauthorized-fetching,
# https://w3c-fedid.github.io/FedCM/#sec-cors-header; checklist 26).
@csrf_exempt
@credentialed_post
def view(request: HttpRequest, relying_party: RelyingParty, form: QueryDict) -> HttpResponse:
    origin = request.headers.get("Origin")
    assert origin is not None  # credentialed_post matched it against the client

    account_id = form.get("account_id")
    if not account_id:
        return fedcm_error(request, INVALID_REQUEST)
    # The session's user, their profile and their grant: one query.
    user, grant = signed_in_user_and_grant(request, relying_party)
    adapter = get_adapter()
    # Never mint for an id merely present in the body: it must be the session's
    # account (checklist 29).
    if not user.is_authenticated or adapter.get_account_id(user) != account_id:
        return fedcm_error(request, ACCESS_DENIED)
    if not adapter.can_sign_in(request, user, relying_party):
        return fedcm_error(request, ACCESS_DENIED)

    try:
        params = parse_params(form.get("params"), max_bytes=fedcm_settings.PARAMS_MAX_BYTES)
        nonce = read_nonce(params, form)
    except ValueError:
        return fedcm_error(request, INVALID_REQUEST)
    try:  # OAuth profile (docs/oauth-and-fedcm.md): params may ask for a code
        code_request = oauth_codes.parse_code_request(params, relying_party, nonce)
    except oauth_codes.OAuthParamsError as exc:
        return fedcm_error(request, exc.error)

    # Auto re-authentication happened without a click; a client that demands
    # explicit user action gets an error and retries with mediation "required".
    if form.get("is_auto_selected") == "true" and relying_party.require_user_action:
        return fedcm_error(request, ACCESS_DENIED)

    token_fields = adapter.get_token_fields(request, relying_party, _field_set(form.get("fields")))
    if code_request is not None:  # OAuth profile: the scopes decide the claims
        token_fields = code_request.fields
    if adapter.needs_consent(
        request, user, relying_party, grant, token_fields, _disclosed(form)
    ) or (
        code_request is not None
        and oauth_codes.needs_consent(grant, code_request, _disclosed(form))
    ):
        url = continuations.create(
            request,
            user=user,
            relying_party=relying_party,
            origin=origin,
            account_id=account_id,
            nonce=nonce,
            params=params,
            fields=token_fields,
        )
        return json_response({"continue_on": url})

    try:
        body = issue_assertion(
            request,
            relying_party,
            user,
            nonce=nonce,
            params=params,
            fields=token_fields,
            origin=origin,
            grant=grant,
        )
    except NoActiveKey:
        logger.error("FedCM id assertion refused: no active signing key (run fedcm_keys rotate)")
        return fedcm_error(request, SERVER_ERROR, status=500)
    return json_response(body)
