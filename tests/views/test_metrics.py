"""views/metrics.py: the browser's sign-in reports (config ``metrics_endpoint``;
https://github.com/w3c-fedid/FedCM/issues/352; checklist 69)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from unittest import mock
from urllib.parse import urlsplit

import pytest
from django.db import DatabaseError, OperationalError
from django.test import Client
from django.urls import resolve, reverse

from django_fedcm.models import SignInMetric
from django_fedcm.services import metrics

pytestmark = pytest.mark.django_db

#: Chromium's success report: credentialed, with the RP's Origin, no CORS.
SUCCESS = (
    "outcome=success&time_to_show_ui=120&time_to_continue=950"
    "&time_to_receive_token=80&turnaround_time=1150"
)
#: Chromium's failure report: no cookies, no RP origin.
FAILURE = "outcome=failure&error_code=200&did_show_ui=true"

WEBIDENTITY = {
    "HTTP_SEC_FETCH_DEST": "webidentity",
    "HTTP_SEC_FETCH_MODE": "no-cors",
    "HTTP_SEC_FETCH_SITE": "cross-site",
}


@pytest.fixture
def metrics_on(settings: Any) -> None:
    settings.FEDCM_METRICS_ENABLED = True


def post(
    client: Client,
    body: str | bytes,
    *,
    origin: str | None = "https://rp.test",
    webidentity: bool = True,
    **extra: Any,
) -> Any:
    headers: dict[str, Any] = dict(WEBIDENTITY) if webidentity else {}
    if origin is not None:
        headers["HTTP_ORIGIN"] = origin
    headers.update(extra)
    return client.post(
        reverse("django_fedcm:metrics"),
        body,
        content_type="application/x-www-form-urlencoded",
        secure=True,
        HTTP_HOST="idp.test",
        **headers,
    )


@pytest.mark.checklist(69)
@pytest.mark.usefixtures("metrics_on")
def test_a_success_report_is_stored_with_one_insert_and_answered_204(
    client: Client, django_assert_num_queries: Any
) -> None:
    with django_assert_num_queries(1):
        response = post(client, SUCCESS)
    assert response.status_code == 204
    assert response["Cache-Control"] == "no-store"
    row = SignInMetric.objects.get()
    assert row.outcome == "success"
    assert row.origin == "https://rp.test"
    assert (row.time_to_show_ui, row.time_to_continue) == (120, 950)
    assert (row.time_to_receive_token, row.turnaround_time) == (80, 1150)
    assert row.error_code is None and row.did_show_ui is None


@pytest.mark.checklist(69)
@pytest.mark.usefixtures("metrics_on")
def test_a_failure_report_keeps_no_origin(client: Client) -> None:
    response = post(client, FAILURE, origin="https://rp.test")
    assert response.status_code == 204
    row = SignInMetric.objects.get()
    assert (row.outcome, row.error_code, row.did_show_ui) == ("failure", 200, True)
    assert row.origin == ""
    assert row.turnaround_time is None


@pytest.mark.usefixtures("metrics_on")
def test_a_signed_in_users_report_reads_no_session_and_stores_no_user(
    client: Client, fedcm_user: Any, django_assert_num_queries: Any
) -> None:
    client.force_login(fedcm_user)
    with django_assert_num_queries(1):  # the INSERT: neither session nor user is loaded
        response = post(client, SUCCESS)
    assert response.status_code == 204
    assert "Cookie" not in response.get("Vary", "")
    assert not {f.name for f in SignInMetric._meta.get_fields()} & {"user", "ip", "user_agent"}


@pytest.mark.usefixtures("metrics_on")
def test_the_hour_is_all_that_is_kept_of_the_time(client: Client) -> None:
    moment = datetime(2026, 3, 4, 15, 47, 12, 345, tzinfo=UTC)
    with mock.patch("django.utils.timezone.now", return_value=moment):
        post(client, FAILURE)
    assert SignInMetric.objects.get().recorded_at == datetime(2026, 3, 4, 15, tzinfo=UTC)


@pytest.mark.checklist(69)
def test_404_while_the_setting_is_off(client: Client, settings: Any) -> None:
    settings.FEDCM_METRICS_ENABLED = False
    assert post(client, SUCCESS).status_code == 404
    assert not SignInMetric.objects.exists()


@pytest.mark.parametrize("value", ["True", "1", 1])
def test_only_true_turns_it_on(client: Client, settings: Any, value: Any) -> None:
    settings.FEDCM_METRICS_ENABLED = value
    assert post(client, SUCCESS).status_code == 404


@pytest.mark.checklist(69)
@pytest.mark.usefixtures("metrics_on")
def test_400_without_sec_fetch_dest_webidentity(client: Client) -> None:
    response = post(client, SUCCESS, webidentity=False)
    assert response.status_code == 400
    assert response.json()["error"]["error"] == "invalid_request"
    response = post(client, SUCCESS, webidentity=False, HTTP_SEC_FETCH_DEST="empty")
    assert response.status_code == 400
    assert not SignInMetric.objects.exists()


@pytest.mark.usefixtures("metrics_on")
@pytest.mark.parametrize("method", ["get", "put", "delete", "options"])
def test_405_for_other_methods(client: Client, method: str) -> None:
    url = reverse("django_fedcm:metrics")
    response = getattr(client, method)(url, secure=True, HTTP_HOST="idp.test", **WEBIDENTITY)
    assert response.status_code == 405
    assert response["Allow"] == "POST"


@pytest.mark.checklist(69)
@pytest.mark.usefixtures("metrics_on")
@pytest.mark.parametrize(
    "body",
    [
        "",
        "outcome=maybe",
        "time_to_show_ui=1",
        "outcome=success&" + "&".join(f"f{i}=1" for i in range(40)),
        b"outcome=success&\xff=1",
        "outcome=%FF",
    ],
    ids=["empty", "unknown-outcome", "no-outcome", "too-many-fields", "not-ascii", "bad-escape"],
)
def test_a_body_that_is_not_a_report_is_400_and_stores_nothing(
    client: Client, body: str | bytes
) -> None:
    response = post(client, body)
    assert response.status_code == 400
    assert not SignInMetric.objects.exists()


@pytest.mark.checklist(69)
@pytest.mark.usefixtures("metrics_on")
def test_a_body_over_the_bound_is_413_unread(client: Client) -> None:
    body = SUCCESS + "&pad=" + "x" * metrics.MAX_BODY_BYTES
    response = post(client, body)
    assert response.status_code == 413
    assert not SignInMetric.objects.exists()


@pytest.mark.usefixtures("metrics_on")
def test_a_content_length_that_lies_short_gets_no_further_than_the_bound(
    client: Client,
) -> None:
    with mock.patch.object(metrics, "MAX_BODY_BYTES", 20):
        response = post(client, SUCCESS, CONTENT_LENGTH="5")
    assert response.status_code == 400  # "outco" is not a report
    assert not SignInMetric.objects.exists()


@pytest.mark.usefixtures("metrics_on")
@pytest.mark.parametrize("length", ["abc", "-5"])
def test_a_broken_content_length_is_not_a_500(client: Client, length: str) -> None:
    response = post(client, FAILURE, CONTENT_LENGTH=length)
    assert response.status_code in (204, 400)


@pytest.mark.usefixtures("metrics_on")
def test_a_client_that_goes_away_mid_body_is_400(client: Client) -> None:
    from django.http.request import UnreadablePostError

    with mock.patch(
        "django.core.handlers.wsgi.WSGIRequest.read", side_effect=UnreadablePostError("gone")
    ):
        response = post(client, SUCCESS)
    assert response.status_code == 400


@pytest.mark.checklist(69)
@pytest.mark.usefixtures("metrics_on")
@pytest.mark.parametrize("error", [OperationalError("down"), DatabaseError("full")])
def test_a_storage_failure_still_answers_204(client: Client, error: Exception, caplog: Any) -> None:
    with mock.patch.object(SignInMetric.objects, "create", side_effect=error):
        response = post(client, SUCCESS)
    assert response.status_code == 204
    assert "not stored" in caplog.text


@pytest.mark.usefixtures("metrics_on")
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("atomic", [True, False])
def test_a_storage_failure_with_or_without_atomic_requests_leaves_a_working_connection(
    client: Client, settings: Any, atomic: bool
) -> None:
    settings.DATABASES["default"]["ATOMIC_REQUESTS"] = atomic
    try:
        with mock.patch.object(
            SignInMetric.objects, "create", side_effect=OperationalError("down")
        ):
            response = post(client, SUCCESS)
        assert response.status_code == 204
        assert post(client, FAILURE).status_code == 204  # the connection still works
    finally:
        settings.DATABASES["default"]["ATOMIC_REQUESTS"] = False
    assert SignInMetric.objects.count() == 1


@pytest.mark.usefixtures("metrics_on")
def test_the_view_is_csrf_exempt(fedcm_user: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(fedcm_user)
    assert post(client, SUCCESS).status_code == 204


@pytest.mark.checklist(69)
def test_config_names_the_metrics_endpoint_only_when_enabled(fedcm_get: Any, settings: Any) -> None:
    assert "metrics_endpoint" not in fedcm_get("config").json()
    settings.FEDCM_METRICS_ENABLED = True
    config = fedcm_get("config").json()
    assert config["metrics_endpoint"] == "https://idp.test/fedcm/metrics"
    assert resolve(urlsplit(config["metrics_endpoint"]).path).url_name == "metrics"
    # The well-known file names only what Chrome checks there.
    assert "metrics_endpoint" not in fedcm_get("well_known").json()
