"""services/sign_in_stats.py: the dashboard's numbers, from reports, tokens and grants."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from itertools import count
from typing import Any
from unittest import mock

import pytest
from django.utils import timezone
from oauth2_provider.models import AccessToken, RefreshToken

from django_fedcm.models import Grant, RelyingParty, SignInMetric
from django_fedcm.services import sign_in_stats
from django_fedcm.services.metrics import TIMING_FIELDS

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 14, 12, 30, tzinfo=UTC)
_tokens = count()


@pytest.fixture(autouse=True)
def frozen_now() -> Iterator[None]:
    with mock.patch("django.utils.timezone.now", return_value=NOW):
        yield


def report(days_ago: int = 0, **fields: Any) -> SignInMetric:
    fields.setdefault("outcome", "success")
    hour = (NOW - timedelta(days=days_ago)).replace(minute=0)
    return SignInMetric.objects.create(recorded_at=hour, **fields)


def token(relying_party: RelyingParty, user: Any, days_ago: int = 0, **fields: Any) -> AccessToken:
    access = AccessToken.objects.create(
        user=user,
        application=relying_party.application,
        token=f"at-{next(_tokens)}",
        expires=NOW + timedelta(hours=1),
        **fields,
    )
    AccessToken.objects.filter(pk=access.pk).update(created=NOW - timedelta(days=days_ago))
    return access


@pytest.fixture
def two_clients(fedcm_make_rp: Callable[..., RelyingParty]) -> tuple[RelyingParty, RelyingParty]:
    shop = fedcm_make_rp("shop", origins="https://shop.test https://www.shop.test", name="Shop")
    news = fedcm_make_rp("news", origins="https://news.test", name="")
    return shop, news


def test_nothing_recorded_is_an_empty_summary() -> None:
    stats = sign_in_stats.summary()
    assert len(stats.days) == 14 and stats.days[-1] == NOW.date()
    assert stats.clients == [] and stats.errors == []
    assert stats.auto_reauthn_rate is None
    assert stats.medians == dict.fromkeys(
        ("time_to_show_ui", "time_to_continue", "time_to_receive_token", "turnaround_time")
    )
    assert stats.metrics_enabled is False


def test_reports_count_per_client_and_day_by_origin(
    two_clients: tuple[RelyingParty, RelyingParty],
) -> None:
    report(0, origin="https://shop.test")
    report(0, origin="https://www.shop.test")
    report(3, origin="https://shop.test")
    report(1, origin="https://news.test")
    report(0, origin="https://unknown.test")
    report(0, origin="")
    report(20, origin="https://shop.test")  # before the period
    stats = sign_in_stats.summary()
    by_id = {c.client_id: c for c in stats.clients}
    assert by_id["shop"].fedcm[-1] == 2 and by_id["shop"].fedcm[-4] == 1
    assert by_id["shop"].fedcm_total == 3
    assert by_id["news"].name == "news"  # no name: the client id
    assert by_id["news"].fedcm[-2] == 1
    assert by_id[""].name == "other origins" and by_id[""].fedcm_total == 2
    assert [c.client_id for c in stats.clients] == ["shop", "news", ""]
    assert stats.reported_successes == 6


def test_an_origin_that_only_contains_a_registered_one_is_not_that_client(
    two_clients: tuple[RelyingParty, RelyingParty],
) -> None:
    report(0, origin="https://shop.test:8443")
    [other] = sign_in_stats.summary().clients
    assert other.client_id == "" and other.fedcm_total == 1


def test_an_origin_two_clients_share_counts_once(
    fedcm_make_rp: Callable[..., RelyingParty],
) -> None:
    fedcm_make_rp("a", origins="https://shared.test", name="A")
    fedcm_make_rp("b", origins="https://shared.test", name="B")
    report(0, origin="https://shared.test")
    stats = sign_in_stats.summary()
    assert sum(c.fedcm_total for c in stats.clients) == 1


def test_origins_past_the_cap_count_as_other(
    fedcm_make_rp: Callable[..., RelyingParty],
) -> None:
    fedcm_make_rp("late", origins="https://late.test", name="Late")
    with mock.patch.object(sign_in_stats, "MAX_ORIGINS", 1):
        report(0, origin="https://flood.test")
        report(0, origin="https://flood.test")
        report(0, origin="https://late.test")
        stats = sign_in_stats.summary()
    assert [(c.client_id, c.fedcm_total) for c in stats.clients] == [("", 3)]


def test_oauth_door_counts_tokens_for_users_without_refreshes(
    two_clients: tuple[RelyingParty, RelyingParty], fedcm_user: Any
) -> None:
    shop, news = two_clients
    token(shop, fedcm_user, 0)
    first = token(shop, fedcm_user, 2)
    refresh = RefreshToken.objects.create(
        user=fedcm_user, application=shop.application, token="rt", access_token=first
    )
    token(shop, fedcm_user, 0, source_refresh_token=refresh)  # a refresh: not a sign-in
    token(news, None, 0)  # client credentials: nobody signed in
    token(news, fedcm_user, 30)  # before the period
    stats = sign_in_stats.summary()
    [shop_row] = stats.clients
    assert shop_row.oauth[-1] == 1 and shop_row.oauth[-3] == 1
    assert stats.oauth_total == 2


def test_grants_give_first_sign_ins_and_users_seen(
    two_clients: tuple[RelyingParty, RelyingParty],
    fedcm_make_user: Callable[..., Any],
    fedcm_make_grant: Callable[..., Grant],
) -> None:
    shop, news = two_clients
    alice, bob = fedcm_make_user("alice"), fedcm_make_user("bob")
    fedcm_make_grant(alice, shop)
    old = fedcm_make_grant(bob, shop)
    Grant.objects.filter(pk=old.pk).update(created_at=NOW - timedelta(days=40))
    stale = fedcm_make_grant(bob, news)
    Grant.objects.filter(pk=stale.pk).update(
        created_at=NOW - timedelta(days=40), last_used_at=NOW - timedelta(days=40)
    )
    [row] = sign_in_stats.summary().clients
    assert (row.client_id, row.first_sign_ins, row.users_seen) == ("shop", 1, 2)


def test_failures_by_error_code_most_frequent_first() -> None:
    report(0, outcome="failure", error_code=200, did_show_ui=True)
    report(0, outcome="failure", error_code=200, did_show_ui=False)
    report(1, outcome="failure", error_code=402)
    report(1, outcome="failure", error_code=777)
    report(1, outcome="failure")
    stats = sign_in_stats.summary()
    assert [(e.code, e.count) for e in stats.errors] == [(200, 2), (402, 1), (777, 1), (None, 1)]
    assert stats.errors[0].meaning.startswith("user failure")
    assert [e.meaning for e in stats.errors[2:]] == ["unknown", "no code"]
    assert stats.reported_failures == 5 and stats.clients == []


def test_auto_reauthn_rate_counts_only_reports_that_tell() -> None:
    report(0, auto_reauthn=True)
    report(0, auto_reauthn=False)
    report(0, auto_reauthn=False)
    report(0, auto_reauthn=None)
    stats = sign_in_stats.summary()
    assert (stats.auto_reauthn, stats.auto_reauthn_known) == (1, 3)
    assert stats.auto_reauthn_rate == pytest.approx(1 / 3)


def test_medians_of_the_measured_timings() -> None:
    for value in (100, 300, 200, None):
        report(0, turnaround_time=value, time_to_show_ui=value and value // 10)
    report(0, time_to_show_ui=40)
    report(0, outcome="failure", turnaround_time=9999)  # failures carry no timing
    stats = sign_in_stats.summary()
    assert stats.medians["turnaround_time"] == 200
    assert stats.medians["time_to_show_ui"] == 25  # 10, 20, 30, 40
    assert stats.medians["time_to_continue"] is None


def test_days_follow_the_current_time_zone() -> None:
    report(0, origin="")  # 12:00 UTC on the 14th is the 15th in Auckland
    with timezone.override("Pacific/Auckland"):
        stats = sign_in_stats.summary(days=7)
    assert stats.days[-1].isoformat() == "2026-03-15"
    assert stats.clients[0].fedcm == [0, 0, 0, 0, 0, 0, 1]


def test_a_report_from_a_clock_ahead_lands_on_no_day() -> None:
    SignInMetric.objects.create(outcome="success", recorded_at=NOW + timedelta(days=2))
    stats = sign_in_stats.summary()
    assert stats.reported_successes == 1
    assert stats.clients == []


def test_at_most_ten_queries_whatever_the_data(
    fedcm_make_rp: Callable[..., RelyingParty],
    fedcm_make_user: Callable[..., Any],
    fedcm_make_grant: Callable[..., Grant],
    django_assert_num_queries: Any,
) -> None:
    def populate(n: int) -> None:
        for i in range(n):
            rp = fedcm_make_rp(f"c{n}-{i}", origins=f"https://c{n}-{i}.test", name=f"C{i}")
            user = fedcm_make_user(f"u{n}-{i}")
            fedcm_make_grant(user, rp)
            token(rp, user, i % 5)
            timings = dict.fromkeys(TIMING_FIELDS, i)
            report(i % 7, origin=f"https://c{n}-{i}.test", auto_reauthn=True, **timings)
            report(i % 3, outcome="failure", error_code=200 + i)

    populate(1)
    with django_assert_num_queries(10):
        sign_in_stats.summary()
    populate(25)
    with django_assert_num_queries(10):
        stats = sign_in_stats.summary()
    assert len(stats.clients) == 26
