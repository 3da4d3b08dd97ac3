"""Typed access to the flat ``FEDCM_*`` settings.

Every property reads ``django.conf.settings`` on each access, so
``override_settings`` just works. The defaults are declared once, in
:mod:`django_fedcm.defaults`. Only *derived* objects are cached elsewhere: the
adapter instance per dotted path, and the parsed key set, which
:mod:`django_fedcm.receivers` clears on Django's ``setting_changed`` signal.

Validation of these values happens in :mod:`django_fedcm.checks`, not here.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from django.conf import settings

from django_fedcm import defaults
from django_fedcm.defaults import ALGORITHMS

__all__ = ["ALGORITHMS", "CONFIG_NAME", "FedCMSettings", "fedcm_settings", "raw_setting"]


#: A ``FEDCM_CONFIGS`` name: one path segment of ``/fedcm/config/<name>.json``
#: (Django's ``slug`` path converter).
CONFIG_NAME = r"[-a-zA-Z0-9_]+"


def raw_setting(name: str) -> Any:
    """``FEDCM_<name>`` as written in the project's settings, else its default.

    Raw and unvalidated: the system checks use it to inspect what the project
    wrote; everything else reads the typed properties of :data:`fedcm_settings`.
    """
    return getattr(settings, f"FEDCM_{name}", getattr(defaults, name))


def _seconds(value: int | float | timedelta) -> int:
    if isinstance(value, timedelta):
        return int(value.total_seconds())
    return int(value)


class FedCMSettings:
    """One property per ``FEDCM_*`` setting; the defaults are in :mod:`django_fedcm.defaults`."""

    @property
    def ISSUER(self) -> str | None:
        """Absolute ``https://host[:port]`` the tokens name in ``iss``.

        ``None`` derives it from the request (development only; a deploy
        check warns).
        """
        value: str | None = raw_setting("ISSUER")
        return value.rstrip("/") if value else None

    @property
    def TOKEN_LIFETIME(self) -> int:
        """Seconds an ID token from the id assertion endpoint (and from the OAuth
        door, unless ``OAUTH2_PROVIDER["ID_TOKEN_EXPIRE_SECONDS"]`` is set) stays valid."""
        return _seconds(raw_setting("TOKEN_LIFETIME"))

    @property
    def KEY_ALGORITHM(self) -> str:
        """Default algorithm for ``fedcm_keys rotate``."""
        return str(raw_setting("KEY_ALGORITHM"))

    @property
    def KEY_GRACE_PERIOD(self) -> int:
        """Seconds a retired key stays published in the JWKS."""
        return _seconds(raw_setting("KEY_GRACE_PERIOD"))

    @property
    def KEY_CACHE_SECONDS(self) -> int:
        """Upper bound for how long a process keeps using its parsed key set.

        A rotation made by another process is picked up within this time.
        """
        return _seconds(raw_setting("KEY_CACHE_SECONDS"))

    @property
    def KEY_ENCRYPTION_SECRETS(self) -> list[str]:
        """Secrets that encrypt private keys at rest, newest first.

        Empty (the default) means ``[SECRET_KEY, *SECRET_KEY_FALLBACKS]``.
        """
        value = raw_setting("KEY_ENCRYPTION_SECRETS")
        if value:
            return [str(v) for v in value]
        return [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]

    @property
    def ADAPTER(self) -> str:
        """Dotted path of the adapter class (the one customization point)."""
        return str(raw_setting("ADAPTER"))

    @property
    def BRANDING(self) -> dict[str, Any] | None:
        """The config file's ``branding`` object (``background_color``, ``color``,
        ``icons`` = ``[{"url", "size"}]``, ``name``)."""
        value: dict[str, Any] | None = raw_setting("BRANDING")
        return value

    @property
    def SUPPORTS_USE_OTHER_ACCOUNT(self) -> bool:
        """Config ``supports_use_other_account`` (active mode "use another account")."""
        return bool(raw_setting("SUPPORTS_USE_OTHER_ACCOUNT"))

    @property
    def ACCOUNT_LABEL(self) -> str | None:
        """Config ``account_label``: show only accounts whose ``label_hints`` contain it."""
        value: str | None = raw_setting("ACCOUNT_LABEL")
        return value

    @property
    def CONFIGS(self) -> dict[str, dict[str, Any]]:
        """Extra config files by name (docs/settings.md, ``FEDCM_CONFIGS``); empty by default.

        Read raw like every setting: the system checks report a malformed
        value (``E062``), and an entry whose name is not a URL slug or whose
        value is not a dict is not served.
        """
        value = raw_setting("CONFIGS")
        if not isinstance(value, dict):
            return {}
        return {
            name: entry
            for name, entry in value.items()
            if isinstance(name, str) and re.fullmatch(CONFIG_NAME, name) and isinstance(entry, dict)
        }

    @property
    def LOGIN_URL(self) -> str | None:
        """Path of the ``login_url`` popup page; ``None`` uses the app's own page."""
        value: str | None = raw_setting("LOGIN_URL")
        return value

    @property
    def PARAMS_MAX_BYTES(self) -> int:
        """Largest ``params`` JSON the id assertion endpoint parses."""
        return int(raw_setting("PARAMS_MAX_BYTES"))

    @property
    def CONTINUATION_LIFETIME(self) -> int:
        """Seconds a ``continue_on`` consent state stays usable."""
        return _seconds(raw_setting("CONTINUATION_LIFETIME"))

    @property
    def WELL_KNOWN_ENABLED(self) -> bool:
        """Serve ``/.well-known/web-identity`` from this project."""
        return bool(raw_setting("WELL_KNOWN_ENABLED"))

    @property
    def DISCOVERY_MAX_AGE(self) -> int:
        """``Cache-Control: public, max-age`` seconds of the well-known and config files."""
        return _seconds(raw_setting("DISCOVERY_MAX_AGE"))

    @property
    def METRICS_ENABLED(self) -> bool:
        """Advertise ``metrics_endpoint`` in the config file and store the
        browser's sign-in reports. Only ``True`` turns it on (check E095)."""
        return raw_setting("METRICS_ENABLED") is True

    @property
    def IDP_REGISTRATION_ENABLED(self) -> bool:
        """Serve the IdP registration page and the config's ``types``. Only
        ``True`` turns it on."""
        return raw_setting("IDP_REGISTRATION_ENABLED") is True

    @property
    def IDP_REGISTRATION_TYPES(self) -> tuple[str, ...]:
        """The config file's ``types`` (strings only; anything else is left out)."""
        value = raw_setting("IDP_REGISTRATION_TYPES")
        if isinstance(value, str) or not isinstance(value, (list, tuple)):
            return ()
        return tuple(item for item in value if isinstance(item, str) and item)

    @property
    def LOGIN_STATUS_REASSERT(self) -> bool:
        """Re-send ``Set-Login: logged-in`` on authenticated HTML page responses."""
        return bool(raw_setting("LOGIN_STATUS_REASSERT"))

    # ------------------------------------------------ brute-force throttle (docs/security.md)

    @property
    def THROTTLE_ACCOUNT_FAILURES(self) -> int | None:
        """Failed sign-ins per account within ``THROTTLE_WINDOW`` before a lockout."""
        value = raw_setting("THROTTLE_ACCOUNT_FAILURES")
        return None if value is None else int(value)

    @property
    def THROTTLE_ADDRESS_FAILURES(self) -> int | None:
        """Failed sign-ins per client address within ``THROTTLE_WINDOW`` before a lockout."""
        value = raw_setting("THROTTLE_ADDRESS_FAILURES")
        return None if value is None else int(value)

    @property
    def THROTTLE_WINDOW(self) -> int:
        """Seconds over which failed sign-ins are counted."""
        return _seconds(raw_setting("THROTTLE_WINDOW"))

    @property
    def THROTTLE_LOCKOUT(self) -> int:
        """Seconds a locked-out account or address waits."""
        return _seconds(raw_setting("THROTTLE_LOCKOUT"))

    @property
    def THROTTLE_CLIENT_IP_HEADER(self) -> str | None:
        """Header the project's own proxy puts the client address in; ``None``
        reads ``REMOTE_ADDR``."""
        value: str | None = raw_setting("THROTTLE_CLIENT_IP_HEADER")
        return value or None

    # ------------------------------------------------ OAuth door / RP side (docs/rp-integration.md)

    @property
    def CACHE(self) -> str | None:
        """Alias in ``CACHES`` that every server process shares (Redis in
        production), or ``None``. See docs/deployment.md."""
        value: str | None = raw_setting("CACHE")
        return value or None

    @property
    def CACHE_SECONDS(self) -> int:
        """Longest time an entry stays in ``FEDCM_CACHE`` (writes invalidate at once)."""
        return _seconds(raw_setting("CACHE_SECONDS"))

    @property
    def AUTHORIZATION_CODE_LIFETIME(self) -> int:
        """Seconds an authorization code minted by the id assertion endpoint stays usable."""
        return _seconds(raw_setting("AUTHORIZATION_CODE_LIFETIME"))

    @property
    def RP_ISSUER(self) -> str | None:
        """RP side: the IdP issuer whose ID tokens the auth backend / DRF class accept."""
        value: str | None = raw_setting("RP_ISSUER")
        return value.rstrip("/") if value else None

    @property
    def RP_CLIENT_ID(self) -> str | None:
        """RP side: this relying party's client id (the tokens' required ``aud``)."""
        value: str | None = raw_setting("RP_CLIENT_ID")
        return value

    @property
    def RP_JWKS_URI(self) -> str | None:
        """RP side: the IdP's JWKS; ``None`` means ``<FEDCM_RP_ISSUER>/fedcm/jwks.json``."""
        value: str | None = raw_setting("RP_JWKS_URI")
        return value

    @property
    def RP_CREATE_USERS(self) -> bool:
        """RP side: create a local user on the first sign-in of an unknown ``sub``."""
        return bool(raw_setting("RP_CREATE_USERS"))


fedcm_settings = FedCMSettings()
