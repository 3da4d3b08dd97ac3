"""URLconf checks: FedCM endpoints that would redirect, the optional REST API,
``LOGIN_URL`` and the OAuth door.

Ids ``E004``, ``E070``-``E074``, ``W071``/``W072``, ``W075`` and ``W076`` (docs/checks.md).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any
from urllib.parse import urlsplit

from django.apps import apps
from django.conf import settings
from django.core.checks import Tags, register
from django.shortcuts import resolve_url
from django.urls import (
    NoReverseMatch,
    URLPattern,
    URLResolver,
    get_resolver,
    is_valid_path,
    reverse,
)
from django.urls.resolvers import LocalePrefixPattern
from django.utils import translation

from django_fedcm.checks.common import Messages, error, issuer_origin, warning
from django_fedcm.conf import raw_setting

__all__ = [
    "API_URLCONF",
    "OAUTH_URLCONF",
    "check_api_urls",
    "check_login_url",
    "check_oauth_door",
    "check_urls",
]

#: The URLconf of the REST API, the one part of django-fedcm that needs Django
#: REST framework (``pip install "django-fedcm[api]"``, docs/api.md).
API_URLCONF = "django_fedcm.contrib.rest_framework.urls"

#: The OAuth 2.0 / OIDC door (docs/oauth-and-fedcm.md).
OAUTH_URLCONF = "django_fedcm.oauth.urls"


def _includes(
    patterns: Sequence[URLPattern | URLResolver],
    match: Callable[[URLResolver], bool],
    localized: bool = False,
) -> Iterator[tuple[URLResolver, bool]]:
    """Every ``include()`` that ``match`` accepts (not looking inside it), and
    whether an i18n prefix is above it."""
    for pattern in patterns:
        if not isinstance(pattern, URLResolver):
            continue
        here = localized or isinstance(pattern.pattern, LocalePrefixPattern)
        if match(pattern):
            yield pattern, here
        else:
            yield from _includes(pattern.url_patterns, match, here)


def _is_mounted(match: Callable[[URLResolver], bool]) -> bool:
    """Whether ROOT_URLCONF includes a URLconf ``match`` accepts; ``False``
    for a broken ROOT_URLCONF, which Django's own URL checks report."""
    try:
        return any(True for _ in _includes(get_resolver().url_patterns, match))
    except Exception:
        return False


def _is_fedcm(resolver: URLResolver) -> bool:
    return resolver.app_name == "django_fedcm"


def _is_api(resolver: URLResolver) -> bool:
    return getattr(resolver.urlconf_module, "__name__", None) == API_URLCONF


def _is_oauth_door(resolver: URLResolver) -> bool:
    return getattr(resolver.urlconf_module, "__name__", None) == OAUTH_URLCONF


@register(Tags.urls)
def check_urls(**kwargs: Any) -> Messages:
    """The browser fetches the FedCM endpoints with redirect mode "error"
    (https://w3c-fedid.github.io/FedCM/#fetch-config-file, checklist 62)."""
    messages: Messages = []
    try:
        found = list(_includes(get_resolver().url_patterns, _is_fedcm))
    except Exception:  # a broken ROOT_URLCONF is reported by Django's own URL checks
        return []
    if not found:
        return [
            warning(
                "W071",
                "django_fedcm.urls is not included in ROOT_URLCONF.",
                'Add path("", include("django_fedcm.urls")) to your root urlpatterns.',
            )
        ]
    if any(localized for _resolver, localized in found):
        messages.append(
            error(
                "E070",
                "django_fedcm.urls is included under i18n_patterns(): FedCM endpoints would "
                "redirect to a language prefix, and browsers treat redirects as errors.",
                'Include django_fedcm.urls outside i18n_patterns(), e.g. path("", '
                'include("django_fedcm.urls")) in the plain urlpatterns.',
            )
        )
    elif raw_setting("WELL_KNOWN_ENABLED"):
        well_known = reverse("django_fedcm:well_known")
        if well_known != "/.well-known/web-identity":
            messages.append(
                warning(
                    "W072",
                    f"The well-known file is served at {well_known}, but browsers fetch "
                    "/.well-known/web-identity at the site root.",
                    'Include django_fedcm.urls at the root (path("", ...)), or set '
                    "FEDCM_WELL_KNOWN_ENABLED = False and publish the file yourself.",
                )
            )
    origin, _valid = issuer_origin()
    if getattr(settings, "PREPEND_WWW", False) and origin and "://www." not in origin:
        messages.append(
            error(
                "E073",
                f"PREPEND_WWW is True but FEDCM_ISSUER ({origin}) has no www. host: "
                "CommonMiddleware would redirect every FedCM fetch.",
                "Set PREPEND_WWW = False or use the www. host in FEDCM_ISSUER.",
            )
        )
    login_url = raw_setting("LOGIN_URL")
    if login_url is not None:
        parts = urlsplit(login_url) if isinstance(login_url, str) else None
        if parts is None or parts.scheme or parts.netloc or not parts.path.startswith("/"):
            messages.append(
                error(
                    "E074",
                    f"FEDCM_LOGIN_URL {login_url!r} is not a path on this site: the browser "
                    "requires login_url on the config file's origin.",
                    'Set FEDCM_LOGIN_URL to an absolute path such as "/accounts/login/", '
                    "or remove it to use django_fedcm's login page.",
                )
            )
    return messages


@register(Tags.urls)
def check_api_urls(**kwargs: Any) -> Messages:
    """The REST API is an optional extra: Django REST framework is required
    only when the project mounts it."""
    if apps.is_installed("rest_framework"):
        return []
    if not _is_mounted(_is_api):
        return []
    return [
        error(
            "E004",
            f"{API_URLCONF} is included in ROOT_URLCONF but 'rest_framework' is not in "
            "INSTALLED_APPS: the django-fedcm REST API needs Django REST framework.",
            'Install the API extra (pip install "django-fedcm[api]") and add '
            '"rest_framework" to INSTALLED_APPS.',
        )
    ]


def _login_url_served(login_url: Any) -> bool:
    """Whether ``LOGIN_URL`` is a page of this project, another site's page
    (an absolute URL) or relative (left alone), as ``redirect_to_login`` reads it."""
    try:
        url = str(resolve_url(login_url))
    except NoReverseMatch:  # a URL name that is not in the URLconf
        return False
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or not parts.path.startswith("/"):
        return True
    if is_valid_path(parts.path):
        return True
    # Under i18n_patterns(), LocaleMiddleware redirects to the prefixed path.
    language = getattr(settings, "LANGUAGE_CODE", "en-us")
    with translation.override(language):
        return bool(is_valid_path(f"/{language}{parts.path}"))


@register(Tags.urls)
def check_login_url(**kwargs: Any) -> Messages:
    """Django's ``LOGIN_URL`` is where the connected-apps page and the OAuth
    door's authorize endpoint send signed-out users."""
    login_url = getattr(settings, "LOGIN_URL", None)
    try:
        if login_url is None or _login_url_served(login_url):
            return []
    except Exception:  # a broken ROOT_URLCONF is reported by Django's own URL checks
        return []
    return [
        warning(
            "W075",
            f"LOGIN_URL {login_url!r} is not a page of this project: signed-out users of the "
            "connected-apps page and of the OAuth door's authorize endpoint would land on a 404.",
            'Set LOGIN_URL = "django_fedcm:login" (the FedCM sign-in page), or mount a sign-in '
            'page there (e.g. path("accounts/", include("django.contrib.auth.urls"))).',
        )
    ]


@register(Tags.urls)
def check_oauth_door(**kwargs: Any) -> Messages:
    """The OAuth door speaks for the FedCM identity only through
    FedCMOAuth2Validator (docs/oauth-and-fedcm.md). With OIDC on, ``W090``
    says so already."""
    from oauth2_provider.settings import oauth2_settings

    from django_fedcm.oauth.validators import FedCMOAuth2Validator

    validator = oauth2_settings.OAUTH2_VALIDATOR_CLASS
    if oauth2_settings.OIDC_ENABLED or (
        isinstance(validator, type) and issubclass(validator, FedCMOAuth2Validator)
    ):
        return []
    if not _is_mounted(_is_oauth_door):
        return []
    return [
        warning(
            "W076",
            f"{OAUTH_URLCONF} is included in ROOT_URLCONF but OAUTH2_PROVIDER does not name "
            "FedCMOAuth2Validator: the OAuth door would not share FedCM's consent, claims and "
            "keys, could not redeem the codes the id assertion endpoint issues, and without "
            'OAUTH2_PROVIDER["OIDC_ENABLED"] OIDC discovery answers 404.',
            'Set OAUTH2_PROVIDER = {"OIDC_ENABLED": True, "OAUTH2_VALIDATOR_CLASS": '
            '"django_fedcm.oauth.validators.FedCMOAuth2Validator", ...} as in '
            "docs/quickstart.md, or remove the o/ include.",
        )
    ]
