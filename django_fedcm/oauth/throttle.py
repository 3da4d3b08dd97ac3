"""Brute-force throttling of OAuth client authentication (client secrets at
``/o/token/``, ``/o/revoke_token/``, ``/o/introspect/``), mixed into
:class:`~django_fedcm.oauth.validators.FedCMOAuth2Validator`.

Failures count per client id (a namespace apart from usernames) and per
client address, with the same limits as sign-ins
(docs/security.md#brute-force-protection). A locked-out client id or address
is answered ``429 temporarily_unavailable`` with ``Retry-After`` before its
secret is checked.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import unquote_plus

from django.http import HttpRequest, HttpResponse
from oauthlib.oauth2.rfc6749 import errors

from django_fedcm.services import throttle

__all__ = [
    "ClientAuthenticationThrottled",
    "ClientThrottleMixin",
    "answer_throttled",
    "attempted_client_id",
]


class ClientAuthenticationThrottled(errors.OAuth2Error):  # type: ignore[misc]
    """429 from the token endpoint: too many failed client authentications."""

    error = "temporarily_unavailable"
    status_code = 429

    def __init__(self, retry_after: int, request: Any) -> None:
        self.retry_after = retry_after
        super().__init__(
            description=f"Too many failed client authentications: retry in {retry_after} s.",
            request=request,
        )

    @property
    def headers(self) -> dict[str, str]:
        # RFC 6585 section 4: a 429 may say when to come back.
        return {"Retry-After": str(self.retry_after)}


def attempted_client_id(request: Any) -> str | None:
    """The client id a request authenticates as: HTTP Basic (RFC 6749
    section 2.3.1, form-encoded), else the ``client_id`` form field."""
    headers = getattr(request, "headers", None) or {}
    scheme, _, credentials = str(headers.get("HTTP_AUTHORIZATION", "")).partition(" ")
    if scheme.lower() == "basic":
        try:
            decoded = base64.b64decode(credentials.strip()).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError, ValueError):
            decoded = ""
        client_id, separator, _ = decoded.partition(":")
        if separator:
            return unquote_plus(client_id)
    from_form = getattr(request, "client_id", None)
    return from_form if isinstance(from_form, str) else None


def _presents_secret(request: Any) -> bool:
    """A client secret in HTTP Basic (``id:secret``) or in ``client_secret``."""
    headers = getattr(request, "headers", None) or {}
    scheme, _, credentials = str(headers.get("HTTP_AUTHORIZATION", "")).partition(" ")
    if scheme.lower() == "basic" and credentials.strip():
        return True
    return bool(getattr(request, "client_secret", None))


class ClientThrottleMixin:
    """``authenticate_client`` with the throttle around DOT's own."""

    def authenticate_client(self, request: Any, *args: Any, **kwargs: Any) -> bool:
        if not _presents_secret(request):
            # Nothing guessed: introspection authenticated by a bearer token,
            # or a confidential client that sent no secret.
            return bool(super().authenticate_client(request, *args, **kwargs))  # type: ignore[misc]
        client_id = attempted_client_id(request)
        address = throttle.address_from_meta(getattr(request, "headers", None) or {})
        seconds = throttle.retry_after(kind=throttle.CLIENT, account=client_id, address=address)
        if seconds:
            raise ClientAuthenticationThrottled(seconds, request)
        authenticated = bool(super().authenticate_client(request, *args, **kwargs))  # type: ignore[misc]
        if not authenticated:
            throttle.count_failure(kind=throttle.CLIENT, account=client_id, address=address)
        return authenticated


def answer_throttled(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The ``429`` of :class:`ClientAuthenticationThrottled` where a view lets
    it escape: DOT's introspection view authenticates the client in its own
    ``dispatch``, outside the oauthlib endpoints that turn OAuth errors into
    answers, so a locked-out client got a 500 there."""

    @wraps(view)  # keeps view_class and csrf_exempt
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except ClientAuthenticationThrottled as exc:
            response = HttpResponse(
                exc.json, status=exc.status_code, content_type="application/json"
            )
            for name, value in exc.headers.items():
                response[name] = value
            response["Cache-Control"] = "no-store"
            return response

    return wrapped
