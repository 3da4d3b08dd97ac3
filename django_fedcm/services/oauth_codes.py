"""FedCM for OAuth: the id assertion endpoint answers with a DOT authorization code
(https://github.com/aaronpk/oauth-fedcm-profile; checklist 35 and 40;
docs/oauth-and-fedcm.md).

The RP asks for a code by passing OAuth parameters in FedCM ``params``::

    navigator.credentials.get({identity: {providers: [{
        configURL, clientId, params: {
            response_type: "code",
            scope: "openid profile email",
            code_challenge: "<BASE64URL(SHA256(verifier))>",
            code_challenge_method: "S256",
            nonce: "<random>",
        }}]}})

and gets ``IdentityCredential.token`` = the code (``{"code": ...}`` for RPs
that opted into structured tokens). Its backend exchanges it at DOT's token
endpoint (``grant_type=authorization_code``, ``code``, ``client_id``,
``code_verifier``, *no* ``redirect_uri``) for access, refresh and ID tokens.

The code is a row of DOT's own ``Grant`` model, so DOT's token endpoint
enforces everything: single use (deleted on exchange), short life
(``FEDCM_AUTHORIZATION_CODE_LIFETIME``), bound to the client and to the PKCE
challenge. Its ``redirect_uri`` is a marker ``fedcm:<RP origin>`` instead of
a URL: it records the Origin the code was issued to and cannot match any real
redirect URI, so a FedCM code can never be redeemed as if it came from the
redirect flow's callback.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from django_fedcm.conf import fedcm_settings
from django_fedcm.models import RelyingParty
from django_fedcm.services import grants
from django_fedcm.services import scopes as scope_map

#: ``Grant.redirect_uri`` prefix marking codes minted by the id assertion endpoint.
REDIRECT_MARKER_PREFIX = "fedcm:"

# RFC 7636 §4.2: BASE64URL(SHA256(verifier)) is 43 characters; allow the
# full code_challenge alphabet and length range.
_CODE_CHALLENGE = re.compile(r"^[A-Za-z0-9\-._~]{43,128}$")
#: DOT's Grant.nonce is a CharField(max_length=255).
_MAX_NONCE = 255


class OAuthParamsError(Exception):
    """The OAuth parameters in ``params`` are unusable. ``error`` is the OAuth
    error code the id assertion endpoint answers with."""

    def __init__(self, error: str, description: str) -> None:
        super().__init__(description)
        self.error = error


@dataclass(frozen=True)
class CodeRequest:
    """The validated OAuth part of FedCM ``params``."""

    scopes: frozenset[str]
    code_challenge: str

    @property
    def scope(self) -> str:
        return " ".join(sorted(self.scopes))

    @property
    def fields(self) -> set[str]:
        """FedCM fields whose claims the requested scopes release."""
        return scope_map.fields_for_scopes(self.scopes)


def is_code_request(params: dict[str, Any] | None) -> bool:
    """True when ``params`` carry OAuth request parameters (``response_type``,
    or a PAR ``request_uri``, which is refused rather than silently ignored)."""
    return isinstance(params, dict) and ("response_type" in params or "request_uri" in params)


def parse_code_request(
    params: dict[str, Any] | None, relying_party: RelyingParty, nonce: str | None = None
) -> CodeRequest | None:
    """``None`` for a plain FedCM request; a :class:`CodeRequest` for the OAuth
    profile; :class:`OAuthParamsError` when the OAuth parameters are wrong.

    PKCE with S256 is mandatory: the code travels through page JavaScript.
    """
    if not is_code_request(params):
        return None
    assert params is not None
    if "request_uri" in params:
        # Pushed authorization requests (RFC 9126) are not supported: DOT has
        # no PAR endpoint. Saying so beats minting a token the RP did not ask for.
        raise OAuthParamsError("invalid_request", "request_uri is not supported.")
    if params.get("response_type") != "code":
        raise OAuthParamsError("unsupported_response_type", "Only response_type=code is supported.")
    challenge = params.get("code_challenge")
    if not isinstance(challenge, str) or not _CODE_CHALLENGE.match(challenge):
        raise OAuthParamsError("invalid_request", "code_challenge is missing or malformed.")
    if params.get("code_challenge_method") != "S256":
        raise OAuthParamsError("invalid_request", "code_challenge_method must be S256.")
    if nonce is not None and len(nonce) > _MAX_NONCE:
        raise OAuthParamsError("invalid_request", "nonce is too long for the OAuth profile.")
    scope = params.get("scope", "openid")
    if not isinstance(scope, str) or not scope.strip():
        raise OAuthParamsError("invalid_scope", "scope must be a non-empty string.")
    requested = frozenset(scope.split())
    application = relying_party.application
    from oauth2_provider.models import AbstractApplication
    from oauth2_provider.scopes import get_scopes_backend

    if not application.allows_grant_type(AbstractApplication.GRANT_AUTHORIZATION_CODE):
        raise OAuthParamsError(
            "unauthorized_client", "The client may not use the authorization code grant."
        )
    available = set(get_scopes_backend().get_available_scopes(application=application))
    if not requested <= available:
        raise OAuthParamsError("invalid_scope", "The request names an unknown scope.")
    return CodeRequest(scopes=requested, code_challenge=challenge)


def needs_consent(grant: Any, code_request: CodeRequest, disclosed: set[str] | None) -> bool:
    """True when a requested scope is neither already granted to the client
    (through either door) nor covered by the fields the browser just disclosed:
    the endpoint then answers ``continue_on`` (checklist 38, 40)."""
    covered = scope_map.scopes_covered_by(grant)
    if disclosed is not None:
        covered |= {s for s, f in scope_map.SCOPE_FIELDS.items() if f <= disclosed}
    return not code_request.scopes <= covered


def marker(origin: str) -> str:
    """The redirect-less ``redirect_uri`` stored on a FedCM code."""
    return f"{REDIRECT_MARKER_PREFIX}{origin}"


def issue_code(
    request: HttpRequest,
    relying_party: RelyingParty,
    user: Any,
    *,
    code_request: CodeRequest,
    origin: str,
    nonce: str | None,
    fields: set[str] | list[str] = (),  # type: ignore[assignment]
) -> dict[str, Any]:
    """Record the grant (fields and scopes) and mint the code, atomically.

    Returns the id assertion answer ``{"token": code}``.
    """
    from oauth2_provider.models import get_grant_model

    code = secrets.token_urlsafe(32)
    expires = timezone.now() + timedelta(seconds=fedcm_settings.AUTHORIZATION_CODE_LIFETIME)
    with transaction.atomic():
        grants.record_grant(
            user,
            relying_party,
            fields=set(fields) | code_request.fields,
            scopes=code_request.scopes,
            request=request,
        )
        get_grant_model().objects.create(
            application=relying_party.application,
            user=user,
            code=code,
            expires=expires,
            redirect_uri=marker(origin),
            scope=code_request.scope,
            code_challenge=code_request.code_challenge,
            code_challenge_method="S256",
            nonce=nonce or "",
            claims="{}",
        )
    token: str | dict[str, str] = {"code": code} if relying_party.structured_tokens else code
    return {"token": token}


def issue_from_params(
    request: HttpRequest,
    relying_party: RelyingParty,
    user: Any,
    *,
    params: dict[str, Any],
    nonce: str | None,
    fields: set[str] | list[str],
    origin: str | None,
) -> dict[str, Any]:
    """The id assertion seam (:func:`django_fedcm.services.assertion.issue_assertion`):
    ``params`` were validated by the endpoint (or stored by it for the
    continuation page), so a parse error here is a programming error."""
    code_request = parse_code_request(params, relying_party, nonce)
    assert code_request is not None
    return issue_code(
        request,
        relying_party,
        user,
        code_request=code_request,
        origin=origin or "",
        nonce=nonce,
        fields=fields,
    )


def scope_labels(params: dict[str, Any] | None) -> list[str]:
    """Consent-page lines for requested OAuth scopes that release no FedCM
    field (``read``, ``api``...): their descriptions from DOT's ``SCOPES``.
    OIDC scopes are already shown as the fields they release."""
    if not is_code_request(params):
        return []
    assert params is not None
    scope = params.get("scope")
    if not isinstance(scope, str):
        return []
    from oauth2_provider.scopes import get_scopes_backend

    described = get_scopes_backend().get_all_scopes()
    return [
        str(described.get(name, name))
        for name in sorted(set(scope.split()))
        if name not in scope_map.SCOPE_FIELDS
    ]
