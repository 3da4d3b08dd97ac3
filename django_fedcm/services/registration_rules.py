"""What a relying-party registration may hold: the rules the REST API and the
admin share (through :mod:`django_fedcm.services.registrations`, which applies
them before every write).

* origins are exact (``scheme://host[:port]``, see
  :mod:`django_fedcm.internal.origins`);
* with ``DEBUG = False`` origins, terms, privacy and icon URLs must be
  ``https`` unless the host is ``localhost`` / ``127.0.0.1`` / ``[::1]``
  (FedCM is only exposed to secure contexts, and the browser fetches the
  icon and shows the links to users);
* origins also use a scheme in django-oauth-toolkit's
  ``OAUTH2_PROVIDER["ALLOWED_SCHEMES"]`` (default ``["https"]``), which its
  ``Application.clean()`` applies to them: a registration the API accepts
  can always be saved again in the admin;
* at most :data:`MAX_ORIGINS` origins and :data:`MAX_REDIRECT_URIS` redirect
  URIs, so validating one registration stays cheap (docs/models.md).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator, URLValidator
from django.utils.translation import gettext as _
from oauth2_provider.settings import oauth2_settings

from django_fedcm.internal.origins import normalize_origin, validate_origin_list
from django_fedcm.models import RelyingParty

__all__ = [
    "APPLICATION_FIELDS",
    "APPLICATION_MODEL_FIELDS",
    "CLIENT_TYPES",
    "EDITABLE_FIELDS",
    "LOCAL_HOSTS",
    "MAX_ORIGINS",
    "MAX_REDIRECT_URIS",
    "PUBLIC_URL_FIELDS",
    "RELYING_PARTY_FIELDS",
    "application_data",
    "clean_allowed_origins",
    "clean_origins",
    "clean_redirect_uris",
    "clean_registration",
    "relying_party_data",
    "validate_client_id",
    "validate_public_url",
]

#: Hosts that count as a secure context over plain http
#: (https://w3c.github.io/webappsec-secure-contexts/#is-origin-trustworthy).
LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})

#: Most origins one registration may hold. Each is checked on every write; a
#: relying party needs a handful (a site, its staging and mobile-web hosts).
MAX_ORIGINS = 100
#: Most OAuth redirect URIs one registration may hold.
MAX_REDIRECT_URIS = 100

#: Editable fields stored on the OAuth application.
APPLICATION_FIELDS = ("name", "origins", "redirect_uris")
#: Editable fields stored on the relying party.
RELYING_PARTY_FIELDS = (
    "enabled",
    "terms_of_service_url",
    "privacy_policy_url",
    "icon_url",
    "icon_size",
    "client_is_third_party",
    "require_user_action",
    "structured_tokens",
)
EDITABLE_FIELDS = APPLICATION_FIELDS + RELYING_PARTY_FIELDS
#: Application model fields behind :data:`APPLICATION_FIELDS` (their values are
#: audited; other application fields are audited by name only).
APPLICATION_MODEL_FIELDS = {
    "name": "name",
    "origins": "allowed_origins",
    "redirect_uris": "redirect_uris",
}
PUBLIC_URL_FIELDS = ("terms_of_service_url", "privacy_policy_url", "icon_url")
CLIENT_TYPES = ("public", "confidential")

validate_client_id = RegexValidator(
    r"^[A-Za-z0-9._~:-]{1,100}\Z",
    _("Use 1 to 100 letters, digits or . _ ~ : - (the client_id travels in URLs and forms)."),
    code="invalid_client_id",
)


def _secure_or_local(value: str) -> bool:
    parts = urlsplit(value)
    return parts.scheme == "https" or settings.DEBUG or (parts.hostname or "") in LOCAL_HOSTS


def validate_public_url(value: str) -> None:
    """Django validator for terms / privacy / icon URLs (empty is allowed)."""
    if not value:
        return
    URLValidator(schemes=["http", "https"])(value)
    if not _secure_or_local(value):
        raise ValidationError(
            _("Use an https:// URL (http is accepted only for localhost or with DEBUG=True)."),
            code="https_required",
        )


def _check_count(items: list[str], most: int, message: str) -> None:
    # Before any per-item work: the count alone bounds the cost of the rest.
    if len(items) > most:
        raise ValidationError(message, code="too_many", params={"max": most, "count": len(items)})


def clean_origins(values: Iterable[str]) -> list[str]:
    """Normalised, de-duplicated exact origins; at least one and at most
    :data:`MAX_ORIGINS` are required."""
    schemes = {scheme.lower() for scheme in oauth2_settings.ALLOWED_SCHEMES}
    items = list(values)
    _check_count(items, MAX_ORIGINS, _("Register at most %(max)d origins (%(count)d given)."))
    bad = [item for item in items if len(item.split()) != 1]
    if bad:
        raise ValidationError(
            _("One origin per entry, without spaces: %(bad)s"),
            code="invalid_origin",
            params={"bad": ", ".join(repr(b) for b in bad)},
        )
    validate_origin_list(" ".join(items))
    origins: dict[str, None] = {}  # ordered, and a set's lookups
    for item in items:
        origin = normalize_origin(item)
        if not _secure_or_local(origin):
            raise ValidationError(
                _("Origin %(origin)s must use https (FedCM needs a secure context)."),
                code="https_required",
                params={"origin": origin},
            )
        if origin.partition(":")[0] not in schemes:
            raise ValidationError(
                _(
                    'Origin %(origin)s: its scheme is not in OAUTH2_PROVIDER["ALLOWED_SCHEMES"] '
                    '(add "http" there for a local relying party in development).'
                ),
                code="scheme_not_allowed",
                params={"origin": origin},
            )
        origins[origin] = None
    if not origins:
        raise ValidationError(_("Register at least one origin."), code="required")
    return list(origins)


def clean_redirect_uris(values: Iterable[str]) -> list[str]:
    """OAuth redirect URIs, validated like django-oauth-toolkit does (optional;
    at most :data:`MAX_REDIRECT_URIS`)."""
    from oauth2_provider.validators import AllowedURIValidator

    validator = AllowedURIValidator(
        oauth2_settings.ALLOWED_REDIRECT_URI_SCHEMES,
        name="redirect uri",
        allow_path=True,
        allow_query=True,
    )
    items = list(values)
    _check_count(
        items, MAX_REDIRECT_URIS, _("Register at most %(max)d redirect URIs (%(count)d given).")
    )
    uris: dict[str, None] = {}  # ordered, and a set's lookups
    for item in items:
        if len(item.split()) != 1:
            raise ValidationError(
                _("One redirect URI per entry, without spaces."), code="invalid_redirect_uri"
            )
        validator(item)
        uris[item] = None
    return list(uris)


def clean_registration(data: Mapping[str, Any]) -> dict[str, Any]:
    """Validate (and normalise) the editable fields present in ``data``.

    Raises one :class:`~django.core.exceptions.ValidationError` keyed by field
    name with every problem found. Type coercion is the caller's job (a
    serializer or a form); this applies the business rules.
    """
    cleaned: dict[str, Any] = {}
    errors: dict[str, list[ValidationError]] = {}

    def attempt(name: str, clean: Any) -> None:
        if name not in data:
            return
        try:
            cleaned[name] = clean(data[name])
        except ValidationError as exc:
            errors[name] = exc.error_list

    def clean_name(value: str) -> str:
        value = str(value).strip()
        if not value:
            raise ValidationError(_("A name is required (the browser shows it)."), code="required")
        return value

    def clean_url(value: str) -> str:
        value = str(value or "").strip()
        validate_public_url(value)
        return value

    def clean_bool(value: Any) -> bool:
        if not isinstance(value, bool):
            raise ValidationError(_("Must be true or false."), code="invalid")
        return value

    def clean_icon_size(value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 32767:
            raise ValidationError(_("A whole number of pixels, 1 to 32767."), code="invalid")
        return value

    attempt("name", clean_name)
    attempt("origins", clean_origins)
    attempt("redirect_uris", clean_redirect_uris)
    for name in PUBLIC_URL_FIELDS:
        attempt(name, clean_url)
    for name in ("enabled", "client_is_third_party", "require_user_action", "structured_tokens"):
        attempt(name, clean_bool)
    attempt("icon_size", clean_icon_size)
    if errors:
        raise ValidationError(errors)
    return cleaned


def clean_allowed_origins(value: str) -> str:
    """An application's ``allowed_origins`` text (whitespace separated),
    checked by :func:`clean_origins` and normalised; empty stays empty (an
    OAuth client without a relying party may have none)."""
    entries = (value or "").split()
    return " ".join(clean_origins(entries)) if entries else ""


def application_data(application: Any) -> dict[str, Any]:
    """The :data:`APPLICATION_FIELDS` of an application as
    :func:`clean_registration` takes them."""
    return {
        "name": application.name,
        "origins": (application.allowed_origins or "").split(),
        "redirect_uris": (application.redirect_uris or "").split(),
    }


def relying_party_data(relying_party: RelyingParty) -> dict[str, Any]:
    """The :data:`RELYING_PARTY_FIELDS` of a relying party."""
    return {name: getattr(relying_party, name) for name in RELYING_PARTY_FIELDS}
