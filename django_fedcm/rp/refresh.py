"""Renew a signed-in user's ID token with the OAuth refresh token: the RP
backend's half of session renewal (docs/rp-integration.md, "Keeping users
signed in").

The RP backend keeps the refresh token (the browser never sees it). When the
page's SDK asks (``DjangoFedCM.keepSignedIn({refreshEndpoint})``), the backend
calls :meth:`TokenRefresher.refresh`: one ``grant_type=refresh_token`` request
to the IdP's token endpoint (RFC 6749 §6), bounded like the JWKS fetch (one
deadline for the whole exchange, a size cap, no redirects), then two checks of
the new ID token:

* :class:`~django_fedcm.rp.IdTokenVerifier` (signature, ``iss``,
  ``aud``/``azp``, ``exp``, ``iat``) with its nonce check off: a refresh is not
  an authentication request, so there is no fresh nonce to bind to;
* continuity with the ID token the session started with (OpenID Connect Core
  §12.2): the same ``iss``, ``sub``, ``aud`` and ``azp``; ``auth_time``, when
  both carry one, unchanged; ``iat`` not earlier. The refreshed token SHOULD
  NOT carry a ``nonce``; one that does must carry the original's, so the nonce
  check still fails closed: any other nonce, or one where the original had
  none, is :class:`~django_fedcm.rp.InvalidNonce`.

Standard library and :mod:`django_fedcm.rp` only: usable without Django.
"""

from __future__ import annotations

import base64
import hmac
import json
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django_fedcm.rp import fetch as _http
from django_fedcm.rp.exceptions import (
    InvalidAudience,
    InvalidIssuer,
    InvalidNonce,
    InvalidToken,
)
from django_fedcm.rp.verifier import IdTokenVerifier

__all__ = [
    "DEFAULT_TIMEOUT",
    "MAX_RESPONSE_BYTES",
    "Post",
    "RefreshError",
    "RefreshRejected",
    "RefreshUnavailable",
    "RefreshedTokens",
    "TokenRefresher",
    "check_continuity",
    "post_form",
]

#: Deadline of one whole token request, in seconds.
DEFAULT_TIMEOUT = 5.0

#: Largest token endpoint answer read.
MAX_RESPONSE_BYTES = 64 * 1024

#: ``post(url, body, headers, timeout) -> (status, body)``; ``timeout`` is the
#: deadline of the whole request, and an error status is returned, not raised.
Post = Callable[[str, bytes, Mapping[str, str], float], tuple[int, bytes]]

# Error codes an IdP may send for a refresh it will not honour: the user must
# sign in again (RFC 6749 §5.2). Anything else may pass and is retried.
_PERMANENT_STATUSES = (400, 401, 403)
_RETRYABLE_ERRORS = frozenset({"temporarily_unavailable", "server_error", "slow_down"})
_ERROR_CODE = re.compile(r"[a-z_]{1,64}")


class RefreshError(Exception):
    """The refresh gave no new ID token. ``error`` is the OAuth error code
    (RFC 6749 §5.2); messages never contain a token."""

    retryable = False

    def __init__(self, error: str, message: str) -> None:
        super().__init__(message)
        self.error = error


class RefreshRejected(RefreshError):
    """The IdP refused the refresh token (``invalid_grant``: revoked, expired,
    already used; ``invalid_client``): sign the user out of the RP."""


class RefreshUnavailable(RefreshError):
    """The IdP could not be asked, or failed (timeout, HTTP 5xx or 429, a
    malformed answer): keep the session and try again later."""

    retryable = True


@dataclass(frozen=True)
class RefreshedTokens:
    """What a successful refresh returns. Store ``refresh_token`` in place of
    the old one: when the IdP rotates it (``rotated``), the old one is dead."""

    id_token: str
    claims: dict[str, Any]
    refresh_token: str
    rotated: bool
    access_token: str | None
    expires_in: int | None
    scope: str | None


class TokenRefresher:
    """Exchanges refresh tokens for one client of one issuer. Create it once
    next to the :class:`~django_fedcm.rp.IdTokenVerifier` it uses.

    ``token_endpoint`` defaults to ``<issuer>/o/token/`` (the OAuth door's usual
    mount; read ``token_endpoint`` from the discovery document if it differs).
    A confidential client passes ``client_secret`` (sent with HTTP Basic,
    RFC 6749 §2.3.1); a public one sends its ``client_id`` in the form.
    ``post`` replaces the standard-library HTTP call (see :data:`Post`);
    whatever it raises is a :class:`RefreshUnavailable`.
    """

    def __init__(
        self,
        *,
        verifier: IdTokenVerifier,
        token_endpoint: str | None = None,
        client_secret: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        max_bytes: int = MAX_RESPONSE_BYTES,
        post: Post | None = None,
    ) -> None:
        self.verifier = verifier
        self.token_endpoint = token_endpoint or f"{verifier.issuer}/o/token/"
        if not self.token_endpoint.startswith(("https://", "http://")):
            raise ValueError("The token endpoint must be an http(s) URL.")
        self.client_secret = client_secret
        self.timeout = timeout
        self.max_bytes = max_bytes
        self._post: Post = post or (
            lambda url, body, headers, deadline: post_form(url, body, headers, deadline, max_bytes)
        )

    def refresh(
        self,
        refresh_token: str,
        *,
        previous_claims: Mapping[str, Any],
        scope: str | None = None,
    ) -> RefreshedTokens:
        """Exchange ``refresh_token``; return the new tokens, their ID token verified.

        ``previous_claims`` are the verified claims of the ID token the
        session started with (or of the last refresh). Raises
        :class:`RefreshRejected`, :class:`RefreshUnavailable`, or a
        :class:`~django_fedcm.rp.TokenVerificationError` for the new ID token
        (``JWKSFetchError`` among them, which is worth a retry).
        """
        if not isinstance(previous_claims, Mapping) or not isinstance(
            previous_claims.get("sub"), str
        ):
            raise TypeError("previous_claims must be the claims of the session's ID token.")
        if not isinstance(refresh_token, str) or not refresh_token:
            raise RefreshRejected("invalid_grant", "There is no refresh token to use.")
        status, answer = self._request(refresh_token, scope)
        if status != 200:
            error = answer.get("error") if isinstance(answer, dict) else None
            code = error if isinstance(error, str) and _ERROR_CODE.fullmatch(error) else None
            if status in _PERMANENT_STATUSES and code not in _RETRYABLE_ERRORS:
                raise RefreshRejected(
                    code or "invalid_grant", f"The IdP refused the refresh (HTTP {status})."
                )
            raise RefreshUnavailable(
                code or "temporarily_unavailable", f"The token endpoint answered HTTP {status}."
            )
        if not isinstance(answer, dict):
            raise RefreshUnavailable("temporarily_unavailable", "The answer is not a JSON object.")
        return self._tokens(answer, refresh_token, previous_claims)

    def _request(self, refresh_token: str, scope: str | None) -> tuple[int, Any]:
        form = {"grant_type": "refresh_token", "refresh_token": refresh_token}
        headers = {
            "Accept": "application/json",
            "Content-Type": "application/x-www-form-urlencoded",
            "User-Agent": "django-fedcm-rp",
        }
        client_id = self.verifier.client_id
        if self.client_secret is None:
            form["client_id"] = client_id
        else:  # RFC 6749 §2.3.1: both parts form-encoded before Basic
            pair = f"{urllib.parse.quote_plus(client_id)}:"
            pair += urllib.parse.quote_plus(self.client_secret)
            headers["Authorization"] = "Basic " + base64.b64encode(pair.encode()).decode()
        if scope:
            form["scope"] = scope
        body = urllib.parse.urlencode(form).encode()
        try:
            status, raw = self._post(self.token_endpoint, body, headers, self.timeout)
        except Exception as exc:  # any transport failure: try again later
            raise RefreshUnavailable(
                "temporarily_unavailable", "The token endpoint could not be reached in time."
            ) from exc
        if len(raw) > self.max_bytes:
            raise RefreshUnavailable("temporarily_unavailable", "The answer is too large.")
        try:
            return status, json.loads(raw)
        except ValueError:
            return status, None

    def _tokens(
        self, answer: dict[str, Any], presented: str, previous: Mapping[str, Any]
    ) -> RefreshedTokens:
        id_token = answer.get("id_token")
        if not isinstance(id_token, str):
            raise InvalidToken("The refresh answer has no ID token (is the openid scope granted?).")
        claims = self.verifier.verify(id_token, nonce=False)
        check_continuity(claims, previous)
        new_refresh = answer.get("refresh_token")
        rotated = isinstance(new_refresh, str) and bool(new_refresh)
        kept = new_refresh if isinstance(new_refresh, str) and new_refresh else presented
        access_token, expires_in, scope = (
            answer.get("access_token"),
            answer.get("expires_in"),
            answer.get("scope"),
        )
        return RefreshedTokens(
            id_token=id_token,
            claims=claims,
            refresh_token=kept,
            rotated=rotated,
            access_token=access_token if isinstance(access_token, str) else None,
            expires_in=expires_in if type(expires_in) is int else None,
            scope=scope if isinstance(scope, str) else None,
        )


def check_continuity(claims: Mapping[str, Any], previous: Mapping[str, Any]) -> None:
    """OpenID Connect Core §12.2: a refreshed ID token speaks of the same
    authentication as the original."""
    for name, error in (
        ("iss", InvalidIssuer),
        ("sub", InvalidToken),
        ("aud", InvalidAudience),
        ("azp", InvalidAudience),
    ):
        if claims.get(name) != previous.get(name):
            raise error(f"The refreshed ID token's {name} differs from the original's.")
    both = "auth_time" in claims and "auth_time" in previous
    if both and claims["auth_time"] != previous["auth_time"]:
        raise InvalidToken("The refreshed ID token's auth_time differs from the original's.")
    earlier = previous.get("iat")
    if isinstance(earlier, int | float) and claims["iat"] < earlier:
        raise InvalidToken("The refreshed ID token was issued before the original.")
    nonce = claims.get("nonce")
    if nonce is not None:
        original = previous.get("nonce")
        if not (
            isinstance(nonce, str)
            and isinstance(original, str)
            and hmac.compare_digest(nonce.encode(), original.encode())
        ):
            raise InvalidNonce("A refreshed ID token may carry only the original nonce.")


def post_form(
    url: str, body: bytes, headers: Mapping[str, str], timeout: float, max_bytes: int
) -> tuple[int, bytes]:
    """POST ``body`` within ``timeout`` seconds in all (the deadline of
    :mod:`django_fedcm.rp.fetch`: connect, TLS, headers and body); read at most
    ``max_bytes + 1`` bytes. Redirects are not followed: a token endpoint has
    no reason to send one, and a POST body must not follow it elsewhere."""
    if not url.startswith(("https://", "http://")):
        raise ValueError("The token endpoint must be an http(s) URL.")
    deadline = time.monotonic() + timeout
    opener = urllib.request.build_opener(
        _NoRedirects, _http._HTTPHandler(deadline), _http._HTTPSHandler(deadline)
    )
    request = urllib.request.Request(  # noqa: S310 - scheme checked above
        url, data=body, headers=dict(headers), method="POST"
    )
    try:
        response: Any = opener.open(request, timeout=timeout)
    except urllib.error.HTTPError as exc:  # an error status still has a body to read
        response = exc
    with response:
        length = response.headers.get("Content-Length", "")
        if length.isdigit() and int(length) > max_bytes:
            raise ValueError("The token endpoint's answer is too large.")
        data: bytes = response.read(max_bytes + 1)
        return int(response.getcode()), data


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(
        self, req: Any, fp: Any, code: int, msg: str, headers: Any, newurl: str
    ) -> None:
        return None  # the 3xx surfaces as an HTTPError: retried, never followed
