"""Verify ID tokens issued by a django-fedcm identity provider.

Checks (OpenID Connect Core §3.1.3.7): signature against the IdP's JWKS (the
key named by ``kid``; an unknown ``kid`` refetches the JWKS, at most once per
``min_refetch_interval``), ``alg`` in the allowed list (never ``none``),
``iss``, ``aud`` (a string, or a list containing ``client_id``; with several
audiences ``azp`` must be ``client_id``), ``exp`` and ``iat`` with leeway, and
``nonce``, which fails closed: a missing expected nonce is refused unless the
caller passes ``nonce=False`` (docs/rp-integration.md). Every failure raises a
subclass of :class:`~django_fedcm.rp.exceptions.TokenVerificationError`.
"""

from __future__ import annotations

import hmac
import json
import time
from collections.abc import Callable, Iterable
from typing import Any, Literal

from jwcrypto import jws
from jwcrypto.common import JWException

from django_fedcm import defaults
from django_fedcm.rp.exceptions import (
    InvalidAudience,
    InvalidIssuer,
    InvalidNonce,
    InvalidSignature,
    InvalidToken,
    TokenExpired,
)
from django_fedcm.rp.jwks import JWKSClient

__all__ = ["DEFAULT_ALGORITHMS", "MAX_TOKEN_BYTES", "IdTokenVerifier"]

#: The algorithms ``fedcm_keys`` can create (:data:`django_fedcm.defaults.ALGORITHMS`).
DEFAULT_ALGORITHMS: tuple[str, ...] = defaults.ALGORITHMS

#: Largest token accepted: bounds memory for hostile input.
MAX_TOKEN_BYTES = 16 * 1024


class IdTokenVerifier:
    """Verifies ID tokens for one client of one issuer. Create it once and
    reuse it: it owns the JWKS cache."""

    def __init__(
        self,
        *,
        issuer: str,
        client_id: str,
        jwks_uri: str | None = None,
        leeway: int = defaults.RP_LEEWAY,
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

    def verify(self, token: str, *, nonce: str | Literal[False] | None = None) -> dict[str, Any]:
        """Return the token's claims, or raise a :class:`TokenVerificationError`.

        ``nonce`` is the value this sign-in attempt sent (``params.nonce``); the
        token's ``nonce`` claim must equal it. ``None`` or ``""`` (a session
        that never started this sign-in, or already used its nonce) raises
        :class:`InvalidNonce`: a captured token must not replay into a fresh
        session. ``nonce=False`` skips the check explicitly, and then a
        ``nonce`` claim in the token is ignored.
        """
        signed, header = self._parse(token)
        self._verify_signature(signed, header)
        claims = self._payload(signed)
        self._check_issuer(claims)
        self._check_audience(claims)
        self._check_times(claims)
        if nonce is not False:
            self._check_nonce(claims, nonce)
        return claims

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
    def _check_nonce(claims: dict[str, Any], nonce: object) -> None:
        if not isinstance(nonce, str) or not nonce:
            raise InvalidNonce(
                "No expected nonce was given (no sign-in in progress, or its nonce was"
                " already used); pass nonce=False to skip the check deliberately."
            )
        actual = claims.get("nonce")
        if not isinstance(actual, str) or not hmac.compare_digest(actual.encode(), nonce.encode()):
            raise InvalidNonce("The token's nonce does not match.")
