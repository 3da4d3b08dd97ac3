"""The JWKS client: fetches and caches an identity provider's public keys.

Standard library HTTP only (:mod:`django_fedcm.rp.fetch`), so the verifier
works outside Django. Defaults come from :mod:`django_fedcm.defaults`.
"""

from __future__ import annotations

import functools
import json
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from jwcrypto import jwk
from jwcrypto.common import JWException

from django_fedcm import defaults
from django_fedcm.rp import fetch as _http
from django_fedcm.rp.exceptions import JWKSFetchError, UnknownKey

__all__ = ["MAX_JWKS_BYTES", "Fetch", "JWKSClient"]

#: Largest JWKS document accepted by default (:data:`django_fedcm.defaults.RP_JWKS_MAX_BYTES`).
MAX_JWKS_BYTES = defaults.RP_JWKS_MAX_BYTES

#: ``fetch(url, timeout) -> bytes``; ``timeout`` is the whole fetch's deadline in seconds.
Fetch = Callable[[str, float], bytes]


@dataclass
class _Flight:
    """One fetch in progress: the others wait for it, at most until its deadline."""

    deadline: float
    done: threading.Event = field(default_factory=threading.Event)


class JWKSClient:
    """Fetches and caches one JWKS document. Thread-safe.

    * The key set is reused for ``cache_seconds``; after that the next lookup
      refetches it. If that refetch fails the stale copy keeps being used
      (an IdP outage must not log every user out), and the failure is retried
      no more than once per ``min_refetch_interval``.
    * A ``kid`` not in the cached set triggers a refetch (the IdP rotated), but
      at most once per ``min_refetch_interval``: tokens with random ``kid``
      values cannot turn the RP into a request amplifier.
    * ``timeout`` bounds a whole fetch (connect, TLS, redirects, headers and
      body), ``max_bytes`` its size. One fetch runs at a time and no lock is
      held during it: a lookup that has keys (fresh or stale) never waits for
      it, and one that needs its result waits at most until its deadline.
    * ``fetch(url, timeout) -> bytes`` replaces the stdlib HTTP call (tests,
      or an RP that wants ``requests``/``httpx``); it must treat ``timeout``
      as the deadline of the whole fetch. Whatever it raises is a
      :class:`JWKSFetchError`.
    """

    def __init__(
        self,
        jwks_uri: str,
        *,
        cache_seconds: float = defaults.RP_JWKS_CACHE_SECONDS,
        min_refetch_interval: float = defaults.RP_JWKS_MIN_REFETCH_INTERVAL,
        timeout: float = defaults.RP_JWKS_TIMEOUT,
        max_bytes: int = defaults.RP_JWKS_MAX_BYTES,
        fetch: Fetch | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.jwks_uri = jwks_uri
        self.cache_seconds = cache_seconds
        self.min_refetch_interval = min_refetch_interval
        self.timeout = timeout
        self.max_bytes = max_bytes
        self._fetch: Fetch = fetch or functools.partial(_http.fetch_url, max_bytes=max_bytes)
        self._clock = clock
        self._lock = threading.Lock()  # guards the fields below; never held during a fetch
        self._keys: list[jwk.JWK] | None = None
        self._fetched_at: float | None = None  # last successful fetch
        self._attempted_at: float | None = None  # last attempt, successful or not
        self._flight: _Flight | None = None  # the fetch in progress

    def get_keys(self) -> list[jwk.JWK]:
        """The current key set, fetching it when absent or older than ``cache_seconds``."""
        with self._lock:
            now = self._clock()
            if self._keys is not None:
                fresh = self._fetched_at is not None and now - self._fetched_at < self.cache_seconds
                if fresh or self._flight is not None or not self._may_refetch(now):
                    return list(self._keys)  # stale keys beat waiting for a refresh
            elif self._flight is None and not self._may_refetch(now):
                # Never fetched successfully and the last attempt failed: do
                # not turn every incoming token into an outbound request.
                raise JWKSFetchError("The JWKS is unavailable; retrying later.")
        self._refresh()
        with self._lock:
            if self._keys is None:
                raise JWKSFetchError("The JWKS is unavailable; retrying later.")
            return list(self._keys)

    def get_signing_keys(self, kid: str | None) -> list[jwk.JWK]:
        """Keys that may have signed a token with this ``kid`` (all keys when ``None``).

        Raises :class:`UnknownKey` when the ``kid`` is still unknown after the
        (rate-limited) refetch.
        """
        keys = self._matching(self.get_keys(), kid)
        if keys:
            return keys
        self._refresh()
        with self._lock:
            keys = self._matching(self._keys or [], kid)
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

    def _refresh(self) -> None:
        """Fetch now if allowed, or wait for the fetch already running (at most
        until its deadline). A failed fetch keeps the stale copy; with none, it
        raises :class:`JWKSFetchError`."""
        with self._lock:
            flight = self._flight
            if flight is None:
                now = self._clock()
                if not self._may_refetch(now):
                    return
                self._attempted_at = now
                flight = self._flight = _Flight(deadline=time.monotonic() + self.timeout)
                leading = True
            else:
                leading = False
        if not leading:
            flight.done.wait(max(0.0, flight.deadline - time.monotonic()))
            return
        try:
            keys = self._download()
            with self._lock:
                self._keys, self._fetched_at = keys, now
        except JWKSFetchError:
            if self._keys is None:
                raise
        finally:
            with self._lock:
                self._flight = None
            flight.done.set()

    def _download(self) -> list[jwk.JWK]:
        try:
            body = self._fetch(self.jwks_uri, self.timeout)
        except JWKSFetchError:
            raise
        except Exception as exc:  # a fetch hook may raise anything (httpx.HTTPError is no OSError)
            raise JWKSFetchError(f"Could not fetch the JWKS: {type(exc).__name__}") from None
        if len(body) > self.max_bytes:
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
