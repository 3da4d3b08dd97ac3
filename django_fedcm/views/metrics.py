"""``POST /fedcm/metrics``: the browser's report on how a FedCM request went
(config key ``metrics_endpoint``; Chrome behind the ``FedCmMetricsEndpoint``
feature, https://github.com/w3c-fedid/FedCM/issues/352; checklist 69).

404 unless ``FEDCM_METRICS_ENABLED``. Otherwise, in order: 405 unless POST;
400 unless ``Sec-Fetch-Dest: webidentity`` (page scripts cannot set it);
413 for a body over :data:`~django_fedcm.services.metrics.MAX_BODY_BYTES`;
400 for a body that is not a report. A report is stored with one INSERT and
answered ``204``, also when storing it failed: the report comes after the
sign-in has settled and the browser ignores the answer, so nothing here can
fail or slow a sign-in. The session and the user are never read (no query,
nothing to tie a report to a person: docs/security.md, "Browser sign-in
reports").

Exempt from CSRF like the other FedCM POSTs: a report carries no token, and
the credentialed success report carries the IdP's cookies.
"""

from __future__ import annotations

import logging

from django.db import DatabaseError, InterfaceError, connections, router
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.views.decorators.csrf import csrf_exempt

from django_fedcm.conf import fedcm_settings
from django_fedcm.models import SignInMetric
from django_fedcm.services import metrics
from django_fedcm.views.base import INVALID_REQUEST, fedcm_error
from django_fedcm.views.guards import is_webidentity

logger = logging.getLogger(__name__)


def _content_length(request: HttpRequest) -> int:
    try:
        return max(int(request.META.get("CONTENT_LENGTH") or 0), 0)
    except ValueError:
        return 0


def _answer(status: int) -> HttpResponse:
    response = HttpResponse(status=status)
    response["Cache-Control"] = "no-store"
    return response


def _store(report: metrics.Report) -> None:
    """Store the report; a database failure is logged and swallowed."""
    try:
        metrics.record(report)
    except (DatabaseError, InterfaceError):
        logger.warning("FedCM sign-in report not stored: database failure", exc_info=True)
        # Under ATOMIC_REQUESTS the failed INSERT left the request's
        # transaction unusable: roll it back instead of committing it.
        connection = connections[router.db_for_write(SignInMetric)]
        if connection.in_atomic_block:
            connection.set_rollback(True)


@csrf_exempt
def view(request: HttpRequest) -> HttpResponse:
    if not fedcm_settings.METRICS_ENABLED:
        raise Http404("FEDCM_METRICS_ENABLED is off")
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if not is_webidentity(request):
        return fedcm_error(request, INVALID_REQUEST, status=400)
    if _content_length(request) > metrics.MAX_BODY_BYTES:
        return _answer(413)
    try:
        # Read from the stream, never more than the bound plus one byte: the
        # WSGI stream stops at a Content-Length that lied short, and nothing
        # here trusts one that lied long.
        body = request.read(metrics.MAX_BODY_BYTES + 1)
        report = metrics.parse_report(body, request.headers.get("Origin"))
    except (metrics.InvalidReport, OSError):  # OSError: the client went away mid-body
        return fedcm_error(request, INVALID_REQUEST, status=400)
    _store(report)
    return _answer(204)
