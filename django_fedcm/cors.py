"""CORS for the credentialed FedCM POST endpoints, through django-cors-headers.

Since Chrome 125 the id assertion and disconnect POSTs are CORS requests with
credentials: every answer, errors included, must carry
``Access-Control-Allow-Origin: <the exact Origin>`` and
``Access-Control-Allow-Credentials: true``, never ``*``
(https://w3c-fedid.github.io/FedCM/#sec-cors-header, checklist 30;
https://chromestatus.com/feature/5094763339710464).

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

import logging
from typing import Any

from corsheaders.signals import check_request_enabled
from django.db import DatabaseError, InterfaceError
from django.dispatch import receiver
from django.http import HttpRequest
from django.urls import Resolver404, ResolverMatch, resolve

from django_fedcm.services.registry import origin_is_registered, relying_party_for_request

logger = logging.getLogger(__name__)

#: URL names (in the ``django_fedcm`` namespace) whose answers the RP reads.
CORS_URL_NAMES = frozenset({"id_assertion", "disconnect"})


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
    origin of the ``client_id`` in the request (checklist 27, 30). The lookup
    is kept on the request, so the view that follows does not repeat it.

    When the database fails before the client is found, the ``Origin`` cannot
    be verified and is not approved: the browser then reports a network error
    rather than show the answer to an origin nobody checked
    (docs/security.md, "Database faults")."""
    origin = request.headers.get("Origin")
    if not origin or not _is_fedcm_cors_endpoint(request):
        return False
    try:
        relying_party = relying_party_for_request(request)
    except (DatabaseError, InterfaceError):
        logger.warning("CORS not approved for %s: client lookup failed", request.path)
        return False
    return relying_party is not None and origin_is_registered(relying_party, origin)
