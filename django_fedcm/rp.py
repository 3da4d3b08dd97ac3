"""Relying-party side: verify ID tokens issued by a django-fedcm identity provider.

Public and dependency-light (stdlib ``urllib`` + jwcrypto), so an RP backend
that is not a Django project can use it too::

    from django_fedcm.rp import IdTokenVerifier

    verifier = IdTokenVerifier(issuer="https://idp.example", client_id="my-rp")
    claims = verifier.verify(token, nonce=expected_nonce)

The same verifier accepts tokens from both doors: the FedCM id assertion
endpoint and DOT's OIDC token endpoint sign with the same key set and name the
same issuer (docs/oauth-and-fedcm.md).

Checks (OpenID Connect Core §3.1.3.7): signature against the IdP's JWKS (the
key named by ``kid``; an unknown ``kid`` refetches the JWKS, at most once per
``min_refetch_interval``), ``alg`` in the allowed list (never ``none``),
``iss``, ``aud`` (a string, or a list containing ``client_id``; with several
audiences ``azp`` must be ``client_id``), ``exp`` and ``iat`` with leeway, and
``nonce`` when the caller passes one. Every failure raises a subclass of
:class:`TokenVerificationError`.
"""

from __future__ import annotations

import hmac
import http.client
import json
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable
from typing import Any

from jwcrypto import jwk, jws
from jwcrypto.common import JWException

__all__ = [
    "DEFAULT_ALGORITHMS",
    "IdTokenVerifier",
    "InvalidAudience",
    "InvalidIssuer",
    "InvalidNonce",
    "InvalidSignature",
    "InvalidToken",
    "JWKSClient",
    "JWKSFetchError",
    "TokenExpired",
    "TokenVerificationError",
    "UnknownKey",
]

#: The algorithms ``fedcm_keys`` can create (django_fedcm.conf.ALGORITHMS).
DEFAULT_ALGORITHMS: tuple[str, ...] = ("RS256", "ES256", "EdDSA")

#: Largest JWKS document / token accepted: bounds memory for hostile input.
MAX_JWKS_BYTES = 256 * 1024
MAX_TOKEN_BYTES = 16 * 1024

Fetch = Callable[[str, float], bytes]


# --------------------------------------------------------------------------- errors


class TokenVerificationError(Exception):
    """The token must not be trusted. ``error`` is the RFC 6750 error code an
    API should answer with; messages never contain the token itself."""

    error = "invalid_token"


class InvalidToken(TokenVerificationError):
    """Not a well-formed JWS compact token, or its claims are malformed."""


class InvalidSignature(TokenVerificationError):
    """The signature does not verify, or ``alg`` is not allowed."""


class UnknownKey(TokenVerificationError):
    """No key in the IdP's JWKS (even after a refetch) matches the token's ``kid``."""


class InvalidIssuer(TokenVerificationError):
    """``iss`` is not the expected issuer."""


class InvalidAudience(TokenVerificationError):
    """The token was issued for another client (``aud`` / ``azp``)."""


class TokenExpired(TokenVerificationError):
    """``exp`` is in the past (beyond the leeway)."""


class InvalidNonce(TokenVerificationError):
    """``nonce`` is missing or differs from the one the RP sent."""


class JWKSFetchError(TokenVerificationError):
    """The JWKS could not be fetched or parsed, and no cached copy is usable."""

    error = "temporarily_unavailable"


# --------------------------------------------------------------------------- JWKS


class _HTTPRedirectsOnly(urllib.request.HTTPRedirectHandler):
    """Follow redirects to HTTPS, or HTTP to HTTP, only: urllib would also follow
    one to ``ftp://`` (a request to any host the RP's server can reach) and
    from HTTPS down to HTTP."""

    def redirect_request(
        self, req: Any, fp: Any, code: int, msg: str, headers: Any, newurl: str
    ) -> Any:
        target = newurl.lower()
        if not (
            target.startswith("https://")
            or (target.startswith("http://") and req.full_url.lower().startswith("http://"))
        ):
            raise urllib.error.URLError("JWKS redirect to a non-HTTP(S) or downgraded URL")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


_OPENER = urllib.request.build_opener(_HTTPRedirectsOnly)


def _urllib_fetch(url: str, timeout: float) -> bytes:
    if not url.startswith(("https://", "http://")):
        raise JWKSFetchError("The JWKS URI must be an http(s) URL.")
    request = urllib.request.Request(  # noqa: S310 - scheme checked above
        url, headers={"Accept": "application/json", "User-Agent": "django-fedcm-rp"}
    )
    with _OPENER.open(request, timeout=timeout) as response:
        body: bytes = response.read(MAX_JWKS_BYTES + 1)
    return body


class JWKSClient:
    """Fetches and caches one JWKS document. Thread-safe.

    * The key set is reused for ``cache_seconds``; after that the next lookup
      refetches it. If that refetch fails the stale copy keeps being used
      (an IdP outage must not log every user out), and the failure is retried
      no more than once per ``min_refetch_interval``.
    * A ``kid`` not in the cached set triggers a refetch (the IdP rotated), but
      at most once per ``min_refetch_interval``: tokens with random ``kid``
      values cannot turn the RP into a request amplifier.
    * ``fetch(url, timeout) -> bytes`` replaces the stdlib HTTP call (tests,
      or an RP that wants ``requests``/``httpx``).
    """

    def __init__(
        self,
        jwks_uri: str,
        *,
        cache_seconds: float = 300,
        min_refetch_interval: float = 30,
        timeout: float = 5,
        fetch: Fetch | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.jwks_uri = jwks_uri
        self.cache_seconds = cache_seconds
        self.min_refetch_interval = min_refetch_interval
        self.timeout = timeout
        self._fetch = fetch or _urllib_fetch
        self._clock = clock
        self._lock = threading.Lock()
        self._keys: list[jwk.JWK] | None = None
        self._fetched_at: float | None = None  # last successful fetch
        self._attempted_at: float | None = None  # last attempt, successful or not

    # ---------------------------------------------------------------- public API

    def get_keys(self) -> list[jwk.JWK]:
        """The current key set, fetching it when absent or older than ``cache_seconds``."""
        with self._lock:
            now = self._clock()
            fresh = self._fetched_at is not None and now - self._fetched_at < self.cache_seconds
            if self._keys is None and not self._may_refetch(now):
                # Never fetched successfully and the last attempt failed: do
                # not turn every incoming token into an outbound request.
                raise JWKSFetchError("The JWKS is unavailable; retrying later.")
            if self._keys is None or (not fresh and self._may_refetch(now)):
                self._refresh(now)
            assert self._keys is not None
            return list(self._keys)

    def get_signing_keys(self, kid: str | None) -> list[jwk.JWK]:
        """Keys that may have signed a token with this ``kid`` (all keys when ``None``).

        Raises :class:`UnknownKey` when the ``kid`` is still unknown after the
        (rate-limited) refetch.
        """
        keys = self._matching(self.get_keys(), kid)
        if keys:
            return keys
        with self._lock:
            now = self._clock()
            if self._may_refetch(now):
                self._refresh(now)
            assert self._keys is not None
            keys = self._matching(self._keys, kid)
        if not keys:
            raise UnknownKey("No key in the identity provider's JWKS matches the token's kid.")
        return keys

    # ---------------------------------------------------------------- internals

    def _may_refetch(self, now: float) -> bool:
        return self._attempted_at is None or now - self._attempted_at >= self.min_refetch_interval

    @staticmethod
    def _matching(keys: Iterable[jwk.JWK], kid: str | None) -> list[jwk.JWK]:
        if kid is None:
            return list(keys)
        return [key for key in keys if key.get("kid") == kid]

    def _refresh(self, now: float) -> None:
        """Fetch (lock held). Keeps the stale copy when the fetch fails and one exists."""
        self._attempted_at = now
        try:
            keys = self._download()
        except JWKSFetchError:
            if self._keys is None:
                raise
            return
        self._keys = keys
        self._fetched_at = now

    def _download(self) -> list[jwk.JWK]:
        try:
            body = self._fetch(self.jwks_uri, self.timeout)
        except JWKSFetchError:
            raise
        except (OSError, urllib.error.URLError, http.client.HTTPException, ValueError) as exc:
            raise JWKSFetchError(f"Could not fetch the JWKS: {type(exc).__name__}") from None
        if len(body) > MAX_JWKS_BYTES:
            raise JWKSFetchError("The JWKS document is too large.")
        try:
            document = json.loads(body)
            raw_keys = document["keys"]
            if not isinstance(raw_keys, list):
                raise TypeError("keys is not a list")
        except (ValueError, KeyError, TypeError):
            raise JWKSFetchError("The JWKS document is not a JSON key set.") from None
        keys: list[jwk.JWK] = []
        for raw in raw_keys:
            # Skip keys we cannot use (other "use", unknown kty) instead of
            # failing the whole set: the IdP may publish more than we need.
            if not isinstance(raw, dict) or raw.get("use", "sig") != "sig":
                continue
            try:
                keys.append(jwk.JWK(**raw))
            except (JWException, ValueError, TypeError):
                continue
        return keys


# --------------------------------------------------------------------------- ID tokens


class IdTokenVerifier:
    """Verifies ID tokens for one client of one issuer. Create it once and
    reuse it: it owns the JWKS cache."""

    def __init__(
        self,
        *,
        issuer: str,
        client_id: str,
        jwks_uri: str | None = None,
        leeway: int = 30,
        algorithms: Iterable[str] = DEFAULT_ALGORITHMS,
        jwks_client: JWKSClient | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.issuer = issuer.rstrip("/")
        self.client_id = client_id
        self.jwks_uri = jwks_uri or f"{self.issuer}/fedcm/jwks.json"
        self.leeway = leeway
        self.algorithms = tuple(a for a in algorithms if a.lower() != "none")
        self.jwks_client = jwks_client or JWKSClient(self.jwks_uri)
        self._clock = clock

    def verify(self, token: str, *, nonce: str | None = None) -> dict[str, Any]:
        """Return the token's claims, or raise a :class:`TokenVerificationError`."""
        signed, header = self._parse(token)
        self._verify_signature(signed, header)
        claims = self._payload(signed)
        self._check_issuer(claims)
        self._check_audience(claims)
        self._check_times(claims)
        if nonce is not None:
            self._check_nonce(claims, nonce)
        return claims

    # ---------------------------------------------------------------- steps

    def _parse(self, token: str) -> tuple[jws.JWS, dict[str, Any]]:
        if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_BYTES:
            raise InvalidToken("The token is not a string of reasonable size.")
        if token.count(".") != 2:
            raise InvalidToken("The token is not a JWS in compact serialization.")
        signed = jws.JWS()
        try:
            signed.deserialize(token)
            header = signed.jose_header
        except (JWException, ValueError, TypeError, KeyError):
            raise InvalidToken("The token cannot be parsed.") from None
        if not isinstance(header, dict):
            raise InvalidToken("The token header is not a JSON object.")
        return signed, header

    def _verify_signature(self, signed: jws.JWS, header: dict[str, Any]) -> None:
        alg = header.get("alg")
        if alg not in self.algorithms:
            raise InvalidSignature(f"Algorithm {alg!r} is not allowed.")
        kid = header.get("kid")
        if kid is not None and not isinstance(kid, str):
            raise InvalidToken("The token's kid is not a string.")
        for key in self.jwks_client.get_signing_keys(kid):
            if key.get("alg") not in (None, alg):
                continue  # a key is bound to its algorithm (RFC 7517 §4.4)
            try:
                signed.verify(key, alg=alg)
            except (JWException, ValueError, TypeError):
                continue
            return
        raise InvalidSignature("The token's signature does not verify.")

    @staticmethod
    def _payload(signed: jws.JWS) -> dict[str, Any]:
        try:
            claims = json.loads(signed.payload)
        except (ValueError, TypeError):
            raise InvalidToken("The token payload is not JSON.") from None
        if not isinstance(claims, dict):
            raise InvalidToken("The token payload is not a JSON object.")
        return claims

    def _check_issuer(self, claims: dict[str, Any]) -> None:
        if claims.get("iss") != self.issuer:
            raise InvalidIssuer("The token was not issued by the expected issuer.")

    def _check_audience(self, claims: dict[str, Any]) -> None:
        aud = claims.get("aud")
        if isinstance(aud, str):
            audiences = [aud]
        elif isinstance(aud, list) and all(isinstance(a, str) for a in aud):
            audiences = aud
        else:
            raise InvalidAudience("The token has no valid aud claim.")
        if self.client_id not in audiences:
            raise InvalidAudience("The token was issued for another client.")
        azp = claims.get("azp")
        if (len(audiences) > 1 or azp is not None) and azp != self.client_id:
            raise InvalidAudience("The token's azp is not this client.")

    def _check_times(self, claims: dict[str, Any]) -> None:
        now = self._clock()
        exp, iat = claims.get("exp"), claims.get("iat")
        for name, value in (("exp", exp), ("iat", iat)):
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise InvalidToken(f"The token's {name} claim is missing or not a number.")
        assert isinstance(exp, int | float) and isinstance(iat, int | float)
        if exp + self.leeway <= now:
            raise TokenExpired("The token has expired.")
        if iat - self.leeway > now:
            raise InvalidToken("The token was issued in the future.")
        nbf = claims.get("nbf")
        if isinstance(nbf, int | float) and nbf - self.leeway > now:
            raise InvalidToken("The token is not valid yet.")

    @staticmethod
    def _check_nonce(claims: dict[str, Any], nonce: str) -> None:
        actual = claims.get("nonce")
        if not isinstance(actual, str) or not hmac.compare_digest(actual.encode(), nonce.encode()):
            raise InvalidNonce("The token's nonce does not match.")
