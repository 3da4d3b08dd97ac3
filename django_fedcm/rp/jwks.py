"""The JWKS client: fetches and caches an identity provider's public keys.

Standard library HTTP only (``urllib``), so the verifier works outside Django.
Defaults come from :mod:`django_fedcm.defaults`.
"""

from __future__ import annotations

import http.client
import json
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable
from typing import Any

from jwcrypto import jwk
from jwcrypto.common import JWException

from django_fedcm import defaults
from django_fedcm.rp.exceptions import JWKSFetchError, UnknownKey

__all__ = ["MAX_JWKS_BYTES", "Fetch", "JWKSClient"]

#: Largest JWKS document accepted: bounds memory for hostile input.
MAX_JWKS_BYTES = 256 * 1024

Fetch = Callable[[str, float], bytes]


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
        cache_seconds: float = defaults.RP_JWKS_CACHE_SECONDS,
        min_refetch_interval: float = defaults.RP_JWKS_MIN_REFETCH_INTERVAL,
        timeout: float = defaults.RP_JWKS_TIMEOUT,
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
