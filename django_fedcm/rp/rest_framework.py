"""DRF authentication for an RP API: ``Authorization: Bearer <IdP ID token>``.

Add ``"django_fedcm.rp.rest_framework.IdTokenAuthentication"`` to
``DEFAULT_AUTHENTICATION_CLASSES`` (settings as for
:mod:`django_fedcm.rp.backends`). Needs Django REST framework
(``pip install "django-fedcm[api]"``). No ``nonce`` is checked here: the
nonce binds a token to the sign-in that requested it and is checked once, at
sign-in (``IdTokenBackend``); an API sees the token afterwards.
"""

from __future__ import annotations

from typing import Any

from rest_framework import authentication, exceptions
from rest_framework.request import Request

from django_fedcm.rp.backends import IdTokenBackend, get_verifier
from django_fedcm.rp.exceptions import TokenVerificationError

__all__ = ["IdTokenAuthentication"]


class IdTokenAuthentication(authentication.BaseAuthentication):
    """``(user, claims)`` for a valid bearer ID token; 401 with RFC 6750 error otherwise."""

    keyword = "Bearer"
    backend_class = IdTokenBackend

    def authenticate(self, request: Request) -> tuple[Any, dict[str, Any]] | None:
        parts = authentication.get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword.lower().encode():
            return None  # not ours: let other authentication classes try
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed("Malformed Bearer authorization header.")
        try:
            token = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed("Malformed Bearer token.") from None
        try:
            claims = get_verifier().verify(token)
        except TokenVerificationError as exc:
            raise exceptions.AuthenticationFailed(str(exc)) from None
        user = self.backend_class().get_or_create_user(claims)
        if user is None or not user.is_active:
            raise exceptions.AuthenticationFailed("No active local user for this token.")
        return user, claims

    def authenticate_header(self, request: Request) -> str:
        return f'{self.keyword} error="invalid_token"'
