from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import override_settings
from jwcrypto.jwk import JWK
from jwcrypto.jwt import JWT

from django_fedcm.models import AuditEvent, SigningKey
from django_fedcm.services import key_set, keys, shared_cache

pytestmark = pytest.mark.django_db


def test_first_rotate_creates_active_key() -> None:
    result = keys.rotate("ES256")
    assert result.created and result.retired is None
    assert SigningKey.objects.get().state == "active"
    assert keys.signing_key().kid == result.activated.kid


def test_rotate_retires_previous_and_keeps_it_published(fedcm_signing_key: SigningKey) -> None:
    result = keys.rotate("ES256")
    fedcm_signing_key.refresh_from_db()
    assert fedcm_signing_key.state == "retired"
    kids = [k["kid"] for k in keys.jwks()["keys"]]
    assert kids == [result.activated.kid, fedcm_signing_key.kid]


def test_token_signed_before_rotation_verifies_with_published_jwks(
    fedcm_signing_key: SigningKey,
) -> None:
    signer = keys.signing_key()
    token = JWT(header={"alg": signer.algorithm, "kid": signer.kid}, claims={"sub": "1"})
    token.make_signed_token(signer.jwk)
    serialized = token.serialize()
    keys.rotate("ES256")
    published = keys.jwks()
    public = next(k for k in published["keys"] if k["kid"] == signer.kid)
    assert "d" not in public
    verified = JWT(jwt=serialized, key=JWK(**public))
    assert verified.claims == '{"sub":"1"}'


# --------------------------------------------------------------------------- process cache


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    fake = FakeClock()
    monkeypatch.setattr(key_set.time, "monotonic", fake)
    return fake


def rotate_in_another_process(algorithm: str = "ES256") -> SigningKey:
    """What another process's rotate leaves in the database, without touching
    this process's cache."""
    from django.utils import timezone

    now = timezone.now()
    SigningKey.objects.filter(state="active").update(state="retired", retired_at=now)
    new = keys._new_key(algorithm, "active", now)
    SigningKey.objects.bulk_create([new])  # no signals: they fire in that process
    return new


@override_settings(FEDCM_KEY_CACHE_SECONDS=60, FEDCM_CACHE=None)
def test_rotation_by_another_process_is_picked_up_within_cache_seconds(
    fedcm_signing_key: SigningKey, clock: FakeClock
) -> None:
    assert keys.signing_key().kid == fedcm_signing_key.kid
    new = rotate_in_another_process()
    clock.now += 59
    assert keys.signing_key().kid == fedcm_signing_key.kid  # still cached
    assert new.kid not in [k["kid"] for k in keys.jwks()["keys"]]
    clock.now += 1
    assert keys.signing_key().kid == new.kid
    assert [k["kid"] for k in keys.jwks()["keys"]] == [new.kid, fedcm_signing_key.kid]


@override_settings(FEDCM_KEY_CACHE_SECONDS=60, FEDCM_CACHE="default")
def test_with_a_shared_cache_another_process_rotation_is_published_within_a_second(
    fedcm_signing_key: SigningKey, clock: FakeClock
) -> None:
    fresh = [fedcm_signing_key.kid]
    assert [k["kid"] for k in keys.jwks()["keys"]] == fresh
    new = rotate_in_another_process()
    shared_cache.bump("keys")  # what that process's SigningKey receiver does
    clock.now += keys.VERSION_CHECK_INTERVAL * 0.9
    assert [k["kid"] for k in keys.jwks()["keys"]] == fresh  # not asked again yet
    clock.now += keys.VERSION_CHECK_INTERVAL * 0.1
    # Well before KEY_CACHE_SECONDS; it signs once the lead has passed (below).
    assert [k["kid"] for k in keys.jwks()["keys"]] == [new.kid, fedcm_signing_key.kid]


@override_settings(FEDCM_CACHE="default")
def test_a_signing_key_write_replaces_the_shared_version(fedcm_signing_key: SigningKey) -> None:
    before = shared_cache.current_version("keys")
    keys.rotate()
    assert shared_cache.current_version("keys") != before


def test_warm_cache_does_no_queries(
    fedcm_signing_key: SigningKey,
    clock: FakeClock,
    django_assert_num_queries: Any,
) -> None:
    with django_assert_num_queries(1):
        keys.jwks()
    clock.now += 30
    with django_assert_num_queries(0):
        for _ in range(5):
            keys.jwks()
            keys.signing_key()


def test_rotation_in_this_process_clears_the_cache_at_once(
    fedcm_signing_key: SigningKey, clock: FakeClock
) -> None:
    keys.signing_key()
    result = keys.rotate("EdDSA")
    assert keys.signing_key().kid == result.activated.kid


def test_secret_key_change_clears_the_cache(fedcm_signing_key: SigningKey) -> None:
    keys.signing_key()
    assert key_set._cache.value is not None
    with override_settings(SECRET_KEY_FALLBACKS=["older-secret"]):
        assert key_set._cache.value is None


def test_no_active_key_raises_with_the_fix() -> None:
    with pytest.raises(keys.NoActiveKey, match="fedcm_keys rotate"):
        keys.signing_key()
    assert keys.jwks() == {"keys": []}


# --------------------------------------------------------------------------- publish before signing


def age(key: SigningKey, seconds: float) -> SigningKey:
    """``key`` as if it had been created ``seconds`` ago."""
    from datetime import timedelta

    from django.utils import timezone

    SigningKey.objects.filter(pk=key.pk).update(
        created_at=timezone.now() - timedelta(seconds=seconds)
    )
    keys.clear_cache()
    key.refresh_from_db()
    return key


@pytest.fixture
def wall_clock(monkeypatch: pytest.MonkeyPatch) -> Any:
    """Move the POSIX clock the signing choice reads, seconds at a time."""
    import time as real_time

    offset = [0.0]
    real = real_time.time
    monkeypatch.setattr(key_set.time, "time", lambda: real() + offset[0])

    def advance(seconds: float) -> None:
        offset[0] += seconds

    return advance


@override_settings(FEDCM_CACHE="default")
def test_a_fresh_key_is_published_at_once_and_signs_after_the_lead(
    fedcm_signing_key: SigningKey, wall_clock: Any
) -> None:
    """A plain rotate: every process lists the new key within one version
    check, and none signs with it before two have passed."""
    age(fedcm_signing_key, 86400)
    assert keys.publication_lead() == 2 * keys.VERSION_CHECK_INTERVAL
    new = keys.rotate("ES256").activated
    assert [k["kid"] for k in keys.jwks()["keys"]] == [new.kid, fedcm_signing_key.kid]
    assert keys.signing_key().kid == fedcm_signing_key.kid
    assert keys.signs_from(new) == new.created_at + timedelta(seconds=2)
    wall_clock(keys.publication_lead() - 0.3)
    assert keys.signing_key().kid == fedcm_signing_key.kid
    wall_clock(0.3)
    assert keys.signing_key().kid == new.kid  # the same loaded set: no reload needed


@override_settings(FEDCM_CACHE="default")
def test_a_key_prepublished_earlier_signs_as_soon_as_it_is_active(
    fedcm_signing_key: SigningKey,
) -> None:
    age(fedcm_signing_key, 86400)
    upcoming = age(keys.prepublish("EdDSA"), 5)
    keys.rotate()
    assert keys.signing_key().kid == upcoming.kid


@override_settings(FEDCM_CACHE="default")
def test_two_quick_rotations_hand_over_key_by_key(
    fedcm_signing_key: SigningKey, wall_clock: Any
) -> None:
    age(fedcm_signing_key, 86400)
    first = keys.rotate("ES256").activated
    second = keys.rotate("ES256").activated
    age(first, 1.0)  # made a second before the other
    assert keys.signing_key().kid == fedcm_signing_key.kid
    wall_clock(1.5)  # first has existed 2.5 s, second 1.5 s
    assert keys.signing_key().kid == first.kid
    wall_clock(1.0)
    assert keys.signing_key().kid == second.kid
    assert [c[1].kid for c in keys.current_key_set().candidates] == [
        second.kid,
        first.kid,
        fedcm_signing_key.kid,
    ]


@override_settings(FEDCM_CACHE="default")
def test_a_key_with_no_published_predecessor_signs_at_once(
    fedcm_signing_key: SigningKey,
) -> None:
    """The first key ever, or one whose predecessor was withdrawn at once
    (``retire --force`` of a compromised key): nothing else may sign."""
    first = keys.rotate("ES256").activated
    age(fedcm_signing_key, 86400)
    keys.retire(fedcm_signing_key.kid, force=True)
    assert keys.signing_key().kid == first.kid


@override_settings(FEDCM_CACHE=None)
def test_without_a_shared_cache_there_is_no_lead(fedcm_signing_key: SigningKey) -> None:
    age(fedcm_signing_key, 86400)
    assert keys.publication_lead() == 0
    new = keys.rotate("ES256").activated
    assert keys.signing_key().kid == new.kid


# --------------------------------------------------------------------------- lifecycle service


def test_prepublished_key_is_published_then_promoted(fedcm_signing_key: SigningKey) -> None:
    upcoming = keys.prepublish("EdDSA")
    assert upcoming.state == "next" and upcoming.activated_at is None
    assert [k["kid"] for k in keys.jwks()["keys"]] == [fedcm_signing_key.kid, upcoming.kid]
    assert keys.signing_key().kid == fedcm_signing_key.kid
    with pytest.raises(keys.KeyManagementError, match="already published"):
        keys.prepublish()
    result = keys.rotate()
    assert not result.created and result.activated.kid == upcoming.kid


def test_rotate_with_other_algorithm_keeps_next_key(fedcm_make_key: Any) -> None:
    fedcm_make_key("RS256")
    upcoming = fedcm_make_key("EdDSA", state="next")
    result = keys.rotate("ES256")
    assert result.created and result.activated.algorithm == "ES256"
    upcoming.refresh_from_db()
    assert upcoming.state == "next"


def test_rotate_generates_when_next_key_vanishes(
    fedcm_make_key: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    fedcm_make_key("RS256")
    upcoming = fedcm_make_key("ES256", state="next")
    real = keys._rotate_locked

    def vanish_first(*args: Any) -> Any:
        SigningKey.objects.filter(pk=upcoming.pk).delete()  # a concurrent retire --force
        monkeypatch.setattr(keys, "_rotate_locked", real)
        return real(*args)

    monkeypatch.setattr(keys, "_rotate_locked", vanish_first)
    result = keys.rotate()
    assert result.created and result.activated.algorithm == "RS256"


def test_rotate_gives_up_after_repeated_conflicts(
    fedcm_signing_key: SigningKey, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.db import IntegrityError

    def conflict(*args: Any) -> Any:
        raise IntegrityError("duplicate key value violates unique constraint")

    monkeypatch.setattr(keys, "_rotate_locked", conflict)
    with pytest.raises(keys.KeyManagementError, match="concurrent rotations"):
        keys.rotate()
    assert SigningKey.objects.get().kid == fedcm_signing_key.kid


def test_rotate_sends_key_rotated(fedcm_signing_key: SigningKey, fedcm_signal_log: Any) -> None:
    from django_fedcm import signals

    received = fedcm_signal_log(signals.key_rotated)
    result = keys.rotate("ES256")
    assert received[0]["activated"] == result.activated
    assert received[0]["retired"].kid == fedcm_signing_key.kid


@override_settings(FEDCM_KEY_GRACE_PERIOD=3600)
def test_grace_period_bounds_publication(fedcm_make_key: Any) -> None:
    from datetime import timedelta

    from django.utils import timezone

    fedcm_make_key("RS256")
    inside = fedcm_make_key(
        "ES256", state="retired", retired_at=timezone.now() - timedelta(minutes=59)
    )
    outside = fedcm_make_key(
        "EdDSA", state="retired", retired_at=timezone.now() - timedelta(minutes=61)
    )
    kids = [k["kid"] for k in keys.jwks()["keys"]]
    assert inside.kid in kids and outside.kid not in kids
    assert list(keys.expired_keys()) == [outside]
    assert [k.kid for k in keys.prune()] == [outside.kid]
    assert not SigningKey.objects.filter(pk=outside.pk).exists()


def test_retire_and_prune_dry_run_change_nothing(fedcm_make_key: Any) -> None:
    from datetime import timedelta

    from django.utils import timezone

    old = fedcm_make_key("ES256", state="retired", retired_at=timezone.now() - timedelta(days=30))
    assert keys.retire(old.kid, dry_run=True).kid == old.kid
    assert [k.kid for k in keys.prune(dry_run=True)] == [old.kid]
    assert SigningKey.objects.filter(pk=old.pk).exists()


def test_reencrypt_service(fedcm_make_key: Any) -> None:
    key = fedcm_make_key("ES256")
    assert keys.reencrypt() == []
    with override_settings(
        SECRET_KEY="rotated-" + "s" * 40,
        SECRET_KEY_FALLBACKS=["tests-only-secret-key-not-for-production-0123456789"],
    ):
        assert [k.kid for k in keys.reencrypt(dry_run=True)] == [key.kid]
        assert [k.kid for k in keys.reencrypt()] == [key.kid]
        assert keys.reencrypt() == []


# --------------------------------------------------------------------------- audit trail


def test_rotate_records_one_event_with_actor_and_via(
    fedcm_signing_key: SigningKey, fedcm_user: Any
) -> None:
    result = keys.rotate("ES256", actor=fedcm_user, via="admin")
    event = AuditEvent.objects.get()
    assert (event.actor, event.action, event.target_id) == (
        fedcm_user,
        "signing_key.rotated",
        str(result.activated.pk),
    )
    assert event.changes == {
        "via": "admin",
        "active_kid": [fedcm_signing_key.kid, result.activated.kid],
        "algorithm": "ES256",
        "created": True,
    }


def test_rotate_without_caller_still_records(fedcm_make_key: Any) -> None:
    fedcm_make_key("RS256")
    upcoming = fedcm_make_key("ES256", state="next")
    keys.rotate()
    event = AuditEvent.objects.get()
    assert event.actor is None and event.changes["created"] is False
    assert event.changes["active_kid"][1] == upcoming.kid
    assert "via" not in event.changes


def test_rotation_and_its_event_are_one_transaction(
    fedcm_signing_key: SigningKey, monkeypatch: pytest.MonkeyPatch, fedcm_signal_log: Any
) -> None:
    from django_fedcm import signals
    from django_fedcm.services import audit

    def fail(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("audit store down")

    rotated = fedcm_signal_log(signals.key_rotated)
    monkeypatch.setattr(audit, "record", fail)
    with pytest.raises(RuntimeError):
        keys.rotate("ES256")
    assert SigningKey.objects.get().kid == fedcm_signing_key.kid  # nothing half-done
    assert SigningKey.objects.get().state == "active"
    assert rotated == []


def test_prepublish_retire_prune_reencrypt_record_events(
    fedcm_make_key: Any, fedcm_user: Any
) -> None:
    from datetime import timedelta

    from django.utils import timezone

    fedcm_make_key("RS256")
    upcoming = keys.prepublish("ES256", actor=fedcm_user, via="api")
    expired = fedcm_make_key(
        "EdDSA", state="retired", retired_at=timezone.now() - timedelta(days=30)
    )
    keys.prune(via="fedcm_keys")
    keys.retire(upcoming.kid, force=True, via="fedcm_keys")
    with override_settings(
        SECRET_KEY="rotated-" + "s" * 40,
        SECRET_KEY_FALLBACKS=["tests-only-secret-key-not-for-production-0123456789"],
    ):
        (reencrypted,) = keys.reencrypt(via="fedcm_keys")
    events = list(AuditEvent.objects.order_by("pk"))
    assert [(e.action, e.target_repr.split()[0], e.changes) for e in events] == [
        ("signing_key.prepublished", upcoming.kid, {"via": "api"}),
        ("signing_key.pruned", expired.kid, {"via": "fedcm_keys"}),
        ("signing_key.deleted", upcoming.kid, {"via": "fedcm_keys", "force": True}),
        ("signing_key.reencrypted", reencrypted.kid, {"via": "fedcm_keys"}),
    ]
    assert events[0].actor == fedcm_user
    # Deleted keys keep their id in the trail.
    assert events[1].target_id == str(expired.pk) and events[2].target_id == str(upcoming.pk)


def test_dry_runs_and_refusals_record_nothing(fedcm_make_key: Any) -> None:
    from datetime import timedelta

    from django.utils import timezone

    active = fedcm_make_key("RS256")
    old = fedcm_make_key("ES256", state="retired", retired_at=timezone.now() - timedelta(days=30))
    keys.retire(old.kid, dry_run=True)
    keys.prune(dry_run=True)
    keys.reencrypt()
    with pytest.raises(keys.KeyManagementError):
        keys.retire(active.kid)
    assert not AuditEvent.objects.exists()
    keys.prepublish("EdDSA")
    with pytest.raises(keys.KeyManagementError):
        keys.prepublish("EdDSA")  # a second next key
    assert AuditEvent.objects.count() == 1


# --------------------------------------------------------------------------- no key material leaks


def test_reprs_and_errors_carry_no_key_material(fedcm_signing_key: SigningKey) -> None:
    from django_fedcm.services import crypto

    loaded = keys.signing_key()
    d = loaded.jwk.export_private(as_dict=True)["d"]
    token = bytes(fedcm_signing_key.private_key_encrypted).decode()
    texts = [repr(loaded), str(loaded), repr(fedcm_signing_key), str(fedcm_signing_key)]
    with override_settings(SECRET_KEY="unrelated-" + "u" * 40):
        for call in (crypto.decrypt, crypto.reencrypt):
            with pytest.raises(crypto.KeyDecryptionError) as excinfo:
                call(fedcm_signing_key.private_key_encrypted)
            texts.append(str(excinfo.value))
            assert excinfo.value.__cause__ is None and excinfo.value.__suppress_context__
    for text in texts:
        assert d not in text and token not in text


def test_cache_filled_by_another_thread_while_waiting_for_the_lock(
    fedcm_signing_key: SigningKey,
    monkeypatch: pytest.MonkeyPatch,
    django_assert_num_queries: Any,
) -> None:
    loaded = key_set._load(shared_cache.current_version("keys"))

    class FillingLock:
        def __enter__(self) -> None:
            key_set._cache.value = loaded  # the other thread finished _load() first

        def __exit__(self, *exc: object) -> None:
            return None

    monkeypatch.setattr(key_set._cache, "lock", FillingLock())
    with django_assert_num_queries(0):
        assert keys.current_key_set() is loaded


def test_lock_reads_again_until_the_key_set_is_stable(
    fedcm_make_key: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What a rotation waiting for another one sees on PostgreSQL: the first
    read misses the row the other rotation inserted (see the Postgres tests)."""
    old = fedcm_make_key("RS256", state="retired")
    new = fedcm_make_key("ES256")
    reads = iter([[], [new], [new]])
    monkeypatch.setattr(keys, "_live_keys_query", lambda: next(reads))
    assert keys._lock_live_keys() == [new]
    assert old.state == "retired"


def test_lock_gives_up_when_the_key_set_keeps_changing(
    fedcm_signing_key: SigningKey, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.db import IntegrityError

    counter = iter(range(1000))

    def changing() -> list[SigningKey]:
        key = SigningKey(pk=next(counter), state="active")
        return [key]

    monkeypatch.setattr(keys, "_live_keys_query", changing)
    with pytest.raises(IntegrityError, match="kept changing"):
        keys._lock_live_keys()


def test_key_ids_never_start_with_a_dash(monkeypatch: pytest.MonkeyPatch) -> None:
    """``fedcm_keys retire KID`` must be able to take every key id as an argument."""
    from django_fedcm.services import keys as keys_module

    real = keys_module._generate_once
    made: list[str] = []

    def dash_first(algorithm: str) -> JWK:
        # The first key made starts with a dash, every later one does not:
        # a thumbprint starts with "-" one time in 64, so leaving the later
        # draws to chance made this test fail now and then.
        want_dash = not made
        key = real(algorithm)
        while key.thumbprint().startswith("-") != want_dash:
            key = real(algorithm)
        made.append(key.thumbprint())
        return key

    monkeypatch.setattr(keys_module, "_generate_once", dash_first)
    key = keys_module._generate("EdDSA")
    assert made[0].startswith("-")
    assert len(made) == 2 and key.thumbprint() == made[1]
    assert not key.thumbprint().startswith("-")
