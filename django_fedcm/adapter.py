"""The one customization point: subclass :class:`DefaultFedCMAdapter` and name
it in ``FEDCM_ADAPTER``. See docs/customization.md.

Every method receives the request so adapters can consult anything; none of
them may depend on the RP in :meth:`get_account` (the accounts endpoint must
be RP-agnostic, checklist 17).
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Any

from django.utils.module_loading import import_string

from django_fedcm.conf import fedcm_settings

if TYPE_CHECKING:
    from django.http import HttpRequest

    from django_fedcm.models import AccountProfile, Grant, RelyingParty

__all__ = ["RECOGNISED_FIELDS", "DefaultFedCMAdapter", "get_adapter"]

#: Fields the browser can disclose (``fields`` / ``disclosure_shown_for``).
RECOGNISED_FIELDS = ("name", "email", "tel", "username", "picture")


class DefaultFedCMAdapter:
    """Default policy: active users only, ``sub`` = primary key, OIDC claims,
    consent asked through ``continue_on`` when the browser did not disclose
    everything the token will carry."""

    # ---------------------------------------------------------------- identity

    def get_account_id(self, user: Any) -> str:
        """Stable account identifier; also the token's ``sub``."""
        return str(user.pk)

    def is_account_enabled(self, request: HttpRequest, user: Any) -> bool:
        """May this user appear in the accounts endpoint at all?"""
        return bool(user.is_active)

    def can_sign_in(self, request: HttpRequest, user: Any, relying_party: RelyingParty) -> bool:
        """May this user get a token for this client? (``access_denied`` if not)."""
        return bool(user.is_active)

    # ---------------------------------------------------------------- accounts endpoint

    def get_account(
        self,
        request: HttpRequest,
        user: Any,
        profile: AccountProfile,
        approved_clients: list[str],
    ) -> dict[str, Any]:
        """One entry of the accounts endpoint (spec ``IdentityProviderAccount``)."""
        name = user.get_full_name() or user.get_username()
        account: dict[str, Any] = {
            "id": self.get_account_id(user),
            "name": name,
            "username": user.get_username(),
            "approved_clients": approved_clients,
            "login_hints": list(profile.login_hints),
            "domain_hints": list(profile.domain_hints),
            "label_hints": list(profile.label_hints),
        }
        given_name = getattr(user, "first_name", "")
        if given_name:
            account["given_name"] = given_name
        email = getattr(user, "email", "")
        if email:
            account["email"] = email
        picture = self.get_picture_url(request, user, profile)
        if picture:
            account["picture"] = picture
        return account

    def get_picture_url(
        self, request: HttpRequest, user: Any, profile: AccountProfile
    ) -> str | None:
        """Absolute URL of the account picture (served by the ``picture`` view)."""
        if not profile.picture:
            return None
        from django.urls import reverse

        return request.build_absolute_uri(
            reverse("django_fedcm:picture", args=[self.get_account_id(user)])
        )

    # ---------------------------------------------------------------- tokens and consent

    def get_claims(
        self, request: HttpRequest, user: Any, relying_party: RelyingParty, fields: set[str]
    ) -> dict[str, Any]:
        """User claims for the token, limited to the disclosed/consented ``fields``.

        Registered claims (iss, sub, aud, nonce, iat, exp, auth_time) are added
        by :mod:`django_fedcm.services.tokens`; do not return them here.
        """
        claims: dict[str, Any] = {}
        if "name" in fields:
            full = user.get_full_name()
            if full:
                claims["name"] = full
            if getattr(user, "first_name", ""):
                claims["given_name"] = user.first_name
            if getattr(user, "last_name", ""):
                claims["family_name"] = user.last_name
        email: str = getattr(user, "email", "") or ""
        if "email" in fields and email:
            claims["email"] = email
            claims["email_verified"] = False
        if "username" in fields:
            claims["preferred_username"] = user.get_username()
        if "picture" in fields:
            from django_fedcm.services.profiles import get_profile

            picture = self.get_picture_url(request, user, get_profile(user))
            if picture:
                claims["picture"] = picture
        return claims

    def get_token_fields(
        self, request: HttpRequest, relying_party: RelyingParty, requested: set[str] | None
    ) -> set[str]:
        """Which fields the token will carry. ``requested`` is the ``fields``
        form value (``None`` when absent: Chrome's default name, email, picture)."""
        if requested is None:
            return {"name", "email", "picture"}
        return {f for f in requested if f in RECOGNISED_FIELDS}

    def needs_consent(
        self,
        request: HttpRequest,
        user: Any,
        relying_party: RelyingParty,
        grant: Grant | None,
        token_fields: set[str],
        disclosed: set[str] | None,
    ) -> bool:
        """True → answer ``continue_on`` (IdP consent page) instead of a token.

        ``disclosed`` is ``disclosure_shown_for`` (``None`` when the browser
        showed no disclosure). A returning user who already granted at least
        ``token_fields`` needs no consent.
        """
        if grant is not None and token_fields <= set(grant.disclosed_fields):
            return False
        if disclosed is None:
            return True
        return not token_fields <= disclosed


@lru_cache(maxsize=4)
def _load(path: str) -> DefaultFedCMAdapter:
    cls = import_string(path)
    instance: DefaultFedCMAdapter = cls()
    return instance


def get_adapter() -> DefaultFedCMAdapter:
    """The configured adapter instance (cached per dotted path)."""
    return _load(fedcm_settings.ADAPTER)
