"""The shell shared by the two credentialed FedCM POST endpoints (id assertion
and disconnect, FEDCM-IDP-SPEC §1.6, §1.7): POST only, the ``Sec-Fetch-Dest``
guard, the response headers every answer needs, and form parsing that turns
broken bodies into ``None`` instead of an exception.

CORS headers are *not* written here: django-cors-headers adds them, approved
by :mod:`django_fedcm.cors`.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.core.exceptions import BadRequest, SuspiciousOperation
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, QueryDict
from django.http.multipartparser import MultiPartParserError
from django.utils.cache import patch_vary_headers

from django_fedcm.views.base import require_webidentity

View = Callable[[HttpRequest], HttpResponse]


def fedcm_post(view: View) -> View:
    """POST only (405 otherwise), ``Sec-Fetch-Dest: webidentity`` required, and
    ``Cache-Control: no-store`` + ``Vary: Origin`` on every answer (checklist
    31), including the 405 and 400 ones: the body depends on the ``Origin``
    and the session, so no cache may reuse it for another RP or user."""
    guarded = require_webidentity(view)

    @wraps(view)
    def wrapped(request: HttpRequest) -> HttpResponse:
        if request.method != "POST":
            response: HttpResponse = HttpResponseNotAllowed(["POST"])
        else:
            response = guarded(request)
        response["Cache-Control"] = "no-store"
        patch_vary_headers(response, ("Origin",))
        return response

    return wrapped


def form_data(request: HttpRequest) -> QueryDict | None:
    """The POST form, or ``None`` when the body cannot be parsed (too big, too
    many fields, a non-UTF-8 charset on a urlencoded body, broken multipart).

    Django raises these lazily on ``request.POST``; callers answer
    ``invalid_request`` instead of letting a 400 page without CORS headers
    (or a 500) reach the browser.
    """
    if request.method != "POST":
        return request.GET
    try:
        return request.POST
    except (SuspiciousOperation, BadRequest, MultiPartParserError, OSError):
        return None
