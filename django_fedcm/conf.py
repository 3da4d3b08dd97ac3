"""Typed access to the flat ``FEDCM_*`` settings.

Every property reads ``django.conf.settings`` on each access, so
``override_settings`` just works. Only *derived* objects (parsed keys, the
adapter instance) are cached elsewhere, and those caches are cleared on
Django's ``setting_changed`` signal (see :mod:`django_fedcm.apps`).

Validation of these values happens in :mod:`django_fedcm.checks`, not here.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings

#: Algorithms ``fedcm_keys`` can create. RS256 first: every OIDC library has it.
ALGORITHMS: tuple[str, ...] = ("RS256", "ES256", "EdDSA")


def _seconds(value: int | float | timedelta) -> int:
    if isinstance(value, timedelta):
        return int(value.total_seconds())
    return int(value)


class FedCMSettings:
    """One property per ``FEDCM_*`` setting; the default lives next to it."""

    @property
    def ISSUER(self) -> str | None:
        """Absolute ``https://host[:port]`` the tokens name in ``iss``.

        ``None`` derives it from the request (development only; a deploy
        check warns).
        """
        value: str | None = getattr(settings, "FEDCM_ISSUER", None)
        return value.rstrip("/") if value else None

    @property
    def TOKEN_LIFETIME(self) -> int:
        """Seconds an ID token from the id assertion endpoint stays valid."""
        return _seconds(getattr(settings, "FEDCM_TOKEN_LIFETIME", 300))

    @property
    def KEY_ALGORITHM(self) -> str:
        """Default algorithm for ``fedcm_keys rotate``."""
        return str(getattr(settings, "FEDCM_KEY_ALGORITHM", "RS256"))

    @property
    def KEY_GRACE_PERIOD(self) -> int:
        """Seconds a retired key stays published in the JWKS."""
        return _seconds(getattr(settings, "FEDCM_KEY_GRACE_PERIOD", timedelta(days=7)))

    @property
    def KEY_CACHE_SECONDS(self) -> int:
        """Upper bound for how long a process keeps using its parsed key set.

        A rotation made by another process is picked up within this time.
        """
        return _seconds(getattr(settings, "FEDCM_KEY_CACHE_SECONDS", 60))

    @property
    def KEY_ENCRYPTION_SECRETS(self) -> list[str]:
        """Secrets that encrypt private keys at rest, newest first.

        Empty (the default) means ``[SECRET_KEY, *SECRET_KEY_FALLBACKS]``.
        """
        value = getattr(settings, "FEDCM_KEY_ENCRYPTION_SECRETS", None)
        if value:
            return [str(v) for v in value]
        return [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]

    @property
    def ADAPTER(self) -> str:
        """Dotted path of the adapter class (the one customization point)."""
        return str(getattr(settings, "FEDCM_ADAPTER", "django_fedcm.adapter.DefaultFedCMAdapter"))

    @property
    def BRANDING(self) -> dict[str, Any] | None:
        """The config file's ``branding`` object (``background_color``, ``color``,
        ``icons`` = ``[{"url", "size"}]``, ``name``)."""
        value: dict[str, Any] | None = getattr(settings, "FEDCM_BRANDING", None)
        return value

    @property
    def SUPPORTS_USE_OTHER_ACCOUNT(self) -> bool:
        """Config ``supports_use_other_account`` (active mode "use another account")."""
        return bool(getattr(settings, "FEDCM_SUPPORTS_USE_OTHER_ACCOUNT", False))

    @property
    def ACCOUNT_LABEL(self) -> str | None:
        """Config ``account_label``: show only accounts whose ``label_hints`` contain it."""
        value: str | None = getattr(settings, "FEDCM_ACCOUNT_LABEL", None)
        return value

    @property
    def LOGIN_URL(self) -> str | None:
        """Path of the ``login_url`` popup page; ``None`` uses the app's own page."""
        value: str | None = getattr(settings, "FEDCM_LOGIN_URL", None)
        return value

    @property
    def PARAMS_MAX_BYTES(self) -> int:
        """Largest ``params`` JSON the id assertion endpoint parses."""
        return int(getattr(settings, "FEDCM_PARAMS_MAX_BYTES", 4096))

    @property
    def CONTINUATION_LIFETIME(self) -> int:
        """Seconds a ``continue_on`` consent state stays usable."""
        return _seconds(getattr(settings, "FEDCM_CONTINUATION_LIFETIME", 600))

    @property
    def WELL_KNOWN_ENABLED(self) -> bool:
        """Serve ``/.well-known/web-identity`` from this project."""
        return bool(getattr(settings, "FEDCM_WELL_KNOWN_ENABLED", True))

    @property
    def DISCOVERY_MAX_AGE(self) -> int:
        """``Cache-Control: public, max-age`` seconds of the well-known and config files."""
        return _seconds(getattr(settings, "FEDCM_DISCOVERY_MAX_AGE", 3600))

    @property
    def LOGIN_STATUS_REASSERT(self) -> bool:
        """Re-send ``Set-Login: logged-in`` on authenticated HTML page responses."""
        return bool(getattr(settings, "FEDCM_LOGIN_STATUS_REASSERT", True))

    # ------------------------------------------------ OAuth door / RP side (docs/rp-integration.md)

    @property
    def AUTHORIZATION_CODE_LIFETIME(self) -> int:
        """Seconds an authorization code minted by the id assertion endpoint stays usable."""
        return _seconds(getattr(settings, "FEDCM_AUTHORIZATION_CODE_LIFETIME", 60))

    @property
    def RP_ISSUER(self) -> str | None:
        """RP side: the IdP issuer whose ID tokens the auth backend / DRF class accept."""
        value: str | None = getattr(settings, "FEDCM_RP_ISSUER", None)
        return value.rstrip("/") if value else None

    @property
    def RP_CLIENT_ID(self) -> str | None:
        """RP side: this relying party's client id (the tokens' required ``aud``)."""
        value: str | None = getattr(settings, "FEDCM_RP_CLIENT_ID", None)
        return value

    @property
    def RP_JWKS_URI(self) -> str | None:
        """RP side: the IdP's JWKS; ``None`` means ``<FEDCM_RP_ISSUER>/fedcm/jwks.json``."""
        value: str | None = getattr(settings, "FEDCM_RP_JWKS_URI", None)
        return value

    @property
    def RP_CREATE_USERS(self) -> bool:
        """RP side: create a local user on the first sign-in of an unknown ``sub``."""
        return bool(getattr(settings, "FEDCM_RP_CREATE_USERS", True))


fedcm_settings = FedCMSettings()
