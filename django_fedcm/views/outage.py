"""``503`` instead of Django's HTML 500 when the database connection fails.

PostgreSQL restarting, a failover, or a proxy dropping the app's connections
makes every query raise ``OperationalError`` or ``InterfaceError`` until
Django replaces the connection at the next request. A retry will succeed, so
the honest answer is ``503 Service Unavailable`` with ``Retry-After``
(https://www.rfc-editor.org/rfc/rfc9110#section-15.6.4), in the form the
caller can read:

* the FedCM JSON endpoints: the FedCM error object
  (:func:`django_fedcm.views.guards.json_on_database_error`, which also maps
  other database errors to ``server_error``);
* the key set, the discovery documents, the account picture and the OAuth
  door's JSON endpoints: :func:`json_when_database_down`, an OAuth-style
  ``{"error": "temporarily_unavailable"}``
  (https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2.1);
* the pages a person sees (login popup, consent, connected apps, the
  getUserInfo button, IdP registration, OAuth authorization, logout):
  :func:`page_when_database_down`, the translated help page for
  ``temporarily_unavailable``.

Only a failed *connection* is answered here. Any other database error (a
missing migration, a broken constraint) is a defect a retry will not fix, and
stays Django's 500 with its log entry. docs/security.md, "Database faults".
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.db import InterfaceError, OperationalError, connections
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string

from django_fedcm.views.base import TEMPORARILY_UNAVAILABLE
from django_fedcm.views.error import EXPLANATIONS, TEMPLATE

logger = logging.getLogger(__name__)

#: Seconds a client is told to wait: long enough for Django to replace the
#: connection and for a failover to finish its first step, short enough that
#: a person retrying by hand is not turned away for long.
RETRY_AFTER_SECONDS = 5

#: The exceptions of a connection that failed, which a retry may outlive.
CONNECTION_ERRORS = (OperationalError, InterfaceError)

Answer = Callable[[HttpRequest], HttpResponse]


def abandon_request(request: HttpRequest, exc: BaseException) -> None:
    """Log the failure (with its traceback: the exception goes no further) and
    mark every open transaction for rollback. Under ``ATOMIC_REQUESTS`` the
    view runs inside ``transaction.atomic()``; an answer instead of an
    exception would otherwise commit what the failed request half wrote. A
    rollback on a dead connection just closes it."""
    logger.error("%s answered an error: database failure", request.path, exc_info=exc)
    for connection in connections.all(initialized_only=True):
        if connection.in_atomic_block:
            connection.set_rollback(True)


def unavailable(response: HttpResponse) -> HttpResponse:
    """``response`` as a 503 that no cache keeps and a client may retry."""
    response.status_code = 503
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def _answer_when_database_down(answer: Answer) -> Callable[[Callable[..., Any]], Any]:
    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)  # keeps csrf_exempt, view_class and the like
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            try:
                return view(request, *args, **kwargs)
            except CONNECTION_ERRORS as exc:
                abandon_request(request, exc)
                return unavailable(answer(request))

        return wrapped

    return decorator


def _json_answer(request: HttpRequest) -> HttpResponse:
    return JsonResponse({"error": TEMPORARILY_UNAVAILABLE})


def _page_answer(request: HttpRequest) -> HttpResponse:
    title, explanation = EXPLANATIONS[TEMPORARILY_UNAVAILABLE]
    context = {"code": TEMPORARILY_UNAVAILABLE, "title": title, "explanation": explanation}
    # No request: its context processors would load the user, from the
    # database that just failed.
    return HttpResponse(render_to_string(TEMPLATE, context))


#: For JSON documents and API endpoints.
json_when_database_down = _answer_when_database_down(_json_answer)

#: For pages a person reads.
page_when_database_down = _answer_when_database_down(_page_answer)
