"""System checks (ids ``django_fedcm.E0NN`` / ``W0NN``). See docs/checks.md.

Settings are validated here, never at read time (:mod:`django_fedcm.conf`
reads them raw). Each check reads ``django.conf.settings`` directly and
tolerates any type, so a typo produces a message, not a crash.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from django.apps import apps
from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, Warning, register
from django.db import DatabaseError
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import LocalePrefixPattern
from django.utils.module_loading import import_string

from django_fedcm.conf import ALGORITHMS
from django_fedcm.internal.origins import normalize_origin

Messages = list[CheckMessage]

_ID = "django_fedcm.{}"

#: Apps the package relies on (OAuth registrations, CORS on the credentialed
#: endpoints, the management API).
REQUIRED_APPS = ("oauth2_provider", "corsheaders", "rest_framework")

SESSION_MIDDLEWARE = "django.contrib.sessions.middleware.SessionMiddleware"
AUTHENTICATION_MIDDLEWARE = "django.contrib.auth.middleware.AuthenticationMiddleware"
CORS_MIDDLEWARE = "corsheaders.middleware.CorsMiddleware"
COMMON_MIDDLEWARE = "django.middleware.common.CommonMiddleware"
LOGIN_STATUS_MIDDLEWARE = "django_fedcm.middleware.LoginStatusMiddleware"

#: Durations accepted as seconds (int/float) or ``timedelta``.
DURATION_SETTINGS = {
    "FEDCM_TOKEN_LIFETIME": 300,
    "FEDCM_KEY_GRACE_PERIOD": 7 * 24 * 3600,
    "FEDCM_KEY_CACHE_SECONDS": 60,
    "FEDCM_CONTINUATION_LIFETIME": 600,
}


def _error(number: str, msg: str, hint: str, obj: Any = None) -> Error:
    return Error(msg, hint=hint, obj=obj, id=_ID.format(number))


def _warning(number: str, msg: str, hint: str, obj: Any = None) -> Warning:
    return Warning(msg, hint=hint, obj=obj, id=_ID.format(number))


# --------------------------------------------------------------------------- session cookie


@register(Tags.security)
def check_session_cookie(**kwargs: Any) -> Messages:
    """FEDCM-IDP-SPEC §3.1 item 9 / checklist 59: Chrome 125+ sends only
    ``SameSite=None`` cookies on the cross-site accounts, assertion and
    disconnect fetches, and browsers reject ``SameSite=None`` without
    ``Secure``. Chrome accepts ``Secure`` cookies on http://localhost, so both
    hold in development too."""
    errors: Messages = []
    if getattr(settings, "SESSION_COOKIE_SAMESITE", "Lax") != "None":
        errors.append(
            _error(
                "E001",
                "SESSION_COOKIE_SAMESITE is not 'None': the browser will not send the session "
                "cookie on FedCM's cross-site fetches, so every user looks signed out.",
                'Set SESSION_COOKIE_SAMESITE = "None" (the string, not None).',
            )
        )
    if not getattr(settings, "SESSION_COOKIE_SECURE", False):
        errors.append(
            _error(
                "E002",
                "SESSION_COOKIE_SECURE is False: browsers reject SameSite=None cookies "
                "that are not Secure.",
                "Set SESSION_COOKIE_SECURE = True (Chrome allows Secure cookies on "
                "http://localhost during development).",
            )
        )
    return errors


# --------------------------------------------------------------------------- apps and middleware


@register()
def check_installed_apps(**kwargs: Any) -> Messages:
    missing = [name for name in REQUIRED_APPS if not apps.is_installed(name)]
    if not missing:
        return []
    return [
        _error(
            "E003",
            f"django_fedcm needs these apps in INSTALLED_APPS: {', '.join(missing)}.",
            f"Add {', '.join(repr(m) for m in missing)} to INSTALLED_APPS.",
        )
    ]


def _middleware_positions(path: str) -> list[int]:
    """Indexes of ``MIDDLEWARE`` entries that are ``path`` or a subclass of it."""
    try:
        target = import_string(path)
    except ImportError:  # the package itself is missing: E003 reports it
        return []
    positions = []
    for index, entry in enumerate(getattr(settings, "MIDDLEWARE", None) or []):
        if entry == path:
            positions.append(index)
            continue
        try:
            candidate = import_string(entry)
        except ImportError:  # Django reports unimportable middleware itself
            continue
        if isinstance(candidate, type) and issubclass(candidate, target):
            positions.append(index)
    return positions


@register()
def check_middleware(**kwargs: Any) -> Messages:
    errors: Messages = []
    session = _middleware_positions(SESSION_MIDDLEWARE)
    auth = _middleware_positions(AUTHENTICATION_MIDDLEWARE)
    cors = _middleware_positions(CORS_MIDDLEWARE)
    common = _middleware_positions(COMMON_MIDDLEWARE)
    login_status = _middleware_positions(LOGIN_STATUS_MIDDLEWARE)
    if not session:
        errors.append(
            _error(
                "E010",
                "SessionMiddleware is not in MIDDLEWARE: FedCM endpoints find the signed-in "
                "accounts through the session.",
                f"Add {SESSION_MIDDLEWARE!r} to MIDDLEWARE.",
            )
        )
    if not auth or (session and auth[0] < session[0]):
        errors.append(
            _error(
                "E011",
                "AuthenticationMiddleware is missing or placed before SessionMiddleware.",
                f"Add {AUTHENTICATION_MIDDLEWARE!r} to MIDDLEWARE after SessionMiddleware.",
            )
        )
    if not cors or (common and cors[0] > common[0]):
        errors.append(
            _error(
                "E012",
                "corsheaders' CorsMiddleware is missing or placed after CommonMiddleware: "
                "CORS headers must be added before CommonMiddleware can answer (e.g. with a "
                "redirect) without them.",
                f"Put {CORS_MIDDLEWARE!r} in MIDDLEWARE, above {COMMON_MIDDLEWARE!r}.",
            )
        )
    if not login_status or (auth and login_status[0] < auth[0]):
        errors.append(
            _error(
                "E013",
                "LoginStatusMiddleware is missing or placed before AuthenticationMiddleware: "
                "the browser would never learn that users signed in (Set-Login header), and "
                "FedCM would not show the account chooser.",
                f"Add {LOGIN_STATUS_MIDDLEWARE!r} to MIDDLEWARE after AuthenticationMiddleware.",
            )
        )
    return errors


# --------------------------------------------------------------------------- CORS


@register(Tags.security)
def check_cors(**kwargs: Any) -> Messages:
    """FEDCM-IDP-SPEC §3.1 item 8: the assertion and disconnect responses need
    ``Access-Control-Allow-Credentials: true`` and an exact origin, never ``*``."""
    messages: Messages = []
    if getattr(settings, "CORS_ALLOW_CREDENTIALS", False) is not True:
        messages.append(
            _error(
                "E020",
                "CORS_ALLOW_CREDENTIALS is not True: the browser discards FedCM's id "
                "assertion and disconnect responses without Access-Control-Allow-Credentials.",
                "Set CORS_ALLOW_CREDENTIALS = True.",
            )
        )
    allow_all = getattr(settings, "CORS_ALLOW_ALL_ORIGINS", None)
    if allow_all is None:  # django-cors-headers' pre-3.5 name is still honoured
        allow_all = getattr(settings, "CORS_ORIGIN_ALLOW_ALL", False)
    if allow_all:
        messages.append(
            _warning(
                "W021",
                "CORS_ALLOW_ALL_ORIGINS is True: with credentials allowed, any website can "
                "read your users' responses from every URL matched by CORS_URLS_REGEX.",
                "Remove CORS_ALLOW_ALL_ORIGINS and list CORS_ALLOWED_ORIGINS (or narrow "
                "CORS_URLS_REGEX); django_fedcm answers CORS on its own endpoints for the "
                "registered relying-party origins.",
            )
        )
    return messages


# --------------------------------------------------------------------------- signing keys


@register()
def check_signing_keys(**kwargs: Any) -> Messages:
    """Warnings only: a fresh project must run ``migrate`` and then
    ``fedcm_keys rotate``, and both commands run these checks first."""
    from django_fedcm.models import SigningKey
    from django_fedcm.services.crypto import KeyDecryptionError, decrypt

    try:
        active = (
            SigningKey.objects.filter(state=SigningKey.State.ACTIVE)
            .only("kid", "private_key_encrypted")
            .first()
        )
    except DatabaseError:  # not migrated yet, or no database at all
        return [
            _warning(
                "W032",
                "Could not look for an active FedCM signing key (database not reachable or "
                "not migrated).",
                "Run `manage.py migrate`, then `manage.py fedcm_keys rotate`.",
            )
        ]
    if active is None:
        return [
            _warning(
                "W030",
                "There is no active FedCM signing key: the id assertion endpoint cannot "
                "issue tokens.",
                "Run `manage.py fedcm_keys rotate`.",
            )
        ]
    try:
        decrypt(active.private_key_encrypted)
    except KeyDecryptionError:
        return [
            _warning(
                "W031",
                f"The active signing key {active.kid} cannot be decrypted with the current "
                "secrets: the id assertion endpoint will fail.",
                "Put the previous SECRET_KEY in SECRET_KEY_FALLBACKS (or back in "
                "FEDCM_KEY_ENCRYPTION_SECRETS) and run `manage.py fedcm_keys reencrypt`; "
                "if it is lost, run `manage.py fedcm_keys rotate`.",
            )
        ]
    return []


def _duration(name: str) -> int | None:
    """The setting in seconds, or ``None`` if it is not a valid duration."""
    value = getattr(settings, name, DURATION_SETTINGS.get(name))
    if isinstance(value, timedelta):
        return int(value.total_seconds())
    if isinstance(value, int | float) and not isinstance(value, bool):
        return int(value)
    return None


@register()
def check_key_settings(**kwargs: Any) -> Messages:
    errors: Messages = []
    algorithm = getattr(settings, "FEDCM_KEY_ALGORITHM", "RS256")
    if algorithm not in ALGORITHMS:
        errors.append(
            _error(
                "E040",
                f"FEDCM_KEY_ALGORITHM {algorithm!r} is not supported.",
                f"Use one of {', '.join(ALGORITHMS)}.",
            )
        )
    durations = {name: _duration(name) for name in DURATION_SETTINGS}
    for name, seconds in durations.items():
        if seconds is None or seconds <= 0:
            errors.append(
                _error(
                    "E042",
                    f"{name} must be a positive number of seconds or a timedelta.",
                    f"Set {name} to e.g. {DURATION_SETTINGS[name]} or remove it for the default.",
                )
            )
    grace = durations["FEDCM_KEY_GRACE_PERIOD"]
    lifetime = durations["FEDCM_TOKEN_LIFETIME"]
    cache = durations["FEDCM_KEY_CACHE_SECONDS"]
    # A token signed just before a rotation must stay verifiable for its whole
    # lifetime, and a process may keep signing with the old key for up to
    # KEY_CACHE_SECONDS after the rotation.
    if (
        grace is not None
        and lifetime is not None
        and cache is not None
        and grace < lifetime + cache
    ):
        errors.append(
            _error(
                "E043",
                f"FEDCM_KEY_GRACE_PERIOD ({grace}s) is shorter than FEDCM_TOKEN_LIFETIME + "
                f"FEDCM_KEY_CACHE_SECONDS ({lifetime + cache}s): tokens signed around a "
                "rotation would stop verifying before they expire.",
                f"Set FEDCM_KEY_GRACE_PERIOD to at least {lifetime + cache} seconds.",
            )
        )
    max_bytes = getattr(settings, "FEDCM_PARAMS_MAX_BYTES", 4096)
    if not isinstance(max_bytes, int) or isinstance(max_bytes, bool) or max_bytes <= 0:
        errors.append(
            _error(
                "E045",
                "FEDCM_PARAMS_MAX_BYTES must be a positive integer.",
                "Set FEDCM_PARAMS_MAX_BYTES to e.g. 4096 or remove it for the default.",
            )
        )
    secrets = getattr(settings, "FEDCM_KEY_ENCRYPTION_SECRETS", None)
    if secrets is not None and not (
        isinstance(secrets, list | tuple) and all(isinstance(s, str) and s for s in secrets)
    ):
        # A bare string would be iterated character by character: a one-letter key.
        errors.append(
            _error(
                "E044",
                "FEDCM_KEY_ENCRYPTION_SECRETS must be a list of non-empty strings, newest first.",
                'Use e.g. FEDCM_KEY_ENCRYPTION_SECRETS = [os.environ["FEDCM_KEY_SECRET"]], '
                "or remove it to use SECRET_KEY and SECRET_KEY_FALLBACKS.",
            )
        )
    return errors


# ------------------------------------------------------------------ issuer, adapter, branding


def _issuer_origin() -> tuple[str | None, bool]:
    """``(origin, valid)`` for ``FEDCM_ISSUER`` (``(None, True)`` when unset)."""
    issuer = getattr(settings, "FEDCM_ISSUER", None)
    if issuer is None or issuer == "":
        return None, True
    if not isinstance(issuer, str):
        return None, False
    try:
        return normalize_origin(issuer), True
    except ValueError:
        return None, False


@register()
def check_issuer(**kwargs: Any) -> Messages:
    origin, valid = _issuer_origin()
    if valid:
        issuer = getattr(settings, "FEDCM_ISSUER", None)
        if origin is not None and origin != str(issuer).rstrip("/"):
            # Tokens carry FEDCM_ISSUER verbatim in "iss", and RPs compare it
            # as a string; browsers serialise origins lower-case, without the
            # default port.
            return [
                _warning(
                    "W046",
                    f"FEDCM_ISSUER {issuer!r} is not written the way browsers serialise "
                    f"origins ({origin!r}).",
                    f'Set FEDCM_ISSUER = "{origin}".',
                )
            ]
        return []
    return [
        _error(
            "E041",
            f"FEDCM_ISSUER {getattr(settings, 'FEDCM_ISSUER', None)!r} is not an origin.",
            'Set FEDCM_ISSUER to scheme://host[:port] only, e.g. "https://idp.example", '
            "with no path.",
        )
    ]


@register()
def check_adapter(**kwargs: Any) -> Messages:
    path = getattr(settings, "FEDCM_ADAPTER", "django_fedcm.adapter.DefaultFedCMAdapter")
    try:
        adapter = import_string(path) if isinstance(path, str) else None
    except ImportError as exc:
        reason = str(exc)
    else:
        if isinstance(adapter, type):
            return []
        reason = "not a class"
    return [
        _error(
            "E050",
            f"FEDCM_ADAPTER {path!r} cannot be used: {reason}.",
            "Set FEDCM_ADAPTER to the dotted path of a DefaultFedCMAdapter subclass.",
        )
    ]


def _icon_problems(icons: Any) -> Iterator[str]:
    if not isinstance(icons, list):
        yield "'icons' must be a list"
        return
    for index, icon in enumerate(icons):
        if not isinstance(icon, dict):
            yield f"icons[{index}] must be an object with 'url' and 'size'"
            continue
        url = icon.get("url")
        if not isinstance(url, str):
            yield f"icons[{index}] has no 'url'"
        else:
            parts = urlsplit(url)
            local = parts.scheme == "http" and parts.hostname in {"localhost", "127.0.0.1"}
            if not (parts.scheme == "https" or local) or not parts.hostname:
                yield f"icons[{index}].url must be an https URL (http only for localhost)"
            if parts.path.lower().endswith(".svg"):
                # Chromium's FedCM UI decodes bitmaps only (FEDCM-IDP-SPEC §1.4).
                yield f"icons[{index}].url is an SVG; browsers show PNG/JPEG icons only"
        size = icon.get("size")
        if size is not None and (not isinstance(size, int) or isinstance(size, bool)):
            yield f"icons[{index}].size must be an integer number of pixels"


def _branding_problems(branding: Any) -> Iterator[str]:
    if not isinstance(branding, dict):
        yield "it must be a dict"
        return
    for key in ("background_color", "color", "name"):
        if key in branding and not isinstance(branding[key], str):
            yield f"{key!r} must be a string"
    if "icons" in branding:
        yield from _icon_problems(branding["icons"])


@register()
def check_branding(**kwargs: Any) -> Messages:
    branding = getattr(settings, "FEDCM_BRANDING", None)
    if branding is None:
        return []
    return [
        _error(
            "E060",
            f"FEDCM_BRANDING is invalid: {problem}.",
            'Use {"background_color": "#1a73e8", "color": "#ffffff", '
            '"icons": [{"url": "https://idp.example/icon.png", "size": 40}]}.',
        )
        for problem in _branding_problems(branding)
    ]


# --------------------------------------------------------------------------- URLs


def _fedcm_resolvers(
    patterns: Sequence[URLPattern | URLResolver], localized: bool = False
) -> Iterator[tuple[URLResolver, bool]]:
    """Every ``include("django_fedcm.urls")`` and whether an i18n prefix is above it."""
    for pattern in patterns:
        if not isinstance(pattern, URLResolver):
            continue
        here = localized or isinstance(pattern.pattern, LocalePrefixPattern)
        if pattern.app_name == "django_fedcm":
            yield pattern, here
        else:
            yield from _fedcm_resolvers(pattern.url_patterns, here)


@register(Tags.urls)
def check_urls(**kwargs: Any) -> Messages:
    """FEDCM-IDP-SPEC §3.3 / checklist 62: the browser treats any redirect on
    the config, accounts, assertion, ... fetches as an error."""
    from django.urls import reverse

    messages: Messages = []
    try:
        found = list(_fedcm_resolvers(get_resolver().url_patterns))
    except Exception:  # a broken ROOT_URLCONF is reported by Django's own URL checks
        return []
    if not found:
        return [
            _warning(
                "W071",
                "django_fedcm.urls is not included in ROOT_URLCONF.",
                'Add path("", include("django_fedcm.urls")) to your root urlpatterns.',
            )
        ]
    if any(localized for _resolver, localized in found):
        messages.append(
            _error(
                "E070",
                "django_fedcm.urls is included under i18n_patterns(): FedCM endpoints would "
                "redirect to a language prefix, and browsers treat redirects as errors.",
                'Include django_fedcm.urls outside i18n_patterns(), e.g. path("", '
                'include("django_fedcm.urls")) in the plain urlpatterns.',
            )
        )
    elif getattr(settings, "FEDCM_WELL_KNOWN_ENABLED", True):
        well_known = reverse("django_fedcm:well_known")
        if well_known != "/.well-known/web-identity":
            messages.append(
                _warning(
                    "W072",
                    f"The well-known file is served at {well_known}, but browsers fetch "
                    "/.well-known/web-identity at the site root.",
                    'Include django_fedcm.urls at the root (path("", ...)), or set '
                    "FEDCM_WELL_KNOWN_ENABLED = False and publish the file yourself.",
                )
            )
    origin, _valid = _issuer_origin()
    if getattr(settings, "PREPEND_WWW", False) and origin and "://www." not in origin:
        messages.append(
            _error(
                "E073",
                f"PREPEND_WWW is True but FEDCM_ISSUER ({origin}) has no www. host: "
                "CommonMiddleware would redirect every FedCM fetch.",
                "Set PREPEND_WWW = False or use the www. host in FEDCM_ISSUER.",
            )
        )
    login_url = getattr(settings, "FEDCM_LOGIN_URL", None)
    if login_url is not None:
        parts = urlsplit(login_url) if isinstance(login_url, str) else None
        if parts is None or parts.scheme or parts.netloc or not parts.path.startswith("/"):
            messages.append(
                _error(
                    "E074",
                    f"FEDCM_LOGIN_URL {login_url!r} is not a path on this site: the browser "
                    "requires login_url on the config file's origin.",
                    'Set FEDCM_LOGIN_URL to an absolute path such as "/accounts/login/", '
                    "or remove it to use django_fedcm's login page.",
                )
            )
    return messages


# --------------------------------------------------------------------------- deploy


@register()
def check_use_other_account(**kwargs: Any) -> Messages:
    """The built-in login page signs one user in per session; it cannot add a
    second account, which is what "use another account" opens it for."""
    enabled = getattr(settings, "FEDCM_SUPPORTS_USE_OTHER_ACCOUNT", False)
    if enabled is True and not getattr(settings, "FEDCM_LOGIN_URL", None):
        return [
            _warning(
                "W061",
                "FEDCM_SUPPORTS_USE_OTHER_ACCOUNT is on but login_url is the built-in "
                "page, which cannot add a second account.",
                "Point FEDCM_LOGIN_URL at a page that can sign in another account, or "
                "turn FEDCM_SUPPORTS_USE_OTHER_ACCOUNT off.",
            )
        ]
    return []


@register()
def check_oauth_validator(**kwargs: Any) -> Messages:
    """With OIDC on, DOT must sign ID tokens with the fedcm_keys key set, or the
    OAuth door would issue tokens the published JWKS cannot verify."""
    from oauth2_provider.settings import oauth2_settings

    if not oauth2_settings.OIDC_ENABLED:
        return []
    validator = oauth2_settings.OAUTH2_VALIDATOR_CLASS
    from django_fedcm.oauth.validators import FedCMOAuth2Validator

    if isinstance(validator, type) and issubclass(validator, FedCMOAuth2Validator):
        return []
    return [
        _warning(
            "W090",
            "OIDC is enabled in OAUTH2_PROVIDER but OAUTH2_VALIDATOR_CLASS is not "
            "FedCMOAuth2Validator: the OAuth door would sign ID tokens with another key "
            "and issuer than FedCM.",
            'Set OAUTH2_PROVIDER["OAUTH2_VALIDATOR_CLASS"] = '
            '"django_fedcm.oauth.validators.FedCMOAuth2Validator" (or a subclass).',
        )
    ]


@register(Tags.security, deploy=True)
def check_deploy(**kwargs: Any) -> Messages:
    issuer = getattr(settings, "FEDCM_ISSUER", None)
    if not issuer:
        return [
            _warning(
                "W080",
                "FEDCM_ISSUER is not set: the token issuer is derived from the request's Host "
                "header.",
                'Set FEDCM_ISSUER to your IdP origin, e.g. "https://idp.example".',
            )
        ]
    origin, valid = _issuer_origin()
    if valid and origin is not None and not origin.startswith("https://"):
        return [
            _warning(
                "W081",
                f"FEDCM_ISSUER ({origin}) is not https: FedCM requires HTTPS outside localhost.",
                "Serve the IdP over HTTPS and set FEDCM_ISSUER to its https:// origin.",
            )
        ]
    return []
