"""Reading the FedCM request form without exceptions.

The browser sends the id assertion and disconnect parameters as an
``application/x-www-form-urlencoded`` body and the client metadata and
user_info parameters in the query string
(https://w3c-fedid.github.io/FedCM/#idp-api-id-assertion-endpoint,
https://w3c-fedid.github.io/FedCM/#idp-api-client-id-metadata-endpoint).
"""

from __future__ import annotations

from django.core.exceptions import BadRequest, SuspiciousOperation
from django.http import HttpRequest, QueryDict
from django.http.multipartparser import MultiPartParserError

_MEMO = "_fedcm_form"
_UNSET = object()


def form_data(request: HttpRequest) -> QueryDict | None:
    """The POST form (the query string for other methods), or ``None`` when
    the body cannot be parsed: too big, too many fields, a non-UTF-8 charset
    on a urlencoded body, broken multipart.

    Django raises these lazily on ``request.POST`` and then leaves an empty
    form behind, so a second read would see "no fields" instead of "broken".
    The first answer is kept on the request: the CORS receiver and the view
    read the same form, parsed once.
    """
    memo = getattr(request, _MEMO, _UNSET)
    if memo is not _UNSET:
        return memo  # type: ignore[return-value]
    data: QueryDict | None
    if request.method != "POST":
        data = request.GET
    else:
        try:
            data = request.POST
        except (SuspiciousOperation, BadRequest, MultiPartParserError, OSError):
            data = None
    setattr(request, _MEMO, data)
    return data


def form_value(request: HttpRequest, name: str) -> str | None:
    """One form field, ``None`` when absent, empty or the body is broken."""
    data = form_data(request)
    value = data.get(name) if data is not None else None
    return value or None
