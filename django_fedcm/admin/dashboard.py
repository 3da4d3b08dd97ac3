"""The operator's view of sign-ins: the "Sign-in reports" entry of the
django_fedcm admin app is a dashboard, drawn on the server as inline SVG (no
JavaScript, nothing fetched from elsewhere).

The numbers come from :func:`django_fedcm.services.sign_in_stats.summary`,
which reads only what the product already stores (docs/models.md, "Sign-in
dashboard"). Staff need the view permission on sign-in reports.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from django_fedcm.admin.base import ReadOnlyAdmin
from django_fedcm.models import SignInMetric
from django_fedcm.services import sign_in_stats
from django_fedcm.services.metrics import TIMING_FIELDS

__all__ = ["BarChart", "SignInDashboardAdmin", "bar_chart", "day_bars"]

#: Periods the page offers (``?days=``); anything else shows the default.
PERIODS = (7, 14, 30, 90)
DEFAULT_DAYS = 14

#: Horizontal bar charts: label column, longest bar, row height (px).
LABEL_WIDTH = 340
BAR_WIDTH = 320
ROW = 26
#: Day bars of one client: width of a day, chart height (px).
DAY_WIDTH = 10
DAY_HEIGHT = 40

TIMING_LABELS = {
    "time_to_show_ui": "call to account chooser",
    "time_to_continue": "chooser to click",
    "time_to_receive_token": "click to token",
    "turnaround_time": "call to token",
}


@dataclass(frozen=True)
class Bar:
    label: str
    text: str
    width: int
    y: int


@dataclass(frozen=True)
class BarChart:
    bars: list[Bar]
    height: int
    label_width: int = LABEL_WIDTH
    text_x: int = LABEL_WIDTH + 6


def bar_chart(rows: list[tuple[str, float, str]]) -> BarChart:
    """Horizontal bars for ``(label, value, text)`` rows, the largest value
    ``BAR_WIDTH`` long (a non-zero value gets at least one pixel)."""
    largest = max((value for _label, value, _text in rows), default=0) or 1
    bars = [
        Bar(
            label,
            text,
            max(round(value / largest * BAR_WIDTH), 1 if value else 0),
            index * ROW,
        )
        for index, (label, value, text) in enumerate(rows)
    ]
    return BarChart(bars, max(len(rows), 1) * ROW)


@dataclass(frozen=True)
class DayBar:
    x: int
    fedcm_height: int
    oauth_height: int
    title: str

    @property
    def fedcm_y(self) -> int:
        return DAY_HEIGHT - self.fedcm_height

    @property
    def oauth_y(self) -> int:
        return self.fedcm_y - self.oauth_height


def day_bars(client: sign_in_stats.ClientActivity, days: list[Any], largest: int) -> list[DayBar]:
    """One stacked bar a day (FedCM reports under OAuth door tokens), scaled
    to the busiest client-day of the page."""
    scale = DAY_HEIGHT / (largest or 1)
    return [
        DayBar(
            index * DAY_WIDTH,
            round(fedcm * scale),
            round(oauth * scale),
            _("%(day)s: %(fedcm)d FedCM, %(oauth)d OAuth door")
            % {"day": day.isoformat(), "fedcm": fedcm, "oauth": oauth},
        )
        for index, (day, fedcm, oauth) in enumerate(
            zip(days, client.fedcm, client.oauth, strict=True)
        )
    ]


def _percent(part: int, whole: int) -> str:
    return f"{part / whole:.0%}" if whole else "-"


def _charts(stats: sign_in_stats.Summary) -> dict[str, Any]:
    doors = bar_chart(
        [
            (_("FedCM (browser reports)"), stats.reported_successes, str(stats.reported_successes)),
            (_("OAuth door (tokens issued)"), stats.oauth_total, str(stats.oauth_total)),
        ]
    )
    errors = bar_chart(
        [
            (f"{e.code if e.code is not None else '-'} {e.meaning}", e.count, str(e.count))
            for e in stats.errors
        ]
    )
    medians = bar_chart(
        [
            (
                f"{TIMING_LABELS[name]} ({name})",
                stats.medians.get(name) or 0,
                "-" if stats.medians.get(name) is None else f"{stats.medians[name]:.0f} ms",
            )
            for name in TIMING_FIELDS
        ]
    )
    auto = stats.auto_reauthn
    rate = bar_chart(
        [
            (_("automatic (no click)"), auto, str(auto)),
            (_("explicit"), stats.auto_reauthn_known - auto, str(stats.auto_reauthn_known - auto)),
        ]
    )
    largest = max(
        (f + o for c in stats.clients for f, o in zip(c.fedcm, c.oauth, strict=True)), default=0
    )
    clients = [(client, day_bars(client, stats.days, largest)) for client in stats.clients]
    return {
        "doors": doors,
        "errors": errors,
        "medians": medians,
        "auto": rate,
        "auto_rate": _percent(auto, stats.auto_reauthn_known),
        "clients": clients,
        "day_chart_width": len(stats.days) * DAY_WIDTH,
        "day_chart_height": DAY_HEIGHT,
        "day_bar_width": DAY_WIDTH - 2,
    }


@admin.register(SignInMetric)
class SignInDashboardAdmin(ReadOnlyAdmin):
    """The changelist is the dashboard; single reports are not worth a page."""

    change_list_template = "admin/django_fedcm/dashboard.html"

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> TemplateResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        try:
            days = int(request.GET.get("days", DEFAULT_DAYS))
        except ValueError:
            days = DEFAULT_DAYS
        if days not in PERIODS:
            days = DEFAULT_DAYS
        stats = sign_in_stats.summary(days)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Sign-ins"),
            "subtitle": None,
            "opts": self.opts,
            "stats": stats,
            "days": days,
            "periods": PERIODS,
            **_charts(stats),
            **(extra_context or {}),
        }
        return TemplateResponse(request, self.change_list_template, context)
