"""services/throttle.py: failed sign-ins counted per account and per address
(docs/security.md#brute-force-protection)."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import authenticate
from django.core.cache import caches
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory

from django_fedcm.models import AuditEvent
from django_fedcm.services import throttle
from tests import fake_clock
from tests.fake_clock import Clock

pytestmark = pytest.mark.django_db

ACCOUNT_LIMIT = 10  # defaults.THROTTLE_ACCOUNT_FAILURES
ADDRESS_LIMIT = 30  # defaults.THROTTLE_ADDRESS_FAILURES


@pytest.fixture
def fedcm_clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return fake_clock.install(monkeypatch)


def fail(account: str | None, address: str | None, times: int = 1, kind: str = "user") -> None:
    for _ in range(times):
        throttle.count_failure(kind=kind, account=account, address=address)


def wait(account: str | None, address: str | None, kind: str = "user") -> int:
    return throttle.retry_after(kind=kind, account=account, address=address)


def request_from(remote_addr: str = "203.0.113.7", **headers: str) -> Any:
    return RequestFactory().post("/login", REMOTE_ADDR=remote_addr, **headers)


# ------------------------------------------------------------------ counting and lockout


def test_nothing_is_locked_at_first(fedcm_clock: Clock) -> None:
    assert wait("alice", "203.0.113.7") == 0


def test_the_account_limit_locks_the_account_for_the_lockout(fedcm_clock: Clock) -> None:
    fail("alice", "203.0.113.7", ACCOUNT_LIMIT - 1)
    assert wait("alice", "203.0.113.7") == 0
    fail("alice", "203.0.113.7")
    assert wait("alice", "203.0.113.7") == 900
    fedcm_clock.advance(100.4)
    assert wait("alice", "203.0.113.7") == 800  # rounded up


def test_the_lockout_expires(fedcm_clock: Clock) -> None:
    fail("alice", "203.0.113.7", ACCOUNT_LIMIT)
    fedcm_clock.advance(900)
    assert wait("alice", "203.0.113.7") == 0


def test_a_locked_account_is_locked_from_every_address_but_others_are_not(
    fedcm_clock: Clock,
) -> None:
    for n in range(ACCOUNT_LIMIT):  # one failure from each of ten addresses
        fail("alice", f"198.51.100.{n}")
    assert wait("alice", "192.0.2.1") == 900
    assert wait("bob", "198.51.100.1") == 0
    assert wait(None, "198.51.100.1") == 0


def test_a_locked_address_is_locked_for_every_account_but_others_are_not(
    fedcm_clock: Clock,
) -> None:
    for n in range(ADDRESS_LIMIT):  # one failure for each of thirty accounts
        fail(f"user{n}", "203.0.113.7")
    assert wait("carol", "203.0.113.7") == 900
    assert wait("carol", "203.0.113.8") == 0
    assert wait("user1", "203.0.113.8") == 0


def test_usernames_are_compared_case_insensitively(fedcm_clock: Clock) -> None:
    fail("Alice", "203.0.113.7", ACCOUNT_LIMIT // 2)
    fail(" ALICE ", "203.0.113.8", ACCOUNT_LIMIT // 2)
    assert wait("alice", "192.0.2.1") == 900


def test_a_client_id_and_a_username_never_share_a_counter(fedcm_clock: Clock) -> None:
    fail("alice", None, ACCOUNT_LIMIT, kind=throttle.CLIENT)
    assert wait("alice", None, kind=throttle.CLIENT) == 900
    assert wait("alice", None) == 0


def test_attempts_refused_during_a_lockout_are_not_counted(fedcm_clock: Clock) -> None:
    fail("alice", "203.0.113.7", ACCOUNT_LIMIT)
    fail("alice", "203.0.113.7", ADDRESS_LIMIT)  # refused: alice is locked
    assert wait("bob", "203.0.113.7") == 0


def test_failures_of_a_past_window_do_not_count(fedcm_clock: Clock) -> None:
    fail("alice", "203.0.113.7", ACCOUNT_LIMIT - 1)
    fedcm_clock.advance(900)
    fail("alice", "203.0.113.7")
    assert wait("alice", "203.0.113.7") == 0


def test_after_a_short_lockout_one_more_failure_in_the_window_locks_again(
    fedcm_clock: Clock, settings: Any
) -> None:
    settings.FEDCM_THROTTLE_LOCKOUT = 60
    fail("alice", "203.0.113.7", ACCOUNT_LIMIT)
    fedcm_clock.advance(61)
    assert wait("alice", "203.0.113.7") == 0
    fail("alice", "203.0.113.7")
    assert wait("alice", "203.0.113.7") == 60


def test_limits_come_from_the_settings(fedcm_clock: Clock, settings: Any) -> None:
    settings.FEDCM_THROTTLE_ACCOUNT_FAILURES = 2
    settings.FEDCM_THROTTLE_ADDRESS_FAILURES = 3
    fail("alice", "203.0.113.7", 2)
    assert wait("alice", "192.0.2.1") == 900
    fail("bob", "203.0.113.8")
    fail("carol", "203.0.113.8")
    fail("dave", "203.0.113.8")
    assert wait("erin", "203.0.113.8") == 900


def test_limits_set_to_none_turn_the_throttle_off(fedcm_clock: Clock, settings: Any) -> None:
    settings.FEDCM_THROTTLE_ACCOUNT_FAILURES = None
    settings.FEDCM_THROTTLE_ADDRESS_FAILURES = None
    fail("alice", "203.0.113.7", 100)
    assert wait("alice", "203.0.113.7") == 0
    assert not AuditEvent.objects.exists()


def test_counters_live_in_fedcm_cache(fedcm_clock: Clock, settings: Any) -> None:
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "shared": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "throttle-test",
        },
    }
    settings.FEDCM_CACHE = "shared"
    assert throttle.throttle_cache() is caches["shared"]
    fail("alice", "203.0.113.7", ACCOUNT_LIMIT)
    caches["default"].clear()
    assert wait("alice", "203.0.113.7") == 900
    caches["shared"].clear()
    assert wait("alice", "203.0.113.7") == 0


def test_a_dummy_cache_counts_nothing(fedcm_clock: Clock, settings: Any) -> None:
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "dummy": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"},
    }
    settings.FEDCM_CACHE = "dummy"
    fail("alice", "203.0.113.7", ACCOUNT_LIMIT * 2)
    assert wait("alice", "203.0.113.7") == 0


def test_the_start_of_each_lockout_is_one_audit_event(fedcm_clock: Clock) -> None:
    fail("Alice", "203.0.113.7", ACCOUNT_LIMIT)
    fail("alice", "203.0.113.7", 5)  # refused: no more events
    (event,) = AuditEvent.objects.all()
    assert event.action == "sign_in.locked_out"
    assert event.actor is None
    assert event.changes == {
        "scope": "account",
        "account": "alice",
        "failures": ACCOUNT_LIMIT,
        "locked_seconds": 900,
    }
    address = throttle.address_from_meta({"REMOTE_ADDR": "2001:db8::1"})
    for n in range(ADDRESS_LIMIT):
        fail(f"user{n}", address, kind=throttle.CLIENT)
    event = AuditEvent.objects.latest("pk")
    assert event.action == "oauth_client.locked_out"
    assert event.changes["scope"] == "address"
    assert event.changes["address"] == "2001:db8::/64"


# ------------------------------------------------------------------ client address


def test_the_address_is_remote_addr_and_x_forwarded_for_is_ignored() -> None:
    request = request_from("203.0.113.7", HTTP_X_FORWARDED_FOR="192.0.2.99")
    assert throttle.client_address(request) == "203.0.113.7"


@pytest.mark.parametrize(
    ("forwarded", "expected"),
    [
        ("192.0.2.99", "192.0.2.99"),
        ("10.9.9.9, 192.0.2.99", "192.0.2.99"),  # the proxy appended the last one
        ("192.0.2.99:51234", "192.0.2.99"),
        ("[2001:db8:1:2:3::4]:443", "2001:db8:1:2::/64"),
        ("", "203.0.113.7"),  # no header: a request that bypassed the proxy
        ("not an address", "not an address"),
    ],
)
def test_a_named_proxy_header_gives_the_address(
    settings: Any, forwarded: str, expected: str
) -> None:
    settings.FEDCM_THROTTLE_CLIENT_IP_HEADER = "X-Forwarded-For"
    request = request_from("203.0.113.7", HTTP_X_FORWARDED_FOR=forwarded)
    assert throttle.client_address(request) == expected


@pytest.mark.parametrize(
    ("remote_addr", "expected"),
    [
        ("2001:db8:1:2:aaaa::1", "2001:db8:1:2::/64"),
        ("::ffff:203.0.113.7", "203.0.113.7"),
        ("", ""),
    ],
)
def test_ipv6_counts_per_64(remote_addr: str, expected: str) -> None:
    assert throttle.address_from_meta({"REMOTE_ADDR": remote_addr}) == expected


# ------------------------------------------------------------------ sign-in helpers


def test_check_allowed_raises_a_permission_denied_that_says_when(fedcm_clock: Clock) -> None:
    request = request_from()
    throttle.check_allowed(request, "alice")
    for _ in range(ACCOUNT_LIMIT):
        throttle.record_failure(request, "alice")
    with pytest.raises(throttle.SignInThrottled) as raised:
        throttle.check_allowed(request_from("192.0.2.1"), "alice")
    assert isinstance(raised.value, PermissionDenied)
    assert raised.value.retry_after == 900
    assert str(raised.value) == "Too many failed sign-in attempts. Try again in 15 minutes."


def test_check_allowed_without_a_request_checks_the_account(fedcm_clock: Clock) -> None:
    fail("alice", None, ACCOUNT_LIMIT)
    with pytest.raises(throttle.SignInThrottled):
        throttle.check_allowed(None, "alice")
    throttle.check_allowed(None, "bob")


@pytest.mark.parametrize(
    ("seconds", "expected"), [(1, "1 minute."), (60, "1 minute."), (61, "2 minutes.")]
)
def test_retry_message_rounds_up_to_minutes(seconds: int, expected: str) -> None:
    assert throttle.retry_message(seconds).endswith(f"Try again in {expected}")


# ------------------------------------------------------------------ every authenticate() counts


def test_a_failed_authenticate_is_counted(fedcm_clock: Clock, fedcm_user: Any) -> None:
    request = request_from()
    for _ in range(ACCOUNT_LIMIT):
        assert authenticate(request, username="alice", password="wrong") is None
    assert wait("alice", None) == 900


def test_a_failed_authenticate_without_a_request_counts_the_account(
    fedcm_clock: Clock, fedcm_user: Any
) -> None:
    for _ in range(ACCOUNT_LIMIT):
        authenticate(username="alice", password="wrong")
    assert wait("alice", None) == 900


def test_a_failed_authenticate_without_a_username_is_not_counted(
    fedcm_clock: Clock, settings: Any
) -> None:
    settings.FEDCM_THROTTLE_ADDRESS_FAILURES = 1
    assert authenticate(request_from(), id_token="not-a-token") is None
    assert wait(None, "203.0.113.7") == 0
