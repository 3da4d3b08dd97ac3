"""DRF authentication for an RP API: ``Authorization: Bearer <IdP ID token>``.

Add ``"django_fedcm.rp.rest_framework.IdTokenAuthentication"`` to
``DEFAULT_AUTHENTICATION_CLASSES`` (settings as for
:mod:`django_fedcm.rp.backends`). Needs Django REST framework
(``pip install "django-fedcm[api]"``). It belongs on the view that starts the
RP's session (docs/rp-integration.md), so it checks the token's ``nonce``
against the one the page's sign-in attempt kept in the session, single use,
and fails closed without one; ``check_nonce = False`` on a subclass opts out.
"""

from __future__ import annotations

from typing import Any, Literal

from rest_framework import authentication, exceptions
from rest_framework.request import Request

from django_fedcm.rp.backends import IdTokenBackend, get_verifier
from django_fedcm.rp.exceptions import TokenVerificationError

__all__ = ["IdTokenAuthentication"]


class IdTokenAuthentication(authentication.BaseAuthentication):
    """``(user, claims)`` for a valid bearer ID token; 401 with RFC 6750 error otherwise."""

    keyword = "Bearer"
    backend_class = IdTokenBackend
    #: Session key of the nonce the RP's page sent with this sign-in attempt.
    nonce_session_key = "fedcm_nonce"
    #: ``False`` accepts tokens without binding them to a sign-in attempt:
    #: a captured token then authenticates anywhere until it expires.
    check_nonce = True

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
            claims = get_verifier().verify(token, nonce=self.get_nonce(request))
        except TokenVerificationError as exc:
            raise exceptions.AuthenticationFailed(str(exc)) from None
        user = self.backend_class().get_or_create_user(claims)
        if user is None or not user.is_active:
            raise exceptions.AuthenticationFailed("No active local user for this token.")
        return user, claims

    def get_nonce(self, request: Request) -> str | Literal[False] | None:
        """The nonce the token must carry, popped from the session so the same
        token cannot start a second session. Override to keep nonces elsewhere."""
        if not self.check_nonce:
            return False
        session = getattr(request, "session", None)
        if session is None:
            return None  # refused by the verifier: no sign-in attempt to bind to
        nonce: str | None = session.pop(self.nonce_session_key, None)
        return nonce

    def authenticate_header(self, request: Request) -> str:
        return f'{self.keyword} error="invalid_token"'
