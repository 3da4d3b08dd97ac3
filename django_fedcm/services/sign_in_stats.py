"""What the admin's sign-in dashboard shows, built only from rows the product
already writes (docs/models.md, "Sign-in dashboard").

No sign-in writes anything for this: the id assertion endpoint keeps its
query count (a returning user's sign-in writes nothing most of the time,
:data:`~django_fedcm.services.grants.LAST_USED_RESOLUTION`), so there is no
per-sign-in record of the FedCM door. The sources are:

* the browser's sign-in reports (:class:`~django_fedcm.models.SignInMetric`,
  only with ``FEDCM_METRICS_ENABLED`` and Chrome's ``FedCmMetricsEndpoint``):
  FedCM sign-ins by RP origin and day, failures by error code, automatic
  re-authentications, timings;
* django-oauth-toolkit's access tokens: OAuth door sign-ins by client and day
  (tokens for a user not made from a refresh token; this includes codes the id
  assertion endpoint minted for "FedCM for OAuth", and only tokens still
  stored: ``cleartokens`` removes expired ones);
* grants: first sign-ins (a grant created) and users seen (a grant used) per
  client in the period.

:func:`summary` runs at most ten queries, whatever the number of rows,
clients or days.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Count, F, Q
from django.db.models.functions import TruncDate
from django.utils import timezone
from oauth2_provider.models import get_access_token_model, get_application_model

from django_fedcm.conf import fedcm_settings
from django_fedcm.internal.origins import parse_origin_list
from django_fedcm.models import Grant, SignInMetric
from django_fedcm.services.metrics import ERROR_CODES, TIMING_FIELDS

__all__ = ["ClientActivity", "ErrorCount", "Summary", "summary"]

#: Report origins matched to clients, most frequent first; the rest are
#: counted under "other origins" (the reports are not authenticated, so a
#: flood of invented origins must not grow the page or the query).
MAX_ORIGINS = 50


@dataclass
class ClientActivity:
    """One client's sign-ins in the period. ``fedcm`` and ``oauth`` have one
    count per day of :attr:`Summary.days`."""

    name: str
    client_id: str
    fedcm: list[int]
    oauth: list[int]
    first_sign_ins: int = 0
    users_seen: int = 0

    @property
    def fedcm_total(self) -> int:
        return sum(self.fedcm)

    @property
    def oauth_total(self) -> int:
        return sum(self.oauth)


@dataclass(frozen=True)
class ErrorCount:
    code: int | None
    meaning: str
    count: int


@dataclass
class Summary:
    days: list[date]
    metrics_enabled: bool
    clients: list[ClientActivity] = field(default_factory=list)
    reported_successes: int = 0
    reported_failures: int = 0
    errors: list[ErrorCount] = field(default_factory=list)
    auto_reauthn: int = 0
    auto_reauthn_known: int = 0
    medians: dict[str, float | None] = field(default_factory=dict)

    @property
    def oauth_total(self) -> int:
        return sum(client.oauth_total for client in self.clients)

    @property
    def auto_reauthn_rate(self) -> float | None:
        if not self.auto_reauthn_known:
            return None
        return self.auto_reauthn / self.auto_reauthn_known


def _median(rows: Any, name: str, count: int) -> float | None:
    """The median of ``name`` over ``count`` non-null rows: one query that
    reads the middle one or two values (no database-specific aggregate)."""
    if not count:
        return None
    ordered = rows.exclude(**{name: None}).order_by(name).values_list(name, flat=True)
    middle = [int(value) for value in ordered[(count - 1) // 2 : count // 2 + 1]]
    return sum(middle) / len(middle)


def _report_counts(summary: Summary, since: datetime, tz: Any) -> dict[str, dict[date, int]]:
    """Fill in the report totals; FedCM successes per origin and day."""
    rows = (
        SignInMetric.objects.filter(recorded_at__gte=since)
        .annotate(day=TruncDate("recorded_at", tzinfo=tz))
        .values("day", "origin", "outcome")
        .annotate(
            n=Count("pk"),
            auto=Count("pk", filter=Q(auto_reauthn=True)),
            known=Count("pk", filter=Q(auto_reauthn__isnull=False)),
        )
    )
    by_origin: dict[str, dict[date, int]] = defaultdict(lambda: defaultdict(int))
    for row in rows:
        if row["outcome"] == SignInMetric.Outcome.FAILURE:
            summary.reported_failures += row["n"]
            continue
        summary.reported_successes += row["n"]
        summary.auto_reauthn += row["auto"]
        summary.auto_reauthn_known += row["known"]
        by_origin[row["origin"]][row["day"]] += row["n"]
    return by_origin


def _errors(since: datetime) -> list[ErrorCount]:
    rows = (
        SignInMetric.objects.filter(recorded_at__gte=since, outcome=SignInMetric.Outcome.FAILURE)
        .values("error_code")
        .annotate(n=Count("pk"))
        .order_by("-n", F("error_code").asc(nulls_last=True))
    )
    return [ErrorCount(row["error_code"], _meaning(row["error_code"]), row["n"]) for row in rows]


def _meaning(code: int | None) -> str:
    if code is None:
        return "no code"
    return ERROR_CODES.get(code, "unknown")


def _medians(since: datetime) -> dict[str, float | None]:
    successes = SignInMetric.objects.filter(
        recorded_at__gte=since, outcome=SignInMetric.Outcome.SUCCESS
    )
    counts = successes.aggregate(**{name: Count(name) for name in TIMING_FIELDS})
    return {name: _median(successes, name, counts[name]) for name in TIMING_FIELDS}


def _oauth_counts(since: datetime, tz: Any) -> dict[int, dict[date, int]]:
    """Access tokens issued to a user, not from a refresh token, per client and day."""
    counts: dict[int, dict[date, int]] = defaultdict(lambda: defaultdict(int))
    rows = (
        get_access_token_model()
        .objects.filter(created__gte=since, user__isnull=False, source_refresh_token__isnull=True)
        .annotate(day=TruncDate("created", tzinfo=tz))
        .values("day", "application_id")
        .annotate(n=Count("pk"))
    )
    for row in rows:
        counts[row["application_id"]][row["day"]] += row["n"]
    return counts


def _grant_counts(since: datetime) -> dict[int, tuple[int, int]]:
    """``(first sign-ins, users seen)`` per client (application id)."""
    rows = (
        Grant.objects.filter(Q(created_at__gte=since) | Q(last_used_at__gte=since))
        .values("relying_party__application_id")
        .annotate(
            first=Count("pk", filter=Q(created_at__gte=since)),
            seen=Count("pk", filter=Q(last_used_at__gte=since)),
        )
    )
    return {row["relying_party__application_id"]: (row["first"], row["seen"]) for row in rows}


def _applications(ids: set[int], origins: list[str]) -> list[dict[str, Any]]:
    """One query: the clients named by id, and those whose allowed origins
    may hold one of ``origins`` (matched exactly by the caller)."""
    if not ids and not origins:
        return []
    wanted = Q(pk__in=ids)
    for origin in origins:
        wanted |= Q(allowed_origins__contains=origin)
    rows = get_application_model().objects.filter(wanted).order_by("name", "client_id")
    return list(rows.values("pk", "name", "client_id", "allowed_origins"))


def summary(days: int = 14) -> Summary:
    """Sign-ins of the last ``days`` days (today included), in the current time zone."""
    tz = timezone.get_current_timezone()
    today = timezone.localdate()
    day_list = [today - timedelta(days=offset) for offset in range(days - 1, -1, -1)]
    since = timezone.make_aware(datetime.combine(day_list[0], time.min), tz)
    result = Summary(days=day_list, metrics_enabled=fedcm_settings.METRICS_ENABLED)
    index = {day: i for i, day in enumerate(day_list)}

    def add(series: list[int], counts: dict[date, int]) -> None:
        for day, n in counts.items():
            if day in index:  # a clock a little ahead lands on no day shown
                series[index[day]] += n

    by_origin = _report_counts(result, since, tz)
    result.errors = _errors(since)
    result.medians = _medians(since)
    oauth = _oauth_counts(since, tz)
    grants = _grant_counts(since)
    origins = sorted(by_origin, key=lambda o: -sum(by_origin[o].values()))
    named = [origin for origin in origins if origin][:MAX_ORIGINS]

    clients: dict[Any, ClientActivity] = {}
    matched: set[str] = set()
    for app in _applications(set(oauth) | set(grants), named):
        client = clients[app["pk"]] = ClientActivity(
            app["name"] or app["client_id"], app["client_id"], [0] * days, [0] * days
        )
        add(client.oauth, oauth.get(app["pk"], {}))
        client.first_sign_ins, client.users_seen = grants.get(app["pk"], (0, 0))
        for origin in sorted(set(parse_origin_list(app["allowed_origins"] or "")) & set(named)):
            if origin not in matched:  # an origin two clients share counts once
                matched.add(origin)
                add(client.fedcm, by_origin[origin])
    other = ClientActivity("other origins", "", [0] * days, [0] * days)
    for origin in origins:
        if origin not in matched:
            add(other.fedcm, by_origin[origin])
    active = [
        c
        for c in (*clients.values(), other)
        if c.fedcm_total or c.oauth_total or c.first_sign_ins or c.users_seen
    ]
    result.clients = sorted(
        active, key=lambda c: (c.client_id == "", -(c.fedcm_total + c.oauth_total), c.name)
    )
    return result
