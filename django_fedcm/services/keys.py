"""Signing-key lifecycle: create, pre-publish, rotate, retire, prune, JWKS.

States (``SigningKey.State``)::

    next ──rotate──► active ──rotate──► retired ──(grace period)──► prune/retire ─► deleted

* Exactly one ``active`` key (a partial unique constraint), at most one ``next``.
* ``rotate`` promotes the ``next`` key if one was pre-published, otherwise
  creates a new key, and retires the old active key in the same transaction.
  The rows are locked (``select_for_update``); a concurrent first-ever rotate
  that loses the race on the unique constraint retries.
* The JWKS publishes ``active``, ``next`` and ``retired`` keys inside the grace
  period (``FEDCM_KEY_GRACE_PERIOD``), public parts only.
* Every change is recorded in the audit trail inside its own transaction
  (``signing_key.rotated``, ``.prepublished``, ``.deleted``, ``.pruned``,
  ``.reencrypted``); callers (``fedcm_keys``, the admin, the API) pass who acted
  (``actor``) and where (``via``) and record nothing themselves.

Parsing, caching and choosing the key that signs is
:mod:`~django_fedcm.services.key_set`; its names are re-exported here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from jwcrypto.jwk import JWK

from django_fedcm import signals
from django_fedcm.conf import ALGORITHMS, fedcm_settings
from django_fedcm.models import SigningKey
from django_fedcm.services import audit, crypto
from django_fedcm.services.key_set import (
    VERSION_CHECK_INTERVAL,
    KeyManagementError,
    KeySet,
    LoadedKey,
    NoActiveKey,
    clear_cache,
    current_key_set,
    grace_cutoff,
    invalidate,
    jwks,
    publication_lead,
    published_keys,
    signing_key,
    signs_from,
)

__all__ = [
    "VERSION_CHECK_INTERVAL",
    "KeyManagementError",
    "KeySet",
    "LoadedKey",
    "NoActiveKey",
    "RotationResult",
    "State",
    "clear_cache",
    "current_key_set",
    "expired_keys",
    "grace_cutoff",
    "invalidate",
    "jwks",
    "prepublish",
    "prune",
    "publication_lead",
    "published_keys",
    "published_until",
    "reencrypt",
    "retire",
    "rotate",
    "signing_key",
    "signs_from",
    "takes_over_at",
]

State = SigningKey.State

#: Rotation attempts; a failed attempt means another rotation committed first
#: (only possible when no row existed to lock, i.e. the very first rotation).
_ROTATE_ATTEMPTS = 5
#: Bound for re-reading the locked rows (see :func:`_lock_live_keys`).
_LOCK_READS = 50


@dataclass(frozen=True)
class RotationResult:
    activated: SigningKey
    retired: SigningKey | None
    created: bool


@dataclass(frozen=True)
class _Audit:
    """Who asked for a change (``None``: the system) and through what."""

    actor: Any = None
    via: str | None = None

    def record(self, action: str, key: SigningKey, changes: dict[str, Any] | None = None) -> None:
        audit.record(self.actor, action, key, changes, via=self.via)


# --------------------------------------------------------------------------- creation


def _check_algorithm(algorithm: str | None) -> str:
    algorithm = algorithm or fedcm_settings.KEY_ALGORITHM
    if algorithm not in ALGORITHMS:
        raise KeyManagementError(
            f"Unknown algorithm {algorithm!r}; choose one of {', '.join(ALGORITHMS)}."
        )
    return algorithm


def _generate_once(algorithm: str) -> JWK:
    if algorithm == "RS256":
        return JWK.generate(kty="RSA", size=2048)
    if algorithm == "ES256":
        return JWK.generate(kty="EC", crv="P-256")
    return JWK.generate(kty="OKP", crv="Ed25519")


def _generate(algorithm: str) -> JWK:
    """A new key whose id (its RFC 7638 thumbprint, base64url) does not start
    with ``-``: ``fedcm_keys retire KID`` takes the id as a command-line
    argument, and argparse reads a leading dash as an option (1 key in 64)."""
    while True:
        jwk = _generate_once(algorithm)
        if not jwk.thumbprint().startswith("-"):
            return jwk


def _new_key(algorithm: str, state: str, now: datetime) -> SigningKey:
    """An unsaved ``SigningKey``; key generation happens outside any lock."""
    jwk = _generate(algorithm)
    kid = jwk.thumbprint()
    public = jwk.export_public(as_dict=True)
    public.update({"kid": kid, "alg": algorithm, "use": "sig"})
    return SigningKey(
        kid=kid,
        algorithm=algorithm,
        state=state,
        public_jwk=public,
        private_key_encrypted=crypto.encrypt(jwk.export_private().encode()),
        activated_at=now if state == State.ACTIVE else None,
    )


def prepublish(
    algorithm: str | None = None, *, actor: Any = None, via: str | None = None
) -> SigningKey:
    """Create the ``next`` key: published in the JWKS, promoted by the next rotate.
    Audited as ``signing_key.prepublished``."""
    algorithm = _check_algorithm(algorithm)
    key = _new_key(algorithm, State.NEXT, timezone.now())
    try:
        with transaction.atomic():
            key.save()
            _Audit(actor, via).record("signing_key.prepublished", key)
    except IntegrityError:
        raise KeyManagementError(
            "A next key is already published; rotate to promote it first."
        ) from None
    clear_cache()
    return key


def rotate(
    algorithm: str | None = None, *, actor: Any = None, via: str | None = None
) -> RotationResult:
    """Make a new key active and retire the current one, atomically.

    Uses the pre-published ``next`` key when there is one of the requested
    algorithm (or no algorithm was requested). Key generation (slow for RSA)
    happens before the rows are locked. The ``signing_key.rotated`` audit event
    (``active_kid: [old, new]``, ``algorithm``, ``created``) is written in the
    rotation's transaction; the process cache is cleared and ``key_rotated``
    sent after it commits.
    """
    requested = algorithm
    who = _Audit(actor, via)
    algorithm = _check_algorithm(algorithm)
    upcoming = SigningKey.objects.filter(state=State.NEXT).first()
    usable_next = upcoming is not None and requested in (None, upcoming.algorithm)
    fresh = None if usable_next else _new_key(algorithm, State.ACTIVE, timezone.now())
    for _attempt in range(_ROTATE_ATTEMPTS):
        try:
            result = _rotate_locked(fresh, requested, who)
        except IntegrityError:
            # Another process committed a rotation between our lock and our
            # insert (only possible when no active row existed to lock).
            continue
        if result is None:  # the next key vanished meanwhile: generate one
            fresh = _new_key(algorithm, State.ACTIVE, timezone.now())
            continue
        clear_cache()
        signals.key_rotated.send(
            sender=SigningKey, activated=result.activated, retired=result.retired
        )
        return result
    raise KeyManagementError("Could not rotate: concurrent rotations kept conflicting.")


def _live_keys_query() -> Iterable[SigningKey]:
    return (
        SigningKey.objects.select_for_update()
        .filter(state__in=[State.ACTIVE, State.NEXT])
        .order_by("pk")
    )


def _lock_live_keys() -> list[SigningKey]:
    """Lock the ``active`` and ``next`` rows (inside a transaction).

    Under PostgreSQL's READ COMMITTED, a ``SELECT ... FOR UPDATE`` that waited
    for another rotation re-checks the rows it had found (the old active key
    no longer matches) but cannot see the row that rotation inserted. Reading
    again until two reads agree closes that gap, so rotations queue behind
    each other instead of failing on the unique constraint. Each extra read
    means another rotation committed meanwhile.
    """
    live = list(_live_keys_query())
    for _read in range(_LOCK_READS):
        again = list(_live_keys_query())
        if [(k.pk, k.state) for k in again] == [(k.pk, k.state) for k in live]:
            return again
        live = again
    raise IntegrityError("The signing key set kept changing while being locked.")


def _rotate_locked(
    fresh: SigningKey | None, requested: str | None, who: _Audit
) -> RotationResult | None:
    with transaction.atomic():
        result = _swap_locked(fresh, requested)
        if result is not None:
            new, old = result.activated, result.retired
            who.record(
                "signing_key.rotated",
                new,
                {
                    "active_kid": [old.kid if old else None, new.kid],
                    "algorithm": new.algorithm,
                    "created": result.created,
                },
            )
        return result


def _swap_locked(fresh: SigningKey | None, requested: str | None) -> RotationResult | None:
    """The state changes of :func:`rotate` (inside its transaction)."""
    now = timezone.now()
    live = _lock_live_keys()
    old = next((k for k in live if k.state == State.ACTIVE), None)
    upcoming = next((k for k in live if k.state == State.NEXT), None)
    promote = upcoming is not None and requested in (None, upcoming.algorithm)
    if not promote and fresh is None:
        return None
    if old is not None:
        old.state = State.RETIRED
        old.retired_at = now
        old.save(update_fields=["state", "retired_at"])
    if promote:
        assert upcoming is not None
        upcoming.state = State.ACTIVE
        upcoming.activated_at = now
        upcoming.save(update_fields=["state", "activated_at"])
        return RotationResult(activated=upcoming, retired=old, created=False)
    assert fresh is not None
    fresh.pk = None
    fresh.activated_at = now
    fresh.save(force_insert=True)
    return RotationResult(activated=fresh, retired=old, created=True)


# --------------------------------------------------------------------------- removal


def published_until(key: SigningKey) -> datetime | None:
    """When a retired key leaves the JWKS; ``None`` while it is active or next."""
    if key.state != State.RETIRED or key.retired_at is None:
        return None
    return key.retired_at + timedelta(seconds=fedcm_settings.KEY_GRACE_PERIOD)


def expired_keys(now: datetime | None = None) -> QuerySet[SigningKey]:
    return SigningKey.objects.filter(state=State.RETIRED, retired_at__lt=grace_cutoff(now))


def retire(
    kid: str,
    *,
    force: bool = False,
    dry_run: bool = False,
    actor: Any = None,
    via: str | None = None,
) -> SigningKey:
    """Delete one key. Refuses the active key; refuses a retired key still in
    its grace period unless ``force`` (a compromised key must go at once).
    Audited as ``signing_key.deleted`` (``{"force": ...}``)."""
    with transaction.atomic():
        try:
            key = SigningKey.objects.select_for_update().get(kid=kid)
        except SigningKey.DoesNotExist:
            raise KeyManagementError(f"No signing key with kid {kid!r}.") from None
        if key.state == State.ACTIVE:
            raise KeyManagementError(
                f"Key {kid} is the active signing key; rotate first, then retire it."
            )
        in_grace = key.state == State.NEXT or (
            key.retired_at is not None and key.retired_at >= grace_cutoff()
        )
        if in_grace and not force:
            why = (
                "is the pre-published next key"
                if key.state == State.NEXT
                else "is still published (tokens signed with it may be in use)"
            )
            raise KeyManagementError(f"Key {kid} {why}; pass --force to remove it now.")
        if not dry_run:
            # Recorded first: the event keeps the key's primary key.
            _Audit(actor, via).record("signing_key.deleted", key, {"force": force})
            key.delete()
    clear_cache()
    return key


def prune(*, dry_run: bool = False, actor: Any = None, via: str | None = None) -> list[SigningKey]:
    """Delete every retired key whose grace period is over (one
    ``signing_key.pruned`` event per key)."""
    with transaction.atomic():
        doomed = list(expired_keys().select_for_update())
        if not dry_run and doomed:
            who = _Audit(actor, via)
            for key in doomed:
                who.record("signing_key.pruned", key)
            SigningKey.objects.filter(pk__in=[k.pk for k in doomed]).delete()
    clear_cache()
    return doomed


def reencrypt(
    *, dry_run: bool = False, actor: Any = None, via: str | None = None
) -> list[SigningKey]:
    """Re-encrypt private keys not yet under the current secret (one
    ``signing_key.reencrypted`` event per key)."""
    changed: list[SigningKey] = []
    who = _Audit(actor, via)
    with transaction.atomic():
        for key in SigningKey.objects.select_for_update():
            if crypto.needs_reencryption(key.private_key_encrypted):
                changed.append(key)
                if not dry_run:
                    key.private_key_encrypted = crypto.reencrypt(key.private_key_encrypted)
                    key.save(update_fields=["private_key_encrypted"])
                    who.record("signing_key.reencrypted", key)
    return changed


def takes_over_at(result: RotationResult) -> datetime | None:
    """When the key a rotation made active starts signing, if not at once: a
    fresh key waits :func:`publication_lead` while an older published key
    goes on signing."""
    signing = current_key_set().signing
    if signing is None or signing.kid == result.activated.kid:
        return None
    return signs_from(result.activated)
