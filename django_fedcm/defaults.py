"""The default of every ``FEDCM_*`` setting, declared once.

Each name is the setting without its ``FEDCM_`` prefix, the same name as the
:class:`django_fedcm.conf.FedCMSettings` property that reads it. The
configuration checks (:mod:`django_fedcm.checks`) and the relying-party
verifier (:mod:`django_fedcm.rp`) read their defaults and allowed values here
instead of restating them. Standard library only: :mod:`django_fedcm.rp` must
stay usable outside a Django project. The settings are described in
docs/settings.md.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

__all__ = [
    "ACCOUNT_LABEL",
    "ADAPTER",
    "ALGORITHMS",
    "AUTHORIZATION_CODE_LIFETIME",
    "BRANDING",
    "CACHE",
    "CACHE_SECONDS",
    "CONFIGS",
    "CONTINUATION_LIFETIME",
    "DISCOVERY_MAX_AGE",
    "IDP_REGISTRATION_ENABLED",
    "IDP_REGISTRATION_TYPES",
    "ISSUER",
    "KEY_ALGORITHM",
    "KEY_CACHE_SECONDS",
    "KEY_ENCRYPTION_SECRETS",
    "KEY_GRACE_PERIOD",
    "LOGIN_STATUS_REASSERT",
    "LOGIN_URL",
    "METRICS_ENABLED",
    "PARAMS_MAX_BYTES",
    "RP_CLIENT_ID",
    "RP_CREATE_USERS",
    "RP_ISSUER",
    "RP_JWKS_CACHE_SECONDS",
    "RP_JWKS_MAX_BYTES",
    "RP_JWKS_MIN_REFETCH_INTERVAL",
    "RP_JWKS_TIMEOUT",
    "RP_JWKS_URI",
    "RP_LEEWAY",
    "SUPPORTS_USE_OTHER_ACCOUNT",
    "THROTTLE_ACCOUNT_FAILURES",
    "THROTTLE_ADDRESS_FAILURES",
    "THROTTLE_CLIENT_IP_HEADER",
    "THROTTLE_LOCKOUT",
    "THROTTLE_WINDOW",
    "TOKEN_LIFETIME",
    "WELL_KNOWN_ENABLED",
]

#: Algorithms ``fedcm_keys`` can create, and so the ones a relying party must
#: accept. RS256 first: every OIDC library has it.
ALGORITHMS: tuple[str, ...] = ("RS256", "ES256", "EdDSA")

# ------------------------------------------------------------------ identity provider settings

ISSUER: str | None = None
TOKEN_LIFETIME: int | float | timedelta = 300
KEY_ALGORITHM: str = ALGORITHMS[0]
KEY_GRACE_PERIOD: int | float | timedelta = timedelta(days=7)
KEY_CACHE_SECONDS: int | float | timedelta = 60
#: ``None`` means ``[SECRET_KEY, *SECRET_KEY_FALLBACKS]``.
KEY_ENCRYPTION_SECRETS: list[str] | None = None
ADAPTER: str = "django_fedcm.adapter.DefaultFedCMAdapter"
BRANDING: dict[str, Any] | None = None
SUPPORTS_USE_OTHER_ACCOUNT: bool = False
ACCOUNT_LABEL: str | None = None
#: Extra config files, name -> ``{"account_label", "branding", "supports_use_other_account"}``,
#: served at ``/fedcm/config/<name>.json``; ``None`` (or ``{}``) serves only the default one.
CONFIGS: dict[str, dict[str, Any]] | None = None
#: ``None`` means django-fedcm's own sign-in popup.
LOGIN_URL: str | None = None
PARAMS_MAX_BYTES: int = 4096
CONTINUATION_LIFETIME: int | float | timedelta = 600
WELL_KNOWN_ENABLED: bool = True
DISCOVERY_MAX_AGE: int | float | timedelta = 3600
LOGIN_STATUS_REASSERT: bool = True
AUTHORIZATION_CODE_LIFETIME: int | float | timedelta = 60
#: Alias in ``CACHES`` shared by every server process, or ``None`` (no cache:
#: the client registry is read from the database on each request).
CACHE: str | None = None
CACHE_SECONDS: int | float | timedelta = 300
#: Advertise ``metrics_endpoint`` and store the browser's sign-in reports
#: (Chrome behind the ``FedCmMetricsEndpoint`` feature; docs/endpoints.md).
METRICS_ENABLED: bool = False
#: Serve the page that registers this IdP with the browser and advertise the
#: registration ``types`` in the config file (Chrome behind the
#: ``FedCmIdPRegistration`` and ``FedCmLightweightMode`` features; docs/settings.md).
IDP_REGISTRATION_ENABLED: bool = False
#: The config file's ``types`` while registration is on: the RP asks for a
#: registered IdP of one of these types.
IDP_REGISTRATION_TYPES: tuple[str, ...] = ()

# ------------------------------- brute-force throttle (docs/security.md#brute-force-protection)

#: Failed sign-ins per account (or OAuth client id) within the window before a
#: lockout; ``None`` turns the per-account limit off.
THROTTLE_ACCOUNT_FAILURES: int | None = 10
#: Failed sign-ins per client address within the window; ``None`` turns it off.
THROTTLE_ADDRESS_FAILURES: int | None = 30
THROTTLE_WINDOW: int | float | timedelta = 900
THROTTLE_LOCKOUT: int | float | timedelta = 900
#: ``None`` means ``REMOTE_ADDR``; else the header the project's proxy sets.
THROTTLE_CLIENT_IP_HEADER: str | None = None

# ------------------------------------------------------------------ relying-party settings

RP_ISSUER: str | None = None
RP_CLIENT_ID: str | None = None
#: ``None`` means ``<FEDCM_RP_ISSUER>/fedcm/jwks.json``.
RP_JWKS_URI: str | None = None
RP_CREATE_USERS: bool = True

# ------------------------------------ relying-party verifier (keyword defaults, not settings)

#: Seconds of clock skew :class:`~django_fedcm.rp.IdTokenVerifier` tolerates on ``exp``/``iat``.
RP_LEEWAY: int = 30
#: Seconds :class:`~django_fedcm.rp.JWKSClient` reuses a fetched key set.
RP_JWKS_CACHE_SECONDS: float = 300
#: Fewest seconds between two JWKS fetches (unknown ``kid``, failed fetch).
RP_JWKS_MIN_REFETCH_INTERVAL: float = 30
#: Seconds one JWKS fetch may take in all: connect, TLS, redirects and the whole body.
RP_JWKS_TIMEOUT: float = 5
#: Largest JWKS document accepted (bytes): bounds memory for hostile input.
RP_JWKS_MAX_BYTES: int = 256 * 1024
