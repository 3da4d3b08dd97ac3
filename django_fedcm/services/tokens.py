"""Build and sign the tokens the id assertion endpoint returns
(https://w3c-fedid.github.io/FedCM/#dom-identityassertionresponse-token;
checklist 33-35).

The ID tokens of the OAuth door are signed elsewhere, by
:class:`django_fedcm.oauth.validators.FedCMOAuth2Validator`, with the same key.
Both take it from :func:`django_fedcm.services.keys.signing_key`, which parses it
once per process (and again only after a rotation or
``FEDCM_KEY_CACHE_SECONDS``), never per request.

The ID token is an OIDC-shaped JWT: ``aud`` is the ``client_id`` and the RP's
nonce is copied unchanged, so an RP verifies it with any OIDC library against
``/fedcm/jwks.json``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone
from jwcrypto.jwt import JWT

from django_fedcm.adapter import get_adapter
from django_fedcm.conf import fedcm_settings
from django_fedcm.models import RelyingParty
from django_fedcm.services import keys

__all__ = ["REGISTERED_CLAIMS", "issue_id_token", "token_value"]

#: Claims this module owns; the adapter's user claims can never override them.
REGISTERED_CLAIMS = frozenset({"iss", "sub", "aud", "nonce", "iat", "exp", "auth_time"})


def issue_id_token(
    *,
    issuer: str,
    user: Any,
    relying_party: RelyingParty,
    nonce: str | None,
    claims: dict[str, Any],
    auth_time: int | None,
    now: datetime | None = None,
) -> tuple[str, dict[str, Any]]:
    """Sign an ID token for ``user`` and ``relying_party``.

    Returns the compact JWT and its payload. ``nonce`` is included only when
    given (a missing nonce is not an error, checklist 34); ``auth_time`` only
    when known. Raises :class:`~django_fedcm.services.keys.NoActiveKey` when there is no
    signing key.
    """
    key = keys.signing_key()
    issued_at = int((now or timezone.now()).timestamp())
    payload: dict[str, Any] = {
        "iss": issuer,
        "sub": get_adapter().get_account_id(user),
        "aud": relying_party.client_id,
    }
    if nonce:
        payload["nonce"] = nonce
    payload["iat"] = issued_at
    payload["exp"] = issued_at + fedcm_settings.TOKEN_LIFETIME
    if auth_time is not None:
        payload["auth_time"] = int(auth_time)
    payload.update((k, v) for k, v in claims.items() if k not in REGISTERED_CLAIMS)
    token = JWT(header={"alg": key.algorithm, "kid": key.kid, "typ": "JWT"}, claims=payload)
    token.make_signed_token(key.jwk)
    return str(token.serialize()), payload


def token_value(id_token: str, relying_party: RelyingParty) -> str | dict[str, str]:
    """The ``token`` member of the id assertion answer.

    A string unless the RP opted in to structured tokens: Chrome before 143
    treats a non-string ``token`` as an error (checklist 33; blink-dev
    "Support Structured JSON Responses from IdPs", Sep 2025).
    """
    if relying_party.structured_tokens:
        return {"id_token": id_token}
    return id_token
