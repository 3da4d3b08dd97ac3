"""Brute-force throttling of sign-ins and OAuth client authentication
(docs/security.md#brute-force-protection).

Failures are counted in Django's cache (``FEDCM_CACHE`` if set, else
``default``; Redis in production) per **account** (the submitted username,
normalised, or an OAuth client id in a namespace of its own) and per **client
address**. When either count reaches its limit within
``FEDCM_THROTTLE_WINDOW`` seconds, that account or address is locked for
``FEDCM_THROTTLE_LOCKOUT`` seconds and one audit event is written.

Policy decisions (each explained in docs/security.md):

* counts are kept in fixed windows (one cache key per window, incremented
  atomically), so parallel requests cannot undercount;
* an attempt refused during a lockout checks no password and is not counted;
* a successful sign-in resets nothing: the counters expire with their window;
* the username is compared case-insensitively, so ``Alice`` and ``alice ``
  share one counter whether or not the user model distinguishes them.

Every failed :func:`django.contrib.auth.authenticate` call that names a
username is counted (the ``user_login_failed`` receiver below), whatever view
made it; the refusing happens where the password would be checked
(:mod:`django_fedcm.throttle` for projects, ``views/login.py`` for the popup).
"""

from __future__ import annotations

import hashlib
import ipaddress
import math
import time
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_login_failed
from django.core.cache import BaseCache, caches
from django.core.exceptions import PermissionDenied
from django.dispatch import receiver
from django.http import HttpRequest
from django.utils.translation import ngettext

from django_fedcm.conf import fedcm_settings
from django_fedcm.services import audit

__all__ = [
    "CLIENT",
    "USER",
    "SignInThrottled",
    "address_from_meta",
    "check_allowed",
    "client_address",
    "count_failure",
    "record_failure",
    "retry_after",
    "retry_message",
    "throttle_cache",
]

#: Account namespaces: a username and an OAuth client id never share a counter.
USER = "user"
CLIENT = "client"

_AUDIT_ACTIONS = {USER: "sign_in.locked_out", CLIENT: "oauth_client.locked_out"}
_PREFIX = "django_fedcm:throttle"
#: Longer input is cut before normalising: the key is a hash anyway.
_MAX_NAME = 512


def _now() -> float:
    return time.time()


class SignInThrottled(PermissionDenied):
    """Too many failed sign-ins for this account or address; ``retry_after``
    is the number of seconds until the lockout ends.

    A :class:`~django.core.exceptions.PermissionDenied`: left unhandled, Django
    answers 403, and a backend that raises it stops ``authenticate()``."""

    def __init__(self, retry_after: int) -> None:
        self.retry_after = retry_after
        super().__init__(retry_message(retry_after))


def retry_message(seconds: int) -> str:
    """The form error: when to retry, in whole minutes (at least one)."""
    minutes = max(1, math.ceil(seconds / 60))
    return ngettext(
        "Too many failed sign-in attempts. Try again in %(minutes)d minute.",
        "Too many failed sign-in attempts. Try again in %(minutes)d minutes.",
        minutes,
    ) % {"minutes": minutes}


def throttle_cache() -> BaseCache:
    """``FEDCM_CACHE`` if set, else the ``default`` cache."""
    return caches[fedcm_settings.CACHE or "default"]


# ------------------------------------------------------------------ client address


def address_from_meta(meta: Mapping[str, Any]) -> str:
    """The client address from a request's ``META`` (or DOT's copy of it).

    ``REMOTE_ADDR`` unless ``FEDCM_THROTTLE_CLIENT_IP_HEADER`` names a header
    set by the project's own proxy; then the **last** address in it (the one
    that proxy appended: earlier ones are whatever the client sent). IPv6
    addresses count per /64, the block one subscriber usually holds.
    """
    value = ""
    header = fedcm_settings.THROTTLE_CLIENT_IP_HEADER
    if header:
        raw = meta.get("HTTP_" + header.upper().replace("-", "_"))
        value = str(raw).rsplit(",", 1)[-1].strip() if raw else ""
    return _network(value or str(meta.get("REMOTE_ADDR") or ""))


def client_address(request: HttpRequest) -> str:
    """:func:`address_from_meta` for a Django request."""
    return address_from_meta(request.META)


def _network(value: str) -> str:
    text = value.strip()[:100]
    if text.startswith("[") and "]" in text:  # "[2001:db8::1]:443"
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # "203.0.113.7:51234"
        text = text.partition(":")[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return text
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return str(address)


# ------------------------------------------------------------------ counters


def _normalise(name: str) -> str:
    return unicodedata.normalize("NFKC", name[:_MAX_NAME]).strip().casefold()


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8", "backslashreplace")).hexdigest()[:32]


@dataclass(frozen=True)
class _Subject:
    """One thing failures are counted for: an account or an address."""

    scope: str  # "account" or "address"
    key: str
    label: str
    limit: int

    @property
    def lock_key(self) -> str:
        return f"{self.key}:lock"

    def counter_key(self, now: float, window: int) -> str:
        return f"{self.key}:{int(now // window)}"


def _subjects(kind: str, account: str | None, address: str | None) -> list[_Subject]:
    subjects = []
    account_limit = fedcm_settings.THROTTLE_ACCOUNT_FAILURES
    if account and account_limit:
        name = _normalise(account)
        key = f"{_PREFIX}:{kind}:{_digest(name)}"
        subjects.append(_Subject("account", key, name[:150], account_limit))
    address_limit = fedcm_settings.THROTTLE_ADDRESS_FAILURES
    if address is not None and address_limit:
        key = f"{_PREFIX}:address:{_digest(address)}"
        subjects.append(_Subject("address", key, address, address_limit))
    return subjects


def _locked_until(cache: BaseCache, subjects: list[_Subject]) -> dict[str, float]:
    found = cache.get_many([subject.lock_key for subject in subjects])
    return {key: float(value) for key, value in found.items() if isinstance(value, int | float)}


def retry_after(*, kind: str = USER, account: str | None, address: str | None) -> int:
    """Seconds until ``account`` (of ``kind``) and ``address`` may try again;
    ``0`` when neither is locked. One cache round trip."""
    subjects = _subjects(kind, account, address)
    if not subjects:
        return 0
    now = _now()
    remaining = max(_locked_until(throttle_cache(), subjects).values(), default=now) - now
    return math.ceil(remaining) if remaining > 0 else 0


def _increment(cache: BaseCache, key: str, timeout: int) -> int:
    cache.add(key, 0, timeout=timeout)
    try:
        return int(cache.incr(key))
    except ValueError:  # expired between add() and incr(), or a DummyCache
        cache.set(key, 1, timeout=timeout)
        return 1


def count_failure(*, kind: str = USER, account: str | None, address: str | None) -> None:
    """Count one failed attempt; lock what reached its limit (and audit that).

    Nothing is counted while the account or the address is locked: such an
    attempt was refused before any password was checked.
    """
    subjects = _subjects(kind, account, address)
    if not subjects:
        return
    cache = throttle_cache()
    now = _now()
    if any(until > now for until in _locked_until(cache, subjects).values()):
        return
    window = fedcm_settings.THROTTLE_WINDOW
    lockout = fedcm_settings.THROTTLE_LOCKOUT
    for subject in subjects:
        failures = _increment(cache, subject.counter_key(now, window), window + 1)
        if failures < subject.limit:
            continue
        cache.set(subject.lock_key, now + lockout, timeout=lockout + 1)
        audit.record(
            None,
            _AUDIT_ACTIONS[kind],
            None,
            {
                "scope": subject.scope,
                subject.scope: subject.label,
                "failures": failures,
                "locked_seconds": lockout,
            },
        )


# ------------------------------------------------------------------ for sign-in views


def check_allowed(request: HttpRequest | None, username: str | None) -> None:
    """Raise :class:`SignInThrottled` if ``username`` or the request's client
    address is locked out. Call it before checking the password."""
    address = client_address(request) if request is not None else None
    seconds = retry_after(account=username, address=address)
    if seconds:
        raise SignInThrottled(seconds)


def record_failure(request: HttpRequest | None, username: str | None) -> None:
    """Count a failed sign-in for ``username`` and the request's client address.

    Not needed after a failed ``authenticate()``: the ``user_login_failed``
    receiver counts those already.
    """
    address = client_address(request) if request is not None else None
    count_failure(account=username, address=address)


@receiver(user_login_failed, dispatch_uid="django_fedcm.services.throttle")
def _count_failed_authenticate(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    """Every failed ``authenticate()`` that names a username (the popup, the
    admin, a project's views): token-only calls (an RP's ID token) are not
    password guesses and are not counted."""
    username = credentials.get("username") or credentials.get(get_user_model().USERNAME_FIELD)
    if isinstance(username, str) and username:
        record_failure(request if isinstance(request, HttpRequest) else None, username)
