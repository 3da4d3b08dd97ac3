"""What docs/installation.md asks of a project: apps, middleware, the OAuth validator.

Ids ``E003``, ``E010``-``E013`` and ``W090`` (docs/checks.md).
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.checks import register
from django.utils.module_loading import import_string

from django_fedcm.checks.common import Messages, error, warning

__all__ = [
    "REQUIRED_APPS",
    "check_installed_apps",
    "check_middleware",
    "check_oauth_validator",
]

#: Apps the core relies on (OAuth registrations, CORS on the credentialed
#: endpoints). Django REST framework is needed only by the optional REST API:
#: :func:`django_fedcm.checks.urls.check_api_urls` asks for it when that is mounted.
REQUIRED_APPS = ("oauth2_provider", "corsheaders")

SESSION_MIDDLEWARE = "django.contrib.sessions.middleware.SessionMiddleware"
AUTHENTICATION_MIDDLEWARE = "django.contrib.auth.middleware.AuthenticationMiddleware"
CORS_MIDDLEWARE = "corsheaders.middleware.CorsMiddleware"
COMMON_MIDDLEWARE = "django.middleware.common.CommonMiddleware"
LOGIN_STATUS_MIDDLEWARE = "django_fedcm.middleware.LoginStatusMiddleware"


@register()
def check_installed_apps(**kwargs: Any) -> Messages:
    missing = [name for name in REQUIRED_APPS if not apps.is_installed(name)]
    if not missing:
        return []
    return [
        error(
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
            error(
                "E010",
                "SessionMiddleware is not in MIDDLEWARE: FedCM endpoints find the signed-in "
                "accounts through the session.",
                f"Add {SESSION_MIDDLEWARE!r} to MIDDLEWARE.",
            )
        )
    if not auth or (session and auth[0] < session[0]):
        errors.append(
            error(
                "E011",
                "AuthenticationMiddleware is missing or placed before SessionMiddleware.",
                f"Add {AUTHENTICATION_MIDDLEWARE!r} to MIDDLEWARE after SessionMiddleware.",
            )
        )
    if not cors or (common and cors[0] > common[0]):
        errors.append(
            error(
                "E012",
                "corsheaders' CorsMiddleware is missing or placed after CommonMiddleware: "
                "CORS headers must be added before CommonMiddleware can answer (e.g. with a "
                "redirect) without them.",
                f"Put {CORS_MIDDLEWARE!r} in MIDDLEWARE, above {COMMON_MIDDLEWARE!r}.",
            )
        )
    if not login_status or (auth and login_status[0] < auth[0]):
        errors.append(
            error(
                "E013",
                "LoginStatusMiddleware is missing or placed before AuthenticationMiddleware: "
                "the browser would never learn that users signed in (Set-Login header), and "
                "FedCM would not show the account chooser.",
                f"Add {LOGIN_STATUS_MIDDLEWARE!r} to MIDDLEWARE after AuthenticationMiddleware.",
            )
        )
    return errors


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
        warning(
            "W090",
            "OIDC is enabled in OAUTH2_PROVIDER but OAUTH2_VALIDATOR_CLASS is not "
            "FedCMOAuth2Validator: the OAuth door would sign ID tokens with another key "
            "and issuer than FedCM.",
            'Set OAUTH2_PROVIDER["OAUTH2_VALIDATOR_CLASS"] = '
            '"django_fedcm.oauth.validators.FedCMOAuth2Validator" (or a subclass).',
        )
    ]
