"""What the id assertion endpoint hands out once a request is validated
(https://w3c-fedid.github.io/FedCM/#idp-api-id-assertion-endpoint): shared by
the endpoint and the continuation page.

:func:`issue_assertion` is the single place a FedCM assertion is minted. The
OAuth profile (authorization codes, checklist 40; docs/oauth-and-fedcm.md)
branches in there; everything before it (client, Origin, session, consent)
stays the same.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from django_fedcm import signals
from django_fedcm.adapter import get_adapter
from django_fedcm.conf import fedcm_settings
from django_fedcm.models import Grant, RelyingParty
from django_fedcm.services import discovery, grants, oauth_codes, tokens
from django_fedcm.services.auth_time import auth_time
from django_fedcm.services.grants import UNREAD as _UNREAD

__all__ = ["issue_assertion", "issuer"]


def issuer(request: HttpRequest) -> str:
    """The ``iss`` of our tokens: ``FEDCM_ISSUER``, else the request's origin."""
    return fedcm_settings.ISSUER or discovery.base_origin(request)


def issue_assertion(
    request: HttpRequest,
    relying_party: RelyingParty,
    user: Any,
    *,
    nonce: str | None,
    params: dict[str, Any],
    fields: set[str] | list[str],
    origin: str | None = None,
    grant: Grant | None = _UNREAD,
) -> dict[str, Any]:
    """Record the grant for ``fields`` and mint the answer ``{"token": ...}``.

    The caller has validated the client, the Origin, the account and consent;
    ``grant`` is the grant as it read it (``None``: none), if it did. The
    token is signed first and the grant written after, in one statement, so
    a failed signature (no active key) writes nothing and no transaction is
    needed.
    """
    # OAuth profile seam: a request with params["response_type"] == "code"
    # gets an authorization code here instead of an ID token.
    if oauth_codes.is_code_request(params):
        return oauth_codes.issue_from_params(
            request, relying_party, user, params=params, nonce=nonce, fields=fields, origin=origin
        )
    fields = set(fields)
    claims = get_adapter().get_claims(request, user, relying_party, fields)
    id_token, payload = tokens.issue_id_token(
        issuer=issuer(request),
        user=user,
        relying_party=relying_party,
        nonce=nonce,
        claims=claims,
        auth_time=auth_time(request, user),
    )
    grants.record_grant(user, relying_party, fields=fields, request=request, known=grant)
    signals.token_issued.send(
        sender=RelyingParty,
        request=request,
        user=user,
        relying_party=relying_party,
        claims=payload,
    )
    return {"token": tokens.token_value(id_token, relying_party)}
