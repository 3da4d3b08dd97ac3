"""CORS for the credentialed FedCM POST endpoints, through django-cors-headers.

Since Chrome 125 the id assertion and disconnect POSTs are CORS requests with
credentials: every answer, errors included, must carry
``Access-Control-Allow-Origin: <the exact Origin>`` and
``Access-Control-Allow-Credentials: true``, never ``*`` (FEDCM-IDP-SPEC §1.6,
checklist 30; blink-dev "Intent to Ship: FedCM CORS requirement on ID
assertion endpoint", March 2024).

Why django-cors-headers is enough: its middleware reflects the request's
``Origin`` verbatim (never ``*`` once ``CORS_ALLOW_CREDENTIALS = True``), adds
``Access-Control-Allow-Credentials: true`` and ``Vary: Origin``, and asks the
``check_request_enabled`` signal about origins that are not in its static
lists. The receiver below answers that question per request: yes only for
the two FedCM POST endpoints (found by URL name, so a project prefix or a
custom mount keeps working) and only when the ``Origin`` is registered for the
``client_id`` the request names. The client may be disabled: the RP can then
still read the ``unauthorized_client`` error. A foreign origin gets no CORS
headers, so the browser reports a generic failure and never sees a body.

Requirements (documented in docs/security.md): ``corsheaders`` in
``INSTALLED_APPS``, ``corsheaders.middleware.CorsMiddleware`` in
``MIDDLEWARE``, ``CORS_ALLOW_CREDENTIALS = True`` and no
``CORS_ALLOW_ALL_ORIGINS``. Origins a project lists in ``CORS_ALLOWED_ORIGINS``
are approved by cors-headers before this receiver runs; that only exposes
error bodies to them, because the views refuse a foreign origin before any
token is minted.
"""

from __future__ import annotations

from typing import Any

from corsheaders.signals import check_request_enabled
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, ResolverMatch, resolve

from django_fedcm.internal.post_endpoint import form_data
from django_fedcm.models import RelyingParty
from django_fedcm.services.registry import get_relying_party, origin_is_registered
from django_fedcm.views.base import INVALID_REQUEST, UNAUTHORIZED_CLIENT, fedcm_error

#: URL names (in the ``django_fedcm`` namespace) whose answers the RP reads.
CORS_URL_NAMES = frozenset({"id_assertion", "disconnect"})

_MEMO = "_fedcm_requested_relying_party"
_UNSET = object()


def requested_relying_party(request: HttpRequest) -> RelyingParty | None:
    """The relying party named by the request's ``client_id`` (form body for
    POST, query string otherwise), enabled or not; looked up once per request
    because both the view and the CORS receiver need it."""
    memo: Any = getattr(request, _MEMO, _UNSET)
    if memo is not _UNSET:
        return memo  # type: ignore[no-any-return]
    relying_party = None
    data = form_data(request)
    client_id = data.get("client_id") if data is not None else None
    # A NUL byte is valid form input but not a valid PostgreSQL string literal.
    if client_id and "\x00" not in client_id:
        relying_party = get_relying_party(client_id)
    setattr(request, _MEMO, relying_party)
    return relying_party


def registered_relying_party(request: HttpRequest) -> RelyingParty | HttpResponse:
    """The first checks of both credentialed POST endpoints, the same rule the
    CORS receiver applies: a ``client_id`` (else ``invalid_request``) naming an
    enabled client (28) whose registered origins include the exact ``Origin``
    (27, 56); else ``unauthorized_client``. A foreign origin's error gets no
    CORS headers, so the page only sees a failure."""
    data = form_data(request)
    if data is None or not data.get("client_id"):
        return fedcm_error(request, INVALID_REQUEST)
    relying_party = requested_relying_party(request)
    if relying_party is None or not relying_party.enabled:
        return fedcm_error(request, UNAUTHORIZED_CLIENT)
    if not origin_is_registered(relying_party, request.headers.get("Origin")):
        return fedcm_error(request, UNAUTHORIZED_CLIENT)
    return relying_party


def _is_fedcm_cors_endpoint(request: HttpRequest) -> bool:
    match: ResolverMatch | None = getattr(request, "resolver_match", None)
    if match is None:  # asked before URL resolution (restrictive CORS_URLS_REGEX)
        try:
            match = resolve(request.path_info, getattr(request, "urlconf", None))
        except Resolver404:
            return False
    return "django_fedcm" in match.app_names and match.url_name in CORS_URL_NAMES


@receiver(check_request_enabled, dispatch_uid="django_fedcm.cors.allow_registered_origin")
def allow_registered_origin(sender: Any, request: HttpRequest, **kwargs: Any) -> bool:
    """Approve CORS for a FedCM POST endpoint when the ``Origin`` is a registered
    origin of the ``client_id`` in the request (checklist 27, 30)."""
    origin = request.headers.get("Origin")
    if not origin or not _is_fedcm_cors_endpoint(request):
        return False
    relying_party = requested_relying_party(request)
    return relying_party is not None and origin_is_registered(relying_party, origin)
