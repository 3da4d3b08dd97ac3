"""The browser's sign-in reports: parsing and storing what Chrome POSTs to
``metrics_endpoint`` (docs/endpoints.md, ``metrics``).

Chrome (behind the ``FedCmMetricsEndpoint`` feature) sends one form-encoded
report per FedCM request after it settles, outside the sign-in's critical
path (https://github.com/w3c-fedid/FedCM/issues/352):

* success, with the IdP's cookies and the RP's ``Origin``:
  ``outcome=success&time_to_show_ui=N&time_to_continue=N&time_to_receive_token=N&turnaround_time=N``
  (milliseconds);
* failure, without cookies and without the RP's origin:
  ``outcome=failure&error_code=N&did_show_ui=true|false``
  (:data:`ERROR_CODES`).

One report is one small row (:class:`~django_fedcm.models.SignInMetric`),
written with one INSERT. What is kept, and why no user is, is in
docs/security.md ("Browser sign-in reports").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import parse_qsl

from django.db.models import QuerySet
from django.utils import timezone

from django_fedcm.internal.origins import normalize_origin
from django_fedcm.models import SignInMetric

__all__ = [
    "ERROR_CODES",
    "MAX_BODY_BYTES",
    "MAX_MILLISECONDS",
    "TIMING_FIELDS",
    "InvalidReport",
    "Report",
    "delete_older_than",
    "older_than",
    "parse_report",
    "record",
]

#: A report is about 130 bytes; anything far larger is not from a browser.
MAX_BODY_BYTES = 1024
#: Timings above ten minutes are stored as "not measured": Chrome 156 sends
#: the time since its clock origin (hours, days) for ``time_to_continue`` and
#: ``turnaround_time`` in active mode, where the dialog records no display time.
MAX_MILLISECONDS = 10 * 60 * 1000
#: Form fields beyond this many are not a browser's report.
_MAX_FIELDS = 16

#: The success report's timings, in milliseconds.
TIMING_FIELDS = ("time_to_show_ui", "time_to_continue", "time_to_receive_token", "turnaround_time")

#: ``error_code`` values Chromium sends (its ``MetricsEndpointErrorCode``:
#: https://source.chromium.org/search?q=MetricsEndpointErrorCode).
ERROR_CODES: dict[int, str] = {
    0: "none",
    1: "other",
    100: "relying party failure",
    200: "user failure (dismissed, or chose another IdP)",
    300: "IdP server: invalid response",
    301: "IdP server unavailable",
    302: "config (manifest) error",
    401: "accounts endpoint: invalid response",
    402: "id assertion endpoint: invalid response",
}


class InvalidReport(ValueError):
    """The body is not a browser's report (too large, not a form, no outcome)."""


@dataclass(frozen=True)
class Report:
    """A parsed report; every value is bounded and typed."""

    outcome: str
    origin: str = ""
    time_to_show_ui: int | None = None
    time_to_continue: int | None = None
    time_to_receive_token: int | None = None
    turnaround_time: int | None = None
    error_code: int | None = None
    did_show_ui: bool | None = None
    auto_reauthn: bool | None = None


def _milliseconds(value: str | None) -> int | None:
    if value is None or not value.isascii() or not value.isdigit():
        return None  # absent, negative or not a number: not measured
    number = int(value[:12])
    return number if number <= MAX_MILLISECONDS else None


def _error_code(value: str | None) -> int | None:
    if value is None or not value.isascii() or not value.isdigit() or len(value) > 3:
        return None
    return int(value)


def _auto_reauthn(time_to_continue: str | None) -> bool | None:
    """Whether a success came without a click. Chrome reports none directly;
    after an automatic re-authentication its ``time_to_continue`` is negative
    (the "signing in" notice is displayed after the automatic choice; seen in
    Chrome 156). ``None`` when the field is missing or not a number."""
    if time_to_continue is None:
        return None
    digits = time_to_continue.removeprefix("-")
    if not digits or not digits.isascii() or not digits.isdigit():
        return None
    return time_to_continue.startswith("-") and int(digits[:12]) > 0


def _origin(value: str | None) -> str:
    if not value:
        return ""
    try:
        return normalize_origin(value)[:255]
    except ValueError:  # "null" (an opaque origin) or garbage
        return ""


def parse_report(body: bytes, origin: str | None = None) -> Report:
    """The report in ``body`` (``application/x-www-form-urlencoded``).

    Unknown fields are ignored, so a later Chrome that sends more still gets
    its report stored. ``origin`` (the request's ``Origin``) is kept for a
    success only: a failure is sent without one on purpose.
    """
    if len(body) > MAX_BODY_BYTES:
        raise InvalidReport("body too large")
    try:
        text = body.decode("ascii")
        fields = dict(parse_qsl(text, keep_blank_values=True, max_num_fields=_MAX_FIELDS))
    except (UnicodeDecodeError, ValueError) as exc:
        raise InvalidReport("not a form") from exc
    outcome = fields.get("outcome")
    if outcome == SignInMetric.Outcome.SUCCESS:
        to_continue = fields.get("time_to_continue")
        return Report(
            outcome=outcome,
            origin=_origin(origin),
            time_to_show_ui=_milliseconds(fields.get("time_to_show_ui")),
            time_to_continue=_milliseconds(to_continue),
            time_to_receive_token=_milliseconds(fields.get("time_to_receive_token")),
            turnaround_time=_milliseconds(fields.get("turnaround_time")),
            auto_reauthn=_auto_reauthn(to_continue),
        )
    if outcome == SignInMetric.Outcome.FAILURE:
        shown = fields.get("did_show_ui")
        return Report(
            outcome=outcome,
            error_code=_error_code(fields.get("error_code")),
            did_show_ui={"true": True, "false": False}.get(shown or ""),
        )
    raise InvalidReport("outcome must be success or failure")


def record(report: Report) -> SignInMetric:
    """Store ``report``: one INSERT, the time rounded down to the hour."""
    hour = timezone.now().replace(minute=0, second=0, microsecond=0)
    return SignInMetric.objects.create(
        outcome=report.outcome,
        origin=report.origin,
        time_to_show_ui=report.time_to_show_ui,
        time_to_continue=report.time_to_continue,
        time_to_receive_token=report.time_to_receive_token,
        turnaround_time=report.turnaround_time,
        error_code=report.error_code,
        did_show_ui=report.did_show_ui,
        auto_reauthn=report.auto_reauthn,
        recorded_at=hour,
    )


def older_than(days: int) -> QuerySet[SignInMetric]:
    """Reports received more than ``days`` days ago."""
    return SignInMetric.objects.filter(recorded_at__lt=timezone.now() - timedelta(days=days))


def delete_older_than(days: int) -> int:
    """Delete reports received more than ``days`` days ago (``fedcm_cleanup``);
    the number deleted."""
    deleted, _ = older_than(days).delete()
    return deleted
