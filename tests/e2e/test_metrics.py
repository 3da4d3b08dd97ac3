"""The browser's sign-in reports (``metrics_endpoint``) and the admin's
sign-in dashboard, in real Chromium (no screenshots: the dashboard is
asserted on the text of its table and SVG).

Chromium sends the reports only with the ``FedCmMetricsEndpoint`` feature on:
every browser here is started with ``--enable-features=FedCmMetricsEndpoint``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone
from selenium.webdriver.common.by import By

from django_fedcm.models import SignInMetric
from tests.e2e import harness
from tests.e2e.conftest import PASSWORDS
from tests.e2e.harness import ACCOUNT_CHOOSER, Browser

pytestmark = pytest.mark.e2e

#: The Chrome feature that makes the browser POST to ``metrics_endpoint``.
METRICS_FLAGS = ("--enable-features=FedCmMetricsEndpoint",)


@pytest.fixture
def metrics_browser(e2e_sites: harness.Sites, settings: Any) -> Iterator[Browser]:
    """A browser with the feature on, against an IdP with the endpoint on."""
    settings.FEDCM_METRICS_ENABLED = True
    with harness.launch(METRICS_FLAGS) as driver:
        yield Browser(driver, e2e_sites)


def reports(count: int, page: Browser) -> list[SignInMetric]:
    """Wait (bounded) until ``count`` reports are stored; they arrive after
    the RP's promise settles, outside the sign-in's critical path."""
    page.wait(lambda: SignInMetric.objects.count() >= count, what=f"{count} report(s) to be stored")
    return list(SignInMetric.objects.order_by("pk"))


@pytest.mark.checklist(69)
def test_chromium_reports_a_sign_in_to_the_metrics_endpoint(
    metrics_browser: Browser,
    e2e_rp: Any,
    e2e_users: dict[str, Any],
    verify_token: Callable[..., dict[str, Any]],
    request_log: list[str],
) -> None:
    page = metrics_browser
    page.idp_login("alice", PASSWORDS["alice"])

    # An explicit sign-in through the account chooser: a success report with
    # the four timings and the RP's origin.
    page.open_rp(nonce="n-metrics")
    page.wait_for_dialog(ACCOUNT_CHOOSER)
    page.select_account(0)
    result = page.result()
    assert result["status"] == "ok", result
    assert verify_token(result["token"], nonce="n-metrics")["sub"] == str(e2e_users["alice"].pk)
    [first] = reports(1, page)
    assert "/fedcm/metrics" in request_log
    assert (first.outcome, first.origin) == ("success", page.sites.rp)
    timings = (first.time_to_show_ui, first.time_to_receive_token, first.turnaround_time)
    assert all(t is not None and 0 <= t < 60_000 for t in timings), timings
    assert first.time_to_continue is not None and first.auto_reauthn is False
    assert first.error_code is None

    # The returning user is signed in again without a click: reported as an
    # automatic re-authentication.
    page.open_rp(nonce="n-again")
    result = page.result()
    assert result["status"] == "ok" and result["isAutoSelected"] is True, result
    second = reports(2, page)[1]
    assert (second.outcome, second.auto_reauthn) == ("success", True)

    # A dismissed chooser: a failure report without the RP's origin.
    page.open_rp(nonce="n-dismiss", mediation="required")
    page.wait_for_dialog(ACCOUNT_CHOOSER)
    page.driver.fedcm.dismiss()
    assert page.result()["status"] == "error"
    third = reports(3, page)[2]
    assert (third.outcome, third.error_code, third.did_show_ui) == ("failure", 200, True)
    assert third.origin == ""


def test_staff_see_the_sign_in_in_the_admin_dashboard(
    metrics_browser: Browser,
    e2e_rp: Any,
    e2e_users: dict[str, Any],
    fedcm_make_user: Callable[..., Any],
) -> None:
    page = metrics_browser
    page.idp_login("alice", PASSWORDS["alice"])
    page.open_rp(nonce="n-dashboard")
    page.wait_for_dialog(ACCOUNT_CHOOSER)
    page.select_account(0)
    assert page.result()["status"] == "ok"
    [stored] = reports(1, page)

    # A staff member who may view the sign-in reports, nothing else.
    olga = fedcm_make_user("olga", password="olga-e2e-pw", is_staff=True)
    olga.user_permissions.add(Permission.objects.get(codename="view_signinmetric"))
    driver = page.driver
    driver.get(f"{page.sites.idp}/admin/login/?next=/admin/django_fedcm/signinmetric/")
    page.fill_login_form("olga", "olga-e2e-pw")
    page.wait(lambda: page.text_of("clients"), what="the sign-in dashboard")

    def text(selector: str) -> str:
        return str(driver.find_element(By.CSS_SELECTOR, selector).text)

    row = 'tr.client[data-client-id="e2e-rp"]'
    assert "E2E relying party" in text(f"{row} th")
    assert text(f"{row} .fedcm-total") == "1"
    assert text(f"{row} .oauth-total") == "0"
    # The SVG's own text, as the browser parsed it.
    titles = driver.execute_script(
        "return [...document.querySelectorAll(arguments[0] + ' svg g title')]"
        ".map(t => t.textContent)",
        row,
    )
    today = timezone.localdate().isoformat()
    assert f"{today}: 1 FedCM, 0 OAuth door" in titles
    values = driver.execute_script(
        "return Object.fromEntries([...document.querySelectorAll('#timings g.row')]"
        ".map(g => [g.querySelector('.label').textContent, g.querySelector('.value').textContent]))"
    )
    assert values["call to token (turnaround_time)"] == f"{stored.turnaround_time} ms"
    assert text("#auto-reauthn .rate") == "0%"
    assert "metrics-off" not in driver.page_source
