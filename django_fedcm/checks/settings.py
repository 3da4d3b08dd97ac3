"""Checks of setting values: the session cookie, CORS and the ``FEDCM_*`` settings.

Ids ``E001``/``E002``, ``E020``/``W021``, ``E040``-``E045``, ``W046``, ``W049``, ``E050``,
``E060`` and ``W061`` (docs/checks.md). Each check reads the raw value
(:func:`django_fedcm.conf.raw_setting`) and tolerates any type, so a typo
produces a message, not a crash. Defaults and allowed values come from
:mod:`django_fedcm.defaults`.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Tags, register
from django.http.request import split_domain_port, validate_host
from django.utils.module_loading import import_string

from django_fedcm import defaults
from django_fedcm.checks.common import Messages, error, issuer_origin, warning
from django_fedcm.conf import raw_setting

__all__ = [
    "DURATION_SETTINGS",
    "check_adapter",
    "check_branding",
    "check_cors",
    "check_issuer",
    "check_issuer_host",
    "check_key_settings",
    "check_session_cookie",
    "check_use_other_account",
]

#: Settings (without the ``FEDCM_`` prefix) accepted as seconds (int/float) or ``timedelta``.
DURATION_SETTINGS = (
    "TOKEN_LIFETIME",
    "KEY_GRACE_PERIOD",
    "KEY_CACHE_SECONDS",
    "CONTINUATION_LIFETIME",
)


@register(Tags.security)
def check_session_cookie(**kwargs: Any) -> Messages:
    """The accounts, assertion and disconnect fetches are cross-site and carry
    only unpartitioned ``SameSite=None`` cookies
    (https://w3c-fedid.github.io/FedCM/#browser-api, checklist 59), and
    browsers reject ``SameSite=None`` without ``Secure``. Chrome accepts
    ``Secure`` cookies on http://localhost, so both hold in development too."""
    errors: Messages = []
    if getattr(settings, "SESSION_COOKIE_SAMESITE", "Lax") != "None":
        errors.append(
            error(
                "E001",
                "SESSION_COOKIE_SAMESITE is not 'None': the browser will not send the session "
                "cookie on FedCM's cross-site fetches, so every user looks signed out.",
                'Set SESSION_COOKIE_SAMESITE = "None" (the string, not None).',
            )
        )
    if not getattr(settings, "SESSION_COOKIE_SECURE", False):
        errors.append(
            error(
                "E002",
                "SESSION_COOKIE_SECURE is False: browsers reject SameSite=None cookies "
                "that are not Secure.",
                "Set SESSION_COOKIE_SECURE = True (Chrome allows Secure cookies on "
                "http://localhost during development).",
            )
        )
    return errors


@register(Tags.security)
def check_cors(**kwargs: Any) -> Messages:
    """The assertion and disconnect responses need
    ``Access-Control-Allow-Credentials: true`` and an exact origin, never ``*``
    (https://w3c-fedid.github.io/FedCM/#sec-cors-header, checklist 30)."""
    messages: Messages = []
    if getattr(settings, "CORS_ALLOW_CREDENTIALS", False) is not True:
        messages.append(
            error(
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
            warning(
                "W021",
                "CORS_ALLOW_ALL_ORIGINS is True: with credentials allowed, any website can "
                "read your users' responses from every URL matched by CORS_URLS_REGEX.",
                "Remove CORS_ALLOW_ALL_ORIGINS and list CORS_ALLOWED_ORIGINS (or narrow "
                "CORS_URLS_REGEX); django_fedcm answers CORS on its own endpoints for the "
                "registered relying-party origins.",
            )
        )
    return messages


def _seconds(value: Any) -> int | None:
    """``value`` in seconds, or ``None`` if it is not a valid duration."""
    if isinstance(value, timedelta):
        return int(value.total_seconds())
    if isinstance(value, int | float) and not isinstance(value, bool):
        return int(value)
    return None


@register()
def check_key_settings(**kwargs: Any) -> Messages:
    errors: Messages = []
    algorithm = raw_setting("KEY_ALGORITHM")
    if algorithm not in defaults.ALGORITHMS:
        errors.append(
            error(
                "E040",
                f"FEDCM_KEY_ALGORITHM {algorithm!r} is not supported.",
                f"Use one of {', '.join(defaults.ALGORITHMS)}.",
            )
        )
    durations = {name: _seconds(raw_setting(name)) for name in DURATION_SETTINGS}
    for name, seconds in durations.items():
        if seconds is None or seconds <= 0:
            errors.append(
                error(
                    "E042",
                    f"FEDCM_{name} must be a positive number of seconds or a timedelta.",
                    f"Set FEDCM_{name} to e.g. {_seconds(getattr(defaults, name))} or remove "
                    "it for the default.",
                )
            )
    grace = durations["KEY_GRACE_PERIOD"]
    lifetime = durations["TOKEN_LIFETIME"]
    cache = durations["KEY_CACHE_SECONDS"]
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
            error(
                "E043",
                f"FEDCM_KEY_GRACE_PERIOD ({grace}s) is shorter than FEDCM_TOKEN_LIFETIME + "
                f"FEDCM_KEY_CACHE_SECONDS ({lifetime + cache}s): tokens signed around a "
                "rotation would stop verifying before they expire.",
                f"Set FEDCM_KEY_GRACE_PERIOD to at least {lifetime + cache} seconds.",
            )
        )
    max_bytes = raw_setting("PARAMS_MAX_BYTES")
    if not isinstance(max_bytes, int) or isinstance(max_bytes, bool) or max_bytes <= 0:
        errors.append(
            error(
                "E045",
                "FEDCM_PARAMS_MAX_BYTES must be a positive integer.",
                f"Set FEDCM_PARAMS_MAX_BYTES to e.g. {defaults.PARAMS_MAX_BYTES} or remove it "
                "for the default.",
            )
        )
    secrets = raw_setting("KEY_ENCRYPTION_SECRETS")
    if secrets is not None and not (
        isinstance(secrets, list | tuple) and all(isinstance(s, str) and s for s in secrets)
    ):
        # A bare string would be iterated character by character: a one-letter key.
        errors.append(
            error(
                "E044",
                "FEDCM_KEY_ENCRYPTION_SECRETS must be a list of non-empty strings, newest first.",
                'Use e.g. FEDCM_KEY_ENCRYPTION_SECRETS = [os.environ["FEDCM_KEY_SECRET"]], '
                "or remove it to use SECRET_KEY and SECRET_KEY_FALLBACKS.",
            )
        )
    return errors


@register()
def check_issuer(**kwargs: Any) -> Messages:
    origin, valid = issuer_origin()
    issuer = raw_setting("ISSUER")
    if valid:
        if origin is not None and origin != str(issuer).rstrip("/"):
            # Tokens carry FEDCM_ISSUER verbatim in "iss", and RPs compare it
            # as a string; browsers serialise origins lower-case, without the
            # default port.
            return [
                warning(
                    "W046",
                    f"FEDCM_ISSUER {issuer!r} is not written the way browsers serialise "
                    f"origins ({origin!r}).",
                    f'Set FEDCM_ISSUER = "{origin}".',
                )
            ]
        return []
    return [
        error(
            "E041",
            f"FEDCM_ISSUER {issuer!r} is not an origin.",
            'Set FEDCM_ISSUER to scheme://host[:port] only, e.g. "https://idp.example", '
            "with no path.",
        )
    ]


#: What Django allows when ``DEBUG`` is on and ``ALLOWED_HOSTS`` is empty.
DEBUG_ALLOWED_HOSTS = [".localhost", "127.0.0.1", "[::1]"]


@register()
def check_issuer_host(**kwargs: Any) -> Messages:
    """Every URL of the config file is built from ``FEDCM_ISSUER``: a host
    this project does not serve (a placeholder left in place) breaks every
    sign-in while the checks stay silent."""
    origin, _valid = issuer_origin()
    if origin is None:
        return []
    allowed = list(getattr(settings, "ALLOWED_HOSTS", None) or [])
    if settings.DEBUG and not allowed:
        allowed = DEBUG_ALLOWED_HOSTS
    host, _port = split_domain_port(urlsplit(origin).netloc)
    if validate_host(host, allowed):
        return []
    return [
        warning(
            "W049",
            f"FEDCM_ISSUER ({origin}) names the host {host!r}, which ALLOWED_HOSTS does not "
            "serve: the browser would fetch every FedCM endpoint from a site that is not "
            "this project.",
            "Set FEDCM_ISSUER to the origin this project serves (on your machine "
            f'"http://localhost:8000"), or add "{host}" to ALLOWED_HOSTS.',
        )
    ]


@register()
def check_adapter(**kwargs: Any) -> Messages:
    path = raw_setting("ADAPTER")
    try:
        adapter = import_string(path) if isinstance(path, str) else None
    except ImportError as exc:
        reason = str(exc)
    else:
        if isinstance(adapter, type):
            return []
        reason = "not a class"
    return [
        error(
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
                # The spec allows SVG icons, but Chrome shows bitmaps only:
                # https://developer.chrome.com/docs/identity/fedcm/implement/identity-provider
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
    """The config file's ``branding`` (https://w3c-fedid.github.io/FedCM/#idp-api-config-file)."""
    branding = raw_setting("BRANDING")
    if branding is None:
        return []
    return [
        error(
            "E060",
            f"FEDCM_BRANDING is invalid: {problem}.",
            'Use {"background_color": "#1a73e8", "color": "#ffffff", '
            '"icons": [{"url": "https://idp.example/icon.png", "size": 40}]}.',
        )
        for problem in _branding_problems(branding)
    ]


@register()
def check_use_other_account(**kwargs: Any) -> Messages:
    """The built-in login page signs one user in per session; it cannot add a
    second account, which is what "use another account" opens it for."""
    if raw_setting("SUPPORTS_USE_OTHER_ACCOUNT") is True and not raw_setting("LOGIN_URL"):
        return [
            warning(
                "W061",
                "FEDCM_SUPPORTS_USE_OTHER_ACCOUNT is on but login_url is the built-in "
                "page, which cannot add a second account.",
                "Point FEDCM_LOGIN_URL at a page that can sign in another account, or "
                "turn FEDCM_SUPPORTS_USE_OTHER_ACCOUNT off.",
            )
        ]
    return []
