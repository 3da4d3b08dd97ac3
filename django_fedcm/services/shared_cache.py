"""Versioned entries in the cache every server process shares (``FEDCM_CACHE``).

A namespace (``"registry"``) has a *version*: a random token kept in the cache
under its own key. Every entry is stored together with the version it was read
under, and an entry whose version is not the current one is a miss. A write to
the data behind a namespace replaces the version **after its transaction
commits**, so on every server the next read misses and goes to the database.

Why after the commit: a reader that saw the new version before the commit
could cache the old row under it and keep serving it. Reading the version
*before* the database, and bumping it *after* the commit, leaves no such
window: an entry cached from a row read before the commit carries the old
version and is never served again.

With ``FEDCM_CACHE = None`` (the default) nothing is cached: a process-local
cache (``LocMemCache``) cannot see another process's writes, so a disabled
client could go on signing in on the other workers. The deploy check
``django_fedcm.W082`` says so when ``FEDCM_CACHE`` names one.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from django.core.cache import BaseCache, caches
from django.db import transaction

from django_fedcm.conf import fedcm_settings

__all__ = ["bump", "current_version", "get", "is_miss", "put", "shared_cache"]

_PREFIX = "django_fedcm"
_MISS = object()


def shared_cache() -> BaseCache | None:
    """The ``FEDCM_CACHE`` backend, or ``None`` when caching is off."""
    alias = fedcm_settings.CACHE
    return caches[alias] if alias else None


def _version_key(namespace: str) -> str:
    return f"{_PREFIX}:{namespace}:version"


def _entry_key(namespace: str, name: str) -> str:
    # Hashed: a client_id may hold characters memcached keys refuse.
    digest = hashlib.sha256(name.encode()).hexdigest()[:32]
    return f"{_PREFIX}:{namespace}:{digest}"


def get(namespace: str, name: str) -> tuple[str | None, Any]:
    """``(version, value)``; ``value`` is :data:`MISS` unless an entry cached
    under the current version exists. One cache round trip."""
    cache = shared_cache()
    if cache is None:
        return None, _MISS
    version_key = _version_key(namespace)
    found = cache.get_many([version_key, _entry_key(namespace, name)])
    version = found.get(version_key)
    entry = found.get(_entry_key(namespace, name))
    if version is not None and isinstance(entry, tuple) and entry[0] == version:
        return version, entry[1]
    if version is None:
        cache.add(version_key, secrets.token_hex(8), timeout=None)
        version = cache.get(version_key)
    return version, _MISS


def current_version(namespace: str) -> str | None:
    """The namespace's version (one cache round trip), ``None`` when caching is
    off. For data kept in each process (the parsed key set): compare it with the
    version read before that data was loaded."""
    cache = shared_cache()
    if cache is None:
        return None
    version_key = _version_key(namespace)
    version = cache.get(version_key)
    if version is None:
        cache.add(version_key, secrets.token_hex(8), timeout=None)
        version = cache.get(version_key)
    return version  # type: ignore[no-any-return]


def put(namespace: str, name: str, version: str | None, value: Any) -> None:
    """Cache ``value`` under the version :func:`get` returned *before* the
    value was read from the database."""
    cache = shared_cache()
    if cache is not None and version is not None:
        cache.set(
            _entry_key(namespace, name), (version, value), timeout=fedcm_settings.CACHE_SECONDS
        )


def bump(namespace: str) -> None:
    """Invalidate every entry of ``namespace`` at once and again when the
    current transaction commits."""
    cache = shared_cache()
    if cache is None:
        return

    def replace_version() -> None:
        cache.set(_version_key(namespace), secrets.token_hex(8), timeout=None)

    # Now, so this transaction's own later reads miss; and again after the
    # commit, since another process may have cached the old row in between.
    replace_version()
    transaction.on_commit(replace_version)


def is_miss(value: Any) -> bool:
    return value is _MISS
