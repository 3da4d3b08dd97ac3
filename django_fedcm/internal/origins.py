"""Web origins: parsing, validation and exact matching.

The id assertion endpoint checks the ``Origin`` header against the origins
registered for ``client_id`` (https://w3c-fedid.github.io/FedCM/#idp-api-id-assertion-endpoint;
checklist 27). Matching is exact on the serialised origin ``scheme://host[:port]``
with default ports dropped and the host lower-cased, the way browsers
serialise the ``Origin`` header. No wildcards, no paths.
"""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

_DEFAULT_PORTS = {"http": 80, "https": 443}

#: What a browser's serialised origin host can hold (ASCII; IDN hosts arrive
#: in their punycode ``xn--`` form). Anything else could never match an
#: ``Origin`` header and would be copied verbatim into the user_info page's
#: ``frame-ancestors`` header and ``postMessage`` targets.
_HOST = re.compile(r"[a-z0-9_-]+(\.[a-z0-9_-]+)*\.?")


def normalize_origin(value: str) -> str:
    """Return the serialised origin for ``value`` or raise ``ValueError``.

    Accepts exactly ``scheme://host[:port]`` (an optional single trailing
    slash is tolerated in configuration input); anything with a path, query,
    fragment, credentials or wildcard is rejected.
    """
    raw = value.strip()
    if raw.endswith("/") and raw.count("/") == 3:
        raw = raw[:-1]
    try:
        parts = urlsplit(raw)
        port = parts.port
    except ValueError as exc:
        raise ValueError(f"not an origin: {value!r}") from exc
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if scheme not in _DEFAULT_PORTS:
        raise ValueError(f"origin must use http or https: {value!r}")
    if not host or "*" in raw:
        raise ValueError(f"origin needs a host and no wildcard: {value!r}")
    if parts.path or parts.query or parts.fragment or "?" in raw or "#" in raw:
        raise ValueError(f"origin must not have a path, query or fragment: {value!r}")
    if parts.username is not None or parts.password is not None:
        raise ValueError(f"origin must not carry credentials: {value!r}")
    if ":" in host:  # IPv6 literal; no zone id ("%eth0"), which browsers refuse in URLs
        try:
            if "%" in host:
                raise ValueError("zone id")
            ipaddress.IPv6Address(host)
        except ValueError as exc:
            raise ValueError(f"origin has an invalid IPv6 host: {value!r}") from exc
        host = f"[{host}]"
    elif not _HOST.fullmatch(host):
        raise ValueError(
            f"origin host must be ASCII letters, digits, '-', '_' and dots "
            f"(IDN hosts in their xn-- form): {value!r}"
        )
    if port is None or port == _DEFAULT_PORTS[scheme]:
        return f"{scheme}://{host}"
    return f"{scheme}://{host}:{port}"


def parse_origin_list(value: str) -> list[str]:
    """Parse a whitespace-separated list, silently dropping invalid entries.

    Runtime matching uses this; invalid entries can only exist if they were
    saved around the admin's validation, and they then match nothing.
    """
    origins: list[str] = []
    for item in value.split():
        try:
            origin = normalize_origin(item)
        except ValueError:
            continue
        if origin not in origins:
            origins.append(origin)
    return origins


def validate_origin_list(value: str) -> None:
    """Django validator for a whitespace-separated list of origins."""
    errors = []
    for item in value.split():
        try:
            normalize_origin(item)
        except ValueError:
            errors.append(item)
    if errors:
        raise ValidationError(
            _("Not an exact origin (scheme://host[:port], no path, no wildcard): %(bad)s"),
            code="invalid_origin",
            params={"bad": ", ".join(errors)},
        )


def origin_matches(request_origin: str | None, registered: list[str]) -> bool:
    """True if the request's ``Origin`` header is exactly a registered origin.

    Browsers send the serialised origin, so no normalisation is applied to the
    header: ``HTTPS://RP.example`` or ``https://rp.example/`` do not match.
    """
    return bool(request_origin) and request_origin != "null" and request_origin in registered
