"""DOT's ``OAuth2Validator`` made to speak for the same identity as FedCM.

Set ``OAUTH2_PROVIDER["OAUTH2_VALIDATOR_CLASS"] =
"django_fedcm.oauth.validators.FedCMOAuth2Validator"``. Then, for DOT's
authorization-code flow (and its userinfo endpoint):

* ID tokens are signed with the active ``fedcm_keys`` key (``kid`` header),
  not ``OIDC_RSA_PRIVATE_KEY``: rotating with ``fedcm_keys rotate`` rotates
  both doors, and ``/fedcm/jwks.json`` verifies tokens from both.
* ID tokens live ``FEDCM_TOKEN_LIFETIME``, as FedCM tokens do, unless the
  project sets DOT's own ``OAUTH2_PROVIDER["ID_TOKEN_EXPIRE_SECONDS"]``
  (DOT's default is 10 hours).
* ``iss`` is the FedCM issuer (``FEDCM_ISSUER``), ``sub`` is
  ``adapter.get_account_id(user)`` and the user claims come from
  ``adapter.get_claims()`` for the fields the granted scopes release
  (:mod:`django_fedcm.services.scopes`): a token from either door carries the
  same claims for the same user and client.
* Approving a client (consent form, or a skipped consent) records a FedCM
  :class:`~django_fedcm.models.Grant`, so the client shows up in the accounts
  endpoint's ``approved_clients``.
* Authorization codes minted by the id assertion endpoint
  (:mod:`django_fedcm.services.oauth_codes`) have no redirect URI; the token
  request omits ``redirect_uri`` and the code's FedCM marker stands in.
* A code presented twice revokes the tokens issued from it, refreshed ones
  included (RFC 6749 §4.1.2), and a ``redirect_uri`` that differs from the
  code's is ``invalid_grant`` (RFC 6749 §5.2).
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db import router, transaction
from django.http import HttpRequest
from django.utils import dateformat, timezone
from jwcrypto import jwk, jwt
from oauth2_provider.models import get_grant_model, get_id_token_model, get_refresh_token_model
from oauth2_provider.oauth2_validators import OAuth2Validator
from oauthlib.oauth2.rfc6749 import errors

from django_fedcm.adapter import RECOGNISED_FIELDS, get_adapter
from django_fedcm.conf import fedcm_settings
from django_fedcm.oauth import capabilities
from django_fedcm.oauth.throttle import ClientThrottleMixin
from django_fedcm.services import discovery, grants, keys
from django_fedcm.services import scopes as scope_map
from django_fedcm.services.oauth_codes import REDIRECT_MARKER_PREFIX

__all__ = [
    "SUPPORTED_CLAIMS",
    "FedCMOAuth2Validator",
    "SigningKeyUnavailable",
    "code_family",
    "relying_party_of",
]

#: Claims the ID token carries; advertised in discovery (``claims_supported``).
SUPPORTED_CLAIMS = [
    "sub",
    "name",
    "given_name",
    "family_name",
    "email",
    "email_verified",
    "preferred_username",
    "picture",
]


#: Namespace of the refresh-token families derived from authorization codes.
_CODE_FAMILY_NAMESPACE = uuid.UUID("0c5f2a52-3c1e-4a4e-9f0e-6d1f1b7e2a90")


def code_family(code: str) -> uuid.UUID:
    """The refresh-token family (DOT's ``RefreshToken.token_family``) of the
    tokens issued from ``code``. Derived from the code itself, so a replay
    finds them after DOT has deleted the used code; refreshes keep the family."""
    return uuid.uuid5(_CODE_FAMILY_NAMESPACE, code)


def relying_party_of(application: Any) -> Any:
    """The application's FedCM registration, or ``None`` for a DOT-only client."""
    from django_fedcm.models import RelyingParty

    try:
        return application.fedcm
    except (RelyingParty.DoesNotExist, AttributeError):
        return None


class SigningKeyUnavailable(errors.TemporarilyUnavailableError):  # type: ignore[misc]
    """503 ``temporarily_unavailable`` from the token endpoint: no active key."""

    status_code = 503
    description = "No active signing key: run `manage.py fedcm_keys rotate`."


def _require_signing_key(request: Any, scopes: Any) -> None:
    """Refuse *before* a code or refresh token is used up when the ID token
    could not be signed (instead of a 500 halfway through issuing)."""
    if "openid" not in scope_map.split(scopes):
        return
    try:
        keys.signing_key()
    except keys.NoActiveKey:
        raise SigningKeyUnavailable(request=request) from None


# ClientThrottleMixin: failed client authentication is throttled like sign-ins
# (docs/security.md#brute-force-protection).
class FedCMOAuth2Validator(ClientThrottleMixin, OAuth2Validator):  # type: ignore[misc]
    # We filter claims by scope ourselves (scopes → fields → adapter claims).
    oidc_claim_scope = None

    # ---------------------------------------------------------------- disabled clients

    def _load_application(self, client_id: str, request: Any) -> Any:
        """A relying party disabled in the admin or the API gets nothing from
        the OAuth door either: every DOT issuance path (authorize, code and
        refresh exchange, client authentication) loads the client here."""
        application = super()._load_application(client_id, request)
        if application is not None:
            relying_party = relying_party_of(application)
            if relying_party is not None and not relying_party.enabled:
                request.client = None
                return None
        return application

    # ---------------------------------------------------------------- issuer and keys

    def get_oidc_issuer_endpoint(self, request: Any) -> str:
        """The FedCM issuer; without ``FEDCM_ISSUER``, the request's origin
        (the same fallback the FedCM door uses, django_fedcm.services.assertion.issuer)."""
        if fedcm_settings.ISSUER:
            return fedcm_settings.ISSUER
        # oauthlib's request carries the Django request's META as headers
        # (DOT's OAuthLibCore.extract_headers), plus a marker for HTTPS.
        headers = dict(getattr(request, "headers", None) or {})
        http_request = HttpRequest()
        http_request.META = headers
        secure = bool(headers.get("X_DJANGO_OAUTH_TOOLKIT_SECURE"))
        http_request._get_scheme = lambda: "https" if secure else "http"  # type: ignore[attr-defined]
        return discovery.base_origin(http_request)

    def get_id_token_dictionary(
        self, token: Any, token_handler: Any, request: Any
    ) -> tuple[dict[str, Any], datetime]:
        claims, expiration_time = super().get_id_token_dictionary(token, token_handler, request)
        # An ID token proves a sign-in that just happened; the RP reads it at
        # once (docs/oauth-and-fedcm.md "Token lifetimes"). DOT's 10-hour
        # default would outlive the FedCM door's tokens 120 times over.
        if "ID_TOKEN_EXPIRE_SECONDS" not in getattr(settings, "OAUTH2_PROVIDER", {}):
            expiration_time = timezone.now() + timedelta(seconds=fedcm_settings.TOKEN_LIFETIME)
            claims["exp"] = int(dateformat.format(expiration_time, "U"))
        return claims, expiration_time

    def finalize_id_token(
        self, id_token: dict[str, Any], token: Any, token_handler: Any, request: Any
    ) -> str:
        claims, expiration_time = self.get_id_token_dictionary(token, token_handler, request)
        id_token.update(**claims)
        # oauthlib #746: the nonce is not always copied from the code.
        if "nonce" not in id_token and request.nonce:
            id_token["nonce"] = request.nonce
        key = keys.signing_key()
        header = {"typ": "JWT", "alg": key.algorithm, "kid": key.kid}
        signed = jwt.JWT(header=header, claims=json.dumps(id_token, default=str))
        signed.make_signed_token(key.jwk)
        id_token_model = get_id_token_model()
        with transaction.atomic(using=router.db_for_write(id_token_model)):
            saved = self._save_id_token(id_token["jti"], request, expiration_time)
        # DRF and DOT's own code read these back.
        request.access_token = saved
        request.id_token = saved
        return str(signed.serialize())

    def _get_key_for_token(self, token: str) -> jwk.JWKSet:
        """Verify ID tokens DOT receives back (``id_token_hint``, ID tokens as
        bearer tokens) against the published key set, not the application key."""
        return jwk.JWKSet.from_json(json.dumps(keys.jwks()))

    def validate_response_type(
        self,
        client_id: str,
        response_type: str,
        client: Any,
        request: Any,
        *args: Any,
        **kwargs: Any,
    ) -> bool:
        """Only ``code``, as discovery says: a client registered for the
        implicit or hybrid flow gets no token in the front channel either.
        oauthlib asks this after the redirect URI is validated, so the error
        goes back to the client (RFC 6749 §4.1.2.1)."""
        if response_type not in capabilities.RESPONSE_TYPES:
            raise errors.UnsupportedResponseTypeError(request=request)
        return bool(
            super().validate_response_type(
                client_id, response_type, client, request, *args, **kwargs
            )
        )

    def is_pkce_required(self, client_id: str, request: Any) -> bool:
        """Also refuse PKCE ``plain`` (oauthlib's default when the method is
        omitted): discovery advertises ``S256`` only, and the FedCM door
        accepts nothing else (RFC 9700 §2.1.1). oauthlib asks this after the
        redirect URI is validated, so the error goes back to the client."""
        method = getattr(request, "code_challenge_method", None) or "plain"
        if getattr(request, "code_challenge", None) is not None and method != "S256":
            raise errors.UnsupportedCodeChallengeMethodError(request=request)
        return bool(super().is_pkce_required(client_id, request))

    def validate_code(
        self, client_id: str, code: str, client: Any, request: Any, *args: Any, **kwargs: Any
    ) -> bool:
        valid = bool(super().validate_code(client_id, code, client, request, *args, **kwargs))
        if valid:
            _require_signing_key(request, request.scopes)
        else:
            # RFC 6749 §4.1.2: a code used more than once is refused and the
            # tokens issued from it revoked (the first exchange may have been
            # an attacker's). An unknown or expired code has no family: no-op.
            get_refresh_token_model().revoke_family(code_family(code))
        return valid

    def confirm_redirect_uri(
        self,
        client_id: str,
        code: str,
        redirect_uri: str,
        client: Any,
        request: Any,
        *args: Any,
        **kwargs: Any,
    ) -> bool:
        """A ``redirect_uri`` other than the one the code was issued for is
        ``invalid_grant`` (RFC 6749 §5.2), not oauthlib's ``invalid_request``."""
        if not super().confirm_redirect_uri(
            client_id, code, redirect_uri, client, request, *args, **kwargs
        ):
            raise errors.InvalidGrantError(description="Mismatching redirect URI.", request=request)
        return True

    def _create_refresh_token(
        self, request: Any, refresh_token_code: str, access_token: Any, previous_refresh_token: Any
    ) -> Any:
        """A code's first refresh token gets the code's family (:func:`code_family`)."""
        refresh_token = super()._create_refresh_token(
            request, refresh_token_code, access_token, previous_refresh_token
        )
        if previous_refresh_token is None and request.grant_type == "authorization_code":
            refresh_token.token_family = code_family(request.code)
            type(refresh_token).objects.filter(pk=refresh_token.pk).update(
                token_family=refresh_token.token_family
            )
        return refresh_token

    def validate_refresh_token(
        self, refresh_token: str, client: Any, request: Any, *args: Any, **kwargs: Any
    ) -> bool:
        valid = bool(
            super().validate_refresh_token(refresh_token, client, request, *args, **kwargs)
        )
        if valid:
            scopes = request.scopes or self.get_original_scopes(refresh_token, request)
            _require_signing_key(request, scopes)
        return valid

    # ---------------------------------------------------------------- claims

    def get_discovery_claims(self, request: Any) -> list[str]:
        return list(SUPPORTED_CLAIMS)

    def get_oidc_claims(self, token: Any, token_handler: Any, request: Any) -> dict[str, Any]:
        """``sub`` plus the adapter's claims for the fields the scopes release
        (the same call the FedCM door makes, django_fedcm.services.assertion)."""
        user = request.user
        adapter = get_adapter()
        fields = scope_map.fields_for_scopes(request.scopes or ()) & set(RECOGNISED_FIELDS)
        claims: dict[str, Any] = {"sub": adapter.get_account_id(user)}
        user_claims = adapter.get_claims(
            self._http_request(request), user, relying_party_of(request.client), fields
        )
        claims.update((k, v) for k, v in user_claims.items() if k not in claims)
        return claims

    def _http_request(self, request: Any) -> HttpRequest:
        """A Django request the adapter can build absolute URLs with (pictures):
        the issuer's origin, whatever host the token endpoint was reached on."""
        issuer = urlsplit(self.get_oidc_issuer_endpoint(request))
        http_request = HttpRequest()
        http_request.META = {
            "SERVER_NAME": issuer.hostname or "localhost",
            "SERVER_PORT": str(issuer.port or (443 if issuer.scheme == "https" else 80)),
            "HTTP_HOST": issuer.netloc,
        }
        http_request._get_scheme = lambda: issuer.scheme  # type: ignore[attr-defined]
        # The host is our own configuration, not a client header: skip the
        # ALLOWED_HOSTS check (a DisallowedHost here would be a 500).
        http_request.get_host = lambda: issuer.netloc  # type: ignore[method-assign]
        return http_request

    # ---------------------------------------------------------------- grants (approved_clients)

    def save_authorization_code(
        self, client_id: str, code: dict[str, Any], request: Any, *args: Any, **kwargs: Any
    ) -> None:
        """DOT stores the code; the approval also becomes a FedCM grant."""
        with transaction.atomic():
            super().save_authorization_code(client_id, code, request, *args, **kwargs)
            relying_party = relying_party_of(request.client)
            if relying_party is not None and request.user is not None:
                granted = scope_map.split(request.scopes)
                grants.record_grant(
                    request.user,
                    relying_party,
                    fields=scope_map.fields_for_scopes(granted),
                    scopes=granted,
                )

    # ---------------------------------------------------------------- FedCM-minted codes

    def get_default_redirect_uri(
        self, client_id: str, request: Any, *args: Any, **kwargs: Any
    ) -> Any:
        """A token request for a code minted by the id assertion endpoint has no
        ``redirect_uri`` (there was no redirect): use the code's FedCM marker,
        which DOT then compares with the one stored on the code."""
        code = getattr(request, "code", None)
        if code and getattr(request, "grant_type", None) == "authorization_code":
            stored = (
                get_grant_model()
                .objects.filter(code=code, redirect_uri__startswith=REDIRECT_MARKER_PREFIX)
                .values_list("redirect_uri", flat=True)
                .first()
            )
            if stored:
                return stored
        return super().get_default_redirect_uri(client_id, request, *args, **kwargs)
