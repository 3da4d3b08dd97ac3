"""The sign-in dashboard: the "Sign-in reports" admin page, drawn as inline SVG."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from oauth2_provider.models import AccessToken

from django_fedcm.admin.dashboard import BAR_WIDTH, bar_chart
from django_fedcm.models import Grant, RelyingParty, SignInMetric

pytestmark = pytest.mark.django_db

URL = "admin:django_fedcm_signinmetric_changelist"


def report(**fields: Any) -> SignInMetric:
    fields.setdefault("outcome", "success")
    return SignInMetric.objects.create(recorded_at=timezone.now(), **fields)


@pytest.fixture
def activity(
    fedcm_make_rp: Callable[..., RelyingParty],
    fedcm_user: Any,
    fedcm_make_grant: Callable[..., Grant],
) -> RelyingParty:
    shop = fedcm_make_rp("shop", origins="https://shop.test", name="Shop & Co")
    fedcm_make_grant(fedcm_user, shop)
    AccessToken.objects.create(
        user=fedcm_user,
        application=shop.application,
        token="at-1",
        expires=timezone.now() + timedelta(hours=1),
    )
    report(
        origin="https://shop.test",
        auto_reauthn=False,
        time_to_show_ui=100,
        time_to_continue=900,
        time_to_receive_token=80,
        turnaround_time=1080,
    )
    report(
        origin="https://shop.test",
        auto_reauthn=True,
        time_to_show_ui=40,
        time_to_receive_token=60,
        turnaround_time=120,
    )
    report(outcome="failure", error_code=200, did_show_ui=True)
    return shop


def text(response: Any) -> str:
    return str(response.content.decode())


def test_the_dashboard_shows_each_chart_with_its_numbers(
    admin_client: Client, activity: RelyingParty, settings: Any
) -> None:
    settings.FEDCM_METRICS_ENABLED = True
    response = admin_client.get(reverse(URL))
    assert response.status_code == 200
    page = text(response)
    # Per client and day: two FedCM reports and one OAuth door token today.
    row = re.search(r'<tr class="client" data-client-id="shop">.*?</tr>', page, re.S)
    assert row is not None
    assert "Shop &amp; Co" in row.group(0)
    assert re.search(r'fedcm-total">2<', row.group(0))
    assert re.search(r'oauth-total">1<', row.group(0))
    today = timezone.localdate().isoformat()
    assert f"<title>{today}: 2 FedCM, 1 OAuth door</title>" in row.group(0)
    # The doors, the rate, the errors, the medians.
    assert re.search(r"FedCM \(browser reports\)</text>.*?>2</text>", page, re.S)
    assert re.search(r"OAuth door \(tokens issued\)</text>.*?>1</text>", page, re.S)
    assert '<strong class="rate">50%</strong>' in page
    assert "200 user failure" in page
    assert re.search(r"call to token \(turnaround_time\)</text>.*?>600 ms</text>", page, re.S)
    assert re.search(r"chooser to click \(time_to_continue\)</text>.*?>900 ms</text>", page, re.S)
    assert 'id="metrics-off"' not in page
    # Drawn on the server: no script, nothing from another site.
    charts = re.findall(r'<svg role="img".*?</svg>', page, re.S)
    assert len(charts) == 5  # one per client, and the four bar charts
    assert "http" not in " ".join(charts)
    assert "<script" not in page.split('id="content-main"')[1].split("</main>")[0]


def test_while_reports_are_off_the_page_says_so(
    admin_client: Client, activity: RelyingParty
) -> None:
    page = text(admin_client.get(reverse(URL)))
    assert 'id="metrics-off"' in page
    assert "FEDCM_METRICS_ENABLED" in page


def test_an_empty_period_is_said_in_words(admin_client: Client) -> None:
    page = text(admin_client.get(reverse(URL)))
    assert "No sign-ins recorded in this period." in page
    assert "No failure reported." in page
    assert '<strong class="rate">-</strong>' in page


@pytest.mark.parametrize(("days", "shown"), [("7", 7), ("90", 90), ("5", 14), ("x", 14)])
def test_the_period_is_one_of_the_offered_ones(admin_client: Client, days: str, shown: int) -> None:
    response = admin_client.get(reverse(URL), {"days": days})
    assert response.context["days"] == shown
    assert len(response.context["stats"].days) == shown


def test_a_fixed_number_of_queries_whatever_the_data(
    admin_client: Client,
    activity: RelyingParty,
    fedcm_make_rp: Callable[..., RelyingParty],
    django_assert_num_queries: Any,
) -> None:
    url = reverse(URL)
    admin_client.get(url)  # warm the session
    # session, user, then the summary: reports, errors, timing counts, four
    # medians, OAuth tokens, grants, clients.
    with django_assert_num_queries(12):
        admin_client.get(url)
    for i in range(20):
        fedcm_make_rp(f"more-{i}", origins=f"https://more-{i}.test")
        report(origin=f"https://more-{i}.test", turnaround_time=i)
        report(outcome="failure", error_code=i)
    with django_assert_num_queries(12):
        response = admin_client.get(url)
    assert len(response.context["clients"]) == 21


def test_staff_need_the_view_permission(
    client: Client, fedcm_make_user: Callable[..., Any], activity: RelyingParty
) -> None:
    staff = fedcm_make_user("staff", is_staff=True)
    client.force_login(staff)
    assert client.get(reverse(URL)).status_code == 403
    staff.user_permissions.add(Permission.objects.get(codename="view_signinmetric"))
    response = client.get(reverse(URL))
    assert response.status_code == 200
    assert "Shop &amp; Co" in text(response)


def test_reports_cannot_be_added_changed_or_deleted(
    admin_client: Client, activity: RelyingParty
) -> None:
    row = SignInMetric.objects.first()
    assert row is not None
    assert admin_client.get(reverse("admin:django_fedcm_signinmetric_add")).status_code == 403
    delete = reverse("admin:django_fedcm_signinmetric_delete", args=[row.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    assert SignInMetric.objects.count() == 3


def test_the_admin_index_links_to_the_dashboard(admin_client: Client) -> None:
    page = text(admin_client.get(reverse("admin:index")))
    assert reverse(URL) in page
    assert "Sign-in reports" in page


def test_bar_lengths_scale_to_the_largest_value() -> None:
    chart = bar_chart([("a", 10, "10"), ("b", 5, "5"), ("c", 0.001, "tiny"), ("d", 0, "0")])
    assert [bar.width for bar in chart.bars] == [BAR_WIDTH, BAR_WIDTH // 2, 1, 0]
    assert [bar.y for bar in chart.bars] == [0, 26, 52, 78]
    assert bar_chart([]).bars == [] and bar_chart([("z", 0, "0")]).bars[0].width == 0
