"""Django authentication backend for an RP: an IdP ID token → a local user.

Add ``"django_fedcm.rp.backends.IdTokenBackend"`` to
``AUTHENTICATION_BACKENDS``; the RP does not need ``django_fedcm`` in
``INSTALLED_APPS`` (no models are used). Settings: ``FEDCM_RP_ISSUER``,
``FEDCM_RP_CLIENT_ID`` (required), ``FEDCM_RP_JWKS_URI``,
``FEDCM_RP_CREATE_USERS``. Usage in the RP's view::

    user = authenticate(
        request, id_token=token, nonce=request.session.pop("fedcm_nonce", None)
    )
    if user is not None:
        login(request, user)

The nonce fails closed: ``None`` (no sign-in started in this session, or its
nonce already used) refuses the token; ``nonce=False`` skips the check
deliberately.

The local user is found by a username derived from ``iss`` and ``sub``
(:meth:`IdTokenBackend.get_username`): ``fedcm:<sub>@<issuer host[:port]>``. The colon
is outside Django's username validator alphabet, so nobody can register that
name through a normal sign-up form and take over the account. Override
:meth:`get_username` / :meth:`configure_user` to map differently.
"""

from __future__ import annotations

import hashlib
import logging
from functools import lru_cache
from typing import Any, Literal
from urllib.parse import urlsplit

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest

from django_fedcm.conf import fedcm_settings
from django_fedcm.rp.exceptions import TokenVerificationError
from django_fedcm.rp.verifier import IdTokenVerifier

__all__ = ["IdTokenBackend", "get_verifier"]

logger = logging.getLogger("django_fedcm.rp")

_USERNAME_MAX = 150


@lru_cache(maxsize=4)
def _verifier(issuer: str, client_id: str, jwks_uri: str | None) -> IdTokenVerifier:
    return IdTokenVerifier(issuer=issuer, client_id=client_id, jwks_uri=jwks_uri)


def get_verifier() -> IdTokenVerifier:
    """The verifier for the configured IdP, shared per process (it owns the JWKS cache)."""
    issuer, client_id = fedcm_settings.RP_ISSUER, fedcm_settings.RP_CLIENT_ID
    if not issuer or not client_id:
        raise ImproperlyConfigured(
            "Set FEDCM_RP_ISSUER and FEDCM_RP_CLIENT_ID to verify identity provider tokens."
        )
    return _verifier(issuer, client_id, fedcm_settings.RP_JWKS_URI)


class IdTokenBackend(ModelBackend):
    """Authenticates ``authenticate(request, id_token=..., nonce=...)`` calls.

    Returns ``None`` (so Django tries the next backend) for calls without
    ``id_token`` and for tokens that do not verify, including a missing
    ``nonce`` (pass ``nonce=False`` to skip that check); the reason is logged
    at INFO on ``django_fedcm.rp`` and kept on ``request.fedcm_token_error``.
    """

    def authenticate(  # type: ignore[override]
        self,
        request: HttpRequest | None,
        id_token: str | None = None,
        nonce: str | Literal[False] | None = None,
        **kwargs: Any,
    ) -> Any:
        if id_token is None:
            return None
        try:
            claims = get_verifier().verify(id_token, nonce=nonce)
        except TokenVerificationError as exc:
            logger.info("ID token refused: %s: %s", type(exc).__name__, exc)
            if request is not None:
                request.fedcm_token_error = exc  # type: ignore[attr-defined]
            return None
        user = self.get_or_create_user(claims)
        if user is None or not self.user_can_authenticate(user):
            return None
        return user

    def get_username(self, claims: dict[str, Any]) -> str:
        host = urlsplit(str(claims["iss"])).netloc
        username = f"fedcm:{claims['sub']}@{host}"
        if len(username) > _USERNAME_MAX:
            digest = hashlib.sha256(f"{claims['iss']}\0{claims['sub']}".encode()).hexdigest()
            username = f"fedcm:{digest}"
        return username

    def get_or_create_user(self, claims: dict[str, Any]) -> Any:
        if not isinstance(claims.get("sub"), str) or not claims["sub"]:
            return None
        user_model = get_user_model()
        lookup = {user_model.USERNAME_FIELD: self.get_username(claims)}
        try:
            return user_model._default_manager.get(**lookup)
        except user_model.DoesNotExist:
            if not fedcm_settings.RP_CREATE_USERS:
                return None
        user = user_model(**lookup)
        user.set_unusable_password()
        self.configure_user(user, claims)
        user.save()
        return user

    def configure_user(self, user: Any, claims: dict[str, Any]) -> None:
        """Copy profile claims onto a new user (only fields the model has)."""
        names = {field.name for field in user._meta.get_fields()}
        for field, claim in (
            ("email", "email"),
            ("first_name", "given_name"),
            ("last_name", "family_name"),
        ):
            value = claims.get(claim)
            if field in names and isinstance(value, str):
                setattr(user, field, value[: user._meta.get_field(field).max_length or None])
