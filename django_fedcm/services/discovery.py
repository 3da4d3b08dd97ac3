"""Absolute URLs of the FedCM endpoints, and the discovery documents built from them.

The config file, the well-known file, the ``fedcm_well_known`` command and
any page that needs the config URL (``user_info``) share these helpers, so
every document names byte-for-byte the same URLs (checklist 2 and 3: the
well-known ``provider_urls`` entry must equal the RP's ``configURL``, its
``accounts_endpoint``/``login_url`` must equal the config's; spec
https://w3c-fedid.github.io/FedCM/#fetch-the-config-file-check-accounts-and-login-url-step).

The origin comes from ``FEDCM_ISSUER`` when set (production: the URLs then do
not depend on the ``Host`` header or on a proxy's scheme handling) and from
the request otherwise (development). Paths come from ``reverse()``, so a
project mounting the app under a prefix still gets correct URLs. Every
endpoint is on the same origin, which FedCM requires of all endpoints named
in the config (spec "computing the manifest URL"; Chromium
``config_fetcher.cc``).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urljoin, urlsplit

from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest
from django.urls import reverse

from django_fedcm.conf import fedcm_settings

__all__ = [
    "ENDPOINT_KEYS",
    "OPTIONAL_ENDPOINT_KEYS",
    "absolute",
    "base_origin",
    "config_url",
    "config_urls",
    "endpoint_urls",
    "login_url",
    "url_for",
    "well_known_document",
]

#: Config keys naming an endpoint, in the order the config file lists them.
ENDPOINT_KEYS: dict[str, str] = {
    "accounts_endpoint": "accounts",
    "id_assertion_endpoint": "id_assertion",
    "login_url": "login",
    "disconnect_endpoint": "disconnect",
    "client_metadata_endpoint": "client_metadata",
}
#: Config keys of endpoints a setting turns on: named only when it is on.
OPTIONAL_ENDPOINT_KEYS: dict[str, str] = {"metrics_endpoint": "metrics"}


def base_origin(request: HttpRequest | None = None, *, issuer: str | None = None) -> str:
    """``scheme://host[:port]`` every endpoint URL starts with.

    ``issuer`` (the command's ``--issuer``) wins over ``FEDCM_ISSUER``, which
    wins over the request. Only the origin of the issuer is used: an OIDC
    issuer with a path (``https://idp.example/sso``) still puts the endpoints
    where ``reverse()`` says.
    """
    value = issuer or fedcm_settings.ISSUER
    if value:
        parts = urlsplit(value)
        if parts.scheme and parts.netloc:
            return f"{parts.scheme}://{parts.netloc}"
        raise ImproperlyConfigured(f"FEDCM_ISSUER must be an absolute URL, not {value!r}.")
    if request is None:
        raise ImproperlyConfigured(
            "FEDCM_ISSUER is not set and there is no request to take the origin from."
        )
    return f"{request.scheme}://{request.get_host()}"


def url_for(
    name: str,
    request: HttpRequest | None = None,
    *,
    issuer: str | None = None,
    kwargs: dict[str, str] | None = None,
) -> str:
    """Absolute URL of the app's URL ``name`` (``"accounts"``, ``"config"``, ...)."""
    return base_origin(request, issuer=issuer) + reverse(f"django_fedcm:{name}", kwargs=kwargs)


def absolute(value: str, request: HttpRequest | None = None, *, issuer: str | None = None) -> str:
    """Resolve a configured path (``/accounts/fedcm-login/``) against the base origin.

    Absolute values are returned unchanged.
    """
    return urljoin(base_origin(request, issuer=issuer) + "/", value)


def config_url(
    request: HttpRequest | None = None, *, issuer: str | None = None, name: str | None = None
) -> str:
    """The ``configURL`` relying parties pass to ``navigator.credentials.get()``:
    the default config, or the ``FEDCM_CONFIGS`` entry ``name``."""
    if name is None:
        return url_for("config", request, issuer=issuer)
    return url_for("named_config", request, issuer=issuer, kwargs={"name": name})


def config_urls(request: HttpRequest | None = None, *, issuer: str | None = None) -> list[str]:
    """Every config URL this site serves: the default one first, then one per
    ``FEDCM_CONFIGS`` entry (docs/settings.md)."""
    return [
        config_url(request, issuer=issuer),
        *(config_url(request, issuer=issuer, name=name) for name in fedcm_settings.CONFIGS),
    ]


def login_url(request: HttpRequest | None = None, *, issuer: str | None = None) -> str:
    """The config's ``login_url``: ``FEDCM_LOGIN_URL`` if set, else the app's page."""
    custom = fedcm_settings.LOGIN_URL
    if custom:
        return absolute(custom, request, issuer=issuer)
    return url_for("login", request, issuer=issuer)


def endpoint_urls(
    request: HttpRequest | None = None, *, issuer: str | None = None
) -> dict[str, str]:
    """Every endpoint the config file names, keyed by its config key:
    :data:`ENDPOINT_KEYS`, then ``metrics_endpoint`` when
    ``FEDCM_METRICS_ENABLED`` is on."""
    urls = {
        key: login_url(request, issuer=issuer)
        if key == "login_url"
        else url_for(name, request, issuer=issuer)
        for key, name in ENDPOINT_KEYS.items()
    }
    if fedcm_settings.METRICS_ENABLED:
        urls["metrics_endpoint"] = url_for(
            OPTIONAL_ENDPOINT_KEYS["metrics_endpoint"], request, issuer=issuer
        )
    return urls


def well_known_document(
    request: HttpRequest | None = None, *, issuer: str | None = None
) -> dict[str, Any]:
    """The ``/.well-known/web-identity`` JSON
    (https://w3c-fedid.github.io/FedCM/#idp-api-well-known).

    All three keys, always: ``provider_urls`` (one entry, for Chrome < 132)
    plus the "direct endpoints" ``accounts_endpoint`` and ``login_url``, which
    Chrome 145 requires whenever the config has a ``client_metadata_endpoint``
    (ours always does).

    The direct endpoints are also what admits the extra ``FEDCM_CONFIGS``
    files: a browser accepts any config on this site whose
    ``accounts_endpoint`` and ``login_url`` equal these, and every config
    shares them (https://w3c-fedid.github.io/FedCM/#fetch-the-config-file-check-accounts-and-login-url-step).
    They are deliberately not added to ``provider_urls``: a list of more
    than one entry makes the whole file invalid, for the spec
    (https://w3c-fedid.github.io/FedCM/#fetch-the-config-file) and for
    Chrome < 132, which then rejects the default config too.
    """
    urls = endpoint_urls(request, issuer=issuer)
    return {
        "provider_urls": [config_url(request, issuer=issuer)],
        "accounts_endpoint": urls["accounts_endpoint"],
        "login_url": urls["login_url"],
    }
