"""The published key set and the key that signs, parsed once per process.

Parsing is cached per process (:func:`current_key_set`). A change made by
this process clears that cache at once. With ``FEDCM_CACHE`` (a cache every
server shares), every key change also replaces the ``keys`` version there after
it commits (:func:`invalidate`, wired in ``receivers.py``), and each process
reads that version at most once a second (:data:`VERSION_CHECK_INTERVAL`): a
rotation made anywhere is published everywhere within a second. Without
it, another process picks the change up within ``FEDCM_KEY_CACHE_SECONDS``.

Publish before signing. With ``FEDCM_CACHE``, a key signs only once it has
existed for :func:`publication_lead` (two version checks): by then every
process lists it in its JWKS, so no server hands out a token signed with a key
another server's JWKS lacks. Until then the newest published key that has
existed that long keeps signing. A pre-published key has long existed, so
``prepublish`` then ``rotate`` switches at once; a plain ``rotate`` switches
two seconds later; a key with no published predecessor (the first key, or
after ``retire --force``) signs at once. Each server compares the key's
``created_at`` with its own clock, so the servers' clocks must agree (NTP)
to well under a second.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from jwcrypto.jwk import JWK

from django_fedcm.conf import fedcm_settings
from django_fedcm.models import SigningKey
from django_fedcm.services import crypto, shared_cache

__all__ = [
    "VERSION_CHECK_INTERVAL",
    "KeyManagementError",
    "KeySet",
    "LoadedKey",
    "NoActiveKey",
    "clear_cache",
    "current_key_set",
    "grace_cutoff",
    "invalidate",
    "jwks",
    "publication_lead",
    "published_keys",
    "signing_key",
    "signs_from",
]

State = SigningKey.State


class KeyManagementError(Exception):
    """A key operation was refused; nothing was changed. Never carries key material."""


class NoActiveKey(KeyManagementError):
    """There is no active signing key: run ``manage.py fedcm_keys rotate``."""


def grace_cutoff(now: datetime | None = None) -> datetime:
    """Retired keys retired before this instant are no longer published."""
    return (now or timezone.now()) - timedelta(seconds=fedcm_settings.KEY_GRACE_PERIOD)


def published_keys(now: datetime | None = None) -> QuerySet[SigningKey]:
    return SigningKey.objects.filter(
        Q(state__in=[State.ACTIVE, State.NEXT])
        | Q(state=State.RETIRED, retired_at__gte=grace_cutoff(now))
    )


# --------------------------------------------------------------------------- process cache


@dataclass(frozen=True)
class LoadedKey:
    """A parsed private key, ready to sign. Its repr hides the key."""

    kid: str
    algorithm: str
    jwk: JWK = field(repr=False)


@dataclass(frozen=True)
class KeySet:
    #: ``(signs_from, key)``, newest key first: the active key, then the
    #: retired keys still published, up to the first that could already sign
    #: when the set was loaded. ``signs_from`` is a POSIX time.
    candidates: tuple[tuple[float, LoadedKey], ...]
    jwks: dict[str, Any]
    loaded_at: float
    #: The shared ``keys`` version read before loading (``None``: no FEDCM_CACHE).
    version: str | None = None

    @property
    def signing(self) -> LoadedKey | None:
        """The newest key allowed to sign now (the active one once it is
        published everywhere; see the module docstring)."""
        if not self.candidates:
            return None
        now = time.time()
        for signs_from, key in self.candidates:
            if signs_from <= now:
                return key
        return self.candidates[0][1]  # nothing older is published: sign at once


class _Cache:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.value: KeySet | None = None
        self.version_checked_at = -math.inf


_cache = _Cache()
_NAMESPACE = "keys"
#: Seconds between two reads of the shared ``keys`` version in one process: a
#: rotation made anywhere is signed with everywhere within this bound, and
#: the hot path costs one cache round trip a second, not one a request.
VERSION_CHECK_INTERVAL = 1.0


def clear_cache(**_kwargs: Any) -> None:
    """Forget the parsed key set (also a ``setting_changed`` receiver)."""
    _cache.value = None
    _cache.version_checked_at = -math.inf


def invalidate(**_kwargs: Any) -> None:
    """Receiver for every ``SigningKey`` write: every process reloads the key
    set on its next use (see services/shared_cache.py)."""
    clear_cache()
    shared_cache.bump(_NAMESPACE)


def publication_lead() -> float:
    """Seconds a key must exist before it signs: long enough for every process
    to have read the shared ``keys`` version since the key was committed. No
    lead without ``FEDCM_CACHE``: nothing would tell the other processes
    sooner than ``FEDCM_KEY_CACHE_SECONDS``; several processes need it (check
    ``W082``), or ``prepublish`` before ``rotate``."""
    return 2 * VERSION_CHECK_INTERVAL if shared_cache.shared_cache() is not None else 0.0


def signs_from(key: SigningKey) -> datetime:
    """When ``key``, once active, may sign (:func:`publication_lead`)."""
    return key.created_at + timedelta(seconds=publication_lead())


def _parsed(key: SigningKey) -> LoadedKey:
    jwk = JWK.from_json(crypto.decrypt(key.private_key_encrypted).decode())
    return LoadedKey(kid=key.kid, algorithm=key.algorithm, jwk=jwk)


def _signing_candidates(keys: list[SigningKey]) -> tuple[tuple[float, LoadedKey], ...]:
    """The active key, then the retired ones newest first, parsed up to the
    first that may sign already: the older ones will never be needed."""
    active = [k for k in keys if k.state == State.ACTIVE]
    retired = sorted(
        (k for k in keys if k.state == State.RETIRED and k.retired_at is not None),
        key=lambda k: (k.retired_at, k.pk),
        reverse=True,
    )
    now = timezone.now()
    candidates = []
    for key in active[:1] + (retired if active else []):
        start = signs_from(key)
        candidates.append((start.timestamp(), _parsed(key)))
        if start <= now:
            break
    return tuple(candidates)


def _load(version: str | None) -> KeySet:
    keys = list(published_keys().order_by("-created_at", "-pk"))
    # Active first, then next, then retired (newest first): some RP libraries
    # try keys in order when a token has no kid.
    order = {State.ACTIVE: 0, State.NEXT: 1, State.RETIRED: 2}
    keys.sort(key=lambda k: order[State(k.state)])
    return KeySet(
        candidates=_signing_candidates(keys),
        jwks={"keys": [dict(k.public_jwk) for k in keys]},
        loaded_at=time.monotonic(),
        version=version,
    )


def _usable(value: KeySet | None, version: str | None) -> bool:
    if value is None or value.version != version:
        return False
    return time.monotonic() - value.loaded_at < fedcm_settings.KEY_CACHE_SECONDS


def current_key_set() -> KeySet:
    """The parsed key set: reloaded when the shared ``keys`` version moved
    (``FEDCM_CACHE``, asked at most every :data:`VERSION_CHECK_INTERVAL`),
    else at most every ``FEDCM_KEY_CACHE_SECONDS``."""
    value = _cache.value
    now = time.monotonic()
    if (
        value is not None
        and now - _cache.version_checked_at < VERSION_CHECK_INTERVAL
        and now - value.loaded_at < fedcm_settings.KEY_CACHE_SECONDS
    ):
        return value  # no cache round trip on the hot path
    version = shared_cache.current_version(_NAMESPACE)  # before the database
    _cache.version_checked_at = now
    if value is not None and _usable(value, version):
        return value
    with _cache.lock:
        value = _cache.value
        if value is None or not _usable(value, version):
            value = _load(version)
            _cache.value = value
    return value


def signing_key() -> LoadedKey:
    key = current_key_set().signing
    if key is None:
        raise NoActiveKey("No active signing key: run `manage.py fedcm_keys rotate`.")
    return key


def jwks() -> dict[str, Any]:
    """The public key set (``{"keys": [...]}``)."""
    return current_key_set().jwks
