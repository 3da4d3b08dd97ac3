"""The one prologue for FedCM requests: method, ``Sec-Fetch-Dest``, the form,
the client and its origin.

* :func:`require_webidentity`: the credentialed GET (accounts endpoint) must
  carry ``Sec-Fetch-Dest: webidentity``.
* :func:`credentialed_post`: the id assertion and disconnect endpoints. POST
  only, ``Sec-Fetch-Dest: webidentity``, a ``client_id`` naming an enabled
  client whose registered origins include the exact ``Origin``; the view is
  called with that client and the parsed form. Every answer, errors included,
  has ``Cache-Control: no-store`` and ``Vary: Origin``.
* :func:`requested_client` and :func:`client_for_origin`: the client named by
  the request, for every view that needs one (client metadata, user_info and
  the two above). The lookup is shared with the CORS receiver in
  :mod:`django_fedcm.cors`: one query per request, the form parsed once.
* :func:`json_on_database_error`: a database failure in a FedCM JSON endpoint
  (accounts, client metadata and the two above) is answered with a FedCM error
  object instead of Django's HTML 500 (docs/security.md, "Database faults").

CORS headers are not written here: django-cors-headers adds them, approved by
:mod:`django_fedcm.cors` (https://w3c-fedid.github.io/FedCM/#sec-cors-header).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import ParamSpec

from django.db import DatabaseError, InterfaceError
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, QueryDict
from django.utils.cache import patch_vary_headers

from django_fedcm.internal.forms import form_data
from django_fedcm.models import RelyingParty
from django_fedcm.services.registry import origin_is_registered, relying_party_for_request
from django_fedcm.views.base import (
    INVALID_REQUEST,
    SERVER_ERROR,
    TEMPORARILY_UNAVAILABLE,
    UNAUTHORIZED_CLIENT,
    fedcm_error,
)
from django_fedcm.views.outage import CONNECTION_ERRORS, abandon_request, unavailable

P = ParamSpec("P")

#: A view behind :func:`credentialed_post`: request, the checked client, the form.
CredentialedView = Callable[[HttpRequest, RelyingParty, QueryDict], HttpResponse]


def is_webidentity(request: HttpRequest) -> bool:
    """``Sec-Fetch-Dest: webidentity`` is a forbidden header: page JavaScript
    cannot set it, so it proves the browser's FedCM machinery sent the request.
    With ``SameSite=None`` cookies this is the CSRF defence
    (https://w3c-fedid.github.io/FedCM/#unauthorized-fetching)."""
    return request.headers.get("Sec-Fetch-Dest", "").lower() == "webidentity"


def database_error_response(request: HttpRequest, exc: Exception) -> HttpResponse:
    """The FedCM answer to a failed query: ``temporarily_unavailable`` (503,
    with ``Retry-After``) when the connection failed (server restarting,
    connections dropped), so the next attempt may succeed; ``server_error``
    (500) for any other database error, which will not go away on a retry.
    Logged with the traceback, since the exception goes no further, and the
    request's open transactions rolled back (:func:`.outage.abandon_request`)."""
    abandon_request(request, exc)
    if isinstance(exc, CONNECTION_ERRORS):
        return unavailable(fedcm_error(request, TEMPORARILY_UNAVAILABLE))
    return fedcm_error(request, SERVER_ERROR, status=500)


def json_on_database_error(view: Callable[P, HttpResponse]) -> Callable[P, HttpResponse]:
    """Answer a database failure with :func:`database_error_response`.

    Django's HTML 500 would carry no CORS headers, so the browser would
    report a network error to the RP instead of the FedCM error. CORS stays
    with django-cors-headers: the ``Origin`` is approved only if the client
    lookup succeeded before the failure (:mod:`django_fedcm.cors`). Django
    replaces the broken connection when the next request starts.
    """

    @wraps(view)
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> HttpResponse:
        try:
            return view(*args, **kwargs)
        except (DatabaseError, InterfaceError) as exc:
            request = args[0]
            assert isinstance(request, HttpRequest)
            return database_error_response(request, exc)

    return wrapped


def require_webidentity(view: Callable[P, HttpResponse]) -> Callable[P, HttpResponse]:
    """400 (with a FedCM error body) unless ``Sec-Fetch-Dest: webidentity``."""

    @wraps(view)
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> HttpResponse:
        request = args[0]
        assert isinstance(request, HttpRequest)
        if not is_webidentity(request):
            return fedcm_error(request, INVALID_REQUEST, status=400)
        return view(*args, **kwargs)

    return wrapped


def requested_client(request: HttpRequest) -> RelyingParty | None:
    """The client named by the request's ``client_id`` (form body for POST,
    query string otherwise), enabled or not; looked up once per request."""
    return relying_party_for_request(request)


def client_for_origin(request: HttpRequest) -> RelyingParty | None:
    """The requested client if it is enabled and its registered origins
    include the request's exact ``Origin`` (checklist 23, 27, 28)."""
    relying_party = requested_client(request)
    if (
        relying_party is None
        or not relying_party.enabled
        or not origin_is_registered(relying_party, request.headers.get("Origin"))
    ):
        return None
    return relying_party


def _checked_client(request: HttpRequest) -> tuple[RelyingParty, QueryDict] | HttpResponse:
    """A parsed form with a ``client_id`` (else ``invalid_request``) naming an
    enabled client registered for the ``Origin`` (else ``unauthorized_client``).
    A foreign origin's error gets no CORS headers, so the page only sees a
    failure."""
    form = form_data(request)
    if form is None or not form.get("client_id"):
        return fedcm_error(request, INVALID_REQUEST)
    relying_party = client_for_origin(request)
    if relying_party is None:
        return fedcm_error(request, UNAUTHORIZED_CLIENT)
    return relying_party, form


@json_on_database_error
def _guarded(request: HttpRequest, view: CredentialedView) -> HttpResponse:
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if not is_webidentity(request):
        return fedcm_error(request, INVALID_REQUEST, status=400)
    checked = _checked_client(request)
    if isinstance(checked, HttpResponse):
        return checked
    return view(request, *checked)


def credentialed_post(view: CredentialedView) -> Callable[[HttpRequest], HttpResponse]:
    """The prologue of the id assertion and disconnect endpoints
    (https://w3c-fedid.github.io/FedCM/#idp-api-id-assertion-endpoint,
    https://w3c-fedid.github.io/FedCM/#idp-api-disconnect-endpoint).

    In order: 405 unless POST; 400 unless ``Sec-Fetch-Dest: webidentity``
    (checklist 25); then the client checks of :func:`_checked_client`. A
    database failure anywhere in the guard or the view is answered by
    :func:`database_error_response`. Every answer gets ``Cache-Control:
    no-store`` and ``Vary: Origin`` (checklist 31): the body depends on the
    ``Origin`` and the session, so no cache may reuse it for another RP or user.
    """

    @wraps(view)
    def wrapped(request: HttpRequest) -> HttpResponse:
        response = _guarded(request, view)
        response["Cache-Control"] = "no-store"
        patch_vary_headers(response, ("Origin",))
        return response

    return wrapped
